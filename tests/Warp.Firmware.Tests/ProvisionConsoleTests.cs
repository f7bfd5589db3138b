using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warp.Firmware;
using Warp.Protocol.Crypto;
using Warp.TestKit;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>The serial console's provisioning commands (firmware/ProvisionConsole), shared by the device and the Linux host.</summary>
    public class ProvisionConsoleTests
    {
        sealed class Host : IProvisionHost
        {
            public readonly List<string> Calls = new List<string>();
            public MemoryStore Store;
            public string Joined;
            public void ConfigStored() { Calls.Add("config"); }
            public void AccessPointStored() { Calls.Add("ap"); }
            public void NetworksChanged() { Calls.Add("networks"); }
            public void Reboot() { Calls.Add("reboot"); }
            public bool FactoryReset() { Calls.Add("factory-reset"); return StoredRecords.FactoryReset(Store); }
            public string JoinedNetwork { get { return Joined; } }
        }

        readonly MemoryStore store = new MemoryStore();
        readonly Host host;
        readonly ProvisionConsole console;
        readonly LinesOutput o = new LinesOutput();
        long now = 1000;

        public ProvisionConsoleTests()
        {
            host = new Host { Store = store };
            console = new ProvisionConsole(store, RouterSizes.LinuxHost(), host);
        }

        static string[] ConfigLines()
        {
            var key = new byte[32];
            new SeededRandom(5).GetBytes(key, 0, 32);
            var peer = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(peer, 0, key, 0);
            return new[]
            {
                "[Interface]", "PrivateKey = " + Convert.ToBase64String(key), "Address = 172.16.0.2/32", "MTU = 1280", "",
                "[Peer]", "PublicKey = " + Convert.ToBase64String(peer), "Endpoint = 162.159.192.1:2408", "ClientId = AQID",
            };
        }

        void Send(params string[] lines)
        {
            foreach (var l in lines)
                Assert.True(console.Handle(l, now, o), "not taken: " + l);
        }

        string Last => o.All.Last();

        void Transfer(string[] lines, string end = null)
        {
            Send("config begin");
            Send(lines);
            Send(end ?? "config end " + lines.Length + " " + ProvisionConsole.Hex32(ProvisionConsole.TransferCrc(lines)));
        }

        string Stored(string record) => store.Records.TryGetValue(record, out var b) ? Encoding.UTF8.GetString(b) : null;

        [Fact]
        public void TheTransferCrcIsZlibsCrc32OverEachLineAndANewline()
        {
            // python3 -c "import zlib; print('%08X' % zlib.crc32(b'[Interface]\nAddress = 10.0.0.1/32\n'))"
            Assert.Equal("8136728C", ProvisionConsole.Hex32(ProvisionConsole.TransferCrc(new[] { "[Interface]", "Address = 10.0.0.1/32" })));
        }

        [Fact]
        public void ACleanTransferIsStoredWholeAndAppliedOnce()
        {
            var lines = ConfigLines();
            Transfer(lines);
            Assert.StartsWith("ok config stored lines=9 ", Last);
            Assert.Equal(string.Join("\n", lines) + "\n", Stored(StoredRecords.Config));
            Assert.Equal(new[] { "config" }, host.Calls);
            Assert.False(console.Receiving);
            Assert.DoesNotContain(o.All, l => l.Contains(lines[1].Substring(14, 20))); // the private key is never echoed
        }

        [Fact]
        public void ConfigErrorsAreReportedByLineAndNothingIsStored()
        {
            var lines = ConfigLines();
            lines[2] = "Address = 300.1.1.1/32";
            lines[6] = "PublicKey = nope";
            store.Records[StoredRecords.Config] = Encoding.UTF8.GetBytes("old");
            Transfer(lines);
            Assert.Contains(o.All, l => l.StartsWith("config: line 3: ", StringComparison.Ordinal));
            Assert.Contains(o.All, l => l.StartsWith("config: line 7: ", StringComparison.Ordinal));
            Assert.StartsWith("error config reason=invalid errors=2 line=3", Last);
            Assert.Equal("old", Stored(StoredRecords.Config));
            Assert.Empty(host.Calls);
        }

        [Fact]
        public void ATruncatedOrGarbledTransferIsRefusedNotHalfApplied()
        {
            var lines = ConfigLines();
            string crc = ProvisionConsole.Hex32(ProvisionConsole.TransferCrc(lines));
            // A line lost on the way: the count says so.
            Transfer(lines.Take(8).ToArray(), "config end 9 " + crc);
            Assert.StartsWith("error config reason=line_count received=8 expected=9", Last);
            // A byte changed on the way: the CRC says so.
            var garbled = (string[])lines.Clone();
            garbled[7] = "Endpoint = 162.159.192.2:2408";
            Transfer(garbled, "config end 9 " + crc);
            Assert.StartsWith("error config reason=crc ", Last);
            // A bad end line discards the transfer.
            Transfer(lines, "config end nine");
            Assert.StartsWith("error config reason=usage", Last);
            Assert.Null(Stored(StoredRecords.Config));
            Assert.Empty(host.Calls);
        }

        [Fact]
        public void LinesAndCountsAreBounded()
        {
            var lines = ConfigLines().ToList();
            lines.Insert(5, "# " + new string('x', ProvisionConsole.MaxLineBytes));
            Transfer(lines.ToArray());
            Assert.Contains("config: line 6: longer than " + ProvisionConsole.MaxLineBytes + " bytes", o.All);
            Assert.StartsWith("error config reason=line_too_long line=6", Last);
            var many = ConfigLines().Concat(Enumerable.Repeat("# filler", ProvisionConsole.MaxLines)).ToArray();
            Transfer(many);
            Assert.StartsWith("error config reason=too_many_lines lines=" + many.Length, Last);
            Assert.Null(Stored(StoredRecords.Config));
        }

        [Fact]
        public void ANewBeginATimeoutOrAnAbortDiscardsAHalfTransfer()
        {
            var lines = ConfigLines();
            Send("config begin", lines[0], lines[1]);
            Send("config begin");
            Assert.Contains("discarded=previous", Last);
            Send(lines);
            Send("config end " + lines.Length + " " + ProvisionConsole.Hex32(ProvisionConsole.TransferCrc(lines)));
            Assert.StartsWith("ok config stored", Last); // only the second transfer's lines counted

            Send("config begin", lines[0]);
            now += ProvisionConsole.TimeoutMs - 1;
            console.Poll(now, o);
            Assert.True(console.Receiving);
            now += 1;
            console.Poll(now, o);
            Assert.False(console.Receiving);
            Assert.StartsWith("error config reason=timeout", Last);
            // After a timeout the lines are commands again: a stray line is not taken.
            Assert.False(console.Handle("status", now, o));

            Send("config begin", lines[0], "config abort");
            Assert.Equal("ok config aborted", Last);
            Send("config abort");
            Assert.StartsWith("error config reason=no_transfer", Last);
        }

        [Fact]
        public void ABareEndSaysWhatArrivedAndKeepsTheTransferForTheConfirmation()
        {
            var lines = ConfigLines();
            Send("config begin");
            Send(lines);
            Send("config end");
            string crc = ProvisionConsole.Hex32(ProvisionConsole.TransferCrc(lines));
            Assert.Contains("received 9 line(s), CRC-32 " + crc, Last);
            Assert.True(console.Receiving);
            Send("config end 9 " + crc);
            Assert.StartsWith("ok config stored", Last);
        }

        [Fact]
        public void WifiNetworksAreAddedWithThePasswordOnTheNextLineListedWithoutItAndRemoved()
        {
            host.Joined = "Hotel 5G";
            Send("wifi add Hotel 5G", "hotel-secret-pw");
            Assert.Equal("ok wifi added ssid=Hotel%205G networks=1", Last);
            Send("wifi add \"Cafe\"", "");
            Assert.Equal("ok wifi added ssid=Cafe networks=2", Last);
            Send("wifi add Lobby", "short");
            Assert.StartsWith("error wifi reason=bad_password", Last);
            Assert.Equal("Hotel 5G\thotel-secret-pw\nCafe\t\n", Stored(StoredRecords.Networks));
            Send("wifi list");
            Assert.Contains("  Hotel 5G  (joined)", o.All);
            Assert.StartsWith("ok wifi networks=2", Last);
            o.All.Clear();
            Send("wifi list -m");
            Assert.Equal(new[] { "wifi ssid=Hotel%205G order=0 open=0 joined=1", "wifi ssid=Cafe order=1 open=1 joined=0", "end records=2" }, o.All);
            Send("wifi remove Cafe");
            Assert.Equal("ok wifi removed ssid=Cafe networks=1", Last);
            Send("wifi remove Cafe");
            Assert.StartsWith("error wifi reason=not_stored", Last);
            Assert.Equal(new[] { "networks", "networks", "networks" }, host.Calls);
            Assert.DoesNotContain(o.All, l => l.Contains("hotel-secret-pw"));
        }

        [Fact]
        public void AWaitingPasswordTimesOutAndAPasswordLineThatLooksLikeACommandIsStillAPassword()
        {
            Send("wifi add Lobby");
            now += ProvisionConsole.TimeoutMs;
            console.Poll(now, o);
            Assert.StartsWith("error wifi reason=timeout", Last);
            Send("ap set Warp Home", "factory-reset");
            Assert.Equal("ok ap stored ssid=Warp%20Home channel=6", Last);
            Assert.Equal("Warp Home\nfactory-reset\n6", Stored(StoredRecords.SoftAp));
            Assert.Equal(new[] { "ap" }, host.Calls);
        }

        [Fact]
        public void TheApKeepsItsChannelAndRefusesAShortPassword()
        {
            store.Records[StoredRecords.SoftAp] = Encoding.UTF8.GetBytes("Old\nold-password\n11");
            Send("ap set New", "1234567");
            Assert.StartsWith("error ap reason=bad_password", Last);
            Send("ap set New", "household-pw-9");
            Assert.Equal("ok ap stored ssid=New channel=11", Last);
            Assert.DoesNotContain(o.All, l => l.Contains("household-pw-9"));
        }

        [Fact]
        public void FactoryResetClearsTheStoreButTheTimestampCeilingThenRestarts()
        {
            foreach (var r in new[] { StoredRecords.Config, StoredRecords.Networks, StoredRecords.SoftAp, StoredRecords.Leases, StoredRecords.TimestampCeiling })
                store.Records[r] = new byte[] { 1 };
            Send("factory-reset");
            Assert.Equal("ok factory-reset", Last);
            Assert.Equal(new[] { "factory-reset", "reboot" }, host.Calls);
            Assert.Equal(new[] { StoredRecords.TimestampCeiling }, store.Records.Keys.ToArray());
            Send("reboot");
            Assert.Equal("ok reboot", Last);
        }

        [Fact]
        public void OtherCommandsAreLeftToTheHost()
        {
            foreach (var c in new[] { "status", "status -m", "config", "wifi scan", "help" })
                Assert.False(console.Handle(c, now, o), c);
        }
    }
}

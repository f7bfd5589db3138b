using System;
using System.Linq;
using Warp.Hal;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Nat;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// The composition both hosts share: a router built from a board's sizes through
    /// RouterBoot, records written when idle, the uplink seam, the light and the button.
    /// </summary>
    public class CompositionTests
    {
        static int LineOf(string text, string start)
        {
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].StartsWith(start, StringComparison.Ordinal))
                    return i + 1;
            throw new InvalidOperationException(start + " not in the config");
        }

        /// <summary>
        /// Stands in for the ESP32 program: its board profile, its config record's bytes, and the
        /// same RouterBoot calls the Linux host makes. The router leases an address and carries
        /// the client's packet to the peer.
        /// </summary>
        [Fact]
        public void Esp32StandInBootsTheRouterFromItsBoardProfile()
        {
            var sizes = RouterSizes.Esp32NoPsram();
            var indicator = new RecordingIndicator();
            var h = new RouterHarness(sizes: sizes, boot: true, routerLines: "NatEntries = 4096\n",
                platform: new RouterPlatform { Indicator = indicator }, lease: false);
            int line = LineOf(h.ConfigText, "NatEntries");
            Assert.Contains("config: warning: line " + line + ": NatEntries: 4096 is more than this board holds; using 512", h.BootLog.All);
            Assert.Contains(h.BootLog.All, l => l.StartsWith("tunnel: handshake with 10.250.2.2:51820", StringComparison.Ordinal));
            Assert.Same(sizes, h.Router.Sizes);
            Assert.Equal(512, h.Router.Nat.Table.Capacity);
            Assert.Equal(4, h.Router.Paths.Capacity);
            Assert.Equal(IndicatorState.Connecting, indicator.Shown.Last());

            uint ip = h.LeaseClient();
            Assert.Equal(RouterHarness.ClientIp, ip); // the pool's first address
            h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5000, 53, new byte[] { 1, 2, 3 }));
            h.Router.Poll(h.Now);
            var delivered = h.ExchangeWithPeer();
            Assert.Single(delivered);
            Assert.Equal(IndicatorState.Connected, indicator.Shown.Last());
        }

        [Fact]
        public void TheConfigMayAskForSmallerTablesButNotLarger()
        {
            var small = new RouterHarness(sizes: RouterSizes.Esp32NoPsram(), boot: true, routerLines: "NatEntries = 64\n");
            Assert.Equal(64, small.Router.Nat.Table.Capacity);
            Assert.DoesNotContain(small.BootLog.All, l => l.Contains("NatEntries"));

            var sizes = RouterSizes.Esp32NoPsram();
            sizes.PacketBuffer = 1340; // carries at most a 1,296-byte packet
            string text = Config("MTU = 1400\n", "DhcpPoolStart = 192.168.42.100\nDhcpPoolEnd = 192.168.42.140\n");
            var d = new ConfigDiagnostics();
            RouterSettings s = RouterConfig.Load(text, sizes, d);
            Assert.NotNull(s);
            Assert.Equal(1296, s.Interface.Mtu);
            var warnings = Enumerable.Range(0, d.StoredWarningCount).Select(i => d.Warning(i).ToString()).ToList();
            Assert.Contains("line " + LineOf(text, "MTU") + ": MTU: 1400 is more than this board's packet buffers carry; using 1296", warnings);
            Assert.Contains("line " + LineOf(text, "DhcpPoolEnd") + ": DhcpPoolEnd: the pool and static leases hold 41 addresses; this board keeps 16 leases at a time", warnings);
        }

        static string Config(string interfaceLines, string routerLines)
        {
            var key = new byte[32];
            new SeededRandom(3).GetBytes(key, 0, 32);
            var peer = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(peer, 0, key, 0);
            return "[Interface]\nPrivateKey = " + Convert.ToBase64String(key) + "\nAddress = 172.16.0.2/32\n" + interfaceLines
                + "[Peer]\nPublicKey = " + Convert.ToBase64String(peer) + "\nEndpoint = 10.250.2.2:51820\n"
                + "[Router]\n" + routerLines;
        }

        [Fact]
        public void BadBoardSizesAndMissingPortsAreRefusedWithAReason()
        {
            var sizes = RouterSizes.LinuxHost();
            sizes.ReplayWindowWords = 100;
            var e = Assert.Throws<ArgumentException>(() => new RouterHarness(sizes: sizes));
            Assert.Contains("ReplayWindowWords", e.Message);
            var d = new ConfigDiagnostics();
            var s = RouterConfig.Load(Config("", ""), RouterSizes.LinuxHost(), d);
            var log = new LinesOutput();
            Assert.Null(RouterBoot.Start(s, RouterSizes.LinuxHost(), new RouterPlatform(), log, 0, RouterBoot.NoWallClock));
            Assert.Contains("router: a LAN port is required", log.All);
        }

        [Fact]
        public void AConfigWithErrorsShowsErrorOnTheLightAndEveryLineOnTheConsole()
        {
            var light = new RecordingIndicator();
            var log = new LinesOutput();
            byte[] bad = System.Text.Encoding.UTF8.GetBytes("[Interface]\nPrivateKey = nope\n[Peer]\nPublicKey = nope\n");
            Assert.Null(RouterBoot.LoadConfig(bad, 0, bad.Length, "config", RouterSizes.Esp32NoPsram(), log, light));
            Assert.Equal(new[] { IndicatorState.Error }, light.Shown);
            Assert.Contains(log.All, l => l.StartsWith("config: line 2: PrivateKey", StringComparison.Ordinal));
            Assert.Contains(log.All, l => l.StartsWith("config: line 4: PublicKey", StringComparison.Ordinal));
            Assert.Null(RouterBoot.LoadConfig(null, 0, 0, "config", RouterSizes.Esp32NoPsram(), log, light));
            Assert.Contains("config: file: no configuration stored", log.All);
        }

        // ------------------------------------------------------------------ records off the packet path

        [Fact]
        public void ADhcpAckLeavesOnlyAfterItsLeaseIsWritten()
        {
            var h = new RouterHarness(lease: false);
            h.Lan.Log = h.Store.Log;
            h.Lan.Inbox.Enqueue(h.ClientDhcpFrame(1));
            h.Router.Poll(h.Now);
            h.Now += Warp.Protocol.Lan.DhcpServer.ProbeWaitMs; // the ARP probe goes unanswered
            h.Router.Poll(h.Now);
            uint ip = Warp.Protocol.Net.Endian.Read32(h.Lan.Sent.Find(x => RouterHarness.DhcpType(x) == 2), 42 + 16);
            h.Store.Log.Clear();
            h.Lan.Sent.Clear();
            h.Lan.Inbox.Enqueue(h.ClientDhcpFrame(3, ip, RouterHarness.RouterIp));
            h.Router.Poll(h.Now);
            int write = h.Store.Log.IndexOf("w dhcp-leases");
            int ackAt = h.Lan.Sent.FindIndex(x => RouterHarness.DhcpType(x) == 5);
            Assert.True(write >= 0, string.Join(",", h.Store.Log));
            Assert.True(ackAt >= 0);
            Assert.True(h.Store.Log.IndexOf("lan") > write, "the ACK left before its lease was written: " + string.Join(",", h.Store.Log));
            Assert.Equal(1, h.Store.Writes("dhcp-leases"));
            Assert.Equal(1, h.Router.Counters[RouterCounter.RepliesHeldForStore]);
            Assert.False(h.Router.Lan.RecordsDirty);
            // The record is what a restarted router reads: same client, same address.
            var again = new RouterHarness(store: h.Store);
            Assert.Equal(1, again.Router.Lan.LeaseCount);
        }

        [Fact]
        public void RecordsAreWrittenOncePerBatchNotOncePerPacket()
        {
            var h = new RouterHarness();
            int writes = h.Store.Writes("dhcp-leases");
            // Renewals within half a lease write nothing; the renewal's ACK is not held.
            for (int i = 0; i < 20; i++)
            {
                h.Now += 60_000;
                h.Lan.Inbox.Enqueue(h.ClientDhcpFrame(3, RouterHarness.ClientIp, RouterHarness.RouterIp));
                h.Router.Poll(h.Now);
            }
            Assert.Equal(writes, h.Store.Writes("dhcp-leases"));
            Assert.Equal(1, h.Router.Counters[RouterCounter.RepliesHeldForStore]);
        }

        [Fact]
        public void EveryInitiationLeavesAfterItsCeilingIsWrittenAtTheIdlePoint()
        {
            var h = new RouterHarness();
            h.Store.Log.Clear(); // the client's lease was written before
            h.Uplink.Log = h.Store.Log;
            h.Router.Start(h.Now);
            Assert.Equal(new[] { "w tai64n-ceiling", "uplink" }, h.Store.Log.Take(2));
            h.ExchangeWithPeer();
            for (int i = 0; i < 30; i++) // traffic, so a rekey every 2 minutes, for an hour
            {
                h.Now += 121_000;
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5000, 7777, new byte[] { 1 }));
                h.Router.Poll(h.Now);
                h.ExchangeWithPeer();
            }
            long initiations = h.Router.Tunnel.Counters[TunnelCounter.InitiationsSent];
            Assert.InRange(initiations, 25, 40);
            Assert.Equal(31, h.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);
            // One write per handshake, each before its initiation left, none inside the tunnel's call.
            Assert.Equal(initiations, h.Store.Writes("tai64n-ceiling"));
            Assert.Equal(initiations, h.Router.Counters[RouterCounter.InitiationsHeldForStore]);
            Assert.Equal(0, h.Router.Tunnel.Timestamps.SynchronousWrites);
            Assert.Equal(h.Router.Tunnel.Timestamps.Ceiling, h.Store.Ceiling);
            Assert.True(h.Router.Tunnel.Timestamps.Last < h.Store.Ceiling);
        }

        [Fact]
        public void AnInitiationKilledBeforeItsWriteNeverLeftAndTheNextStartIsAboveEverySentOne()
        {
            var h = new RouterHarness();
            h.Router.Start(h.Now);
            h.ExchangeWithPeer();
            long sent = h.Router.Tunnel.Timestamps.Last;
            // A rekey's initiation is made in Tick and held: the process dies before the poll's write.
            h.Now += 121_000;
            int before = h.Uplink.SendCount;
            h.Router.Tunnel.Connect(0, h.Now);
            h.Router.Tick(h.Now);
            Assert.Equal(2, h.Router.Tunnel.Counters[TunnelCounter.InitiationsSent]);
            Assert.True(h.Router.Tunnel.Timestamps.CeilingDirty);
            Assert.True(h.Router.Tunnel.Timestamps.Last > sent);
            Assert.Equal(before, h.Uplink.SendCount); // held: nothing left
            var again = new RouterHarness(store: h.Store);
            again.Router.Start(again.Now);
            Assert.True(again.Router.Tunnel.Timestamps.Last > sent);
            Assert.InRange(again.Router.Tunnel.Timestamps.Last - sent, 1, TimestampGenerator.Margin);
        }

        // ------------------------------------------------------------------ the uplink seam

        [Theory]
        [InlineData(UplinkSendResult.NoBuffers, RouterCounter.DropUplinkNoBuffers)]
        [InlineData(UplinkSendResult.WouldBlock, RouterCounter.DropUplinkWouldBlock)]
        [InlineData(UplinkSendResult.NoRoute, RouterCounter.DropUplinkNoRoute)]
        [InlineData(UplinkSendResult.FamilyDown, RouterCounter.DropUplinkFamilyDown)]
        [InlineData(UplinkSendResult.Failed, RouterCounter.DropUplinkSendFailed)]
        public void UplinkSendFailuresAreCountedByKind(UplinkSendResult result, RouterCounter counter)
        {
            var h = new RouterHarness();
            h.Uplink.Result = result;
            h.Router.Start(h.Now);
            Assert.Equal(1, h.Router.Counters[counter]);
            Assert.Equal(0, h.Router.Counters[RouterCounter.DatagramsSent]);
        }

        [Fact]
        public void AFamilyGoingDownMovesThePathAndAnAddressChangeSendsAKeepalive()
        {
            var monitor = new ScriptedUplinkMonitor();
            var h = new RouterHarness(platform: new RouterPlatform { Monitor = monitor }, endpoints: "10.250.2.2:51820, [fd00:250::2]:51820");
            Assert.Equal(2, h.Router.Paths.Count);
            Assert.Equal("10.250.2.2:51820", h.Router.Paths.Current.ToString());
            h.Router.Start(h.Now);
            h.ExchangeWithPeer();
            Assert.True(h.Router.Tunnel.GetPeer(0).HasSession(h.Now));

            monitor.Changes.Enqueue((UplinkChange.AddressChanged, Endpoint.FamilyIpv4));
            h.Uplink.SentTo.Clear();
            h.Uplink.Sent.Clear();
            h.Router.Poll(h.Now);
            Assert.Single(h.Uplink.Sent);
            Assert.Equal(32, h.Uplink.Sent[0].Length); // a keepalive, so the peer roams to our new address

            monitor.Changes.Enqueue((UplinkChange.Down, Endpoint.FamilyIpv4));
            h.Router.Poll(h.Now);
            Assert.Equal("[fd00:250::2]:51820", h.Router.Paths.Current.ToString());
            h.Uplink.SentTo.Clear();
            h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5000, 53, new byte[] { 1 }));
            h.Router.Poll(h.Now);
            Assert.Equal(new[] { "[fd00:250::2]:51820" }, h.Uplink.SentTo);
            Assert.Equal(2, h.Router.Counters[RouterCounter.UplinkChanges]);
        }

        [Fact]
        public void RoamingMovesThePathToTheAuthenticatedSource()
        {
            var h = new RouterHarness();
            h.Router.Start(h.Now);
            h.ExchangeWithPeer();
            h.Uplink.From.SetIpv4(0x0AFA0909, 4500); // the edge answers from elsewhere now
            h.PeerSends(h.ClientUdpFrame(RouterHarness.Origin, 1, 2, new byte[] { 9 }).AsSpan(14).ToArray());
            Assert.Equal("10.250.9.9:4500", h.Router.Paths.Current.ToString());
            // Forged: an unauthenticated datagram from another address moves nothing.
            h.Uplink.From.SetIpv4(0x0A0A0A0A, 4500);
            h.Uplink.Inbox.Enqueue(new byte[148]);
            h.Router.Poll(h.Now);
            Assert.Equal("10.250.9.9:4500", h.Router.Paths.Current.ToString());
        }

        /// <summary>RFC 5227 section 2.3: two announcements, ANNOUNCE_INTERVAL (2 s) apart; the router no longer adds a third at start.</summary>
        [Fact]
        public void StartAnnouncesTheRouterAddressTwiceTwoSecondsApart()
        {
            var h = new RouterHarness(lease: false);
            var at = new System.Collections.Generic.List<long>();
            h.Router.Start(h.Now);
            long start = h.Now;
            for (int i = 0; i <= 60; i++)
            {
                foreach (var f in h.Lan.Sent)
                    if (f.Length >= 42 && f[12] == 0x08 && f[13] == 0x06
                        && Warp.Protocol.Net.Endian.Read32(f, 28) == RouterHarness.RouterIp && Warp.Protocol.Net.Endian.Read32(f, 38) == RouterHarness.RouterIp)
                        at.Add(h.Now - start);
                h.Lan.Sent.Clear();
                h.Now += 100;
                h.Router.Poll(h.Now);
            }
            Assert.Equal(new long[] { 0, 2000 }, at);
        }

        // ------------------------------------------------------------------ light and button

        [Fact]
        public void HoldingTheButtonTenSecondsArmsAFactoryResetThatKeepsTheTimestampCeiling()
        {
            var button = new TestButton();
            var light = new RecordingIndicator();
            var h = new RouterHarness(platform: new RouterPlatform { Button = button, Indicator = light });
            h.Router.Start(h.Now);
            h.Store.Write(StoredRecords.Config, new byte[] { 1 }, 0, 1);

            button.IsPressed = true; // a short press does nothing
            h.Router.Poll(h.Now);
            h.Now += 3000;
            h.Router.Poll(h.Now);
            button.IsPressed = false;
            h.Router.Poll(h.Now);
            Assert.False(h.Router.FactoryResetRequested);

            button.IsPressed = true;
            h.Router.Poll(h.Now);
            h.Now += Router.ResetHoldMs;
            h.Router.Poll(h.Now);
            Assert.Equal(IndicatorState.ResetArmed, light.Shown.Last());
            button.IsPressed = false;
            h.Router.Poll(h.Now);
            Assert.True(h.Router.FactoryResetRequested);
            Assert.True(h.Router.FactoryReset());
            Assert.False(h.Store.Records.ContainsKey(StoredRecords.Leases));
            Assert.False(h.Store.Records.ContainsKey(StoredRecords.UlaPrefix));
            Assert.False(h.Store.Records.ContainsKey(StoredRecords.Config));
            Assert.True(h.Store.Records.ContainsKey(StoredRecords.TimestampCeiling));
            Assert.False(h.Router.FactoryResetRequested);
        }
    }
}

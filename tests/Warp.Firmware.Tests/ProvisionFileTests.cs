using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warp.Firmware;
using Warp.Protocol.Crypto;
using Warp.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// The provisioning file (firmware/ProvisionFile): flash.ps1's file on the device's storage,
    /// imported through the console's own commands, applied whole or not at all, and wiped in
    /// every case. The files are written by TestKit's ProvisionFileText (its own CRC-32).
    /// </summary>
    public class ProvisionFileTests
    {
        readonly MemoryStore store = new MemoryStore();
        readonly MemoryDrop drop = new MemoryDrop();
        readonly LinesOutput log = new LinesOutput();
        readonly ProvisionFile importer;
        readonly string privateKey;
        readonly string[] config;

        readonly ITestOutputHelper output;

        public ProvisionFileTests(ITestOutputHelper output)
        {
            this.output = output;
            importer = new ProvisionFile(drop, store, RouterSizes.LinuxHost());
            var key = new byte[32];
            new SeededRandom(7).GetBytes(key, 0, 32);
            var peer = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(peer, 0, key, 0);
            privateKey = Convert.ToBase64String(key);
            config = new[]
            {
                "[Interface]", "PrivateKey = " + privateKey, "Address = 172.16.0.2/32", "MTU = 1280",
                "[Peer]", "PublicKey = " + Convert.ToBase64String(peer), "Endpoint = 162.159.192.1:2408", "ClientId = AQID",
            };
        }

        IEnumerable<string> Body(string[] cfg = null)
        {
            var l = new List<string> { "wifi add Hotel Guest", "hotel-password-1", "ap set Warp-Home", "household-pw-123" };
            l.AddRange(ProvisionFileText.Transfer(cfg ?? config));
            return l;
        }

        string Stored(string record) => store.Records.TryGetValue(record, out var b) ? Encoding.UTF8.GetString(b) : null;

        void PutPrevious()
        {
            var b = Encoding.UTF8.GetBytes("previous config\n");
            store.Write(StoredRecords.Config, b, 0, b.Length);
        }

        /// <summary>Everything a refusal must leave: no record but the result changed, the file wiped, the read buffer cleared.</summary>
        void AssertRefusedCleanly(ProvisionFileResult r, string reason)
        {
            Assert.NotNull(r);
            Assert.False(r.IsApplied, r.StatusLine());
            Assert.Equal(reason, r.Reason);
            Assert.Equal("previous config\n", Stored(StoredRecords.Config));
            Assert.Null(Stored(StationList.Record));
            Assert.Null(Stored(StoredRecords.SoftAp));
            AssertWipedAndCleared(r);
        }

        void AssertWipedAndCleared(ProvisionFileResult r)
        {
            Assert.Null(drop.File);
            Assert.Equal(1, drop.Wipes);
            Assert.True(r.Wiped);
            Assert.NotEmpty(drop.ReadBuffers);
            Assert.All(drop.ReadBuffers, b => Assert.All(b, x => Assert.Equal(0, x)));
            // Neither the log nor the stored result quotes a secret.
            foreach (var text in log.All.Append(Stored(ProvisionFile.ResultRecord)))
            {
                Assert.DoesNotContain(privateKey, text);
                Assert.DoesNotContain("hotel-password-1", text);
                Assert.DoesNotContain("household-pw-123", text);
            }
        }

        [Fact]
        public void TheTrailersCrcIsZlibs()
        {
            // python3 -c "import zlib; print('%08X' % zlib.crc32(b'warp-provision 1\n'))"
            Assert.Equal("68D7C450", ProvisionFileText.Crc32(Encoding.UTF8.GetBytes("warp-provision 1\n")).ToString("X8"));
        }

        [Fact]
        public void ACleanFileStoresTheConfigTheNetworkAndTheApThenIsWiped()
        {
            PutPrevious();
            drop.Put(ProvisionFileText.Build(Body()));
            var r = importer.Import(1000, log);
            Assert.True(r.IsApplied, r.StatusLine());
            Assert.Equal("config,wifi,ap", r.Changes);
            Assert.Equal(string.Join("", config.Select(l => l + "\n")), Stored(StoredRecords.Config));
            Assert.StartsWith("Hotel Guest\thotel-password-1", Stored(StationList.Record));
            Assert.StartsWith("Warp-Home\nhousehold-pw-123\n", Stored(StoredRecords.SoftAp));
            AssertWipedAndCleared(r);
            Assert.Contains("provisioning file: applied (config,wifi,ap); the file was overwritten and removed", log.All);
            Assert.StartsWith("provision state=applied line=0 reason=- changes=config,wifi,ap wiped=1", importer.LastRecord);
            // The result outlives a reboot (the store's record): a new importer over the same store says it.
            var after = new ProvisionFile(new MemoryDrop(), store, RouterSizes.LinuxHost());
            Assert.True(after.HasResult);
            Assert.Equal(importer.LastStatusLine, after.LastStatusLine);
            // A factory reset forgets it with the rest.
            Assert.True(StoredRecords.FactoryReset(store));
            Assert.False(new ProvisionFile(new MemoryDrop(), store, RouterSizes.LinuxHost()).HasResult);
        }

        /// <summary>What an import allocates in all (on .NET; nanoFramework's headers are smaller): the figure README's "Over the USB cable alone" quotes.</summary>
        [Fact]
        public void AnImportAllocatesUnder64KB()
        {
            drop.Put(ProvisionFileText.Build(Body()));
            importer.Import(1000, null); // the first call also pays for the JIT's and the statics' allocations
            drop.Put(ProvisionFileText.Build(Body()));
            long before = GC.GetAllocatedBytesForCurrentThread();
            var r = importer.Import(2000, null);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine("provisioning file of " + ProvisionFileText.Build(Body()).Length + " B: " + allocated + " B allocated by Import");
            Assert.True(r.IsApplied);
            Assert.InRange(allocated, ProvisionFile.MaxFileBytes, 64 * 1024);
        }

        [Fact]
        public void NoFileIsNoResult()
        {
            Assert.Null(importer.Import(1000, log));
            Assert.False(importer.HasResult);
            Assert.Equal("provision state=none", importer.LastRecord);
            Assert.Equal(0, drop.Wipes);
        }

        [Fact]
        public void AConfigErrorRefusesTheWholeFileWithTheFilesLineAndStoresNothingNotEvenTheWifi()
        {
            PutPrevious();
            var bad = (string[])config.Clone();
            bad[2] = "Address = 300.16.0.2/32"; // config line 3
            drop.Put(ProvisionFileText.Build(Body(bad)));
            var r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "invalid");
            // header 1, wifi 2-3, ap 4-5, config begin 6: config line 3 is file line 9
            Assert.Equal(9, r.Line);
            Assert.StartsWith("config line 3: ", r.Detail);
            Assert.Contains(log.All, l => l.StartsWith("provisioning file: refused at line 9 (invalid): config line 3: ", StringComparison.Ordinal)
                && l.Contains("nothing was stored, the previous settings stay"));
        }

        [Fact]
        public void ATruncatedFileIsRefused()
        {
            PutPrevious();
            var whole = ProvisionFileText.Build(Body());
            foreach (int cut in new[] { whole.Length - 1 - 20, whole.Length / 2, 10 })
            {
                store.Records.Remove(ProvisionFile.ResultRecord);
                drop.Wipes = 0;
                drop.ReadBuffers.Clear();
                drop.Put(whole.Take(cut).ToArray());
                var r = importer.Import(1000, log);
                AssertRefusedCleanly(r, "truncated");
            }
        }

        [Fact]
        public void AFileOverTheLimitIsRefusedUnread()
        {
            PutPrevious();
            var big = new List<string>(Body());
            big.Insert(0, "# " + new string('x', ProvisionFile.MaxFileBytes));
            drop.Put(ProvisionFileText.Build(big));
            var r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "too_large");
            Assert.Equal(ProvisionFile.MaxFileBytes + 1, drop.ReadBuffers.Single().Length); // bounded: one byte over the limit is read, no more
        }

        [Fact]
        public void AGarbledByteFailsTheTrailersCrc()
        {
            PutPrevious();
            var f = ProvisionFileText.Build(Body());
            int i = Encoding.UTF8.GetString(f).IndexOf("Address", StringComparison.Ordinal);
            f[i] = (byte)'B';
            drop.Put(f);
            var r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "crc");
            Assert.Equal(Encoding.UTF8.GetString(f).Split('\n').Length - 1, r.Line); // the trailer's line
        }

        [Fact]
        public void AZeroedFileLeftByAnEarlierWipeIsRefusedAsGarbled()
        {
            PutPrevious();
            drop.Put(new byte[600]);
            var r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "garbled");
            Assert.Equal(1, r.Line);
        }

        [Fact]
        public void AWrongTransferCrcInsideAnIntactFileIsRefusedAtConfigEnd()
        {
            PutPrevious();
            var body = Body().ToList();
            int end = body.FindIndex(l => l.StartsWith("config end ", StringComparison.Ordinal));
            body[end] = "config end " + config.Length + " DEADBEEF";
            drop.Put(ProvisionFileText.Build(body));
            var r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "crc");
            Assert.Equal(end + 2, r.Line); // the header is line 1
        }

        [Fact]
        public void ALineCountThatDoesNotMatchIsRefused()
        {
            PutPrevious();
            var text = Encoding.UTF8.GetString(ProvisionFileText.Build(Body()));
            var lines = text.TrimEnd('\n').Split('\n');
            var parts = lines[^1].Split(' ');
            lines[^1] = "provision end " + (int.Parse(parts[2]) + 1) + " " + parts[3];
            drop.Put(Encoding.UTF8.GetBytes(string.Join("\n", lines) + "\n"));
            AssertRefusedCleanly(importer.Import(1000, log), "line_count");
        }

        [Fact]
        public void CommandsOtherThanProvisioningAreRefusedAndNotRun()
        {
            PutPrevious();
            foreach (var cmd in new[] { "factory-reset", "reboot", "status" })
            {
                store.Records.Remove(ProvisionFile.ResultRecord);
                drop.Wipes = 0;
                drop.ReadBuffers.Clear();
                var body = Body().ToList();
                body.Insert(0, cmd);
                drop.Put(ProvisionFileText.Build(body));
                var r = importer.Import(1000, log);
                AssertRefusedCleanly(r, "command");
                Assert.Equal(2, r.Line);
            }
        }

        [Fact]
        public void AMissingPasswordLineOrConfigEndIsRefused()
        {
            PutPrevious();
            drop.Put(ProvisionFileText.Build(new[] { "ap set Warp-Home" }));
            var r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "truncated");
            Assert.Equal(2, r.Line);

            store.Records.Remove(ProvisionFile.ResultRecord);
            drop.Wipes = 0;
            drop.ReadBuffers.Clear();
            drop.Put(ProvisionFileText.Build(ProvisionFileText.Transfer(config).Take(config.Length + 1)));
            r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "truncated");
            Assert.Equal(2, r.Line); // its config begin
        }

        [Fact]
        public void AShortApPasswordIsRefusedAtItsCommandWithoutQuotingIt()
        {
            PutPrevious();
            var body = Body().ToList();
            body[3] = "short";
            drop.Put(ProvisionFileText.Build(body));
            var r = importer.Import(1000, log);
            AssertRefusedCleanly(r, "bad_password");
            Assert.Equal(4, r.Line);
            Assert.DoesNotContain("short", r.StatusLine());
        }

        [Fact]
        public void AFileThatCannotBeRemovedSaysSo()
        {
            drop.Removable = false;
            drop.Put(ProvisionFileText.Build(Body()));
            var r = importer.Import(1000, log);
            Assert.True(r.IsApplied);
            Assert.False(r.Wiped);
            Assert.Contains("could NOT be removed", r.StatusLine());
            Assert.All(drop.File, x => Assert.Equal(0, x)); // overwritten even so
            // While running, the zeroed leftover is not taken again (it would only be refused as garbled, over and over).
            for (long t = 10_000; t < 20_000; t += ProvisionFile.PollMs)
                Assert.Null(importer.Poll(t, log));
            Assert.Equal(1, drop.Wipes);
            Assert.True(importer.Last.IsApplied);
        }

        [Fact]
        public void WhileRunningAFileIsTakenOnlyOnceItsLengthHeldStill()
        {
            var whole = ProvisionFileText.Build(Body());
            long t = 10_000;
            Assert.Null(importer.Poll(t, log));
            drop.Put(whole.Take(100).ToArray()); // nanoff still writing
            Assert.Null(importer.Poll(t += ProvisionFile.PollMs, log));
            Assert.Null(importer.Poll(t += ProvisionFile.PollMs, log));
            drop.Put(whole); // grew: the clock starts again
            Assert.Null(importer.Poll(t += ProvisionFile.PollMs, log));
            Assert.Null(importer.Poll(t += ProvisionFile.PollMs, log));
            Assert.Equal(0, drop.Wipes);
            ProvisionFileResult r = null;
            for (int i = 0; i < 3 && r == null; i++)
                r = importer.Poll(t += ProvisionFile.PollMs, log);
            Assert.NotNull(r);
            Assert.True(r.IsApplied, r.StatusLine());
            Assert.Null(drop.File);
        }
    }
}

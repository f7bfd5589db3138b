using System;
using System.Diagnostics;
using Warp.Hal.Linux;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>
    /// The raw LAN socket's TPACKET_V3 ring on a veth pair (root): its size follows the request,
    /// a burst larger than a 4 MiB ring overflows it and every frame is either read or counted by
    /// the kernel (PACKET_STATISTICS), and the default 32 MiB ring takes the same burst whole.
    /// </summary>
    public class PacketRingTests
    {
        static bool IsRoot { get { return Environment.UserName == "root"; } }

        [Fact]
        public void BlocksFollowTheRequestedSizeWithinTheLimits()
        {
            Assert.Equal(128, PacketRing.BlocksFor(PacketRing.DefaultBytes));
            Assert.Equal(16, PacketRing.BlocksFor(1));                 // at least 4 MiB (the former ring)
            Assert.Equal(17, PacketRing.BlocksFor((4 << 20) + 1));     // whole blocks
            Assert.Equal(1024, PacketRing.BlocksFor(long.MaxValue));  // at most 256 MiB
        }

        [Theory]
        [InlineData(4, true)]
        [InlineData(32, false)]
        public void ABurstIsReadOrCountedAndTheLargerRingHoldsIt(int mib, bool overflows)
        {
            if (!IsRoot)
                return; // needs CAP_NET_ADMIN for the veth pair and CAP_NET_RAW for the sockets
            string a = "wrt" + Environment.ProcessId % 10000 + "a", b = "wrt" + Environment.ProcessId % 10000 + "b";
            Run($"ip link add {a} type veth peer name {b} && ip link set {a} up && ip link set {b} up");
            try
            {
                var mac = new byte[] { 0x02, 0x57, 0, 0, 0, 9 };
                using var port = new PacketSocketLanPort(a, mac, batch: true, ring: true, ringBytes: (long)mib << 20);
                using var other = new PacketSocketLanPort(b, new byte[] { 0x02, 0x57, 0, 0, 0, 10 }, batch: false);
                Assert.True(port.UsesRing);
                Assert.Equal((long)mib << 20, port.RingBytes);
                System.Threading.Thread.Sleep(200);
                var buffers = new byte[32][];
                for (int i = 0; i < 32; i++) buffers[i] = new byte[2048];
                var lengths = new int[32];
                long before = 0;
                while (true) { int n = port.ReceiveBatch(buffers, 0, 2048, lengths, 32); if (n == 0) break; before += n; }
                long dropsBefore = port.KernelDrops, packetsBefore = port.KernelPackets;
                // 4,000 full-size frames while nobody reads: about 6.4 MB, more than 4 MiB and less than 32 MiB.
                var f = new byte[1514];
                Array.Copy(mac, f, 6);
                f[6] = 0x02; f[11] = 0x77; f[12] = 0x88; f[13] = 0xB5;
                int sent = 0;
                for (int i = 0; i < 4000; i++)
                {
                    f[14] = (byte)(i >> 8); f[15] = (byte)i;
                    if (other.Send(f, 0, f.Length)) sent++;
                }
                Assert.Equal(4000, sent);
                System.Threading.Thread.Sleep(50); // the ring's last block is handed over after 1 ms
                long ours = 0, all = 0;
                int last = -1;
                bool ordered = true;
                var sw = Stopwatch.StartNew();
                while (sw.ElapsedMilliseconds < 500)
                {
                    int n = port.ReceiveBatch(buffers, 0, 2048, lengths, 32);
                    if (n == 0) { System.Threading.Thread.Sleep(5); continue; }
                    all += n;
                    for (int i = 0; i < n; i++)
                        if (buffers[i][12] == 0x88 && buffers[i][13] == 0xB5 && lengths[i] == 1514)
                        {
                            int k = (buffers[i][14] << 8) | buffers[i][15];
                            ordered &= k > last;
                            last = k;
                            ours++;
                        }
                }
                long drops = port.KernelDrops - dropsBefore, packets = port.KernelPackets - packetsBefore;
                Assert.True(ordered, "frames out of order");
                Assert.Equal(packets, all + drops);         // every frame the socket saw was read or counted
                Assert.True(ours + drops >= sent, $"read {ours} + dropped {drops} < sent {sent}");
                if (overflows)
                    Assert.True(drops > 0, "a 4 MiB ring took 6.4 MB without a drop");
                else
                    Assert.Equal(0, drops);
            }
            finally
            {
                Run($"ip link del {a}");
            }
        }

        static void Run(string command)
        {
            var p = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", command }) { RedirectStandardError = true });
            p.WaitForExit(10000);
            Assert.True(p.ExitCode == 0, command + ": " + p.StandardError.ReadToEnd());
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Warp.Hal.Linux;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>
    /// UDP GRO on the uplink's receive against the real kernel: Python (not our code) sends runs of
    /// datagrams with UDP_SEGMENT on loopback, which the kernel hands to a socket with UDP_GRO as
    /// coalesced buffers; every datagram must come out of ReceiveBatch intact, in order and with its
    /// sender, also when the caller's batch is smaller than a buffer's datagrams, and the same
    /// datagrams must come out without GRO (the kernel cuts them itself).
    /// </summary>
    public class GroTests
    {
        const string Python = "/usr/bin/python3";

        /// <summary>
        /// Sends, from a fresh socket, GSO runs of (segment size, datagrams, last datagram's length) to
        /// the port; each datagram's bytes are (index hi, index lo, then index + position mod 251). Returns the sender's port.
        /// </summary>
        static int SendWithPython(bool v6, int port, string runs)
        {
            string script = @"
import socket, sys
v6 = sys.argv[1] == '6'; port = int(sys.argv[2]); runs = eval(sys.argv[3])
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('::1' if v6 else '127.0.0.1', 0))
dst = ('::1' if v6 else '127.0.0.1', port)
k = 0
for seg, n, last in runs:
    buf = bytearray()
    for j in range(n):
        ln = last if j == n - 1 else seg
        buf += bytes([k >> 8, k & 255]) + bytes(((k + p) % 251) for p in range(ln - 2))
        k += 1
    if n > 1:
        s.setsockopt(17, 103, seg)   # SOL_UDP, UDP_SEGMENT
    else:
        s.setsockopt(17, 103, 0)
    s.sendto(bytes(buf), dst)
print(s.getsockname()[1])
";
            var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add(v6 ? "6" : "4");
            psi.ArgumentList.Add(port.ToString());
            psi.ArgumentList.Add(runs);
            using var p = Process.Start(psi);
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, "python: " + error);
            return int.Parse(output.Trim());
        }

        static byte[] Expected(int k, int length)
        {
            var d = new byte[length];
            d[0] = (byte)(k >> 8);
            d[1] = (byte)k;
            for (int p = 0; p < length - 2; p++) d[2 + p] = (byte)((k + p) % 251);
            return d;
        }

        /// <summary>Takes datagrams with batches of at most <paramref name="max"/> until <paramref name="expected"/> came (or 3 s).</summary>
        static List<(byte[] data, int port)> ReceiveAll(UdpUplink uplink, int expected, int max)
        {
            var buffers = new byte[32][];
            var sources = new Endpoint[32];
            for (int i = 0; i < 32; i++) { buffers[i] = new byte[2048]; sources[i] = new Endpoint(); }
            var lengths = new int[32];
            var uplinks = new int[32];
            var got = new List<(byte[], int)>();
            var sw = Stopwatch.StartNew();
            while (got.Count < expected && sw.ElapsedMilliseconds < 3000)
            {
                int n = uplink.ReceiveBatch(buffers, 0, 2048, lengths, sources, uplinks, max);
                Assert.InRange(n, 0, max);
                if (n == 0) { Thread.Sleep(2); continue; }
                for (int i = 0; i < n; i++)
                {
                    Assert.InRange(lengths[i], 0, 2048);
                    var d = new byte[lengths[i]];
                    Array.Copy(buffers[i], d, d.Length);
                    got.Add((d, sources[i].Port));
                    Assert.Equal(0, uplinks[i]);
                }
            }
            return got;
        }

        // Three runs: 41 datagrams of 1,312 bytes and a last one of 300; 20 of 148 (the last 148 too); one plain datagram of 77.
        const string Runs = "[(1312, 42, 300), (148, 20, 148), (77, 1, 77)]";
        static readonly int[] Lengths = BuildLengths();
        static int[] BuildLengths()
        {
            var l = new List<int>();
            for (int j = 0; j < 42; j++) l.Add(j == 41 ? 300 : 1312);
            for (int j = 0; j < 20; j++) l.Add(148);
            l.Add(77);
            return l.ToArray();
        }

        [Theory]
        [InlineData(false, 32, true)]
        [InlineData(false, 5, true)]
        [InlineData(true, 7, true)]
        [InlineData(false, 32, false)]
        [InlineData(true, 5, false)]
        public void DatagramsSentWithUdpSegmentComeOutWholeAndInOrder(bool v6, int max, bool gro)
        {
            using var uplink = new UdpUplink(0, null, batch: true, gro: gro);
            Assert.Equal(gro, uplink.Gro); // this kernel has UDP_GRO (5.0+); without it the test would say so here
            if (v6 && uplink.V6 == null) return; // no IPv6 loopback here
            int from = SendWithPython(v6, v6 ? ((System.Net.IPEndPoint)uplink.V6.LocalEndPoint).Port : uplink.LocalPort, Runs);
            var got = ReceiveAll(uplink, Lengths.Length, max);
            Assert.Equal(Lengths.Length, got.Count);
            for (int k = 0; k < Lengths.Length; k++)
            {
                Assert.Equal(Lengths[k], got[k].data.Length);
                Assert.Equal(Expected(k, Lengths[k]), got[k].data);
                Assert.Equal(from, got[k].port);
            }
            if (gro)
            {
                // The kernel really coalesced: the two GSO runs arrived as buffers of many datagrams that were cut here.
                Assert.True(uplink.GroBuffers >= 2, "coalesced buffers: " + uplink.GroBuffers);
                Assert.True(uplink.GroDatagrams >= 62 - 2, "datagrams in them: " + uplink.GroDatagrams);
            }
            else
            {
                Assert.Equal(0, uplink.GroBuffers);
            }
            Assert.Equal(0, uplink.GroMalformed);
        }

        [Fact]
        public void ReceivingCoalescedBuffersAllocatesNothing()
        {
            using var uplink = new UdpUplink(0, null, batch: true);
            var buffers = new byte[32][];
            var sources = new Endpoint[32];
            for (int i = 0; i < 32; i++) { buffers[i] = new byte[2048]; sources[i] = new Endpoint(); }
            var lengths = new int[32];
            var uplinks = new int[32];
            SendWithPython(false, uplink.LocalPort, "[(1000, 5, 1000)]");
            var sw = Stopwatch.StartNew();
            int warm = 0;
            while (warm < 5 && sw.ElapsedMilliseconds < 3000) warm += uplink.ReceiveBatch(buffers, 0, 2048, lengths, sources, uplinks, 32); // JIT and first use
            SendWithPython(false, uplink.LocalPort, "[(1000, 40, 1000), (1000, 40, 500), (300, 60, 300)]");
            Thread.Sleep(100);
            long allocated = 0;
            int got = 0;
            sw.Restart();
            while (got < 140 && sw.ElapsedMilliseconds < 3000)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                int n = uplink.ReceiveBatch(buffers, 0, 2048, lengths, sources, uplinks, 32);
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                got += n;
            }
            Assert.Equal(140, got);
            Assert.True(uplink.GroBuffers >= 3);
            Assert.Equal(0, allocated);
        }

        [Fact]
        public void TheSingleReceiveCutsACoalescedBufferIntoItsDatagrams()
        {
            using var uplink = new UdpUplink(0, null, batch: true);
            Assert.True(uplink.Gro);
            int from = SendWithPython(false, uplink.LocalPort, "[(500, 10, 123)]");
            var buffer = new byte[2048];
            var source = new Endpoint();
            var sw = Stopwatch.StartNew();
            int k = 0;
            while (k < 10 && sw.ElapsedMilliseconds < 3000)
            {
                int n = uplink.Receive(buffer, 0, buffer.Length, source);
                if (n == 0) { Thread.Sleep(2); continue; }
                int want = k == 9 ? 123 : 500;
                Assert.Equal(want, n);
                Assert.Equal(Expected(k, want), new ArraySegment<byte>(buffer, 0, n).ToArray());
                Assert.Equal(from, source.Port);
                k++;
            }
            Assert.Equal(10, k);
            Assert.Equal(1, uplink.GroBuffers);
        }

        [Fact]
        public void ADatagramLongerThanTheCallersSlotIsReportedCut()
        {
            using var uplink = new UdpUplink(0, null, batch: true);
            SendWithPython(false, uplink.LocalPort, "[(1400, 3, 1400)]");
            var buffers = new byte[4][];
            var sources = new Endpoint[4];
            for (int i = 0; i < 4; i++) { buffers[i] = new byte[1000]; sources[i] = new Endpoint(); }
            var lengths = new int[4];
            var uplinks = new int[4];
            int n = 0;
            var sw = Stopwatch.StartNew();
            while (n == 0 && sw.ElapsedMilliseconds < 3000) { n = uplink.ReceiveBatch(buffers, 0, 1000, lengths, sources, uplinks, 4); if (n == 0) Thread.Sleep(2); }
            Assert.Equal(3, n);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(1400, lengths[i]); // longer than the 1,000 bytes given: the router sees it was cut
                Assert.Equal(Expected(i, 1400).AsSpan(0, 1000).ToArray(), buffers[i]);
            }
        }
    }
}

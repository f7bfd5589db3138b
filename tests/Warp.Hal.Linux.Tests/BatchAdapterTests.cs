using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using Warp.Hal;
using Warp.Hal.Linux;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>
    /// The Linux adapters' batches against the real kernel: recvmmsg/sendmmsg on loopback UDP
    /// (and the fallback without batches), the sized socket buffers, the kernel's drop counter of a
    /// socket that overflowed, and (as root) the raw LAN socket's batches on a veth pair.
    /// </summary>
    public class BatchAdapterTests
    {
        static bool IsRoot { get { return Environment.UserName == "root"; } }

        static (byte[][] buffers, int[] lengths, Endpoint[] sources, int[] uplinks) Slots(int n)
        {
            var b = new byte[n][];
            var s = new Endpoint[n];
            for (int i = 0; i < n; i++) { b[i] = new byte[2048]; s[i] = new Endpoint(); }
            return (b, new int[n], s, new int[n]);
        }

        static byte[] Datagram(int i) { var d = new byte[100 + i]; d[0] = (byte)i; d[d.Length - 1] = (byte)(255 - i); return d; }

        static int ReceiveAll(UdpUplink uplink, int expected, List<byte[]> got, List<int> calls, Endpoint[] fromOut = null)
        {
            var (buffers, lengths, sources, uplinks) = Slots(32);
            var sw = Stopwatch.StartNew();
            while (got.Count < expected && sw.ElapsedMilliseconds < 3000)
            {
                int n = uplink.ReceiveBatch(buffers, 0, 2048, lengths, sources, uplinks, 32);
                if (n == 0) { Thread.Sleep(5); continue; }
                calls.Add(n);
                for (int i = 0; i < n; i++)
                {
                    var d = new byte[lengths[i]];
                    Array.Copy(buffers[i], d, d.Length);
                    got.Add(d);
                    Assert.Equal(0, uplinks[i]);
                    if (fromOut != null) fromOut[0].CopyFrom(sources[i]);
                }
            }
            return got.Count;
        }

        [Fact]
        public void FortyDatagramsAreReceivedInBatchesOfAtMost32WithTheirSenders()
        {
            using var uplink = new UdpUplink(0, null, batch: true);
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sender.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            for (int i = 0; i < 40; i++)
                sender.SendTo(Datagram(i), new IPEndPoint(IPAddress.Loopback, uplink.LocalPort));
            var got = new List<byte[]>();
            var calls = new List<int>();
            var from = new[] { new Endpoint() };
            Assert.Equal(40, ReceiveAll(uplink, 40, got, calls, from));
            Assert.Equal(new[] { 32, 8 }, calls); // all 40 were waiting: two recvmmsg calls
            for (int i = 0; i < 40; i++)
                Assert.Equal(Convert.ToHexString(Datagram(i)), Convert.ToHexString(got[i]));
            Assert.Equal(Endpoint.FamilyIpv4, from[0].Family);
            Assert.Equal(((IPEndPoint)sender.LocalEndPoint).Port, from[0].Port);
            Assert.Equal(new byte[] { 127, 0, 0, 1 }, from[0].Address[..4]);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void QueuedDatagramsLeaveOnFlushInOrderAndAreCountedSent(bool batch)
        {
            using var uplink = new UdpUplink(0, null, batch);
            using var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            v4.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            using var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            v6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            var to4 = new Endpoint();
            to4.SetIpv4(0x7F000001, ((IPEndPoint)v4.LocalEndPoint).Port);
            var to6 = new Endpoint();
            to6.Set(Endpoint.FamilyIpv6, IPAddress.IPv6Loopback.GetAddressBytes(), 0, ((IPEndPoint)v6.LocalEndPoint).Port);
            // 40 to IPv4 (more than a batch: the full queue is sent on the way), then 3 to IPv6, one to nowhere.
            for (int i = 0; i < 40; i++)
                uplink.Queue(0, Datagram(i), 0, Datagram(i).Length, to4);
            for (int i = 0; i < 3; i++)
                uplink.Queue(0, Datagram(i), 0, Datagram(i).Length, to6);
            uplink.Queue(0, Datagram(0), 0, 10, new Endpoint());
            var results = new int[8];
            Assert.Equal(44, uplink.Flush(results));
            Assert.Equal(43, results[(int)UplinkSendResult.Sent]);
            Assert.Equal(1, results[(int)UplinkSendResult.FamilyDown]);
            v4.ReceiveTimeout = 2000;
            v6.ReceiveTimeout = 2000;
            var buffer = new byte[2048];
            for (int i = 0; i < 40; i++)
            {
                int n = v4.Receive(buffer);
                Assert.Equal(Convert.ToHexString(Datagram(i)), Convert.ToHexString(buffer, 0, n));
            }
            for (int i = 0; i < 3; i++)
                Assert.Equal(Datagram(i).Length, v6.Receive(buffer));
            // A second flush reports only what was queued since.
            Assert.Equal(0, uplink.Flush(results = new int[8]));
        }

        [Fact]
        public void ARunOfEqualDatagramsLeavesInOneGsoSendAndArrivesAsDatagrams()
        {
            using var uplink = new UdpUplink(0, null, batch: true);
            Assert.True(uplink.Gso);
            using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var to = new Endpoint();
            to.SetIpv4(0x7F000001, ((IPEndPoint)peer.LocalEndPoint).Port);
            // 31 data messages of 1,312 bytes (a 1,280-byte packet in WireGuard) and a shorter last one: one run.
            for (int i = 0; i < 32; i++)
            {
                var d = new byte[i == 31 ? 500 : 1312];
                d[0] = (byte)i;
                d[d.Length - 1] = (byte)(i ^ 0x5A);
                uplink.Queue(0, d, 0, d.Length, to);
            }
            var results = new int[8];
            uplink.Flush(results);
            Assert.Equal(32, results[(int)UplinkSendResult.Sent]);
            Assert.True(uplink.Gso, "the kernel refused UDP_SEGMENT");
            Assert.Equal(1, uplink.GsoSends);
            Assert.Equal(32, uplink.GsoDatagrams);
            peer.ReceiveTimeout = 2000;
            var buffer = new byte[2048];
            for (int i = 0; i < 32; i++)
            {
                int n = peer.Receive(buffer);
                Assert.Equal(i == 31 ? 500 : 1312, n); // cut by the kernel into the datagrams they were
                Assert.Equal(i, buffer[0]);
                Assert.Equal((byte)(i ^ 0x5A), buffer[n - 1]);
            }
        }

        [Fact]
        public void WithoutGsoTheSameRunLeavesBySendmmsg()
        {
            using var uplink = new UdpUplink(0, null, batch: true) { Gso = false };
            using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var to = new Endpoint();
            to.SetIpv4(0x7F000001, ((IPEndPoint)peer.LocalEndPoint).Port);
            for (int i = 0; i < 10; i++)
                uplink.Queue(0, new byte[1312], 0, 1312, to);
            var results = new int[8];
            uplink.Flush(results);
            Assert.Equal(10, results[(int)UplinkSendResult.Sent]);
            Assert.Equal(0, uplink.GsoSends);
            peer.ReceiveTimeout = 2000;
            var buffer = new byte[2048];
            for (int i = 0; i < 10; i++)
                Assert.Equal(1312, peer.Receive(buffer));
        }

        [Fact]
        public void WithoutBatchesReceiveBatchTakesOneAtATime()
        {
            using var uplink = new UdpUplink(0, null, batch: false);
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            for (int i = 0; i < 5; i++)
                sender.SendTo(Datagram(i), new IPEndPoint(IPAddress.Loopback, uplink.LocalPort));
            var got = new List<byte[]>();
            var calls = new List<int>();
            Assert.Equal(5, ReceiveAll(uplink, 5, got, calls));
            Assert.All(calls, c => Assert.Equal(1, c));
            Assert.False(uplink.Batching);
        }

        [Fact]
        public void BatchingSocketsGetLargeBuffersAndPlainOnesTheDefault()
        {
            using var batch = new UdpUplink(0, null, batch: true);
            using var plain = new UdpUplink(0, null, batch: false);
            // The kernel reports twice what was set (its bookkeeping). Without root the request is capped by rmem_max.
            int max = int.Parse(System.IO.File.ReadAllText("/proc/sys/net/core/rmem_max").Trim());
            int expected = IsRoot ? 2 * UdpUplink.BufferBytes : 2 * Math.Min(max, UdpUplink.BufferBytes);
            Assert.Equal(expected, batch.ReceiveBufferBytes);
            Assert.True(plain.ReceiveBufferBytes < expected, "the plain socket has " + plain.ReceiveBufferBytes);
        }

        [Fact]
        public void ASocketThatOverflowsShowsTheKernelsDropCount()
        {
            using var uplink = new UdpUplink(0, null, batch: false); // default buffer: about 200 KB
            using var sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            Assert.Equal(0, uplink.SocketDrops());
            var d = new byte[1400];
            int sent = 0;
            for (int i = 0; i < 2000; i++)
                if (sender.SendTo(d, new IPEndPoint(IPAddress.Loopback, uplink.LocalPort)) == d.Length) sent++;
            var got = new List<byte[]>();
            ReceiveAll(uplink, sent, got, new List<int>());
            long drops = uplink.SocketDrops();
            Assert.True(drops > 0, "no drops counted");
            Assert.Equal(sent, got.Count + drops); // every datagram either arrived or is counted
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void TheRawLanSocketTakesAndSendsBatchesOnAVethPair(bool ring)
        {
            if (!IsRoot)
                return; // needs CAP_NET_ADMIN for the veth pair and CAP_NET_RAW for the sockets
            string a = "wbt" + Environment.ProcessId % 10000 + "a", b = "wbt" + Environment.ProcessId % 10000 + "b";
            Run($"ip link add {a} type veth peer name {b} && ip link set {a} up && ip link set {b} up");
            try
            {
                var mac = new byte[] { 0x02, 0x57, 0, 0, 0, 9 };
                using var port = new PacketSocketLanPort(a, mac, batch: true, ring: ring);
                using var other = new PacketSocketLanPort(b, new byte[] { 0x02, 0x57, 0, 0, 0, 10 }, batch: false);
                Assert.True(port.Batching);
                Assert.Equal(ring, port.UsesRing); // this kernel grants TPACKET_V3
                Thread.Sleep(200);
                var drain = new byte[2048];
                while (port.Receive(drain, 0, drain.Length) > 0) { } // IPv6 router solicitations and the like
                // 40 frames in from the other end; a 1,514-byte one is cut to the 1,000 bytes asked for, its length kept.
                for (int i = 0; i < 40; i++)
                    Assert.True(other.Send(Frame(mac, i, i == 7 ? 1514 : 200), 0, i == 7 ? 1514 : 200));
                var buffers = new byte[32][];
                for (int i = 0; i < 32; i++) buffers[i] = new byte[2048];
                var lengths = new int[32];
                var got = new List<byte[]>();
                var sw = Stopwatch.StartNew();
                while (got.Count < 40 && sw.ElapsedMilliseconds < 3000)
                {
                    int n = port.ReceiveBatch(buffers, 2, 1000, lengths, 32);
                    for (int i = 0; i < n; i++)
                        if (buffers[i][2 + 12] == 0x88 && buffers[i][2 + 13] == 0xB5) // our test EtherType
                        {
                            Assert.Equal(buffers[i][2 + 14] == 7 ? 1514 : 200, lengths[i]);
                            got.Add(buffers[i][2..(2 + Math.Min(lengths[i], 1000))]);
                        }
                    if (n == 0) Thread.Sleep(5);
                }
                Assert.Equal(40, got.Count);
                for (int i = 0; i < 40; i++)
                    Assert.Equal(i, got[i][14]);
                // 40 frames out in batches: all reach the other end.
                for (int i = 0; i < 40; i++)
                    port.Queue(Frame(new byte[] { 0x02, 0x57, 0, 0, 0, 10 }, i, 300), 0, 300);
                port.Queue(new byte[3000], 0, 3000); // longer than a slot: refused, counted as failed
                Assert.Equal(1, port.Flush());
                int back = 0;
                sw.Restart();
                while (back < 40 && sw.ElapsedMilliseconds < 3000)
                {
                    int n = other.Receive(drain, 0, drain.Length);
                    if (n == 300 && drain[12] == 0x88 && drain[13] == 0xB5) back++;
                    else if (n == 0) Thread.Sleep(5);
                }
                Assert.Equal(40, back);
                Assert.Equal(0, port.KernelDrops);
                Assert.True(port.KernelPackets >= 40);
            }
            finally
            {
                Run($"ip link del {a}");
            }
        }

        static byte[] Frame(byte[] to, int i, int length)
        {
            var f = new byte[length];
            Array.Copy(to, f, 6);
            f[6] = 0x02; f[11] = 0x77;
            f[12] = 0x88; f[13] = 0xB5; // IEEE 802 local experimental EtherType
            f[14] = (byte)i;
            return f;
        }

        static void Run(string command)
        {
            var p = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", command }) { RedirectStandardError = true });
            p.WaitForExit(10000);
            Assert.True(p.ExitCode == 0, command + ": " + p.StandardError.ReadToEnd());
        }
    }
}

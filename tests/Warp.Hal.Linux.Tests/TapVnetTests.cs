using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Warp.Hal.Linux;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>
    /// A real TAP device (root): the kernel's own TCP (a Python client in a namespace) sends through
    /// the TAP to a peer this test plays (it answers the SYN). With IFF_VNET_HDR and TSO the kernel
    /// hands over super-frames, which must come out as segments of at most the MSS whose IPv4 and
    /// TCP checksums verify (checked here with a plain sum, not VnetHdr's) and whose payloads,
    /// in sequence order, are the bytes the client sent. Without the header the same holds with
    /// the kernel cutting.
    /// </summary>
    public class TapVnetTests
    {
        static bool IsRoot { get { return Environment.UserName == "root"; } }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void TheKernelsTcpThroughTheTapArrivesAsVerifiedSegments(bool vnetHdr)
        {
            if (!IsRoot)
                return;
            string tap = "wvt" + Environment.ProcessId % 10000 + (vnetHdr ? "v" : "p");
            string ns = "wvt-" + Environment.ProcessId + (vnetHdr ? "v" : "p");
            var mac = new byte[] { 0x02, 0x57, 0, 0, 0, 9 };
            using var port = new TapLanPort(tap, mac, vnetHdr);
            Assert.Equal(vnetHdr, port.VnetHeader);
            if (vnetHdr)
                Assert.Equal(TapLanPort.TunFCsum | TapLanPort.TunFTso4 | TapLanPort.TunFTso6 | TapLanPort.TunFTsoEcn, port.Offloads);
            Process client = null;
            Run($"ip netns add {ns}");
            try
            {
                Run($"ip link set {tap} netns {ns}");
                Run($"ip netns exec {ns} sh -c 'ip link set lo up && ip addr add 10.99.0.1/24 dev {tap} && ip link set {tap} up && ip neigh replace 10.99.0.2 lladdr 02:57:00:00:00:09 dev {tap} nud permanent'");
                byte[] tapMac = Convert.FromHexString(Run($"ip netns exec {ns} cat /sys/class/net/{tap}/address").Trim().Replace(":", ""));
                // 60,000 bytes, byte i = (i * 7 + 3) mod 256, to 10.99.0.2:5000; the client waits so the socket stays open.
                var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (string a in new[] { "netns", "exec", ns, "/usr/bin/python3", "-c",
                    "import socket,time\ns=socket.create_connection(('10.99.0.2',5000),timeout=5)\ns.sendall(bytes((i*7+3)%256 for i in range(60000)))\ntime.sleep(3)" })
                    psi.ArgumentList.Add(a);
                client = Process.Start(psi);
                var slots = new byte[32][];
                for (int i = 0; i < 32; i++) slots[i] = new byte[2048];
                var lengths = new int[32];
                uint isn = 0, serverSeq = 0x10000000;
                int clientPort = 0;
                var payload = new SortedDictionary<uint, byte[]>();
                int segments = 0, maxPayload = 0;
                var sw = Stopwatch.StartNew();
                while (sw.ElapsedMilliseconds < 2500)
                {
                    int n = port.ReceiveBatch(slots, 0, 2048, lengths, 32);
                    if (n == 0) { Thread.Sleep(2); continue; }
                    for (int k = 0; k < n; k++)
                    {
                        byte[] f = slots[k];
                        int len = lengths[k];
                        Assert.InRange(len, 14, 1514); // never a super-frame, never cut
                        if (f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != 6) continue; // IPv4 TCP only (IPv6 RS and the like pass by)
                        int ihl = (f[14] & 15) * 4, t = 14 + ihl;
                        Assert.Equal(len - 14, (f[16] << 8) | f[17]);
                        Assert.Equal(0xFFFF, Fold(Sum(f, 14, ihl, 0))); // the IPv4 header checksum verifies
                        int tcpLength = len - t;
                        uint pseudo = Sum(f, 14 + 12, 8, 0) + 6u + (uint)tcpLength;
                        Assert.Equal(0xFFFF, Fold(Sum(f, t, tcpLength, pseudo))); // the TCP checksum verifies
                        int flags = f[t + 13];
                        uint seq = (uint)((f[t + 4] << 24) | (f[t + 5] << 16) | (f[t + 6] << 8) | f[t + 7]);
                        int doff = (f[t + 12] >> 4) * 4;
                        if ((flags & 0x02) != 0 && clientPort == 0)
                        {
                            clientPort = (f[t] << 8) | f[t + 1];
                            isn = seq;
                            Assert.True(port.Send(SynAck(tapMac, mac, clientPort, serverSeq, isn + 1), 0, 58), "SYN-ACK not written");
                            continue;
                        }
                        int data = tcpLength - doff;
                        if (data > 0)
                        {
                            segments++;
                            maxPayload = Math.Max(maxPayload, data);
                            payload[seq - isn - 1] = f.AsSpan(t + doff, data).ToArray();
                        }
                    }
                }
                Assert.NotEqual(0, clientPort);
                Assert.True(segments >= 5, "segments: " + segments);
                Assert.InRange(maxPayload, 1, 1460); // the MSS the SYN-ACK gave
                // In sequence order, without gaps from 0, the payloads are the bytes sent.
                uint at = 0;
                foreach (var kv in payload)
                {
                    if (kv.Key > at) break;
                    for (int i = 0; i < kv.Value.Length; i++)
                        Assert.Equal((byte)(((kv.Key + i) * 7 + 3) % 256), kv.Value[i]);
                    at = Math.Max(at, kv.Key + (uint)kv.Value.Length);
                }
                Assert.True(at >= 10 * 1000, "contiguous bytes: " + at);
                if (vnetHdr)
                {
                    Assert.True(port.Vnet.SuperFrames >= 1, "the kernel sent no super-frame");
                    Assert.True(port.Vnet.Segments > port.Vnet.SuperFrames);
                    Assert.Equal(0, port.Vnet.BadHeaders);
                }
            }
            finally
            {
                if (client != null && !client.HasExited) client.Kill();
                Run($"ip netns del {ns}", false);
            }
        }

        static byte[] SynAck(byte[] to, byte[] from, int clientPort, uint seq, uint ack)
        {
            var f = new byte[58];
            Array.Copy(to, 0, f, 0, 6);
            Array.Copy(from, 0, f, 6, 6);
            f[12] = 0x08;
            f[14] = 0x45; f[17] = 44; f[22] = 64; f[23] = 6;
            f[26] = 10; f[27] = 99; f[29] = 2; // 10.99.0.2
            f[30] = 10; f[31] = 99; f[33] = 1; // 10.99.0.1
            ushort ipc = (ushort)~Fold(Sum(f, 14, 20, 0));
            f[24] = (byte)(ipc >> 8); f[25] = (byte)ipc;
            int t = 34;
            f[t] = 5000 >> 8; f[t + 1] = 5000 & 255;
            f[t + 2] = (byte)(clientPort >> 8); f[t + 3] = (byte)clientPort;
            f[t + 4] = (byte)(seq >> 24); f[t + 5] = (byte)(seq >> 16); f[t + 6] = (byte)(seq >> 8); f[t + 7] = (byte)seq;
            f[t + 8] = (byte)(ack >> 24); f[t + 9] = (byte)(ack >> 16); f[t + 10] = (byte)(ack >> 8); f[t + 11] = (byte)ack;
            f[t + 12] = 0x60; f[t + 13] = 0x12; f[t + 14] = 0xFF; f[t + 15] = 0xFF;
            f[t + 20] = 2; f[t + 21] = 4; f[t + 22] = 1460 >> 8; f[t + 23] = 1460 & 255; // MSS 1460
            uint pseudo = Sum(f, 26, 8, 0) + 6u + 24u;
            ushort tc = (ushort)~Fold(Sum(f, t, 24, pseudo));
            f[t + 16] = (byte)(tc >> 8); f[t + 17] = (byte)tc;
            return f;
        }

        static uint Sum(byte[] b, int at, int n, uint sum)
        {
            for (int i = 0; i < n; i += 2)
                sum += (uint)((b[at + i] << 8) | (i + 1 < n ? b[at + i + 1] : 0));
            return sum;
        }

        static int Fold(uint s)
        {
            while ((s >> 16) != 0) s = (s & 0xFFFF) + (s >> 16);
            return (int)s;
        }

        static string Run(string command, bool check = true)
        {
            var p = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", command }) { RedirectStandardError = true, RedirectStandardOutput = true });
            string o = p.StandardOutput.ReadToEnd();
            p.WaitForExit(10000);
            if (check) Assert.True(p.ExitCode == 0, command + ": " + p.StandardError.ReadToEnd());
            return o;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.Json;
using Warp.Hal.Linux;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>
    /// TAP frames with a virtio_net_hdr (hal/Linux/VnetHdr.cs): TCP super-frames cut into segments
    /// and partial checksums finished, compared byte for byte with frames scapy built and
    /// checksummed (Scripts/vnet_reference.py); hostile headers refused and counted, never thrown on.
    /// </summary>
    public class VnetHdrTests
    {
        public static IEnumerable<object[]> ReferenceCases()
        {
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Scripts", "vnet_reference.py"));
            using var p = Process.Start(psi);
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new InvalidOperationException("vnet_reference.py: " + error);
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                yield return new object[] { line };
        }

        static byte[] Input(JsonElement c)
        {
            byte[] h = Convert.FromHexString(c.GetProperty("vnet").GetString());
            byte[] f = Convert.FromHexString(c.GetProperty("frame").GetString());
            var b = new byte[h.Length + f.Length];
            h.CopyTo(b, 0);
            f.CopyTo(b, h.Length);
            return b;
        }

        [Theory]
        [MemberData(nameof(ReferenceCases))]
        public void FramesMatchScapysReference(string json)
        {
            var c = JsonDocument.Parse(json).RootElement;
            string name = c.GetProperty("name").GetString();
            var expected = new List<byte[]>();
            foreach (var e in c.GetProperty("expected").EnumerateArray())
                expected.Add(Convert.FromHexString(e.GetString()));
            byte[] input = Input(c);
            var v = new VnetHdr();
            Assert.True(v.Load(input, input.Length), name + ": refused");
            // Slots of 2,048 bytes at offset 2, taken three at a time (as a batch with little room would).
            var got = new List<byte[]>();
            var slot = new byte[2050];
            while (v.Pending)
            {
                Array.Fill(slot, (byte)0xEE);
                int n = v.Next(slot, 2, 2048);
                Assert.InRange(n, 1, 2048);
                got.Add(slot.AsSpan(2, n).ToArray());
                Assert.True(got.Count <= 64, name + ": too many segments");
            }
            Assert.Equal(-1, v.Next(slot, 2, 2048));
            Assert.Equal(expected.Count, got.Count);
            for (int i = 0; i < expected.Count; i++)
                Assert.True(expected[i].AsSpan().SequenceEqual(got[i]), $"{name}: segment {i} differs\n expected {Convert.ToHexString(expected[i])}\n got      {Convert.ToHexString(got[i])}");
            Assert.Equal(0, v.BadHeaders);
        }

        /// <summary>A valid IPv4 TCP super-frame (3,000 bytes of payload at MSS 1,000) to spoil: the first reference case's shape, built here.</summary>
        static byte[] GoodSuperFrame()
        {
            int payload = 3000;
            var b = new byte[10 + 14 + 20 + 20 + payload];
            b[0] = 1; b[1] = 1; b[2] = 54; b[4] = 0xE8; b[5] = 0x03; b[6] = 34; b[8] = 16; // NEEDS_CSUM, TCPV4, hdr_len 54, gso 1000, csum 34+16
            int e = 10;
            b[e + 12] = 0x08;
            int ip = e + 14;
            b[ip] = 0x45; b[ip + 2] = (byte)((20 + 20 + payload) >> 8); b[ip + 3] = (byte)(20 + 20 + payload);
            b[ip + 8] = 64; b[ip + 9] = 6;
            b[ip + 12] = 192; b[ip + 13] = 168; b[ip + 14] = 42; b[ip + 15] = 10;
            b[ip + 16] = 198; b[ip + 17] = 18; b[ip + 19] = 80;
            int t = ip + 20;
            b[t + 12] = 0x50; b[t + 13] = 0x18;
            return b;
        }

        [Fact]
        public void TheSpoiledFramesStartFromAGoodOne()
        {
            var b = GoodSuperFrame();
            var v = new VnetHdr();
            Assert.True(v.Load(b, b.Length));
            int n = 0;
            var slot = new byte[2048];
            while (v.Pending) { Assert.Equal(n < 2 ? 1054 : 1054, v.Next(slot, 0, 2048)); n++; }
            Assert.Equal(3, n);
        }

        public static IEnumerable<object[]> Spoiled()
        {
            yield return new object[] { "unknown flag", (Action<byte[]>)(b => b[0] |= 4), false };
            yield return new object[] { "unknown gso type", (Action<byte[]>)(b => b[1] = 2), false };
            yield return new object[] { "UDP GSO", (Action<byte[]>)(b => b[1] = 3), true };
            yield return new object[] { "UDP_L4 GSO", (Action<byte[]>)(b => b[1] = 5), true };
            yield return new object[] { "ECN without GSO", (Action<byte[]>)(b => b[1] = 0x80), false };
            yield return new object[] { "GSO without NEEDS_CSUM", (Action<byte[]>)(b => b[0] = 0), false };
            yield return new object[] { "TCPV6 on an IPv4 frame", (Action<byte[]>)(b => b[1] = 4), false };
            yield return new object[] { "hdr_len past the frame", (Action<byte[]>)(b => { b[2] = 0xFF; b[3] = 0xFF; }), false };
            yield return new object[] { "csum_start past the frame", (Action<byte[]>)(b => { b[6] = 0xFF; b[7] = 0xFF; }), false };
            yield return new object[] { "csum_start not at TCP", (Action<byte[]>)(b => b[6] = 30), false };
            yield return new object[] { "csum_start before the Ethernet header ends", (Action<byte[]>)(b => { b[1] = 0; b[6] = 4; }), false };
            yield return new object[] { "csum_offset not TCP's", (Action<byte[]>)(b => b[8] = 6), false };
            yield return new object[] { "csum_offset past the frame (no GSO)", (Action<byte[]>)(b => { b[1] = 0; b[8] = 0xFF; b[9] = 0xFF; }), false };
            yield return new object[] { "gso_size 0", (Action<byte[]>)(b => { b[4] = 0; b[5] = 0; }), false };
            yield return new object[] { "gso_size 7", (Action<byte[]>)(b => { b[4] = 7; b[5] = 0; }), false };
            yield return new object[] { "not IPv4", (Action<byte[]>)(b => b[10 + 12] = 0x86), false };
            yield return new object[] { "IP version 6 in an IPv4 EtherType", (Action<byte[]>)(b => b[24] = 0x65), false };
            yield return new object[] { "IHL 4", (Action<byte[]>)(b => b[24] = 0x44), false };
            yield return new object[] { "IHL 15 past TCP", (Action<byte[]>)(b => b[24] = 0x4F), false };
            yield return new object[] { "UDP in a TCPV4 frame", (Action<byte[]>)(b => b[24 + 9] = 17), false };
            yield return new object[] { "total length short", (Action<byte[]>)(b => b[24 + 3]--), false };
            yield return new object[] { "total length long", (Action<byte[]>)(b => b[24 + 3]++), false };
            yield return new object[] { "a fragment (MF)", (Action<byte[]>)(b => b[24 + 6] = 0x20), false };
            yield return new object[] { "a fragment (offset)", (Action<byte[]>)(b => b[24 + 7] = 1), false };
            yield return new object[] { "TCP data offset 4", (Action<byte[]>)(b => b[44 + 12] = 0x40), false };
            yield return new object[] { "TCP data offset 15 with the IP length cut", (Action<byte[]>)(b => { b[44 + 12] = 0xF0; }), true /* still valid: 60-byte TCP header, payload 2960 */ };
        }

        [Theory]
        [MemberData(nameof(Spoiled))]
        public void HostileHeadersAreCountedDrops(string name, Action<byte[]> spoil, bool acceptedOrUnsupported)
        {
            var b = GoodSuperFrame();
            spoil(b);
            var v = new VnetHdr();
            bool ok = v.Load(b, b.Length);
            if (name == "UDP GSO" || name == "UDP_L4 GSO")
            {
                Assert.False(ok);
                Assert.Equal(1, v.UnsupportedGso);
                Assert.Equal(0, v.BadHeaders);
            }
            else if (acceptedOrUnsupported)
            {
                Assert.True(ok, name);
            }
            else
            {
                Assert.False(ok, name);
                Assert.Equal(1, v.BadHeaders);
            }
            if (!ok)
                Assert.False(v.Pending);
        }

        [Fact]
        public void IPv6ExtensionHeadersAndShortFramesAreRefused()
        {
            var v = new VnetHdr();
            for (int n = 0; n < 24; n++)
                Assert.False(v.Load(new byte[100], n)); // shorter than a header and an Ethernet header
            Assert.Equal(24, v.BadHeaders);
            var b = new byte[10 + 14 + 40 + 8 + 20 + 100];
            b[0] = 1; b[1] = 4; b[4] = 50; b[6] = 14 + 48; b[8] = 16;
            b[10 + 12] = 0x86; b[10 + 13] = 0xDD;
            b[24] = 0x60; b[24 + 5] = 8 + 20 + 100; b[24 + 6] = 0; // hop-by-hop options first
            Assert.False(v.Load(b, b.Length));
            Assert.Equal(25, v.BadHeaders);
        }

        [Fact]
        public void CuttingSuperFramesAllocatesNothing()
        {
            var b = GoodSuperFrame();
            var v = new VnetHdr();
            var slot = new byte[2048];
            for (int warm = 0; warm < 3; warm++) { v.Load(b, b.Length); while (v.Pending) v.Next(slot, 0, 2048); }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                Assert.True(v.Load(b, b.Length));
                while (v.Pending) v.Next(slot, 0, 2048);
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(1003, v.SuperFrames);
            Assert.Equal(3 * 1003, v.Segments);
        }

        [Fact]
        public void TheWordSumAgreesWithAPlainOneAtEveryOffsetAndLength()
        {
            var rnd = new Random(7);
            var b = new byte[3000];
            rnd.NextBytes(b);
            for (int at = 0; at < 9; at++)
                for (int n = 0; n < 200; n++)
                {
                    uint plain = 0;
                    for (int i = 0; i < n; i += 2)
                        plain += (uint)((b[at + i] << 8) | (i + 1 < n ? b[at + i + 1] : 0));
                    Assert.Equal(VnetHdr.Fold(plain), VnetHdr.Fold(VnetHdr.Sum(b, at, n, 0)));
                }
            uint big = 0;
            for (int i = 0; i < 2999; i += 2) big += (uint)((b[1 + i] << 8) | (i + 1 < 2999 ? b[1 + i + 1] : 0));
            Assert.Equal(VnetHdr.Fold(big + 0x1234), VnetHdr.Fold(VnetHdr.Sum(b, 1, 2999, 0x1234)));
        }

        [Fact]
        public void RandomHeadersNeverThrowAndEverySegmentFitsItsFrame()
        {
            var rnd = new Random(1616);
            var v = new VnetHdr();
            var slot = new byte[2048];
            long accepted = 0;
            for (int round = 0; round < 20000; round++)
            {
                var b = GoodSuperFrame();
                int len = b.Length;
                // Spoil up to four bytes among the header and the first 80 bytes of the frame, and maybe the length.
                int k = rnd.Next(1, 5);
                for (int j = 0; j < k; j++)
                    b[rnd.Next(0, 90)] = (byte)rnd.Next(256);
                if (rnd.Next(4) == 0) len = rnd.Next(0, b.Length + 1);
                if (!v.Load(b, len))
                    continue;
                accepted++;
                int segments = 0;
                while (v.Pending)
                {
                    int n = v.Next(slot, 0, slot.Length);
                    Assert.InRange(n, 1, len);
                    Assert.True(++segments <= len, "no end");
                }
            }
            Assert.True(accepted > 0 && v.BadHeaders + v.UnsupportedGso > 0);
            Assert.Equal(20000, accepted + v.BadHeaders + v.UnsupportedGso);
        }
    }
}

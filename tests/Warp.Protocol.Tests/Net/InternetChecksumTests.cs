using System;
using System.Collections.Generic;
using System.Linq;
using Warp.Protocol.Net;
using Xunit;

namespace Warp.Protocol.Tests.Net
{
    public class InternetChecksumTests
    {
        [Fact]
        public void Rfc1071_Section3_ExampleSum()
        {
            // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (one's complement).
            var b = new byte[] { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
            Assert.Equal(0x220d, InternetChecksum.Compute(b, 0, b.Length));
        }

        [Fact]
        public void OddLengthPadsWithZero()
        {
            var odd = new byte[] { 0x12, 0x34, 0x56 };
            var even = new byte[] { 0x12, 0x34, 0x56, 0x00 };
            Assert.Equal(InternetChecksum.Compute(even, 0, 4), InternetChecksum.Compute(odd, 0, 3));
        }

        [Fact]
        public void Rfc1624_Section4_Example()
        {
            // RFC 1624 section 4: HC = 0xdd2f, m = 0x5555 changes to m' = 0x3285; equation 3 gives 0x0000.
            Assert.Equal(0x0000, InternetChecksum.Update(0xdd2f, 0x5555, 0x3285));
        }

        [Fact]
        public void IncrementalUpdateMatchesRecomputationOnRandomData()
        {
            var rng = new Random(1624);
            for (int n = 0; n < 2000; n++)
            {
                var b = new byte[4 + rng.Next(200) * 2];
                rng.NextBytes(b);
                b[0] = b[1] = 0; // checksum field
                ushort c = InternetChecksum.Compute(b, 0, b.Length);
                int at = 2 + rng.Next((b.Length - 2) / 2) * 2;
                ushort old = Endian.Read16(b, at);
                ushort neu = (ushort)rng.Next(65536);
                Endian.Write16(b, at, neu);
                ushort incremental = InternetChecksum.Update(c, old, neu);
                ushort full = InternetChecksum.Compute(b, 0, b.Length);
                // One's complement has two zeros; RFC 1624 equation 3 can give 0x0000 where a full
                // computation gives 0xffff and vice versa only when the data sums to zero.
                Assert.True(incremental == full || (incremental ^ full) == 0xFFFF && (full == 0 || full == 0xFFFF), "case " + n);
                Endian.Write16(b, 0, incremental);
                Assert.True(InternetChecksum.Verify(0, b, 0, b.Length), "case " + n);
            }
        }

        [Fact]
        public void VerifyDetectsAnyFlippedBit()
        {
            var frame = PcapReader.Read("udp-dns-v4.pcap").Select(Dissector.Dissect).First(d => d.HasUdp);
            var udp = frame.Udp;
            uint pseudo = frame.Ipv4.PseudoHeaderSum();
            Assert.True(udp.VerifyChecksum(pseudo, false));
            for (int i = udp.Offset; i < udp.Offset + udp.Length; i++)
            {
                for (int bit = 0; bit < 8; bit++)
                {
                    udp.Buffer[i] ^= (byte)(1 << bit);
                    Assert.False(InternetChecksum.Verify(pseudo, udp.Buffer, udp.Offset, udp.Length), "byte " + i + " bit " + bit);
                    udp.Buffer[i] ^= (byte)(1 << bit);
                }
            }
        }

        public static IEnumerable<object[]> Fixtures() { return RealTrafficTests.Fixtures(); }

        /// <summary>
        /// Every captured packet: rewrite what a NAT rewrites (addresses, ports, ICMP identifier,
        /// TTL, TCP MSS) through the incremental setters, then compare every checksum with a full
        /// recomputation over the edited bytes.
        /// </summary>
        [Theory]
        [MemberData(nameof(Fixtures))]
        public void IncrementalEditsEqualFullRecomputation(string fixture)
        {
            int edited = 0;
            foreach (var frame in PcapReader.Read(fixture))
            {
                var d = Dissector.Dissect(frame);
                if (d.IsIpv4)
                {
                    uint oldSource = d.Ipv4.Source;
                    uint newSource = 0xAC100002; // 172.16.0.2, WARP's tunnel address
                    d.Ipv4.Source = newSource;
                    d.Ipv4.DecrementTtl();
                    ushort incremental = d.Ipv4.HeaderChecksum;
                    d.Ipv4.UpdateHeaderChecksum();
                    Assert.Equal(d.Ipv4.HeaderChecksum, incremental);
                    uint pseudo = d.Ipv4.PseudoHeaderSum();
                    bool whole = d.Ipv4.IsFirstFragment && !d.Ipv4.MoreFragments;
                    if (whole && d.HasUdp)
                    {
                        d.Udp.AdjustChecksum32(oldSource, newSource);
                        d.Udp.SourcePort = 40000;
                        CheckUdp(d.Udp, pseudo, fixture);
                    }
                    if (whole && d.HasTcp)
                    {
                        d.Tcp.AdjustChecksum32(oldSource, newSource);
                        d.Tcp.SourcePort = 40001;
                        d.Tcp.ClampMss(1240);
                        CheckTcp(d.Tcp, pseudo, fixture);
                    }
                    if (whole && d.HasIcmp && d.Icmp.IsEcho)
                    {
                        d.Icmp.Identifier = 0xBEEF;
                        ushort c = d.Icmp.Checksum;
                        d.Icmp.UpdateChecksum();
                        Assert.Equal(d.Icmp.Checksum, c);
                    }
                    edited++;
                }
                else if (d.IsIpv6 && d.Ipv6.HasUpperLayerHeader && !d.Ipv6.MoreFragments && !d.Ipv6.HasFragmentHeader)
                {
                    var tunnel = new byte[] { 0x26, 0x06, 0x47, 0x00, 0x01, 0x10, 0x8a, 0x5c, 0, 0, 0, 0, 0, 0, 0, 0x42 };
                    var old = new byte[16];
                    Array.Copy(frame, d.Ipv6.SourceOffsetInBuffer, old, 0, 16);
                    Array.Copy(tunnel, 0, frame, d.Ipv6.SourceOffsetInBuffer, 16);
                    uint pseudo = d.Ipv6.PseudoHeaderSum();
                    if (d.HasUdp)
                    {
                        d.Udp.AdjustChecksumBytes(old, 0, tunnel, 0, 16);
                        d.Udp.DestinationPort = 4242;
                        CheckUdp(d.Udp, pseudo, fixture);
                    }
                    if (d.HasTcp)
                    {
                        d.Tcp.AdjustChecksumBytes(old, 0, tunnel, 0, 16);
                        d.Tcp.ClampMss(1220);
                        CheckTcp(d.Tcp, pseudo, fixture);
                    }
                    if (d.HasIcmpv6)
                    {
                        d.Icmpv6.AdjustChecksumBytes(old, 0, tunnel, 0, 16);
                        if (d.Icmpv6.IsEcho)
                            d.Icmpv6.Identifier = 0x1234;
                        ushort c = d.Icmpv6.Checksum;
                        d.Icmpv6.UpdateChecksum(pseudo);
                        Assert.Equal(d.Icmpv6.Checksum, c);
                    }
                    edited++;
                }
            }
            Assert.True(edited > 0, fixture + ": nothing was edited");
        }

        static void CheckUdp(UdpDatagram udp, uint pseudo, string fixture)
        {
            ushort incremental = udp.Checksum;
            udp.UpdateChecksum(pseudo);
            Assert.True(incremental == udp.Checksum, fixture + ": udp incremental " + incremental.ToString("x4") + " full " + udp.Checksum.ToString("x4"));
        }

        static void CheckTcp(TcpSegment tcp, uint pseudo, string fixture)
        {
            ushort incremental = tcp.Checksum;
            if (tcp.Syn)
                Assert.True(tcp.MaximumSegmentSize <= 1240, fixture + ": MSS not clamped");
            tcp.UpdateChecksum(pseudo);
            Assert.True(incremental == tcp.Checksum, fixture + ": tcp incremental " + incremental.ToString("x4") + " full " + tcp.Checksum.ToString("x4"));
        }
    }
}

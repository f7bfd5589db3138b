using Warp.Protocol.Net;
using Xunit;

namespace Warp.Protocol.Tests.Net
{
    /// <summary>Wire formats written out as literal bytes, for what the captures cannot show.</summary>
    public class LiteralFrameTests
    {
        static byte[] Hex(string s) { return System.Convert.FromHexString(s.Replace(" ", "")); }

        [Fact]
        public void EthernetWith8021QTag()
        {
            // dst, src, TPID 8100, PCP 5 / VID 42, EtherType 0800, then 20 bytes of payload.
            var f = Hex("ffffffffffff 020000000001 8100 a02a 0800" + new string('0', 40));
            Assert.True(EthernetFrame.TryCreate(f, 0, f.Length, out var eth));
            Assert.True(eth.HasVlanTag);
            Assert.Equal(42, eth.VlanId);
            Assert.Equal(5, eth.VlanPriority);
            Assert.Equal(-1, eth.OuterVlanId);
            Assert.Equal(EthernetFrame.EtherTypeIpv4, eth.EtherType);
            Assert.Equal(18, eth.PayloadOffset);
            Assert.Equal(20, eth.PayloadLength);
            Assert.True(eth.IsBroadcast);
        }

        [Fact]
        public void EthernetWith8021adDoubleTag()
        {
            var f = Hex("333300000001 020000000001 88a8 0064 8100 002a 86dd");
            Assert.True(EthernetFrame.TryCreate(f, 0, f.Length, out var eth));
            Assert.Equal(100, eth.OuterVlanId);
            Assert.Equal(42, eth.VlanId);
            Assert.Equal(EthernetFrame.EtherTypeIpv6, eth.EtherType);
            Assert.Equal(22, eth.PayloadOffset);
            Assert.Equal(0, eth.PayloadLength);
            Assert.True(eth.IsMulticast);
            Assert.False(eth.IsBroadcast);
        }

        [Theory]
        [InlineData("ffffffffffff 020000000001 0800", true)]
        [InlineData("ffffffffffff 020000000001 08", false)]        // short header
        [InlineData("ffffffffffff 020000000001 8100 002a", false)] // tag without inner type
        [InlineData("ffffffffffff 020000000001 88a8 0064 0800", false)] // S-tag not followed by a C-tag
        [InlineData("ffffffffffff 020000000001 0040", false)]      // 802.3 length field, not Ethernet II
        public void EthernetHeaderChecks(string hex, bool ok)
        {
            var f = Hex(hex);
            Assert.Equal(ok, EthernetFrame.TryCreate(f, 0, f.Length, out _));
        }

        [Fact]
        public void ArpWriteThenRead()
        {
            var mac = Hex("02aabbccddee");
            var zero = new byte[6];
            var b = new byte[28];
            Assert.True(ArpPacket.Write(b, 0, ArpPacket.OperationRequest, mac, 0, 0xC0A80401, zero, 0, 0xC0A80401));
            Assert.Equal(Hex("0001 0800 06 04 0001 02aabbccddee c0a80401 000000000000 c0a80401"), b);
            Assert.True(ArpPacket.TryCreate(b, 0, 28, out var arp));
            Assert.True(arp.IsGratuitous);
            Assert.False(ArpPacket.TryCreate(b, 0, 27, out _));
            b[5] = 16; // IPv6-sized protocol address: not Ethernet/IPv4 ARP
            Assert.False(ArpPacket.TryCreate(b, 0, 28, out _));
        }

        [Fact]
        public void Ipv4WithOptionsAndPadding()
        {
            // IHL 6 (one 4-byte option: Router Alert 94 04 0000), total length 28, then 2 bytes of Ethernet padding.
            var p = Hex("46000020 00000000 0102 0000 0a000001 e0000016 94040000 1600 0000 00000000 0000");
            Assert.True(Ipv4Packet.TryCreate(p, 0, p.Length, out var ip));
            Assert.Equal(24, ip.HeaderLength);
            Assert.Equal(4, ip.OptionsLength);
            Assert.Equal(0x94, p[ip.OptionsOffset]);
            Assert.Equal(32, ip.Length);
            Assert.Equal(8, ip.PayloadLength);
            ip.UpdateHeaderChecksum();
            Assert.True(ip.VerifyHeaderChecksum());
            p[0] = 0x44; // IHL below 5
            Assert.False(Ipv4Packet.TryCreate(p, 0, p.Length, out _));
            p[0] = 0x4F; // IHL 15 (60 bytes) > total length
            Assert.False(Ipv4Packet.TryCreate(p, 0, p.Length, out _));
            p[0] = 0x56; // version 5
            Assert.False(Ipv4Packet.TryCreate(p, 0, p.Length, out _));
        }

        [Fact]
        public void Ipv4WriteHeaderIsValid()
        {
            var b = new byte[28];
            Assert.True(Ipv4Packet.WriteHeader(b, 0, 28, 7, true, 64, Ipv4Packet.ProtocolUdp, 0xAC100002, 0x01010101));
            Assert.True(Ipv4Packet.TryCreate(b, 0, 28, out var ip));
            Assert.True(ip.VerifyHeaderChecksum());
            Assert.True(ip.DontFragment);
            Assert.False(ip.IsFragment);
            Assert.Equal(0x01010101u, ip.Destination);
            Assert.False(Ipv4Packet.WriteHeader(new byte[19], 0, 20, 0, false, 64, 6, 0, 0));
        }

        [Fact]
        public void Ipv6RoutingType0FinalDestinationIsTheLastAddress()
        {
            // Routing header type 0 (deprecated by RFC 5095, still parsed) with two addresses, Segments Left 2.
            var hdr = "60000000 0030 2b 40" + "fd000000000000000000000000000001" + "fd000000000000000000000000000002";
            var rh = "3a 04 00 02 00000000" + "fd0000000000000000000000000000aa" + "fd0000000000000000000000000000bb";
            var icmp = "8000 0000 0001 0001";
            var p = Hex(hdr + rh + icmp);
            Assert.True(Ipv6Packet.TryCreate(p, 0, p.Length, out var ip));
            Assert.Equal(0, ip.RoutingType);
            Assert.Equal(58, ip.UpperLayerProtocol);
            Assert.Equal(0xbb, p[ip.FinalDestinationOffsetInBuffer + 15]);
            p[40 + 3] = 0; // Segments Left 0: the header's destination is final
            Assert.True(Ipv6Packet.TryCreate(p, 0, p.Length, out ip));
            Assert.Equal(ip.DestinationOffsetInBuffer, ip.FinalDestinationOffsetInBuffer);
        }

        [Theory]
        [InlineData("60000000 0008 00 40", true)]  // Hop-by-Hop, 8 bytes, then No Next Header
        [InlineData("60000000 0010 00 40", true)]  // trailing payload after No Next Header is allowed
        [InlineData("60000000 0004 00 40", false)] // Hop-by-Hop cut short
        [InlineData("60000000 0008 3c 40", true)]  // Destination Options
        [InlineData("60000000 0008 2c 40", true)]  // Fragment
        public void Ipv6ExtensionHeaderLengths(string fixedHeader, bool ok)
        {
            var p = Hex(fixedHeader + "00000000000000000000000000000001" + "00000000000000000000000000000002" + "3b00000000000000" + "0000000000000000");
            int payload = Endian.Read16(p, 4);
            Assert.Equal(ok, Ipv6Packet.TryCreate(p, 0, 40 + payload, out var ip));
            if (ok && ip.NextHeader != Ipv6Packet.NextHeaderFragment)
            {
                Assert.Equal(Ipv6Packet.NextHeaderNone, ip.UpperLayerProtocol);
                Assert.False(ip.HasUpperLayerHeader);
            }
        }

        [Fact]
        public void Ipv6HopByHopAfterAnotherHeaderIsRefused()
        {
            // Destination Options whose Next Header is Hop-by-Hop (RFC 8200 section 4.1 forbids it).
            var p = Hex("60000000 0010 3c 40" + new string('0', 64) + "0000000000000000" + "3b00000000000000");
            Assert.False(Ipv6Packet.TryCreate(p, 0, p.Length, out _));
        }

        [Fact]
        public void Ipv6ExtensionChainIsBounded()
        {
            // Nine Destination Options headers in a row: more than MaxExtensionHeaders.
            int n = Ipv6Packet.MaxExtensionHeaders + 1;
            var p = new byte[40 + 8 * n];
            p[0] = 0x60;
            Endian.Write16(p, 4, (ushort)(8 * n));
            p[6] = 60;
            for (int i = 0; i < n; i++)
                p[40 + 8 * i] = (byte)(i == n - 1 ? 59 : 60);
            Assert.False(Ipv6Packet.TryCreate(p, 0, p.Length, out _));
            Endian.Write16(p, 4, (ushort)(8 * (n - 1)));
            p[40 + 8 * (n - 2)] = 59;
            Assert.True(Ipv6Packet.TryCreate(p, 0, 40 + 8 * (n - 1), out var ip));
            Assert.Equal(n - 1, ip.ExtensionHeaderCount);
        }

        [Fact]
        public void UdpLengthFieldBounds()
        {
            var u = Hex("1234 0035 000c 0000 aabbccdd eeff");
            Assert.True(UdpDatagram.TryCreate(u, 0, u.Length, out var udp));
            Assert.Equal(12, udp.Length);
            Assert.Equal(4, udp.PayloadLength);
            u[5] = 7; // below the header size
            Assert.False(UdpDatagram.TryCreate(u, 0, u.Length, out _));
            u[5] = 15; // longer than the bytes given
            Assert.False(UdpDatagram.TryCreate(u, 0, u.Length, out _));
        }

        [Fact]
        public void TcpOptionsWalk()
        {
            // Data offset 8 (12 option bytes): NOP, NOP, SACK-permitted (4, 2), NOP, MSS (2, 4, 05b4) at an odd offset, EOL, pad.
            var t = Hex("c350 0050 00000001 00000000 8002 ffff 0000 0000 01 01 0402 01 0204 05b4 00 00 00");
            Assert.True(TcpSegment.TryCreate(t, 0, t.Length, out var tcp));
            Assert.Equal(32, tcp.HeaderLength);
            Assert.True(tcp.Syn);
            Assert.Equal(1460, tcp.MaximumSegmentSize);
            var pseudo = 0u;
            tcp.UpdateChecksum(pseudo);
            Assert.True(tcp.ClampMss(1240));
            Assert.Equal(1240, tcp.MaximumSegmentSize);
            Assert.True(tcp.VerifyChecksum(pseudo));
            Assert.False(tcp.ClampMss(1300));
            t[26] = 9; // MSS option length overruns the options area: the walk stops, no MSS
            Assert.True(TcpSegment.TryCreate(t, 0, t.Length, out tcp));
            Assert.Equal(0, tcp.MaximumSegmentSize);
            t[12] = 0x40; // data offset 4 (16 bytes) < 20
            Assert.False(TcpSegment.TryCreate(t, 0, t.Length, out _));
        }

        [Fact]
        public void IcmpMessageLengths()
        {
            Assert.False(Icmpv4Packet.TryCreate(new byte[7], 0, 7, out _));
            Assert.True(Icmpv4Packet.TryCreate(new byte[8], 0, 8, out _));
            var rs = Hex("85000000");             // Router Solicitation body is 4 reserved bytes: 4 bytes of header suffice... but it has 8
            Assert.True(Icmpv6Packet.TryCreate(rs, 0, 4, out var ns));
            Assert.False(ns.HasFullHeader);
            Assert.Equal(0, ns.Identifier);
            var echo = Hex("80000000");
            Assert.False(Icmpv6Packet.TryCreate(echo, 0, 4, out _)); // an echo needs identifier and sequence
        }
    }
}

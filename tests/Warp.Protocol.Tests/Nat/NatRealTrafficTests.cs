using System;
using System.Collections.Generic;
using System.Linq;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.Tests.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>
    /// The translator against real traffic (Fixtures/*.pcap, made by capture.sh): the client
    /// (10.99.0.1, fd00:99::1) is the LAN host and the server (10.99.0.2, fd00:99::2) the remote.
    /// Client packets are translated outbound and compared with an independent reference: the
    /// original with source address and port replaced and every checksum recomputed from scratch.
    /// Server packets are rewritten the way they would arrive through the tunnel (destination =
    /// tunnel address and external port; for ICMP errors also the quoted packet; every checksum
    /// recomputed from scratch), translated inbound, and must equal the captured bytes exactly.
    /// </summary>
    public class NatRealTrafficTests
    {
        static readonly uint Client = V4("10.99.0.1");
        static readonly uint Server = V4("10.99.0.2");
        static readonly byte[] Client6 = V6("fd00:99::1");
        static readonly byte[] Server6 = V6("fd00:99::2");
        const int Eth = 14;

        public static IEnumerable<object[]> Fixtures() { return PcapReader.AllFixtures().Select(f => new object[] { f }); }

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void TranslatedCapturesKeepValidChecksumsAndRoundTrip(string fixture)
        {
            var config = NatConfigFor();
            config.TunnelMtu = 1500; // compare byte for byte: no MSS clamping here (TcpMss tests cover it)
            config.Filtering = NatFiltering.EndpointIndependent;
            var nat = Translator(config);
            int outbound = 0, inbound = 0, dropped = 0, fragments = 0;
            long now = 0;
            foreach (var frame in PcapReader.Read(fixture))
            {
                now += 10;
                EthernetFrame eth;
                Assert.True(EthernetFrame.TryCreate(frame, 0, frame.Length, out eth));
                if (eth.EtherType != EthernetFrame.EtherTypeIpv4 && eth.EtherType != EthernetFrame.EtherTypeIpv6)
                    continue;
                int length = eth.PayloadLength;
                var original = Copy(frame, Eth, length);
                bool v4 = original[0] >> 4 == 4;
                bool fromClient = v4 ? SrcV4(original) == Client : SrcV6Is(original, Client6);
                bool toClient = v4 ? DstV4(original) == Client : DstV6Is(original, Client6);
                if (v4 ? (Endian.Read16(original, 6) & 0x3FFF) != 0 : original[6] == 44)
                {
                    fragments++; // a piece compares only once reassembled: NatFragmentTests does that for these captures
                    continue;
                }
                if (fromClient)
                {
                    var packet = (byte[])original.Clone();
                    var r = nat.TranslateOutbound(packet, 0, packet.Length, now, null, 0);
                    if (r.Action != NatAction.WriteToTunnel)
                    {
                        Assert.True(r.Reason == NatCounter.DropFragment || r.Reason == NatCounter.DropUnsupportedProtocol
                            || r.Reason == NatCounter.DropUnsupportedIcmpType || r.Reason == NatCounter.DropBadDestinationAddress,
                            fixture + ": outbound dropped as " + r.Reason);
                        dropped++;
                        continue;
                    }
                    AssertChecksums(packet);
                    var expected = (byte[])original.Clone();
                    SetSource(expected, v4, TranslatedPort(packet, v4));
                    RecomputeAll(expected);
                    Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(packet));
                    outbound++;
                }
                else if (toClient)
                {
                    // What the server's packet looks like when it comes out of the tunnel.
                    var tunnel = (byte[])original.Clone();
                    if (!ToTunnelForm(nat, tunnel, v4))
                    {
                        dropped++;
                        continue;
                    }
                    RecomputeAll(tunnel);
                    AssertChecksums(tunnel);
                    var r = nat.TranslateInbound(tunnel, 0, tunnel.Length, now);
                    if (r.Action != NatAction.WriteToLan)
                    {
                        // Fragments are not reassembled; an error about a packet the NAT refused has no mapping.
                        Assert.True(r.Reason == NatCounter.DropFragment || (r.Reason == NatCounter.DropIcmpErrorNoMapping && dropped > 0),
                            fixture + ": inbound dropped as " + r.Reason);
                        dropped++;
                        continue;
                    }
                    AssertChecksums(tunnel);
                    Assert.Equal(Convert.ToHexString(original), Convert.ToHexString(tunnel));
                    inbound++;
                }
            }
            if (fixture.StartsWith("tcp") || fixture.StartsWith("udp") || fixture.Contains("echo") || fixture.Contains("unreachable"))
            {
                Assert.True(outbound > 0, fixture + ": no packet went out");
                Assert.True(inbound > 0, fixture + ": no packet came back");
            }
            if (fixture.Contains("fragments"))
                Assert.True(fragments >= 6, fixture + ": " + fragments + " fragments");
        }

        static int TranslatedPort(byte[] p, bool v4)
        {
            int u = UpperOffset(p, v4);
            byte proto = UpperProtocol(p, v4);
            return proto == 1 || proto == 58 ? Endian.Read16(p, u + 4) : Endian.Read16(p, u);
        }

        static void SetSource(byte[] p, bool v4, int port)
        {
            if (v4) Endian.Write32(p, 12, ExtV4); else Array.Copy(ExtV6, 0, p, 8, 16);
            int u = UpperOffset(p, v4);
            byte proto = UpperProtocol(p, v4);
            Endian.Write16(p, proto == 1 || proto == 58 ? u + 4 : u, (ushort)port);
        }

        /// <summary>Rewrites a server packet to the client as the server sent it to the tunnel address; false when the NAT has no mapping to use.</summary>
        static bool ToTunnelForm(NatTranslator nat, byte[] p, bool v4)
        {
            if (v4) Endian.Write32(p, 16, ExtV4); else Array.Copy(ExtV6, 0, p, 24, 16);
            Ipv4Packet ip4;
            if (v4 && Ipv4Packet.TryCreate(p, 0, p.Length, out ip4) && ip4.IsFragment)
                return true;
            Ipv6Packet ip6;
            if (!v4 && Ipv6Packet.TryCreate(p, 0, p.Length, out ip6) && ip6.HasFragmentHeader)
                return true;
            int u = UpperOffset(p, v4);
            byte proto = UpperProtocol(p, v4);
            if (proto == 6 || proto == 17)
                return true; // the client's source port was preserved: the external port is the same
            if (proto == 1 || proto == 58)
            {
                byte type = p[u];
                if (type == 0 || type == 129)
                    return true; // echo reply: identifier preserved
                bool error = v4 ? (type == 3 || type == 11) : type < 128;
                if (!error)
                    return false;
                // The quoted packet is the client's as the server saw it: source = tunnel address.
                int q = u + 8;
                if (v4) Endian.Write32(p, q + 12, ExtV4); else Array.Copy(ExtV6, 0, p, q + 8, 16);
                return true;
            }
            return false;
        }

        static int UpperOffset(byte[] p, bool v4)
        {
            if (v4) return Ihl(p);
            Ipv6Packet ip;
            Assert.True(Ipv6Packet.TryCreate(p, 0, p.Length, out ip));
            return ip.UpperLayerOffset;
        }

        static byte UpperProtocol(byte[] p, bool v4)
        {
            if (v4) return p[9];
            Ipv6Packet ip;
            Assert.True(Ipv6Packet.TryCreate(p, 0, p.Length, out ip));
            return ip.UpperLayerProtocol;
        }

        /// <summary>The reference: every checksum recomputed from scratch, quoted ones first.</summary>
        static void RecomputeAll(byte[] p)
        {
            if (p[0] >> 4 == 4)
            {
                Ipv4Packet ip;
                Assert.True(Ipv4Packet.TryCreate(p, 0, p.Length, out ip));
                ip.UpdateHeaderChecksum();
                if (ip.IsFragment && !ip.IsFirstFragment) return;
                if (ip.Protocol == 1)
                {
                    Icmpv4Packet icmp;
                    Assert.True(Icmpv4Packet.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out icmp));
                    Ipv4Packet q;
                    if (icmp.IsError && Ipv4Packet.TryCreateQuoted(p, icmp.PayloadOffset, icmp.PayloadLength, out q))
                    {
                        q.UpdateHeaderChecksum();
                        if (q.Length == Endian.Read16(p, q.Offset + 2))
                            RecomputeUpper(p, q.Protocol, q.PayloadOffset, q.PayloadLength, q.PseudoHeaderSum(), true);
                    }
                    if (!ip.IsFragment) icmp.UpdateChecksum();
                    return;
                }
                if (!ip.IsFragment)
                    RecomputeUpper(p, ip.Protocol, ip.PayloadOffset, ip.PayloadLength, ip.PseudoHeaderSum(), true);
            }
            else
            {
                Ipv6Packet ip;
                Assert.True(Ipv6Packet.TryCreate(p, 0, p.Length, out ip));
                if (!ip.HasUpperLayerHeader || ip.HasFragmentHeader) return;
                if (ip.UpperLayerProtocol == 58)
                {
                    Icmpv6Packet icmp;
                    Assert.True(Icmpv6Packet.TryCreate(p, ip.UpperLayerOffset, ip.UpperLayerLength, out icmp));
                    Ipv6Packet q;
                    if (icmp.IsError && Ipv6Packet.TryCreateQuoted(p, icmp.PayloadOffset, icmp.PayloadLength, out q)
                        && q.HasUpperLayerHeader && q.Length == 40 + q.PayloadLengthField)
                        RecomputeUpper(p, q.UpperLayerProtocol, q.UpperLayerOffset, q.UpperLayerLength, q.PseudoHeaderSum(), false);
                }
                RecomputeUpper(p, ip.UpperLayerProtocol, ip.UpperLayerOffset, ip.UpperLayerLength, ip.PseudoHeaderSum(), false);
            }
        }

        static void RecomputeUpper(byte[] p, byte protocol, int at, int length, uint pseudo, bool v4)
        {
            switch (protocol)
            {
                case 6: { TcpSegment t; if (TcpSegment.TryCreate(p, at, length, out t)) t.UpdateChecksum(pseudo); break; }
                case 17: { UdpDatagram u; if (UdpDatagram.TryCreate(p, at, length, out u) && !(v4 && u.Checksum == 0)) u.UpdateChecksum(pseudo); break; }
                case 1: { Icmpv4Packet i; if (Icmpv4Packet.TryCreate(p, at, length, out i)) i.UpdateChecksum(); break; }
                case 58: { Icmpv6Packet i; if (Icmpv6Packet.TryCreate(p, at, length, out i)) i.UpdateChecksum(pseudo); break; }
            }
        }

        static byte[] Copy(byte[] b, int offset, int length)
        {
            var c = new byte[length];
            Array.Copy(b, offset, c, 0, length);
            return c;
        }
    }
}

using System;
using System.Net;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.TestKit;
using Xunit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>Addresses, configurations and packet builders for the NAT tests.</summary>
    public static class NatTestKit
    {
        public static readonly uint ExtV4 = V4("172.16.0.2");
        public static readonly byte[] ExtV6 = V6("2606:4700:110:8a36::2");
        public static readonly uint RouterV4 = V4("192.168.4.1");
        public static readonly byte[] RouterV6 = V6("fd00:4::1");
        public static readonly uint ResolverV4 = V4("1.1.1.1");
        public static readonly byte[] ResolverV6 = V6("2606:4700:4700::1111");
        public static readonly uint HostA = V4("192.168.4.10");
        public static readonly uint HostB = V4("192.168.4.11");
        public static readonly byte[] HostA6 = V6("fd00:4::10");
        public static readonly byte[] HostB6 = V6("2001:db8:4::11");
        public static readonly uint Remote1 = V4("93.184.216.34");
        public static readonly uint Remote2 = V4("198.51.100.7");
        public static readonly byte[] Remote1v6 = V6("2001:db8:1::34");
        public static readonly byte[] Remote2v6 = V6("2001:db8:2::7");

        public const long Second = 1000;
        public const long Minute = 60 * Second;

        public static uint V4(string s)
        {
            byte[] b = IPAddress.Parse(s).GetAddressBytes();
            return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
        }

        public static byte[] V6(string s) { return IPAddress.Parse(s).GetAddressBytes(); }

        public static NatConfig NatConfigFor(int capacity = 256)
        {
            return new NatConfig
            {
                ExternalAddressV4 = ExtV4,
                ExternalAddressV6 = ExtV6,
                RouterAddressV4 = RouterV4,
                RouterAddressV6 = RouterV6,
                ResolverV4 = ResolverV4,
                ResolverV6 = ResolverV6,
                Capacity = capacity,
                RepliesPerSecond = 1000,
            };
        }

        public static NatTranslator Translator(NatConfig config = null, ulong seed = 1)
        {
            return new NatTranslator(new NatTable(config ?? NatConfigFor(), new SeededRandom((long)seed), new NatCounters()));
        }

        // ---------------------------------------------------------------- builders

        public static byte[] Ipv4(uint src, uint dst, byte protocol, byte[] upper, bool df = false, int ttl = 64)
        {
            var p = new byte[20 + upper.Length];
            Ipv4Packet.WriteHeader(p, 0, p.Length, 0x1234, df, (byte)ttl, protocol, src, dst);
            Array.Copy(upper, 0, p, 20, upper.Length);
            Ipv4Packet ip;
            Assert.True(Ipv4Packet.TryCreate(p, 0, p.Length, out ip));
            FixUpperChecksum(p);
            return p;
        }

        public static byte[] Ipv6(byte[] src, byte[] dst, byte nextHeader, byte[] upper)
        {
            var p = new byte[40 + upper.Length];
            Ipv6Packet.WriteHeader(p, 0, upper.Length, nextHeader, 64, src, 0, dst, 0);
            Array.Copy(upper, 0, p, 40, upper.Length);
            FixUpperChecksum(p);
            return p;
        }

        public static byte[] Udp(int sport, int dport, int payload = 12)
        {
            var u = new byte[8 + payload];
            UdpDatagram.WriteHeader(u, 0, (ushort)sport, (ushort)dport, u.Length);
            for (int i = 8; i < u.Length; i++) u[i] = (byte)(i * 7);
            return u;
        }

        public static byte[] Tcp(int sport, int dport, byte flags, int mss = 0, int payload = 0, uint seq = 1000)
        {
            int opt = mss > 0 ? 4 : 0;
            var t = new byte[20 + opt + payload];
            Endian.Write16(t, 0, (ushort)sport);
            Endian.Write16(t, 2, (ushort)dport);
            Endian.Write32(t, 4, seq);
            t[12] = (byte)(((20 + opt) / 4) << 4);
            t[13] = flags;
            Endian.Write16(t, 14, 65535);
            if (mss > 0) { t[20] = 2; t[21] = 4; Endian.Write16(t, 22, (ushort)mss); }
            for (int i = 20 + opt; i < t.Length; i++) t[i] = (byte)i;
            return t;
        }

        public static byte[] Echo(byte type, int id, int seq = 1, int payload = 16)
        {
            var e = new byte[8 + payload];
            e[0] = type;
            Endian.Write16(e, 4, (ushort)id);
            Endian.Write16(e, 6, (ushort)seq);
            for (int i = 8; i < e.Length; i++) e[i] = (byte)(0x40 + i);
            return e;
        }

        public static byte[] UdpV4(uint src, int sport, uint dst, int dport, int payload = 12) { return Ipv4(src, dst, 17, Udp(sport, dport, payload)); }
        public static byte[] TcpV4(uint src, int sport, uint dst, int dport, byte flags, int mss = 0) { return Ipv4(src, dst, 6, Tcp(sport, dport, flags, mss)); }
        public static byte[] UdpV6(byte[] src, int sport, byte[] dst, int dport, int payload = 12) { return Ipv6(src, dst, 17, Udp(sport, dport, payload)); }
        public static byte[] TcpV6(byte[] src, int sport, byte[] dst, int dport, byte flags, int mss = 0) { return Ipv6(src, dst, 6, Tcp(sport, dport, flags, mss)); }

        /// <summary>An ICMP error (v4) quoting <paramref name="quoted"/> cut to header + <paramref name="quoteTransport"/> bytes.</summary>
        public static byte[] IcmpErrorV4(uint src, uint dst, byte type, byte code, byte[] quoted, int quoteTransport = 8)
        {
            int ihl = (quoted[0] & 15) * 4;
            int q = Math.Min(quoted.Length, ihl + quoteTransport);
            var icmp = new byte[8 + q];
            icmp[0] = type;
            icmp[1] = code;
            Array.Copy(quoted, 0, icmp, 8, q);
            return Ipv4(src, dst, 1, icmp);
        }

        public static byte[] IcmpErrorV6(byte[] src, byte[] dst, byte type, byte code, byte[] quoted, int quoteLength = int.MaxValue)
        {
            int q = Math.Min(quoted.Length, quoteLength);
            var icmp = new byte[8 + q];
            icmp[0] = type;
            icmp[1] = code;
            Array.Copy(quoted, 0, icmp, 8, q);
            return Ipv6(src, dst, 58, icmp);
        }

        /// <summary>Recomputes the transport (or ICMP) checksum of a whole packet from scratch.</summary>
        public static void FixUpperChecksum(byte[] p)
        {
            if (p[0] >> 4 == 4)
            {
                Ipv4Packet ip;
                Assert.True(Ipv4Packet.TryCreate(p, 0, p.Length, out ip));
                switch (ip.Protocol)
                {
                    case 6: { TcpSegment t; Assert.True(TcpSegment.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out t)); t.UpdateChecksum(ip.PseudoHeaderSum()); break; }
                    case 17: { UdpDatagram u; Assert.True(UdpDatagram.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out u)); u.UpdateChecksum(ip.PseudoHeaderSum()); break; }
                    case 1: { Icmpv4Packet i; Assert.True(Icmpv4Packet.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out i)); i.UpdateChecksum(); break; }
                }
            }
            else
            {
                Ipv6Packet ip;
                Assert.True(Ipv6Packet.TryCreate(p, 0, p.Length, out ip));
                switch (ip.UpperLayerProtocol)
                {
                    case 6: { TcpSegment t; Assert.True(TcpSegment.TryCreate(p, ip.UpperLayerOffset, ip.UpperLayerLength, out t)); t.UpdateChecksum(ip.PseudoHeaderSum()); break; }
                    case 17: { UdpDatagram u; Assert.True(UdpDatagram.TryCreate(p, ip.UpperLayerOffset, ip.UpperLayerLength, out u)); u.UpdateChecksum(ip.PseudoHeaderSum()); break; }
                    case 58: { Icmpv6Packet i; Assert.True(Icmpv6Packet.TryCreate(p, ip.UpperLayerOffset, ip.UpperLayerLength, out i)); i.UpdateChecksum(ip.PseudoHeaderSum()); break; }
                }
            }
        }

        // ---------------------------------------------------------------- checks

        /// <summary>
        /// Verifies every checksum of a packet by full recomputation: IPv4 header, TCP/UDP/ICMP/ICMPv6,
        /// and for an ICMP error the quoted IPv4 header and (when the quote holds all of it) the quoted
        /// transport checksum. Returns how many checksums were checked.
        /// </summary>
        public static int AssertChecksums(byte[] p, int offset, int length)
        {
            int n = 0;
            if (p[offset] >> 4 == 4)
            {
                Ipv4Packet ip;
                Assert.True(Ipv4Packet.TryCreate(p, offset, length, out ip), "ipv4 parses");
                Assert.True(ip.VerifyHeaderChecksum(), "ipv4 header checksum");
                n++;
                if (ip.IsFragment) return n;
                n += Upper(p, ip.Protocol, ip.PayloadOffset, ip.PayloadLength, ip.PseudoHeaderSum(), true);
                if (ip.Protocol == 1)
                {
                    Icmpv4Packet icmp;
                    Assert.True(Icmpv4Packet.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out icmp));
                    if (icmp.IsError)
                    {
                        Ipv4Packet q;
                        Assert.True(Ipv4Packet.TryCreateQuoted(p, icmp.PayloadOffset, icmp.PayloadLength, out q), "quoted ipv4 parses");
                        Assert.True(q.VerifyHeaderChecksum(), "quoted ipv4 header checksum");
                        n++;
                        int total = Endian.Read16(p, q.Offset + 2);
                        if (q.Length == total)
                            n += Upper(p, q.Protocol, q.PayloadOffset, q.PayloadLength, q.PseudoHeaderSum(), true);
                    }
                }
            }
            else
            {
                Ipv6Packet ip;
                Assert.True(Ipv6Packet.TryCreate(p, offset, length, out ip), "ipv6 parses");
                if (!ip.HasUpperLayerHeader || ip.HasFragmentHeader) return n; // a fragment's checksum covers the reassembly
                n += Upper(p, ip.UpperLayerProtocol, ip.UpperLayerOffset, ip.UpperLayerLength, ip.PseudoHeaderSum(), false);
                if (ip.UpperLayerProtocol == 58)
                {
                    Icmpv6Packet icmp;
                    Assert.True(Icmpv6Packet.TryCreate(p, ip.UpperLayerOffset, ip.UpperLayerLength, out icmp));
                    if (icmp.IsError)
                    {
                        Ipv6Packet q;
                        Assert.True(Ipv6Packet.TryCreateQuoted(p, icmp.PayloadOffset, icmp.PayloadLength, out q), "quoted ipv6 parses");
                        if (q.Length == 40 + q.PayloadLengthField && q.HasUpperLayerHeader)
                            n += Upper(p, q.UpperLayerProtocol, q.UpperLayerOffset, q.UpperLayerLength, q.PseudoHeaderSum(), false);
                    }
                }
            }
            return n;
        }

        public static int AssertChecksums(byte[] p) { return AssertChecksums(p, 0, p.Length); }

        static int Upper(byte[] p, byte protocol, int at, int length, uint pseudo, bool v4)
        {
            switch (protocol)
            {
                case 6: { TcpSegment t; Assert.True(TcpSegment.TryCreate(p, at, length, out t)); Assert.True(t.VerifyChecksum(pseudo), "tcp checksum"); return 1; }
                case 17: { UdpDatagram u; Assert.True(UdpDatagram.TryCreate(p, at, length, out u)); Assert.True(u.VerifyChecksum(pseudo, v4), "udp checksum"); return 1; }
                case 1: { Icmpv4Packet i; Assert.True(Icmpv4Packet.TryCreate(p, at, length, out i)); Assert.True(i.VerifyChecksum(), "icmp checksum"); return 1; }
                case 58: { Icmpv6Packet i; Assert.True(Icmpv6Packet.TryCreate(p, at, length, out i)); Assert.True(i.VerifyChecksum(pseudo), "icmpv6 checksum"); return 1; }
            }
            return 0;
        }

        // ---------------------------------------------------------------- field readers

        public static uint SrcV4(byte[] p) { return Endian.Read32(p, 12); }
        public static uint DstV4(byte[] p) { return Endian.Read32(p, 16); }
        public static int Ihl(byte[] p) { return (p[0] & 15) * 4; }
        public static int SrcPortV4(byte[] p) { return Endian.Read16(p, Ihl(p)); }
        public static int DstPortV4(byte[] p) { return Endian.Read16(p, Ihl(p) + 2); }
        public static int IcmpIdV4(byte[] p) { return Endian.Read16(p, Ihl(p) + 4); }
        public static int SrcPortV6(byte[] p) { return Endian.Read16(p, 40); }
        public static int DstPortV6(byte[] p) { return Endian.Read16(p, 42); }
        public static bool SrcV6Is(byte[] p, byte[] a) { return Ipv6Address.Equal(p, 8, a, 0); }
        public static bool DstV6Is(byte[] p, byte[] a) { return Ipv6Address.Equal(p, 24, a, 0); }

        /// <summary>The reply to an outbound packet: swap addresses and ports (UDP/TCP) in a copy; echo request becomes reply.</summary>
        public static byte[] Reply(byte[] outbound)
        {
            var r = (byte[])outbound.Clone();
            if (r[0] >> 4 == 4)
            {
                uint s = SrcV4(r), d = DstV4(r);
                Endian.Write32(r, 12, d);
                Endian.Write32(r, 16, s);
                int ihl = Ihl(r);
                if (r[9] == 1) r[ihl] = r[ihl] == 8 ? (byte)0 : r[ihl];
                else { ushort a = Endian.Read16(r, ihl), b = Endian.Read16(r, ihl + 2); Endian.Write16(r, ihl, b); Endian.Write16(r, ihl + 2, a); }
                Endian.Write16(r, 10, 0);
                Endian.Write16(r, 10, InternetChecksum.Compute(r, 0, ihl));
            }
            else
            {
                var tmp = new byte[16];
                Array.Copy(r, 8, tmp, 0, 16);
                Array.Copy(r, 24, r, 8, 16);
                Array.Copy(tmp, 0, r, 24, 16);
                Ipv6Packet ip;
                Assert.True(Ipv6Packet.TryCreate(r, 0, r.Length, out ip));
                int u = ip.UpperLayerOffset;
                if (ip.UpperLayerProtocol == 58) r[u] = r[u] == 128 ? (byte)129 : r[u];
                else { ushort a = Endian.Read16(r, u), b = Endian.Read16(r, u + 2); Endian.Write16(r, u, b); Endian.Write16(r, u + 2, a); }
            }
            FixUpperChecksum(r);
            return r;
        }

        public static NatResult Out(this NatTranslator nat, byte[] p, long now, byte[] reply = null)
        {
            return nat.TranslateOutbound(p, 0, p.Length, now, reply, 0);
        }

        public static NatResult In(this NatTranslator nat, byte[] p, long now)
        {
            return nat.TranslateInbound(p, 0, p.Length, now);
        }
    }
}

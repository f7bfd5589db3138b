using System;
using Warp.Protocol.Net;

namespace Warp.Native.Tests
{
    /// <summary>IPv4/IPv6 packets with TCP, UDP or ICMP echo, every checksum computed from scratch.</summary>
    public static class Packets
    {
        public const byte Tcp = 6, Udp = 17, Icmp = 1, Icmpv6 = 58;

        public static byte[] Transport(byte protocol, bool v6, int srcPort, int dstPort, byte tcpFlags, bool outbound, byte[] payload)
        {
            byte[] l4;
            switch (protocol)
            {
                case Tcp:
                    l4 = new byte[20 + payload.Length];
                    Endian.Write16(l4, 0, (ushort)srcPort);
                    Endian.Write16(l4, 2, (ushort)dstPort);
                    Endian.Write32(l4, 4, 0x01020304);
                    Endian.Write32(l4, 8, 0x05060708);
                    l4[12] = 5 << 4;
                    l4[13] = tcpFlags;
                    Endian.Write16(l4, 14, 64240);
                    Array.Copy(payload, 0, l4, 20, payload.Length);
                    break;
                case Udp:
                    l4 = new byte[8 + payload.Length];
                    Endian.Write16(l4, 0, (ushort)srcPort);
                    Endian.Write16(l4, 2, (ushort)dstPort);
                    Endian.Write16(l4, 4, (ushort)l4.Length);
                    Array.Copy(payload, 0, l4, 8, payload.Length);
                    break;
                default:
                    l4 = new byte[8 + payload.Length];
                    l4[0] = v6 ? (byte)(outbound ? 128 : 129) : (byte)(outbound ? 8 : 0);
                    Endian.Write16(l4, 4, (ushort)srcPort); // the echo identifier
                    Endian.Write16(l4, 6, 7);
                    Array.Copy(payload, 0, l4, 8, payload.Length);
                    break;
            }
            return l4;
        }

        /// <summary>An IPv4 packet around l4 with correct header and transport checksums.</summary>
        public static byte[] V4(byte[] src, byte[] dst, byte protocol, byte[] l4, byte ttl = 64, ushort flagsOffset = 0x4000, int optionWords = 0)
        {
            int header = 20 + 4 * optionWords;
            var p = new byte[header + l4.Length];
            p[0] = (byte)(0x40 | (header / 4));
            for (int i = 20; i < header; i++)
                p[i] = 1; // NOP options (RFC 791)
            Endian.Write16(p, 2, (ushort)p.Length);
            Endian.Write16(p, 4, 0x1c46);
            Endian.Write16(p, 6, flagsOffset);
            p[8] = ttl;
            p[9] = protocol;
            Array.Copy(src, 0, p, 12, 4);
            Array.Copy(dst, 0, p, 16, 4);
            Array.Copy(l4, 0, p, header, l4.Length);
            FixChecksums(p);
            return p;
        }

        public static byte[] V6(byte[] src, byte[] dst, byte nextHeader, byte[] l4, byte hopLimit = 64)
        {
            var p = new byte[40 + l4.Length];
            p[0] = 0x60;
            Endian.Write16(p, 4, (ushort)l4.Length);
            p[6] = nextHeader;
            p[7] = hopLimit;
            Array.Copy(src, 0, p, 8, 16);
            Array.Copy(dst, 0, p, 24, 16);
            Array.Copy(l4, 0, p, 40, l4.Length);
            FixChecksums(p);
            return p;
        }

        /// <summary>Recomputes the IPv4 header checksum and the transport checksum (TCP, UDP, ICMP, ICMPv6) of an unfragmented packet with no extension headers.</summary>
        public static void FixChecksums(byte[] p)
        {
            bool v6 = p[0] >> 4 == 6;
            int header = v6 ? 40 : (p[0] & 15) * 4;
            int total = v6 ? 40 + Endian.Read16(p, 4) : Endian.Read16(p, 2);
            byte protocol = v6 ? p[6] : p[9];
            if (!v6)
            {
                Endian.Write16(p, 10, 0);
                Endian.Write16(p, 10, InternetChecksum.Compute(p, 0, header));
                if ((Endian.Read16(p, 6) & 0x3FFF) != 0)
                    return; // a fragment: no whole transport to sum
            }
            else if (protocol != Tcp && protocol != Udp && protocol != Icmpv6)
            {
                return;
            }
            int l4 = header, length = total - header;
            int at = protocol == Tcp ? 16 : protocol == Udp ? 6 : 2;
            if (length < at + 2)
                return;
            if (protocol == Udp && !v6 && Endian.Read16(p, l4 + at) == 0)
                return; // no checksum stays no checksum
            Endian.Write16(p, l4 + at, 0);
            uint sum = protocol == Icmp ? 0
                : v6 ? InternetChecksum.PseudoHeaderV6(p, 8, 24, protocol, length)
                : InternetChecksum.PseudoHeaderV4(p, 0, protocol, length);
            ushort c = InternetChecksum.Finish(InternetChecksum.Add(sum, p, l4, length));
            if (protocol == Udp && c == 0)
                c = 0xFFFF;
            Endian.Write16(p, l4 + at, c);
        }

        public static byte[] Frame(byte[] dstMac, byte[] srcMac, byte[] ip)
        {
            var f = new byte[14 + ip.Length];
            Array.Copy(dstMac, 0, f, 0, 6);
            Array.Copy(srcMac, 0, f, 6, 6);
            Endian.Write16(f, 12, (ushort)(ip[0] >> 4 == 6 ? 0x86DD : 0x0800));
            Array.Copy(ip, 0, f, 14, ip.Length);
            return f;
        }
    }
}

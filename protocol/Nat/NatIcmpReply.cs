using Warp.Protocol.Net;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Writes the ICMP errors the NAT sends to a LAN host instead of forwarding its packet:
    /// <list type="bullet">
    ///   <item>destination unreachable, code 13 "communication administratively prohibited",
    ///     when no session can be set up (RFC 5508 section 6, REQ-8, applied to every protocol;
    ///     RFC 1812 section 5.2.7.1); ICMPv6 type 1 code 1 (RFC 4443 section 3.1);</item>
    ///   <item>"fragmentation needed and DF set" (type 3 code 4) with the next-hop MTU (RFC 1191
    ///     section 4) or ICMPv6 Packet Too Big (RFC 4443 section 3.2), when a packet exceeds the
    ///     tunnel MTU (RFC 4787 REQ-13).</item>
    /// </list>
    /// The error quotes as much of the offending packet as fits in 576 bytes for IPv4 (RFC 1812
    /// section 4.3.2.3) or 1280 bytes for IPv6 (RFC 4443 section 2.4 (c)). It comes from the
    /// router's LAN address. The quote is taken before any translation, so the host recognises its packet.
    /// </summary>
    internal static class NatIcmpReply
    {
        const int MaxV4 = 576;
        const int MaxV6 = 1280;
        const byte HopLimit = 64;

        /// <summary>
        /// Writes an ICMPv4 error about the packet at (packet, offset, length) into reply.
        /// Returns its length, or 0 when the reply buffer is too small or there is no source address.
        /// </summary>
        public static int WriteV4(byte[] reply, int replyOffset, uint routerAddress, byte[] packet, int offset, int length,
            byte type, byte code, int mtu)
        {
            if (routerAddress == 0 || reply == null || length < Ipv4Packet.MinHeaderLength)
                return 0;
            int quote = length;
            if (quote > MaxV4 - Ipv4Packet.MinHeaderLength - Icmpv4Packet.HeaderLength)
                quote = MaxV4 - Ipv4Packet.MinHeaderLength - Icmpv4Packet.HeaderLength;
            int total = Ipv4Packet.MinHeaderLength + Icmpv4Packet.HeaderLength + quote;
            if (!Bounds.Fits(reply, replyOffset, total))
                return 0;
            uint destination = Endian.Read32(packet, offset + 12);
            if (!Ipv4Packet.WriteHeader(reply, replyOffset, total, 0, false, HopLimit, Ipv4Packet.ProtocolIcmp, routerAddress, destination))
                return 0;
            int icmp = replyOffset + Ipv4Packet.MinHeaderLength;
            reply[icmp] = type;
            reply[icmp + 1] = code;
            Endian.Write16(reply, icmp + 2, 0);
            Endian.Write16(reply, icmp + 4, 0);
            Endian.Write16(reply, icmp + 6, (ushort)mtu);
            System.Array.Copy(packet, offset, reply, icmp + Icmpv4Packet.HeaderLength, quote);
            Endian.Write16(reply, icmp + 2, InternetChecksum.Compute(reply, icmp, Icmpv4Packet.HeaderLength + quote));
            return total;
        }

        /// <summary>
        /// Writes an ICMPv6 error about the packet at (packet, offset, length) into reply.
        /// Returns its length, or 0 when the reply buffer is too small or there is no source address.
        /// </summary>
        public static int WriteV6(byte[] reply, int replyOffset, byte[] routerAddress, byte[] packet, int offset, int length,
            byte type, byte code, uint mtu)
        {
            if (routerAddress == null || reply == null || length < Ipv6Packet.HeaderLength)
                return 0;
            int quote = length;
            if (quote > MaxV6 - Ipv6Packet.HeaderLength - Icmpv6Packet.HeaderLength)
                quote = MaxV6 - Ipv6Packet.HeaderLength - Icmpv6Packet.HeaderLength;
            int payload = Icmpv6Packet.HeaderLength + quote;
            if (!Bounds.Fits(reply, replyOffset, Ipv6Packet.HeaderLength + payload))
                return 0;
            // The destination is the offending packet's source; write the header from its bytes.
            if (!Ipv6Packet.WriteHeader(reply, replyOffset, payload, Ipv6Packet.NextHeaderIcmpv6, HopLimit,
                    routerAddress, 0, packet, offset + 8))
                return 0;
            int icmp = replyOffset + Ipv6Packet.HeaderLength;
            reply[icmp] = type;
            reply[icmp + 1] = code;
            Endian.Write16(reply, icmp + 2, 0);
            Endian.Write32(reply, icmp + 4, mtu);
            System.Array.Copy(packet, offset, reply, icmp + Icmpv6Packet.HeaderLength, quote);
            uint pseudo = InternetChecksum.PseudoHeaderV6(reply, replyOffset + 8, replyOffset + 24, Ipv6Packet.NextHeaderIcmpv6, payload);
            Endian.Write16(reply, icmp + 2, InternetChecksum.Finish(InternetChecksum.Add(pseudo, reply, icmp, payload)));
            return Ipv6Packet.HeaderLength + payload;
        }
    }
}

using Warp.Protocol.Net;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// The transport header of a packet being translated, parsed once for both directions and
    /// both families: TCP, UDP, or ICMP/ICMPv6 (an echo, whose identifier stands in for both
    /// ports, or an error, which the caller hands to <see cref="NatIcmpErrors"/>). A value type
    /// holding views over the packet: setters on it rewrite the packet in place.
    /// </summary>
    internal struct NatTransport
    {
        public TcpSegment Tcp;
        public UdpDatagram Udp;
        public Icmpv4Packet Icmp4;
        public Icmpv6Packet Icmp6;
        /// <summary><see cref="NatTable.ProtoTcp"/>, ProtoUdp or ProtoIcmp (without the IPv6 flag).</summary>
        public int FlowClass;
        /// <summary>Source and destination ports; for ICMP both are the echo identifier.</summary>
        public int SourcePort;
        public int DestinationPort;
        /// <summary>TCP flags, 0 otherwise.</summary>
        public byte Flags;
        public byte IcmpType;

        public bool IsIcmp { get { return FlowClass == NatTable.ProtoIcmp; } }

        /// <summary>The LAN-side port of the flow: the source going out, the destination coming in.</summary>
        public int LanSidePort(bool outbound) { return outbound ? SourcePort : DestinationPort; }

        /// <summary>The remote port of the flow (0 for ICMP).</summary>
        public int RemotePort(bool outbound) { return IsIcmp ? 0 : outbound ? DestinationPort : SourcePort; }

        /// <summary>
        /// Parses the upper-layer header at (b, offset, length). Returns None, or the drop reason
        /// (malformed transport, a zero UDP checksum over IPv6 (RFC 8200 section 8.1), an
        /// unsupported protocol).
        /// </summary>
        public static NatCounter Parse(byte[] b, int offset, int length, byte protocol, bool v6, out NatTransport t)
        {
            return Parse(b, offset, length, protocol, v6, false, out t);
        }

        /// <summary>
        /// The same; a <paramref name="firstFragment"/> holds only the start of its datagram, so a
        /// UDP length field beyond it is accepted (the header alone is rewritten).
        /// </summary>
        public static NatCounter Parse(byte[] b, int offset, int length, byte protocol, bool v6, bool firstFragment, out NatTransport t)
        {
            t = default(NatTransport);
            switch (protocol)
            {
                case Ipv4Packet.ProtocolTcp:
                    if (!TcpSegment.TryCreate(b, offset, length, out t.Tcp))
                        return NatCounter.DropMalformedTransport;
                    t.FlowClass = NatTable.ProtoTcp;
                    t.SourcePort = t.Tcp.SourcePort;
                    t.DestinationPort = t.Tcp.DestinationPort;
                    t.Flags = t.Tcp.Flags;
                    return NatCounter.None;
                case Ipv4Packet.ProtocolUdp:
                    bool udp = firstFragment ? UdpDatagram.TryCreateFirstFragment(b, offset, length, out t.Udp) : UdpDatagram.TryCreate(b, offset, length, out t.Udp);
                    if (!udp || (v6 && t.Udp.Checksum == 0))
                        return NatCounter.DropMalformedTransport;
                    t.FlowClass = NatTable.ProtoUdp;
                    t.SourcePort = t.Udp.SourcePort;
                    t.DestinationPort = t.Udp.DestinationPort;
                    return NatCounter.None;
                case Ipv4Packet.ProtocolIcmp:
                    if (v6 || !Icmpv4Packet.TryCreate(b, offset, length, out t.Icmp4))
                        return v6 ? NatCounter.DropUnsupportedProtocol : NatCounter.DropMalformedTransport;
                    t.FlowClass = NatTable.ProtoIcmp;
                    t.IcmpType = t.Icmp4.Type;
                    t.SourcePort = t.DestinationPort = t.Icmp4.Identifier;
                    return NatCounter.None;
                case Ipv6Packet.NextHeaderIcmpv6:
                    if (!v6 || !Icmpv6Packet.TryCreate(b, offset, length, out t.Icmp6))
                        return v6 ? NatCounter.DropMalformedTransport : NatCounter.DropUnsupportedProtocol;
                    t.FlowClass = NatTable.ProtoIcmp;
                    t.IcmpType = t.Icmp6.Type;
                    t.SourcePort = t.DestinationPort = t.Icmp6.Identifier;
                    return NatCounter.None;
                default:
                    return NatCounter.DropUnsupportedProtocol;
            }
        }
    }
}

using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Header writers shared by the LAN services: each reply is built in the caller's output
    /// buffer as one complete, untagged Ethernet II frame, payload first, headers and checksums
    /// last.
    /// <code>
    ///  IPv4/UDP:    | Ethernet 14 | IPv4 20 (no options) | UDP 8 | payload ... |     offset 42
    ///  IPv4/ICMP:   | Ethernet 14 | IPv4 20 (no options) | ICMP message ...   |     offset 34
    ///  IPv6/ICMPv6: | Ethernet 14 | IPv6 40 (no extension headers) | ICMPv6 ... |   offset 54
    /// </code>
    /// Frames shorter than Ethernet's 60-byte minimum are left for the LAN port to pad
    /// (IEEE 802.3 clause 4.2.3.3; the ESP32 Wi-Fi driver and Linux do). Nothing here allocates.
    /// </summary>
    public static class LanFrames
    {
        public const int Ipv4PayloadOffset = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength;
        public const int UdpPayloadOffset = Ipv4PayloadOffset + UdpDatagram.HeaderLength;
        public const int Ipv6PayloadOffset = EthernetFrame.HeaderLength + Ipv6Packet.HeaderLength;
        /// <summary>TTL of IPv4 packets the router originates (RFC 1700's recommended default).</summary>
        public const byte DefaultTtl = 64;
        /// <summary>Hop limit of IPv6 packets the router originates, other than Neighbour Discovery.</summary>
        public const byte DefaultHopLimit = 64;
        /// <summary>Hop limit of every Neighbour Discovery message (RFC 4861 sections 4.1-4.4).</summary>
        public const byte NdHopLimit = 255;

        static readonly byte[] broadcastMac = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
        static readonly byte[] zeroMac = new byte[6];

        /// <summary>ff:ff:ff:ff:ff:ff. Do not modify.</summary>
        public static byte[] BroadcastMac { get { return broadcastMac; } }
        /// <summary>00:00:00:00:00:00. Do not modify.</summary>
        public static byte[] ZeroMac { get { return zeroMac; } }

        /// <summary>
        /// With <paramref name="payloadLength"/> bytes of UDP payload already at
        /// output[offset + 42], writes the Ethernet, IPv4 and UDP headers and the UDP checksum.
        /// The caller has checked that offset + 42 + payloadLength fits. Returns the frame length.
        /// </summary>
        public static int FinishUdp4(byte[] output, int offset, byte[] dstMac, int dstMacOffset, byte[] srcMac,
            uint source, uint destination, ushort sourcePort, ushort destinationPort, int payloadLength, ushort identification)
        {
            int ip = offset + EthernetFrame.HeaderLength;
            int udpLength = UdpDatagram.HeaderLength + payloadLength;
            EthernetFrame.WriteHeader(output, offset, dstMac, dstMacOffset, srcMac, 0, EthernetFrame.EtherTypeIpv4);
            Ipv4Packet.WriteHeader(output, ip, Ipv4Packet.MinHeaderLength + udpLength, identification, false,
                DefaultTtl, Ipv4Packet.ProtocolUdp, source, destination);
            UdpDatagram.WriteHeader(output, ip + Ipv4Packet.MinHeaderLength, sourcePort, destinationPort, udpLength);
            uint pseudo = InternetChecksum.PseudoHeaderV4(output, ip, Ipv4Packet.ProtocolUdp, udpLength);
            int udp = ip + Ipv4Packet.MinHeaderLength;
            ushort sum = InternetChecksum.Finish(InternetChecksum.Add(pseudo, output, udp, udpLength));
            Endian.Write16(output, udp + 6, sum == 0 ? (ushort)0xFFFF : sum);
            return UdpPayloadOffset + payloadLength;
        }

        /// <summary>
        /// With an ICMP message of <paramref name="icmpLength"/> bytes (checksum field zero)
        /// already at output[offset + 34], writes the Ethernet and IPv4 headers and the ICMP
        /// checksum (RFC 792). Returns the frame length.
        /// </summary>
        public static int FinishIcmp4(byte[] output, int offset, byte[] dstMac, int dstMacOffset, byte[] srcMac,
            uint source, uint destination, int icmpLength, ushort identification)
        {
            int ip = offset + EthernetFrame.HeaderLength;
            int icmp = ip + Ipv4Packet.MinHeaderLength;
            EthernetFrame.WriteHeader(output, offset, dstMac, dstMacOffset, srcMac, 0, EthernetFrame.EtherTypeIpv4);
            Ipv4Packet.WriteHeader(output, ip, Ipv4Packet.MinHeaderLength + icmpLength, identification, false,
                DefaultTtl, Ipv4Packet.ProtocolIcmp, source, destination);
            Endian.Write16(output, icmp + 2, 0);
            Endian.Write16(output, icmp + 2, InternetChecksum.Compute(output, icmp, icmpLength));
            return Ipv4PayloadOffset + icmpLength;
        }

        /// <summary>
        /// With an ICMPv6 message of <paramref name="icmpLength"/> bytes already at
        /// output[offset + 54], writes the Ethernet and IPv6 headers and the ICMPv6 checksum over
        /// the pseudo-header (RFC 4443 section 2.3). Returns the frame length.
        /// </summary>
        public static int FinishIcmp6(byte[] output, int offset, byte[] dstMac, int dstMacOffset, byte[] srcMac,
            byte[] source, int sourceOffset, byte[] destination, int destinationOffset, byte hopLimit, int icmpLength)
        {
            int ip = offset + EthernetFrame.HeaderLength;
            int icmp = ip + Ipv6Packet.HeaderLength;
            EthernetFrame.WriteHeader(output, offset, dstMac, dstMacOffset, srcMac, 0, EthernetFrame.EtherTypeIpv6);
            Ipv6Packet.WriteHeader(output, ip, icmpLength, Ipv6Packet.NextHeaderIcmpv6, hopLimit,
                source, sourceOffset, destination, destinationOffset);
            Endian.Write16(output, icmp + 2, 0);
            uint pseudo = InternetChecksum.PseudoHeaderV6(output, ip + 8, ip + 24, Ipv6Packet.NextHeaderIcmpv6, icmpLength);
            Endian.Write16(output, icmp + 2, InternetChecksum.Finish(InternetChecksum.Add(pseudo, output, icmp, icmpLength)));
            return Ipv6PayloadOffset + icmpLength;
        }
    }
}

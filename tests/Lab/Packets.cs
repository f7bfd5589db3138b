using Warp.Protocol.Net;

namespace Warp.Lab.Tests
{
    /// <summary>IP packets the lab sends through the tunnel, built with the protocol library's writers.</summary>
    public static class Packets
    {
        public static uint V4(string dotted)
        {
            var p = dotted.Split('.');
            return (uint.Parse(p[0]) << 24) | (uint.Parse(p[1]) << 16) | (uint.Parse(p[2]) << 8) | uint.Parse(p[3]);
        }

        public static byte[] IcmpEcho(uint src, uint dst, ushort id, ushort seq, int dataLength, bool reply = false)
        {
            var b = new byte[20 + 8 + dataLength];
            Ipv4Packet.WriteHeader(b, 0, b.Length, seq, true, 64, Ipv4Packet.ProtocolIcmp, src, dst);
            b[20] = reply ? Icmpv4Packet.TypeEchoReply : Icmpv4Packet.TypeEchoRequest;
            Endian.Write16(b, 24, id);
            Endian.Write16(b, 26, seq);
            for (int i = 0; i < dataLength; i++) b[28 + i] = (byte)i;
            Icmpv4Packet.TryCreate(b, 20, b.Length - 20, out var icmp);
            icmp.UpdateChecksum();
            return b;
        }

        /// <summary>An echo reply to a received echo request (same id, sequence and data).</summary>
        public static byte[] ReplyTo(byte[] request, int length)
        {
            Ipv4Packet.TryCreate(request, 0, length, out var ip);
            var b = IcmpEcho(ip.Destination, ip.Source, Endian.Read16(request, ip.PayloadOffset + 4), Endian.Read16(request, ip.PayloadOffset + 6), ip.PayloadLength - 8, true);
            System.Array.Copy(request, ip.PayloadOffset + 8, b, 28, ip.PayloadLength - 8);
            Icmpv4Packet.TryCreate(b, 20, b.Length - 20, out var icmp);
            icmp.UpdateChecksum();
            return b;
        }

        public static byte[] Udp(uint src, uint dst, ushort sport, ushort dport, byte[] payload)
        {
            var b = new byte[28 + payload.Length];
            Ipv4Packet.WriteHeader(b, 0, b.Length, 1, true, 64, Ipv4Packet.ProtocolUdp, src, dst);
            UdpDatagram.WriteHeader(b, 20, sport, dport, 8 + payload.Length);
            System.Array.Copy(payload, 0, b, 28, payload.Length);
            Ipv4Packet.TryCreate(b, 0, b.Length, out var ip);
            UdpDatagram.TryCreate(b, 20, b.Length - 20, out var udp);
            udp.UpdateChecksum(ip.PseudoHeaderSum());
            return b;
        }
    }
}

using System.Collections.Generic;
using Warp.Protocol.Net;

namespace Warp.Protocol.Tests.Net
{
    /// <summary>What the views made of one captured frame.</summary>
    public sealed class Dissection
    {
        public EthernetFrame Ethernet;
        public bool IsArp, IsIpv4, IsIpv6;
        public ArpPacket Arp;
        public Ipv4Packet Ipv4;
        public Ipv6Packet Ipv6;
        public bool HasTcp, HasUdp, HasIcmp, HasIcmpv6;
        public TcpSegment Tcp;
        public UdpDatagram Udp;
        public Icmpv4Packet Icmp;
        public Icmpv6Packet Icmpv6;
        /// <summary>Every checksum found and whether it verified, by name.</summary>
        public List<(string Name, bool Ok)> Checksums = new List<(string, bool)>();
        public List<string> Failures = new List<string>();
    }

    /// <summary>Runs every view over a frame, the way the router's classifier will, and verifies every checksum it can.</summary>
    public static class Dissector
    {
        public static Dissection Dissect(byte[] frame)
        {
            var d = new Dissection();
            if (!EthernetFrame.TryCreate(frame, 0, frame.Length, out d.Ethernet))
            {
                d.Failures.Add("ethernet");
                return d;
            }
            var eth = d.Ethernet;
            switch (eth.EtherType)
            {
                case EthernetFrame.EtherTypeArp:
                    d.IsArp = ArpPacket.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out d.Arp);
                    if (!d.IsArp) d.Failures.Add("arp");
                    break;
                case EthernetFrame.EtherTypeIpv4:
                    d.IsIpv4 = Ipv4Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out d.Ipv4);
                    if (!d.IsIpv4) { d.Failures.Add("ipv4"); break; }
                    d.Checksums.Add(("ipv4 header", d.Ipv4.VerifyHeaderChecksum()));
                    if (!d.Ipv4.IsFirstFragment) break;
                    Upper(d, d.Ipv4.Protocol, d.Ipv4.PayloadOffset, d.Ipv4.PayloadLength, d.Ipv4.PseudoHeaderSum(), !d.Ipv4.MoreFragments, true);
                    break;
                case EthernetFrame.EtherTypeIpv6:
                    d.IsIpv6 = Ipv6Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out d.Ipv6);
                    if (!d.IsIpv6) { d.Failures.Add("ipv6"); break; }
                    if (!d.Ipv6.HasUpperLayerHeader) break;
                    Upper(d, d.Ipv6.UpperLayerProtocol, d.Ipv6.UpperLayerOffset, d.Ipv6.UpperLayerLength, d.Ipv6.PseudoHeaderSum(), !d.Ipv6.MoreFragments, false);
                    break;
                default:
                    d.Failures.Add("ethertype " + eth.EtherType.ToString("x4"));
                    break;
            }
            return d;
        }

        static void Upper(Dissection d, byte protocol, int offset, int length, uint pseudo, bool whole, bool v4)
        {
            byte[] b = d.Ethernet.Buffer;
            switch (protocol)
            {
                case 6:
                    d.HasTcp = TcpSegment.TryCreate(b, offset, length, out d.Tcp);
                    if (!d.HasTcp) d.Failures.Add("tcp");
                    else if (whole) d.Checksums.Add(("tcp", d.Tcp.VerifyChecksum(pseudo)));
                    break;
                case 17:
                    d.HasUdp = UdpDatagram.TryCreate(b, offset, length, out d.Udp);
                    if (!d.HasUdp) d.Failures.Add("udp");
                    else if (whole) d.Checksums.Add(("udp", d.Udp.VerifyChecksum(pseudo, v4)));
                    break;
                case 1:
                    d.HasIcmp = Icmpv4Packet.TryCreate(b, offset, length, out d.Icmp);
                    if (!d.HasIcmp) d.Failures.Add("icmp");
                    else if (whole) d.Checksums.Add(("icmp", d.Icmp.VerifyChecksum()));
                    break;
                case 58:
                    d.HasIcmpv6 = Icmpv6Packet.TryCreate(b, offset, length, out d.Icmpv6);
                    if (!d.HasIcmpv6) d.Failures.Add("icmpv6");
                    else if (whole) d.Checksums.Add(("icmpv6", d.Icmpv6.VerifyChecksum(pseudo)));
                    break;
            }
        }
    }
}

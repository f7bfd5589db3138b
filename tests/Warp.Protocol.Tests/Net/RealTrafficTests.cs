using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warp.Protocol.Net;
using Xunit;

namespace Warp.Protocol.Tests.Net
{
    /// <summary>
    /// The views against traffic that real software produced: the Linux kernel, ping, curl,
    /// dig, dnsmasq and python's http.server, captured by tcpdump (Fixtures/capture.sh).
    /// </summary>
    public class RealTrafficTests
    {
        public static IEnumerable<object[]> Fixtures() { return PcapReader.AllFixtures().Select(f => new object[] { f }); }

        static List<Dissection> Load(string name) { return PcapReader.Read(name).Select(Dissector.Dissect).ToList(); }

        [Theory]
        [MemberData(nameof(Fixtures))]
        public void EveryFrameParsesAndEveryChecksumVerifies(string fixture)
        {
            var all = Load(fixture);
            Assert.NotEmpty(all);
            for (int i = 0; i < all.Count; i++)
            {
                Assert.True(all[i].Failures.Count == 0, fixture + " frame " + i + ": failed to parse " + string.Join(",", all[i].Failures));
                foreach (var c in all[i].Checksums)
                    Assert.True(c.Ok, fixture + " frame " + i + ": " + c.Name + " checksum does not verify");
            }
            Assert.True(all.Sum(d => d.Checksums.Count) > 0, fixture + ": no checksum was verified");
        }

        [Fact]
        public void ArpAndIcmpEchoV4()
        {
            var all = Load("arp-icmp-echo-v4.pcap");
            var arp = all.Where(d => d.IsArp).ToList();
            var request = arp.Single(d => d.Arp.Operation == ArpPacket.OperationRequest);
            var reply = arp.Single(d => d.Arp.Operation == ArpPacket.OperationReply);
            Assert.Equal(0x0A630001u, request.Arp.SenderAddress);
            Assert.Equal(0x0A630002u, request.Arp.TargetAddress);
            Assert.Equal(0x0A630002u, reply.Arp.SenderAddress);
            Assert.True(MacAddress.Equal(reply.Arp.Buffer, reply.Arp.SenderHardwareOffsetInBuffer, reply.Ethernet.Buffer, reply.Ethernet.SourceOffsetInBuffer));
            var echo = all.Where(d => d.HasIcmp).ToList();
            Assert.Equal(4, echo.Count);
            Assert.Equal(2, echo.Count(d => d.Icmp.Type == Icmpv4Packet.TypeEchoRequest));
            Assert.Equal(2, echo.Count(d => d.Icmp.Type == Icmpv4Packet.TypeEchoReply));
            Assert.Single(echo.Select(d => d.Icmp.Identifier).Distinct());
            Assert.All(echo, d => Assert.Equal(56, d.Icmp.PayloadLength));
        }

        [Fact]
        public void IcmpEchoV6AndNeighbourDiscovery()
        {
            var all = Load("icmp-echo-v6.pcap").Where(d => d.HasIcmpv6).ToList();
            Assert.Contains(all, d => d.Icmpv6.Type == Icmpv6Packet.TypeNeighborSolicitation);
            Assert.Contains(all, d => d.Icmpv6.Type == Icmpv6Packet.TypeNeighborAdvertisement);
            var echo = all.Where(d => d.Icmpv6.IsEcho).ToList();
            Assert.Equal(4, echo.Count);
            Assert.Single(echo.Select(d => d.Icmpv6.Identifier).Distinct());
            Assert.All(echo, d => Assert.Equal(0, d.Ipv6.ExtensionHeaderCount));
        }

        [Theory]
        [InlineData("tcp-http-v4.pcap", 1460)]
        [InlineData("tcp-http-v6.pcap", 1440)]
        public void TcpHttpExchange(string fixture, int mss)
        {
            var tcp = Load(fixture).Where(d => d.HasTcp).ToList();
            var syn = tcp.First(d => d.Tcp.Syn && !d.Tcp.Ack);
            var synAck = tcp.First(d => d.Tcp.Syn && d.Tcp.Ack);
            Assert.Equal(8080, syn.Tcp.DestinationPort);
            Assert.Equal(mss, syn.Tcp.MaximumSegmentSize);
            Assert.Equal(syn.Tcp.SequenceNumber + 1, synAck.Tcp.AcknowledgmentNumber);
            Assert.True(syn.Tcp.OptionsLength > 0);
            var get = tcp.First(d => d.Tcp.PayloadLength > 0);
            Assert.StartsWith("GET /index.html HTTP/1.1", Encoding.ASCII.GetString(get.Tcp.Buffer, get.Tcp.PayloadOffset, get.Tcp.PayloadLength));
            Assert.Contains(tcp, d => d.Tcp.Fin);
            // The body is 4,000+ bytes of base64: the server's data segments carry it.
            Assert.True(tcp.Where(d => d.Tcp.SourcePort == 8080).Sum(d => d.Tcp.PayloadLength) > 4000);
        }

        [Fact]
        public void DnsOverUdp()
        {
            var udp = Load("udp-dns-v4.pcap").Where(d => d.HasUdp).ToList();
            var query = udp.Single(d => d.Udp.DestinationPort == 53);
            var answer = udp.Single(d => d.Udp.SourcePort == 53);
            Assert.Equal(query.Udp.SourcePort, answer.Udp.DestinationPort);
            // DNS header: same ID, QR bit set in the answer, one answer record.
            Assert.Equal(Endian.Read16(query.Udp.Buffer, query.Udp.PayloadOffset), Endian.Read16(answer.Udp.Buffer, answer.Udp.PayloadOffset));
            Assert.True((answer.Udp.Buffer[answer.Udp.PayloadOffset + 2] & 0x80) != 0);
            Assert.Equal(1, Endian.Read16(answer.Udp.Buffer, answer.Udp.PayloadOffset + 6));
            Assert.Equal(query.Ipv4.PayloadLength, query.Udp.Length);
        }

        [Fact]
        public void IcmpPortUnreachableQuotesTheDatagram()
        {
            var all = Load("icmp-port-unreachable-v4.pcap");
            var sent = all.Single(d => d.HasUdp);
            var error = all.Single(d => d.HasIcmp);
            Assert.Equal(Icmpv4Packet.TypeDestinationUnreachable, error.Icmp.Type);
            Assert.Equal(Icmpv4Packet.CodePortUnreachable, error.Icmp.Code);
            Assert.True(error.Icmp.IsError);
            Assert.True(Ipv4Packet.TryCreateQuoted(error.Icmp.Buffer, error.Icmp.PayloadOffset, error.Icmp.PayloadLength, out var quoted));
            Assert.True(quoted.VerifyHeaderChecksum());
            Assert.Equal(sent.Ipv4.Identification, quoted.Identification);
            Assert.True(UdpDatagram.TryCreate(quoted.Buffer, quoted.PayloadOffset, quoted.PayloadLength, out var udp));
            Assert.Equal(sent.Udp.SourcePort, udp.SourcePort);
            Assert.Equal(5999, udp.DestinationPort);
        }

        [Fact]
        public void Icmpv6PortUnreachableQuotesThePacket()
        {
            var all = Load("icmpv6-port-unreachable.pcap");
            var sent = all.Single(d => d.HasUdp);
            var error = all.Single(d => d.HasIcmpv6 && d.Icmpv6.IsError);
            Assert.Equal(Icmpv6Packet.TypeDestinationUnreachable, error.Icmpv6.Type);
            Assert.Equal(4, error.Icmpv6.Code);
            Assert.True(Ipv6Packet.TryCreateQuoted(error.Icmpv6.Buffer, error.Icmpv6.PayloadOffset, error.Icmpv6.PayloadLength, out var quoted));
            Assert.Equal(17, quoted.UpperLayerProtocol);
            Assert.True(UdpDatagram.TryCreate(quoted.Buffer, quoted.UpperLayerOffset, quoted.UpperLayerLength, out var udp));
            Assert.Equal(sent.Udp.SourcePort, udp.SourcePort);
            Assert.Equal(5999, udp.DestinationPort);
        }

        [Fact]
        public void FragmentedIpv4Datagram()
        {
            var frags = Load("ipv4-fragments.pcap").Where(d => d.IsIpv4).ToList();
            foreach (var group in frags.GroupBy(d => d.Ipv4.Identification))
            {
                var f = group.OrderBy(d => d.Ipv4.FragmentOffsetBytes).ToList();
                Assert.Equal(new[] { 0, 1480, 2960 }, f.Select(d => d.Ipv4.FragmentOffsetBytes));
                Assert.Equal(new[] { true, true, false }, f.Select(d => d.Ipv4.MoreFragments));
                Assert.All(f, d => Assert.True(d.Ipv4.IsFragment));
                Assert.Equal(3008, f.Sum(d => d.Ipv4.PayloadLength)); // 8-byte ICMP header + 3,000 bytes
                Assert.True(f[0].HasIcmp);
                Assert.False(f[1].HasIcmp);
            }
            Assert.Equal(2, frags.Select(d => d.Ipv4.Identification).Distinct().Count());
        }

        [Fact]
        public void FragmentedIpv6Packet()
        {
            var frags = Load("ipv6-fragments.pcap").Where(d => d.IsIpv6 && d.Ipv6.HasFragmentHeader).ToList();
            Assert.Equal(6, frags.Count);
            foreach (var group in frags.GroupBy(d => d.Ipv6.FragmentIdentification))
            {
                var f = group.OrderBy(d => d.Ipv6.FragmentOffsetBytes).ToList();
                Assert.Equal(new[] { 0, 1448, 2896 }, f.Select(d => d.Ipv6.FragmentOffsetBytes));
                Assert.Equal(new[] { true, true, false }, f.Select(d => d.Ipv6.MoreFragments));
                Assert.Equal(Ipv6Packet.NextHeaderFragment, f[0].Ipv6.NextHeader);
                Assert.True(f[0].Ipv6.HasUpperLayerHeader);
                Assert.Equal(Ipv6Packet.NextHeaderIcmpv6, f[0].Ipv6.UpperLayerProtocol);
                Assert.False(f[1].Ipv6.HasUpperLayerHeader);
                Assert.Equal(3008, f.Sum(d => d.Ipv6.UpperLayerLength));
            }
        }

        [Fact]
        public void HopByHopOptionsBeforeMld()
        {
            var mld = Load("ipv6-hop-by-hop.pcap").Where(d => d.IsIpv6).ToList();
            Assert.NotEmpty(mld);
            foreach (var d in mld)
            {
                Assert.Equal(Ipv6Packet.NextHeaderHopByHop, d.Ipv6.NextHeader);
                Assert.Equal(1, d.Ipv6.ExtensionHeaderCount);
                Assert.Equal(Ipv6Packet.NextHeaderIcmpv6, d.Ipv6.UpperLayerProtocol);
                Assert.Equal(d.Ipv6.Offset + 48, d.Ipv6.UpperLayerOffset);
                Assert.Equal(143, d.Icmpv6.Type); // MLDv2 report
                Assert.Equal(1, d.Ipv6.HopLimit);
            }
        }

        [Fact]
        public void DestinationOptionsBeforeUdp()
        {
            var d = Load("ipv6-destination-options.pcap").Single(x => x.IsIpv6 && x.Ipv6.NextHeader == Ipv6Packet.NextHeaderDestinationOptions);
            Assert.Equal(1, d.Ipv6.ExtensionHeaderCount);
            Assert.True(d.HasUdp);
            Assert.Equal(5998, d.Udp.DestinationPort);
            Assert.Equal("dstopts fixture", Encoding.ASCII.GetString(d.Udp.Buffer, d.Udp.PayloadOffset, d.Udp.PayloadLength));
        }

        [Fact]
        public void SegmentRoutingHeaderAndFinalDestinationChecksum()
        {
            var d = Load("ipv6-routing-header.pcap").Single(x => x.IsIpv6 && x.Ipv6.HasRoutingHeader);
            Assert.Equal(Ipv6Packet.NextHeaderRouting, d.Ipv6.NextHeader);
            Assert.Equal(4, d.Ipv6.RoutingType);
            Assert.True(d.HasIcmpv6);
            Assert.Equal(Icmpv6Packet.TypeEchoRequest, d.Icmpv6.Type);
            // The checksum covers fd00:98::1, the final destination in Segment List[0], not the header's fd00:99::2.
            Assert.NotEqual(d.Ipv6.DestinationOffsetInBuffer, d.Ipv6.FinalDestinationOffsetInBuffer);
            Assert.Equal(0xfd, d.Ipv6.Buffer[d.Ipv6.FinalDestinationOffsetInBuffer]);
            Assert.Equal(0x98, d.Ipv6.Buffer[d.Ipv6.FinalDestinationOffsetInBuffer + 3]);
            Assert.True(d.Icmpv6.VerifyChecksum(d.Ipv6.PseudoHeaderSum()));
            // The router's answer (unreachable route) quotes the routed packet; its own checksum verifies.
            var error = Load("ipv6-routing-header.pcap").Single(x => x.HasIcmpv6 && x.Icmpv6.IsError);
            Assert.True(Ipv6Packet.TryCreateQuoted(error.Icmpv6.Buffer, error.Icmpv6.PayloadOffset, error.Icmpv6.PayloadLength, out var quoted));
            Assert.Equal(4, quoted.RoutingType);
        }
    }
}

using System;
using System.Linq;
using Warp.Protocol.Net;
using Xunit;

namespace Warp.Protocol.Tests.Net
{
    /// <summary>Parsing, checksumming and NAT-style rewriting allocate nothing.</summary>
    public class AllocationTests
    {
        [Fact]
        public void ParseAndChecksumAllocatesNothing()
        {
            var tcp4 = PcapReader.Read("tcp-http-v4.pcap").First(f => Dissector.Dissect(f).HasTcp);
            var udp6 = PcapReader.Read("ipv6-destination-options.pcap").First(f => Dissector.Dissect(f).HasUdp);
            var old = new byte[16];
            var neu = new byte[16];
            neu[0] = 0xfd;
            long sink = Work(tcp4, udp6, old, neu); // JIT and warm up
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
                sink += Work(tcp4, udp6, old, neu);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.NotEqual(0, sink);
        }

        static long Work(byte[] tcpFrame, byte[] udpFrame, byte[] oldAddr, byte[] newAddr)
        {
            long acc = 0;
            EthernetFrame eth;
            Ipv4Packet ip;
            TcpSegment tcp;
            if (EthernetFrame.TryCreate(tcpFrame, 0, tcpFrame.Length, out eth)
                && Ipv4Packet.TryCreate(tcpFrame, eth.PayloadOffset, eth.PayloadLength, out ip)
                && TcpSegment.TryCreate(tcpFrame, ip.PayloadOffset, ip.PayloadLength, out tcp))
            {
                acc += ip.VerifyHeaderChecksum() ? 1 : 0;
                acc += tcp.VerifyChecksum(ip.PseudoHeaderSum()) ? 1 : 0;
                uint src = ip.Source;
                ip.Source = src ^ 1;
                tcp.AdjustChecksum32(src, src ^ 1);
                tcp.SourcePort = (ushort)(tcp.SourcePort + 1);
                tcp.ClampMss(1240);
                acc += tcp.MaximumSegmentSize + tcp.Checksum;
            }
            Ipv6Packet ip6;
            UdpDatagram udp;
            if (EthernetFrame.TryCreate(udpFrame, 0, udpFrame.Length, out eth)
                && Ipv6Packet.TryCreate(udpFrame, eth.PayloadOffset, eth.PayloadLength, out ip6)
                && UdpDatagram.TryCreate(udpFrame, ip6.UpperLayerOffset, ip6.UpperLayerLength, out udp))
            {
                acc += udp.VerifyChecksum(ip6.PseudoHeaderSum(), false) ? 1 : 0;
                udp.AdjustChecksumBytes(oldAddr, 0, newAddr, 0, 16);
                udp.UpdateChecksum(ip6.PseudoHeaderSum());
                acc += udp.Checksum + ip6.ExtensionHeaderCount;
            }
            return acc;
        }
    }
}

using System;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>RFC 5508 (NAT behavioural requirements for ICMP).</summary>
    public class Rfc5508Tests
    {
        [Fact]
        public void Rfc5508_Req1_IcmpQueryMappingByIdentifier()
        {
            var nat = Translator();
            var pingA = Ipv4(HostA, Remote1, 1, Echo(8, 0x1234));
            var pingB = Ipv4(HostB, Remote1, 1, Echo(8, 0x1234));
            nat.Out(pingA, 0);
            nat.Out(pingB, 0);
            Assert.Equal(0x1234, IcmpIdV4(pingA));
            Assert.NotEqual(0x1234, IcmpIdV4(pingB));
            AssertChecksums(pingA); AssertChecksums(pingB);
            var replyB = Reply(pingB);
            Assert.Equal(NatAction.WriteToLan, nat.In(replyB, 1).Action);
            Assert.Equal(HostB, DstV4(replyB));
            Assert.Equal(0x1234, IcmpIdV4(replyB));
            AssertChecksums(replyB);
            // ICMPv6 echo.
            var ping6 = Ipv6(HostA6, Remote1v6, 58, Echo(128, 77));
            nat.Out(ping6, 0);
            Assert.True(SrcV6Is(ping6, ExtV6));
            AssertChecksums(ping6);
            var reply6 = Reply(ping6);
            Assert.Equal(NatAction.WriteToLan, nat.In(reply6, 1).Action);
            Assert.True(DstV6Is(reply6, HostA6));
            Assert.Equal(77, Endian.Read16(reply6, 44));
            AssertChecksums(reply6);
        }

        [Fact]
        public void Rfc5508_Req2_IcmpQueryTimeoutAtLeastSixtySeconds()
        {
            var config = NatConfigFor();
            Assert.Equal(60 * Second, config.IcmpTimeout);
            config.IcmpTimeout = 59 * Second;
            Assert.Throws<ArgumentException>(() => config.Validate());
            var nat = Translator();
            var ping = Ipv4(HostA, Remote1, 1, Echo(8, 5));
            nat.Out(ping, 0);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(ping), 60 * Second - 1).Action);
            Assert.Equal(NatAction.Dropped, nat.In(Reply(ping), 60 * Second).Action);
        }

        [Fact]
        public void Rfc5508_Req3_IcmpErrorTranslated()
        {
            var nat = Translator();
            var udp = UdpV4(HostA, 40000, Remote1, 33434, 20);
            var original = (byte[])udp.Clone();
            nat.Out(udp, 0);
            // Port unreachable from the remote, quoting the whole datagram (Linux quotes all of it).
            var error = IcmpErrorV4(Remote1, ExtV4, 3, 3, udp, 28);
            var r = nat.In(error, 1);
            Assert.Equal(NatAction.WriteToLan, r.Action);
            Assert.Equal(HostA, DstV4(error));
            Assert.Equal(3, error[20]);
            Assert.Equal(3, error[21]);
            Assert.Equal(4, AssertChecksums(error)); // outer ip, icmp, quoted ip, quoted udp
            // The quote is now exactly what the host sent (TTL aside, which the NAT did not touch).
            Assert.Equal(original, Slice(error, 28, original.Length));
            Assert.Equal(1, nat.Counters[NatCounter.IcmpErrorsTranslated]);
            // RFC 792 minimum quote (header + 8 bytes) works too.
            udp = UdpV4(HostA, 40000, Remote1, 33435, 20);
            nat.Out(udp, 2);
            error = IcmpErrorV4(Remote2, ExtV4, 11, 0, udp, 8);
            Assert.Equal(NatAction.WriteToLan, nat.In(error, 3).Action);
            AssertChecksums(error);
            Assert.Equal(40000, Endian.Read16(error, 48));
        }

        [Fact]
        public void Rfc5508_Req3_Icmpv6ErrorTranslated()
        {
            var nat = Translator();
            var udp = UdpV6(HostA6, 40000, Remote1v6, 33434, 20);
            var original = (byte[])udp.Clone();
            nat.Out(udp, 0);
            var error = IcmpErrorV6(Remote2v6, ExtV6, Icmpv6Packet.TypeDestinationUnreachable, 4, udp);
            Assert.Equal(NatAction.WriteToLan, nat.In(error, 1).Action);
            Assert.True(DstV6Is(error, HostA6));
            Assert.Equal(2, AssertChecksums(error)); // icmpv6, quoted udp
            Assert.Equal(original, Slice(error, 48, original.Length));
            // Packet Too Big about an echo request.
            var ping = Ipv6(HostA6, Remote1v6, 58, Echo(128, 9));
            var pingOriginal = (byte[])ping.Clone();
            nat.Out(ping, 0);
            error = IcmpErrorV6(Remote2v6, ExtV6, Icmpv6Packet.TypePacketTooBig, 0, ping);
            Assert.Equal(NatAction.WriteToLan, nat.In(error, 1).Action);
            AssertChecksums(error);
            Assert.Equal(pingOriginal, Slice(error, 48, pingOriginal.Length));
        }

        [Fact]
        public void Rfc5508_Req4_OutboundIcmpErrorTranslated()
        {
            var config = NatConfigFor();
            config.Filtering = NatFiltering.EndpointIndependent;
            var nat = Translator(config);
            var udp = UdpV4(HostA, 40000, Remote1, 3478);
            nat.Out(udp, 0);
            // The remote sends something the host does not want; the host answers port unreachable.
            var inbound = UdpV4(Remote1, 3478, ExtV4, SrcPortV4(udp), 10);
            var asSent = (byte[])inbound.Clone();
            nat.In(inbound, 1);
            var error = IcmpErrorV4(HostA, Remote1, 3, 3, inbound, 18);
            var r = nat.Out(error, 2);
            Assert.Equal(NatAction.WriteToTunnel, r.Action);
            Assert.Equal(ExtV4, SrcV4(error));
            Assert.Equal(4, AssertChecksums(error));
            Assert.Equal(asSent, Slice(error, 28, asSent.Length));
            // IPv6.
            var u6 = UdpV6(HostA6, 40000, Remote1v6, 3478);
            nat.Out(u6, 0);
            var in6 = UdpV6(Remote1v6, 3478, ExtV6, SrcPortV6(u6), 10);
            var sent6 = (byte[])in6.Clone();
            nat.In(in6, 1);
            var error6 = IcmpErrorV6(HostA6, Remote1v6, 1, 4, in6);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(error6, 2).Action);
            Assert.True(SrcV6Is(error6, ExtV6));
            AssertChecksums(error6);
            Assert.Equal(sent6, Slice(error6, 48, sent6.Length));
        }

        [Fact]
        public void Rfc5508_Req5_IcmpErrorWithoutMappingDropped()
        {
            var nat = Translator();
            var stray = UdpV4(ExtV4, 41000, Remote1, 53);
            var error = IcmpErrorV4(Remote1, ExtV4, 3, 3, stray);
            var r = nat.In(error, 0);
            Assert.Equal(NatCounter.DropIcmpErrorNoMapping, r.Reason);
            // Quoting a packet to another remote than the session's: also dropped.
            var udp = UdpV4(HostA, 40000, Remote1, 53);
            nat.Out(udp, 0);
            var forged = UdpV4(ExtV4, SrcPortV4(udp), Remote2, 53);
            Assert.Equal(NatCounter.DropIcmpErrorNoMapping, nat.In(IcmpErrorV4(Remote2, ExtV4, 3, 3, forged), 0).Reason);
            Assert.Equal(2, nat.Counters[NatCounter.DropIcmpErrorNoMapping]);
        }

        [Fact]
        public void Rfc5508_RedirectAndUnknownErrorTypesAreNotTranslated()
        {
            var nat = Translator();
            var udp = UdpV4(HostA, 40000, Remote1, 53);
            nat.Out(udp, 0);
            Assert.Equal(NatCounter.DropUnsupportedIcmpType, nat.In(IcmpErrorV4(Remote2, ExtV4, 5, 1, udp), 1).Reason);
            Assert.Equal(NatCounter.DropUnsupportedIcmpType, nat.In(IcmpErrorV4(Remote2, ExtV4, 4, 0, udp), 1).Reason);
            var udp6 = UdpV6(HostA6, 40000, Remote1v6, 53);
            nat.Out(udp6, 0);
            Assert.Equal(NatCounter.DropUnsupportedIcmpType, nat.In(IcmpErrorV6(Remote2v6, ExtV6, 100, 0, udp6), 1).Reason);
        }

        [Fact]
        public void Rfc5508_Req8_TableFullAnswersAdministrativelyProhibited()
        {
            var config = NatConfigFor(capacity: 4);
            config.HostSharePercent = 100;
            var nat = Translator(config);
            for (int i = 0; i < 4; i++)
                Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostA, 40000 + i, Remote1, 9), 0).Action);
            var reply = new byte[600];
            var next = UdpV4(HostB, 40010, Remote1, 9);
            var original = (byte[])next.Clone();
            var r = nat.TranslateOutbound(next, 0, next.Length, 1, reply, 0);
            Assert.Equal(NatAction.Reply, r.Action);
            Assert.Equal(NatCounter.DropTableFull, r.Reason);
            Assert.Equal(original, next); // not translated
            Assert.Equal(3, reply[20]);
            Assert.Equal(13, reply[21]);
            Assert.Equal(HostB, DstV4(reply));
            Assert.Equal(original, Slice(reply, 28, original.Length));
            AssertChecksums(reply, 0, r.ReplyLength);
            // IPv6: type 1 code 1.
            var next6 = UdpV6(HostB6, 40010, Remote1v6, 9);
            r = nat.TranslateOutbound(next6, 0, next6.Length, 1, reply, 0);
            Assert.Equal(NatAction.Reply, r.Action);
            Assert.Equal(1, reply[40]);
            Assert.Equal(1, reply[41]);
            AssertChecksums(reply, 0, r.ReplyLength);
            // Without a reply buffer: dropped, counted, nothing written.
            r = nat.TranslateOutbound(next6, 0, next6.Length, 1, null, 0);
            Assert.Equal(NatAction.Dropped, r.Action);
            Assert.Equal(3, nat.Counters[NatCounter.DropTableFull]);
            Assert.Equal(1, nat.Counters[NatCounter.RepliesSuppressed]);
        }

        internal static byte[] Slice(byte[] b, int offset, int length)
        {
            var s = new byte[length];
            Array.Copy(b, offset, s, 0, length);
            return s;
        }
    }
}

using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>ARP (RFC 826, RFC 5227) and ICMP / ICMPv6 echo for the router's addresses, from literal frames.</summary>
    public class ArpAndEchoTests
    {
        readonly byte[] output = new byte[1514];

        //                               dst          src          type  htype ptype hl pl op   sender MAC   sender IP  target MAC   target IP
        const string RequestForRouter = "ffffffffffff 02aabbccdd01 0806 0001 0800 06 04 0001 02aabbccdd01 c0a80464 000000000000 c0a80401";
        const string ReplyFromRouter  = "02aabbccdd01 020000000001 0806 0001 0800 06 04 0002 020000000001 c0a80401 02aabbccdd01 c0a80464";
        const string Announcement     = "ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 c0a80401 000000000000 c0a80401";

        LanResult Send(LanServices lan, string hex, long now = 1000)
        {
            var f = Hex(hex);
            return lan.Handle(f, 0, f.Length, output, 0, now);
        }

        [Fact]
        public void RequestForTheRouterGetsReplyAndTheSenderIsLearned()
        {
            var lan = Services();
            var r = Send(lan, RequestForRouter);
            var p = Parse(output, r);
            Assert.Equal(ReplyFromRouter.Replace(" ", ""), ToHex(p.Frame, 0, 42));
            var mac = new byte[6];
            Assert.True(lan.TryGetMac(V4("192.168.4.100"), mac, 0));
            Assert.Equal(ClientMac, mac);
            Assert.Equal(1, lan.Counters[LanCounter.ArpRepliesSent]);
        }

        [Fact]
        public void RequestsForOthersAreIgnoredAndNotLearned()
        {
            var lan = Services();
            var r = Send(lan, "ffffffffffff 02aabbccdd02 0806 0001 0800 06 04 0001 02aabbccdd02 c0a80465 000000000000 c0a80466");
            Assert.Equal(LanAction.Consumed, r.Action);
            Assert.False(lan.TryGetMac(V4("192.168.4.101"), new byte[6], 0)); // RFC 826: added only when we are the target
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredArpForOthers]);
            // A known sender is refreshed even when it asks for someone else.
            Send(lan, RequestForRouter);
            Send(lan, "ffffffffffff 02aabbccdd07 0806 0001 0800 06 04 0001 02aabbccdd07 c0a80464 000000000000 c0a80466");
            var mac = new byte[6];
            Assert.True(lan.TryGetMac(V4("192.168.4.100"), mac, 0));
            Assert.Equal(Hex("02aabbccdd07"), mac);
        }

        [Theory]
        [InlineData("ffffffffffff 02aabbccdd01 0806 0001 0800 06 04 0001 02aabbccdd01 c0a80464 000000000000 c0a804")] // short
        [InlineData("ffffffffffff 02aabbccdd01 0806 0006 0800 06 04 0001 02aabbccdd01 c0a80464 000000000000 c0a80401")] // htype
        [InlineData("ffffffffffff 02aabbccdd01 0806 0001 0800 06 04 0003 02aabbccdd01 c0a80464 000000000000 c0a80401")] // op 3
        [InlineData("ffffffffffff 02aabbccdd01 0806 0001 0800 06 04 0001 03aabbccdd01 c0a80464 000000000000 c0a80401")] // multicast sender
        public void MalformedArpIsDropped(string hex)
        {
            var lan = Services();
            var r = Send(lan, hex);
            Assert.Equal(LanAction.Dropped, r.Action);
            Assert.Equal(LanCounter.DropMalformedArp, r.Reason);
        }

        [Fact]
        public void StartupAnnouncementsThenTheAddressIsDefended()
        {
            var lan = Services(LanConfigFor(ula: false));
            Assert.Equal(0, lan.NextDeadline(0));
            var p = Parse(output, lan.Tick(0, output, 0));
            Assert.Equal(Announcement.Replace(" ", ""), ToHex(p.Frame, 0, 42));
            Assert.True(p.Arp.IsGratuitous);
            Assert.Equal(LanAction.Consumed, lan.Tick(1999, output, 0).Action);
            Assert.Equal(2000, lan.NextDeadline(1999));
            Assert.Equal(LanAction.Reply, lan.Tick(2000, output, 0).Action);
            Assert.Equal(long.MaxValue, lan.NextDeadline(2000)); // no ULA: no RAs either
            Assert.Equal(LanAction.Consumed, lan.Tick(10_000, output, 0).Action);

            // Another MAC claims the router's address: one announcement per DEFEND_INTERVAL.
            const string claim = "ffffffffffff 02aabbccdd66 0806 0001 0800 06 04 0002 02aabbccdd66 c0a80401 000000000000 c0a80401";
            p = Parse(output, Send(lan, claim, 20_000));
            Assert.Equal(Announcement.Replace(" ", ""), ToHex(p.Frame, 0, 42));
            Assert.Equal(LanAction.Consumed, Send(lan, claim, 25_000).Action);
            Assert.Equal(LanAction.Reply, Send(lan, claim, 30_000).Action);
            Assert.Equal(3, lan.Counters[LanCounter.IgnoredArpConflict]);
            Assert.Equal(2, lan.Counters[LanCounter.ArpConflictsDefended]);
        }

        [Fact]
        public void RequestForAnUnknownHost()
        {
            var lan = Services();
            int n = lan.Arp.WriteRequest(V4("192.168.4.150"), output, 0);
            var p = Parse(output, 0, n);
            Assert.Equal("ffffffffffff 020000000001 0806 0001 0800 06 04 0001 020000000001 c0a80401 000000000000 c0a80496".Replace(" ", ""), ToHex(p.Frame, 0, 42));
            Assert.Equal(0, lan.Arp.WriteRequest(1, new byte[41], 0));
        }

        // Echo request 192.168.4.100 -> 192.168.4.1, id 0x1234, seq 1, data "abcdefgh"; checksums literal.
        //   IPv4 header checksum 0xf122, ICMP checksum 0x5435 (RFC 1071 sums over the literal words).
        const string Ping = "020000000001 02aabbccdd01 0800 4500 0024 0001 0000 4001 f122 c0a80464 c0a80401 08 00 5435 1234 0001 6162636465666768";

        [Fact]
        public void EchoRequestToTheRouterGetsEchoReply()
        {
            var lan = Services();
            var f = Hex(Ping);
            Assert.True(Ipv4Packet.TryCreate(f, 14, f.Length - 14, out var ip) && ip.VerifyHeaderChecksum());
            Assert.True(Icmpv4Packet.TryCreate(f, 34, f.Length - 34, out var icmp) && icmp.VerifyChecksum());
            var p = Parse(output, lan.Handle(f, 0, f.Length, output, 0, 0));
            Assert.Equal("02:aa:bb:cc:dd:01", p.DstMac);
            Assert.Equal(RouterIp, p.Ip4.Source);
            Assert.Equal(V4("192.168.4.100"), p.Ip4.Destination);
            // Type 0, code 0, checksum 0x5c35 (the request's + 0x0800, RFC 1624), same id, sequence and data.
            Assert.Equal("0000 5c35 1234 0001 6162636465666768".Replace(" ", ""), ToHex(p.Frame, 34, 16));
            Assert.Equal(1, lan.Counters[LanCounter.EchoRepliesV4]);
        }

        [Fact]
        public void EchoWithBadChecksumOrNotARequest()
        {
            var config = LanConfigFor();
            config.AddStaticLease(ClientMac, 0, V4("192.168.4.100")); // the source passes validation
            var lan = Services(config);
            var f = Hex(Ping);
            f[37] ^= 1;
            Assert.Equal(LanCounter.DropBadIcmpChecksum, lan.Handle(f, 0, f.Length, output, 0, 0).Reason);
            f = Hex(Ping.Replace("08 00 5435", "00 00 5c35")); // an echo reply to the router
            Assert.Equal(LanAction.Consumed, lan.Handle(f, 0, f.Length, output, 0, 0).Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredIcmpToRouter]);
            // To another address: the NAT's.
            f = Hex(Ping.Replace("f122 c0a80464 c0a80401", "b3ca c0a80464 01010101"));
            Assert.Equal(LanAction.NotForUs, lan.Handle(f, 0, f.Length, output, 0, 0).Action);
        }

        [Fact]
        public void DnsToTheRouterIsLeftForTheNat()
        {
            var config = LanConfigFor();
            config.AddStaticLease(ClientMac, 0, V4("192.168.4.100")); // the source passes validation
            var lan = Services(config);
            var f = Udp4Frame(RouterMac, ClientMac, V4("192.168.4.100"), RouterIp, 5353, 53, new byte[20]);
            Assert.Equal(LanAction.NotForUs, lan.Handle(f, 0, f.Length, output, 0, 0).Action);
            f = Icmp6Frame(RouterMac, ClientMac, Hex("fd000001000200030000000000000064"), LanConfigFor().RouterUla, 64, new byte[8]);
            // Rewrite as UDP to port 53 (the checksum does not matter: the LAN services do not look).
            f[20] = 17; f[54] = 0x13; f[55] = 0x88; f[56] = 0; f[57] = 53; f[58] = 0; f[59] = 8;
            Assert.Equal(LanAction.NotForUs, lan.Handle(f, 0, f.Length, output, 0, 0).Action);
            // Other UDP to the router is dropped and counted.
            f = Udp4Frame(RouterMac, ClientMac, V4("192.168.4.100"), RouterIp, 5353, 80, new byte[20]);
            Assert.Equal(LanCounter.DropToRouterUnhandled, lan.Handle(f, 0, f.Length, output, 0, 0).Reason);
        }

        [Fact]
        public void Icmpv6EchoToTheRouterUlaAndLinkLocal()
        {
            var lan = Services();
            var config = lan.Config;
            var host = Hex("fd000001000200030000000000000064");
            var echo = Hex("80 00 0000 abcd 0007 0102030405060708");
            foreach (var dst in new[] { config.RouterUla, config.RouterLinkLocal })
            {
                var src = dst == config.RouterUla ? host : Hex("fe8000000000000000aabbfffeccdd01");
                var f = Icmp6Frame(RouterMac, ClientMac, src, dst, 64, echo);
                var p = Parse(output, lan.Handle(f, 0, f.Length, output, 0, 0));
                Assert.Equal("02:aa:bb:cc:dd:01", p.DstMac);
                Assert.True(p.Ip6.SourceEquals(dst, 0));
                Assert.True(p.Ip6.DestinationEquals(src, 0));
                Assert.Equal(64, p.Ip6.HopLimit);
                Assert.Equal(129, p.Icmp6.Type);
                Assert.Equal("abcd00070102030405060708", ToHex(p.Frame, p.Icmp6.Offset + 4, 12));
            }
            Assert.Equal(2, lan.Counters[LanCounter.EchoRepliesV6]);
            var mac = new byte[6];
            Assert.True(lan.TryGetMac(host, 0, mac, 0)); // learned from traffic
            Assert.Equal(ClientMac, mac);
        }
    }
}

using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>RS/RA and NS/NA (RFC 4861) from literal ICMPv6 messages; every reply's checksum verified.</summary>
    public class NeighborDiscoveryTests
    {
        readonly byte[] output = new byte[1514];
        static readonly byte[] ClientLinkLocal = Hex("fe80000000000000 00aabbfffeccdd01");
        static readonly byte[] RouterLinkLocal = Hex("fe80000000000000 000000fffe000001");
        static readonly byte[] RouterUla = Hex("fd000001000200030000000000000001");
        static readonly byte[] SolicitedNode1 = Hex("ff020000000000000000 0001ff000001");
        static readonly byte[] AllRouters = Hex("ff020000000000000000000000000002");
        static readonly byte[] Unspecified = new byte[16];

        // RA body after the checksum: hop limit 64, M=O=0, lifetime 1800, reachable 0, retrans 0;
        // SLLAO; MTU 1280; prefix fd00:1:2:3::/64 L+A, valid 30 d, preferred 7 d; RDNSS fd00:1:2:3::1 for 1800 s.
        const string RaBody = "40000708 00000000 00000000"
            + "0101020000000001"
            + "0501000000000500"
            + "030440c0 00278d00 00093a80 00000000 fd000001000200030000000000000000"
            + "19030000 00000708 fd000001000200030000000000000001";

        static string Body(Parsed p) { return ToHex(p.Frame, p.Icmp6.Offset + 4, p.Icmp6.Length - 4); }

        LanResult Send(LanServices lan, byte[] dstMac, byte[] src, byte[] dst, byte hop, string icmp, long now = 1000)
        {
            var f = Icmp6Frame(dstMac, ClientMac, src, dst, hop, Hex(icmp));
            return lan.Handle(f, 0, f.Length, output, 0, now);
        }

        [Fact]
        public void DerivedAddresses()
        {
            var c = LanConfigFor();
            Assert.Equal(RouterLinkLocal, c.RouterLinkLocal); // fe80::ff:fe00:1 (02:00:00:00:00:01, U/L bit inverted)
            Assert.Equal(RouterUla, c.RouterUla);
            Assert.Equal(0xFFFFFF00u, c.SubnetMask);
            var c2 = new LanConfig(Hex("3c22fb123456"), RouterIp, 24, V4("192.168.4.100"), V4("192.168.4.199"));
            Assert.Equal(Hex("fe80000000000000 3e22fbfffe123456"), c2.RouterLinkLocal);
        }

        [Fact]
        public void RouterSolicitationGetsUnicastAdvertisement()
        {
            var lan = Services(); lan.SetTunnelUp(true, 0);
            var r = Send(lan, Hex("333300000002"), ClientLinkLocal, AllRouters, 255, "8500 0000 00000000 0101 02aabbccdd01");
            var p = Parse(output, r);
            Assert.Equal(134, p.Icmp6.Type);
            Assert.Equal(RaBody.Replace(" ", ""), Body(p));
            Assert.Equal(142, p.Frame.Length);
            Assert.Equal(255, p.Ip6.HopLimit);
            Assert.True(p.Ip6.SourceEquals(RouterLinkLocal, 0));
            Assert.True(p.Ip6.DestinationEquals(ClientLinkLocal, 0));
            Assert.Equal("02:aa:bb:cc:dd:01", p.DstMac);
            var mac = new byte[6];
            Assert.True(lan.TryGetMac(ClientLinkLocal, 0, mac, 0));
            Assert.Equal(ClientMac, mac);
        }

        [Fact]
        public void SolicitationFromUnspecifiedIsAnsweredByTheNextMulticastAdvertisement()
        {
            var lan = Services(); lan.SetTunnelUp(true, 0);
            var p = Parse(output, lan.Tick(0, output, 0)); // ARP announcement first
            Assert.Equal(EthernetFrame.EtherTypeArp, p.Eth.EtherType);
            p = Parse(output, lan.Tick(0, output, 0));     // then the first RA
            Assert.Equal("33:33:00:00:00:01", p.DstMac);
            Assert.True(p.Ip6.DestinationEquals(RouterAdvertiser.AllNodes, 0));
            Assert.Equal(RaBody.Replace(" ", ""), Body(p));
            Assert.Equal(LanAction.Consumed, Send(lan, Hex("333300000002"), Unspecified, AllRouters, 255, "8500 0000 00000000", 1000).Action);
            // MIN_DELAY_BETWEEN_RAS: not before 3 s after the last multicast RA.
            Assert.Equal(2000, lan.NextDeadline(1000)); // the second ARP announcement is due first
            lan.Tick(2000, output, 0);
            Assert.Equal(3000, lan.NextDeadline(2000));
            Assert.Equal(LanAction.Consumed, lan.Tick(2999, output, 0).Action);
            p = Parse(output, lan.Tick(3000, output, 0));
            Assert.Equal(134, p.Icmp6.Type);
        }

        [Fact]
        public void PeriodicAdvertisementsFollowRfc4861Intervals()
        {
            var lan = Services(LanConfigFor());
            long now = 0;
            lan.Tick(now, output, 0); // ARP
            var times = new System.Collections.Generic.List<long>();
            for (int i = 0; i < 6; i++)
            {
                now = lan.NextDeadline(now);
                var r = lan.Tick(now, output, 0);
                if (r.Action == LanAction.Reply && output[12] == 0x86)
                    times.Add(now);
                else
                    i--;
            }
            // First RAs at most MAX_INITIAL_RTR_ADVERT_INTERVAL (16 s) apart, then within [198 s, 600 s].
            Assert.Equal(0, times[0]);
            Assert.Equal(16000, times[1] - times[0]);
            Assert.Equal(16000, times[2] - times[1]);
            Assert.Equal(16000, times[3] - times[2]);
            Assert.InRange(times[4] - times[3], 198000, 600000);
            Assert.InRange(times[5] - times[4], 198000, 600000);
            Assert.Equal(6, lan.Counters[LanCounter.RouterAdvertisementsSent]);
        }

        [Fact]
        public void SolicitationForTheRouterGetsSolicitedAdvertisement()
        {
            var lan = Services(); lan.SetTunnelUp(true, 0);
            string target = ToHex(RouterLinkLocal, 0, 16);
            var r = Send(lan, Hex("3333ff000001"), ClientLinkLocal, SolicitedNode1, 255, "8700 0000 00000000" + target + "0101 02aabbccdd01");
            var p = Parse(output, r);
            Assert.Equal(136, p.Icmp6.Type);
            // R, S and O set; target; target link-layer address option.
            Assert.Equal("e0000000" + target + "0201020000000001", Body(p));
            Assert.True(p.Ip6.SourceEquals(RouterLinkLocal, 0));
            Assert.True(p.Ip6.DestinationEquals(ClientLinkLocal, 0));
            Assert.Equal(255, p.Ip6.HopLimit);
            Assert.Equal("02:aa:bb:cc:dd:01", p.DstMac);
            // Unicast NS for the ULA (neighbour unreachability detection), no SLLAO: answered to the frame's source.
            r = Send(lan, RouterMac, Hex("fd000001000200030000000000000064"), RouterUla, 255, "8700 0000 00000000" + ToHex(RouterUla, 0, 16));
            p = Parse(output, r);
            Assert.Equal("e0000000" + ToHex(RouterUla, 0, 16) + "0201020000000001", Body(p));
            Assert.True(p.Ip6.SourceEquals(RouterUla, 0));
            Assert.Equal(2, lan.Counters[LanCounter.NeighborAdvertisementsSent]);
        }

        [Fact]
        public void DuplicateAddressDetectionOfTheRoutersAddressIsDefended()
        {
            var lan = Services(); lan.SetTunnelUp(true, 0);
            string target = ToHex(RouterUla, 0, 16);
            var p = Parse(output, Send(lan, Hex("3333ff000001"), Unspecified, SolicitedNode1, 255, "8700 0000 00000000" + target));
            // S clear, to all-nodes (RFC 4861 7.2.4).
            Assert.Equal("a0000000" + target + "0201020000000001", Body(p));
            Assert.Equal("33:33:00:00:00:01", p.DstMac);
            Assert.True(p.Ip6.DestinationEquals(RouterAdvertiser.AllNodes, 0));
            Assert.Equal(1, lan.Counters[LanCounter.DadDefended]);
            // DAD for some other address: not answered, nothing learned.
            var other = Hex("fd000001000200030000000000000077");
            var r = Send(lan, Hex("3333ff000077"), Unspecified, Hex("ff0200000000000000000001ff000077"), 255, "8700 0000 00000000" + ToHex(other, 0, 16));
            Assert.Equal(LanAction.Consumed, r.Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredNdTargetNotOurs]);
            Assert.Equal(0, lan.Ipv6NeighborCount);
        }

        [Theory]
        [InlineData(254, "8700 0000 00000000 {T} 0101 02aabbccdd01", LanCounter.DropNdHopLimit)]
        [InlineData(255, "8701 0000 00000000 {T} 0101 02aabbccdd01", LanCounter.DropNdBadCode)]
        [InlineData(255, "8700 0000 00000000 fe80", LanCounter.DropNdBadLength)]
        [InlineData(255, "8700 0000 00000000 {T} 0100 02aabbccdd01", LanCounter.DropNdBadOptions)]
        [InlineData(255, "8700 0000 00000000 {T} 0102 02aabbccdd01", LanCounter.DropNdBadOptions)]
        [InlineData(255, "8700 0000 00000000 ff020000000000000000000000000001", LanCounter.DropNdMulticastTarget)]
        public void MalformedSolicitationsAreDropped(int hop, string icmp, LanCounter reason)
        {
            var lan = Services(); lan.SetTunnelUp(true, 0);
            var r = Send(lan, Hex("3333ff000001"), ClientLinkLocal, SolicitedNode1, (byte)hop, icmp.Replace("{T}", ToHex(RouterLinkLocal, 0, 16)));
            Assert.Equal(LanAction.Dropped, r.Action);
            Assert.Equal(reason, r.Reason);
            Assert.Equal(0, lan.Ipv6NeighborCount);
        }

        [Fact]
        public void UnspecifiedSourceWithLinkLayerOptionAndWrongDestinationAreDropped()
        {
            var lan = Services(); lan.SetTunnelUp(true, 0);
            string target = ToHex(RouterLinkLocal, 0, 16);
            Assert.Equal(LanCounter.DropNdUnspecifiedWithLinkAddress,
                Send(lan, Hex("3333ff000001"), Unspecified, SolicitedNode1, 255, "8700 0000 00000000" + target + "0101 02aabbccdd01").Reason);
            Assert.Equal(LanCounter.DropNdBadDestination,
                Send(lan, Hex("333300000001"), ClientLinkLocal, RouterAdvertiser.AllNodes, 255, "8700 0000 00000000" + target).Reason);
            // Bad checksum.
            var f = Icmp6Frame(Hex("3333ff000001"), ClientMac, ClientLinkLocal, SolicitedNode1, 255, Hex("8700 0000 00000000" + target));
            f[57] ^= 1;
            Assert.Equal(LanCounter.DropBadIcmpChecksum, lan.Handle(f, 0, f.Length, output, 0, 0).Reason);
        }

        [Fact]
        public void AdvertisementsTeachHostsAndConflictsAreCounted()
        {
            var lan = Services(); lan.SetTunnelUp(true, 0);
            var host = Hex("fd000001000200030000000000000042");
            var r = Send(lan, Hex("333300000001"), host, RouterAdvertiser.AllNodes, 255, "8800 0000 20000000" + ToHex(host, 0, 16) + "0201 02aabbccdd42");
            Assert.Equal(LanAction.Consumed, r.Action);
            var mac = new byte[6];
            Assert.True(lan.TryGetMac(host, 0, mac, 0));
            Assert.Equal(Hex("02aabbccdd42"), mac);
            // Someone advertises the router's address.
            r = Send(lan, Hex("333300000001"), host, RouterAdvertiser.AllNodes, 255, "8800 0000 20000000" + ToHex(RouterUla, 0, 16) + "0201 02aabbccdd42");
            Assert.Equal(LanAction.Consumed, r.Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredNdAddressConflict]);
            // A solicited NA to a multicast destination is invalid (RFC 4861 7.1.2).
            r = Send(lan, Hex("333300000001"), host, RouterAdvertiser.AllNodes, 255, "8800 0000 60000000" + ToHex(host, 0, 16));
            Assert.Equal(LanCounter.DropNdBadDestination, r.Reason);
            // A foreign RA is ignored.
            r = Send(lan, Hex("333300000001"), ClientLinkLocal, RouterAdvertiser.AllNodes, 255, "8600 0000 40000708 00000000 00000000");
            Assert.Equal(LanAction.Consumed, r.Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredNdForeignRouterAdvertisement]);
            // MLD reports are consumed, not forwarded.
            r = Send(lan, Hex("333300000016"), ClientLinkLocal, Hex("ff020000000000000000000000000016"), 1, "8f00 0000 00000000");
            Assert.Equal(LanAction.Consumed, r.Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredMld]);
        }

        [Fact]
        public void WithoutUlaNoAdvertisementsAreSent()
        {
            var lan = Services(LanConfigFor(ula: false));
            var r = Send(lan, Hex("333300000002"), ClientLinkLocal, AllRouters, 255, "8500 0000 00000000 0101 02aabbccdd01");
            Assert.Equal(LanAction.Consumed, r.Action);
            // The link-local address is still answered.
            string target = ToHex(RouterLinkLocal, 0, 16);
            Assert.Equal(LanAction.Reply, Send(lan, Hex("3333ff000001"), ClientLinkLocal, SolicitedNode1, 255, "8700 0000 00000000" + target + "0101 02aabbccdd01").Action);
        }
    }
}

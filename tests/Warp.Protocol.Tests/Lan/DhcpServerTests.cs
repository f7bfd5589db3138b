using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>Each DHCP exchange with literal client messages; every reply parsed back with its checksums verified.</summary>
    public class DhcpServerTests
    {
        // Options of the client messages (hex): 53 type, 50 requested address, 54 server id, 55 parameter list.
        const string DiscoverOptions = "350101 3704 0103061a ff";
        const string SelectOptions = "350103 3204c0a80464 3604c0a80401 3703 010306 ff";
        // Lease 43200 s (0xa8c0), T1 21600 (0x5460), T2 37800 (0x93a8), mask /24, router and DNS the router, MTU 1280.
        const string OfferOptions = "350102 3604c0a80401 33040000a8c0 3a0400005460 3b04000093a8 0104ffffff00 0304c0a80401 0604c0a80401 1a020500 ff";
        const string AckOptions = "350105 3604c0a80401 33040000a8c0 3a0400005460 3b04000093a8 0104ffffff00 0304c0a80401 0604c0a80401 ff";
        const string NakOptions = "350106 3604c0a80401 ff";

        readonly byte[] output = new byte[1514];

        static string OptionsHex(Parsed p)
        {
            int start = p.Udp.PayloadOffset + 240;
            int end = start;
            while (p.Frame[end] != 255) end += 2 + p.Frame[end + 1];
            return ToHex(p.Frame, start, end + 1 - start);
        }

        static string Compact(string hex) { return hex.Replace(" ", ""); }

        Parsed Exchange(LanServices lan, byte[] frame, long now = 1000)
        {
            var r = HandleThroughProbe(lan, frame, output, now);
            return Parse(output, r);
        }

        [Fact]
        public void DiscoverGetsOfferUnicastToYiaddr()
        {
            var lan = Services();
            var p = Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            Assert.Equal(Compact(OfferOptions), OptionsHex(p));
            Assert.Equal(V4("192.168.4.100"), Yiaddr(p));
            // RFC 2131 4.1: no ciaddr, no broadcast flag -> unicast to yiaddr at chaddr.
            Assert.Equal("02:aa:bb:cc:dd:01", p.DstMac);
            Assert.Equal(V4("192.168.4.100"), p.Ip4.Destination);
            Assert.Equal(RouterIp, p.Ip4.Source);
            Assert.Equal(67, p.Udp.SourcePort);
            Assert.Equal(68, p.Udp.DestinationPort);
            Assert.Equal(300, p.Udp.PayloadLength); // BOOTP minimum
            // Fixed part: op 2, htype 1, hlen 6, hops 0, xid echoed, secs 0, flags, ciaddr 0, siaddr 0, giaddr 0, chaddr.
            Assert.Equal("02010600" + "12345678" + "0000" + "0000" + "00000000" + "c0a80464" + "00000000" + "00000000" + "02aabbccdd01",
                ToHex(p.Frame, p.Udp.PayloadOffset, 34));
            Assert.Equal(1, lan.Counters[LanCounter.DhcpOffers]);
        }

        [Fact]
        public void BroadcastFlagGetsBroadcastOffer()
        {
            var lan = Services();
            var p = Exchange(lan, FromClient(Bootp(DiscoverOptions, flags: "8000")));
            Assert.Equal("ff:ff:ff:ff:ff:ff", p.DstMac);
            Assert.Equal(0xFFFFFFFFu, p.Ip4.Destination);
            Assert.Equal("8000", ToHex(p.Frame, p.Udp.PayloadOffset + 10, 2));
        }

        [Fact]
        public void SelectingRequestGetsAckAndTheHostIsLearned()
        {
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            var p = Exchange(lan, FromClient(Bootp(SelectOptions)));
            Assert.Equal(Compact(AckOptions), OptionsHex(p));
            Assert.Equal(V4("192.168.4.100"), Yiaddr(p));
            Assert.Equal(V4("192.168.4.100"), p.Ip4.Destination);
            var mac = new byte[6];
            Assert.True(lan.TryGetMac(V4("192.168.4.100"), mac, 0));
            Assert.Equal(ClientMac, mac);
            Assert.Equal(1, lan.LeaseCount);
            Assert.StartsWith("192.168.4.100 02:aa:bb:cc:dd:01 bound 432", lan.FormatLease(0, 1000));
            Assert.Null(lan.FormatLease(1, 1000));
        }

        [Fact]
        public void RequestForAnotherServerFreesTheOfferSilently()
        {
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            var f = FromClient(Bootp("350103 3204c0a80464 3604c0a80402 ff"));
            Assert.Equal(LanAction.Consumed, lan.Handle(f, 0, f.Length, output, 0, 1000).Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredDhcpOtherServer]);
            // The offered address went back to the pool: another client gets it.
            var p = Exchange(lan, FromClient(Bootp(DiscoverOptions, mac: "02aabbccdd02"), Hex("02aabbccdd02")));
            Assert.Equal(V4("192.168.4.100"), Yiaddr(p));
        }

        [Fact]
        public void InitRebootOnTheWrongNetworkGetsBroadcastNak()
        {
            var lan = Services();
            var p = Exchange(lan, FromClient(Bootp("350103 32040a000005 ff")));
            Assert.Equal(Compact(NakOptions), OptionsHex(p));
            Assert.Equal(0u, Yiaddr(p));
            Assert.Equal("ff:ff:ff:ff:ff:ff", p.DstMac);
            Assert.Equal(0xFFFFFFFFu, p.Ip4.Destination);
            Assert.Equal(1, lan.Counters[LanCounter.DhcpNaks]);
        }

        [Fact]
        public void RequestOutsideThePoolGetsNak()
        {
            // RFC 2131 4.3.2: the requested address is not one the server can give this client.
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            var p = Exchange(lan, FromClient(Bootp("350103 3204c0a80432 3604c0a80401 ff"))); // .50, outside .100-.199
            Assert.Equal(Compact(NakOptions), OptionsHex(p));
            p = Exchange(lan, FromClient(Bootp("350103 3204c0a80432 ff"))); // INIT-REBOOT for .50
            Assert.Equal(Compact(NakOptions), OptionsHex(p));
            p = Exchange(lan, FromClient(Bootp("350103 3204c0a80401 ff"))); // the router's own address
            Assert.Equal(Compact(NakOptions), OptionsHex(p));
            Assert.Equal(3, lan.Counters[LanCounter.DhcpNaks]);
        }

        [Fact]
        public void InitRebootWithoutRecordStaysSilent()
        {
            var lan = Services();
            var f = FromClient(Bootp("350103 3204c0a80478 ff")); // .120, free, but never ours to confirm
            Assert.Equal(LanAction.Consumed, lan.Handle(f, 0, f.Length, output, 0, 1000).Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredDhcpNoRecord]);
        }

        [Fact]
        public void InitRebootWithRecordGetsAck()
        {
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            Exchange(lan, FromClient(Bootp(SelectOptions)));
            var p = Exchange(lan, FromClient(Bootp("350103 3204c0a80464 ff", flags: "8000")), 5000);
            Assert.Equal("350105", OptionsHex(p).Substring(0, 6));
            Assert.Equal("ff:ff:ff:ff:ff:ff", p.DstMac);
        }

        [Fact]
        public void RenewingUnicastAndRebindingBroadcastGetAckToCiaddr()
        {
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            Exchange(lan, FromClient(Bootp(SelectOptions)));
            uint client = V4("192.168.4.100");
            var renew = FromClient(Bootp("350103 ff", ciaddr: "c0a80464"), src: client, dst: RouterIp, dstMac: RouterMac);
            var p = Exchange(lan, renew, 22_000_000);
            Assert.Equal(Compact(AckOptions), OptionsHex(p));
            Assert.Equal(client, p.Ip4.Destination);
            Assert.Equal("02:aa:bb:cc:dd:01", p.DstMac);
            Assert.Equal("c0a80464c0a80464", ToHex(p.Frame, p.Udp.PayloadOffset + 12, 8)); // ciaddr and yiaddr
            var rebind = FromClient(Bootp("350103 ff", ciaddr: "c0a80464"), src: client);
            p = Exchange(lan, rebind, 38_000_000);
            Assert.Equal(client, p.Ip4.Destination);
            Assert.Equal(3, lan.Counters[LanCounter.DhcpAcks]);
        }

        [Fact]
        public void RenewingAnAddressHeldByAnotherClientGetsNak()
        {
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            Exchange(lan, FromClient(Bootp(SelectOptions)));
            var other = FromClient(Bootp("350103 ff", ciaddr: "c0a80464", mac: "02aabbccdd02"), Hex("02aabbccdd02"), V4("192.168.4.100"));
            var p = Exchange(lan, other);
            Assert.Equal(Compact(NakOptions), OptionsHex(p));
        }

        [Fact]
        public void ReleaseFreesTheAddressButTheClientIsRemembered()
        {
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            Exchange(lan, FromClient(Bootp(SelectOptions)));
            var release = FromClient(Bootp("350107 3604c0a80401 ff", ciaddr: "c0a80464"), src: V4("192.168.4.100"), dst: RouterIp, dstMac: RouterMac);
            Assert.Equal(LanAction.Consumed, lan.Handle(release, 0, release.Length, output, 0, 2000).Action);
            Assert.Equal(1, lan.Counters[LanCounter.DhcpReleases]);
            Assert.Equal("192.168.4.100 02:aa:bb:cc:dd:01 released", lan.FormatLease(0, 2000));
            // A release for an address the client does not hold is ignored and counted.
            Assert.Equal(LanAction.Consumed, lan.Handle(release, 0, release.Length, output, 0, 2000).Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredDhcpReleaseUnknown]);
            // The same client comes back to the same address.
            var p = Exchange(lan, FromClient(Bootp(DiscoverOptions)), 3000);
            Assert.Equal(V4("192.168.4.100"), Yiaddr(p));
        }

        [Fact]
        public void DeclineMarksTheAddressUnusable()
        {
            var lan = Services();
            Exchange(lan, FromClient(Bootp(DiscoverOptions)));
            Exchange(lan, FromClient(Bootp(SelectOptions)));
            var decline = FromClient(Bootp("350104 3204c0a80464 3604c0a80401 ff"));
            Assert.Equal(LanAction.Consumed, lan.Handle(decline, 0, decline.Length, output, 0, 2000).Action);
            Assert.Equal(1, lan.Counters[LanCounter.DhcpDeclines]);
            Assert.Equal("192.168.4.100 00:00:00:00:00:00 declined 600s", lan.FormatLease(0, 2000));
            Assert.False(lan.TryGetMac(V4("192.168.4.100"), new byte[6], 0));
            var p = Exchange(lan, FromClient(Bootp(DiscoverOptions)), 3000);
            Assert.Equal(V4("192.168.4.101"), Yiaddr(p));
            // Within DeclineHoldMs nobody gets it, even by asking; after it, it can be had again.
            p = Exchange(lan, FromClient(Bootp("350101 3204c0a80464 ff", mac: "02aabbccdd02"), Hex("02aabbccdd02")), 3000);
            Assert.Equal(V4("192.168.4.102"), Yiaddr(p));
            p = Exchange(lan, FromClient(Bootp("350101 3204c0a80464 ff", mac: "02aabbccdd03"), Hex("02aabbccdd03")), 2000 + DhcpLeaseTable.DeclineHoldMs);
            Assert.Equal(V4("192.168.4.100"), Yiaddr(p));
        }

        [Fact]
        public void InformGetsAckWithoutLease()
        {
            var lan = Services();
            var inform = FromClient(Bootp("350108 3703 010306 ff", ciaddr: "c0a80496"), src: V4("192.168.4.150"), dst: RouterIp, dstMac: RouterMac);
            var p = Exchange(lan, inform);
            Assert.Equal("350105 3604c0a80401 0104ffffff00 0304c0a80401 0604c0a80401 ff".Replace(" ", ""), OptionsHex(p));
            Assert.Equal(0u, Yiaddr(p));
            Assert.Equal(V4("192.168.4.150"), p.Ip4.Destination);
            Assert.Equal(0, lan.LeaseCount);
            Assert.Equal(1, lan.Counters[LanCounter.DhcpInforms]);
        }

        [Fact]
        public void StaticLeaseAndRequestedAddressAreHonoured()
        {
            var config = LanConfigFor();
            config.AddStaticLease(Hex("02aabbccdd09"), 0, V4("192.168.4.20"));
            var lan = Services(config);
            var p = Exchange(lan, FromClient(Bootp(DiscoverOptions, mac: "02aabbccdd09"), Hex("02aabbccdd09")));
            Assert.Equal(V4("192.168.4.20"), Yiaddr(p));
            p = Exchange(lan, FromClient(Bootp("350101 3204c0a80496 ff")));
            Assert.Equal(V4("192.168.4.150"), Yiaddr(p));
            // Another client asking for the static address gets a pool address instead.
            p = Exchange(lan, FromClient(Bootp("350101 3204c0a80414 ff", mac: "02aabbccdd03"), Hex("02aabbccdd03")));
            Assert.Equal(V4("192.168.4.100"), Yiaddr(p));
        }

        [Fact]
        public void ParameterListOrderIsFollowed()
        {
            var lan = Services();
            var p = Exchange(lan, FromClient(Bootp("350101 3707 1c1a06060301 2a ff")));
            Assert.Equal("53,54,51,58,59,28,26,6,3,1", OptionCodes(p));
            Assert.Equal(Hex("c0a804ff"), Options(p)[28]);
        }

        [Fact]
        public void PoolExhaustionIsCountedNotThrown()
        {
            var lan = Services(leases: 4);
            for (int i = 0; i < 4; i++)
            {
                string mac = "02aabbccdd1" + i;
                var p = Exchange(lan, FromClient(Bootp(DiscoverOptions, mac: mac), Hex(mac)));
                uint ip = Yiaddr(p);
                Exchange(lan, FromClient(Bootp("350103 3204" + ip.ToString("x8") + "3604c0a80401 ff", mac: mac), Hex(mac)));
            }
            var f = FromClient(Bootp(DiscoverOptions, mac: "02aabbccdd20"), Hex("02aabbccdd20"));
            var r = lan.Handle(f, 0, f.Length, output, 0, 1000);
            Assert.Equal(LanAction.Dropped, r.Action);
            Assert.Equal(LanCounter.DropDhcpPoolExhausted, r.Reason);
        }
    }
}

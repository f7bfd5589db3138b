using System;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>Malformed, foreign and hostile DHCP traffic: each refused or ignored, counted, never thrown.</summary>
    public class DhcpBadInputTests
    {
        const string DiscoverOptions = "350101 ff";
        readonly byte[] output = new byte[1514];

        LanResult Send(LanServices lan, byte[] frame, long now = 1000)
        {
            return HandleThroughProbe(lan, frame, output, now);
        }

        void AssertDropped(LanServices lan, byte[] frame, LanCounter reason)
        {
            long before = lan.Counters[reason];
            var r = Send(lan, frame);
            Assert.Equal(LanAction.Dropped, r.Action);
            Assert.Equal(reason, r.Reason);
            Assert.Equal(before + 1, lan.Counters[reason]);
        }

        [Fact]
        public void TruncatedMessages()
        {
            var lan = Services();
            var full = Bootp(DiscoverOptions);
            foreach (int n in new[] { 0, 1, 100, 235, 239 })
            {
                var cut = new byte[n];
                Array.Copy(full, cut, n);
                AssertDropped(lan, FromClient(cut), LanCounter.DropDhcpTruncated);
            }
            // A UDP length beyond the IP payload: the datagram view refuses it.
            var f = FromClient(full);
            Endian.Write16(f, 38, (ushort)(f.Length - 34 + 10));
            AssertDropped(lan, f, LanCounter.DropMalformedUdp);
        }

        [Fact]
        public void WrongMagicCookie()
        {
            var lan = Services();
            var m = Bootp(DiscoverOptions);
            m[236] = 0x64;
            AssertDropped(lan, FromClient(m), LanCounter.DropDhcpBadMagicCookie);
        }

        [Fact]
        public void WrongOpHtypeHlenAndChaddr()
        {
            var lan = Services();
            var m = Bootp(DiscoverOptions);
            m[0] = 2;
            AssertDropped(lan, FromClient(m), LanCounter.DropDhcpBadOp);
            m = Bootp(DiscoverOptions);
            m[1] = 6; // IEEE 802 token ring
            AssertDropped(lan, FromClient(m), LanCounter.DropDhcpBadHardware);
            m = Bootp(DiscoverOptions);
            m[2] = 16;
            AssertDropped(lan, FromClient(m), LanCounter.DropDhcpBadHardware);
            AssertDropped(lan, FromClient(Bootp(DiscoverOptions, mac: "ffffffffffff")), LanCounter.DropDhcpBadHardware);
            AssertDropped(lan, FromClient(Bootp(DiscoverOptions, mac: "000000000000")), LanCounter.DropDhcpBadHardware);
        }

        [Fact]
        public void OptionsOverrunningOrMalformed()
        {
            var lan = Services();
            AssertDropped(lan, FromClient(Bootp("350101 3208c0a8")), LanCounter.DropDhcpOptionsOverrun);
            AssertDropped(lan, FromClient(Bootp("350101 32")), LanCounter.DropDhcpOptionsOverrun);
            AssertDropped(lan, FromClient(Bootp("35020101 ff")), LanCounter.DropDhcpBadOption);
            AssertDropped(lan, FromClient(Bootp("350101 3203c0a804 ff")), LanCounter.DropDhcpBadOption);
            AssertDropped(lan, FromClient(Bootp("3204c0a80464 ff")), LanCounter.DropDhcpNoMessageType);
            AssertDropped(lan, FromClient(Bootp("350109 ff")), LanCounter.DropDhcpUnknownMessageType);
            // Pad options and a missing End are accepted.
            Assert.Equal(LanAction.Reply, Send(lan, FromClient(Bootp("00000000350101"))).Action);
        }

        [Fact]
        public void RelayedAndForeignAndServerMessages()
        {
            var lan = Services();
            AssertDropped(lan, FromClient(Bootp(DiscoverOptions, giaddr: "0a000001")), LanCounter.DropDhcpRelayed);
            // An OFFER sent to port 67 by another server: ignored.
            var r = Send(lan, FromClient(Bootp("350102 ff")));
            Assert.Equal(LanAction.Consumed, r.Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredDhcpServerMessage]);
            // Not to port 67: a broadcast the router does not serve.
            var f = Udp4Frame(Hex("ffffffffffff"), ClientMac, 0, 0xFFFFFFFF, 68, 68, Bootp(DiscoverOptions));
            Assert.Equal(LanAction.Consumed, Send(lan, f).Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredLinkBroadcast]);
            // UDP 67 to some other host is not the router's business.
            f = Udp4Frame(Hex("02aabbccdd99"), ClientMac, 0, V4("192.168.4.9"), 68, 67, Bootp(DiscoverOptions));
            Assert.Equal(LanAction.NotForUs, Send(lan, f).Action);
            Assert.Equal(0, lan.Counters[LanCounter.DhcpDiscovers]);
        }

        [Fact]
        public void BadChecksums()
        {
            var lan = Services();
            var f = FromClient(Bootp(DiscoverOptions));
            f[41] ^= 0x55; // UDP checksum
            AssertDropped(lan, f, LanCounter.DropBadUdpChecksum);
            f = FromClient(Bootp(DiscoverOptions));
            f[24] ^= 0x55; // IPv4 header checksum
            AssertDropped(lan, f, LanCounter.DropBadIpv4Checksum);
            f = FromClient(Bootp(DiscoverOptions));
            f[40] = 0; f[41] = 0; // no UDP checksum: allowed over IPv4 (RFC 768)
            Assert.Equal(LanAction.Reply, Send(lan, f).Action);
        }

        [Fact]
        public void OutputTooSmallIsCounted()
        {
            var lan = Services();
            var f = FromClient(Bootp(DiscoverOptions));
            var r = lan.Handle(f, 0, f.Length, new byte[100], 0, 1000);
            Assert.Equal(LanAction.Dropped, r.Action);
            Assert.Equal(LanCounter.DropOutputTooSmall, r.Reason);
            r = lan.Handle(f, 0, f.Length, null, 0, 1000);
            Assert.Equal(LanCounter.DropOutputTooSmall, r.Reason);
        }

        [Fact]
        public void DeclineStormIsBoundedAndThePoolStaysServed()
        {
            // Each attacker MAC takes an address and declines it. At most MaxDeclined addresses are
            // out of use at once; older declines are recycled; honest clients are still served.
            var lan = Services(leases: 16);
            int max = 16 / 4;
            for (int i = 0; i < 200; i++)
            {
                string mac = "0266" + i.ToString("x8");
                var r = Send(lan, FromClient(Bootp(DiscoverOptions, mac: mac), Hex(mac)), 1000 + i);
                Assert.Equal(LanAction.Reply, r.Action);
                uint ip = Endian.Read32(output, 42 + 16);
                string req = "3204" + ip.ToString("x8");
                Assert.Equal(LanAction.Reply, Send(lan, FromClient(Bootp("350103 " + req + "3604c0a80401 ff", mac: mac), Hex(mac)), 1000 + i).Action);
                Assert.Equal(LanAction.Consumed, Send(lan, FromClient(Bootp("350104 " + req + "3604c0a80401 ff", mac: mac), Hex(mac)), 1000 + i).Action);
                int declined = 0;
                for (int s = 0; s < lan.LeaseCount; s++)
                    if (lan.FormatLease(s, 1000 + i).Contains("declined")) declined++;
                Assert.True(declined <= max, "declined " + declined);
            }
            Assert.Equal(200, lan.Counters[LanCounter.DhcpDeclines]);
            Assert.Equal(200 - max, lan.Counters[LanCounter.DhcpDeclinedRecycled]);
            // Declines for addresses the sender does not hold change nothing.
            for (int i = 0; i < 50; i++)
            {
                var r = Send(lan, FromClient(Bootp("350104 3204c0a804" + (100 + i).ToString("x2") + " ff", mac: "0277000000" + i.ToString("x2")), Hex("0277000000" + i.ToString("x2"))));
                Assert.Equal(LanAction.Consumed, r.Action);
            }
            Assert.Equal(50, lan.Counters[LanCounter.IgnoredDhcpDeclineUnknown]);
            // 12 honest clients still get addresses and leases.
            for (int i = 0; i < 12; i++)
            {
                string mac = "0288000000" + i.ToString("x2");
                Assert.Equal(LanAction.Reply, Send(lan, FromClient(Bootp(DiscoverOptions, mac: mac), Hex(mac)), 5000).Action);
                uint ip = Endian.Read32(output, 42 + 16);
                Assert.Equal(LanAction.Reply, Send(lan, FromClient(Bootp("350103 3204" + ip.ToString("x8") + "3604c0a80401 ff", mac: mac), Hex(mac)), 5000).Action);
                Assert.Equal(DhcpMessage.Ack, output[42 + 242]);
            }
        }

        [Fact]
        public void UnknownClientRequestsAndMismatchesAreCountedNotThrown()
        {
            var lan = Services();
            // SELECTING without an offer: NAK.
            var r = Send(lan, FromClient(Bootp("350103 3204c0a80464 3604c0a80401 ff")));
            Assert.Equal(LanAction.Reply, r.Action);
            Assert.Equal(DhcpMessage.Nak, output[42 + 242]);
            // SELECTING without option 50; REQUEST with ciaddr and option 50: malformed requests.
            Assert.Equal(LanCounter.DropDhcpBadRequest, Send(lan, FromClient(Bootp("350103 3604c0a80401 ff"))).Reason);
            Assert.Equal(LanCounter.DropDhcpBadRequest, Send(lan, FromClient(Bootp("350103 3204c0a80464 ff", ciaddr: "c0a80464"))).Reason);
            Assert.Equal(LanCounter.DropDhcpBadRequest, Send(lan, FromClient(Bootp("350103 ff"))).Reason);
            Assert.Equal(LanCounter.DropDhcpBadRequest, Send(lan, FromClient(Bootp("350108 ff"))).Reason);
        }
    }
}

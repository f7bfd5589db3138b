using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>
    /// Source address validation of packets the router would forward (RFC 7039; RFC 6620 for
    /// IPv6) and the return path to bound MACs: the attacks of the hostile-LAN field test.
    /// </summary>
    public class SourceValidationTests
    {
        static readonly byte[] Attacker = Hex("02badbadbad1");
        static readonly byte[] Other = Hex("02aabbccdd02");
        static readonly uint Remote = V4("93.184.216.34");
        readonly byte[] output = new byte[1514];

        /// <summary>DISCOVER then REQUEST for the MAC; returns the address ACKed.</summary>
        uint Lease(LanServices lan, byte[] mac, long now)
        {
            string m = ToHex(mac, 0, 6);
            var f = FromClient(Bootp("350101 ff", mac: m), mac);
            Assert.Equal(LanAction.Reply, HandleThroughProbe(lan, f, output, now).Action); // the OFFER follows the ARP probe
            uint ip = Endian.Read32(output, 42 + 16);
            f = FromClient(Bootp("350103 3204" + ip.ToString("x8") + "3604c0a80401 ff", mac: m), mac);
            Assert.Equal(LanAction.Reply, lan.Handle(f, 0, f.Length, output, 0, now).Action);
            Assert.Equal(DhcpMessage.Ack, output[42 + 242]);
            return ip;
        }

        LanResult Forward4(LanServices lan, byte[] mac, uint src, long now, out LanPacket packet)
        {
            var f = Udp4Frame(RouterMac, mac, src, Remote, 40000, 443, new byte[16]);
            EthernetFrame.TryCreate(f, 0, f.Length, out var eth);
            return lan.Handle(eth, output, 0, now, out packet);
        }

        LanResult Forward6(LanServices lan, byte[] mac, byte[] src, long now, out LanPacket packet)
        {
            // An ICMPv6 echo request to a remote address: forwarded, so validated.
            var f = Icmp6Frame(RouterMac, mac, src, Hex("20010db8000100000000000000000034"), 64, Hex("80 00 0000 0001 0001 6162"));
            EthernetFrame.TryCreate(f, 0, f.Length, out var eth);
            return lan.Handle(eth, output, 0, now, out packet);
        }

        static byte[] Ula(int host) { var a = Hex("fd000001000200030000000000000000"); a[15] = (byte)host; a[14] = 0x10; return a; }

        [Fact]
        public void Ipv4SourcesMustBeLeasedToTheSendingMac()
        {
            var lan = Services();
            uint ip = Lease(lan, ClientMac, 10);
            Assert.Equal(LanAction.NotForUs, Forward4(lan, ClientMac, ip, 20, out var ok).Action);
            Assert.Equal(4, ok.Version);
            Assert.True(ok.Device >= 0);
            Assert.Equal(ip, ok.Ip4.Source);

            // The hijack of the field test: another MAC sends from the victim's address.
            var r = Forward4(lan, Attacker, ip, 30, out var bad);
            Assert.Equal(LanAction.Dropped, r.Action);
            Assert.Equal(LanCounter.DropSourceLeasedElsewhere, r.Reason);
            Assert.Equal(-1, bad.Device);

            // The other spoofed sources of the field test: none is leased to anybody.
            foreach (string src in new[] { "8.8.8.8", "10.250.1.2", "192.168.4.255", "192.168.4.1", "192.168.4.150", "0.0.0.0" })
                Assert.Equal(LanCounter.DropSourceUnboundV4, Forward4(lan, Attacker, V4(src), 40, out _).Reason);
            Assert.Equal(6, lan.Counters[LanCounter.DropSourceUnboundV4]);
            Assert.Equal(1, lan.Counters[LanCounter.DropSourceLeasedElsewhere]);
        }

        [Fact]
        public void AStaticLeaseBindsItsAddressWithoutDhcp()
        {
            var config = LanConfigFor();
            config.AddStaticLease(Other, 0, V4("192.168.4.50"));
            var lan = Services(config);
            Assert.Equal(LanAction.NotForUs, Forward4(lan, Other, V4("192.168.4.50"), 1, out _).Action);
            Assert.Equal(LanCounter.DropSourceUnboundV4, Forward4(lan, Attacker, V4("192.168.4.50"), 2, out _).Reason);
            var mac = new byte[6];
            Assert.True(lan.TryGetBoundMac(V4("192.168.4.50"), mac, 0, 3));
            Assert.Equal(Other, mac);
        }

        [Fact]
        public void Ipv6AddressesAreFirstComeFirstServed()
        {
            var lan = Services();
            Assert.Equal(LanAction.NotForUs, Forward6(lan, ClientMac, Ula(7), 10, out var first).Action);
            Assert.Equal(6, first.Version);
            Assert.Equal(LanCounter.DropSourceBoundElsewhere, Forward6(lan, Attacker, Ula(7), 20, out _).Reason);
            // The owner keeps using it; a second address of its own binds to the same device.
            Assert.Equal(LanAction.NotForUs, Forward6(lan, ClientMac, Ula(8), 30, out var second).Action);
            Assert.Equal(first.Device, second.Device);
            Assert.Equal(2, lan.Ipv6BindingCount);
            // Foreign prefixes and the router's own addresses are never a LAN device's source.
            Assert.Equal(LanCounter.DropSourceForeignPrefix, Forward6(lan, Attacker, Hex("20010db8000400000000000000000011"), 40, out _).Reason);
            Assert.Equal(LanCounter.DropSourceRouterAddress, Forward6(lan, Attacker, lan.Config.RouterUla, 50, out _).Reason);
            Assert.Equal(LanCounter.DropSourceRouterAddress, Forward6(lan, Attacker, lan.Config.RouterLinkLocal, 60, out _).Reason);
            var mac = new byte[6];
            Assert.True(lan.TryGetBoundMac(Ula(7), 0, mac, 0, 70));
            Assert.Equal(ClientMac, mac);
            Assert.False(lan.TryGetBoundMac(Ula(9), 0, mac, 0, 70));
        }

        [Fact]
        public void ABindingLapsesAfterItsLifetimeOfSilence()
        {
            var lan = Services();
            Assert.Equal(LanAction.NotForUs, Forward6(lan, ClientMac, Ula(7), 0, out _).Action);
            long later = Ipv6SourceBindings.Lifetime; // exactly the lifetime: still the client's
            Assert.Equal(LanCounter.DropSourceBoundElsewhere, Forward6(lan, Attacker, Ula(7), later, out _).Reason);
            Assert.Equal(LanAction.NotForUs, Forward6(lan, Attacker, Ula(7), later + Ipv6SourceBindings.Lifetime + 1, out _).Action);
            var mac = new byte[6];
            Assert.True(lan.TryGetBoundMac(Ula(7), 0, mac, 0, later + Ipv6SourceBindings.Lifetime + 2));
            Assert.Equal(Attacker, mac);
        }

        [Fact]
        public void ADadProbeClaimsItsTargetFirst()
        {
            var lan = Services();
            var target = Ula(12);
            var unspecified = new byte[16];
            var solicited = Hex("ff0200000000000000000001ff000000");
            solicited[13] = target[13]; solicited[14] = target[14]; solicited[15] = target[15];
            var ns = Icmp6Frame(Hex("3333ff00100c"), Other, unspecified, solicited, 255, Hex("8700 0000 00000000" + ToHex(target, 0, 16)));
            Assert.NotEqual(LanAction.Dropped, lan.Handle(ns, 0, ns.Length, output, 0, 5).Action);
            Assert.Equal(1, lan.Ipv6BindingCount);
            // Someone else starts using the address before its owner does: refused.
            Assert.Equal(LanCounter.DropSourceBoundElsewhere, Forward6(lan, Attacker, target, 6, out _).Reason);
            Assert.Equal(LanAction.NotForUs, Forward6(lan, Other, target, 7, out _).Action);
        }

        [Fact]
        public void FullTablesRefuseNewcomersAndCountIt()
        {
            var config = LanConfigFor();
            var lan = new LanServices(config, 16, 16, 16, null, null, 0, 2, 2);
            Assert.Equal(LanAction.NotForUs, Forward6(lan, ClientMac, Ula(1), 1, out _).Action);
            Assert.Equal(LanAction.NotForUs, Forward6(lan, Other, Ula(2), 2, out _).Action);
            Assert.Equal(LanCounter.DropSourceBindingTableFull, Forward6(lan, Other, Ula(3), 3, out _).Reason);
            Assert.Equal(LanCounter.DropSourceDeviceTableFull, Forward6(lan, Attacker, Ula(4), 4, out _).Reason);
            // A binding whose device fell silent makes room after its lifetime.
            Assert.Equal(LanAction.NotForUs, Forward6(lan, Other, Ula(3), 3 + Ipv6SourceBindings.Lifetime + 1, out _).Action);
        }

        [Fact]
        public void OneDeviceCannotTakeEveryBinding()
        {
            var lan = new LanServices(LanConfigFor(), 16, 16, 16, null, null, 0, 8, 64);
            for (int i = 1; i <= 20; i++)
            {
                var r = Forward6(lan, Attacker, Ula(i), i, out _);
                Assert.Equal(i <= Ipv6SourceBindings.MaxPerDevice ? LanAction.NotForUs : LanAction.Dropped, r.Action);
            }
            Assert.Equal(20 - Ipv6SourceBindings.MaxPerDevice, lan.Counters[LanCounter.DropSourceDeviceBindingLimit]);
            Assert.Equal(LanAction.NotForUs, Forward6(lan, ClientMac, Ula(99), 30, out _).Action); // room for the others
        }

        [Fact]
        public void ADeviceWithALeaseIsNamedInTheReplyAndIdleDevicesCanBeForgotten()
        {
            var lan = Services();
            string m = ToHex(ClientMac, 0, 6);
            var f = FromClient(Bootp("350101 ff", mac: m), ClientMac);
            Assert.Equal(LanAction.Reply, HandleThroughProbe(lan, f, output, 1).Action);
            uint ip = Endian.Read32(output, 42 + 16);
            f = FromClient(Bootp("350103 3204" + ip.ToString("x8") + "3604c0a80401 ff", mac: m), ClientMac);
            EthernetFrame.TryCreate(f, 0, f.Length, out var eth);
            Assert.Equal(LanAction.Reply, lan.Handle(eth, output, 0, 2, out var ack).Action);
            Assert.True(ack.Device >= 0); // bound now: present for the NAT's reserve
            Assert.False(lan.IsDeviceIdle(ack.Device, 2 + 3600_000, 60_000)); // it holds a lease
            // A device that only ever used an IPv6 address, silent past the binding's lifetime.
            Forward6(lan, Other, Ula(5), 10, out var v6);
            Assert.False(lan.IsDeviceIdle(v6.Device, 20, 60_000));
            long late = 10 + Ipv6SourceBindings.Lifetime + 1;
            Assert.True(lan.IsDeviceIdle(v6.Device, late, 60_000));
            lan.ForgetDevice(v6.Device);
            Assert.False(lan.Devices.IsUsed(v6.Device));
        }
    }
}

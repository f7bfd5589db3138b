using Warp.Protocol.Config;
using Xunit;
using static Warp.Protocol.Tests.ConfigFile.ConfigSamples;

namespace Warp.Protocol.Tests.ConfigFile
{
    /// <summary>One test per error the parser and validator report: the line number and the message, exactly.</summary>
    public class ConfigValidationTests
    {
        static void OnlyError(string text, string expected)
        {
            ConfigDiagnostics d = Diagnose(text);
            Assert.True(d.ErrorCount == 1, "expected one error, got:\n" + d);
            Assert.Equal(expected, d.Error(0).ToString());
        }

        [Fact] public void UnknownSection() =>
            OnlyError(Minimal(router: "[Wifi]\nSsid = hotel"),
                "line 10: unknown section [Wifi] (expected [Interface], [Peer] or [Router]); its keys are skipped");

        [Fact] public void BadSectionHeader() =>
            OnlyError(Minimal(router: "[Router"), "line 10: a section header must be [Interface], [Peer] or [Router]");

        [Fact] public void UnknownKey() =>
            OnlyError(Minimal(iface: "PrivteKey = abc"), "line 4: PrivteKey: unknown key in [Interface]");

        [Fact] public void LinuxOnlyKeyIsAWarningNotAnError()
        {
            ConfigDiagnostics d = Diagnose(Minimal(iface: "SaveConfig = true"));
            Assert.Equal(0, d.ErrorCount);
            Assert.Equal("line 4: SaveConfig: ignored (only wg-quick on Linux uses it)", d.Warning(0).ToString());
        }

        [Fact] public void LinuxOnlyKeyOutsideInterfaceIsUnknown() =>
            OnlyError(Minimal(peer: "PostUp = true"), "line 8: PostUp: unknown key in [Peer]");

        [Fact] public void KeyInTheWrongSection() =>
            OnlyError(Minimal(peer: "MTU = 1400"), "line 8: MTU: belongs in [Interface], not [Peer]");

        [Fact] public void KeyOutsideAnySection() =>
            OnlyError("MTU = 1280\n" + Minimal(), "line 1: MTU: outside any section (put it under [Interface], [Peer] or [Router])");

        [Fact] public void LineWithoutEquals() =>
            OnlyError(Minimal(iface: "MTU 1280"), "line 4: expected \"Key = Value\" or a [Section] header");

        [Fact] public void EmptyValue() =>
            OnlyError(Minimal(iface: "MTU ="), "line 4: MTU: no value");

        [Fact] public void DuplicateSingleton() =>
            OnlyError(Minimal(iface: "PrivateKey = " + PrivateKey), "line 4: PrivateKey: given twice in one section (first on line 2)");

        [Fact] public void DuplicateSingletonInASecondPeerIsFine()
        {
            // PublicKey once per [Peer]: two peers with one each is not a duplicate.
            Assert.Equal(0, Diagnose(Minimal() + "[Peer]\nPublicKey = " + OurPublicKey + "\n").ErrorCount);
        }

        [Fact] public void DuplicateInterfaceSection() =>
            OnlyError(Minimal(router: "[Interface]\nMTU = 1400"), "line 10: [Interface] given twice (first on line 1); this one is skipped");

        [Fact] public void DuplicatePeerPublicKey() =>
            OnlyError(Minimal(router: "[Peer]\nPublicKey = " + PeerPublicKey), "line 10: [Peer]: the same PublicKey as the [Peer] on line 5");

        [Fact] public void PrivateKeyNotBase64() =>
            OnlyError(Minimal().Replace("PrivateKey = " + PrivateKey, "PrivateKey = not-a-key"), "line 2: PrivateKey: not 32 bytes of base64");

        [Fact] public void PrivateKeyWrongLength() =>
            OnlyError(Minimal().Replace("PrivateKey = " + PrivateKey, "PrivateKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), "line 2: PrivateKey: not 32 bytes of base64");

        [Fact] public void PresharedKeyBad() =>
            OnlyError(Minimal(peer: "PresharedKey = " + PrivateKey.Substring(1)), "line 8: PresharedKey: not 32 bytes of base64");

        [Fact] public void MissingPrivateKey() =>
            OnlyError(Minimal().Replace("PrivateKey = " + PrivateKey, ""), "line 1: [Interface]: PrivateKey is missing");

        [Fact] public void MissingAddress() =>
            OnlyError(Minimal().Replace("Address = 172.16.0.2/32, 2606:4700:110:8a5c::2/128", ""),
                "line 1: [Interface]: Address is missing (the tunnel's own address, e.g. 172.16.0.2/32)");

        [Fact] public void MissingInterfaceSection() =>
            OnlyError("[Peer]\nPublicKey = " + PeerPublicKey + "\nEndpoint = 162.159.192.1:2408\n", "file: no [Interface] section (it holds PrivateKey and Address)");

        [Fact] public void MissingPeerSection() =>
            OnlyError("[Interface]\nPrivateKey = " + PrivateKey + "\nAddress = 172.16.0.2/32\n",
                "file: no [Peer] section (the router needs the edge's PublicKey and Endpoint)");

        [Fact] public void PeerWithoutPublicKey() =>
            OnlyError(Minimal().Replace("PublicKey = " + PeerPublicKey, ""), "line 5: [Peer]: PublicKey is missing");

        [Fact] public void FirstPeerWithoutEndpoint() =>
            OnlyError(Minimal().Replace("Endpoint = 162.159.192.1:2408", ""),
                "line 5: [Peer]: Endpoint is missing (the router starts the handshake, so it needs the edge's address)");

        [Theory]
        [InlineData("MTU = 1501", "line 4: MTU: not a number from 576 to 1500")]
        [InlineData("MTU = -1", "line 4: MTU: not a number from 576 to 1500")]
        [InlineData("MTU = 99999999999", "line 4: MTU: not a number from 576 to 1500")]
        [InlineData("ListenPort = 65536", "line 4: ListenPort: not a port number (0-65535)")]
        [InlineData("Address = 172.16.0.2/33", "line 4: Address: \"172.16.0.2/33\" is not an IPv4 or IPv6 address with an optional /prefix")]
        [InlineData("Address = 172.16.0.2, ", "line 4: Address: an empty item in the list")]
        [InlineData("DNS = one.one.one.one", "line 4: DNS: \"one.one.one.one\" is not an IP address (host names and search domains are not supported)")]
        [InlineData("DNS = 1.1.1.1/32", "line 4: DNS: \"1.1.1.1/32\" is not an IP address (host names and search domains are not supported)")]
        public void InterfaceValuesOutOfRange(string line, string expected) => OnlyError(Minimal(iface: line), expected);

        [Theory]
        [InlineData("PersistentKeepalive = 65536", "line 8: PersistentKeepalive: not 0-65535 seconds or \"off\"")]
        [InlineData("PersistentKeepalive = 2 5", "line 8: PersistentKeepalive: not 0-65535 seconds or \"off\"")]
        [InlineData("ClientId = 1,2,256", "line 8: ClientId: not base64 (WARP's client_id) or three decimal bytes \"b1,b2,b3\"")]
        [InlineData("Reserved = AQ==", "line 8: ClientId: not base64 (WARP's client_id) or three decimal bytes \"b1,b2,b3\"")]
        [InlineData("Endpoint = 162.159.192.1", "line 8: Endpoint: \"162.159.192.1\": expected host:port")]
        [InlineData("Endpoint = 162.159.192.1:0", "line 8: Endpoint: \"162.159.192.1:0\": port is not 1-65535")]
        [InlineData("Endpoint = 2606:4700:d0::a29f:c001:2408", "line 8: Endpoint: \"2606:4700:d0::a29f:c001:2408\": an IPv6 address needs brackets: [address]:port")]
        [InlineData("Endpoint = [2606:4700:d0::a29f:c001]", "line 8: Endpoint: \"[2606:4700:d0::a29f:c001]\": expected [IPv6 address]:port")]
        [InlineData("Endpoint = [162.159.192.1]:2408", "line 8: Endpoint: \"[162.159.192.1]:2408\": not an IPv6 address in brackets")]
        [InlineData("Endpoint = bad_host.example:2408", "line 8: Endpoint: \"bad_host.example:2408\": not an IPv4 address or a host name")]
        [InlineData("Endpoint = 162.159.192.256:2408", "line 8: Endpoint: \"162.159.192.256:2408\": not an IPv4 address or a host name")]
        [InlineData("AllowedIPs = 0.0.0.0/0, ::/129", "line 8: AllowedIPs: \"::/129\" is not an address/prefix")]
        public void PeerValuesOutOfRange(string line, string expected) => OnlyError(Minimal(peer: line), expected);

        [Theory]
        [InlineData("LanAddress = 192.168.42.1", "line 10: LanAddress: not an IPv4 address with a prefix length (e.g. 192.168.42.1/24)")]
        [InlineData("LanAddress = 192.168.42.1/31", "line 10: LanAddress: the prefix length must be /8 to /30")]
        [InlineData("LanAddress = 192.168.42.0/24", "line 10: LanAddress: the router needs a host address, not the subnet's network or broadcast address")]
        [InlineData("LanAddress = 192.168.42.255/24", "line 10: LanAddress: the router needs a host address, not the subnet's network or broadcast address")]
        [InlineData("UlaPrefix = fd42:4242:4242:1::/48", "line 10: UlaPrefix: must be a /64 (SLAAC needs 64-bit interface ids)")]
        [InlineData("UlaPrefix = 2001:db8::/64", "line 10: UlaPrefix: not a unique local prefix (fd00::/8, RFC 4193)")]
        [InlineData("UlaPrefix = fd42::1/64", "line 10: UlaPrefix: the bits after /64 must be zero")]
        [InlineData("DhcpLeaseTime = 1m", "line 10: DhcpLeaseTime: not a duration from 2m to 7d (seconds, or a number with s, m, h or d)")]
        [InlineData("DhcpLeaseTime = 8d", "line 10: DhcpLeaseTime: not a duration from 2m to 7d (seconds, or a number with s, m, h or d)")]
        [InlineData("DhcpLeaseTime = 5x", "line 10: DhcpLeaseTime: not a duration from 2m to 7d (seconds, or a number with s, m, h or d)")]
        [InlineData("NatEntries = 15", "line 10: NatEntries: not a number from 16 to 16384")]
        [InlineData("NatUdpTimeout = 4s", "line 10: NatUdpTimeout: not a duration from 5s to 7d (seconds, or a number with s, m, h or d)")]
        [InlineData("NatHostShare = 0", "line 10: NatHostShare: not a percentage from 1 to 100")]
        [InlineData("NatHostShare = 101%", "line 10: NatHostShare: not a percentage from 1 to 100")]
        [InlineData("DnsRedirect = maybe", "line 10: DnsRedirect: not on/off (true/false, yes/no, 1/0)")]
        [InlineData("LanInterface = eth0 br0", "line 10: LanInterface: not a Linux interface name (1-15 letters, digits, '-', '_' or '.')")]
        [InlineData("Resolver = dns.google", "line 10: Resolver: \"dns.google\" is not an IP address")]
        [InlineData("StaticLease = 02:00:00:00:00:01", "line 10: StaticLease: expected \"aa:bb:cc:dd:ee:ff, a.b.c.d\"")]
        [InlineData("StaticLease = 02:00:00:00:00, 192.168.42.5", "line 10: StaticLease: not a MAC address (aa:bb:cc:dd:ee:ff)")]
        [InlineData("StaticLease = 01:00:5e:00:00:01, 192.168.42.5", "line 10: StaticLease: a multicast MAC address cannot hold a lease")]
        [InlineData("StaticLease = 02:00:00:00:00:01, fd00::5", "line 10: StaticLease: not an IPv4 address")]
        public void RouterValuesOutOfRange(string line, string expected) => OnlyError(Minimal(router: line), expected);

        [Fact]
        public void ShortNatTimerIsAWarning()
        {
            ConfigDiagnostics d = Diagnose(Minimal(router: "NatUdpTimeout = 30s"));
            Assert.Equal(0, d.ErrorCount);
            Assert.Equal("line 10: NAT timer of 30 s is short: RFC 4787 REQ-5 asks for at least 2 minutes", d.Warning(0).ToString());
        }

        [Fact] public void MtuBelow1280WithIpv6() =>
            OnlyError(Minimal(iface: "MTU = 1279"), "line 4: MTU: 1279 is below 1280, the minimum for IPv6 (line 3 gives an IPv6 Address)");

        [Fact]
        public void MtuBelow1280WithoutIpv6IsFine()
        {
            string v4Only = Minimal(iface: "MTU = 1000").Replace(", 2606:4700:110:8a5c::2/128", "");
            Assert.Equal(1000, ParseOk(v4Only).Interface.Mtu);
        }

        [Fact] public void PoolStartOutsideLan() =>
            OnlyError(Minimal(router: "DhcpPoolStart = 192.168.43.10\nDhcpPoolEnd = 192.168.42.20"),
                "line 10: DhcpPoolStart: 192.168.43.10 is outside the LAN 192.168.42.0/24");

        [Fact] public void PoolEndIsBroadcast() =>
            OnlyError(Minimal(router: "DhcpPoolStart = 192.168.42.10\nDhcpPoolEnd = 192.168.42.255"),
                "line 11: DhcpPoolEnd: 192.168.42.255 is the broadcast address of the LAN 192.168.42.0/24");

        [Fact] public void PoolStartAfterEnd() =>
            OnlyError(Minimal(router: "DhcpPoolStart = 192.168.42.50\nDhcpPoolEnd = 192.168.42.20"),
                "line 11: DhcpPoolEnd: 192.168.42.20 comes before DhcpPoolStart 192.168.42.50 (line 10)");

        [Fact] public void PoolContainsTheRouter() =>
            OnlyError(Minimal(router: "LanAddress = 10.1.0.1/16\nDhcpPoolStart = 10.1.0.1\nDhcpPoolEnd = 10.1.0.200"),
                "line 11: DhcpPoolStart: the pool 10.1.0.1-10.1.0.200 contains the router's address 10.1.0.1");

        [Fact] public void PoolHalfGiven() =>
            OnlyError(Minimal(router: "DhcpPoolEnd = 192.168.42.20"), "line 10: DhcpPoolEnd: given without DhcpPoolStart");

        [Fact] public void PoolIsCheckedAgainstALanGivenAfterIt() =>
            OnlyError(Minimal(router: "DhcpPoolStart = 192.168.42.10\nDhcpPoolEnd = 10.0.0.20\nLanAddress = 10.0.0.1/24"),
                "line 10: DhcpPoolStart: 192.168.42.10 is outside the LAN 10.0.0.0/24");

        [Fact] public void StaticLeaseOutsideLan() =>
            OnlyError(Minimal(router: "StaticLease = 02:00:00:00:00:01, 10.0.0.5"), "line 10: StaticLease: 10.0.0.5 is outside the LAN 192.168.42.0/24");

        [Fact] public void StaticLeaseOnTheRouter() =>
            OnlyError(Minimal(router: "StaticLease = 02:00:00:00:00:01, 192.168.42.1"), "line 10: StaticLease: 192.168.42.1 is the router's own address");

        [Fact] public void StaticLeaseDuplicateMac() =>
            OnlyError(Minimal(router: "StaticLease = 02:00:00:00:00:01, 192.168.42.5\nStaticLease = 02:00:00:00:00:01, 192.168.42.6"),
                "line 11: StaticLease: 02:00:00:00:00:01 already has a lease on line 10");

        [Fact] public void StaticLeaseDuplicateAddress() =>
            OnlyError(Minimal(router: "StaticLease = 02:00:00:00:00:01, 192.168.42.5\nStaticLease = 02:00:00:00:00:02, 192.168.42.5"),
                "line 11: StaticLease: 192.168.42.5 is already leased on line 10");

        [Fact] public void LineTooLong() =>
            OnlyError(Minimal(iface: "# " + new string('x', 1100)), "line 4: line longer than 1024 characters");

        [Fact] public void FileTooLarge() =>
            OnlyError(Minimal() + new string('#', 40000), "file: larger than 32768 characters");

        [Fact]
        public void SeveralErrorsAreAllReported()
        {
            string text =
                "[Interface]\n" +                                // 1
                "PrivateKey = short\n" +                         // 2
                "Address = 172.16.0.2/32, 2606:4700::2/128\n" +  // 3
                "MTU = 1200\n" +                                 // 4
                "Colour = blue\n" +                              // 5
                "[Peer]\n" +                                     // 6
                "Endpoint = 162.159.192.1:99999\n" +             // 7
                "[Router]\n" +                                   // 8
                "DhcpPoolStart = 192.168.42.1\n" +               // 9
                "DhcpPoolEnd = 192.168.42.50\n" +                // 10
                "StaticLease = 02:00:00:00:00:01, 10.0.0.1\n" +  // 11
                "[Extra]\n";                                     // 12
            ConfigDiagnostics d = Diagnose(text);
            string[] expected =
            {
                "line 2: PrivateKey: not 32 bytes of base64",
                "line 5: Colour: unknown key in [Interface]",
                "line 7: Endpoint: \"162.159.192.1:99999\": port is not 1-65535",
                "line 12: unknown section [Extra] (expected [Interface], [Peer] or [Router]); its keys are skipped",
                "line 4: MTU: 1200 is below 1280, the minimum for IPv6 (line 3 gives an IPv6 Address)",
                "line 6: [Peer]: PublicKey is missing",
                "line 9: DhcpPoolStart: the pool 192.168.42.1-192.168.42.50 contains the router's address 192.168.42.1",
                "line 11: StaticLease: 10.0.0.1 is outside the LAN 192.168.42.0/24",
            };
            Assert.True(expected.Length == d.ErrorCount, d.ToString());
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], d.Error(i).ToString());
        }

        [Fact]
        public void ErrorsBeyondTheMaximumAreCounted()
        {
            string text = Minimal(iface: string.Concat(System.Linq.Enumerable.Repeat("Bogus = 1\n", 40)));
            ConfigDiagnostics d = Diagnose(text);
            Assert.Equal(40, d.ErrorCount);
            Assert.Equal(ConfigDiagnostics.MaxErrors, d.StoredErrorCount);
            Assert.Equal(40 - ConfigDiagnostics.MaxErrors, d.ErrorsDropped);
            Assert.Contains("24 more error(s) not shown", d.ToString());
        }

        [Fact]
        public void MessagesNeverQuoteAKey()
        {
            // A key with one character wrong, under a misspelt name, twice, and where it does not belong.
            string bad = PrivateKey.Substring(0, 42) + "!=";
            string text = Minimal(iface: "PrivateKey = " + bad, peer: "PrivatKey = " + PrivateKey, router: "PresharedKey = " + PresharedKey);
            ConfigDiagnostics d = Diagnose(text);
            Assert.True(d.ErrorCount >= 3);
            string all = d.ToString();
            Assert.DoesNotContain(PrivateKey.Substring(0, 20), all);
            Assert.DoesNotContain(PresharedKey.Substring(0, 20), all);
        }

        [Fact]
        public void SecretsPastedInTheWrongPlaceAreNotQuoted()
        {
            string text = Minimal(
                iface: PrivateKey + "\n" + PrivateKey.TrimEnd('=') + " = x\nDNS = " + PrivateKey + "\nAddress = " + PrivateKey.Substring(0, 30),
                peer: "Endpoint = " + PresharedKey + ":51820, " + PresharedKey.TrimEnd('='),
                router: "[" + PresharedKey + "]\n");
            ConfigDiagnostics d = Diagnose(text);
            Assert.True(d.ErrorCount >= 6, d.ToString());
            string all = d.ToString();
            // A key alone on a line ends in '=', so it reads as a key name (the key) with no value.
            Assert.Contains("line 4: (not shown): unknown key in [Interface]", all);
            Assert.Contains("line 5: (not shown): unknown key in [Interface]", all);
            Assert.Contains("line 6: DNS: an item (not shown) is not an IP address", all);
            WgQuickWriterTests.AssertNoSecret(all, PrivateKey);
            WgQuickWriterTests.AssertNoSecret(all, PresharedKey);
        }
    }
}

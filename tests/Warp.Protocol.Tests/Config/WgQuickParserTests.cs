using System;
using Warp.Protocol.Config;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;
using static Warp.Protocol.Tests.ConfigFile.ConfigSamples;

namespace Warp.Protocol.Tests.ConfigFile
{
    public class WgQuickParserTests
    {
        [Fact]
        public void WarpFileFillsTunnelAndPeerConfig()
        {
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(WarpFile, d);
            Assert.NotNull(s);
            // PostUp (line 8) is accepted with a warning only.
            Assert.Equal(0, d.ErrorCount);
            Assert.Equal(1, d.WarningCount);
            Assert.Equal("line 8: PostUp: ignored (only wg-quick on Linux uses it)", d.Warning(0).ToString());

            TunnelConfig tc = s.ToTunnelConfig();
            Assert.Equal(Convert.FromBase64String(PrivateKey), tc.PrivateKey);
            Assert.NotSame(s.Interface.PrivateKey, tc.PrivateKey); // a copy: the settings can be cleared
            Assert.Equal(1280, tc.MaxPacketSize);
            Assert.Equal(1, tc.MaxPeers);

            PeerConfig pc = s.ToPeerConfig(0);
            Assert.Equal(Convert.FromBase64String(PeerPublicKey), pc.PublicKey);
            Assert.Equal(Convert.FromBase64String(PresharedKey), pc.PresharedKey);
            Assert.Equal(0xabcdef, pc.ClientId);
            Assert.Equal(25, pc.PersistentKeepaliveSeconds);
            // The first literal endpoint; the host name before it is left for the host to resolve.
            Assert.Equal("162.159.192.1:2408", pc.Endpoint.ToString());

            PeerSettings peer = s.Peer;
            Assert.Equal(3, peer.Endpoints.Length);
            Assert.True(peer.Endpoints[0].IsHostName);
            Assert.Equal("engage.cloudflareclient.com", peer.Endpoints[0].Host);
            Assert.Equal(2408, peer.Endpoints[0].Port);
            Endpoint v6 = peer.FirstLiteral(Endpoint.FamilyIpv6);
            Assert.Equal(Endpoint.FamilyIpv6, v6.Family);
            Assert.Equal(new byte[] { 0x26, 0x06, 0x47, 0x00, 0, 0xd0, 0, 0, 0, 0, 0, 0, 0xa2, 0x9f, 0xc0, 0x01 }, v6.Address);
            Assert.Equal(2408, v6.Port);
            Assert.Equal("[2606:4700:d0::a29f:c001]:2408", peer.Endpoints[2].ToString());
            Assert.Equal("0.0.0.0/0", peer.AllowedIps[0].ToString());
            Assert.Equal("::/0", peer.AllowedIps[1].ToString());

            Assert.Equal("172.16.0.2/32", s.Interface.FirstAddress(4).ToString());
            Assert.Equal("2606:4700:110:8a5c::2/128", s.Interface.FirstAddress(6).ToString());
            Assert.Equal(2, s.Interface.Dns.Length);

            LanSettings lan = s.Lan;
            Assert.Equal("192.168.42.1/24", lan.Address.ToString());
            Assert.Equal("fd42:4242:4242:1::/64", lan.UlaPrefix.ToString());
            Assert.Equal("192.168.42.100", lan.DhcpPoolStart.AddressToString());
            Assert.Equal("192.168.42.199", lan.DhcpPoolEnd.AddressToString());
            Assert.Equal(7200, lan.DhcpLeaseSeconds);
            Assert.Equal(2, lan.StaticLeases.Length);
            Assert.Equal("02:00:00:00:00:02, 192.168.42.150", lan.StaticLeases[1].ToString());
            // No Resolver given: the DNS servers of [Interface].
            Assert.Equal("1.1.1.1", lan.Resolvers[0].AddressToString());
            Assert.Equal("2606:4700:4700::1111", lan.Resolvers[1].AddressToString());

            NatSettings nat = s.Nat;
            Assert.Equal(512, nat.Entries);
            Assert.Equal(300, nat.UdpTimeout);
            Assert.Equal(7440, nat.TcpEstablishedTimeout);
            Assert.Equal(240, nat.TcpTransitoryTimeout);
            Assert.Equal(60, nat.IcmpTimeout);
            Assert.Equal(20, nat.DnsTimeout);
            Assert.Equal(40, nat.HostShare);
        }

        [Fact]
        public void TunnelAcceptsTheParsedConfig()
        {
            RouterSettings s = ParseOk(WarpFile);
            var tunnel = new Tunnel(s.ToTunnelConfig(), new Warp.Protocol.Crypto.ManagedCryptoBackend(), new Warp.TestKit.SeededRandom(1), new Warp.TestKit.MemoryStore());
            Assert.Equal(0, tunnel.AddPeer(s.ToPeerConfig(0)));
        }

        [Fact]
        public void ClearSecretsZeroesTheKeys()
        {
            RouterSettings s = ParseOk(WarpFile);
            byte[] priv = s.Interface.PrivateKey;
            byte[] psk = s.Peer.PresharedKey;
            s.ClearSecrets();
            Assert.Null(s.Interface.PrivateKey);
            Assert.Null(s.Peer.PresharedKey);
            Assert.All(priv, b => Assert.Equal(0, b));
            Assert.All(psk, b => Assert.Equal(0, b));
        }

        [Fact]
        public void DefaultsForAMinimalFile()
        {
            RouterSettings s = ParseOk(Minimal());
            Assert.Equal(1280, s.Interface.Mtu);
            Assert.Equal(0, s.Interface.ListenPort);
            Assert.Equal(0, s.Peer.ClientId);
            Assert.Equal(0, s.Peer.PersistentKeepalive);
            Assert.Null(s.Peer.PresharedKey);
            Assert.Equal("192.168.42.1/24", s.Lan.Address.ToString());
            Assert.Equal("192.168.42.2", s.Lan.DhcpPoolStart.AddressToString());
            Assert.Equal("192.168.42.101", s.Lan.DhcpPoolEnd.AddressToString());
            Assert.Null(s.Lan.UlaPrefix);
            Assert.True(s.Lan.DnsRedirect);
            Assert.Equal("warp-lan", s.Lan.LanInterface);
            Assert.Equal("1.1.1.1", s.Lan.Resolvers[0].AddressToString());
            Assert.Equal("2606:4700:4700::1111", s.Lan.Resolvers[1].AddressToString());
            Assert.Equal(256, s.Nat.Entries);
            Assert.Equal(300, s.Nat.UdpTimeout);
            Assert.Equal(7440, s.Nat.TcpEstablishedTimeout);
            Assert.Equal(240, s.Nat.TcpTransitoryTimeout);
            Assert.Equal(60, s.Nat.IcmpTimeout);
            Assert.Equal(30, s.Nat.DnsTimeout);
            Assert.Equal(50, s.Nat.HostShare);
            // Without [Router] at all the same defaults hold.
            string noRouter = Minimal().Replace("[Router]\n", "");
            Assert.Equal("192.168.42.2", ParseOk(noRouter).Lan.DhcpPoolStart.AddressToString());
        }

        [Theory]
        [InlineData("10.0.0.1/24", "10.0.0.2", "10.0.0.101")]
        [InlineData("10.0.0.254/24", "10.0.0.1", "10.0.0.100")]   // the larger side is below the router
        [InlineData("10.0.0.1/29", "10.0.0.2", "10.0.0.6")]
        [InlineData("10.0.0.2/30", "10.0.0.1", "10.0.0.1")]
        public void DefaultPoolAvoidsTheRouter(string lan, string start, string end)
        {
            RouterSettings s = ParseOk(Minimal(router: "LanAddress = " + lan));
            Assert.Equal(start, s.Lan.DhcpPoolStart.AddressToString());
            Assert.Equal(end, s.Lan.DhcpPoolEnd.AddressToString());
        }

        [Fact]
        public void SyntaxLikeWgQuick()
        {
            string text =
                "  ; a comment\n" +
                "\t[interface]   \n" +
                "privatekey=" + PrivateKey + "   # trailing comment\n" +
                "ADDRESS = 172.16.0.2/32 ,  2606:4700:110:8a5c::2/128\n" +
                "mtu = 1420\n" +
                "ListenPort = 51820\n" +
                "Table = off\n" +
                "[PEER]\r\n" +
                "publickey = " + PeerPublicKey + "\r\n" +
                "endpoint = ENGAGE.cloudflareclient.com:2408\r\n" +
                "persistentkeepalive = off\r\n" +
                "Reserved = [171, 205, 239]\r\n";
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(text, d);
            Assert.True(s != null, d.ToString());
            Assert.Equal(1, d.WarningCount); // Table
            Assert.Equal(7, d.Warning(0).Line);
            Assert.Equal(1420, s.Interface.Mtu);
            Assert.Equal(51820, s.Interface.ListenPort);
            Assert.Equal(2, s.Interface.Addresses.Length);
            Assert.Equal("engage.cloudflareclient.com", s.Peer.Endpoints[0].Host);
            Assert.Equal(0, s.Peer.PersistentKeepalive);
            Assert.Equal(0xabcdef, s.Peer.ClientId);
        }

        [Theory]
        [InlineData("ClientId = AQID", 0x010203)]
        [InlineData("ClientId = 1,2,3", 0x010203)]
        [InlineData("Reserved = 1, 2, 3", 0x010203)]
        [InlineData("Reserved = q83vAAAA", 0xabcdef)]
        public void ClientIdForms(string line, int expected)
        {
            Assert.Equal(expected, ParseOk(Minimal(peer: line)).Peer.ClientId);
        }

        [Theory]
        [InlineData("DhcpLeaseTime = 3600", 3600)]
        [InlineData("DhcpLeaseTime = 90m", 5400)]
        [InlineData("DhcpLeaseTime = 1d", 86400)]
        [InlineData("DhcpLeaseTime = 120s", 120)]
        public void LeaseTimeUnits(string line, int seconds)
        {
            Assert.Equal(seconds, ParseOk(Minimal(router: line)).Lan.DhcpLeaseSeconds);
        }

        [Fact]
        public void SeveralPeersTheFirstIsUsed()
        {
            string text = Minimal() + "[Peer]\nPublicKey = " + OurPublicKey + "\nEndpoint = [2606:4700:d1::1]:500\n";
            RouterSettings s = ParseOk(text);
            Assert.Equal(2, s.Peers.Length);
            Assert.Equal(Convert.FromBase64String(PeerPublicKey), s.ToPeerConfig(0).PublicKey);
            Assert.Equal(2, s.ToTunnelConfig().MaxPeers);
        }

        [Fact]
        public void HostNameOnlyPeerGetsAnUnsetEndpoint()
        {
            string text = Minimal().Replace("Endpoint = 162.159.192.1:2408", "Endpoint = engage.cloudflareclient.com:2408");
            PeerConfig pc = ParseOk(text).ToPeerConfig(0);
            Assert.NotNull(pc.Endpoint);
            Assert.False(pc.Endpoint.IsSet);
        }

        [Fact]
        public void Utf8BytesWithBomAndNonAsciiComment()
        {
            byte[] body = System.Text.Encoding.UTF8.GetBytes("# Zürich hotel ✓\n" + Minimal());
            byte[] data = new byte[body.Length + 3];
            data[0] = 0xEF; data[1] = 0xBB; data[2] = 0xBF;
            Array.Copy(body, 0, data, 3, body.Length);
            var d = new ConfigDiagnostics();
            Assert.NotNull(WgQuickParser.Parse(data, 0, data.Length, d));
        }
    }
}

using System;
using Warp.Protocol.Config;
using Xunit;
using static Warp.Protocol.Tests.ConfigFile.ConfigSamples;

namespace Warp.Protocol.Tests.ConfigFile
{
    public class WgQuickWriterTests
    {
        public static readonly TheoryData<string> Files = new TheoryData<string>
        {
            WarpFile,
            Minimal(),
            Minimal(iface: "ListenPort = 51820\nDNS = 9.9.9.9", peer: "PersistentKeepalive = 15\nReserved = 0,0,1"),
            Minimal(router: "LanAddress = 10.9.8.7/16\nDnsRedirect = no\nLanInterface = br-lan\nResolver = 9.9.9.9\nNatDnsTimeout = 90"),
            Minimal(router: "DhcpLeaseTime = 3599\nNatUdpTimeout = 1d\nNatIcmpTimeout = 61") + "[Peer]\nPublicKey = " + OurPublicKey + "\nAllowedIPs = 10.0.0.0/8\n",
            Minimal(peer: "Endpoint = [::ffff:1.2.3.4]:1, [2001:db8:0:0:1:0:0:1]:65535, a-b.example:500, 10.0.0.1:4500"),
        };

        [Theory]
        [MemberData(nameof(Files))]
        public void ExportParsesBackToEqualSettings(string text)
        {
            RouterSettings first = ParseOk(text);
            string exported = WgQuickWriter.Export(first);
            RouterSettings second = ParseOk(exported);
            Assert.True(SameSettings(first, second, "settings", out string difference), difference + "\n" + exported);
            // Canonical: exporting again gives the same text.
            Assert.Equal(exported, WgQuickWriter.Export(second));
        }

        [Fact]
        public void ExportOfTheWarpFile()
        {
            string expected =
                "[Interface]\n" +
                "PrivateKey = " + PrivateKey + "\n" +
                "Address = 172.16.0.2/32, 2606:4700:110:8a5c::2/128\n" +
                "DNS = 1.1.1.1, 2606:4700:4700::1111\n" +
                "MTU = 1280\n" +
                "\n" +
                "[Peer]\n" +
                "PublicKey = " + PeerPublicKey + "\n" +
                "PresharedKey = " + PresharedKey + "\n" +
                "ClientId = q83v  # 171,205,239\n" +
                "AllowedIPs = 0.0.0.0/0, ::/0\n" +
                "Endpoint = engage.cloudflareclient.com:2408, 162.159.192.1:2408, [2606:4700:d0::a29f:c001]:2408\n" +
                "PersistentKeepalive = 25\n" +
                "\n" +
                "[Router]\n" +
                "LanAddress = 192.168.42.1/24\n" +
                "UlaPrefix = fd42:4242:4242:1::/64\n" +
                "DhcpPoolStart = 192.168.42.100\n" +
                "DhcpPoolEnd = 192.168.42.199\n" +
                "DhcpLeaseTime = 2h\n" +
                "StaticLease = 02:00:00:00:00:01, 192.168.42.10\n" +
                "StaticLease = 02:00:00:00:00:02, 192.168.42.150\n" +
                "Resolver = 1.1.1.1, 2606:4700:4700::1111\n" +
                "DnsRedirect = on\n" +
                "LanInterface = warp-lan\n" +
                "NatEntries = 512\n" +
                "NatUdpTimeout = 5m\n" +
                "NatTcpEstablishedTimeout = 124m\n" +
                "NatTcpTransitoryTimeout = 4m\n" +
                "NatIcmpTimeout = 1m\n" +
                "NatDnsTimeout = 20\n" +
                "NatHostShare = 40\n";
            Assert.Equal(expected, WgQuickWriter.Export(ParseOk(WarpFile)));
        }

        [Fact]
        public void ExportBytesAreUtf8OfTheText()
        {
            RouterSettings s = ParseOk(WarpFile);
            byte[] bytes = WgQuickWriter.ExportBytes(s);
            Assert.Equal(WgQuickWriter.Export(s), System.Text.Encoding.UTF8.GetString(bytes));
            var d = new ConfigDiagnostics();
            Assert.NotNull(WgQuickParser.Parse(bytes, 0, bytes.Length, d));
        }

        [Fact]
        public void MaskedViewHidesTheSecrets()
        {
            RouterSettings s = ParseOk(WarpFile);
            string masked = WgQuickWriter.RenderMasked(s);
            Assert.Contains("PrivateKey = (hidden)\n", masked);
            Assert.Contains("PresharedKey = (hidden)\n", masked);
            Assert.Contains("PublicKey = " + PeerPublicKey + "\n", masked); // public, shown in full
            AssertNoSecret(masked, PrivateKey);
            AssertNoSecret(masked, PresharedKey);
        }

        /// <summary>No run of 6 base64 characters (36 bits) of the secret appears anywhere.</summary>
        internal static void AssertNoSecret(string text, string secretBase64)
        {
            for (int i = 0; i + 6 <= 43; i++)
                Assert.DoesNotContain(secretBase64.Substring(i, 6), text);
        }

        [Fact]
        public void LinuxExportIsPlainWgQuick()
        {
            string linux = WgQuickWriter.ExportForLinux(ParseOk(WarpFile));
            Assert.DoesNotContain("[Router]", linux);
            Assert.Contains("\n# WARP reserved bytes (not a wg(8) key): ClientId = q83v", linux);
            Assert.Contains("\nEndpoint = engage.cloudflareclient.com:2408\n# Endpoint = 162.159.192.1:2408\n", linux);
            // Still our format: it parses, with the router defaults and the first endpoint only.
            RouterSettings s = ParseOk(linux);
            Assert.Equal(0, s.Peer.ClientId);
            Assert.Single(s.Peer.Endpoints);
        }
    }
}

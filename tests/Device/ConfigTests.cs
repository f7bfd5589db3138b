using nanoFramework.TestFramework;
using Warp.Firmware;
using Warp.Protocol.Config;

namespace Warp.Device.Tests
{
    /// <summary>wg-quick parsing and the router's checks, as the device reads its stored config.</summary>
    [TestClass]
    public static class ConfigTests
    {
        const string Key = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
        const string PeerKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

        [TestMethod]
        public static void AWarpStyleConfigParses()
        {
            string text = "[Interface]\nPrivateKey = " + Key + "\nAddress = 172.16.0.2/32, 2606:4700:110:8a36::2/128\nDNS = 1.1.1.1\nMTU = 1280\n\n" +
                "[Peer]\nPublicKey = " + PeerKey + "\nAllowedIPs = 0.0.0.0/0, ::/0\nEndpoint = 162.159.192.1:2408\nClientId = 1,2,3\n";
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(text, d);
            Assert.IsNotNull(s, d.ToString());
            Assert.AreEqual(0, d.ErrorCount);
            Assert.AreEqual(1280, s.Interface.Mtu);
            Assert.AreEqual(2, s.Interface.Addresses.Length);
            Assert.AreEqual(32, s.Interface.PrivateKey.Length);
            Assert.AreEqual(1, s.Peers.Length);
            Assert.AreEqual(0x010203, s.Peer.ClientId);
            Assert.AreEqual(1, s.Peer.Endpoints.Length);
            Assert.IsTrue(s.Interface.CarriesIpv6);
        }

        [TestMethod]
        public static void ABadKeyIsAnErrorWithItsLine()
        {
            string text = "[Interface]\nPrivateKey = not-base64\nAddress = 172.16.0.2/32\n[Peer]\nPublicKey = " + PeerKey + "\nEndpoint = 162.159.192.1:2408\n";
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(text, d);
            Assert.IsTrue(s == null || d.ErrorCount > 0, "a private key that is not base64 must be refused");
            Assert.Contains("2", d.ToString(), "the message names line 2");
        }

        [TestMethod]
        public static void AMissingPeerIsRefused()
        {
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse("[Interface]\nPrivateKey = " + Key + "\nAddress = 172.16.0.2/32\n", d);
            Assert.IsTrue(s == null || d.ErrorCount > 0, "no [Peer]: no tunnel");
        }

        [TestMethod]
        public static void RouterBootLoadsTheStoredBytes()
        {
            var rig = new RouterRig(null, null);
            byte[] bytes = Warp.Protocol.Config.Utf8Text.Encode(rig.ConfigText);
            var log = new Lines();
            RouterSettings s = RouterBoot.LoadConfig(bytes, 0, bytes.Length, "config", RouterSizes.Esp32NoPsram(), log, null);
            Assert.IsNotNull(s, log.Text);
            Assert.AreEqual(0xC0A82A01u, s.Lan.Address.Ipv4Value);
        }

        sealed class Lines : IConsoleOutput
        {
            public string Text = "";
            public void WriteLine(string line) { Text += line + "\n"; }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using Warp.Firmware;
using Warp.Protocol.Config;
using static Warp.Protocol.Tests.ConfigFile.ConfigSamples;

namespace Warp.Fuzz
{
    /// <summary>
    /// The configuration parser: the input is a wg-quick file's bytes. It goes through
    /// WgQuickParser (bytes, and as text), and RouterConfig.Load for the Linux and the smallest
    /// ESP32 profile. A file accepted must export to a file that parses back to the same
    /// settings, render masked without its private key, and make a tunnel and peer configuration.
    /// A finding: anything thrown, an error count that disagrees with the result, or a broken
    /// round trip.
    /// </summary>
    sealed class ConfigTarget : ITarget
    {
        public string Name { get { return "config"; } }

        public void Run(byte[] input)
        {
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(input, 0, input.Length, d);
            Check.That(d.HasErrors == (s == null), "errors " + d.ErrorCount + " but settings " + (s == null ? "null" : "made"));
            Check.That(d.ToString() != null, "diagnostics render");
            var textDiagnostics = new ConfigDiagnostics();
            RouterSettings fromText = WgQuickParser.Parse(Encoding.UTF8.GetString(input), textDiagnostics);
            Check.That(textDiagnostics.HasErrors == (fromText == null), "text parse: errors disagree with the result");
            foreach (var sizes in new[] { RouterSizes.LinuxHost(), RouterSizes.Esp32NoPsram() })
            {
                var fit = new ConfigDiagnostics();
                RouterSettings fitted = RouterConfig.Load(input, 0, input.Length, sizes, fit);
                Check.That(fit.HasErrors == (fitted == null), "RouterConfig.Load: errors disagree with the result");
            }
            if (s == null)
                return;
            string exported = WgQuickWriter.Export(s);
            var d2 = new ConfigDiagnostics();
            RouterSettings again = WgQuickParser.Parse(exported, d2);
            Check.That(again != null, "the export of an accepted file was refused:\n" + d2 + "\n" + exported);
            Check.That(SameSettings(s, again, "settings", out string difference), "round trip: " + difference);
            string masked = WgQuickWriter.RenderMasked(s);
            Check.That(masked.IndexOf(Convert.ToBase64String(s.Interface.PrivateKey), StringComparison.Ordinal) < 0, "the masked rendering shows the private key");
            Check.That(WgQuickWriter.ExportForLinux(s) != null, "Linux export");
            Check.That(s.ToTunnelConfig() != null && s.ToPeerConfig(0) != null, "tunnel and peer configuration");
        }

        public IEnumerable<KeyValuePair<string, byte[]>> Seeds()
        {
            var files = new[]
            {
                WarpFile,
                Minimal(),
                Minimal(router: "StaticLease = 02:00:00:00:00:09, 192.168.42.9"),
                Minimal(iface: "MTU = 1420\nListenPort = 51820\nDNS = 1.1.1.1, 2606:4700:4700::1111",
                        peer: "PresharedKey = " + PresharedKey + "\nPersistentKeepalive = 25\nReserved = 1, 2, 3\nAllowedIPs = 0.0.0.0/0, ::/0",
                        router: "LanAddress = 10.1.0.1/16\nDhcpPoolStart = 10.1.0.10\nDhcpPoolEnd = 10.1.3.200\nDhcpLeaseTime = 1d\nUlaPrefix = fd00:1:2:3::/64\nNatEntries = 2048\nNatHostShare = 25%"),
                Minimal(peer: "Endpoint = [2606:4700:d0::a29f:c001]:2408\nEndpoint = engage.cloudflareclient.com:2408\nClientId = 10, 11, 12",
                        router: "Race = on\nConnectionAttemptDelay = 250\nResolver = 1.1.1.1\nDnsRedirect = on\nLanInterface = wlan0"),
                Minimal(iface: "PostUp = iptables -A FORWARD -i %i -j ACCEPT\nTable = off\nSaveConfig = false"),
            };
            for (int i = 0; i < files.Length; i++)
                yield return new KeyValuePair<string, byte[]>("sample-" + i, Encoding.UTF8.GetBytes(files[i]));
        }
    }
}

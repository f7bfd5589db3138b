using System;
using System.Collections;
using System.Reflection;
using Warp.Protocol.Config;
using Xunit;

namespace Warp.Protocol.Tests.ConfigFile
{
    /// <summary>Sample files (keys made with wg genkey / wg pubkey / wg genpsk for these tests only) and helpers.</summary>
    internal static class ConfigSamples
    {
        public const string PrivateKey = "yH9FYVZ1ADAS9W4p7DE+ijB38NPg/HLzl1u4iGmuvFs=";
        /// <summary>wg pubkey of <see cref="PrivateKey"/>.</summary>
        public const string OurPublicKey = "eRytFFNEzawFBV2qWpvfGQrlM/R1I0eu8LYD+L5ISCA=";
        public const string PeerPublicKey = "NJxB/5k9KSGk/tf5t01DQsVIxn+nEr9k9Ce3gbBHKXI=";
        public const string PresharedKey = "+txljr6CU9jjoxioXTVPU6d7QBMfVaerr4KiauBYm1o=";

        /// <summary>What a WARP registration turns into (addresses, endpoints and client id in WARP's shapes), plus a [Router] section.</summary>
        public const string WarpFile =
            "# WARP account (registration response turned into wg-quick form)\r\n" +      // 1
            "[Interface]\r\n" +                                                               // 2
            "PrivateKey = " + PrivateKey + "\r\n" +                                           // 3
            "Address = 172.16.0.2/32\r\n" +                                                   // 4
            "Address = 2606:4700:110:8a5c:0:0:0:2/128\r\n" +                                  // 5
            "DNS = 1.1.1.1, 2606:4700:4700::1111\r\n" +                                       // 6
            "MTU = 1280\r\n" +                                                                // 7
            "PostUp = iptables -A FORWARD -i %i -j ACCEPT; echo up\r\n" +                     // 8
            "\r\n" +                                                                          // 9
            "[Peer]\r\n" +                                                                    // 10
            "PublicKey = " + PeerPublicKey + "\r\n" +                                         // 11
            "PresharedKey = " + PresharedKey + "\r\n" +                                       // 12
            "AllowedIPs = 0.0.0.0/0, ::/0\r\n" +                                              // 13
            "Endpoint = engage.cloudflareclient.com:2408\r\n" +                               // 14
            "Endpoint = 162.159.192.1:2408, [2606:4700:d0::a29f:c001]:2408\r\n" +             // 15
            "PersistentKeepalive = 25\r\n" +                                                  // 16
            "ClientId = q83v   ; client_id from the registration response\r\n" +             // 17
            "\r\n" +                                                                          // 18
            "[Router]\r\n" +                                                                  // 19
            "LanAddress = 192.168.42.1/24\r\n" +                                              // 20
            "UlaPrefix = fd42:4242:4242:1::/64\r\n" +                                         // 21
            "DhcpPoolStart = 192.168.42.100\r\n" +                                            // 22
            "DhcpPoolEnd = 192.168.42.199\r\n" +                                              // 23
            "DhcpLeaseTime = 2h\r\n" +                                                        // 24
            "StaticLease = 02:00:00:00:00:01, 192.168.42.10\r\n" +                            // 25
            "StaticLease = 02-00-00-00-00-02, 192.168.42.150\r\n" +                           // 26
            "NatEntries = 512\r\n" +                                                          // 27
            "NatUdpTimeout = 5m\r\n" +                                                        // 28
            "NatTcpEstablishedTimeout = 7440\r\n" +                                           // 29
            "NatTcpTransitoryTimeout = 4m\r\n" +                                              // 30
            "NatIcmpTimeout = 60s\r\n" +                                                      // 31
            "NatDnsTimeout = 20\r\n" +                                                        // 32
            "NatHostShare = 40%\r\n";                                                         // 33

        /// <summary>
        /// A small valid file with one slot per section for the line under test:
        /// line 4 is <paramref name="iface"/>, line 8 is <paramref name="peer"/>, line 10 is <paramref name="router"/>.
        /// </summary>
        public static string Minimal(string iface = "", string peer = "", string router = "")
        {
            return "[Interface]\n" +                                          // 1
                   "PrivateKey = " + PrivateKey + "\n" +                      // 2
                   "Address = 172.16.0.2/32, 2606:4700:110:8a5c::2/128\n" +   // 3
                   iface + "\n" +                                             // 4
                   "[Peer]\n" +                                               // 5
                   "PublicKey = " + PeerPublicKey + "\n" +                    // 6
                   "Endpoint = 162.159.192.1:2408\n" +                        // 7
                   peer + "\n" +                                              // 8
                   "[Router]\n" +                                             // 9
                   router + "\n";                                             // 10
        }

        public static RouterSettings ParseOk(string text)
        {
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(text, d);
            Assert.True(s != null, "expected no errors, got:\n" + d);
            Assert.Equal(0, d.ErrorCount);
            return s;
        }

        public static ConfigDiagnostics Diagnose(string text)
        {
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(text, d);
            Assert.Equal(d.HasErrors, s == null);
            return d;
        }

        /// <summary>
        /// True when two objects of the settings model hold the same values: public fields compared
        /// recursively (arrays element by element, byte arrays by content).
        /// </summary>
        public static bool SameSettings(object a, object b, string path, out string difference)
        {
            difference = null;
            if (a == null || b == null)
            {
                if (a == b) return true;
                difference = path + ": one is null";
                return false;
            }
            if (a.GetType() != b.GetType())
            {
                difference = path + ": types differ";
                return false;
            }
            Type t = a.GetType();
            if (t.IsPrimitive || a is string)
            {
                if (a.Equals(b)) return true;
                difference = path + ": " + a + " != " + b;
                return false;
            }
            if (a is Array arrayA)
            {
                var arrayB = (Array)b;
                if (arrayA.Length != arrayB.Length)
                {
                    difference = path + ": length " + arrayA.Length + " != " + arrayB.Length;
                    return false;
                }
                for (int i = 0; i < arrayA.Length; i++)
                    if (!SameSettings(arrayA.GetValue(i), arrayB.GetValue(i), path + "[" + i + "]", out difference))
                        return false;
                return true;
            }
            foreach (FieldInfo f in t.GetFields(BindingFlags.Public | BindingFlags.Instance))
                if (!SameSettings(f.GetValue(a), f.GetValue(b), path + "." + f.Name, out difference))
                    return false;
            return true;
        }
    }
}

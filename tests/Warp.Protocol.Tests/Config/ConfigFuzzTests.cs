using System;
using System.Text;
using Warp.Protocol.Config;
using Xunit;
using Xunit.Abstractions;
using static Warp.Protocol.Tests.ConfigFile.ConfigSamples;

namespace Warp.Protocol.Tests.ConfigFile
{
    /// <summary>Mutated and random files: the parser never throws, and whatever it accepts round-trips and masks its secrets.</summary>
    public class ConfigFuzzTests
    {
        readonly ITestOutputHelper output;
        public ConfigFuzzTests(ITestOutputHelper output) { this.output = output; }

        static readonly string[] Tokens =
        {
            "=", "[", "]", ",", ":", "/", ".", "#", ";", "%", "\r\n", "\n", " ", "\t", "\0", "::", "[Peer]\n", "[Router]\n",
            "[Interface]\n", "0", "1", "255", "256", "65535", "65536", "4294967296", "99999999999999999999", "-1", "d", "m",
            "ffff", "fd00::", "::ffff:", "1.2.3.4", "/0", "/128", "/33", "AAAA", "====", "é", "\uFFFD", "\uD800",
            "PrivateKey = ", "PublicKey = ", "Endpoint = ", "StaticLease = ", "ClientId = ", "Reserved = ", "MTU = ",
            "DhcpPoolStart = ", "DhcpPoolEnd = ", "LanAddress = ", "AllowedIPs = ", "Address = ", "PostUp = ",
            "02:00:00:00:00:01", "192.168.42.", "engage.cloudflareclient.com", PrivateKey, PresharedKey,
        };

        [Fact]
        public void TwentyThousandMutatedFilesNeverThrow()
        {
            var rng = new Random(20261124);
            string[] seeds = { WarpFile, Minimal(), Minimal(router: "StaticLease = 02:00:00:00:00:09, 192.168.42.9") };
            int accepted = 0, rejected = 0;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int iteration = 0; iteration < 20000; iteration++)
            {
                string text;
                if (iteration % 10 == 9)
                    text = RandomText(rng);
                else
                    text = Mutate(seeds[rng.Next(seeds.Length)], rng, 1 + rng.Next(6));
                var d = new ConfigDiagnostics();
                RouterSettings s;
                if (iteration % 2 == 0)
                {
                    s = WgQuickParser.Parse(text, d);
                }
                else
                {
                    byte[] utf8 = Encoding.UTF8.GetBytes(text);
                    if (rng.Next(4) == 0 && utf8.Length > 0)
                        utf8[rng.Next(utf8.Length)] = (byte)rng.Next(256); // invalid UTF-8 too
                    s = WgQuickParser.Parse(utf8, 0, utf8.Length, d);
                }
                Assert.Equal(d.HasErrors, s == null);
                Assert.NotNull(d.ToString());
                if (s == null)
                {
                    rejected++;
                    Assert.True(d.Error(0).Text.Length > 0);
                    continue;
                }
                accepted++;
                string exported = WgQuickWriter.Export(s);
                var d2 = new ConfigDiagnostics();
                RouterSettings again = WgQuickParser.Parse(exported, d2);
                Assert.True(again != null, "export of an accepted file was refused:\n" + d2 + "\n" + exported);
                Assert.True(SameSettings(s, again, "settings", out string difference), difference);
                string masked = WgQuickWriter.RenderMasked(s);
                WgQuickWriterTests.AssertNoSecret(masked, Convert.ToBase64String(s.Interface.PrivateKey));
                Assert.NotNull(s.ToTunnelConfig());
                Assert.NotNull(s.ToPeerConfig(0));
            }
            output.WriteLine($"accepted {accepted}, rejected {rejected}, {watch.ElapsedMilliseconds} ms");
            Assert.True(accepted > 500, "the mutations should leave some files valid; accepted " + accepted);
            Assert.True(rejected > 1000);
        }

        static string Mutate(string text, Random rng, int count)
        {
            for (int k = 0; k < count; k++)
            {
                int at = rng.Next(text.Length + 1);
                switch (rng.Next(8))
                {
                    case 0: // replace one character
                        if (text.Length > 0 && at < text.Length)
                            text = text.Substring(0, at) + (char)rng.Next(32, 127) + text.Substring(at + 1);
                        break;
                    case 1: // delete a run
                        int n = Math.Min(rng.Next(1, 12), text.Length - Math.Min(at, text.Length));
                        text = text.Remove(Math.Min(at, text.Length), n);
                        break;
                    case 2: // insert a token
                    case 3:
                        text = text.Insert(at, Tokens[rng.Next(Tokens.Length)]);
                        break;
                    case 4: // duplicate a line
                        string[] lines = text.Split('\n');
                        string line = lines[rng.Next(lines.Length)];
                        text = text.Insert(at, line + "\n");
                        break;
                    case 5: // swap two lines
                        string[] ls = text.Split('\n');
                        int a = rng.Next(ls.Length), b = rng.Next(ls.Length);
                        (ls[a], ls[b]) = (ls[b], ls[a]);
                        text = string.Join("\n", ls);
                        break;
                    case 6: // truncate
                        text = text.Substring(0, at);
                        break;
                    case 7: // change case of a stretch
                        if (at < text.Length)
                        {
                            int len = Math.Min(rng.Next(1, 20), text.Length - at);
                            string part = text.Substring(at, len);
                            text = text.Substring(0, at) + (rng.Next(2) == 0 ? part.ToUpperInvariant() : part.ToLowerInvariant()) + text.Substring(at + len);
                        }
                        break;
                }
            }
            return text;
        }

        static string RandomText(Random rng)
        {
            var sb = new StringBuilder();
            int parts = rng.Next(0, 60);
            for (int i = 0; i < parts; i++)
            {
                if (rng.Next(3) == 0)
                    sb.Append((char)rng.Next(0, 0x3000));
                else
                    sb.Append(Tokens[rng.Next(Tokens.Length)]);
            }
            return sb.ToString();
        }

        [Fact]
        public void TypicalParseAllocatesAFewKilobytes()
        {
            for (int i = 0; i < 3; i++)
                ParseOk(WarpFile); // warm up (JIT, statics)
            long before = GC.GetAllocatedBytesForCurrentThread();
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(WarpFile, d);
            long parse = GC.GetAllocatedBytesForCurrentThread() - before;
            before = GC.GetAllocatedBytesForCurrentThread();
            string exported = WgQuickWriter.Export(s);
            long export = GC.GetAllocatedBytesForCurrentThread() - before;
            output.WriteLine($"parse of the {WarpFile.Length}-character WARP file: {parse} bytes allocated; export: {export} bytes ({exported.Length} characters)");
            Assert.NotNull(s);
            // 64-bit .NET object headers are larger than nanoFramework's, so the device uses less.
            Assert.True(parse < 32 * 1024, "parse allocated " + parse);
        }
    }
}

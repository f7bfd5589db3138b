using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Hil.Tests
{
    /// <summary>
    /// The scenarios, written once against <see cref="IRouterUnderTest"/>: they read the router only
    /// through its console (`-m` records) and act only from its LAN side and its uplink path.
    /// </summary>
    [Collection("hil")]
    public class HilScenarios
    {
        readonly HilFixture hil;
        readonly ITestOutputHelper output;
        IRouterUnderTest R { get { return hil.Router; } }

        public HilScenarios(HilFixture hil, ITestOutputHelper output) { this.hil = hil; this.output = output; }

        /// <summary>Runs a scenario: skipped with the reason where the bench lacks something, timed, recorded.</summary>
        void Scenario(string name, Func<string> body)
        {
            var sw = Stopwatch.StartNew();
            try
            {
                hil.Require();
                string detail = body();
                HilResults.Add(name, "passed", sw.Elapsed.TotalSeconds, detail);
                output.WriteLine(name + ": passed in " + sw.Elapsed.TotalSeconds.ToString("0.0") + " s; " + detail);
            }
            catch (Exception e) when (e is SkipException || e is Xunit.SkipException)
            {
                HilResults.Add(name, "skipped", sw.Elapsed.TotalSeconds, e.Message);
                Skip.If(true, e.Message);
            }
            catch (Exception e)
            {
                HilResults.Add(name, "failed", sw.Elapsed.TotalSeconds, e.Message);
                output.WriteLine(hil.Log.ToString());
                throw;
            }
        }

        // ------------------------------------------------------------------ helpers

        Dictionary<string, string> Status()
        {
            var lines = R.Console("status -m");
            var s = lines.FirstOrDefault(l => l.StartsWith("status ", StringComparison.Ordinal));
            Assert.True(s != null, "no status record in: " + string.Join(" | ", lines));
            var records = ConsoleAnswer.TryParse(string.Join("\n", lines.Where(l => l.StartsWith("status ") || l.StartsWith("end "))) + "\n");
            Assert.True(records != null && records.Count == 1, "status -m does not parse: " + s);
            var d = new Dictionary<string, string>();
            foreach (string key in new[] { "tunnel", "path_family", "uptime_ms", "leases", "endpoint", "reconnects", "races" })
                if (records[0].Fields.ContainsKey(key)) d[key] = records[0][key];
            return d;
        }

        bool WaitFor(Func<bool> condition, int timeoutMs)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                if (condition()) return true;
                Thread.Sleep(250);
            }
            return condition();
        }

        void TunnelUp(int timeoutMs = 20000)
        {
            Assert.True(WaitFor(() => Status().GetValueOrDefault("tunnel") == "up", timeoutMs), "tunnel not up within " + timeoutMs / 1000 + " s: " + string.Join(" ", R.Console("status -m")));
        }

        string Lease()
        {
            string ip = R.Lan.Lease();
            Assert.StartsWith("192.168.42.", ip);
            return ip;
        }

        bool Ping(string target, int count = 3, int size = 56)
        {
            string v6 = target.Contains(':') ? "-6 " : "";
            return R.Lan.Run($"ping {v6}-c {count} -W 3 -s {size} {target}", 30000).Contains(" 0% packet loss");
        }

        string HttpSha(int family)
        {
            string sha = TryHttpSha(family, out string code);
            Assert.Equal("200", code);
            return sha;
        }

        /// <summary>curl of the origin's /index.bin over one family from the LAN side: the body's SHA-256, and the HTTP code (000: no answer).</summary>
        string TryHttpSha(int family, out string code)
        {
            string file = "/tmp/warp-hil-download" + family + ".bin";
            R.Lan.Run("rm -f " + file, 5000);
            code = R.Lan.Run($"curl -{family} -s -o {file} -w '%{{http_code}}' --max-time 30 http://{R.Uplink.OriginName}/index.bin", 40000).Trim();
            return File.Exists(file) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant() : "(no file)";
        }

        string ConfigFile()
        {
            string path = R is LinuxRouter linux ? linux.ConfigPath : Environment.GetEnvironmentVariable("WARP_HIL_CONFIG");
            if (path == null) throw new SkipException("no configuration to provision: WARP_HIL_CONFIG is not set");
            if (!File.Exists(path)) throw new SkipException("no configuration to provision: WARP_HIL_CONFIG (" + path + ") does not exist");
            return path;
        }

        // ------------------------------------------------------------------ scenarios

        [SkippableFact]
        public void ProvisioningFromFactoryState()
        {
            Scenario("provisioning from factory state", () =>
            {
                var reset = R.Console("factory-reset", 5000);
                if (!reset.Exists(l => l.StartsWith("ok", StringComparison.Ordinal)))
                    throw new SkipException("this router's console has no factory-reset (answered: " + reset.FirstOrDefault() + ")");
                R.Reboot();
                var setup = R.Console("status -m");
                Assert.True(setup.Exists(l => l.Contains("reason=no_router")) || Status().GetValueOrDefault("tunnel") != "up", "not in factory state after the reset: " + string.Join(" | ", setup));
                string[] lines = File.ReadAllLines(ConfigFile());
                var sw = Stopwatch.StartNew();
                string stored = Provisioning.SendConfig(R, lines);
                TunnelUp(30000);
                return stored + "; tunnel up " + sw.Elapsed.TotalSeconds.ToString("0.0") + " s after the transfer began";
            });
        }

        [SkippableFact]
        public void DhcpLease()
        {
            Scenario("DHCP lease", () =>
            {
                TunnelUp();
                string ip = Lease();
                var leases = ConsoleAnswer.TryParse(string.Join("\n", R.Console("leases -m")) + "\n");
                Assert.NotNull(leases);
                Assert.Contains(leases, l => l["ip"] == ip && l["state"] == "bound");
                return ip + " bound";
            });
        }

        [SkippableFact]
        public void PingTheRouterOverBothFamilies()
        {
            Scenario("ping the router v4 and v6", () =>
            {
                Lease();
                Assert.True(Ping(R.Lan.RouterV4), "ping " + R.Lan.RouterV4);
                Assert.True(WaitFor(() => R.Lan.Run("ip -6 -o addr show dev {if} scope global", 5000).Contains("fd42:4242:4242:"), 15000), "no SLAAC address");
                Assert.True(Ping(R.Lan.RouterV6), "ping " + R.Lan.RouterV6);
                return R.Lan.RouterV4 + ", " + R.Lan.RouterV6;
            });
        }

        [SkippableFact]
        public void DnsThroughTheRouter()
        {
            Scenario("DNS", () =>
            {
                TunnelUp();
                Lease();
                string a = R.Lan.Run($"dig +short +time=3 +tries=2 @{R.Lan.RouterV4} {R.Uplink.OriginName} A", 20000).Trim();
                Assert.Equal(R.Uplink.OriginV4, a);
                string aaaa = R.Lan.Run($"dig +short +time=3 +tries=2 @{R.Lan.RouterV4} {R.Uplink.OriginName} AAAA", 20000).Trim();
                Assert.Equal(R.Uplink.OriginV6, aaaa);
                return "A " + a + ", AAAA " + aaaa;
            });
        }

        [SkippableFact]
        public void HttpOverBothFamiliesWithTheHashChecked()
        {
            Scenario("HTTP v4 and v6, hash checked", () =>
            {
                TunnelUp();
                Lease();
                Assert.True(WaitFor(() => R.Lan.Run("ip -6 -o addr show dev {if} scope global", 5000).Contains("fd42:4242:4242:"), 15000), "no SLAAC address");
                if (R.Uplink.OriginSha256.Length != 64) throw new SkipException("the origin's SHA-256 is not known (WARP_HIL_ORIGIN_SHA256)");
                Assert.Equal(R.Uplink.OriginSha256, HttpSha(4));
                Assert.Equal(R.Uplink.OriginSha256, HttpSha(6));
                return "sha256 " + R.Uplink.OriginSha256.Substring(0, 12) + "... over both";
            });
        }

        /// <summary>
        /// The peer's answers are cut on the path and the router restarted (no session), LAN traffic
        /// runs, and a capture on the uplink holds nothing but WireGuard handshake initiations (UDP of
        /// 148 bytes to the peer's port) and the lookups of the router's own captive-portal probe: no
        /// LAN address, no cleartext.
        /// </summary>
        [SkippableFact]
        public void KillSwitchByCaptureOnTheUplink()
        {
            Scenario("kill switch (capture on the uplink)", () =>
            {
                Lease();
                R.Uplink.CutPeer(true);
                string capture;
                try
                {
                    R.Reboot();
                    R.Uplink.StartCapture();
                    R.Lan.Run($"ping -c 4 -W 1 {R.Uplink.OriginV4}; curl -4 -s --max-time 4 http://{R.Uplink.OriginV4}/ >/dev/null; dig +time=1 +tries=1 @{R.Lan.RouterV4} {R.Uplink.OriginName}", 30000);
                    Thread.Sleep(6000); // a retried initiation (RekeyTimeout 5 s) is in the capture
                    capture = R.Uplink.StopCapture();
                }
                finally { R.Uplink.CutPeer(false); }
                var packets = capture.Split('\n').Where(l => l.Contains(" IP ") || l.Contains(" IP6 ")).ToList();
                Assert.True(packets.Count > 0, "the capture saw nothing (no initiation either): " + capture);
                Assert.DoesNotContain(packets, l => l.Contains("192.168.42.") || l.Contains("fd42:4242:4242:"));
                var fromRouter = packets.Where(l => l.Contains(" 10.250.1.2.") && l.IndexOf(" 10.250.1.2.", StringComparison.Ordinal) < l.IndexOf(" > ", StringComparison.Ordinal)
                    || l.Contains(" fd10:250:1::2.") && l.IndexOf(" fd10:250:1::2.", StringComparison.Ordinal) < l.IndexOf(" > ", StringComparison.Ordinal)).ToList();
                // The router's own captive-portal probe may look up its host while the tunnel is silent
                // (its own traffic, like its DHCP; README "Captive portals"); the LAN's lookups and
                // packets may not leave, so nothing else is allowed.
                string probeHost = new Uri(Warp.Firmware.PortalDetector.DefaultUrl).Host + ".";
                bool ProbeLookup(string l) => l.Contains(".53: ") && (l.Contains(" A? " + probeHost) || l.Contains(" AAAA? " + probeHost));
                var bad = fromRouter.Where(l => !l.Contains(".51820: UDP, length 148") && !ProbeLookup(l)).ToList();
                Assert.True(fromRouter.Count > 0, "no initiation from the router in: " + capture);
                Assert.True(bad.Count == 0, "the router sent more than initiations while down: " + string.Join(" | ", bad.Take(5)));
                int lookups = fromRouter.Count(ProbeLookup);
                Assert.True(fromRouter.Count > lookups, "no initiation from the router in: " + capture);
                return fromRouter.Count + " packets from the router: " + (fromRouter.Count - lookups) + " 148-byte initiations to port 51820, " + lookups + " portal-probe lookups";
            });
        }

        [SkippableFact]
        public void LeasesKeptAcrossReboot()
        {
            Scenario("leases kept across reboot", () =>
            {
                string before = Lease();
                R.Reboot();
                string after = Lease();
                Assert.Equal(before, after);
                return before + " before and after";
            });
        }

        /// <summary>Power cut right after a lease (a board through WARP_HIL_POWER_CYCLE, warp-router by SIGKILL): the lease is kept.</summary>
        [SkippableFact]
        public void LeasesKeptAcrossAPowerCycle()
        {
            Scenario("leases kept across a power cycle", () =>
            {
                if (!R.CanPowerCycle) throw new SkipException("no power-cycle hook (WARP_HIL_POWER_CYCLE)");
                string before = Lease();
                R.PowerCycle();
                TunnelUp(30000);
                string after = Lease();
                Assert.Equal(before, after);
                return before + " before and after";
            });
        }

        [SkippableFact]
        public void TunnelKeptAcrossANatRebinding()
        {
            Scenario("tunnel kept across a NAT rebinding", () =>
            {
                TunnelUp();
                Lease();
                Assert.True(Ping(R.Uplink.OriginV4), "origin before the rebinding");
                string seenBefore = R.Uplink.PeerSeesRouterAt();
                int port = R.Uplink.Rebind();
                // The next packets leave with a new source port; the peer follows the authenticated source (roaming).
                Assert.True(WaitFor(() => Ping(R.Uplink.OriginV4, 1), 20000), "origin unreachable after the rebinding");
                string seenAfter = R.Uplink.PeerSeesRouterAt();
                if (port > 0) Assert.EndsWith(":" + port, seenAfter);
                Assert.Equal("up", Status()["tunnel"]);
                return "peer saw " + seenBefore + " then " + seenAfter;
            });
        }

        [SkippableFact]
        public void DualStackRaceWithIpv6BlackHoled()
        {
            Scenario("dual-stack race, IPv6 black-holed", () =>
            {
                R.Uplink.BlackholeIpv6(true);
                Dictionary<string, string> s;
                var sw = Stopwatch.StartNew();
                try
                {
                    R.Reboot();
                    TunnelUp(20000);
                    s = Status();
                    Lease();
                    Assert.True(Ping(R.Uplink.OriginV4), "origin through the IPv4 path");
                }
                finally { R.Uplink.BlackholeIpv6(false); }
                Assert.Equal("4", s.GetValueOrDefault("path_family"));
                return "up over IPv4 in " + sw.Elapsed.TotalSeconds.ToString("0.0") + " s after the restart; endpoint " + s.GetValueOrDefault("endpoint");
            });
        }

        [SkippableFact]
        public void FactoryReset()
        {
            Scenario("factory reset", () =>
            {
                TunnelUp();
                Assert.NotEmpty(Lease());
                var answer = R.Console("factory-reset", 5000);
                if (!answer.Exists(l => l.StartsWith("ok", StringComparison.Ordinal)))
                    throw new SkipException("this router's console has no factory-reset (answered: " + answer.FirstOrDefault() + ")");
                R.Reboot();
                var after = R.Console("status -m");
                Assert.True(after.Exists(l => l.Contains("reason=no_router")), "a router still runs after the factory reset: " + string.Join(" | ", after));
                Assert.False(Ping(R.Uplink.OriginV4, 2), "traffic still reaches the origin after the factory reset");
                // Provision again so the scenarios after this one find the router configured.
                Provisioning.SendConfig(R, File.ReadAllLines(ConfigFile()));
                TunnelUp(30000);
                return "setup mode after the reset (no router, origin unreachable); provisioned again";
            });
        }

        /// <summary>
        /// Mixed traffic (pings both families, DNS, HTTP both families with the hash) for
        /// WARP_HIL_SOAK_SECONDS (600 by default), a round every WARP_HIL_SOAK_PACE_SECONDS (5): no round loses traffic, the router never restarts (uptime only grows) and
        /// its memory does not grow (the last quarter's mean within 10% plus 1 MB of the first quarter's on Linux,
        /// within 1 KB on a board's heap).
        /// </summary>
        [SkippableFact]
        public void SoakOfMixedTraffic()
        {
            Scenario("soak of mixed traffic", () =>
            {
                int seconds = int.Parse(Environment.GetEnvironmentVariable("WARP_HIL_SOAK_SECONDS") ?? "600", CultureInfo.InvariantCulture);
                TunnelUp();
                Lease();
                WaitFor(() => R.Lan.Run("ip -6 -o addr show dev {if} scope global", 5000).Contains("fd42:4242:4242:"), 15000);
                WaitFor(() => Ping(R.Uplink.OriginV6, 1), 10000); // the new address's first packets (DAD, source binding) before counting
                var memory = new List<long>();
                var rss = new List<long>();
                long lastUptime = -1;
                int rounds = 0, failures = 0;
                var sw = Stopwatch.StartNew();
                var failed = new List<string>();
                // One round per WARP_HIL_SOAK_PACE_SECONDS (5): back to back (about 10 new flows a second from
                // one device) the device reaches its NAT share within 2 minutes (drop.host_quota_exceeded),
                // since its UDP and ICMP sessions stay open for minutes; that is the fairness rule, not a leak.
                double pace = double.Parse(Environment.GetEnvironmentVariable("WARP_HIL_SOAK_PACE_SECONDS") ?? "5", CultureInfo.InvariantCulture);
                while (sw.Elapsed.TotalSeconds < seconds)
                {
                    double roundStart = sw.Elapsed.TotalSeconds;
                    var bad = new List<string>();
                    if (!Ping(R.Uplink.OriginV4, 2)) bad.Add("ping4");
                    if (!Ping(R.Uplink.OriginV6, 2)) bad.Add("ping6");
                    string a = R.Lan.Run($"dig +short +time=2 +tries=2 @{R.Lan.RouterV4} {R.Uplink.OriginName} A", 15000).Trim();
                    if (a != R.Uplink.OriginV4) bad.Add("dns '" + a + "'");
                    if (R.Uplink.OriginSha256.Length == 64)
                    {
                        int family = rounds % 2 == 0 ? 4 : 6;
                        string sha = TryHttpSha(family, out string code);
                        if (code != "200" || sha != R.Uplink.OriginSha256) bad.Add("http" + family + " " + code);
                    }
                    var st = Status();
                    long uptime = long.Parse(st["uptime_ms"], CultureInfo.InvariantCulture);
                    Assert.True(uptime > lastUptime, "the router restarted during the soak (uptime " + lastUptime + " then " + uptime + " ms)");
                    lastUptime = uptime;
                    if (bad.Count > 0)
                    {
                        failures++;
                        string what = "round " + rounds + " at " + sw.Elapsed.TotalSeconds.ToString("0") + " s: " + string.Join(", ", bad) + " (tunnel " + st.GetValueOrDefault("tunnel") + ")";
                        failed.Add(what);
                        output.WriteLine(what);
                        foreach (string l in R.Console("counters -m", 10000).Where(l => l.Contains(" drop=1") && !l.Contains(" value=0 ")))
                            output.WriteLine("  " + l);
                        foreach (string l in R.Console("log -m", 10000).Skip(0).Reverse().Take(8).Reverse())
                            output.WriteLine("  " + l);
                    }
                    memory.Add(R.MemoryInUse());
                    if (R is LinuxRouter lr) rss.Add(lr.ResidentBytes());
                    rounds++;
                    double rest = pace - (sw.Elapsed.TotalSeconds - roundStart);
                    if (rest > 0) Thread.Sleep(TimeSpan.FromSeconds(rest));
                }
                Assert.True(failures == 0, failures + " of " + rounds + " rounds lost traffic: " + string.Join("; ", failed.Take(5)));
                Assert.True(rounds >= 4, "too few rounds for a trend: " + rounds);
                Assert.DoesNotContain(-1L, memory);
                int q = memory.Count / 4;
                double first = memory.Take(q).Average(), last = memory.Skip(memory.Count - q).Average();
                double allowed = R is LinuxRouter ? first * 0.10 + 256 * 1024 : 1024;
                string resident = rss.Count >= 4 ? $", resident {rss.Take(q).Average() / 1048576:0.0} MiB then {rss.Skip(rss.Count - q).Average() / 1048576:0.0} MiB" : "";
                Assert.True(last - first <= allowed, $"heap in use grew from {first:0} to {last:0} B (allowed {allowed:0}){resident}");
                return $"{rounds} rounds in {sw.Elapsed.TotalSeconds:0} s, uptime {lastUptime / 1000} s, heap in use {first / 1024:0} KiB then {last / 1024:0} KiB (first and last quarter){resident}";
            });
        }
    }
}

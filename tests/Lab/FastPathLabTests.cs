using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Threading;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// warp-router run --fast-path native in the lab: the C fast path (libwarp_native.so, the ESP32's
    /// portable core) carries the established flows of real clients (ping, curl, iperf3) to wireguard-go,
    /// across rekeys forced with the console's race; nothing is lost beyond the usual and the fast path's
    /// counters show it carried the flows.
    /// </summary>
    [Collection("lab")]
    public class FastPathLabTests
    {
        readonly ITestOutputHelper output;
        public FastPathLabTests(ITestOutputHelper output) { this.output = output; }

        /// <summary>Builds the shared library with CMake (as build/native.sh and tests/Native do) and returns its path.</summary>
        static string NativeLibrary()
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null && !File.Exists(Path.Combine(d.FullName, "Warp.Firmware.sln")))
                d = d.Parent;
            string src = Path.Combine(d.FullName, "hal", "Esp32", "native");
            string build = Path.Combine(src, "build", "dotnet");
            Shell.Run($"cmake -S {src} -B {build} -DCMAKE_BUILD_TYPE=Release -DWARP_NATIVE_SANITIZE=OFF", 300000);
            Shell.Run($"cmake --build {build} --target warp_native -j 1", 600000);
            return Path.Combine(build, "libwarp_native.so");
        }

        static long Counter(List<ConsoleRecordLine> records, string module, string name)
        {
            var r = records.SingleOrDefault(x => x["module"] == module && x["name"] == name);
            return r == null ? -1 : r.Number("value");
        }

        [SkippableFact]
        public void PingCurlAndIperfThroughTheNativeFastPathAcrossRekeys()
        {
            LabRequirements.RequireLab("iperf3", "iptables", "wireguard-go", "wg", "dhclient", "curl", "ping", "cmake");
            string library = NativeLibrary();
            var lab = new RouterLab(new TestOutputWriter(output)) { RouterArguments = " --fast-path native --fast-path-library " + library };
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                Assert.Contains("fast path: native", File.ReadAllText(Path.Combine(lab.Work, "router.log")));
                Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/dhclient.leases wlc0", 40000, false);
                Assert.True(WaitUp(lab), "the tunnel did not come up");
                long handshakesBefore = Counter(lab.QueryRecords("counters"), "tunnel", "handshakes_completed");

                // ping: 120 echoes, 0.1 s apart, with two rekeys in the middle (race: a new handshake now; the
                // tunnel sends at most one initiation per RekeyTimeout, 5 s, so the two are 6 s apart).
                var ping = Shell.Start($"ip netns exec {RouterLab.Client} sh -c 'ping -c 120 -i 0.1 -W 2 {RouterLab.OriginV4} > {lab.Work}/ping.txt 2>&1'");
                Thread.Sleep(2000);
                lab.Query("race");
                Thread.Sleep(6000);
                lab.Query("race");
                Assert.True(ping.WaitForExit(30000), "ping did not finish");
                string pingOut = File.ReadAllText(Path.Combine(lab.Work, "ping.txt"));
                output.WriteLine(pingOut.Trim().Split('\n').Last(l => l.Contains("packet loss")));
                var m = Regex.Match(pingOut, @"(\d+) packets transmitted, (\d+) received");
                Assert.True(m.Success, pingOut);
                int sent = int.Parse(m.Groups[1].Value), got = int.Parse(m.Groups[2].Value);
                Assert.True(sent == 120 && got >= 119, "ping across rekeys: " + got + " of " + sent);

                // curl: the origin's file over HTTP, byte for byte.
                string file = $"{lab.Work}/fast.bin";
                string code = Shell.Run($"ip netns exec {RouterLab.Client} curl -4 -s -o {file} -w '%{{http_code}}' --max-time 30 http://origin.lab/index.bin", 40000, false).Trim();
                string sha = File.Exists(file) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant() : "(none)";
                Assert.Equal("200", code);
                Assert.Equal(lab.OriginSha256, sha);

                Thread.Sleep(Math.Max(0, 6000 - 3000)); // RekeyTimeout since the last race, before the next one
                // iperf3 for 6 s with a rekey at 3 s.
                var rekey = new Thread(() => { Thread.Sleep(3000); lab.Query("race"); });
                rekey.Start();
                double mbits = lab.Iperf(6);
                rekey.Join();
                output.WriteLine($"iperf3 through warp-router --fast-path native, a rekey in the middle: {mbits:F1} Mbit/s");
                Assert.True(mbits > 20, "iperf3: " + mbits.ToString("F1") + " Mbit/s");

                Thread.Sleep(1500); // one sync
                var counters = lab.QueryRecords("counters");
                long outs = Counter(counters, "fastpath", "packets_out"), ins = Counter(counters, "fastpath", "packets_in");
                long toTunnel = Counter(counters, "router", "packets_to_tunnel"), fromTunnel = Counter(counters, "router", "packets_from_tunnel");
                long handshakes = Counter(counters, "tunnel", "handshakes_completed") - handshakesBefore;
                output.WriteLine($"fast path: {outs} packets out, {ins} in; managed: {toTunnel} to the tunnel, {fromTunnel} from it; {handshakes} handshakes during the test; " +
                    $"punted {Counter(counters, "fastpath", "punted_from_lan")} from the LAN, {Counter(counters, "fastpath", "punted_from_uplink")} from the uplink; " +
                    $"fast-path drops replayed {Counter(counters, "fastpath", "drop.replayed")}, undecryptable {Counter(counters, "fastpath", "drop.undecryptable")}");
                Assert.True(handshakes >= 3, "rekeys: " + handshakes);
                Assert.True(outs > 10 * Math.Max(1, toTunnel), $"the fast path carried {outs} out against {toTunnel} managed");
                Assert.True(ins > 10 * Math.Max(1, fromTunnel), $"the fast path carried {ins} in against {fromTunnel} managed");
                Assert.Equal(0, Counter(counters, "tunnel", "drop.send_counter_not_reserved"));
                Assert.Equal(0, Counter(counters, "fastpath", "drop.undecryptable"));

                // The same iperf3 without the fast path, for the comparison (README).
                lab.StopRouter();
                lab.RouterArguments = "";
                lab.StartRouter();
                Assert.True(WaitUp(lab), "the tunnel did not come up without the fast path");
                double managed = lab.Iperf(6);
                output.WriteLine($"iperf3 through warp-router without the fast path: {managed:F1} Mbit/s (with it: {mbits:F1})");
                Assert.True(managed > 0);
            }
            finally
            {
                lab.TearDown();
            }
        }

        static bool WaitUp(RouterLab lab)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < 20000)
            {
                if (lab.TunnelState() == "up") return true;
                Thread.Sleep(200);
            }
            return false;
        }
    }
}

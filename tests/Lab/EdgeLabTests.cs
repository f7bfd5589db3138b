using System;
using System.IO;
using System.Linq;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The router behind a rebinding NAT, against the WARP-like edge (warp-edge and three
    /// wireguard-go backends): the short form of README's measured table. Per mode, 22 s of ping at
    /// 5/s and an iperf3 stream with rebindings at 7 s and 14 s (the table's run is 60 s, every 10 s).
    /// </summary>
    [Collection("lab")]
    public class EdgeLabTests
    {
        readonly ITestOutputHelper output;
        public EdgeLabTests(ITestOutputHelper output) { this.output = output; }

        sealed class OutputWriter : StringWriter
        {
            readonly ITestOutputHelper o;
            public OutputWriter(ITestOutputHelper o) { this.o = o; }
            public override void WriteLine(string value) { try { o.WriteLine(value ?? ""); } catch (InvalidOperationException) { } }
        }

        static readonly string[] Tools = { "wireguard-go", "wg", "ip", "iptables", "ip6tables", "conntrack", "dhclient", "ping", "iperf3" };

        EdgeResult Measure(string mode, int clientId, out string frontStats, out (int Code, string Output) stop)
        {
            var lab = new RouterLab(new OutputWriter(output)) { Edge = mode, RouterClientId = clientId };
            try
            {
                Assert.True(lab.Setup(new LabReport(new OutputWriter(output))), "lab set-up failed");
                var sw = System.Diagnostics.Stopwatch.StartNew();
                while (lab.TunnelState() != "up" && sw.ElapsedMilliseconds < 15000) System.Threading.Thread.Sleep(100);
                Assert.Equal("up", lab.TunnelState());
                var r = lab.MeasureRebinding(22, 7);
                output.WriteLine(EdgeResult.Header);
                output.WriteLine("figure: " + r.Row());
                frontStats = r.FrontStats;
                output.WriteLine(frontStats);
                stop = lab.StopEdgeFront();
                return r;
            }
            finally
            {
                lab.TearDown();
            }
        }

        [SkippableFact]
        public void WithTheClientIdRebindingsBreakNothing()
        {
            LabRequirements.RequireLab(Tools);
            var r = Measure("clientid", RouterLab.LabClientId, out string stats, out var stop);
            Assert.Equal(2, r.RebindAtMs.Count);
            Assert.Equal(0, r.Broken);
            Assert.InRange(r.LongestOutageMs, 1, 999);
            Assert.True(r.PingsSent >= 90, "pings sent: " + r.PingsSent);
            Assert.InRange(r.PingsLost, 0, 2);
            Assert.True(r.IperfSurvived, "iperf3 did not survive");
            Assert.Equal(0, r.HandshakesPerBackend.Sum()); // no new session anywhere
            Assert.Equal(0, r.RouterHandshakes);
            // Every datagram of the client reached one backend, routed on the id in the router's config.
            var ids = stats.Split('\n').Where(l => l.StartsWith("clientid ")).ToList();
            Assert.Single(ids);
            Assert.StartsWith("clientid id=5a17c3 ", ids[0]);
            Assert.True(RouterLab.Field(ids[0], "initiation") >= 1 && RouterLab.Field(ids[0], "data") > 1000, ids[0]);
            var perBackend = ids[0].Substring(ids[0].IndexOf("backends=") + 9).Split(',').Select(long.Parse).ToArray();
            Assert.Equal(1, perBackend.Count(n => n > 0));
            Assert.All(r.BackendAfterRebind, b => Assert.Equal(r.BackendBefore, b));
            // The front stopped cleanly on SIGTERM and printed its counters.
            Assert.Equal(0, stop.Code);
            Assert.Contains("warp-edge: stopped", stop.Output);
        }

        [SkippableTheory]
        [InlineData("ecmp", RouterLab.LabClientId)]
        [InlineData("clientid", 0)]
        public void WithoutItARebindingToAnotherBackendBreaksTheSessionUntilANewHandshake(string mode, int clientId)
        {
            LabRequirements.RequireLab(Tools);
            var r = Measure(mode, clientId, out string stats, out _);
            Assert.Equal(2, r.RebindAtMs.Count);
            int moved = 0, previous = r.BackendBefore;
            for (int k = 0; k < r.RebindAtMs.Count; k++)
            {
                int now = r.BackendAfterRebind[k];
                if (now != previous)
                {
                    moved++;
                    // The new backend has no session: nothing comes back until the router's silence rule
                    // (REKEY_TIMEOUT, 5 s) races a new handshake, which that backend answers.
                    Assert.InRange(r.OutageAfterRebindMs[k], 4500, 7000);
                    Assert.True(r.HandshakesPerBackend[now] >= 1, "no handshake on backend " + now);
                }
                else
                    Assert.InRange(r.OutageAfterRebindMs[k], 0, 999);
                previous = now;
            }
            // The port sequence (40000, 40001, 40002) and the hash are fixed, so this is the same every run:
            // with three backends at least one of the two rebindings moves the client.
            Assert.True(moved >= 1, "no rebinding moved the client to another backend");
            Assert.Equal(moved, r.Broken);
            Assert.Equal(moved, r.RouterHandshakes);
            Assert.True(r.PingsLost >= 20 * moved, "pings lost: " + r.PingsLost);
            Assert.False(r.IperfSurvived, "iperf3 survived a move to another backend (its source address changed)");
            if (clientId == 0)
                Assert.StartsWith("clientid id=000000 ", stats.Split('\n').Single(l => l.StartsWith("clientid ")));
        }
    }
}

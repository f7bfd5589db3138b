using System.IO;
using System.Threading;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// `lab --peer warp`: the whole lab with warp-router peer in wireguard-go's place. The scenario (DHCP, DNS
    /// over UDP and TCP, IPv4 and IPv6, fragments, HTTP with its SHA-256) passes through it, and the
    /// throughput run measures warp-router and wireguard-go in the router's place against it with the
    /// peer's CPU counted (the process is the peer itself, not a shell).
    /// </summary>
    [Collection("lab")]
    public class WarpPeerLabTests
    {
        readonly ITestOutputHelper output;
        public WarpPeerLabTests(ITestOutputHelper output) { this.output = output; }

        [SkippableFact]
        public void ScenarioAndThroughputRunAgainstWarpRouterPeer()
        {
            LabRequirements.RequireLab("iperf3", "iptables", "wireguard-go", "wg", "dhclient", "dig", "curl");
            var lab = new RouterLab(new TestOutputWriter(output)) { PeerKind = RouterLab.PeerWarp, ThroughputSeconds = 2 };
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                Assert.Contains("peer: listening on UDP " + RouterLab.PeerPort, File.ReadAllText(lab.PeerLog));
                lab.Scenario(report);
                Assert.True(report.AllPassed, "the scenario failed against warp-router peer");
                lab.Throughput(report);
                Assert.True(double.Parse(report.Values["throughput.warp-router"]) > 0, "no throughput through warp-router");
                Assert.True(double.Parse(report.Values["throughput.wireguard-go"]) > 0, "no throughput through wireguard-go");
                foreach (var row in lab.ThroughputRows)
                    if (row.Test != "udp")
                        Assert.True(row.PeerCpu > 0.05, $"{row.Router} {row.Test}: the peer's CPU was not counted ({row.PeerCpu} s)");
            }
            finally
            {
                lab.TearDown();
            }
        }
    }
}

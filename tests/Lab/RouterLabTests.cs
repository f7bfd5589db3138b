using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using Warp.Protocol.Net;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The main job's scenario as assertions: warp-router in its network-namespace lab with real
    /// clients (ISC dhclient, ping, dig, curl, iperf3) and wireguard-go as the WARP-like peer.
    /// </summary>
    [Collection("lab")]
    public class RouterLabTests
    {
        readonly ITestOutputHelper output;
        public RouterLabTests(ITestOutputHelper output) { this.output = output; }


        static readonly string[] Tools = { "wireguard-go", "wg", "ip", "dhclient", "dig", "curl", "ping", "tcpdump" };

        [SkippableFact]
        public void ScenarioLeasePingDnsAndHttpOverBothFamilies()
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output));
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                lab.Scenario(report);
                foreach (var step in report.Steps)
                    Assert.True(step.Passed, step.Name + ": " + step.Detail);
                Assert.StartsWith("192.168.42.", report.Values["lease"]);
                Assert.Equal("200", report.Values["http4"]);
                Assert.Equal("200", report.Values["http6"]);
                var nat = lab.QueryRecords("nat");
                Assert.NotNull(nat);
                Assert.Contains(nat, r => r["proto"] == "tcp" && r["family"] == "4" && r["lan"].StartsWith("192.168.42.")
                    && r["remote"] == RouterLab.OriginV4 && r["remote_port"] == "80");
                Assert.Contains(nat, r => r["proto"] == "tcp" && r["family"] == "6" && r["lan"].StartsWith("fd42:4242:4242:") && r["remote_port"] == "80");

                // Leases survive a restart of the router: same MAC, same address.
                string before = report.Values["lease"];
                lab.StopRouter();
                lab.StartRouter();
                Shell.Run($"ip netns exec {RouterLab.Client} sh -c 'dhclient -x -pf {lab.Work}/dhclient.pid 2>/dev/null; ip -4 addr flush dev wlc0'", 20000, false);
                Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/fresh.leases wlc0", 40000, false);
                string after = Shell.Run($"ip netns exec {RouterLab.Client} ip -4 -o addr show dev wlc0", 5000, false);
                Assert.Contains("inet " + before + "/24", after);
                var lease = Assert.Single(lab.QueryRecords("leases"));
                Assert.Equal(before, lease["ip"]);
                Assert.Equal("bound", lease["state"]);
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>
        /// A lease granted and the router killed with SIGKILL right after the client has it: the
        /// restarted router still holds the lease (the ACK leaves only after the lease record is
        /// written), so the same client gets the same address and nobody else can get it.
        /// </summary>
        [SkippableFact]
        public void ALeaseGrantedRightBeforeASigkillIsKept()
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output));
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                for (int round = 0; round < 3; round++)
                {
                    Shell.Run($"ip netns exec {RouterLab.Client} sh -c 'dhclient -x -pf {lab.Work}/dhclient.pid 2>/dev/null; ip -4 addr flush dev wlc0'", 20000, false);
                    Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/round{round}.leases wlc0", 40000, false);
                    lab.KillRouter(); // at once: the client has just been ACKed
                    string addr = Shell.Run($"ip netns exec {RouterLab.Client} ip -4 -o addr show dev wlc0", 5000, false);
                    int at = addr.IndexOf("inet ", StringComparison.Ordinal);
                    Assert.True(at >= 0, "no lease in round " + round + ": " + addr);
                    string ip = addr.Substring(at + 5, addr.IndexOf('/', at) - at - 5);
                    lab.StartRouter();
                    var leases = lab.QueryRecords("leases");
                    Assert.NotNull(leases);
                    var lease = Assert.Single(leases);
                    Assert.Equal(ip, lease["ip"]);
                    Assert.Equal("bound", lease["state"]);
                    output.WriteLine("round " + round + ": " + ip + " kept across SIGKILL");
                }
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>
        /// Kill switch: the peer is gone and the router restarted, so no session exists. While the LAN
        /// client keeps trying (ping, DNS, HTTP), the router's uplink carries nothing but WireGuard
        /// handshake initiations to the peer: no LAN packet in clear, no data message.
        /// </summary>
        [SkippableFact]
        public void KillSwitchNothingButWireGuardOnTheUplinkWhileThePeerIsDown()
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output));
            string pcap = Path.Combine(Path.GetTempPath(), "warp-killswitch-" + Guid.NewGuid().ToString("N") + ".pcap");
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/dhclient.leases wlc0", 40000, false);
                lab.StopPeer();
                lab.StopRouter();
                lab.StartRouter();
                var dump = Shell.Start($"ip netns exec {RouterLab.RouterNs} tcpdump -i wlr-up -U -s 0 -w {pcap}");
                Thread.Sleep(1500);
                // LAN traffic for the tunnel: ping, DNS through the router, HTTP (all must go nowhere).
                Shell.Run($"ip netns exec {RouterLab.Client} ping -c 3 -W 1 {RouterLab.OriginV4}", 15000, false);
                Shell.Run($"ip netns exec {RouterLab.Client} dig +time=1 +tries=2 @{RouterLab.RouterLan} origin.lab A", 15000, false);
                Shell.Run($"ip netns exec {RouterLab.Client} curl -s --max-time 3 http://{RouterLab.OriginV4}/index.bin -o /dev/null", 15000, false);
                Thread.Sleep(1000);
                Shell.Stop(dump, interrupt: true);
                Assert.Equal("handshaking", lab.TunnelState());

                int initiations = 0;
                foreach (var frame in Pcap.ReadFrames(pcap))
                {
                    Assert.True(EthernetFrame.TryCreate(frame, 0, frame.Length, out var eth));
                    if (eth.EtherType == EthernetFrame.EtherTypeArp)
                        continue; // the uplink's own neighbour resolution
                    byte[] lan = { 192, 168, 42 };
                    if (eth.EtherType == EthernetFrame.EtherTypeIpv4)
                    {
                        Assert.True(Ipv4Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out var ip));
                        Assert.False(frame[ip.SourceOffsetInBuffer] == 192 && frame[ip.SourceOffsetInBuffer + 1] == 168, "a LAN source address on the uplink");
                        Assert.False(ip.Destination == Packets.V4(RouterLab.OriginV4) || ip.Destination == Packets.V4(RouterLab.DnsV4), "cleartext traffic to the origin or the resolver");
                        if (ip.Source != Packets.V4(RouterLab.RouterUplinkV4))
                            continue; // inbound (e.g. the peer's host answering port unreachable)
                        Assert.Equal(Ipv4Packet.ProtocolUdp, ip.Protocol);
                        Assert.True(UdpDatagram.TryCreate(frame, ip.PayloadOffset, ip.PayloadLength, out var udp));
                        Assert.Equal(Packets.V4(RouterLab.PeerUplinkV4), ip.Destination);
                        Assert.Equal(RouterLab.PeerPort, udp.DestinationPort);
                        // WireGuard: without a session only handshake initiations may leave.
                        Assert.Equal(148, udp.PayloadLength);
                        Assert.Equal(1, frame[udp.PayloadOffset]);
                        initiations++;
                    }
                    else if (eth.EtherType == EthernetFrame.EtherTypeIpv6)
                    {
                        Assert.True(Ipv6Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out var ip6));
                        Assert.False(frame[ip6.SourceOffsetInBuffer] == 0xfd && frame[ip6.SourceOffsetInBuffer + 1] == 0x42, "a LAN IPv6 source on the uplink");
                        Assert.NotEqual(Ipv6Packet.NextHeaderTcp, ip6.UpperLayerProtocol);
                        if (ip6.UpperLayerProtocol == Ipv6Packet.NextHeaderUdp)
                        {
                            Assert.True(UdpDatagram.TryCreate(frame, ip6.UpperLayerOffset, ip6.UpperLayerLength, out var udp6));
                            Assert.Equal(RouterLab.PeerPort, udp6.DestinationPort);
                            Assert.Equal(148, udp6.PayloadLength);
                        }
                        else
                        {
                            Assert.Equal(Ipv6Packet.NextHeaderIcmpv6, ip6.UpperLayerProtocol); // the uplink's ND and MLD
                        }
                    }
                    else
                    {
                        Assert.Fail("unexpected EtherType " + eth.EtherType.ToString("x4") + " on the uplink");
                    }
                }
                Assert.True(initiations >= 1, "the router did not even try to handshake");
                var counters = lab.QueryRecords("counters");
                Assert.True(counters.Single(r => r["module"] == "tunnel" && r["name"] == "initiations_sent").Number("value") >= 1);
                Assert.Equal(0, counters.Single(r => r["module"] == "tunnel" && r["name"] == "data_packets_sent").Number("value"));
                output.WriteLine(lab.Query("counters"));
            }
            finally
            {
                lab.TearDown();
                File.Delete(pcap);
            }
        }

        [SkippableFact]
        public void ThroughputAgainstWireGuardGoIsMeasured()
        {
            LabRequirements.RequireLab("iperf3", "iptables", "wireguard-go", "dhclient");
            var lab = new RouterLab(new TestOutputWriter(output));
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/dhclient.leases wlc0", 40000, false);
                Assert.Equal("up", WaitUp(lab));
                long[] buffers = RouterLab.CurrentBuffers(); // net.core.rmem/wmem_default are raised for the run only (global)
                lab.Throughput(report);
                Assert.Equal(buffers, RouterLab.CurrentBuffers());
                Assert.False(File.Exists(RouterLab.SavedFile), "the saved socket-buffer values were left behind");
                Assert.True(double.Parse(report.Values["throughput.warp-router"]) > 0, "no throughput through warp-router");
                Assert.True(double.Parse(report.Values["throughput.wireguard-go"]) > 0, "no throughput through wireguard-go");
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>
        /// The control socket never stalls forwarding: a client connects to it and stays silent
        /// while iperf3 runs through the router; the traffic flows, `status -m` answers a second
        /// client meanwhile, and the silent one is still connected until its idle timeout closes it.
        /// </summary>
        [SkippableFact]
        public void ForwardingContinuesWhileAControlClientHoldsTheSocketSilently()
        {
            LabRequirements.RequireLab("iperf3", "iptables", "wireguard-go", "dhclient");
            var lab = new RouterLab(new TestOutputWriter(output));
            Socket silent = null;
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/dhclient.leases wlc0", 40000, false);
                Assert.Equal("up", WaitUp(lab));

                silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                silent.Connect(new UnixDomainSocketEndPoint(lab.ControlSocket));
                var held = Stopwatch.StartNew();
                double mbits = lab.Iperf(3);
                output.WriteLine($"iperf3 through warp-router with a silent control client: {mbits:F1} Mbit/s");
                Assert.True(mbits > 20, "forwarding stalled: " + mbits.ToString("F1") + " Mbit/s");

                var sw = Stopwatch.StartNew();
                var status = lab.QueryRecords("status");
                Assert.True(sw.ElapsedMilliseconds < 1000, "status took " + sw.ElapsedMilliseconds + " ms");
                Assert.Equal("up", Assert.Single(status)["tunnel"]);
                Assert.True(held.ElapsedMilliseconds < ControlServer.IdleTimeoutMs, "the test itself was too slow to see the silent client held");
                Assert.False(silent.Poll(0, SelectMode.SelectRead), "the silent client was closed while it was still within its idle time");

                // Past the idle timeout the router closes it (EOF) and counts it.
                silent.ReceiveTimeout = (int)ControlServer.IdleTimeoutMs + 5000;
                Assert.Equal(0, silent.Receive(new byte[16]));
                Assert.InRange(held.ElapsedMilliseconds, ControlServer.IdleTimeoutMs - 100, ControlServer.IdleTimeoutMs + 5000);
                var counters = lab.QueryRecords("counters");
                Assert.Equal(1, counters.Single(r => r["module"] == "control" && r["name"] == "drop.idle").Number("value"));
            }
            finally
            {
                silent?.Dispose();
                lab.TearDown();
            }
        }

        static string WaitUp(RouterLab lab)
        {
            string s = null;
            for (int i = 0; i < 75; i++)
            {
                s = lab.TunnelState();
                if (s == "up") break;
                Thread.Sleep(200);
            }
            return s;
        }
    }
}

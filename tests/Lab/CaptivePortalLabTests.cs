using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Warp.Protocol.Net;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The hotel with a captive portal (Lab.Portal.cs): the internet hop redirects HTTP and drops
    /// everything else until a MAC has logged in. The router, probing with its own MAC, reports the
    /// portal; a phone on the hotel side logs in (curl, as a browser would: GET redirected, POST the
    /// form); the router clones the phone's MAC and the tunnel comes up; restore gives the own MAC back
    /// and the portal holds it again. tcpdump on the router's uplink throughout: nothing but WireGuard,
    /// the router's own probe to port 80 and neighbour resolution, never a LAN address or a LAN
    /// device's traffic in clear, with either MAC.
    /// </summary>
    [Collection("lab")]
    public class CaptivePortalLabTests
    {
        readonly ITestOutputHelper output;
        public CaptivePortalLabTests(ITestOutputHelper output) { this.output = output; }

        static readonly string[] Tools = { "wireguard-go", "wg", "ip", "dhclient", "dig", "curl", "ping", "tcpdump", "iptables", "ip6tables" };

        static bool WaitFor(Func<bool> condition, int timeoutMs)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                if (condition()) return true;
                Thread.Sleep(250);
            }
            return condition();
        }

        [SkippableFact]
        public void PortalIsReportedTheCloneBringsTheTunnelUpRestoreWorksAndNothingLeaksInClear()
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output)) { Portal = true };
            string pcap = Path.Combine(Path.GetTempPath(), "warp-portal-" + Guid.NewGuid().ToString("N") + ".pcap");
            Process dump = null, traffic = null;
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                var sw = Stopwatch.StartNew(); // the router is running from here
                dump = Shell.Start($"ip netns exec {RouterLab.RouterNs} tcpdump -i wlr-up -U -s 0 -w {pcap}");
                string ownMac = lab.RouterUplinkMac();
                string phoneMac = lab.PhoneMac();
                Assert.NotEqual(ownMac, phoneMac);

                // A LAN device gets its lease from the router and then keeps trying the internet the whole time.
                Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/dhclient.leases wlc0", 40000, false);
                traffic = Shell.Start($"ip netns exec {RouterLab.Client} sh -c 'while true; do ping -c 1 -W 1 {RouterLab.OriginV4}; " +
                    $"curl -s --max-time 2 -o /dev/null http://{RouterLab.OriginV4}/index.bin; dig +time=1 +tries=1 @{RouterLab.RouterLan} origin.lab A; sleep 0.2; done'");

                // 1. The router finds the portal with its own MAC.
                Assert.True(WaitFor(() => Status()?["portal"] == "detected", 45000), "no portal reported: " + lab.Query("status"));
                output.WriteLine($"portal reported {sw.ElapsedMilliseconds} ms after the router started");
                var s = Status();
                Assert.StartsWith($"http://{RouterLab.PortalAddress}:8080/login", s["portal_location"]);
                Assert.Equal("302", s["portal_http_status"]);
                Assert.Equal("0", s["mac_clone"]);
                Assert.Equal(ownMac, s["uplink_mac"]);
                Assert.NotEqual("up", s["tunnel"]);
                output.WriteLine(lab.Query("portal"));

                // 2. The phone on the hotel network: redirected, logs in, then gets its 204.
                Assert.StartsWith($"302 http://{RouterLab.PortalAddress}:8080/login", lab.PhoneGet(RouterLab.PortalUrl));
                string welcome = lab.PhoneLogin();
                Assert.Equal("welcome " + phoneMac, welcome);
                Assert.Equal("204", lab.PhoneGet(RouterLab.PortalUrl));
                Thread.Sleep(2000);
                Assert.NotEqual("up", lab.TunnelState()); // the router's own MAC is still held

                // 3. The clone: the uplink takes the phone's MAC and the tunnel comes up.
                sw.Restart();
                string answer = lab.Query("portal clone " + phoneMac);
                output.WriteLine(answer);
                Assert.StartsWith("uplink: cloned " + phoneMac + " (own " + ownMac + ")", answer);
                Assert.Equal(phoneMac, lab.RouterUplinkMac());
                Assert.True(WaitFor(() => lab.TunnelState() == "up", 30000), "the tunnel did not come up after the clone: " + lab.Query("status"));
                output.WriteLine($"tunnel up {sw.ElapsedMilliseconds} ms after the clone command was sent");
                string file = Path.Combine(lab.Work, "through-portal.bin");
                string code = Shell.Run($"ip netns exec {RouterLab.Client} curl -s -o {file} -w '%{{http_code}}' --max-time 20 http://origin.lab/index.bin", 30000, false).Trim();
                Assert.Equal("200", code);
                Assert.Equal(lab.OriginSha256, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant());
                s = Status();
                Assert.Equal(("clear", "1", phoneMac, ownMac), (s["portal"], s["mac_clone"], s["uplink_mac"], s["own_uplink_mac"]));

                // 4. Restore: the own MAC is back, and the portal holds it again.
                answer = lab.Query("portal restore");
                output.WriteLine(answer);
                Assert.StartsWith("uplink: own MAC restored " + ownMac, answer);
                Assert.Equal(ownMac, lab.RouterUplinkMac());
                lab.Query("portal probe");
                Assert.True(WaitFor(() => Status()?["portal"] == "detected", 20000), "the portal is not seen again after the restore: " + lab.Query("status"));
                s = Status();
                Assert.Equal(("0", ownMac), (s["mac_clone"], s["uplink_mac"]));
                output.WriteLine(lab.Query("status"));
                output.WriteLine(File.ReadAllText(lab.PortalLog));
                Shell.Stop(traffic);
                traffic = null;
                Thread.Sleep(1000);
                Shell.Stop(dump, interrupt: true);
                dump = null;

                CheckCapture(pcap, ownMac, phoneMac);
            }
            finally
            {
                Shell.Stop(traffic);
                Shell.Stop(dump, interrupt: true);
                lab.TearDown();
                File.Delete(pcap);
            }

            ConsoleRecordLine Status()
            {
                var r = lab.QueryRecords("status");
                return r != null && r.Count == 1 ? r[0] : null;
            }
        }

        /// <summary>Every frame on the uplink: ARP and ND, the router's WireGuard, and its probe; nothing of the LAN.</summary>
        void CheckCapture(string pcap, string ownMac, string phoneMac)
        {
            int wireguard = 0, wireguardData = 0, probeSegments = 0, fromOwn = 0, fromClone = 0, frames = 0;
            uint routerUplink = Packets.V4(RouterLab.RouterUplinkV4), probeAddress = Packets.V4(RouterLab.ProbeAddress);
            foreach (var frame in Pcap.ReadFrames(pcap))
            {
                frames++;
                Assert.True(EthernetFrame.TryCreate(frame, 0, frame.Length, out var eth));
                string source = MacAddress.Format(frame, 6);
                if (source == ownMac) fromOwn++;
                if (source == phoneMac) fromClone++;
                if (eth.EtherType == EthernetFrame.EtherTypeArp)
                    continue;
                if (eth.EtherType == EthernetFrame.EtherTypeIpv4)
                {
                    Assert.True(Ipv4Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out var ip));
                    Assert.False(frame[ip.SourceOffsetInBuffer] == 192 && frame[ip.SourceOffsetInBuffer + 1] == 168, "a LAN source address on the uplink");
                    foreach (uint forbidden in new[] { Packets.V4(RouterLab.OriginV4), Packets.V4(RouterLab.DnsV4) })
                        Assert.False(ip.Destination == forbidden || ip.Source == forbidden, "cleartext traffic with the origin or the resolver");
                    bool outbound = ip.Source == routerUplink;
                    if (ip.Protocol == Ipv4Packet.ProtocolUdp)
                    {
                        Assert.True(UdpDatagram.TryCreate(frame, ip.PayloadOffset, ip.PayloadLength, out var udp));
                        int port = outbound ? udp.DestinationPort : udp.SourcePort;
                        Assert.Equal(RouterLab.PeerPort, port);
                        byte type = frame[udp.PayloadOffset];
                        Assert.InRange(type, (byte)1, (byte)4);
                        Assert.Equal(0, frame[udp.PayloadOffset + 1] | frame[udp.PayloadOffset + 2] | frame[udp.PayloadOffset + 3]);
                        wireguard++;
                        if (type == 4) wireguardData++;
                    }
                    else if (ip.Protocol == Ipv4Packet.ProtocolTcp)
                    {
                        // The router's own probe, and only to the probe address's port 80.
                        Assert.True(ip.Destination == probeAddress || ip.Source == probeAddress, "TCP on the uplink that is not the probe");
                        int port = outbound ? Endian.Read16(frame, ip.PayloadOffset + 2) : Endian.Read16(frame, ip.PayloadOffset);
                        Assert.Equal(80, port);
                        Assert.True(outbound || ip.Destination == routerUplink);
                        probeSegments++;
                    }
                    else
                    {
                        Assert.Equal(Ipv4Packet.ProtocolIcmp, ip.Protocol); // e.g. the hop's port unreachable
                        Assert.False(outbound, "ICMP from the router's uplink (a LAN ping in clear?)");
                    }
                }
                else if (eth.EtherType == EthernetFrame.EtherTypeIpv6)
                {
                    Assert.True(Ipv6Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out var ip6));
                    Assert.False(frame[ip6.SourceOffsetInBuffer] == 0xfd && frame[ip6.SourceOffsetInBuffer + 1] == 0x42, "a LAN IPv6 source on the uplink");
                    if (ip6.UpperLayerProtocol == Ipv6Packet.NextHeaderUdp)
                    {
                        Assert.True(UdpDatagram.TryCreate(frame, ip6.UpperLayerOffset, ip6.UpperLayerLength, out var udp6));
                        Assert.True(udp6.DestinationPort == RouterLab.PeerPort || udp6.SourcePort == RouterLab.PeerPort, "IPv6 UDP that is not WireGuard");
                        byte type = frame[udp6.PayloadOffset];
                        Assert.InRange(type, (byte)1, (byte)4);
                        Assert.Equal(0, frame[udp6.PayloadOffset + 1] | frame[udp6.PayloadOffset + 2] | frame[udp6.PayloadOffset + 3]);
                        wireguard++;
                        if (type == 4) wireguardData++;
                    }
                    else
                    {
                        Assert.Equal(Ipv6Packet.NextHeaderIcmpv6, ip6.UpperLayerProtocol); // ND and MLD of the uplink
                    }
                }
                else
                {
                    Assert.Fail("unexpected EtherType " + eth.EtherType.ToString("x4") + " on the uplink");
                }
            }
            output.WriteLine($"uplink capture: {frames} frames, {wireguard} WireGuard ({wireguardData} data), {probeSegments} probe TCP segments, {fromOwn} from the own MAC, {fromClone} from the clone");
            Assert.True(wireguardData > 0, "no tunnel data while cloned");
            Assert.True(probeSegments > 0, "the probe is not in the capture");
            Assert.True(fromOwn > 0 && fromClone > 0, "both MACs should have sent");
        }
    }
}

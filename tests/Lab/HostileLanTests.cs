using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Warp.Firmware;
using Warp.Protocol.Config;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The hostile-LAN field test, re-run as tests: a second device on the router's LAN (wl-att,
    /// on the lab's switch) attacks with scapy while the client (wl-client) uses the router. Each
    /// test builds its own lab and tears it down, also when it fails.
    /// </summary>
    [Collection("lab")]
    public class HostileLanTests
    {
        readonly ITestOutputHelper output;
        public HostileLanTests(ITestOutputHelper output) { this.output = output; }


        static readonly string[] Tools = { "wireguard-go", "wg", "ip", "dhclient", "curl", "tcpdump", "scapy", "iptables", "setpriv" };
        static readonly string Script = Path.Combine(AppContext.BaseDirectory, "attack.py");

        static string InNs(string ns, string command) { return "ip netns exec " + ns + " " + command; }

        RouterLab Lab(out string routerMac)
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output));
            var report = new LabReport(new TestOutputWriter(output));
            Assert.True(lab.Setup(report), "lab set-up failed");
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(File.ReadAllText(Path.Combine(lab.Work, "router.conf")), d);
            byte[] mac = RouterConfig.RouterMac(s);
            routerMac = string.Join(":", mac.Select(b => b.ToString("x2")));
            return lab;
        }

        static string Attack(string args, int timeoutMs = 60000)
        {
            return Shell.Run(InNs(RouterLab.Attacker, "/usr/bin/python3 " + Script + " " + args), timeoutMs, false);
        }

        static string Lease(RouterLab lab, string ns, string iface)
        {
            Shell.Run(InNs(ns, $"timeout 30 dhclient -4 -1 -pf {lab.Work}/{ns}.pid -lf {lab.Work}/{ns}.leases {iface}"), 40000, false);
            string addr = Shell.Run(InNs(ns, $"ip -4 -o addr show dev {iface}"), 5000, false);
            int at = addr.IndexOf("inet ", StringComparison.Ordinal);
            Assert.True(at >= 0, ns + " got no lease: " + addr);
            return addr.Substring(at + 5, addr.IndexOf('/', at) - at - 5);
        }

        static string Slaac(string ns, string iface)
        {
            for (int i = 0; i < 75; i++)
            {
                string a = Shell.Run(InNs(ns, $"ip -6 -o addr show dev {iface} scope global"), 5000, false);
                int at = a.IndexOf("inet6 fd42:4242:4242:", StringComparison.Ordinal);
                if (at >= 0)
                    return a.Substring(at + 6, a.IndexOf('/', at) - at - 6);
                Thread.Sleep(200);
            }
            return null;
        }

        static long Counter(RouterLab lab, string module, string name)
        {
            var records = lab.QueryRecords("counters");
            Assert.NotNull(records);
            var r = records.FirstOrDefault(x => x.Type == "counter" && x["module"] == module && x["name"] == name);
            Assert.True(r != null, "no counter " + module + "." + name);
            return long.Parse(r["value"]);
        }

        string Fetch(RouterLab lab, string family, string file, string extra = "")
        {
            string path = Path.Combine(lab.Work, "got-" + family + "-" + file);
            string code = Shell.Run(InNs(RouterLab.Client, $"curl -{family} -s {extra} -o {path} -w '%{{http_code}}' --max-time 40 http://origin.lab/{file}"), 50000, false).Trim();
            output.WriteLine("curl -" + family + " " + file + ": " + code);
            return code == "200" && File.Exists(path) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant() : "HTTP " + code;
        }

        /// <summary>
        /// One device fills the table from its own addresses, dual stack, and with forged sources;
        /// the other client still opens new TCP and UDP flows and fetches the page over both families.
        /// </summary>
        [SkippableFact]
        public void ADeviceFillingTheTableDoesNotLockTheOthersOut()
        {
            var lab = Lab(out string routerMac);
            try
            {
                string att4 = Lease(lab, RouterLab.Attacker, "wla0");
                string att6 = Slaac(RouterLab.Attacker, "wla0");
                Assert.NotNull(att6);
                // 200 flows per family from its own addresses: more than the whole table (256).
                Attack($"flows wla0 {routerMac} {att4} {att6} {RouterLab.OriginV4} {RouterLab.OriginV6} 200");
                Attack($"spoofflows wla0 {routerMac} {RouterLab.OriginV4} {RouterLab.OriginV6} 150");
                var status = lab.QueryRecords("status");
                output.WriteLine("nat sessions after the flood: " + status[0]["nat_sessions"] + " of " + status[0]["nat_capacity"]);
                Assert.True(Counter(lab, "nat", "drop.host_quota_exceeded") > 0, "the share did not stop the device");
                Assert.True(Counter(lab, "lan", "drop.source_unbound_v4") + Counter(lab, "lan", "drop.source_leased_elsewhere") >= 140);
                Assert.True(Counter(lab, "lan", "drop.source_device_binding_limit") > 0, "forged ULA sources were all bound");

                Lease(lab, RouterLab.Client, "wlc0");
                Assert.NotNull(Slaac(RouterLab.Client, "wlc0"));
                Assert.Equal(lab.OriginSha256, Fetch(lab, "4", "index.bin"));
                Assert.Equal(lab.OriginSha256, Fetch(lab, "6", "index.bin"));
                string dig = Shell.Run(InNs(RouterLab.Client, $"dig +short +time=3 +tries=2 @{RouterLab.RouterLan} origin.lab A"), 20000, false).Trim();
                Assert.Equal(RouterLab.OriginV4, dig); // a new UDP flow
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>
        /// The hijack: the attacker sends from the victim's IPv4 address at 1,000 frames/s during the
        /// victim's download. The download completes intact, the attacker receives none of it, and
        /// the forged frames are counted.
        /// </summary>
        [SkippableFact]
        public void ASpoofedSourceCannotHijackAnotherClientsDownload()
        {
            var lab = Lab(out string routerMac);
            try
            {
                var body = new byte[3 * 1024 * 1024];
                RandomNumberGenerator.Fill(body);
                File.WriteAllBytes(Path.Combine(lab.Work, "www", "big.bin"), body);
                string sha = Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant();
                string victim = Lease(lab, RouterLab.Client, "wlc0");
                string pcap = Path.Combine(lab.Work, "attacker.pcap");
                var capture = Shell.Start(InNs(RouterLab.Attacker, $"tcpdump -i wla0 -U -s 0 -w {pcap} ip"));
                Process attacker = null;
                try
                {
                    Thread.Sleep(500);
                    attacker = Shell.Start(InNs(RouterLab.Attacker, $"/usr/bin/python3 {Script} hijack wla0 {routerMac} {victim} {RouterLab.OriginV4} 6 1000"));
                    Thread.Sleep(300);
                    Assert.Equal(sha, Fetch(lab, "4", "big.bin", "--limit-rate 1M"));
                    attacker.WaitForExit(15000);
                }
                finally
                {
                    Shell.Stop(attacker);
                    Shell.Stop(capture, true);
                }
                string fromOrigin = Shell.Run($"tcpdump -r {pcap} -n 'src host {RouterLab.OriginV4}'", 20000, false);
                Assert.True(fromOrigin.Trim().Length == 0, "the attacker received the victim's traffic:\n" + fromOrigin);
                long forged = Counter(lab, "lan", "drop.source_leased_elsewhere");
                output.WriteLine("forged frames dropped: " + forged);
                Assert.True(forged >= 1000, "forged frames counted: " + forged);
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>Every spoofed source of the field test is dropped, counted by reason, and nothing reaches the uplink but WireGuard.</summary>
        [SkippableFact]
        public void SpoofedSourcesAreDroppedByReasonAndNeverLeave()
        {
            var lab = Lab(out string routerMac);
            try
            {
                string pcap = Path.Combine(lab.Work, "uplink.pcap");
                var capture = Shell.Start(InNs(RouterLab.RouterNs, $"tcpdump -i wlr-up -U -s 0 -w {pcap}"));
                try
                {
                    Thread.Sleep(500);
                    Attack($"sources wla0 {routerMac} {RouterLab.OriginV4} {RouterLab.OriginV6} 8.8.8.8 {RouterLab.RouterUplinkV4} 192.168.42.255 {RouterLab.RouterLan} {RouterLab.RouterUla} 2001:db8:99::1");
                    Thread.Sleep(500);
                }
                finally
                {
                    Shell.Stop(capture, true);
                }
                Assert.Equal(4, Counter(lab, "lan", "drop.source_unbound_v4"));
                Assert.Equal(1, Counter(lab, "lan", "drop.source_router_address"));
                Assert.Equal(1, Counter(lab, "lan", "drop.source_foreign_prefix"));
                // On the uplink: WireGuard (UDP 51820) and the uplink's own link-local chatter (ND, MLD to ff02::), nothing else.
                string leaked = Shell.Run($"tcpdump -r {pcap} -n '(ip or ip6) and not udp port {RouterLab.PeerPort} and not (ip6 and (dst net ff02::/16 or (icmp6 and ip6[40] >= 133 and ip6[40] <= 136)))'", 20000, false);
                Assert.True(leaked.Trim().Length == 0, "cleartext on the uplink:\n" + leaked);
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>
        /// The host's kernel is no path around the tunnel: forged echo requests to the broadcast
        /// address and to the LAN interface's own MAC (for the uplink's address) get no answer on
        /// the uplink. The lockdown is in place while the router runs and undone when it stops.
        /// </summary>
        [SkippableFact]
        public void ForgedEchoToTheHostKernelProducesNothingOnTheUplink()
        {
            var lab = Lab(out string routerMac);
            try
            {
                string kernelMac = Shell.Run(InNs(RouterLab.RouterNs, "cat /sys/class/net/wlr-lan/address")).Trim();
                Assert.Contains("-i wlr-lan -j DROP", Shell.Run(InNs(RouterLab.RouterNs, "iptables -S INPUT")));
                Assert.Equal("1", Shell.Run(InNs(RouterLab.RouterNs, "cat /proc/sys/net/ipv6/conf/wlr-lan/disable_ipv6")).Trim());
                string pcap = Path.Combine(lab.Work, "uplink.pcap");
                var capture = Shell.Start(InNs(RouterLab.RouterNs, $"tcpdump -i wlr-up -U -s 0 -w {pcap} icmp"));
                try
                {
                    Thread.Sleep(500);
                    Attack($"echo wla0 ff:ff:ff:ff:ff:ff {RouterLab.PeerUplinkV4} 255.255.255.255 5");
                    Attack($"echo wla0 ff:ff:ff:ff:ff:ff {RouterLab.PeerUplinkV4} 192.168.42.255 5");
                    Attack($"echo wla0 {kernelMac} {RouterLab.PeerUplinkV4} {RouterLab.RouterUplinkV4} 5");
                    Thread.Sleep(800);
                }
                finally
                {
                    Shell.Stop(capture, true);
                }
                string replies = Shell.Run($"tcpdump -r {pcap} -n icmp", 20000, false);
                Assert.True(replies.Trim().Length == 0, "the host's kernel answered on the uplink:\n" + replies);
                lab.StopRouter();
                Assert.DoesNotContain("-i wlr-lan -j DROP", Shell.Run(InNs(RouterLab.RouterNs, "iptables -S INPUT")));
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>A second `run` on the same state and interface is refused; the first keeps running and keeps its control socket.</summary>
        [SkippableFact]
        public void ASecondInstanceIsRefusedAndTheFirstKeepsItsSocket()
        {
            var lab = Lab(out _);
            try
            {
                string self = typeof(RouterLab).Assembly.Location;
                string second = Shell.Run(InNs(RouterLab.RouterNs,
                    $"sh -c '{Environment.ProcessPath} {self} run --config {lab.Work}/router.conf --lan-interface wlr-lan --state {lab.Work}/state --control {lab.Work}/second.sock --no-console 2>&1; echo exit=$?'"), 30000, false);
                output.WriteLine(second);
                Assert.Contains("exit=1", second);
                Assert.Contains("another warp-router", second);
                Assert.True(File.Exists(lab.ControlSocket), "the first instance's control socket is gone");
                Assert.False(File.Exists(Path.Combine(lab.Work, "second.sock")));
                Assert.NotNull(lab.TunnelState());
                // Same control path, other state directory and interface: the live socket is not taken over.
                string third = Shell.Run(InNs(RouterLab.RouterNs,
                    $"sh -c 'timeout -s INT 4 {Environment.ProcessPath} {self} run --config {lab.Work}/router.conf --tap wl-third --state {lab.Work}/state3 --control {lab.ControlSocket} --no-console 2>&1; echo exit=$?'"), 30000, false);
                output.WriteLine(third);
                Assert.Contains("in use by another instance", third);
                Assert.True(File.Exists(lab.ControlSocket));
                Assert.NotNull(lab.TunnelState());
            }
            finally
            {
                lab.TearDown();
            }
        }

        /// <summary>Under umask 000 the socket is still 0660, the state 0700/0600, and an unprivileged user can read neither.</summary>
        [SkippableFact]
        public void UnderUmask000OthersCanReadNeitherTheSocketNorTheState()
        {
            var lab = Lab(out _);
            try
            {
                lab.StopRouter();
                lab.StartRouter("000");
                Lease(lab, RouterLab.Client, "wlc0");
                string state = Path.Combine(lab.Work, "state");
                string leases = Path.Combine(state, "dhcp-leases");
                Assert.True(File.Exists(leases));
                Assert.Equal("660", Shell.Run("stat -c %a " + lab.ControlSocket).Trim());
                Assert.Equal("700", Shell.Run("stat -c %a " + state).Trim());
                Assert.Equal("600", Shell.Run("stat -c %a " + leases).Trim());
                string connect = $"/usr/bin/python3 -c \"import socket; s = socket.socket(socket.AF_UNIX); s.connect('{lab.ControlSocket}'); print('connected')\"";
                Assert.Contains("connected", Shell.Run(connect, 10000, false)); // root may
                string nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
                string asNobody = Shell.Run(nobody + connect + " 2>&1", 10000, false);
                Assert.DoesNotContain("connected", asNobody);
                Assert.Contains("Permission denied", asNobody);
                Assert.Contains("Permission denied", Shell.Run(nobody + "cat " + leases + " 2>&1", 10000, false));
            }
            finally
            {
                lab.TearDown();
            }
        }
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The self-contained lab (the main job): four network namespaces on this machine,
    /// <code>
    ///  wl-client ──veth── wl-router ──veth── wl-inet ──veth── wl-peer
    ///  dhclient   wlc0    warp-router  10.250.1.0/24  NAT   10.250.2.0/24  wireguard-go 172.16.0.1
    ///  ping, dig  wlr-lan (raw socket) fd10:250:1::/64      fd10:250:2::/64  origin 198.18.0.80, 2001:db8:80::80
    ///  curl                                                                   DNS    198.18.0.53, 2001:db8:53::53
    /// </code>
    /// then the scenario from the LAN client: a DHCP lease from our router, ping to the router over
    /// IPv4 and IPv6 (SLAAC from our RAs), a DNS lookup through the router (redirected into the
    /// tunnel), and an HTTP download from the origin over IPv4 and IPv6 whose SHA-256 must match.
    /// It prints each step, the router's status and NAT table, and tears everything down, also on
    /// failure or Ctrl-C (unless <see cref="Keep"/>).
    /// </summary>
    public sealed partial class Lab
    {
        public const string Client = "wl-client", RouterNs = "wl-router", Inet = "wl-inet", PeerNs = "wl-peer";
        /// <summary>The LAN's switch (a bridge) and a second LAN device, the attacker of the hostile-LAN tests.</summary>
        public const string Switch = "wl-lan", Attacker = "wl-att";
        public const string RouterLan = "192.168.42.1";
        public const string UlaPrefix = "fd42:4242:4242::";
        public const string RouterUla = "fd42:4242:4242::1";
        public const string OriginV4 = "198.18.0.80", OriginV6 = "2001:db8:80::80";
        public const string DnsV4 = "198.18.0.53", DnsV6 = "2001:db8:53::53";
        public const string PeerUplinkV4 = "10.250.2.2", PeerUplinkV6 = "fd10:250:2::2";
        public const string RouterUplinkV4 = "10.250.1.2";
        public const int PeerPort = 51820;
        /// <summary>A TXT answer too big for plain UDP (four 200-character strings, about 800 bytes): dig +noedns must fall back to TCP.</summary>
        public const string BigTxtName = "big.origin.lab";
        public static readonly string BigTxtPart = new string('w', 190) + "0123456789";
        static readonly string[] Namespaces = { Client, RouterNs, Inet, PeerNs, Switch, Attacker };

        readonly TextWriter log;
        public bool Keep;
        public bool MeasureThroughput;
        /// <summary>More arguments for `warp-router run` (e.g. "--fast-path native --fast-path-library PATH").</summary>
        public string Work { get; private set; }
        public string ControlSocket { get { return Path.Combine(Work, "router.sock"); } }
        /// <summary>wireguard-go's verbose log (handshakes it received, answered and refused).</summary>
        public string PeerLog { get { return Path.Combine(Work, "wg-peer.log"); } }
        public string RouterPublicKey { get; private set; }
        public string OriginSha256 { get; private set; }
        Process router, peerDaemon;

        public Lab(TextWriter log)
        {
            this.log = log;
            Work = Path.Combine(Path.GetTempPath(), "warp-lab");
        }

        static readonly string[] Packages =
        {
            "wireguard-go:wireguard-go", "wg:wireguard-tools", "ip:iproute2", "dhclient:isc-dhcp-client", "dig:dnsutils",
            "curl:curl", "python3:python3", "dnsmasq:dnsmasq-base", "ping:iputils-ping", "ethtool:ethtool",
            "iptables:iptables", "iperf3:iperf3", "tcpdump:tcpdump", "conntrack:conntrack",
        };

        /// <summary>Builds the lab, runs the scenario, prints the results; tears down unless <see cref="Keep"/>.</summary>
        public LabReport Run()
        {
            var report = new LabReport(log);
            if (!Shell.IsRoot)
            {
                report.Check("root", false, "the lab creates network namespaces: run it as root");
                return report;
            }
            ConsoleCancelEventHandler onCancel = (s, e) => { log.WriteLine("interrupted: tearing the lab down"); TearDown(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                if (!Setup(report)) return report;
                if (Portal)
                    PortalScenario(report); // Lab.Portal.cs: detect, log the phone in, clone, then the scenario, restore
                else
                    Scenario(report);
                if (Edge != null)
                    EdgeSteps(report);
                if (MeasureThroughput)
                    Throughput(report);
                PrintRouter("status");
                PrintRouter("nat");
            }
            catch (Exception e) when (e is InvalidOperationException || e is TimeoutException || e is IOException)
            {
                report.Check("lab", false, e.Message);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
                if (Keep)
                    log.WriteLine("--keep: the lab stays up; explore with `ip netns exec wl-client bash`; the router's control socket is " + ControlSocket);
                else
                    TearDown();
            }
            log.WriteLine(report.AllPassed ? "lab: all steps passed" : "lab: some steps FAILED");
            return report;
        }

        /// <summary>Installs what is missing, removes any earlier lab, builds this one and starts the router.</summary>
        public bool Setup(LabReport report)
        {
            if (!report.Check("packages", InstallPackages(out string missing), missing))
                return false;
            TearDown();
            Build();
            report.Check("lab built", true, "namespaces " + string.Join(", ", Namespaces));
            StartRouter();
            return true;
        }

        /// <summary>Stops the WireGuard peer (wireguard-go) and forgets it, as if the far end went away.</summary>
        public void StopPeer()
        {
            if (PeerKind == PeerWarp && peerDaemon != null) { StopWarpPeer(); return; }
            Shell.Stop(peerDaemon);
            peerDaemon = null;
        }

        bool InstallPackages(out string missing)
        {
            var need = new System.Collections.Generic.List<string>();
            foreach (var p in Packages)
            {
                var parts = p.Split(':');
                if (!Shell.Has(parts[0])) need.Add(parts[1]);
            }
            missing = need.Count == 0 ? "all present" : "installing " + string.Join(" ", need);
            if (need.Count == 0) return true;
            log.WriteLine("installing Debian packages: " + string.Join(" ", need));
            try
            {
                Shell.Run("export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq " + string.Join(" ", need), 600000);
                return true;
            }
            catch (Exception e) when (e is InvalidOperationException || e is TimeoutException)
            {
                missing = e.Message;
                return false;
            }
        }

        static string Ns(string ns, string command) { return "ip netns exec " + ns + " " + command; }

        void Build()
        {
            Directory.CreateDirectory(Work);
            foreach (var ns in Namespaces) Shell.Run("ip netns add " + ns);
            Shell.Run(Ns(Switch, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1"), 10000, false); // the switch itself stays silent
            foreach (var ns in Namespaces) Shell.Run(Ns(ns, "ip link set lo up"));
            // dhclient-script rewrites resolv.conf: give the client namespace its own.
            Directory.CreateDirectory("/etc/netns/" + Client);
            File.WriteAllText("/etc/netns/" + Client + "/resolv.conf", "# warp lab\n");

            // The LAN is a switch (a bridge in wl-lan): the router, the client and a second device (wl-att).
            Directory.CreateDirectory("/etc/netns/" + Attacker);
            File.WriteAllText("/etc/netns/" + Attacker + "/resolv.conf", "# warp lab\n");
            Shell.Run(Ns(Switch, "sh -c 'ip link add wls-br type bridge stp_state 0 forward_delay 0 mcast_snooping 0 && ip link set wls-br up'"));
            Shell.Run($"ip link add wlc0 netns {Client} type veth peer name wls-c netns {Switch}");
            Shell.Run($"ip link add wlr-lan netns {RouterNs} type veth peer name wls-r netns {Switch}");
            Shell.Run($"ip link add wla0 netns {Attacker} type veth peer name wls-a netns {Switch}");
            foreach (var port in new[] { "wls-c", "wls-r", "wls-a" })
                Shell.Run(Ns(Switch, $"sh -c 'ethtool -K {port} tx off rx off >/dev/null 2>&1; ip link set {port} master wls-br && ip link set {port} up'"));
            Shell.Run(Ns(Attacker, "ethtool -K wla0 tx off rx off"), 10000, false);
            Shell.Run(Ns(Attacker, "ip link set wla0 up"));
            Shell.Run($"ip link add wlr-up netns {RouterNs} type veth peer name wli-r netns {Inet}");
            Shell.Run($"ip link add wli-p netns {Inet} type veth peer name wlp-up netns {PeerNs}");
            // The client's kernel would leave checksums to an offload our raw socket never sees.
            Shell.Run(Ns(Client, "ethtool -K wlc0 tx off rx off"), 10000, false);
            Shell.Run(Ns(RouterNs, "ethtool -K wlr-lan tx off rx off"), 10000, false);
            Shell.Run(Ns(Client, "ip link set wlc0 up"));
            Shell.Run(Ns(RouterNs, "sh -c 'ip link set wlr-lan up'"));

            // Router uplink and the "internet" hop (a NAT, like a hotel's, for IPv4).
            Shell.Run(Ns(RouterNs, "sh -c 'ip addr add 10.250.1.2/24 dev wlr-up && ip -6 addr add fd10:250:1::2/64 dev wlr-up nodad && ip link set wlr-up up && ip route add default via 10.250.1.1 && ip -6 route add default via fd10:250:1::1'"));
            Shell.Run(Ns(Inet, "sh -c 'ip addr add 10.250.1.1/24 dev wli-r && ip -6 addr add fd10:250:1::1/64 dev wli-r nodad && ip addr add 10.250.2.1/24 dev wli-p && ip -6 addr add fd10:250:2::1/64 dev wli-p nodad && ip link set wli-r up && ip link set wli-p up && sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1'"));
            Shell.Run(Ns(Inet, "iptables -t nat -A POSTROUTING -o wli-p -j MASQUERADE"), 10000, false);

            // The peer: wireguard-go, the origin web server and the DNS server.
            Shell.Run(Ns(PeerNs, "sh -c 'ip addr add 10.250.2.2/24 dev wlp-up && ip -6 addr add fd10:250:2::2/64 dev wlp-up nodad && ip link set wlp-up up && ip route add default via 10.250.2.1 && ip -6 route add default via fd10:250:2::1'"));
            Shell.Run(Ns(PeerNs, $"sh -c 'ip addr add {OriginV4}/32 dev lo && ip addr add {DnsV4}/32 dev lo && ip -6 addr add {OriginV6}/128 dev lo nodad && ip -6 addr add {DnsV6}/128 dev lo nodad'"));
            string peerKey = Path.Combine(Work, "peer.key");
            string routerKey = Shell.Run("wg genkey").Trim();
            File.WriteAllText(Path.Combine(Work, "router.key"), routerKey + "\n");
            string peerPrivate = Shell.Run("wg genkey").Trim();
            File.WriteAllText(peerKey, peerPrivate + "\n");
            string peerPublic = Shell.Run("echo " + peerPrivate + " | wg pubkey").Trim();
            RouterPublicKey = Shell.Run("echo " + routerKey + " | wg pubkey").Trim();
            if (Edge == null)
                StartPeer("verbose");
            else
                BuildEdge(peerKey); // the edge (front and backends) in place of the single wireguard-go peer

            string www = Path.Combine(Work, "www");
            Directory.CreateDirectory(www);
            var body = new byte[256 * 1024];
            RandomNumberGenerator.Fill(body);
            File.WriteAllBytes(Path.Combine(www, "index.bin"), body);
            OriginSha256 = Convert.ToHexString(SHA256.HashData(body)).ToLowerInvariant();
            Shell.Start(Ns(PeerNs, $"python3 -m http.server --bind :: --directory {www} 80"));
            Shell.Start(Ns(PeerNs, $"dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces --listen-address={DnsV4} --listen-address={DnsV6} --address=/origin.lab/{OriginV4} --address=/origin.lab/{OriginV6} --txt-record={BigTxtName},{BigTxtPart},{BigTxtPart},{BigTxtPart},{BigTxtPart} --pid-file={Work}/dnsmasq.pid"));
            // Bound to the origin's address: a UDP test's replies then come from it (unbound, they would leave from the tunnel address, which the client ignores).
            Shell.Start(Ns(PeerNs, $"iperf3 -s -B {OriginV4}"));

            File.WriteAllText(Path.Combine(Work, "router.conf"),
                "# warp-router lab configuration (generated)\n" +
                "[Interface]\n" +
                "PrivateKey = " + routerKey + "\n" +
                "Address = 172.16.0.2/32, fd01:5ca1::2/128\n" +
                $"DNS = {DnsV4}, {DnsV6}\n" +
                "MTU = 1280\n\n" +
                "[Peer]\n" +
                "PublicKey = " + peerPublic + "\n" +
                (Edge == null ? $"Endpoint = {PeerUplinkV4}:{PeerPort}\n" + $"Endpoint = [{PeerUplinkV6}]:{PeerPort}\n" : EdgeRouterLines()) +
                "PersistentKeepalive = 25\n\n" +
                "[Router]\n" +
                $"LanAddress = {RouterLan}/24\n" +
                $"UlaPrefix = {UlaPrefix}/64\n" +
                "DhcpPoolStart = 192.168.42.100\n" +
                "DhcpPoolEnd = 192.168.42.150\n" +
                "DhcpLeaseTime = 1h\n");
            File.SetUnixFileMode(Path.Combine(Work, "router.conf"), UnixFileMode.UserRead | UnixFileMode.UserWrite); // it holds the key
            if (Portal)
                BuildPortal(); // Lab.Portal.cs: the hotel's captive portal and a phone
        }

        /// <summary>Starts the WireGuard peer (wireguard-go in wl-peer, its tunnel address and routes) with the lab's keys; LOG_LEVEL <paramref name="logLevel"/>.</summary>
        void StartPeer(string logLevel)
        {
            if (PeerKind == PeerWarp) { StartWarpPeer(); return; } // Lab.WarpPeer.cs
            string peerKey = Path.Combine(Work, "peer.key");
            Shell.Run("rm -f /var/run/wireguard/wlpwg0.sock", 5000, false);
            peerDaemon = Shell.Start("env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=" + logLevel + " " + Ns(PeerNs, "wireguard-go wlpwg0") + " > " + PeerLog + " 2>&1");
            for (int i = 0; i < 50 && !File.Exists("/var/run/wireguard/wlpwg0.sock"); i++) Thread.Sleep(100);
            Shell.Run(Ns(PeerNs, $"wg set wlpwg0 private-key {peerKey} listen-port {PeerPort} peer {RouterPublicKey} allowed-ips 172.16.0.2/32,fd01:5ca1::2/128"));
            Shell.Run(Ns(PeerNs, "sh -c 'ip addr add 172.16.0.1/32 dev wlpwg0 && ip link set wlpwg0 mtu 1280 up && ip route add 172.16.0.2/32 dev wlpwg0 && ip -6 route add fd01:5ca1::2/128 dev wlpwg0'"));
        }

        /// <summary>Extra arguments of `warp-router run` for the next <see cref="StartRouter"/> (e.g. " --no-batch").</summary>
        public string RouterArguments = "";

        /// <summary>
        /// Starts warp-router inside wl-router on the LAN veth, and waits for its control socket;
        /// with <paramref name="umask"/> (e.g. "000") it runs under that umask.
        /// </summary>
        public void StartRouter(string umask = null)
        {
            string self = typeof(Lab).Assembly.Location;
            string dotnet = Environment.ProcessPath != null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : "dotnet";
            string logFile = Path.Combine(Work, "router.log");
            if (File.Exists(ControlSocket))
                File.Delete(ControlSocket); // left by a router that was killed: not a sign that the new one is up
            string run = $"{dotnet} {self} run --config {Work}/router.conf{(RouterArguments.Contains(" --tap ", StringComparison.Ordinal) ? "" : " --lan-interface wlr-lan")} --state {Work}/state --control {ControlSocket} --no-console{PortalArguments()}{RouterArguments} > {logFile} 2>&1";
            router = Shell.Start(Ns(RouterNs, umask == null ? run : $"sh -c 'umask {umask}; exec {run}'"));
            for (int i = 0; i < 100 && !File.Exists(ControlSocket); i++)
            {
                if (router.HasExited)
                    throw new InvalidOperationException("warp-router exited: " + File.ReadAllText(logFile));
                Thread.Sleep(100);
            }
            if (!File.Exists(ControlSocket))
                throw new InvalidOperationException("warp-router did not start: " + (File.Exists(logFile) ? File.ReadAllText(logFile) : ""));
        }

        /// <summary>
        /// Stops the router with SIGTERM (a clean stop: leases saved, control socket removed), and
        /// kills it if it has not exited within 5 s. <see cref="Shell.Start"/> runs it through
        /// <c>exec</c>, so the process at hand is warp-router itself (inside `ip netns exec`, which
        /// execs too): the signal goes to its id, never to whatever else matches a name.
        /// </summary>
        public void StopRouter() { SignalRouter("TERM"); }

        /// <summary>Kills the router with SIGKILL (no clean stop: nothing saved at exit), as a crash or a power cut would.</summary>
        public void KillRouter() { SignalRouter("KILL"); }

        void SignalRouter(string signal)
        {
            Process p = router;
            if (p == null) return;
            router = null;
            try
            {
                var clock = Stopwatch.StartNew();
                if (!p.HasExited)
                    Shell.Run("kill -" + signal + " " + p.Id, 5000, false);
                if (!p.WaitForExit(5000))
                    log.WriteLine("warp-router did not stop on SIG" + signal + " within 5 s: killing it");
                else if (signal == "TERM")
                    log.WriteLine($"warp-router stopped {clock.ElapsedMilliseconds} ms after SIGTERM (kill included)");
            }
            catch (Exception e) when (e is InvalidOperationException || e is TimeoutException || e is System.ComponentModel.Win32Exception)
            {
                log.WriteLine("stopping warp-router: " + e.Message);
            }
            finally
            {
                Shell.Stop(p);
            }
        }

        public string Query(string command)
        {
            var w = new StringWriter();
            RouterHost.Query(ControlSocket, command, w, w);
            return w.ToString();
        }

        /// <summary>The router's machine-readable answer to <paramref name="command"/> (`-m` is added), or null when there is none (not running, not parseable).</summary>
        public System.Collections.Generic.List<ConsoleRecordLine> QueryRecords(string command)
        {
            return ConsoleAnswer.TryParse(Query(command + " " + Warp.Firmware.ConsoleRecord.Flag));
        }

        /// <summary>The `tunnel` field of `status -m` ("up", "handshaking", "down"), or null.</summary>
        public string TunnelState()
        {
            var s = QueryRecords("status");
            return s != null && s.Count == 1 ? s[0]["tunnel"] : null;
        }

        void PrintRouter(string command)
        {
            log.WriteLine("---- warp-router " + command);
            log.Write(Query(command));
        }

        bool WaitFor(Func<bool> condition, int timeoutMs)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                if (condition()) return true;
                Thread.Sleep(200);
            }
            return condition();
        }

        /// <summary>The scenario from the LAN client; each step is checked and reported.</summary>
        public void Scenario(LabReport report)
        {
            report.Check("tunnel up", WaitFor(() => TunnelState() == "up", 15000), FirstLine(Query("status")));
            string dh = Shell.Run(Ns(Client, $"timeout 30 dhclient -4 -v -1 -pf {Work}/dhclient.pid -lf {Work}/dhclient.leases wlc0"), 40000, false);
            string addr = Shell.Run(Ns(Client, "ip -4 -o addr show dev wlc0"), 5000, false);
            string lease = Between(addr, "inet ", "/");
            report.Values["lease"] = lease;
            report.Check("DHCP lease from the router (dhclient)", lease.StartsWith("192.168.42."), lease.Length > 0 ? lease : dh.Trim());
            report.Values["resolv.conf"] = File.ReadAllText("/etc/netns/" + Client + "/resolv.conf");
            report.Check("DNS server from DHCP is the router", report.Values["resolv.conf"].Contains("nameserver " + RouterLan), report.Values["resolv.conf"].Replace('\n', ' ').Trim());

            bool slaac = WaitFor(() => Shell.Run(Ns(Client, "ip -6 -o addr show dev wlc0 scope global"), 5000, false).Contains("fd42:4242:4242:"), 15000);
            report.Check("IPv6 address by SLAAC from the router's RA", slaac, Between(Shell.Run(Ns(Client, "ip -6 -o addr show dev wlc0 scope global"), 5000, false), "inet6 ", " "));

            report.Check("ping the router (IPv4)", Ok(Ns(Client, $"ping -c 2 -W 2 {RouterLan}")), RouterLan);
            report.Check("ping the router (IPv6)", Ok(Ns(Client, $"ping -6 -c 2 -W 2 {RouterUla}")), RouterUla);

            string a = Shell.Run(Ns(Client, $"dig +short +time=3 +tries=2 @{RouterLan} origin.lab A"), 20000, false).Trim();
            report.Check("DNS through the router and the tunnel (A)", a == OriginV4, "origin.lab A " + a);
            string aaaa = Shell.Run(Ns(Client, $"dig +short +time=3 +tries=2 @{RouterUla} origin.lab AAAA"), 20000, false).Trim();
            report.Check("DNS through the router and the tunnel (AAAA, over IPv6)", aaaa == OriginV6, "origin.lab AAAA " + aaaa);

            // DNS over TCP to the router (RFC 7766), and an answer too big for UDP falling back to it.
            string tcp4 = Shell.Run(Ns(Client, $"dig +tcp +short +time=3 +tries=2 @{RouterLan} origin.lab A"), 20000, false).Trim();
            report.Check("DNS over TCP through the router (A)", tcp4 == OriginV4, "origin.lab A over TCP " + tcp4);
            string tcp6 = Shell.Run(Ns(Client, $"dig +tcp +short +time=3 +tries=2 @{RouterUla} origin.lab AAAA"), 20000, false).Trim();
            report.Check("DNS over TCP through the router (AAAA, over IPv6)", tcp6 == OriginV6, "origin.lab AAAA over TCP " + tcp6);
            string big = Shell.Run(Ns(Client, $"dig +noedns +time=3 +tries=1 @{RouterLan} {BigTxtName} TXT"), 30000, false);
            report.Values["bigtxt"] = big;
            int parts = (big.Length - big.Replace(BigTxtPart, "").Length) / BigTxtPart.Length;
            report.Check("a truncated UDP answer retried over TCP", big.Contains("Truncated, retrying in TCP mode") && big.Contains("status: NOERROR") && parts == 4,
                (big.Contains("Truncated") ? "truncated, " : "not truncated, ") + parts + " of 4 TXT strings");

            // Fragments: 2,028-byte pings (fragmented by the client at 1,500), and 1,448-byte IPv6 pings (fragmented at the RA's 1,280).
            report.Check("ping -s 2000 the origin (IPv4 fragments through the NAT)", Lossless(Ns(Client, $"ping -c 3 -W 3 -s 2000 {OriginV4}")), OriginV4);
            report.Check("ping -s 2000 the router", Lossless(Ns(Client, $"ping -c 3 -W 3 -s 2000 {RouterLan}")), RouterLan);
            report.Check("ping -6 -s 1400 the router", Lossless(Ns(Client, $"ping -6 -c 3 -W 3 -s 1400 {RouterUla}")), RouterUla);
            report.Check("ping -6 -s 1400 the origin (IPv6 fragments through the NAT)", Lossless(Ns(Client, $"ping -6 -c 3 -W 3 -s 1400 {OriginV6}")), OriginV6);

            foreach (var family in new[] { "4", "6" })
            {
                string file = $"{Work}/download{family}.bin";
                string code = Shell.Run(Ns(Client, $"curl -{family} -s -o {file} -w '%{{http_code}}' --max-time 30 http://origin.lab/index.bin"), 40000, false).Trim();
                string sha = File.Exists(file) ? Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant() : "(none)";
                report.Values["http" + family] = code;
                report.Check($"HTTP from the origin over IPv{family}", code == "200" && sha == OriginSha256, $"HTTP {code}, sha256 {(sha == OriginSha256 ? "matches" : "differs: " + sha)}");
            }
            string nat = Query("nat");
            report.Values["nat"] = nat;
            var sessions = QueryRecords("nat");
            report.Check("the NAT lists the flows", sessions != null && sessions.Count > 0, LastLine(nat));
        }

        /// <summary>iperf3 TCP from the LAN client to the origin for <paramref name="seconds"/>; Mbit/s received, 0 when it failed.</summary>
        public double Iperf(int seconds = 5)
        {
            string json = Shell.Run(Ns(Client, $"iperf3 -c {OriginV4} -t {seconds} -J --connect-timeout 5000"), 30000 + seconds * 1000, false);
            try
            {
                using var doc = JsonDocument.Parse(json);
                return doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble() / 1e6;
            }
            catch (Exception e) when (e is JsonException || e is System.Collections.Generic.KeyNotFoundException || e is InvalidOperationException)
            {
                log.WriteLine("iperf3: " + json.Trim());
                return 0;
            }
        }

        /// <summary>A ping that lost nothing.</summary>
        static bool Lossless(string command) { return Shell.Run(command, 30000, false).Contains(" 0% packet loss"); }

        static bool Ok(string command) { try { Shell.Run(command, 20000); return true; } catch (Exception e) when (e is InvalidOperationException || e is TimeoutException) { return false; } }

        static string Between(string s, string start, string end)
        {
            int i = s.IndexOf(start, StringComparison.Ordinal);
            if (i < 0) return "";
            i += start.Length;
            int j = s.IndexOf(end, i, StringComparison.Ordinal);
            return j < 0 ? s.Substring(i).Trim() : s.Substring(i, j - i);
        }

        static string FirstLine(string s) { int i = s.IndexOf('\n'); return i < 0 ? s : s.Substring(0, i); }
        static string LastLine(string s) { var l = s.TrimEnd().Split('\n'); return l[l.Length - 1]; }

        /// <summary>Stops every lab process and removes the namespaces and files; safe to call twice.</summary>
        public void TearDown()
        {
            RestoreSocketBuffers(); // raised by --throughput (or left raised by a killed lab): global, so first
            StopRouter();
            Shell.Stop(peerDaemon);
            peerDaemon = null;
            TearDownEdge();
            TearDownPortal();
            foreach (var ns in Namespaces)
            {
                Shell.Run($"ip netns pids {ns} 2>/dev/null | xargs -r kill -9", 5000, false);
                Shell.Run($"ip netns del {ns} 2>/dev/null", 5000, false);
            }
            Shell.Run("rm -f /var/run/wireguard/wlpwg0.sock /var/run/wireguard/wlrwg0.sock", 5000, false);
            Shell.Run("rm -rf /etc/netns/" + Client + " /etc/netns/" + Attacker, 5000, false);
            Shell.Run("rm -rf " + Work, 5000, false);
        }
    }
}

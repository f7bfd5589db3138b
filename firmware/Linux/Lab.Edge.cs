using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The lab with a WARP-like edge (<c>warp-router lab --edge ecmp|clientid</c>) in place of the
    /// single wireguard-go peer:
    /// <code>
    ///  wl-router ── wl-inet (NAT: one source port, moved by Rebind) ── wl-peer: warp-edge front on 10.250.2.2 and fd10:250:2::2, UDP 2408
    ///                                                                    │ bridge wlp-br 10.250.3.1/24, fd10:250:3::1/64
    ///                                        ┌───────────────────────────┼───────────────────────────┐
    ///                                      wl-be1 10.250.3.11          wl-be2 10.250.3.12          wl-be3 10.250.3.13
    ///                                      wireguard-go wlb1wg0        wireguard-go wlb2wg0        wireguard-go wlb3wg0
    /// </code>
    /// The backends share one private key (the peer key the router's config names) and each NATs the
    /// tunnel's traffic out of its own address to the origin, DNS and iperf3 server in wl-peer, as an
    /// edge server does: a session that lands on another backend reaches the origin from another address.
    /// </summary>
    public sealed partial class Lab
    {
        public const int EdgePort = 2408;
        public const int EdgeBackendCount = 3;
        /// <summary>The lab's client id (the router's `ClientId = 90,23,195`).</summary>
        public const int LabClientId = 0x5A17C3;
        /// <summary>The internet hop's NAT maps the router's UDP to this source port, then the next one at each rebinding.</summary>
        public const int RebindBasePort = 40000;
        const string EdgeBridgeV4 = "10.250.3.1", EdgeBridgeV6 = "fd10:250:3::1";
        static readonly string[] EdgeNamespaces = { "wl-be1", "wl-be2", "wl-be3" };

        /// <summary>"ecmp" or "clientid" for the edge; null for the single wireguard-go peer.</summary>
        public string Edge;
        /// <summary>The client id in the router's config; 0 leaves `ClientId` out (a standard WireGuard client).</summary>
        public int RouterClientId;
        /// <summary>With the edge: rebind the internet hop's NAT every this many seconds while the lab is up (0: never).</summary>
        public int RebindEverySeconds;
        /// <summary>With the edge: run <see cref="MeasureRebinding"/> for this many seconds after the scenario (0: no).</summary>
        public int MeasureSeconds;

        Process edgeFront;
        readonly List<Process> edgeBackends = new List<Process>();
        Timer rebindTimer;
        int rebindPort = RebindBasePort;
        readonly object rebindGate = new object();

        public static string BackendNamespace(int i) { return EdgeNamespaces[i]; }
        public static string BackendInterface(int i) { return "wlb" + (i + 1) + "wg0"; }
        public static string BackendAddress(int i) { return "10.250.3." + (11 + i); }
        public string BackendLog(int i) { return Path.Combine(Work, "wg-be" + (i + 1) + ".log"); }
        /// <summary>The front's counters (rewritten every second), see warp-edge's Render.</summary>
        public string EdgeStatsFile { get { return Path.Combine(Work, "edge.stats"); } }
        /// <summary>The front's log (one line per routing decision: it runs with --debug in the lab).</summary>
        public string EdgeLog { get { return Path.Combine(Work, "edge.log"); } }
        /// <summary>The source port the internet hop maps the router's UDP to now.</summary>
        public int RebindPort { get { lock (rebindGate) return rebindPort; } }

        string EdgeRouterLines()
        {
            return $"Endpoint = {PeerUplinkV4}:{EdgePort}\n" +
                   $"Endpoint = [{PeerUplinkV6}]:{EdgePort}\n" +
                   (RouterClientId != 0 ? $"ClientId = {(RouterClientId >> 16) & 255},{(RouterClientId >> 8) & 255},{RouterClientId & 255}\n" : "");
        }

        void BuildEdge(string peerKey)
        {
            if (Edge != "ecmp" && Edge != "clientid")
                throw new ArgumentException("--edge is ecmp or clientid, not " + Edge);
            // The internet hop: one source port for the router's UDP (both families), so a rebinding moves it for sure.
            Shell.Run(Ns(Inet, $"iptables -t nat -I POSTROUTING 1 -o wli-p -p udp -j MASQUERADE --to-ports {RebindBasePort}"));
            Shell.Run(Ns(Inet, $"ip6tables -t nat -A POSTROUTING -o wli-p -p udp -j MASQUERADE --to-ports {RebindBasePort}"));
            rebindPort = RebindBasePort;

            Shell.Run(Ns(PeerNs, $"sh -c 'ip link add wlp-br type bridge stp_state 0 forward_delay 0 && ip addr add {EdgeBridgeV4}/24 dev wlp-br && ip -6 addr add {EdgeBridgeV6}/64 dev wlp-br nodad && ip link set wlp-br up'"));
            // The origin answers through a backend's 1,280-byte tunnel: it knows that at once, as the
            // single-peer lab's origin does beside wireguard-go, instead of losing a first packet to learn it.
            Shell.Run(Ns(PeerNs, $"ip -6 route change fd10:250:3::/64 dev wlp-br proto kernel metric 256 mtu 1280")); // the connected route itself
            var backends = new List<string>();
            for (int i = 0; i < EdgeBackendCount; i++)
            {
                string ns = EdgeNamespaces[i], wg = BackendInterface(i), up = "wlb" + (i + 1) + "-up", port = "wlp-b" + (i + 1);
                string v4 = BackendAddress(i), v6 = "fd10:250:3::" + (11 + i);
                Shell.Run("ip netns add " + ns);
                Shell.Run(Ns(ns, "ip link set lo up"));
                Shell.Run($"ip link add {up} netns {ns} type veth peer name {port} netns {PeerNs}");
                Shell.Run(Ns(PeerNs, $"sh -c 'ip link set {port} master wlp-br && ip link set {port} up'"));
                Shell.Run(Ns(ns, $"sh -c 'ip addr add {v4}/24 dev {up} && ip -6 addr add {v6}/64 dev {up} nodad && ip link set {up} up && ip route add default via {EdgeBridgeV4} && ip -6 route add default via {EdgeBridgeV6} && sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1'"));
                // The tunnel's traffic leaves each backend from that backend's own address.
                Shell.Run(Ns(ns, $"sh -c 'iptables -t nat -A POSTROUTING -o {up} -j MASQUERADE && ip6tables -t nat -A POSTROUTING -o {up} -j MASQUERADE'"));
                Shell.Run($"rm -f /var/run/wireguard/{wg}.sock", 5000, false);
                edgeBackends.Add(Shell.Start($"env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=verbose {Ns(ns, "wireguard-go " + wg)} > {BackendLog(i)} 2>&1"));
                for (int k = 0; k < 50 && !File.Exists($"/var/run/wireguard/{wg}.sock"); k++) Thread.Sleep(100);
                Shell.Run(Ns(ns, $"wg set {wg} private-key {peerKey} listen-port {PeerPort} peer {RouterPublicKey} allowed-ips 172.16.0.2/32,fd01:5ca1::2/128"));
                Shell.Run(Ns(ns, $"sh -c 'ip addr add 172.16.0.1/32 dev {wg} && ip link set {wg} mtu 1280 up && ip route add 172.16.0.2/32 dev {wg} && ip -6 route add fd01:5ca1::2/128 dev {wg}'"));
                backends.Add($"--backend {v4}:{PeerPort}");
            }

            string self = Path.Combine(Path.GetDirectoryName(typeof(Lab).Assembly.Location), "warp-edge.dll");
            string dotnet = Environment.ProcessPath != null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : "dotnet";
            edgeFront = Shell.Start(Ns(PeerNs, $"{dotnet} {self} --mode {Edge} --listen {PeerUplinkV4}:{EdgePort} --listen [{PeerUplinkV6}]:{EdgePort} {string.Join(" ", backends)} --backend-side {EdgeBridgeV4} --stats {EdgeStatsFile} --debug") + $" > {EdgeLog} 2>&1");
            for (int k = 0; k < 100 && !(File.Exists(EdgeLog) && File.ReadAllText(EdgeLog).Contains("front on")); k++)
            {
                if (edgeFront.HasExited)
                    throw new InvalidOperationException("warp-edge exited: " + File.ReadAllText(EdgeLog));
                Thread.Sleep(100);
            }
            log.WriteLine($"edge: {Edge} front on {PeerUplinkV4}:{EdgePort} and [{PeerUplinkV6}]:{EdgePort}, backends {string.Join(", ", Enumerable.Range(0, EdgeBackendCount).Select(BackendAddress))}; router client id {(RouterClientId == 0 ? "unset" : RouterClientId.ToString("x6"))}");
            if (RebindEverySeconds > 0 && MeasureSeconds == 0)
                StartRebinding(RebindEverySeconds * 1000); // with --measure the measurement rebinds, after the scenario
        }

        /// <summary>
        /// The NAT rebinding switch on the internet hop: the router's UDP is mapped to the next
        /// source port (both families) and the conntrack entries towards the edge are flushed, so the
        /// next packet from the router leaves with a new 4-tuple although the router did nothing.
        /// Returns the new port.
        /// </summary>
        public int Rebind()
        {
            lock (rebindGate)
            {
                rebindPort++;
                Shell.Run(Ns(Inet, $"iptables -t nat -R POSTROUTING 1 -o wli-p -p udp -j MASQUERADE --to-ports {rebindPort}"));
                Shell.Run(Ns(Inet, $"ip6tables -t nat -R POSTROUTING 1 -o wli-p -p udp -j MASQUERADE --to-ports {rebindPort}"));
                Shell.Run(Ns(Inet, $"conntrack -D -f ipv4 -p udp --orig-port-dst {EdgePort}"), 5000, false);
                Shell.Run(Ns(Inet, $"conntrack -D -f ipv6 -p udp --orig-port-dst {EdgePort}"), 5000, false);
                log.WriteLine("rebind: the internet hop now maps the router to source port " + rebindPort);
                return rebindPort;
            }
        }

        /// <summary>Rebinds every <paramref name="everyMs"/> until <see cref="StopRebinding"/> or tear-down.</summary>
        public void StartRebinding(int everyMs)
        {
            StopRebinding();
            rebindTimer = new Timer(_ =>
            {
                try { Rebind(); }
                catch (Exception e) when (e is InvalidOperationException || e is TimeoutException) { log.WriteLine("rebind: " + e.Message); }
            }, null, everyMs, everyMs);
        }

        public void StopRebinding()
        {
            rebindTimer?.Dispose();
            rebindTimer = null;
        }

        /// <summary>The front's counters as last written (one record a line), or "" before the first write.</summary>
        public string EdgeStats() { return File.Exists(EdgeStatsFile) ? File.ReadAllText(EdgeStatsFile) : ""; }

        /// <summary>The counter <paramref name="key"/> of backend <paramref name="i"/> in <paramref name="stats"/> (0 when absent).</summary>
        public static long BackendCounter(string stats, int i, string key)
        {
            foreach (var line in stats.Split('\n'))
                if (line.StartsWith("backend index=" + i + " "))
                    return Field(line, key);
            return 0;
        }

        public static long Field(string line, string key)
        {
            var m = Regex.Match(line, @"(?:^| )" + Regex.Escape(key) + @"=(\d+)");
            return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        }

        /// <summary>Stops the front (SIGTERM: a clean stop that writes its counters) and the backends, removes their namespaces.</summary>
        void TearDownEdge()
        {
            StopRebinding();
            if (edgeFront != null)
            {
                try
                {
                    if (!edgeFront.HasExited) Shell.Run("kill -TERM " + edgeFront.Id, 5000, false);
                    edgeFront.WaitForExit(5000);
                }
                catch (Exception e) when (e is InvalidOperationException || e is TimeoutException) { }
                Shell.Stop(edgeFront);
                edgeFront = null;
            }
            foreach (var p in edgeBackends) Shell.Stop(p);
            edgeBackends.Clear();
            for (int i = 0; i < EdgeNamespaces.Length; i++)
            {
                Shell.Run($"ip netns pids {EdgeNamespaces[i]} 2>/dev/null | xargs -r kill -9", 5000, false);
                Shell.Run($"ip netns del {EdgeNamespaces[i]} 2>/dev/null", 5000, false);
                Shell.Run($"rm -f /var/run/wireguard/{BackendInterface(i)}.sock", 5000, false);
            }
        }

        /// <summary>Stops the front with SIGTERM and returns its exit code and its last output (the final counters).</summary>
        public (int ExitCode, string Output) StopEdgeFront()
        {
            var p = edgeFront;
            edgeFront = null;
            if (p == null) return (-1, "");
            Shell.Run("kill -TERM " + p.Id, 5000, false);
            bool exited = p.WaitForExit(5000);
            int code = exited ? p.ExitCode : -1;
            Shell.Stop(p);
            return (code, File.Exists(EdgeLog) ? File.ReadAllText(EdgeLog) : "");
        }

        /// <summary>The edge's part of the lab command: a measured run when asked, the front's counters and log.</summary>
        void EdgeSteps(LabReport report)
        {
            if (MeasureSeconds > 0)
            {
                StopRebinding();
                var r = MeasureRebinding(MeasureSeconds, RebindEverySeconds > 0 ? RebindEverySeconds : 10);
                log.WriteLine(EdgeResult.Header);
                log.WriteLine(r.Row());
                report.Check("measured run", r.PingsSent > 0, r.Row());
            }
            Thread.Sleep(1200); // the front writes its counters once a second
            log.WriteLine("---- warp-edge counters");
            log.Write(EdgeStats());
            log.WriteLine("---- warp-edge log (routing decisions), last 20 lines");
            foreach (var l in File.ReadAllLines(EdgeLog).TakeLast(20)) log.WriteLine(l);
        }

        /// <summary>
        /// The rebinding measurement: for <paramref name="seconds"/>, ping from the LAN client to the
        /// origin 5 times a second and run an iperf3 TCP stream (10 Mbit/s) while the internet hop
        /// rebinds every <paramref name="rebindEverySeconds"/> (the last one at least 7 s before the end,
        /// so a recovery can be seen). Needs the tunnel up; takes a DHCP lease for the client if it has none.
        /// </summary>
        public EdgeResult MeasureRebinding(int seconds, int rebindEverySeconds)
        {
            var r = new EdgeResult { Mode = Edge + (Edge == "clientid" ? (RouterClientId != 0 ? ", id set" : ", id unset") : ""), Seconds = seconds };
            if (!Shell.Run(Ns(Client, "ip -4 -o addr show dev wlc0"), 5000, false).Contains("192.168.42."))
                Shell.Run(Ns(Client, $"timeout 30 dhclient -4 -1 -pf {Work}/dhclient.pid -lf {Work}/dhclient.leases wlc0"), 40000, false);
            var logStart = new long[EdgeBackendCount];
            for (int i = 0; i < EdgeBackendCount; i++) logStart[i] = new FileInfo(BackendLog(i)).Length;
            long handshakesBefore = RouterCounter("tunnel", "handshakes_completed");
            string pingLog = Path.Combine(Work, "edge-ping.txt"), iperfLog = Path.Combine(Work, "edge-iperf.txt");
            var ping = Shell.Start(Ns(Client, $"ping -D -i 0.2 -W 1 {OriginV4}") + " > " + pingLog);
            var iperf = Shell.Start($"timeout {seconds + 20} " + Ns(Client, $"iperf3 -c {OriginV4} -t {seconds} -i 1 -b 10M --forceflush --connect-timeout 5000") + " > " + iperfLog + " 2>&1");
            var clock = Stopwatch.StartNew();
            Thread.Sleep(2000); // a window that starts with the counters of this run
            var snapshots = new List<string> { EdgeStats() };
            try
            {
                for (int k = 1; k * rebindEverySeconds <= seconds - 7; k++)
                {
                    Sleep(clock, k * rebindEverySeconds * 1000L);
                    snapshots.Add(EdgeStats());
                    r.RebindAtMs.Add(clock.ElapsedMilliseconds);
                    r.Ports.Add(Rebind());
                    r.RebindEpoch.Add(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
                    // The counters lag by up to a second: the window of this rebinding starts 2 s after it.
                    Sleep(clock, k * rebindEverySeconds * 1000L + 2000);
                    snapshots.Add(EdgeStats());
                }
                Sleep(clock, seconds * 1000L);
                Thread.Sleep(1200); // the front's counters are written once a second
                snapshots.Add(EdgeStats());
            }
            finally
            {
                Shell.Stop(ping, interrupt: true);
            }
            if (!iperf.WaitForExit(25000)) Shell.Stop(iperf);
            r.IperfExit = iperf.HasExited ? iperf.ExitCode : -1;
            Shell.Stop(iperf);

            // Ping: sent (by sequence), answered, the longest gap between answers, the outage around each rebinding.
            var replies = new List<double>();
            long maxSeq = 0;
            foreach (var l in File.ReadAllLines(pingLog))
            {
                var m = Regex.Match(l, @"^\[(\d+\.\d+)\].*icmp_seq=(\d+)");
                if (!m.Success || !l.Contains("bytes from")) continue;
                replies.Add(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
                maxSeq = Math.Max(maxSeq, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            }
            r.PingsSent = maxSeq;
            r.PingsLost = maxSeq - replies.Count;
            for (int i = 1; i < replies.Count; i++)
                r.LongestOutageMs = Math.Max(r.LongestOutageMs, (long)((replies[i] - replies[i - 1]) * 1000));
            foreach (double t in r.RebindEpoch)
            {
                double before = replies.Where(x => x <= t).DefaultIfEmpty(double.NaN).Max();
                double after = replies.Where(x => x > t).DefaultIfEmpty(double.NaN).Min();
                long outage = double.IsNaN(before) || double.IsNaN(after) ? (long)seconds * 1000 : (long)((after - before) * 1000);
                r.OutageAfterRebindMs.Add(outage);
                if (outage >= 1000) r.Broken++;
            }

            // Where the client's datagrams went before the first rebinding and after each (from the front's
            // counters): windows from the start to the first rebinding, then from 2 s after each to the next.
            for (int k = 0; k + 1 < snapshots.Count; k += 2)
            {
                int best = -1;
                long most = 0;
                for (int i = 0; i < EdgeBackendCount; i++)
                {
                    long d = BackendCounter(snapshots[k + 1], i, "datagrams_to") - BackendCounter(snapshots[k], i, "datagrams_to");
                    if (d > most) { most = d; best = i; }
                }
                if (k == 0) r.BackendBefore = best;
                else r.BackendAfterRebind.Add(best);
            }
            for (int i = 0; i < EdgeBackendCount; i++)
            {
                string text;
                using (var f = new FileStream(BackendLog(i), FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    f.Seek(logStart[i], SeekOrigin.Begin);
                    text = new StreamReader(f).ReadToEnd();
                }
                r.HandshakesPerBackend[i] = Regex.Matches(text, "Sending handshake response").Count;
            }
            r.RouterHandshakes = RouterCounter("tunnel", "handshakes_completed") - handshakesBefore;

            // iperf3: it survived when it ended on its own with a summary and its last 3 seconds moved data.
            var lines = File.ReadAllLines(iperfLog);
            var intervals = lines.Where(l => Regex.IsMatch(l, @"sec\s+[\d.]+ \w?Bytes\s+[\d.]+ \w?bits/sec") && !l.Contains("sender") && !l.Contains("receiver")).ToList();
            r.IperfStalledSeconds = intervals.Count(l => Regex.IsMatch(l, @"\s0\.00 bits/sec"));
            bool summary = lines.Any(l => l.Contains("receiver"));
            r.IperfSurvived = r.IperfExit == 0 && summary && intervals.Count >= 3 && intervals.TakeLast(3).All(l => !Regex.IsMatch(l, @"\s0\.00 bits/sec"));
            r.FrontStats = snapshots[snapshots.Count - 1];
            log.WriteLine("edge measurement: " + r.Row());
            return r;
        }

        static void Sleep(Stopwatch clock, long untilMs)
        {
            long wait = untilMs - clock.ElapsedMilliseconds;
            if (wait > 0) Thread.Sleep((int)wait);
        }

        long RouterCounter(string module, string name)
        {
            var c = QueryRecords("counters");
            if (c == null) return 0;
            foreach (var rec in c)
                if (rec["module"] == module && rec["name"] == name)
                    return long.Parse(rec["value"], CultureInfo.InvariantCulture);
            return 0;
        }
    }

    /// <summary>One measured run of <see cref="Lab.MeasureRebinding"/>: a row of README's table.</summary>
    public sealed class EdgeResult
    {
        public string Mode;
        public int Seconds;
        public readonly List<long> RebindAtMs = new List<long>();
        public readonly List<double> RebindEpoch = new List<double>();
        public readonly List<int> Ports = new List<int>();
        /// <summary>The backend that got most of the client's datagrams after each rebinding (-1: none).</summary>
        public readonly List<int> BackendAfterRebind = new List<int>();
        /// <summary>The backend that got most of the client's datagrams before the first rebinding.</summary>
        public int BackendBefore = -1;
        /// <summary>For each rebinding: the last ping answer before it to the first after it (ms).</summary>
        public readonly List<long> OutageAfterRebindMs = new List<long>();
        /// <summary>wireguard-go's "Sending handshake response" lines during the run, per backend.</summary>
        public readonly long[] HandshakesPerBackend = new long[Lab.EdgeBackendCount];
        /// <summary>Rebindings after which the pings stopped for 1 s or more (5 pings in a row).</summary>
        public int Broken;
        public long PingsSent, PingsLost, LongestOutageMs, RouterHandshakes;
        public int IperfExit, IperfStalledSeconds;
        public bool IperfSurvived;
        public string FrontStats = "";

        public const string Header = "| mode | rebindings | handshakes per backend | client's backend | sessions broken | pings lost (of sent) | longest outage | outage after each rebinding | iperf3 survived |\n|---|---|---|---|---|---|---|---|---|";

        public string Row()
        {
            return $"| {Mode} | {RebindAtMs.Count} in {Seconds} s | {string.Join(" / ", HandshakesPerBackend)} | {BackendBefore}{string.Concat(BackendAfterRebind.Select(b => " → " + b))} | {Broken} of {RebindAtMs.Count} | {PingsLost} of {PingsSent} | {LongestOutageMs:N0} ms | " +
                   $"{string.Join(", ", OutageAfterRebindMs.Select((o, i) => o.ToString("N0", CultureInfo.InvariantCulture) + " ms (backend " + (i < BackendAfterRebind.Count ? BackendAfterRebind[i].ToString(CultureInfo.InvariantCulture) : "?") + ")"))} | " +
                   $"{(IperfSurvived ? "yes" : "no")}{(IperfStalledSeconds > 0 ? ", " + IperfStalledSeconds + " s at 0 bit/s" : "")} |";
        }
    }
}

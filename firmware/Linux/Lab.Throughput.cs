using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading;

namespace Warp.Router.Linux
{
    /// <summary>
    /// `lab --throughput`: iperf3 from the LAN client to the origin through three routers in turn,
    /// each against a freshly started peer (wireguard-go in wl-peer), so nothing carries over:
    /// warp-router (batches), wireguard-go in the router's place (kernel forwarding and
    /// MASQUERADE into it) and warp-router --no-batch (a packet per system call, as before the
    /// batches). Each runs TCP with 1 and 4 streams and UDP at a fixed offered rate. For each:
    /// throughput, the router process's CPU seconds per GB (utime + stime from /proc/PID/stat), the
    /// router's and the peer's CPU share, how busy the machine was, TCP retransmissions or UDP loss,
    /// and the drops the kernel counted in each namespace (UDP buffer errors, interface drops)
    /// and at warp-router's own sockets.
    /// </summary>
    public sealed partial class Lab
    {
        /// <summary>Rounds of the three routers (--runs N).</summary>
        public int ThroughputRuns = 1;
        /// <summary>Seconds per iperf3 test.</summary>
        public int ThroughputSeconds = 5;
        /// <summary>The UDP test's offered rate and datagram size (inside the tunnel's 1,280-byte MTU).</summary>
        public const string UdpRate = "300M";
        public const int UdpLength = 1200;
        /// <summary>The platform AEAD's ceiling on this machine, README's crypto table: about 930 MB/s per core.</summary>
        public const double AeadCeilingMbits = 930 * 8;
        public static readonly string[] Routers = { "warp-router", "wireguard-go", "warp-router --no-batch" };
        /// <summary>--compare-gso: a fourth router, warp-router --no-gso (batches without UDP GSO).</summary>
        public bool CompareGso;
        public static readonly string[] Tests = { "tcp1", "tcp4", "udp" };
        /// <summary>--download: also TCP with 1 stream from the origin to the LAN client (iperf3 -R), the direction in which the uplink receives the data (UDP GRO's).</summary>
        public static readonly string[] TestsWithDownload = { "tcp1", "tcp4", "udp", "tcp1-down" };
        public bool Download;
        string[] RunTests { get { return Download ? TestsWithDownload : Tests; } }

        public sealed class ThroughputRow
        {
            public int Run;
            public string Router, Test;
            public double Mbits, Bytes, Seconds;
            public double RouterCpu, PeerCpu, MachineBusy;
            public long Retransmits = -1;
            public double UdpLossPercent = -1;
            public long RouterUdpDrops, PeerUdpDrops, InterfaceDrops, LanSocketDrops = -1, UplinkSocketDrops = -1, CoreDrops = -1;
            public double CpuPerGb { get { return Bytes > 0 ? RouterCpu / (Bytes / 1e9) : 0; } }
            public double AeadFraction { get { return Mbits / AeadCeilingMbits; } }
            public string Drops
            {
                get
                {
                    string s = $"udp buf {RouterUdpDrops}/{PeerUdpDrops}, if {InterfaceDrops}";
                    if (LanSocketDrops >= 0) s += $", lan sock {LanSocketDrops}, uplink sock {UplinkSocketDrops}, core {CoreDrops}";
                    return s;
                }
            }
        }

        public readonly List<ThroughputRow> ThroughputRows = new List<ThroughputRow>();

        /// <summary>
        /// --compare ARGS (repeated): one more router per run, `warp-router ARGS`, e.g. "--no-gro",
        /// "--lan-ring-mib 4" or "--tap wlr-tap" (the LAN on a TAP device bridged to the LAN veth,
        /// <see cref="BridgeTap"/>) and "--tap wlr-tap --no-vnet-hdr".
        /// </summary>
        public readonly List<string> CompareArguments = new List<string>();

        /// <summary>The TAP device a `--tap` router of the throughput run makes in wl-router.</summary>
        public const string LabTap = "wlr-tap";

        /// <summary>
        /// A router on a TAP device (--tap wlr-tap) reaches the LAN through a bridge in wl-router of
        /// the LAN veth and the TAP (made when the router opened it); the client's and the switch ports' TCP offloads
        /// (checksum, TSO, which the raw socket cannot take and the lab turns off) are on for these tests only, so
        /// that the kernel hands the TAP super-frames when it offers TSO. Undone after the tests (the
        /// TAP goes when the router closes it).
        /// </summary>
        void BridgeTap(bool up)
        {
            if (up)
            {
                Shell.Run(Ns(RouterNs, $"sh -c 'ip link add wlr-br type bridge && ip link set wlr-lan master wlr-br && ip link set {LabTap} master wlr-br && ip link set {LabTap} up && ip link set wlr-br up'"));
                Shell.Run(Ns(Client, "ethtool -K wlc0 tx on tso on gso on"), 10000, false);
                Shell.Run(Ns(Switch, "sh -c 'ethtool -K wls-c tx on tso on gso on; ethtool -K wls-r tx on tso on gso on'"), 10000, false); // the switch's ports would cut them in software
                string features = Shell.Run(Ns(RouterNs, $"ethtool -k {LabTap}"), 5000, false);
                foreach (string line in features.Split('\n'))
                    if (line.StartsWith("tx-checksumming:", StringComparison.Ordinal) || line.StartsWith("tcp-segmentation-offload:", StringComparison.Ordinal))
                        log.WriteLine("TAP " + LabTap + " " + line.Trim());
                Shell.Run(Ns(Client, "ip neigh flush dev wlc0"), 5000, false);
                Shell.Run(Ns(Client, $"ping -c 2 -W 2 {OriginV4}"), 15000, false);
            }
            else
            {
                Shell.Run(Ns(Client, "ethtool -K wlc0 tx off"), 10000, false);
                Shell.Run(Ns(Switch, "sh -c 'ethtool -K wls-c tx off; ethtool -K wls-r tx off'"), 10000, false);
                Shell.Run(Ns(RouterNs, "ip link del wlr-br"), 5000, false);
            }
        }

        /// <summary>--compare-peer-buffers: one more router per run, warp-router with the kernel's socket buffers left as they were (the old peer).</summary>
        public bool ComparePeerBuffers;
        public const string DefaultBuffersRouter = "warp-router, default buffers";

        public void Throughput(LabReport report)
        {
            ThroughputRows.Clear();
            log.WriteLine("socket buffers before the throughput run: " + Describe(CurrentBuffers()));
            log.WriteLine("the peer: " + (PeerKind == PeerWarp ? "warp-router peer (batches, GRO, GSO, 4 MiB socket buffers)" : "wireguard-go " + Shell.Run("sh -c 'dpkg-query -W -f=${Version} wireguard-go 2>/dev/null'", 5000, false).Trim()));
            try
            {
                var routers = new List<string>(Routers);
                if (CompareGso) routers.Add("warp-router --no-gso");
                if (ComparePeerBuffers && PeerBufferBytes > 0) routers.Add(DefaultBuffersRouter);
                foreach (string extra in CompareArguments) routers.Add("warp-router " + extra);
                for (int run = 1; run <= ThroughputRuns; run++)
                {
                    foreach (string r in routers)
                    {
                        StopRouter();
                        StopPeer();
                        // The peer's socket takes rmem_default/wmem_default when wg binds it, in StartPeer.
                        if (PeerBufferBytes > 0 && r != DefaultBuffersRouter) RaiseSocketBuffers(PeerBufferBytes);
                        else RestoreSocketBuffers();
                        StartPeer("error"); // a fresh peer for every router: no state carries over
                        if (r == "wireguard-go")
                            MeasureWireGuardGo(run);
                        else
                        {
                            RouterArguments = r.StartsWith("warp-router ", StringComparison.Ordinal) ? r.Substring("warp-router".Length) : "";
                            StartRouter();
                            bool tap = RouterArguments.Contains(" --tap " + LabTap, StringComparison.Ordinal);
                            if (tap) BridgeTap(true);
                            Shell.Run(Ns(Client, "ip neigh flush dev wlc0"), 5000, false);
                            bool up = WaitFor(() => TunnelState() == "up", 15000);
                            if (!up) log.WriteLine(r + ": the tunnel did not come up");
                            Shell.Run(Ns(Client, $"ping -c 2 -W 2 {OriginV4}"), 15000, false);
                            foreach (string t in RunTests)
                                ThroughputRows.Add(Measure(run, r, t, router, true));
                            LogOffloadCounters(r);
                            if (tap) BridgeTap(false);
                        }
                    }
                }
                // Leave the lab as it was: the buffers as they were, warp-router with batches against a fresh peer.
                StopRouter();
                StopPeer();
                RestoreSocketBuffers();
                StartPeer("verbose");
                RouterArguments = "";
                StartRouter();
                Shell.Run(Ns(Client, "ip neigh flush dev wlc0"), 5000, false);
                WaitFor(() => TunnelState() == "up", 15000);
            }
            finally
            {
                RestoreSocketBuffers(); // also on an exception; Ctrl-C and process exit restore through TearDown and ProcessExit
            }

            log.WriteLine(ThroughputTable(ThroughputRows));
            log.WriteLine(RatioTable(ThroughputRows));
            double ours = Median("warp-router", "tcp1"), theirs = Median("wireguard-go", "tcp1");
            report.Values["throughput.warp-router"] = ours.ToString("F1", CultureInfo.InvariantCulture);
            report.Values["throughput.wireguard-go"] = theirs.ToString("F1", CultureInfo.InvariantCulture);
            report.Values["throughput.warp-router-no-batch"] = Median("warp-router --no-batch", "tcp1").ToString("F1", CultureInfo.InvariantCulture);
            report.Check("iperf3 through warp-router", ours > 0, ours.ToString("F1") + " Mbit/s (TCP, 1 stream, median)");
            report.Check("iperf3 through wireguard-go (same topology)", theirs > 0, theirs.ToString("F1") + " Mbit/s (TCP, 1 stream, median)");
        }

        double Median(string router, string test)
        {
            var v = new List<double>();
            foreach (var r in ThroughputRows)
                if (r.Router == router && r.Test == test) v.Add(r.Mbits);
            if (v.Count == 0) return 0;
            v.Sort();
            return v[v.Count / 2];
        }

        /// <summary>wireguard-go in the router's place: kernel forwarding and MASQUERADE into it, the same LAN address.</summary>
        void MeasureWireGuardGo(int run)
        {
            string key = Path.Combine(Work, "router.key");
            Shell.Run("rm -f /var/run/wireguard/wlrwg0.sock", 5000, false);
            var wgRouter = Shell.Start("env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error " + Ns(RouterNs, "wireguard-go wlrwg0"));
            try
            {
                for (int i = 0; i < 50 && !File.Exists("/var/run/wireguard/wlrwg0.sock"); i++) Thread.Sleep(100);
                string peerPublic = PeerPublicKey(); // wireguard-go or warp-router peer
                Shell.Run(Ns(RouterNs, $"wg set wlrwg0 private-key {key} peer {peerPublic} endpoint {PeerUplinkV4}:{PeerPort} allowed-ips 0.0.0.0/0"));
                Shell.Run(Ns(RouterNs, $"sh -c 'ip addr add {RouterLan}/24 dev wlr-lan && ip addr add 172.16.0.2/32 dev wlrwg0 && ip link set wlrwg0 mtu 1280 up && ip route add {OriginV4}/32 dev wlrwg0 && sysctl -qw net.ipv4.ip_forward=1 && iptables -t nat -A POSTROUTING -o wlrwg0 -j MASQUERADE && iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu'"));
                // The client still has our router's MAC for 192.168.42.1; the kernel's is another.
                Shell.Run(Ns(Client, "ip neigh flush dev wlc0"), 5000, false);
                Shell.Run(Ns(Client, $"ping -c 3 -W 2 {OriginV4}"), 15000, false);
                foreach (string t in RunTests)
                    ThroughputRows.Add(Measure(run, "wireguard-go", t, wgRouter, false));
            }
            finally
            {
                Shell.Stop(wgRouter);
                Shell.Run(Ns(RouterNs, $"sh -c 'ip addr del {RouterLan}/24 dev wlr-lan; iptables -t nat -F; iptables -t mangle -F; sysctl -qw net.ipv4.ip_forward=0'"), 5000, false);
            }
        }

        /// <summary>One iperf3 test with the CPU and drop counters read around it.</summary>
        ThroughputRow Measure(int run, string routerName, string test, Process routerProcess, bool ours)
        {
            var row = new ThroughputRow { Run = run, Router = routerName, Test = test };
            long routerCpu0 = CpuTicks(routerProcess), peerCpu0 = CpuTicks(peerDaemon);
            MachineTicks(out long busy0, out long total0);
            NamespaceDrops(RouterNs, out long rUdp0, out long rIf0);
            NamespaceDrops(PeerNs, out long pUdp0, out long pIf0);
            NamespaceDrops(Inet, out _, out long iIf0);
            var k0 = ours ? KernelAndCoreDrops() : null;
            string args = (test == "udp" ? $"-u -b {UdpRate} -l {UdpLength}" : test == "tcp4" ? "-P 4" : test == "tcp1-down" ? "-R" : "") + " --connect-timeout 5000";
            Thread.Sleep(1000); // the server finishes the last test first (iperf3 3.12 refuses a client meanwhile)
            var clock = Stopwatch.StartNew();
            string json = Shell.Run(Ns(Client, $"iperf3 -c {OriginV4} -t {ThroughputSeconds} -J {args}"), 40000 + ThroughputSeconds * 1000, false);
            if (json.Contains("\"error\":", StringComparison.Ordinal))
            {
                log.WriteLine($"run {run} {routerName} {test}: iperf3 failed, once more: " + json.Substring(json.IndexOf("\"error\":", StringComparison.Ordinal)).Trim());
                Thread.Sleep(2000);
                routerCpu0 = CpuTicks(routerProcess);
                peerCpu0 = CpuTicks(peerDaemon);
                MachineTicks(out busy0, out total0);
                clock.Restart();
                json = Shell.Run(Ns(Client, $"iperf3 -c {OriginV4} -t {ThroughputSeconds} -J {args}"), 40000 + ThroughputSeconds * 1000, false);
            }
            row.Seconds = clock.Elapsed.TotalSeconds;
            row.RouterCpu = (CpuTicks(routerProcess) - routerCpu0) / 100.0;
            row.PeerCpu = (CpuTicks(peerDaemon) - peerCpu0) / 100.0;
            MachineTicks(out long busy1, out long total1);
            row.MachineBusy = total1 > total0 ? 100.0 * (busy1 - busy0) / (total1 - total0) : 0;
            NamespaceDrops(RouterNs, out long rUdp1, out long rIf1);
            NamespaceDrops(PeerNs, out long pUdp1, out long pIf1);
            NamespaceDrops(Inet, out _, out long iIf1);
            row.RouterUdpDrops = rUdp1 - rUdp0;
            row.PeerUdpDrops = pUdp1 - pUdp0;
            row.InterfaceDrops = (rIf1 - rIf0) + (pIf1 - pIf0) + (iIf1 - iIf0);
            if (ours)
            {
                var k1 = KernelAndCoreDrops();
                row.LanSocketDrops = k1[0] - k0[0];
                row.UplinkSocketDrops = k1[1] - k0[1];
                row.CoreDrops = k1[2] - k0[2];
            }
            ParseIperf(json, test == "udp", row);
            log.WriteLine($"run {run} {routerName} {test}: {row.Mbits:F1} Mbit/s, router CPU {row.RouterCpu:F2} s ({row.CpuPerGb:F2} s/GB), peer CPU {row.PeerCpu:F2} s, machine {row.MachineBusy:F0}% busy, drops: {row.Drops}");
            return row;
        }

        void ParseIperf(string json, bool udp, ThroughputRow row)
        {
            try
            {
                using var doc = JsonDocument.Parse(json);
                var end = doc.RootElement.GetProperty("end");
                if (udp)
                {
                    var sum = end.GetProperty("sum");
                    double seconds = sum.GetProperty("seconds").GetDouble();
                    double bytes = sum.GetProperty("bytes").GetDouble();
                    double lost = sum.GetProperty("lost_percent").GetDouble();
                    // The receiver's view: what arrived (sent bytes less the lost share).
                    row.Bytes = bytes * (1 - lost / 100);
                    row.Mbits = seconds > 0 ? row.Bytes * 8 / seconds / 1e6 : 0;
                    row.UdpLossPercent = lost;
                }
                else
                {
                    var received = end.GetProperty("sum_received");
                    row.Bytes = received.GetProperty("bytes").GetDouble();
                    row.Mbits = received.GetProperty("bits_per_second").GetDouble() / 1e6;
                    if (end.GetProperty("sum_sent").TryGetProperty("retransmits", out var rt)) row.Retransmits = rt.GetInt64();
                }
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException)
            {
                log.WriteLine("iperf3: " + json.Trim());
            }
        }

        /// <summary>utime + stime of a process in clock ticks (100 a second), 0 when it is gone.</summary>
        static long CpuTicks(Process p)
        {
            if (p == null) return 0;
            try
            {
                string stat = File.ReadAllText("/proc/" + p.Id + "/stat");
                string[] f = stat.Substring(stat.LastIndexOf(')') + 2).Split(' ');
                // after the command: state(0) ... utime(11) stime(12)
                return long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException || e is FormatException || e is InvalidOperationException || e is IndexOutOfRangeException || e is ArgumentOutOfRangeException)
            {
                return 0;
            }
        }

        /// <summary>The whole machine's busy and total CPU ticks (/proc/stat, every core).</summary>
        static void MachineTicks(out long busy, out long total)
        {
            busy = total = 0;
            string[] f = File.ReadAllLines("/proc/stat")[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (int i = 1; i < f.Length && i <= 8; i++)
            {
                long v = long.Parse(f[i], CultureInfo.InvariantCulture);
                total += v;
                if (i != 4 && i != 5) busy += v; // idle and iowait are not busy
            }
        }

        /// <summary>A namespace's UDP buffer errors (IPv4 and IPv6, receive and send) and the sum of its interfaces' rx and tx drops.</summary>
        static void NamespaceDrops(string ns, out long udp, out long interfaces)
        {
            udp = interfaces = 0;
            string text = Shell.Run(Ns(ns, "sh -c 'cat /proc/net/snmp /proc/net/snmp6; echo ====; ip -j -s link show'"), 10000, false);
            int cut = text.IndexOf("====", StringComparison.Ordinal);
            if (cut < 0) return;
            string[] lines = text.Substring(0, cut).Split('\n');
            for (int i = 0; i + 1 < lines.Length; i++)
            {
                if (lines[i].StartsWith("Udp: ", StringComparison.Ordinal) && lines[i + 1].StartsWith("Udp: ", StringComparison.Ordinal))
                {
                    string[] n = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries), v = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    for (int k = 1; k < n.Length && k < v.Length; k++)
                        if (n[k] == "RcvbufErrors" || n[k] == "SndbufErrors") udp += long.Parse(v[k], CultureInfo.InvariantCulture);
                    i++;
                }
                else
                {
                    string[] f = lines[i].Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length == 2 && (f[0] == "Udp6RcvbufErrors" || f[0] == "Udp6SndbufErrors")) udp += long.Parse(f[1], CultureInfo.InvariantCulture);
                }
            }
            try
            {
                using var doc = JsonDocument.Parse(text.Substring(cut + 4));
                foreach (var link in doc.RootElement.EnumerateArray())
                {
                    if (!link.TryGetProperty("stats64", out var st)) continue;
                    interfaces += st.GetProperty("rx").GetProperty("dropped").GetInt64() + st.GetProperty("tx").GetProperty("dropped").GetInt64();
                }
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException) { }
        }

        /// <summary>After a router's tests: how much its offloads did (GRO buffers and datagrams, TAP super-frames and segments).</summary>
        void LogOffloadCounters(string routerName)
        {
            var counters = QueryRecords("counters");
            if (counters == null) return;
            var sb = new StringBuilder();
            foreach (var c in counters)
                if (c.Type == "counter" && c["module"] == "kernel" && (c["name"].StartsWith("uplink_gro", StringComparison.Ordinal) || c["name"].StartsWith("tap_", StringComparison.Ordinal) || c["name"].StartsWith("drop.tap_", StringComparison.Ordinal)))
                    sb.Append(' ').Append(c["name"]).Append('=').Append(c["value"]);
            log.WriteLine(routerName + " offloads over its tests:" + (sb.Length > 0 ? sb.ToString() : " none"));
        }

        /// <summary>warp-router's kernel counters at its own sockets (raw LAN socket, uplink sockets) and its core's drops.</summary>
        long[] KernelAndCoreDrops()
        {
            var r = new long[3];
            var counters = QueryRecords("counters");
            if (counters == null) return r;
            foreach (var c in counters)
            {
                if (c.Type != "counter" || c["drop"] != "1") continue;
                long v = long.Parse(c["value"], CultureInfo.InvariantCulture);
                string module = c["module"], name = c["name"];
                if (module == "kernel" && (name == "drop.lan_socket" || name == "drop.lan_tap_queue" || name.StartsWith("drop.tap_", StringComparison.Ordinal))) r[0] += v;
                else if (module == "kernel" && name == "drop.uplink_socket") r[1] += v;
                else if (module != "kernel" && module != "control") r[2] += v;
            }
            return r;
        }

        /// <summary>Every measurement, one row each (README's table).</summary>
        public static string ThroughputTable(List<ThroughputRow> rows)
        {
            var sb = new StringBuilder();
            sb.AppendLine("| run | router | test | Mbit/s | of AEAD ceiling | router CPU s/GB | router CPU % | peer CPU % | machine busy % | TCP retrans. / UDP loss | drops: UDP buffer router/peer, interfaces, our sockets LAN/uplink, our core |");
            sb.AppendLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var r in rows)
            {
                string loss = r.Test == "udp" ? r.UdpLossPercent.ToString("F2", CultureInfo.InvariantCulture) + "%" : r.Retransmits.ToString(CultureInfo.InvariantCulture);
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1} | {2} | {3:F1} | {4:P1} | {5:F2} | {6:F0} | {7:F0} | {8:F0} | {9} | {10} |",
                    r.Run, r.Router, r.Test, r.Mbits, r.AeadFraction, r.CpuPerGb, 100 * r.RouterCpu / r.Seconds, 100 * r.PeerCpu / r.Seconds, r.MachineBusy, loss, r.Drops));
            }
            return sb.ToString();
        }

        /// <summary>Within each run: warp-router against wireguard-go and against itself without batches (throughput and CPU per GB).</summary>
        public static string RatioTable(List<ThroughputRow> rows)
        {
            var sb = new StringBuilder();
            sb.AppendLine("| run | test | throughput warp-router / wireguard-go | CPU per GB warp-router / wireguard-go | throughput batches / no batches | CPU per GB batches / no batches | throughput GSO / no GSO | throughput raised / default socket buffers |");
            sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
            var runs = new SortedSet<int>();
            foreach (var r in rows) runs.Add(r.Run);
            foreach (int run in runs)
                foreach (string t in TestsWithDownload)
                {
                    ThroughputRow a = Find(rows, run, "warp-router", t), b = Find(rows, run, "wireguard-go", t), c = Find(rows, run, "warp-router --no-batch", t);
                    ThroughputRow g = Find(rows, run, "warp-router --no-gso", t), d = Find(rows, run, DefaultBuffersRouter, t);
                    if (a == null) continue;
                    sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "| {0} | {1} | {2} | {3} | {4} | {5} | {6} | {7} |", run, t,
                        Ratio(a.Mbits, b?.Mbits), Ratio(a.CpuPerGb, b?.CpuPerGb), Ratio(a.Mbits, c?.Mbits), Ratio(a.CpuPerGb, c?.CpuPerGb), Ratio(a.Mbits, g?.Mbits), Ratio(a.Mbits, d?.Mbits)));
                }
            return sb.ToString();
        }

        static ThroughputRow Find(List<ThroughputRow> rows, int run, string router, string test)
        {
            foreach (var r in rows)
                if (r.Run == run && r.Router == router && r.Test == test) return r;
            return null;
        }

        static string Ratio(double a, double? b)
        {
            return b.HasValue && b.Value > 0 ? (a / b.Value).ToString("F2", CultureInfo.InvariantCulture) + "x" : "-";
        }
    }
}

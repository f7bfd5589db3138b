using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The dual-stack race in the namespace lab against wireguard-go reachable over IPv4
    /// (10.250.2.2) and IPv6 (fd10:250:2::2) through wl-inet: black holes are ip6tables/iptables
    /// DROP rules in wl-inet; a slower IPv6 path is a small python3 UDP relay in wl-inet. Each
    /// figure the README table gives is printed here ("figure: ...").
    /// </summary>
    [Collection("lab")]
    public class RaceLabTests
    {
        readonly ITestOutputHelper output;
        public RaceLabTests(ITestOutputHelper output) { this.output = output; }


        static readonly string[] Tools = { "wireguard-go", "wg", "ip", "ip6tables", "iptables", "python3", "dhclient", "ping", "iperf3" };
        const string V4 = "10.250.2.2:51820", V6 = "[fd10:250:2::2]:51820";
        const string Drop6 = "ip6tables -I FORWARD -p udp -d fd10:250:2::2 --dport 51820 -j DROP";
        const string Drop4 = "iptables -I FORWARD -p udp -d 10.250.2.2 --dport 51820 -j DROP";

        static string Inet(string command) { return $"ip netns exec {RouterLab.Inet} {command}"; }

        /// <summary>Rewrites the router's config (endpoints, [Router] extras), forgets the cached winner and restarts it.</summary>
        static void Restart(RouterLab lab, string endpoints, string routerLines = "")
        {
            lab.StopRouter();
            string conf = Path.Combine(lab.Work, "router.conf");
            var lines = File.ReadAllLines(conf).Where(l => !l.StartsWith("Endpoint =") && !l.StartsWith("Race =") && !l.StartsWith("ConnectionAttemptDelay =")).ToList();
            int peer = lines.FindIndex(l => l.StartsWith("PublicKey ="));
            foreach (var e in endpoints.Split(',').Reverse())
                lines.Insert(peer + 1, "Endpoint = " + e.Trim());
            File.WriteAllText(conf, string.Join("\n", lines) + "\n" + routerLines);
            Shell.Run($"rm -f {lab.Work}/state/path-winners*", 5000, false);
            File.WriteAllText(lab.PeerLog, "");
            lab.StartRouter();
        }

        static Dictionary<string, string> Status(RouterLab lab)
        {
            var s = lab.QueryRecords("status");
            return s != null && s.Count == 1 ? s[0].Fields : null;
        }

        static Dictionary<string, string> WaitUp(RouterLab lab, int timeoutMs)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                var s = Status(lab);
                if (s != null && s["tunnel"] == "up") return s;
                Thread.Sleep(50);
            }
            return Status(lab);
        }

        static long Counter(RouterLab lab, string module, string name)
        {
            var c = lab.QueryRecords("counters");
            return long.Parse(c.First(r => r["module"] == module && r["name"] == name)["value"]);
        }

        [SkippableFact]
        public void TheRacePicksTheWorkingAndFasterFamily()
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output));
            Process relay = null, wg = null;
            try
            {
                Assert.True(lab.Setup(new LabReport(new TestOutputWriter(output))), "lab set-up failed");

                // IPv6 black-holed: up over IPv4 within the attempt delay plus one RTT.
                Shell.Run(Inet(Drop6));
                Restart(lab, V4 + ", " + V6);
                var s = WaitUp(lab, 10000);
                Assert.Equal("up", s["tunnel"]);
                Assert.Equal("4", s["path_family"]);
                long race = long.Parse(s["last_race_ms"]), rtt = long.Parse(s["rtt_ms"]);
                output.WriteLine($"figure: v6 black-holed, racing: up over IPv4 in {race} ms (rtt {rtt} ms)");
                Assert.InRange(race, 250, 250 + rtt + 50);

                // The same without racing: IPv6 only, IPv4 after REKEY_TIMEOUT.
                Restart(lab, V4 + ", " + V6, "Race = off\n");
                s = WaitUp(lab, 12000);
                Assert.Equal("up", s["tunnel"]);
                Assert.Equal("4", s["path_family"]);
                long sequential = long.Parse(s["last_race_ms"]);
                output.WriteLine($"figure: v6 black-holed, racing off: up over IPv4 in {sequential} ms");
                Assert.InRange(sequential, 5000, 5500);

                // wireguard-go given the IPv6 endpoint never comes up.
                lab.StopRouter();
                Shell.Run("rm -f /var/run/wireguard/wlrwg0.sock", 5000, false);
                wg = Shell.Start($"env WG_PROCESS_FOREGROUND=1 ip netns exec {RouterLab.RouterNs} wireguard-go wlrwg0");
                for (int i = 0; i < 50 && !File.Exists("/var/run/wireguard/wlrwg0.sock"); i++) Thread.Sleep(100);
                string peerPublic = Shell.Run($"ip netns exec {RouterLab.PeerNs} wg show wlpwg0 public-key").Trim();
                Shell.Run($"ip netns exec {RouterLab.RouterNs} sh -c 'wg set wlrwg0 private-key {lab.Work}/router.key peer {peerPublic} endpoint {V6} allowed-ips 172.16.0.1/32 persistent-keepalive 1 && ip addr add 172.16.0.2/32 dev wlrwg0 && ip link set wlrwg0 up'");
                Thread.Sleep(8000);
                string hs = Shell.Run($"ip netns exec {RouterLab.RouterNs} wg show wlrwg0 latest-handshakes").Trim();
                output.WriteLine("figure: wireguard-go with the IPv6 endpoint, 8 s: latest handshake " + hs);
                Assert.EndsWith("\t0", hs);
                Shell.Stop(wg); wg = null;
                Shell.Run($"ip netns exec {RouterLab.RouterNs} ip link del wlrwg0", 5000, false);

                // IPv4 black-holed: IPv6 wins.
                Shell.Run(Inet("ip6tables -F FORWARD"));
                Shell.Run(Inet(Drop4));
                Restart(lab, V4 + ", " + V6);
                s = WaitUp(lab, 10000);
                Assert.Equal("6", s["path_family"]);
                output.WriteLine($"figure: v4 black-holed: up over IPv6 in {s["last_race_ms"]} ms");

                // Equal paths: IPv6 wins.
                Shell.Run(Inet("iptables -F FORWARD"));
                Restart(lab, V4 + ", " + V6);
                s = WaitUp(lab, 10000);
                Assert.Equal("6", s["path_family"]);
                output.WriteLine($"figure: equal paths: up over IPv6 in {s["last_race_ms"]} ms");

                // IPv6 300 ms slower (a relay in wl-inet delays what goes to the peer): IPv4 wins, and
                // the responder, which got the one initiation over both families, answered exactly once.
                string relayPy = Path.Combine(lab.Work, "relay.py");
                File.WriteAllText(relayPy, RelayScript);
                relay = Shell.Start(Inet($"python3 {relayPy} fd10:250:1::1 51821 fd10:250:2::2 51820 300"));
                Thread.Sleep(500);
                Restart(lab, V4 + ", [fd10:250:1::1]:51821");
                s = WaitUp(lab, 10000);
                Assert.Equal("4", s["path_family"]);
                output.WriteLine($"figure: v6 300 ms slower: up over IPv4 in {s["last_race_ms"]} ms");
                Thread.Sleep(1000); // the IPv6 copy reaches the peer 300 ms after it was sent
                string log = File.ReadAllText(lab.PeerLog);
                int answered = Regex.Matches(log, "Sending handshake response").Count;
                int refused = Regex.Matches(log, "Received invalid initiation message").Count;
                output.WriteLine($"wireguard-go: {answered} response(s), {refused} refused initiation(s)");
                Assert.Equal(1, answered);
                Assert.Equal(1, refused);
                Assert.Equal(1, Counter(lab, "tunnel", "handshakes_completed"));
                Assert.Equal(1, Counter(lab, "uplink", "races"));
                Assert.Equal(2, Counter(lab, "uplink", "attempts_sent"));
            }
            finally
            {
                Shell.Stop(relay);
                Shell.Stop(wg);
                lab.TearDown();
            }
        }

        [SkippableFact]
        public void TheWinnerDiesAReconnectAndAnAddressChangeMidSession()
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output));
            Process ping = null, iperf = null;
            string pingLog = Path.Combine(Path.GetTempPath(), "warp-race-ping-" + Guid.NewGuid().ToString("N") + ".txt");
            try
            {
                Assert.True(lab.Setup(new LabReport(new TestOutputWriter(output))), "lab set-up failed");
                Shell.Run($"ip netns exec {RouterLab.RouterNs} sysctl -qw net.ipv6.conf.wlr-up.keep_addr_on_down=1");
                // Fresh veths need a second or two before IPv6 neighbour discovery works (link-local DAD): let them settle.
                Shell.Run($"ip netns exec {RouterLab.RouterNs} sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do ping -6 -c 1 -W 1 fd10:250:2::2 >/dev/null && break; done'", 20000, false);
                Restart(lab, V4 + ", " + V6);   // equal paths
                Assert.Equal("up", WaitUp(lab, 10000)["tunnel"]);
                Assert.Equal("6", Status(lab)["path_family"]);
                Shell.Run($"ip netns exec {RouterLab.Client} timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/dhclient.leases wlc0", 40000, false);

                // 1. The uplink interface goes down and up (300 ms): sends fail, the socket is made anew, no race.
                ping = Shell.Start($"ip netns exec {RouterLab.Client} ping -D -i 0.1 -W 1 {RouterLab.OriginV4} > {pingLog}");
                Thread.Sleep(1500);
                long races = Counter(lab, "uplink", "races");
                Shell.Run($"ip netns exec {RouterLab.RouterNs} sh -c 'ip link set wlr-up down; sleep 0.3; ip link set wlr-up up; ip route replace default via 10.250.1.1; ip -6 route replace default via fd10:250:1::1'");
                Thread.Sleep(2500);
                long reconnects = Counter(lab, "uplink", "reconnects");
                output.WriteLine($"figure: link down/up 300 ms: reconnects {reconnects}, races {Counter(lab, "uplink", "races") - races}, send failures no_route {Counter(lab, "router", "drop.uplink_no_route")}");
                Assert.True(reconnects >= 1, "no reconnect");
                Assert.Equal(races, Counter(lab, "uplink", "races"));

                // 2. The router's IPv6 address changes mid-ping (the winner is IPv6): the session goes on.
                long before = Replies(pingLog);
                Shell.Run($"ip netns exec {RouterLab.RouterNs} sh -c 'ip -6 addr add fd10:250:1::3/64 dev wlr-up nodad && ip -6 addr del fd10:250:1::2/64 dev wlr-up && ip -6 route replace default via fd10:250:1::1'");
                Thread.Sleep(4000);
                Shell.Stop(ping, interrupt: true); ping = null;
                var (sent, received, gap) = PingStats(pingLog);
                output.WriteLine($"figure: address change mid-ping: {sent - received} of {sent} pings lost (100 ms apart), longest gap {gap} ms");
                Assert.True(Replies(pingLog) > before + 20, "the pings stopped after the address change");
                Assert.Equal("up", Status(lab)["tunnel"]);

                // 3. The winner (IPv6) dies mid-session with ping and iperf3 running: traffic resumes over IPv4.
                File.WriteAllText(pingLog, "");
                ping = Shell.Start($"ip netns exec {RouterLab.Client} ping -D -i 0.1 -W 1 {RouterLab.OriginV4} > {pingLog}");
                iperf = Shell.Start($"ip netns exec {RouterLab.Client} iperf3 -c {RouterLab.OriginV4} -t 16 -i 1 --connect-timeout 5000 > {lab.Work}/iperf.txt");
                Thread.Sleep(3000);
                Shell.Run(Inet(Drop6));
                Thread.Sleep(12000);
                Shell.Stop(ping, interrupt: true); ping = null;
                iperf.WaitForExit(10000);
                var (_, _, outage) = PingStats(pingLog);
                var st = Status(lab);
                output.WriteLine($"figure: winner dies: ping gap {outage} ms, now on IPv{st["path_family"]}, last race {st["last_race_reason"]} in {st["last_race_ms"]} ms");
                output.WriteLine(File.ReadAllText(Path.Combine(lab.Work, "iperf.txt")));
                Assert.Equal("4", st["path_family"]);
                Assert.Equal("silence", st["last_race_reason"]);
                Assert.InRange(outage, 1, 5000 + 250 + 1000);   // REKEY_TIMEOUT + the race (+ ping spacing and poll slack)
                var lastIntervals = File.ReadAllLines(Path.Combine(lab.Work, "iperf.txt")).Where(l => l.Contains("bits/sec") && !l.Contains("sender") && !l.Contains("receiver")).TakeLast(3).ToList();
                Assert.Contains(lastIntervals, l => !Regex.IsMatch(l, @"\s0\.00 bits/sec"));
            }
            finally
            {
                Shell.Stop(ping);
                Shell.Stop(iperf);
                string routerLog = Path.Combine(lab.Work, "router.log");
                if (File.Exists(routerLog))
                    output.WriteLine("router.log:\n" + string.Join("\n", File.ReadAllLines(routerLog).TakeLast(30)));
                lab.TearDown();
                File.Delete(pingLog);
            }
        }

        static long Replies(string log) { return File.ReadAllLines(log).Count(l => l.Contains("bytes from")); }

        /// <summary>Pings sent (by icmp_seq), answered, and the longest time between two answers (ms).</summary>
        static (long Sent, long Received, long Gap) PingStats(string log)
        {
            var times = new List<double>();
            long maxSeq = 0;
            foreach (var l in File.ReadAllLines(log))
            {
                var m = Regex.Match(l, @"^\[(\d+\.\d+)\].*icmp_seq=(\d+)");
                if (!m.Success || !l.Contains("bytes from")) continue;
                times.Add(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
                maxSeq = Math.Max(maxSeq, long.Parse(m.Groups[2].Value));
            }
            double gap = 0;
            for (int i = 1; i < times.Count; i++) gap = Math.Max(gap, times[i] - times[i - 1]);
            return (maxSeq, times.Count, (long)(gap * 1000));
        }

        /// <summary>A UDP relay: datagrams to LISTEN go to TARGET after DELAY ms; answers come back at once.</summary>
        const string RelayScript = @"import socket, sys, time, heapq, select
lhost, lport, thost, tport, delay = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) / 1000.0
front = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); front.bind((lhost, lport))
back = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); back.connect((thost, tport))
client, queue = None, []
while True:
    wait = max(0.0, queue[0][0] - time.time()) if queue else 1.0
    ready, _, _ = select.select([front, back], [], [], wait)
    if front in ready:
        data, client = front.recvfrom(65535)
        heapq.heappush(queue, (time.time() + delay, len(queue), data))
    if back in ready:
        data = back.recv(65535)
        if client: front.sendto(data, client)
    while queue and queue[0][0] <= time.time():
        back.send(heapq.heappop(queue)[2])
";
    }
}

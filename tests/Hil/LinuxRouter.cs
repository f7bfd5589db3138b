using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Warp.Router.Linux;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Hil.Tests
{
    /// <summary>
    /// warp-router in the lab's namespaces (firmware/Linux/Lab.cs): the LAN side is the client
    /// namespace wl-client (its veth wlc0 on the lab's switch), the uplink side is wl-inet (the hop
    /// with the NAT, where captures, the rebinding switch and the black holes live) and wl-peer
    /// (wireguard-go, the origin's web server and DNS). The console is the router's control socket,
    /// which runs the same RouterConsole as the serial console.
    /// </summary>
    public sealed class LinuxRouter : IRouterUnderTest, ILanSide, IUplinkSide
    {
        readonly TextWriter log;
        readonly RouterLab lab;
        bool started;
        System.Diagnostics.Process capture;
        int rebindPort = 30000;
        bool rebindRuleIn;

        public LinuxRouter(TextWriter log)
        {
            this.log = log;
            lab = new RouterLab(log);
        }

        public string Name { get { return "linux (warp-router in the lab namespaces)"; } }

        public string SkipReason
        {
            get
            {
                if (!Shell.IsRoot) return "warp-router's lab needs root (network namespaces)";
                foreach (var tool in new[] { "wireguard-go", "wg", "ip", "dhclient", "dig", "curl", "ping", "tcpdump", "iptables", "ip6tables", "conntrack" })
                    if (!Shell.Has(tool)) return "the lab needs " + tool;
                return null;
            }
        }

        public void Start()
        {
            if (started) return;
            var report = new LabReport(log);
            if (!lab.Setup(report)) throw new InvalidOperationException("lab set-up failed");
            started = true;
        }

        static string Ns(string ns, string command) { return "ip netns exec " + ns + " " + command; }

        public List<string> Console(string command, int timeoutMs = 10000)
        {
            return lab.Query(command).Replace("\r", "").Split('\n').Where(l => l.Length > 0).ToList();
        }

        public void Reboot()
        {
            lab.StopRouter();
            lab.StartRouter();
        }

        public bool CanPowerCycle { get { return true; } }

        /// <summary>SIGKILL and start again: nothing saved at exit, as a power cut.</summary>
        public void PowerCycle()
        {
            lab.KillRouter();
            lab.StartRouter();
        }

        /// <summary>VmRSS of the warp-router process in wl-router.</summary>
        public long MemoryInUse()
        {
            foreach (string pid in Shell.Run("ip netns pids " + RouterLab.RouterNs, 5000, false).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string dir = "/proc/" + pid.Trim();
                string cmd = File.Exists(dir + "/cmdline") ? File.ReadAllText(dir + "/cmdline").Replace('\0', ' ') : "";
                if (!cmd.Contains(" run ") || !cmd.Contains("--control")) continue;
                foreach (string line in File.ReadAllLines(dir + "/status"))
                    if (line.StartsWith("VmRSS:"))
                        return long.Parse(line.Substring(6).Trim().Split(' ')[0]) * 1024;
            }
            return -1;
        }

        public ILanSide Lan { get { return this; } }
        public IUplinkSide Uplink { get { return this; } }

        // ---- LAN side
        public string Interface { get { return "wlc0"; } }
        public string RouterV4 { get { return RouterLab.RouterLan; } }
        public string RouterV6 { get { return RouterLab.RouterUla; } }

        public string Run(string command, int timeoutMs = 30000)
        {
            return Shell.Run(Ns(RouterLab.Client, "sh -c '" + command.Replace("{if}", Interface).Replace("'", "'\\''") + "'"), timeoutMs, false);
        }

        public string Lease()
        {
            Run($"dhclient -x -pf {lab.Work}/dhclient.pid 2>/dev/null; ip -4 addr flush dev {{if}}", 20000);
            Run($"timeout 30 dhclient -4 -1 -pf {lab.Work}/dhclient.pid -lf {lab.Work}/hil.leases {{if}}", 40000);
            string addr = Run("ip -4 -o addr show dev {if}", 5000);
            int i = addr.IndexOf("inet ", StringComparison.Ordinal);
            return i < 0 ? "" : addr.Substring(i + 5, addr.IndexOf('/', i) - i - 5);
        }

        // ---- uplink side
        public string OriginName { get { return "origin.lab"; } }
        public string OriginV4 { get { return RouterLab.OriginV4; } }
        public string OriginV6 { get { return RouterLab.OriginV6; } }
        public string OriginSha256 { get { return lab.OriginSha256; } }

        string CaptureFile { get { return Path.Combine(lab.Work, "hil-uplink.pcap"); } }

        /// <summary>tcpdump on wl-inet's wli-r: everything the router's uplink sends and receives.</summary>
        public void StartCapture()
        {
            File.Delete(CaptureFile);
            capture = Shell.Start(Ns(RouterLab.Inet, "tcpdump -i wli-r -U -n -w " + CaptureFile));
            for (int i = 0; i < 50 && !File.Exists(CaptureFile); i++) Thread.Sleep(100);
            Thread.Sleep(500);
        }

        public string StopCapture()
        {
            if (capture != null)
            {
                Shell.Run("kill -INT " + capture.Id, 5000, false);
                capture.WaitForExit(5000);
                Shell.Stop(capture);
                capture = null;
            }
            return File.Exists(CaptureFile) ? Shell.Run("tcpdump -nn -r " + CaptureFile, 20000, false) : "";
        }

        public void CutPeer(bool cut)
        {
            string op = cut ? "-I" : "-D";
            Shell.Run(Ns(RouterLab.Inet, $"iptables {op} FORWARD -p udp -s {RouterLab.PeerUplinkV4} --sport {RouterLab.PeerPort} -j DROP"), 5000, !cut ? false : true);
            Shell.Run(Ns(RouterLab.Inet, $"ip6tables {op} FORWARD -p udp -s {RouterLab.PeerUplinkV6} --sport {RouterLab.PeerPort} -j DROP"), 5000, !cut ? false : true);
        }

        /// <summary>The NAT on wl-inet maps the router's UDP towards the peer to the next source port (both families) and forgets its old mapping.</summary>
        public int Rebind()
        {
            rebindPort++;
            string op = rebindRuleIn ? "-R POSTROUTING 1" : "-I POSTROUTING 1";
            Shell.Run(Ns(RouterLab.Inet, $"iptables -t nat {op} -o wli-p -p udp --dport {RouterLab.PeerPort} -j MASQUERADE --to-ports {rebindPort}"));
            Shell.Run(Ns(RouterLab.Inet, $"ip6tables -t nat {op} -o wli-p -p udp --dport {RouterLab.PeerPort} -j MASQUERADE --to-ports {rebindPort}"));
            rebindRuleIn = true;
            Shell.Run(Ns(RouterLab.Inet, $"conntrack -D -f ipv4 -p udp --orig-port-dst {RouterLab.PeerPort}"), 5000, false);
            Shell.Run(Ns(RouterLab.Inet, $"conntrack -D -f ipv6 -p udp --orig-port-dst {RouterLab.PeerPort}"), 5000, false);
            return rebindPort;
        }

        public void BlackholeIpv6(bool on)
        {
            string op = on ? "-I" : "-D";
            Shell.Run(Ns(RouterLab.Inet, $"ip6tables {op} FORWARD -p udp -d {RouterLab.PeerUplinkV6} --dport {RouterLab.PeerPort} -j DROP"), 5000, on);
        }

        public string PeerSeesRouterAt()
        {
            string s = Shell.Run(Ns(RouterLab.PeerNs, "wg show wlpwg0 endpoints"), 5000, false).Trim();
            int tab = s.IndexOf('\t');
            return tab < 0 ? "" : s.Substring(tab + 1).Trim();
        }

        public void Dispose()
        {
            if (capture != null) StopCapture();
            lab.TearDown();
        }
    }
}

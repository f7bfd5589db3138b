using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Warp.Router.Linux;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Hil.Tests
{
    /// <summary>
    /// warp-router in the lab's namespaces (firmware/Linux/Lab.cs builds them: the LAN client wl-client
    /// on the lab's switch, the internet hop wl-inet with its NAT, the peer wl-peer with wireguard-go,
    /// the origin's web server and DNS). The router is started here from factory state (an empty
    /// state directory, no --config) with its console on a pseudo-terminal (`--serial`, one end of a
    /// socat pty pair); the suite opens the other end with System.IO.Ports as it opens a board's USB
    /// serial port, and provisions the lab's configuration over it. Captures, the peer cut, the
    /// rebinding switch and the IPv6 black hole act on wl-inet.
    /// </summary>
    public sealed class LinuxRouter : IRouterUnderTest, ILanSide, IUplinkSide
    {
        readonly TextWriter log;
        readonly RouterLab lab;
        bool started;
        Process router, pty, capture;
        SerialLine serial;
        int rebindPort = 30000;
        bool rebindRuleIn;

        public LinuxRouter(TextWriter log)
        {
            this.log = log;
            lab = new RouterLab(log);
        }

        public string Name { get { return "linux (warp-router --serial in the lab namespaces)"; } }

        public string SkipReason
        {
            get
            {
                if (!Shell.IsRoot) return "warp-router's lab needs root (network namespaces)";
                foreach (var tool in new[] { "wireguard-go", "wg", "ip", "dhclient", "dig", "curl", "ping", "tcpdump", "iptables", "ip6tables", "conntrack", "socat" })
                    if (!Shell.Has(tool)) return "the lab needs " + tool;
                return null;
            }
        }

        string Dir { get { return Path.Combine(lab.Work, "hil"); } }
        string RouterTty { get { return Path.Combine(Dir, "router-tty"); } }
        string BenchTty { get { return Path.Combine(Dir, "bench-tty"); } }
        /// <summary>The lab's configuration, as the bench provisions it.</summary>
        public string ConfigPath { get { return Path.Combine(lab.Work, "router.conf"); } }

        public void Start()
        {
            if (started) return;
            var report = new LabReport(log);
            if (!lab.Setup(report)) throw new InvalidOperationException("lab set-up failed");
            lab.StopRouter(); // the lab's own router (--config); this one starts from factory state instead
            Directory.CreateDirectory(Dir);
            StartPty();
            StartRouter();
            started = true;
            // Factory state: setup mode until a configuration arrives over the console.
            Provisioning.SendConfig(this, File.ReadAllLines(ConfigPath));
        }

        void StartPty()
        {
            File.Delete(RouterTty);
            File.Delete(BenchTty);
            pty = Shell.Start($"socat pty,raw,echo=0,link={RouterTty} pty,raw,echo=0,link={BenchTty}");
            for (int i = 0; i < 50 && !(File.Exists(RouterTty) && File.Exists(BenchTty)); i++) Thread.Sleep(100);
            if (!File.Exists(BenchTty)) throw new InvalidOperationException("socat made no pty pair");
            serial = new SerialLine(BenchTty, 115200);
        }

        void StartRouter()
        {
            string self = typeof(RouterLab).Assembly.Location;
            string dotnet = Environment.ProcessPath != null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : "dotnet";
            if (File.Exists(lab.ControlSocket)) File.Delete(lab.ControlSocket);
            string logFile = Path.Combine(Dir, "router.log");
            router = Shell.Start($"ip netns exec {RouterLab.RouterNs} {dotnet} {self} run --serial {RouterTty} --lan-interface wlr-lan --state {Dir}/state --control {lab.ControlSocket} --no-console >> {logFile} 2>&1");
            for (int i = 0; i < 100 && !File.Exists(lab.ControlSocket); i++)
            {
                if (router.HasExited) throw new InvalidOperationException("warp-router exited: " + File.ReadAllText(logFile));
                Thread.Sleep(100);
            }
            if (!File.Exists(lab.ControlSocket)) throw new InvalidOperationException("warp-router did not start: " + File.ReadAllText(logFile));
            // The serial console opens after the control socket, and setting the tty raw may drop what
            // was already written: ask until it answers.
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < 15000 && serial.Command("help", 1000).Count == 0) { }
            if (serial.Command("help", 2000).Count == 0) throw new InvalidOperationException("warp-router's serial console does not answer: " + File.ReadAllText(logFile));
        }

        static string Ns(string ns, string command) { return "ip netns exec " + ns + " " + command; }

        public List<string> Console(string command, int timeoutMs = 10000) { return serial.Command(command, timeoutMs); }

        /// <summary>`reboot` on the console: the host restarts the router core from its store, as the device restarts from flash.</summary>
        public void Reboot()
        {
            var answer = Console("reboot", 5000);
            if (!answer.Exists(l => l.StartsWith("ok reboot", StringComparison.Ordinal)))
                throw new InvalidOperationException("reboot: " + string.Join(" | ", answer));
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < 20000 && !Console("status -m", 3000).Exists(l => l.StartsWith("status ", StringComparison.Ordinal) || l.Contains("reason=no_router")))
                Thread.Sleep(200);
        }

        public bool CanPowerCycle { get { return true; } }

        /// <summary>SIGKILL and start again (nothing saved at exit, as a power cut), the serial line reopened.</summary>
        public void PowerCycle()
        {
            Shell.Run("kill -KILL " + router.Id, 5000, false);
            router.WaitForExit(5000);
            Shell.Stop(router);
            serial.Dispose();
            Shell.Stop(pty);
            StartPty();
            StartRouter();
        }

        /// <summary>The console's memory line: `heap` answers the managed heap in use after a full collection.</summary>
        public long MemoryInUse()
        {
            foreach (string l in Console("heap", 5000))
            {
                int i = l.IndexOf("heap: ", StringComparison.Ordinal), j = l.IndexOf(" B in use", StringComparison.Ordinal);
                if (i >= 0 && j > i) return long.Parse(l.Substring(i + 6, j - i - 6), System.Globalization.CultureInfo.InvariantCulture);
            }
            return -1;
        }

        /// <summary>VmRSS of the warp-router process (reported beside the heap, not judged).</summary>
        public long ResidentBytes()
        {
            string status = "/proc/" + router.Id + "/status";
            if (router.HasExited || !File.Exists(status)) return -1;
            foreach (string line in File.ReadAllLines(status))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Substring(6).Trim().Split(' ')[0]) * 1024;
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

        string CaptureFile { get { return Path.Combine(Dir, "uplink.pcap"); } }

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

        /// <summary>DROP in wl-inet's FORWARD for everything the peer sends the router (both families).</summary>
        public void CutPeer(bool cut)
        {
            string op = cut ? "-I" : "-D";
            Shell.Run(Ns(RouterLab.Inet, $"iptables {op} FORWARD -p udp -s {RouterLab.PeerUplinkV4} --sport {RouterLab.PeerPort} -j DROP"), 5000, cut);
            Shell.Run(Ns(RouterLab.Inet, $"ip6tables {op} FORWARD -p udp -s {RouterLab.PeerUplinkV6} --sport {RouterLab.PeerPort} -j DROP"), 5000, cut);
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
            if (router != null)
            {
                Shell.Run("kill -TERM " + router.Id, 5000, false);
                if (!router.WaitForExit(5000)) log.WriteLine("warp-router did not stop on SIGTERM within 5 s");
                Shell.Stop(router);
            }
            serial?.Dispose();
            Shell.Stop(pty);
            lab.TearDown();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Ports;
using System.Text;
using System.Threading;
using Warp.Router.Linux;

namespace Warp.Hil.Tests
{
    /// <summary>
    /// A real ESP32 running the router, on a serial port (System.IO.Ports). Everything is named by
    /// environment variables (README.md "Hardware-in-loop suite"):
    ///   WARP_HIL_SERIAL        the console's port (/dev/ttyUSB0, COM5); required
    ///   WARP_HIL_BAUD          115200 unless given
    ///   WARP_HIL_LAN_IF        the test machine's interface joined to the router's AP (or its Ethernet LAN); required
    ///   WARP_HIL_RESET         console (default: `reboot` on the console) or dtr (pulse EN through RTS, as esptool does)
    ///   WARP_HIL_POWER_CYCLE   a shell command that cuts and restores the board's power (a USB hub's uhubctl line); optional
    ///   WARP_HIL_UPLINK_IF     the interface on the test machine that carries the board's uplink towards the peer (captures); required for the kill switch
    ///   WARP_HIL_ORIGIN_NAME / _V4 / _V6 / _SHA256   the origin behind the peer serving /index.bin (defaults: the lab's)
    ///   WARP_HIL_PEER          the peer's wireguard-go interface name for `wg show` on this machine (endpoint checks)
    ///   WARP_HIL_CUT_PEER, WARP_HIL_UNCUT_PEER, WARP_HIL_REBIND, WARP_HIL_BLACKHOLE6, WARP_HIL_UNBLACKHOLE6
    ///                          shell commands for the switches on the uplink path; a scenario needing one that is unset is skipped
    /// Without WARP_HIL_SERIAL or WARP_HIL_LAN_IF, or when the port cannot be opened, every scenario is skipped with that reason.
    /// </summary>
    public sealed class BoardRouter : IRouterUnderTest, ILanSide, IUplinkSide
    {
        readonly TextWriter log;
        SerialLine port;
        Process capture;
        string skip;

        static string Env(string name, string fallback = null)
        {
            string v = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrEmpty(v) ? fallback : v;
        }

        public BoardRouter(TextWriter log)
        {
            this.log = log;
            if (Env("WARP_HIL_SERIAL") == null) skip = "no board: WARP_HIL_SERIAL is not set (README.md, Hardware-in-loop suite)";
            else if (Env("WARP_HIL_LAN_IF") == null) skip = "no LAN interface: WARP_HIL_LAN_IF is not set";
        }

        public string Name { get { return "board (" + Env("WARP_HIL_SERIAL", "no port") + ")"; } }
        public string SkipReason { get { return skip; } }

        public void Start()
        {
            if (port != null || skip != null) return;
            try
            {
                port = new SerialLine(Env("WARP_HIL_SERIAL"), int.Parse(Env("WARP_HIL_BAUD", "115200")));
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is InvalidOperationException)
            {
                skip = "the board's port " + Env("WARP_HIL_SERIAL") + " cannot be opened: " + e.Message;
                port = null;
            }
        }

        public List<string> Console(string command, int timeoutMs = 10000) { return port.Command(command, timeoutMs); }

        public void Reboot()
        {
            if (Env("WARP_HIL_RESET", "console") == "dtr")
            {
                port.PulseReset();
            }
            else
                port.Send("reboot");
            WaitForConsole(60000);
        }

        void WaitForConsole(int timeoutMs)
        {
            Thread.Sleep(3000);
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                if (Console("status -m", 3000).Exists(l => l.StartsWith("status ", StringComparison.Ordinal))) return;
                Thread.Sleep(1000);
            }
            throw new TimeoutException("the board's console did not answer within " + timeoutMs / 1000 + " s of the reset");
        }

        public bool CanPowerCycle { get { return Env("WARP_HIL_POWER_CYCLE") != null; } }

        public void PowerCycle()
        {
            Shell.Run(Env("WARP_HIL_POWER_CYCLE"), 60000);
            WaitForConsole(90000);
        }

        /// <summary>Heap in use from the board's `heap` line ("heap: N B free, budget M"): budget minus free.</summary>
        public long MemoryInUse()
        {
            foreach (string l in Console("heap", 5000))
            {
                int i = l.IndexOf("heap: ", StringComparison.Ordinal), j = l.IndexOf(" B free, budget ", StringComparison.Ordinal);
                if (i < 0 || j < 0) continue;
                long free = long.Parse(l.Substring(i + 6, j - i - 6));
                string rest = l.Substring(j + 16);
                int end = 0;
                while (end < rest.Length && char.IsDigit(rest[end])) end++;
                return long.Parse(rest.Substring(0, end)) - free;
            }
            return -1;
        }

        public ILanSide Lan { get { return this; } }
        public IUplinkSide Uplink { get { return this; } }

        // ---- LAN side: this machine's interface on the router's AP.
        public string Interface { get { return Env("WARP_HIL_LAN_IF"); } }
        public string RouterV4 { get { return Env("WARP_HIL_ROUTER_V4", "192.168.42.1"); } }
        public string RouterV6 { get { return Env("WARP_HIL_ROUTER_V6", "fd42:4242:4242::1"); } }

        public string Run(string command, int timeoutMs = 30000)
        {
            return Shell.Run("sh -c '" + command.Replace("{if}", Interface).Replace("'", "'\\''") + "'", timeoutMs, false);
        }

        public string Lease()
        {
            Run("dhclient -x {if} 2>/dev/null; ip -4 addr flush dev {if}", 20000);
            Run("timeout 30 dhclient -4 -1 -pf /tmp/warp-hil-dhclient.pid -lf /tmp/warp-hil.leases {if}", 40000);
            string addr = Run("ip -4 -o addr show dev {if}", 5000);
            int i = addr.IndexOf("inet ", StringComparison.Ordinal);
            return i < 0 ? "" : addr.Substring(i + 5, addr.IndexOf('/', i) - i - 5);
        }

        // ---- uplink side
        public string OriginName { get { return Env("WARP_HIL_ORIGIN_NAME", "origin.lab"); } }
        public string OriginV4 { get { return Env("WARP_HIL_ORIGIN_V4", "198.18.0.80"); } }
        public string OriginV6 { get { return Env("WARP_HIL_ORIGIN_V6", "2001:db8:80::80"); } }
        public string OriginSha256 { get { return Env("WARP_HIL_ORIGIN_SHA256", ""); } }

        public void StartCapture()
        {
            string dev = Env("WARP_HIL_UPLINK_IF") ?? throw new SkipException("WARP_HIL_UPLINK_IF is not set: no capture point on the uplink");
            File.Delete("/tmp/warp-hil-uplink.pcap");
            capture = Shell.Start("tcpdump -i " + dev + " -U -n -w /tmp/warp-hil-uplink.pcap");
            Thread.Sleep(1000);
        }

        public string StopCapture()
        {
            if (capture == null) return "";
            Shell.Run("kill -INT " + capture.Id, 5000, false);
            capture.WaitForExit(5000);
            Shell.Stop(capture);
            capture = null;
            return Shell.Run("tcpdump -nn -r /tmp/warp-hil-uplink.pcap", 20000, false);
        }

        static void Hook(string name)
        {
            string cmd = Env(name) ?? throw new SkipException(name + " is not set: this bench has no such switch");
            Shell.Run(cmd, 30000);
        }

        public void CutPeer(bool cut) { Hook(cut ? "WARP_HIL_CUT_PEER" : "WARP_HIL_UNCUT_PEER"); }
        public int Rebind() { Hook("WARP_HIL_REBIND"); return -1; }
        public void BlackholeIpv6(bool on) { Hook(on ? "WARP_HIL_BLACKHOLE6" : "WARP_HIL_UNBLACKHOLE6"); }

        public string PeerSeesRouterAt()
        {
            string peer = Env("WARP_HIL_PEER");
            if (peer == null) return "";
            string s = Shell.Run("wg show " + peer + " endpoints", 5000, false).Trim();
            int tab = s.IndexOf('\t');
            return tab < 0 ? "" : s.Substring(tab + 1).Trim();
        }

        public void Dispose()
        {
            if (capture != null) StopCapture();
            port?.Dispose();
        }
    }

    /// <summary>Thrown where a bench lacks what a scenario needs; the scenario is reported skipped with the message.</summary>
    public sealed class SkipException : Exception
    {
        public SkipException(string message) : base(message) { }
    }
}

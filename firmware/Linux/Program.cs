using System;
using System.IO;
using Warp.Firmware;

namespace Warp.Router.Linux
{
    /// <summary>
    /// warp-router: the travel router's firmware on Linux.
    /// <code>
    ///   warp-router run (--config FILE | --serial PATH) [--lan-interface IF | --tap NAME] [--state DIR] [--control PATH] [--no-console] [--uplink IF ...] [--no-batch] [--no-gso] [--no-gro] [--no-vnet-hdr] [--tap-queue N] [--lan-ring-mib N] [--fast-path native|managed] [--portal-url URL|off]
    ///   warp-router lab [--keep] [--throughput [--runs N] [--compare-gso] [--compare ARGS ...] | --portal]
    ///   warp-router config check FILE
    ///   warp-router register --out FILE [--account FILE] [--api URL] [--timeout SECONDS]
    ///   warp-router lab --edge ecmp|clientid [--no-client-id] [--rebind SECONDS] [--measure SECONDS] [--keep]
    ///   warp-router status|nat|leases|counters [-m] [--control PATH]
    ///   warp-router config [--control PATH]
    ///   warp-router help | --help | -h
    /// </code>
    /// `help` prints this usage without touching a socket; the console's own `help` (on stdin or
    /// through the control socket) lists the console commands.
    /// </summary>
    public static class Program
    {
        const string Usage =
            "usage:\n" +
            "  warp-router run (--config FILE | --serial PATH) [--lan-interface IF | --tap NAME] [--state DIR] [--control PATH] [--no-console] [--uplink IF ...] [--no-batch] [--no-gso] [--no-gro] [--no-vnet-hdr] [--tap-queue N] [--lan-ring-mib N] [--fast-path native|managed] [--portal-url URL|off] [--web-sizes N,RECEIVE,SEND] [--serial PATH] [--drop-dir DIR]\n" +
            "      run the router: LAN on an existing interface (raw socket) or a TAP device, uplink over UDP;\n" +
            "      --uplink IF (repeated): race over each of these interfaces (default: the routing table's choice);\n" +
            "      --no-batch: one packet per system call and default socket buffers (batches of 32 otherwise);\n" +
            "      --no-gso: batches without UDP GSO on the uplink; --no-gro: without UDP GRO on its receive;\n" +
            "      --no-vnet-hdr: a TAP LAN without IFF_VNET_HDR offloads (checksum, TSO); --tap-queue N: its txqueuelen\n" +
            "      (default 10000 with batches, 0: the kernel's 500); --lan-ring-mib N: the raw LAN\n" +
            "      socket's TPACKET_V3 ring (4-256 MiB, default 32);\n" +
            "      --portal-url URL|off: the captive-portal probe (default http://connectivitycheck.gstatic.com/generate_204)\n" +
            "      --serial PATH: the console (provisioning commands included) on a tty; a configuration stored\n" +
            "      over a console (state directory, record \"config\") comes before --config; with neither: setup mode\n" +
            "      --drop-dir DIR: stands in for the ESP32's internal drive: DIR/warp-provision.txt (flash.ps1's file)\n" +
            "      is imported at start and while running, applied only when clean, then overwritten and removed\n" +
            "  warp-router config check FILE\n" +
            "      check a configuration with the firmware's parser: every error and warning with its line\n" +
            "  warp-router register --out FILE [--account FILE] [--api URL] [--timeout SECONDS]\n" +
            "      register with WARP: a key pair made here, the account's config written to FILE (owner-only),\n" +
            "      the account id and token to --account (default FILE.account, owner-only)\n" +
            "  warp-router lab [--keep] [--throughput [--runs N] [--compare-gso] [--peer-buffers BYTES|default] [--compare-peer-buffers] [--compare ARGS ...] [--download]] [--peer wireguard-go|warp] | --portal\n" +
            "      build the network-namespace lab (LAN client, router, internet hop, wireguard-go peer with\n" +
            "      an origin web and DNS server), run the scenario, print the results, tear it down (root);\n" +
            "      --portal: a hotel captive portal on the internet hop and a phone that logs in; the router\n" +
            "      reports it, clones the phone's MAC, runs the scenario through the clone, restores its MAC\n" +
            "      --compare ARGS: one more router per run, warp-router run with ARGS (e.g. \"--no-gro\", \"--lan-ring-mib 4\",\n" +
            "      \"--tap wlr-tap\": the LAN on a TAP bridged to the LAN veth, the client's TSO on; repeatable);\n" +
            "      --download: also TCP with 1 stream from the origin to the client (iperf3 -R)\n" +
            "      --peer warp: warp-router peer (the lab's responder) at the far end in place of wireguard-go\n" +
            "  warp-router lab --edge ecmp|clientid [--no-client-id] [--rebind SECONDS] [--measure SECONDS] [--keep]\n" +
            "      the same with a WARP-like edge in the peer's place: a front (warp-edge) on UDP 2408 and three\n" +
            "      wireguard-go backends sharing one key, routed by 4-tuple (ecmp) or client id; the router's\n" +
            "      config has ClientId unless --no-client-id; --rebind: the internet hop's NAT rebinds every\n" +
            "      SECONDS; --measure: ping 5/s and iperf3 for SECONDS with rebindings (default every 10 s)\n" +
            PeerServer.Usage +
            "  warp-router status|nat|leases|counters|provision [-m] [--control PATH]\n" +
            "  warp-router config|race [--control PATH]\n" +
            "  warp-router portal [probe | clone MAC | restore] [-m] [--control PATH]\n" +
            "      the captive portal: state and MAC clone; probe now; give the uplink a device's MAC; restore the own one\n" +
            "      ask a running router through its control socket (default /run/warp-router.sock);\n" +
            "      -m: the machine-readable form, one record per line (README.md, \"Console: machine-readable form\")\n" +
            "  warp-router help | --help | -h\n" +
            "      this usage\n";

        public static int Main(string[] args)
        {
            if (args.Length == 0 || args[0] == "help" || args[0] == "--help" || args[0] == "-h")
            {
                Console.Write(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            try
            {
                switch (args[0])
                {
                    case "run": return Run(args);
                    case "lab": return LabCommand(args);
                    case "peer": return PeerServer.Command(args, Option, Options, Flag);
                    case "status":
                    case "nat":
                    case "leases":
                    case "counters":
                    case "provision":
                        return RouterHost.Query(ControlPath(args), Flag(args, ConsoleRecord.Flag) ? args[0] + " " + ConsoleRecord.Flag : args[0], Console.Out, Console.Error);
                    case "config":
                        if (args.Length > 1 && args[1] == "check")
                            return ConfigCheck(args, Console.Out);
                        return RouterHost.Query(ControlPath(args), args[0], Console.Out, Console.Error);
                    case "register":
                        return WarpRegistration.Command(args, Console.Out, Console.Error);
                    case "race":
                        return RouterHost.Query(ControlPath(args), args[0], Console.Out, Console.Error);
                    case "portal":
                        return RouterHost.Query(ControlPath(args), PortalLine(args), Console.Out, Console.Error);
                    default:
                        Console.Error.WriteLine("warp-router: unknown command '" + args[0] + "'");
                        Console.Error.Write(Usage);
                        return 2;
                }
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine("warp-router: " + e.Message);
                return 2;
            }
        }

        /// <summary>"portal", "portal probe", "portal clone MAC", "portal restore" or "portal -m" from the arguments (--control PATH left out).</summary>
        static string PortalLine(string[] args)
        {
            var words = new System.Collections.Generic.List<string>();
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--control") { i++; continue; }
                words.Add(args[i]);
            }
            return string.Join(" ", words);
        }

        static string ControlPath(string[] args) { return Option(args, "--control") ?? new RunOptions().ControlSocket; }

        static string Option(string[] args, string name)
        {
            for (int i = 1; i < args.Length - 1; i++)
                if (args[i] == name)
                    return args[i + 1];
            return null;
        }

        static string[] Options(string[] args, string name)
        {
            var all = new System.Collections.Generic.List<string>();
            for (int i = 1; i < args.Length - 1; i++)
                if (args[i] == name)
                    all.Add(args[i + 1]);
            return all.ToArray();
        }

        static bool Flag(string[] args, string name) { return Array.IndexOf(args, name) > 0; }

        static int Seconds(string[] args, string name)
        {
            string v = Option(args, name);
            if (v == null) return 0;
            if (!int.TryParse(v, out int s) || s < 1 || s > 3600)
                throw new ArgumentException(name + " needs a number of seconds (1-3600)");
            return s;
        }

        static int Run(string[] args)
        {
            var o = new RunOptions
            {
                ConfigPath = Option(args, "--config"),
                Serial = Option(args, "--serial"),
                LanInterface = Option(args, "--lan-interface"),
                Tap = Option(args, "--tap"),
                Console = !Flag(args, "--no-console"),
                Uplinks = Options(args, "--uplink"),
                Batch = !Flag(args, "--no-batch"),
                Gso = !Flag(args, "--no-gso"),
                Gro = !Flag(args, "--no-gro"),
                VnetHdr = !Flag(args, "--no-vnet-hdr"),
                FastPath = Option(args, "--fast-path"),
                FastPathLibrary = Option(args, "--fast-path-library"),
                PortalUrl = Option(args, "--portal-url"),
                DropDirectory = Option(args, "--drop-dir"),
                WebSizes = Option(args, "--web-sizes"),
            };
            string tapQueue = Option(args, "--tap-queue");
            if (tapQueue != null)
            {
                if (!int.TryParse(tapQueue, out int q) || q < 0 || q > 1000000)
                    throw new ArgumentException("--tap-queue needs a number of frames (0: the kernel's)");
                o.TapQueue = q;
            }
            string ringMib = Option(args, "--lan-ring-mib");
            if (ringMib != null)
            {
                if (!int.TryParse(ringMib, out int mib) || mib < 4 || mib > 256)
                    throw new ArgumentException("--lan-ring-mib needs a number of MiB (4-256)");
                o.LanRingBytes = (long)mib << 20;
            }
            o.StateDirectory = Option(args, "--state") ?? o.StateDirectory;
            o.ControlSocket = Option(args, "--control") ?? o.ControlSocket;
            if (o.ConfigPath == null && o.Serial == null && o.DropDirectory == null)
                throw new ArgumentException("run needs --config FILE, --serial PATH or --drop-dir DIR");
            using var host = new RouterHost(o);
            host.ImportProvisionFile(new RouterHost.WriterOutput(Console.Error));
            var settings = host.LoadStartSettings(new RouterHost.WriterOutput(Console.Error), out bool none);
            if (settings == null && o.Serial == null && o.DropDirectory == null)
                return 1;
            try
            {
                if (settings != null)
                    host.Start(settings, Console.Out);
                else
                    host.StartSetup(Console.Out); // the serial console can provision it
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Net.Sockets.SocketException || e is ArgumentException || e is InvalidOperationException)
            {
                Console.Error.WriteLine("warp-router: cannot start: " + e.Message);
                return 1;
            }
            Console.Out.Flush();
            host.Run(Console.Out);
            return 0;
        }

        /// <summary>
        /// `warp-router config check FILE`: the firmware's parser over the file; each warning and error
        /// with its line, then "ok config ..." (exit 0) or "error config reason=invalid errors=N line=N" (exit 1).
        /// </summary>
        public static int ConfigCheck(string[] args, TextWriter output)
        {
            if (args.Length != 3)
                throw new ArgumentException("usage: warp-router config check FILE");
            string path = args[2];
            if (!File.Exists(path))
            {
                output.WriteLine("error config reason=not_found" + ConsoleRecord.Field("file", path));
                return 1;
            }
            byte[] data = File.ReadAllBytes(path);
            try
            {
                var d = new Warp.Protocol.Config.ConfigDiagnostics();
                var s = RouterConfig.Load(data, 0, data.Length, RouterHost.Sizes, d);
                RouterConfig.Report(d, path, new RouterHost.WriterOutput(output));
                if (s == null)
                {
                    output.WriteLine("error config reason=invalid" + ConsoleRecord.Field("errors", d.ErrorCount)
                        + ConsoleRecord.Field("line", d.StoredErrorCount > 0 ? d.Error(0).Line : 0));
                    return 1;
                }
                s.ClearSecrets();
                int lines = 0;
                foreach (byte b in data) if (b == (byte)'\n') lines++;
                if (data.Length > 0 && data[data.Length - 1] != (byte)'\n') lines++;
                output.WriteLine("ok config" + ConsoleRecord.Field("file", path) + ConsoleRecord.Field("lines", lines) + ConsoleRecord.Field("warnings", d.WarningCount));
                return 0;
            }
            finally
            {
                Array.Clear(data);
            }
        }

        static int LabCommand(string[] args)
        {
            var lab = new Lab(Console.Out) { Keep = Flag(args, "--keep"), MeasureThroughput = Flag(args, "--throughput"), CompareGso = Flag(args, "--compare-gso"), Portal = Flag(args, "--portal") };
            if (lab.Portal && (lab.MeasureThroughput || Option(args, "--edge") != null))
                throw new ArgumentException("--portal goes alone (with --keep at most)");
            if (Option(args, "--runs") != null)
            {
                if (!lab.MeasureThroughput || !int.TryParse(Option(args, "--runs"), out int runs) || runs < 1 || runs > 20)
                    throw new ArgumentException("--runs N (1-20) goes with --throughput");
                lab.ThroughputRuns = runs;
            }
            lab.ComparePeerBuffers = Flag(args, "--compare-peer-buffers");
            lab.Download = Flag(args, "--download");
            string peerKind = Option(args, "--peer");
            if (peerKind != null)
            {
                if (peerKind != Lab.PeerWarp && peerKind != Lab.PeerWireGuardGo)
                    throw new ArgumentException("--peer is wireguard-go (the default) or warp (warp-router peer)");
                lab.PeerKind = peerKind;
            }
            if (lab.Download && !lab.MeasureThroughput)
                throw new ArgumentException("--download goes with --throughput");
            foreach (string extra in Options(args, "--compare"))
            {
                if (!lab.MeasureThroughput || extra.Trim().Length == 0)
                    throw new ArgumentException("--compare ARGS (warp-router run's arguments) goes with --throughput");
                lab.CompareArguments.Add(extra.Trim());
            }
            string buffers = Option(args, "--peer-buffers");
            if (buffers != null)
            {
                if (!lab.MeasureThroughput || (buffers != "default" && (!int.TryParse(buffers, out int bytes) || bytes < 65536 || bytes > 64 << 20)))
                    throw new ArgumentException("--peer-buffers BYTES (65536-67108864) or default goes with --throughput");
                lab.PeerBufferBytes = buffers == "default" ? 0 : int.Parse(buffers);
            }
            string edge = Option(args, "--edge");
            if (edge != null)
            {
                if (edge != "ecmp" && edge != "clientid")
                    throw new ArgumentException("--edge is ecmp or clientid");
                if (lab.MeasureThroughput)
                    throw new ArgumentException("--throughput compares with a single wireguard-go peer: not with --edge");
                if (lab.PeerKind == Lab.PeerWarp)
                    throw new ArgumentException("--peer warp replaces the single peer: not with --edge");
                lab.Edge = edge;
                lab.RouterClientId = Flag(args, "--no-client-id") ? 0 : Lab.LabClientId;
                lab.RebindEverySeconds = Seconds(args, "--rebind");
                lab.MeasureSeconds = Seconds(args, "--measure");
            }
            else if (Flag(args, "--rebind") || Flag(args, "--measure") || Flag(args, "--no-client-id"))
                throw new ArgumentException("--rebind, --measure and --no-client-id go with --edge");
            LabReport report = lab.Run();
            return report.AllPassed ? 0 : 1;
        }
    }
}

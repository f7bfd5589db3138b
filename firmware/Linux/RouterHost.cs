using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Warp.Firmware;
using Warp.Hal;
using Warp.Hal.Linux;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.WireGuard;

namespace Warp.Router.Linux
{
    /// <summary>Options of `warp-router run`.</summary>
    public sealed class RunOptions
    {
        public string ConfigPath;
        /// <summary>An existing interface for the LAN (AF_PACKET); else <see cref="Tap"/> or the config's LanInterface as a TAP.</summary>
        public string LanInterface;
        public string Tap;
        public string StateDirectory = "/var/lib/warp-router";
        public string ControlSocket = "/run/warp-router.sock";
        public bool Console = true;
        /// <summary>Uplink interfaces (--uplink, repeated); empty: one uplink, the routing table's choice.</summary>
        public string[] Uplinks = new string[0];
        /// <summary>Batches on both sides (RouterSizes.Batch, recvmmsg/sendmmsg, sized socket buffers); --no-batch: a packet per call, as before.</summary>
        public bool Batch = true;
        /// <summary>UDP GSO on the uplink when batching (--no-gso: sendmmsg only).</summary>
        public bool Gso = true;
        /// <summary>The raw LAN socket's TPACKET_V3 ring in bytes (--lan-ring-mib N; hal/Linux/PacketRing.cs).</summary>
        public long LanRingBytes = Warp.Hal.Linux.PacketRing.DefaultBytes;
        /// <summary>UDP GRO on the uplink's receive when batching (--no-gro: off).</summary>
        public bool Gro = true;
        /// <summary>A TAP LAN with IFF_VNET_HDR offloads (checksum, TSO) when the kernel has them (--no-vnet-hdr: plain frames).</summary>
        public bool VnetHdr = true;
        /// <summary>A TAP LAN's txqueuelen (--tap-queue N; 0: the kernel's, 500); -1: <see cref="TapLanPort.BatchTxQueueFrames"/> with batches.</summary>
        public int TapQueue = -1;
        /// <summary>--fast-path native: established flows through hal/Esp32/native's C (libwarp_native.so, build/native.sh), as on the ESP32.</summary>
        public string FastPath;
        /// <summary>--fast-path-library: the shared library's path (default: where build/native.sh leaves it).</summary>
        public string FastPathLibrary;
        /// <summary>The captive-portal probe URL (--portal-url); null: the default (PortalDetector.DefaultUrl); "off": no probe.</summary>
        public string PortalUrl;
        /// <summary>--web-sizes CONNECTIONS,RECEIVE,SEND: the setup page's sizes instead of the Linux host's (a board's, for tests).</summary>
        public string WebSizes;
        /// <summary>A tty for the serial console (--serial), provisioning commands included; null: none.</summary>
        public string Serial;
        /// <summary>A directory standing in for the ESP32's internal drive (--drop-dir): a provisioning file there (ProvisionFile.FileName) is imported at start and while running, then wiped.</summary>
        public string DropDirectory;
    }

    /// <summary>
    /// The Linux host of the <see cref="Warp.Firmware.Router"/>: builds it from a config file,
    /// opens the LAN port, the uplink sockets and the control socket, and runs the loop: poll the
    /// descriptors until I/O or the router's next deadline, Router.Poll, answer console commands.
    /// SIGINT and SIGTERM stop it cleanly (secrets cleared, sockets closed, control socket removed).
    /// </summary>
    public sealed partial class RouterHost : IDisposable
    {
        readonly RunOptions options;
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly ConcurrentQueue<(string Line, IConsoleOutput Output)> consoleLines = new ConcurrentQueue<(string, IConsoleOutput)>();
        ILanPort lan;
        int lanFd = -1;
        UdpUplink uplink;
        LinuxPortalProbe portalProbe;
        ControlServer control;
        InstanceLock stateLock, interfaceLock;
        LanLockdown lockdown;
        public Warp.Firmware.Router Router { get; private set; }
        volatile bool stopping;

        public RouterHost(RunOptions options) { this.options = options; }

        public long Now { get { return clock.ElapsedMilliseconds; } }

        /// <summary>The board profile of a Linux host.</summary>
        public static readonly RouterSizes Sizes = RouterSizes.LinuxHost();

        /// <summary>Reads the config file and hands it to the shared loader; every warning and error is printed with its line. Null on errors.</summary>
        public static RouterSettings LoadSettings(string path, TextWriter errors)
        {
            byte[] data;
            if (!File.Exists(path))
            {
                errors.WriteLine("warp-router: config file not found: " + path);
                return null;
            }
            try
            {
                data = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                errors.WriteLine("warp-router: cannot read config file " + path + ": " + e.Message);
                return null;
            }
            string readable = HostFiles.ReadableConfigWarning(path);
            if (readable != null)
                errors.WriteLine(readable);
            return RouterBoot.LoadConfig(data, 0, data.Length, path, Sizes, new WriterOutput(errors), null);
        }

        /// <summary>
        /// One instance per state directory and per LAN interface (in this network namespace): taken
        /// before anything is touched, so a second `run` exits with a clear message and changes nothing.
        /// </summary>
        void TakeLocks(string lanName)
        {
            string holder;
            if (stateLock == null)
                stateLock = InstanceLock.TryTake(Path.Combine(options.StateDirectory, "lock"), out holder);
            else
                holder = null;
            if (stateLock == null)
                throw new InvalidOperationException("another warp-router" + (string.IsNullOrEmpty(holder) ? "" : " (pid " + holder + ")")
                    + " is running with the state directory " + options.StateDirectory);
            if (lanName == null)
            {
                HostFiles.SecureStateDirectory(options.StateDirectory);
                return; // setup mode: no LAN yet
            }
            string run = Directory.Exists("/run/lock") ? "/run/lock" : Path.GetTempPath();
            interfaceLock = InstanceLock.TryTake(Path.Combine(run, "warp-router." + lanName + "." + HostFiles.NetworkNamespaceId() + ".lock"), out holder);
            if (interfaceLock == null)
                throw new InvalidOperationException("another warp-router" + (string.IsNullOrEmpty(holder) ? "" : " (pid " + holder + ")")
                    + " is running on the LAN interface " + lanName);
            HostFiles.SecureStateDirectory(options.StateDirectory);
        }

        public void Start(RouterSettings settings, TextWriter log)
        {
            string lanName = options.LanInterface ?? options.Tap ?? settings.Lan.LanInterface;
            TakeLocks(lanName);
            WebAdmin web = keptWeb;
            keptWeb = null;
            OpenAndBuild(settings, lanName, log, web);
            OpenControlSocket(log);
        }

        /// <summary>The setup page handed from a router the page restarted to the next one (its sessions survive).</summary>
        WebAdmin keptWeb;

        /// <summary>Opens the LAN port (with the MAC the settings give) and the uplink, and builds the router; a restart hands over the setup page.</summary>
        void OpenAndBuild(RouterSettings settings, string lanName, TextWriter log, WebAdmin web)
        {
            byte[] mac = RouterConfig.RouterMac(settings);
            if (options.LanInterface != null)
            {
                var p = new PacketSocketLanPort(options.LanInterface, mac, options.Batch, true, options.LanRingBytes);
                lan = p;
                lanFd = p.Fd;
                log.WriteLine("LAN: interface " + options.LanInterface + " (raw socket), router MAC " + FormatMac(mac));
            }
            else
            {
                var t = new TapLanPort(lanName, mac, options.VnetHdr && options.Batch, options.TapQueue >= 0 ? options.TapQueue : options.Batch ? TapLanPort.BatchTxQueueFrames : 0);
                lan = t;
                lanFd = t.Fd;
                log.WriteLine("LAN: TAP device " + lanName + ", router MAC " + FormatMac(mac)
                    + (t.TxQueueFrames > 0 ? ", txqueuelen " + t.TxQueueFrames : "")
                    + (t.VnetHeader ? ", IFF_VNET_HDR with offloads 0x" + t.Offloads.ToString("x") + " (1 checksum, 2 TSO4, 4 TSO6, 8 ECN)" : ", plain frames"));
            }
            if (lockdown == null)
                lockdown = LanLockdown.Apply(lanName, log, LanLockdown.StateFileFor(options.StateDirectory, lanName)); // the host's kernel stays off the LAN: no path around the tunnel
            uplink = new UdpUplink(settings.Interface.ListenPort, options.Uplinks, options.Batch, options.Gro);
            if (!options.Gso)
                uplink.Gso = false;
            log.WriteLine("uplink: UDP port " + uplink.LocalPort + (uplink.V4 != null ? " IPv4" : "") + (uplink.V6 != null ? " IPv6" : "")
                + (options.Uplinks.Length > 0 ? " on " + string.Join(", ", options.Uplinks) : ""));
            RouterSizes sizes = Sizes;
            if (!options.Batch || options.WebSizes != null)
            {
                sizes = RouterSizes.LinuxHost();
                if (!options.Batch)
                    sizes.Batch = 1;
            }
            if (options.WebSizes != null)
            {
                string[] w = options.WebSizes.Split(',');
                if (w.Length != 3 || !int.TryParse(w[0], out sizes.WebConnections) || !int.TryParse(w[1], out sizes.WebReceiveBuffer) || !int.TryParse(w[2], out sizes.WebSendBuffer))
                    throw new ArgumentException("--web-sizes needs CONNECTIONS,RECEIVE,SEND");
                log.WriteLine("setup page: " + sizes.WebConnections + " connection(s), receive " + sizes.WebReceiveBuffer + " B, send " + sizes.WebSendBuffer + " B (--web-sizes)");
            }
            log.WriteLine(options.Batch
                ? "I/O: batches of " + sizes.Batch + ", LAN " + (lan is PacketSocketLanPort ps && ps.UsesRing ? "TPACKET_V3 ring of " + (ps.RingBytes >> 20) + " MiB" : lan is PacketSocketLanPort ? "recvmmsg" : lan is TapLanPort tp && tp.VnetHeader ? "TAP reads with TSO super-frames cut here" : "TAP reads")
                  + ", uplink recvmmsg/sendmmsg" + (uplink.Gso ? " with UDP GSO" : "") + (uplink.Gro ? (uplink.Gso ? " and GRO" : " with UDP GRO") : "") + ", socket buffers " + (uplink.ReceiveBufferBytes / 1024) + " KiB"
                : "I/O: one packet per call (--no-batch), default socket buffers");
            kernelCounters = new KernelCounters(lan as PacketSocketLanPort, lan is TapLanPort ? lanName : null, uplink, lan as TapLanPort);
            var platform = new RouterPlatform
            {
                Lan = lan,
                Uplink = uplink,
                Crypto = new LinuxCryptoBackend(),
                Random = new SystemRandomSource(),
                Store = new FileSettingsStore(options.StateDirectory),
                Monitor = new InterfaceUplinkMonitor(lanName),
                Indicator = new LogIndicator(log),
                Resolver = new SystemHostResolver(),
                UplinkSetup = new LinuxUplinkSetup(options.Uplinks),
                Web = web,
                // Captive portals: the probe and the MAC clone act on the first --uplink, else the default route's interface.
                PortalProbe = options.PortalUrl == "off" ? null : portalProbe = new LinuxPortalProbe(options.Uplinks.Length > 0 ? options.Uplinks[0] : null),
                UplinkMac = new LinuxUplinkMac(options.Uplinks.Length > 0 ? options.Uplinks[0] : null),
            };
            if (options.FastPath == "native")
            {
                string library = options.FastPathLibrary ?? NativeLibraryFastPath.Find(RepositoryRoot())
                    ?? throw new InvalidOperationException("--fast-path native needs libwarp_native.so (build/native.sh, or --fast-path-library PATH)");
                NativeLibraryFastPath.Load(library);
                fastPath = new NativeLibraryFastPath(sizes.FastPathFlows, (uint)Environment.TickCount);
                platform.FastPath = fastPath;
                log.WriteLine("fast path: native (" + library + "), " + Sizes.FastPathFlows + " flows");
            }
            else if (options.FastPath != null && options.FastPath != "managed")
            {
                throw new ArgumentException("--fast-path takes native or managed");
            }
            Router = RouterBoot.Start(settings, sizes, platform, new WriterOutput(log), Now, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (Router == null)
                throw new InvalidOperationException("the configuration cannot make a router (see above)");
            Router.Events.Attach(new StderrEvents(Router, System.Console.Error)); // with what start-up recorded (lease-store damage)
            if (options.PortalUrl != null && options.PortalUrl != "off" && !Router.Portal.SetUrl(options.PortalUrl))
                throw new ArgumentException("--portal-url must be http://host[:port][/path]: " + options.PortalUrl);
        }

        /// <summary>
        /// The setup page imported a configuration: it replaces the config file (mode 0600), and the
        /// router is rebuilt with it in this process (new MAC and keys, same LAN interface, state
        /// directory, control socket and setup page: its sessions survive).
        /// </summary>
        void RestartWithImportedConfig(TextWriter log)
        {
            byte[] text = Router.ImportedConfig; // already stored as the "config" record, which a start reads first
            var settings = RouterBoot.LoadConfig(text, 0, text.Length, "imported", Sizes, new WriterOutput(log), null);
            if (settings == null)
            {
                Array.Clear(text);
                return; // checked by the page before; nothing changes
            }
            if (options.ConfigPath != null)
            {
                string tmp = options.ConfigPath + ".new";
                File.WriteAllBytes(tmp, text);
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.Move(tmp, options.ConfigPath, true);
            }
            Array.Clear(text);
            log.WriteLine("warp-router: configuration imported from the setup page; restarting the router");
            keptWeb = Router.Web;
            RestartCore(new WriterOutput(log));
        }

        NativeLibraryFastPath fastPath;

        /// <summary>The repository this binary was built in (the directory with Warp.Firmware.sln above it), or the working directory.</summary>
        static string RepositoryRoot()
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null && !File.Exists(Path.Combine(d.FullName, "Warp.Firmware.sln")))
                d = d.Parent;
            return d?.FullName ?? Directory.GetCurrentDirectory();
        }

        void OpenControlSocket(TextWriter log)
        {
            if (control == null)
                control = ControlServer.Open(options.ControlSocket, log);
        }

        /// <summary>Runs until SIGINT/SIGTERM or <see cref="Stop"/>.</summary>
        public void Run(TextWriter output)
        {
            // The handler runs on another thread; it wakes the loop's poll() through an eventfd, so a
            // stop does not wait out the poll's timeout (up to 100 ms).
            wakeFd = eventfd(0, EfdNonBlock | EfdCloexec);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Stop(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Stop(); });
            var console = new WriterOutput(output);
            if (options.Console)
                StartConsoleReader(console);
            StartSerial(output);
            while (!stopping)
            {
                long now = Now;
                Router?.Poll(now);
                while (consoleLines.TryDequeue(out var entry))
                {
                    ExecuteConsole(entry.Line, entry.Output);
                    output.Flush();
                }
                ServiceProvisioning(output);
                control?.Service(Now, executeControl ??= ExecuteControl);
                if (Router != null && Router.RestartRequested)
                    RestartWithImportedConfig(output);
                long wait = Router == null ? 100 : Router.NextDeadline(Now) - Now;
                Wait(wait < 0 ? 0 : wait > 100 ? 100 : (int)wait);
            }
            output.WriteLine("warp-router: stopping");
            int w = wakeFd;
            wakeFd = -1;
            if (w >= 0) Libc.close(w);
        }

        /// <summary>Ends <see cref="Run"/> at once (from any thread): the loop's poll() is woken.</summary>
        public unsafe void Stop()
        {
            stopping = true;
            int fd = wakeFd;
            if (fd >= 0)
            {
                ulong one = 1;
                Libc.write(fd, (byte*)&one, 8);
            }
        }

        const int EfdNonBlock = 0x800, EfdCloexec = 0x80000;
        [DllImport("libc", SetLastError = true)] static extern int eventfd(uint initval, int flags);
        volatile int wakeFd = -1;

        void StartConsoleReader(IConsoleOutput console)
        {
            var t = new Thread(() =>
            {
                try
                {
                    string line;
                    while ((line = System.Console.In.ReadLine()) != null)
                        consoleLines.Enqueue((line, console));
                }
                catch (IOException) { }
            });
            t.IsBackground = true;
            t.Start();
        }

        Action<string, IConsoleOutput> executeControl;
        CounterSet[] hostCounterSets;

        /// <summary>The host's own counters, listed by `counters` after the router's: the control socket's, then the kernel's (read anew on each use).</summary>
        CounterSet[] HostCounterSets
        {
            get
            {
                kernelCounters?.Refresh();
                if (hostCounterSets != null) return hostCounterSets;
                var sets = new System.Collections.Generic.List<CounterSet>();
                if (control != null) sets.Add(control.Counters);
                if (kernelCounters != null) sets.Add(kernelCounters);
                return hostCounterSets = sets.ToArray();
            }
        }
        KernelCounters kernelCounters;

        void ExecuteControl(string line, IConsoleOutput o)
        {
            if (ProvisionFileCommand(line, o))
                return;
            if (Router == null)
                NoRouter(line, o);
            else
                RouterConsole.Execute(Router, line, Now, o, HostCounterSets);
            ProvisionFileStatus(line, o);
        }

        /// <summary>Sleeps until a LAN frame, an uplink datagram or control-socket activity, or the timeout.</summary>
        unsafe void Wait(int timeoutMs)
        {
            const int maxUplinkFds = 16;
            Libc.PollFd* fds = stackalloc Libc.PollFd[2 + maxUplinkFds + ControlServer.MaxPollFds];
            int n = 0;
            if (wakeFd >= 0) fds[n++] = new Libc.PollFd { Fd = wakeFd, Events = Libc.POLLIN };
            if (lanFd >= 0) fds[n++] = new Libc.PollFd { Fd = lanFd, Events = Libc.POLLIN };
            if (uplink != null)
            foreach (var s in uplink.Sockets)
                if (n < 2 + maxUplinkFds)
                    fds[n++] = new Libc.PollFd { Fd = (int)s.Handle, Events = Libc.POLLIN };
            if (control != null) n = control.AddPollFds(fds, n);
            // Frames already read but not yet handed over (a TAP super-frame's segments, a GRO buffer's datagrams): no wait.
            if ((lan is TapLanPort tap && tap.Pending) || (uplink != null && uplink.GroPending))
                timeoutMs = 0;
            Libc.poll(fds, (nuint)n, timeoutMs);
        }

        /// <summary>
        /// `warp-router status` and friends: sends one command line to a running instance and prints
        /// its answer, read until the router closes the connection (one command per connection).
        /// </summary>
        public static int Query(string socketPath, string command, TextWriter output, TextWriter error)
        {
            try
            {
                using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                s.Connect(new UnixDomainSocketEndPoint(socketPath));
                s.ReceiveTimeout = 10000;
                s.Send(Encoding.UTF8.GetBytes(command + "\n"));
                var buffer = new byte[8192];
                var decoder = Encoding.UTF8.GetDecoder();
                var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
                int n;
                while ((n = s.Receive(buffer)) > 0)
                    output.Write(chars, 0, decoder.GetChars(buffer, 0, n, chars, 0));
                return 0;
            }
            catch (SocketException e)
            {
                error.WriteLine("warp-router: no answer from a router at " + socketPath + " (" + WhyNoAnswer(socketPath, e) + ")");
                return 1;
            }
        }

        /// <summary>
        /// Why a query failed, in words that fit: .NET reports a missing socket file (ENOENT) as
        /// AddressNotAvailable ("Cannot assign requested address"), which says nothing useful.
        /// </summary>
        internal static string WhyNoAnswer(string socketPath, SocketException e)
        {
            if (!File.Exists(socketPath) && !Directory.Exists(socketPath))
                return "no such socket: is warp-router run started, with this --control path?";
            if (e.SocketErrorCode == SocketError.ConnectionRefused)
                return "nothing is listening on it: the router that made it has stopped";
            if (e.SocketErrorCode == SocketError.AccessDenied)
                return "permission denied";
            return e.Message;
        }

        static string FormatMac(byte[] m) { return BitConverter.ToString(m).Replace('-', ':').ToLowerInvariant(); }

        public void Dispose()
        {
            StopCore();
            serial?.Dispose();
            control?.Dispose();
            stateLock?.Dispose();
        }

        /// <summary>Stops the router core and closes what it opened (LAN port, lockdown, uplink, interface lock); the state lock, control socket and serial console stay.</summary>
        void StopCore()
        {
            Router?.Shutdown(Now);
            Router = null;
            lockdown?.Dispose();
            lockdown = null;
            (lan as IDisposable)?.Dispose();
            lan = null;
            lanFd = -1;
            uplink?.Dispose();
            uplink = null;
            interfaceLock?.Dispose();
            interfaceLock = null;
            fastPath?.Dispose();
            fastPath = null;
            portalProbe?.Dispose();
            portalProbe = null;
        }

        /// <summary>
        /// The event log on a Linux host: each event as one line on stderr, "warp-router: event kind=... key=value"
        /// (journald takes a line per entry; the fields are the <c>log -m</c> ones, never a key).
        /// </summary>
        sealed class StderrEvents : IEventSink
        {
            readonly Warp.Firmware.Router router;
            readonly TextWriter w;
            public StderrEvents(Warp.Firmware.Router router, TextWriter w) { this.router = router; this.w = w; }
            public void OnEvent(EventLog log, int index)
            {
                w.WriteLine("warp-router: event" + EventFormat.Fields(log, index, router.ConfigWarnings));
                w.Flush();
            }
        }

        /// <summary>The status light of a Linux host: a log line per change.</summary>
        sealed class LogIndicator : IIndicator
        {
            readonly TextWriter w;
            public LogIndicator(TextWriter w) { this.w = w; }
            public void Show(IndicatorState state) { w.WriteLine("status: " + state.ToString()); }
        }

        internal sealed class WriterOutput : IConsoleOutput
        {
            readonly TextWriter w;
            public WriterOutput(TextWriter w) { this.w = w; }
            public void WriteLine(string line) { w.WriteLine(line); }
        }
    }
}

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
    }

    /// <summary>
    /// The Linux host of the <see cref="Warp.Firmware.Router"/>: builds it from a config file,
    /// opens the LAN port, the uplink sockets and the control socket, and runs the loop: poll the
    /// descriptors until I/O or the router's next deadline, Router.Poll, answer console commands.
    /// SIGINT and SIGTERM stop it cleanly (secrets cleared, sockets closed, control socket removed).
    /// </summary>
    public sealed class RouterHost : IDisposable
    {
        readonly RunOptions options;
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly ConcurrentQueue<string> consoleLines = new ConcurrentQueue<string>();
        ILanPort lan;
        int lanFd = -1;
        UdpUplink uplink;
        ControlServer control;
        public Warp.Firmware.Router Router { get; private set; }
        volatile bool stopping;

        public RouterHost(RunOptions options) { this.options = options; }

        public long Now { get { return clock.ElapsedMilliseconds + 1; } }

        /// <summary>Parses the config; on errors prints every one with its line number and returns null.</summary>
        public static RouterSettings LoadSettings(string path, TextWriter errors)
        {
            if (!File.Exists(path))
            {
                errors.WriteLine("warp-router: config file not found: " + path);
                return null;
            }
            var d = new ConfigDiagnostics();
            RouterSettings s = WgQuickParser.Parse(File.ReadAllText(path), d);
            for (int i = 0; i < d.StoredWarningCount; i++)
                errors.WriteLine(path + ": warning: " + d.Warning(i));
            if (s == null || d.HasErrors)
            {
                for (int i = 0; i < d.StoredErrorCount; i++)
                    errors.WriteLine(path + ": " + d.Error(i));
                if (d.ErrorCount > d.StoredErrorCount)
                    errors.WriteLine(path + ": ... and " + (d.ErrorCount - d.StoredErrorCount) + " more error(s)");
                return null;
            }
            return s;
        }

        public void Start(RouterSettings settings, TextWriter log)
        {
            byte[] mac = RouterMac(settings);
            if (options.LanInterface != null)
            {
                var p = new PacketSocketLanPort(options.LanInterface, mac);
                lan = p;
                lanFd = p.Fd;
                log.WriteLine("LAN: interface " + options.LanInterface + " (raw socket), router MAC " + FormatMac(mac));
            }
            else
            {
                string name = options.Tap ?? settings.Lan.LanInterface;
                var t = new TapLanPort(name, mac);
                lan = t;
                lanFd = t.Fd;
                log.WriteLine("LAN: TAP device " + name + ", router MAC " + FormatMac(mac));
            }
            uplink = new UdpUplink(settings.Interface.ListenPort);
            log.WriteLine("uplink: UDP port " + uplink.LocalPort + (uplink.V4 != null ? " IPv4" : "") + (uplink.V6 != null ? " IPv6" : ""));
            Endpoint endpoint = ResolveEndpoint(settings, log);
            var store = new FileSettingsStore(options.StateDirectory);
            Router = new Warp.Firmware.Router(settings, lan, uplink, new LinuxCryptoBackend(), new SystemRandomSource(), store, Now);
            Router.Tunnel.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Now);
            if (endpoint != null)
                Router.SetPeerEndpoint(endpoint);
            OpenControlSocket(log);
            Router.Start(Now);
            log.WriteLine("tunnel: handshake with " + (endpoint == null ? "(no endpoint)" : endpoint.ToString()));
        }

        /// <summary>The router's LAN MAC: locally administered, derived from the public key so it is stable across restarts.</summary>
        static byte[] RouterMac(RouterSettings settings)
        {
            byte[] pub = new byte[32];
            var crypto = new Warp.Protocol.Crypto.ManagedCryptoBackend();
            crypto.DhPublicKey(pub, 0, settings.Interface.PrivateKey, 0);
            return new byte[] { 0x02, 0x57, pub[0], pub[1], pub[2], pub[3] };
        }

        static Endpoint ResolveEndpoint(RouterSettings settings, TextWriter log)
        {
            PeerSettings peer = settings.Peer;
            Endpoint literal = peer.FirstLiteral();
            if (literal != null && literal.IsSet)
                return literal;
            for (int i = 0; i < peer.Endpoints.Length; i++)
            {
                PeerEndpoint e = peer.Endpoints[i];
                if (!e.IsHostName)
                    continue;
                try
                {
                    foreach (IPAddress a in Dns.GetHostAddresses(e.Host))
                    {
                        var ep = new Endpoint();
                        ep.Set(a.AddressFamily == AddressFamily.InterNetwork ? Endpoint.FamilyIpv4 : Endpoint.FamilyIpv6, a.GetAddressBytes(), 0, e.Port);
                        log.WriteLine("endpoint " + e.Host + " resolved to " + ep);
                        return ep;
                    }
                }
                catch (SocketException ex)
                {
                    log.WriteLine("endpoint " + e.Host + ": " + ex.Message);
                }
            }
            return null;
        }

        void OpenControlSocket(TextWriter log)
        {
            control = ControlServer.Open(options.ControlSocket, log);
        }

        /// <summary>Runs until SIGINT/SIGTERM or <see cref="Stop"/>.</summary>
        public void Run(TextWriter output)
        {
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopping = true; });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopping = true; });
            if (options.Console)
                StartConsoleReader();
            var console = new WriterOutput(output);
            while (!stopping)
            {
                long now = Now;
                Router.Poll(now);
                while (consoleLines.TryDequeue(out string line))
                {
                    RouterConsole.Execute(Router, line, Now, console, HostCounterSets);
                    output.Flush();
                }
                control?.Service(Now, executeControl ??= ExecuteControl);
                long wait = Router.NextDeadline(Now) - Now;
                Wait(wait < 0 ? 0 : wait > 100 ? 100 : (int)wait);
            }
            output.WriteLine("warp-router: stopping");
        }

        public void Stop() { stopping = true; }

        void StartConsoleReader()
        {
            var t = new Thread(() =>
            {
                try
                {
                    string line;
                    while ((line = System.Console.In.ReadLine()) != null)
                        consoleLines.Enqueue(line);
                }
                catch (IOException) { }
            });
            t.IsBackground = true;
            t.Start();
        }

        Action<string, IConsoleOutput> executeControl;
        CounterSet[] hostCounterSets;

        /// <summary>The host's own counters, listed by `counters` after the router's: the control socket's.</summary>
        CounterSet[] HostCounterSets { get { return control == null ? null : hostCounterSets ??= new CounterSet[] { control.Counters }; } }

        void ExecuteControl(string line, IConsoleOutput o) { RouterConsole.Execute(Router, line, Now, o, HostCounterSets); }

        /// <summary>Sleeps until a LAN frame, an uplink datagram or control-socket activity, or the timeout.</summary>
        unsafe void Wait(int timeoutMs)
        {
            Libc.PollFd* fds = stackalloc Libc.PollFd[3 + ControlServer.MaxPollFds];
            int n = 0;
            if (lanFd >= 0) fds[n++] = new Libc.PollFd { Fd = lanFd, Events = Libc.POLLIN };
            if (uplink.V4 != null) fds[n++] = new Libc.PollFd { Fd = (int)uplink.V4.Handle, Events = Libc.POLLIN };
            if (uplink.V6 != null) fds[n++] = new Libc.PollFd { Fd = (int)uplink.V6.Handle, Events = Libc.POLLIN };
            if (control != null) n = control.AddPollFds(fds, n);
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
                error.WriteLine("warp-router: no answer from a router at " + socketPath + " (" + e.Message + ")");
                return 1;
            }
        }

        static string FormatMac(byte[] m) { return BitConverter.ToString(m).Replace('-', ':').ToLowerInvariant(); }

        public void Dispose()
        {
            Router?.Shutdown();
            (lan as IDisposable)?.Dispose();
            uplink?.Dispose();
            control?.Dispose();
        }

        sealed class WriterOutput : IConsoleOutput
        {
            readonly TextWriter w;
            public WriterOutput(TextWriter w) { this.w = w; }
            public void WriteLine(string line) { w.WriteLine(line); }
        }
    }
}

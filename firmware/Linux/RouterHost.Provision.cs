using System;
using System.IO;
using Warp.Firmware;
using Warp.Hal.Linux;
using Warp.Protocol.Config;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The Linux host's side of the provisioning console (<see cref="ProvisionConsole"/>, shared with
    /// the device): the commands run on stdin and on the serial console (--serial), and act on the
    /// state directory's store as the device acts on its flash. `reboot` and a stored configuration
    /// restart the router core: it stops (LAN port, uplink, lockdown) and starts again from the
    /// store's "config" record, or from --config FILE when the store has none. `factory-reset`
    /// clears the store as <see cref="StoredRecords.FactoryReset"/> does (the TAI64N ceiling stays).
    /// Without any configuration the host runs in setup mode: the consoles answer, there is no router.
    /// </summary>
    public sealed partial class RouterHost : IProvisionHost
    {
        ProvisionConsole provision;
        FileSettingsStore store;
        SerialConsole serial;
        bool restartRequested;
        IConsoleOutput lastOutput;
        TextWriter hostLog;

        FileSettingsStore Store { get { return store ??= new FileSettingsStore(options.StateDirectory); } }

        ProvisionConsole Provision { get { return provision ??= new ProvisionConsole(Store, Sizes, this); } }

        /// <summary>The serial console, when --serial was given and <see cref="Run"/> has started.</summary>
        public SerialConsole Serial { get { return serial; } }

        /// <summary>
        /// The configuration to start with: the store's "config" record (provisioned over a console),
        /// else --config FILE, else none. Every warning and error goes to <paramref name="log"/> with its line.
        /// Null on errors or when there is none (<paramref name="none"/> is then true).
        /// </summary>
        public RouterSettings LoadStartSettings(IConsoleOutput log, out bool none)
        {
            none = false;
            byte[] buffer = new byte[ProvisionConsole.MaxConfigBytes + 1];
            int n = Directory.Exists(options.StateDirectory) ? Store.Read(StoredRecords.Config, buffer, 0, buffer.Length) : -1;
            try
            {
                if (n > ProvisionConsole.MaxConfigBytes)
                {
                    log.WriteLine("config: the stored configuration is longer than " + ProvisionConsole.MaxConfigBytes + " bytes");
                    return null;
                }
                if (n > 0)
                    return RouterBoot.LoadConfig(buffer, 0, n, "config (stored)", Sizes, log, null);
            }
            finally
            {
                Array.Clear(buffer); // the private key is in it
            }
            if (options.ConfigPath != null)
            {
                var w = new StringWriter();
                var s = LoadSettings(options.ConfigPath, w);
                foreach (var line in w.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    log.WriteLine(line);
                return s;
            }
            none = true;
            return null;
        }

        /// <summary>Setup mode: the state lock and the control socket, no router; the consoles wait for a configuration.</summary>
        public void StartSetup(TextWriter log)
        {
            TakeLocks(null);
            OpenControlSocket(log);
            log.WriteLine("setup: no configuration. Send one over the console: 'config begin', the file's lines, 'config end LINES CRC32'.");
            if (options.DropDirectory != null)
                log.WriteLine("setup: or leave flash.ps1's provisioning file at " + Path.Combine(options.DropDirectory, ProvisionFile.FileName) + " (it is read, then overwritten and removed)");
        }

        void StartSerial(TextWriter log)
        {
            hostLog = log;
            if (options.Serial != null && serial == null)
                serial = SerialConsole.Open(options.Serial, line => consoleLines.Enqueue((line, serial)), log);
        }

        /// <summary>One console line (stdin or serial): provisioning first, then the router's commands.</summary>
        void ExecuteConsole(string line, IConsoleOutput o)
        {
            lastOutput = o;
            if (!Provision.Handle(line, Now, o))
            {
                string cmd = line.Trim().ToLowerInvariant();
                if (cmd == "heap")
                    // The memory line (as the device's `heap`): the managed heap after a full collection.
                    o.WriteLine("heap: " + GC.GetTotalMemory(true).ToString(System.Globalization.CultureInfo.InvariantCulture) + " B in use (managed, after a full collection)");
                else if (cmd == "help" || cmd == "")
                {
                    if (Router != null)
                        RouterConsole.Execute(Router, "help", Now, o, HostCounterSets);
                    foreach (var l in ProvisionConsole.Help.TrimEnd('\n').Split('\n'))
                        o.WriteLine(l);
                }
                else if (ProvisionFileCommand(line, o))
                    return;
                else if (Router == null)
                    NoRouter(line, o);
                else
                    RouterConsole.Execute(Router, line, Now, o, HostCounterSets);
                ProvisionFileStatus(line, o);
            }
            if (restartRequested)
            {
                restartRequested = false;
                RestartCore(o);
            }
        }

        /// <summary>Each turn of the loop: a transfer or a password line left silent too long is discarded.</summary>
        void ServiceProvisioning(TextWriter log)
        {
            if (provision != null && lastOutput != null)
                provision.Poll(Now, lastOutput);
            ServiceProvisionFile(log);
        }

        /// <summary>What a console says without a router: the setup-mode answer, in the machine form after -m.</summary>
        static void NoRouter(string line, IConsoleOutput o)
        {
            string cmd = (line ?? "").Trim().ToLowerInvariant();
            if (cmd.EndsWith(" " + ConsoleRecord.Flag))
            {
                o.WriteLine("error" + ConsoleRecord.Field("command", cmd.Substring(0, cmd.Length - 3).Trim()) + ConsoleRecord.Field("reason", "no_router"));
                o.WriteLine(ConsoleRecord.End(1));
                return;
            }
            o.WriteLine("setup mode: no router yet (no configuration); 'help' lists the provisioning commands");
        }

        void RestartCore(IConsoleOutput o)
        {
            TextWriter log = hostLog ?? System.Console.Out;
            StopCore();
            IConsoleOutput both = o is WriterOutput ? o : new Both(o, new WriterOutput(log)); // stdin's answers are already the log
            both.WriteLine("warp-router: restarting the router core");
            var settings = LoadStartSettings(both, out bool none);
            if (settings == null)
            {
                both.WriteLine(none ? "setup mode: no configuration stored" : "setup mode: the configuration has errors (see above)");
                return;
            }
            try
            {
                Start(settings, log);
                both.WriteLine("warp-router: running");
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is System.Net.Sockets.SocketException || e is ArgumentException || e is InvalidOperationException)
            {
                StopCore();
                both.WriteLine("warp-router: cannot start: " + e.Message);
            }
        }

        void IProvisionHost.ConfigStored() { restartRequested = true; }

        void IProvisionHost.AccessPointStored() { } // a Linux host has no SoftAP: kept for a device

        void IProvisionHost.NetworksChanged() { } // nor a Wi-Fi station

        void IProvisionHost.Reboot() { restartRequested = true; }

        bool IProvisionHost.FactoryReset() { return StoredRecords.FactoryReset(Store); }

        string IProvisionHost.JoinedNetwork { get { return null; } }

        sealed class Both : IConsoleOutput
        {
            readonly IConsoleOutput a, b;
            public Both(IConsoleOutput a, IConsoleOutput b) { this.a = a; this.b = b; }
            public void WriteLine(string line) { a.WriteLine(line); if (b != null && !ReferenceEquals(a, b)) b.WriteLine(line); }
        }
    }
}

using Warp.Firmware;
using Warp.Hal;
using Warp.Hal.Esp32;
using Warp.Protocol.Config;

namespace Warp.Router.Esp32
{
    /// <summary>Where the device program is.</summary>
    public enum ProgramState
    {
        Booting = 0,
        /// <summary>No configuration stored: the setup SoftAP is up and the console waits for one.</summary>
        Setup,
        /// <summary>The router runs.</summary>
        Running,
        /// <summary>The stored configuration cannot make a router (its errors were printed); the console still works.</summary>
        Error,
        /// <summary>A reboot was asked for (new SoftAP settings, a new configuration, a factory reset).</summary>
        Rebooting,
    }

    /// <summary>
    /// The ESP32 program: boot, the loop's turn, the serial console and factory reset, over the
    /// seams in <see cref="DevicePorts"/> (hal/Esp32 on the board, doubles in tests). The router
    /// itself is built by the composition both hosts share (<see cref="RouterBoot"/>) with the
    /// board's sizes. Boot:
    /// <list type="number">
    /// <item>the light shows Starting; the watchdog starts;</item>
    /// <item>the "config" record is read; the SoftAP is set from the "softap" record (a setup SSID
    ///   without a configuration), saved and the device rebooted only when it changed;</item>
    /// <item>without a configuration: setup mode, the console waits for one (config begin/end);</item>
    /// <item>the configuration is loaded and fitted to the board (errors printed, light Error);</item>
    /// <item>the station joins the stored hotel networks, last good first (Ethernet boards skip this);</item>
    /// <item>the LAN port and the uplink open; the router starts.</item>
    /// </list>
    /// Each <see cref="Step"/> feeds the watchdog, polls the router, answers the console, watches
    /// for a factory reset, then sleeps until I/O or the router's next deadline (at most
    /// <see cref="MaxWaitMs"/>, so the console and the button stay responsive).
    /// Secrets (keys, Wi-Fi and SoftAP passwords, pasted configuration lines) are never printed.
    /// </summary>
    public sealed partial class DeviceProgram : IProvisionHost
    {
        public const int WatchdogMs = 30000;
        public const int MaxWaitMs = 100;
        public const int MaxConfigBytes = 8192;
        public const int JoinRetryMs = 60000;
        public const string SoftApRecord = StoredRecords.SoftAp;
        public const string SetupSsidPrefix = "warp-setup-";
        public const int DefaultChannel = 6;
        /// <summary>How long the light shows Error after a refused provisioning file.</summary>
        public const int RefusedHoldMs = 10000;

        public const string DeviceHelp =
            "device commands:\n" +
            "  wifi scan | wifi join\n" +
            "  softap SSID PASSWORD [CHANNEL]   the household network (WPA2; applied with a reboot)\n" +
            "  heap\n" +
            "  provision [-m]                   what became of flash.ps1's provisioning file (I:\\warp-provision.txt)\n" +
            "(SSIDs with spaces go in double quotes)\n";

        readonly BoardProfile board;
        readonly DevicePorts ports;
        readonly ConsoleOut log;
        readonly byte[] recordBuffer = new byte[MaxConfigBytes];
        readonly ProvisionConsole provision;
        readonly ProvisionFile dropFile;
        readonly HeldIndicator indicator;
        StationList stations = new StationList();
        string joined;
        long importRebootAt = -1;
        long lastJoinAttempt;
        bool scanning;
        Warp.Firmware.Router router;
        ProgramState state = ProgramState.Booting;

        public DeviceProgram(BoardProfile board, DevicePorts ports)
        {
            this.board = board;
            this.ports = ports;
            log = new ConsoleOut(ports.Console);
            provision = new ProvisionConsole(ports.Store, board.Sizes, this);
            dropFile = new ProvisionFile(ports.Drop, ports.Store, board.Sizes);
            indicator = ports.Indicator != null ? new HeldIndicator(ports.Indicator) : null;
        }

        public ProgramState State { get { return state; } }
        public Warp.Firmware.Router Router { get { return router; } }
        /// <summary>The hotel network the station is on; null when none (or an Ethernet board).</summary>
        public string JoinedNetwork { get { return joined; } }

        /// <summary>The serial console's provisioning commands (shared with the Linux host).</summary>
        public ProvisionConsole Provisioning { get { return provision; } }

        /// <summary>The provisioning file's import (flash.ps1 over the USB cable alone).</summary>
        public ProvisionFile ProvisioningFile { get { return dropFile; } }

        /// <summary>The boot sequence; afterwards <see cref="State"/> says where it ended.</summary>
        public void Boot()
        {
            long now = ports.System.Now;
            Show(IndicatorState.Starting);
            bool watchdog = ports.System.StartWatchdog(WatchdogMs);
            log.WriteLine("warp: " + board.Name + ", target " + board.Target + ", heap budget " + board.HeapBudget.ToString()
                + " B, free " + ports.System.FreeHeap().ToString() + " B" + (watchdog ? ", watchdog " + (WatchdogMs / 1000).ToString() + " s" : ", no watchdog"));

            // A provisioning file left by flash.ps1 comes first: applied only when clean, then wiped.
            ProvisionFileResult imported = dropFile.Import(now, log);
            if (imported != null && !imported.IsApplied && indicator != null)
                indicator.Hold(IndicatorState.Error, now + RefusedHoldMs);

            int configLength = ports.Store.Read(StoredRecords.Config, recordBuffer, 0, recordBuffer.Length);
            byte[] config = null;
            if (configLength > recordBuffer.Length)
            {
                log.WriteLine("config: the stored configuration is longer than " + MaxConfigBytes.ToString() + " bytes; store a shorter one");
                state = ProgramState.Error;
                Show(IndicatorState.Error);
                return;
            }
            if (configLength > 0)
            {
                config = new byte[configLength];
                for (int i = 0; i < configLength; i++)
                    config[i] = recordBuffer[i];
            }
            if (!ApplyAccessPoint(config != null))
                return;
            if (config == null)
            {
                state = ProgramState.Setup;
                Show(IndicatorState.Error);
                log.WriteLine("setup: no configuration stored. Join the SoftAP or use this console: 'config begin', the file's lines, 'config end LINES CRC32'.");
                log.WriteLine(ProvisionConsole.Help);
                log.WriteLine(DeviceHelp);
                return;
            }

            RouterSettings settings = RouterBoot.LoadConfig(config, 0, config.Length, "config", board.Sizes, log, indicator);
            for (int i = 0; i < config.Length; i++)
                config[i] = 0; // the private key is in it
            if (settings == null)
            {
                state = ProgramState.Error;
                log.WriteLine("setup: fix the configuration with 'config begin' ... 'config end LINES CRC32'");
                return;
            }

            LoadStations();
            if (ports.Station != null)
                JoinStation(now);
            else
                log.WriteLine("uplink: Ethernet");

            byte[] mac = RouterConfig.RouterMac(settings);
            ILanPort lan = ports.Factory.OpenLan(mac);
            IUplink uplink = ports.Factory.OpenUplink(settings.Interface.ListenPort);
            if (lan == null || uplink == null)
            {
                state = ProgramState.Error;
                Show(IndicatorState.Error);
                log.WriteLine(lan == null ? "lan: the SoftAP's frames cannot be received (is the firmware image ours?)" : "uplink: no UDP socket could be opened");
                return;
            }
            var platform = new RouterPlatform();
            platform.Lan = lan;
            platform.Uplink = uplink;
            platform.Crypto = ports.Crypto;
            platform.Random = ports.Random;
            platform.Store = ports.Store;
            platform.Monitor = ports.Monitor;
            platform.Indicator = indicator;
            platform.Button = ports.Button;
            platform.Resolver = ports.Resolver;
            platform.FastPath = ports.FastPath;
            platform.UplinkSetup = ports.Station != null ? new StationSetup(this) : null; // the setup page's Wi-Fi section
            platform.PortalProbe = ports.PortalProbe;
            platform.UplinkMac = ports.UplinkMac;
            router = RouterBoot.Start(settings, board.Sizes, platform, log, ports.System.Now, RouterBoot.NoWallClock);
            if (router == null)
            {
                state = ProgramState.Error;
                return;
            }
            state = ProgramState.Running;
            log.WriteLine("warp: running, router memory " + router.MemoryBytes.ToString() + " B");
        }

        /// <summary>One turn of the loop.</summary>
        public void Step()
        {
            ports.System.FeedWatchdog();
            long now = ports.System.Now;
            if (router != null)
                router.Poll(now);
            string line;
            while (state != ProgramState.Rebooting && (line = ports.Console.ReadLine()) != null)
                HandleLine(line, now);
            if (state != ProgramState.Rebooting)
                provision.Poll(now, log);
            if (state != ProgramState.Rebooting && dropFile.Ready(now))
            {
                // A file arrived while running (nanoff --filedeployment after the deploy): the boot
                // imports it, before the router takes the memory a board without PSRAM has.
                log.WriteLine("provisioning file: found; restarting to import it");
                if (router != null)
                    router.Shutdown(now);
                Reboot();
                return;
            }
            if (indicator != null)
                indicator.Tick(now);
            if (state == ProgramState.Rebooting)
                return;
            if (router != null && router.FactoryResetRequested)
            {
                FactoryReset();
                return;
            }
            if (router != null && router.RestartRequested)
            {
                // The setup page stored a new "config" record: reboot into it once the page's answer had 2 s to go out.
                if (importRebootAt < 0)
                    importRebootAt = now + 2000;
                else if (now >= importRebootAt)
                {
                    log.WriteLine("setup page: configuration imported; rebooting");
                    router.Shutdown(now);
                    Reboot();
                    return;
                }
            }
            if (scanning && ports.Station != null && ports.Station.ScanComplete)
                PrintScan();
            if (state == ProgramState.Running && ports.Station != null && joined == null && now - lastJoinAttempt >= JoinRetryMs)
                JoinStation(now);
            long wait = router != null ? router.NextDeadline(now) - now : MaxWaitMs;
            ports.System.Wait(wait < 0 ? 0 : wait > MaxWaitMs ? MaxWaitMs : (int)wait);
        }

        /// <summary>Boots and runs the loop until a reboot is asked for (on the device the reboot does not return).</summary>
        public void Run()
        {
            Boot();
            while (state != ProgramState.Rebooting)
                Step();
        }

        void Show(IndicatorState s)
        {
            if (indicator != null)
                indicator.Show(s);
        }

        // ------------------------------------------------------------------ SoftAP

        /// <summary>
        /// Sets the SoftAP from the "softap" record (a setup SSID when there is no configuration and
        /// no record). Saves it and reboots only when it differs from what nanoFramework has stored.
        /// False when a reboot was started.
        /// </summary>
        bool ApplyAccessPoint(bool configured)
        {
            string ssid, password;
            int channel;
            if (!ReadSoftApRecord(out ssid, out password, out channel))
            {
                if (configured)
                    return true; // keep whatever the device has; 'softap' sets it
                byte[] mac = new byte[4];
                Warp.Protocol.RandomBytes.Fill(ports.Random, mac, 0, 2);
                ssid = SetupSsidPrefix + Hex(mac[0]) + Hex(mac[1]);
                password = "";
                channel = DefaultChannel;
                string current, currentPassword;
                int currentChannel;
                if (ports.AccessPoint.Read(out current, out currentPassword, out currentChannel) && current != null && current.StartsWith(SetupSsidPrefix))
                    return true; // a setup SSID is already up: keep its name
            }
            string haveSsid, havePassword;
            int haveChannel;
            bool have = ports.AccessPoint.Read(out haveSsid, out havePassword, out haveChannel);
            if (have && haveSsid == ssid && (havePassword ?? "") == password && haveChannel == channel)
                return true;
            if (!ports.AccessPoint.Save(ssid, password, channel))
            {
                log.WriteLine("softap: the configuration could not be saved");
                return true;
            }
            log.WriteLine("softap: " + ssid + " on channel " + channel.ToString() + (password.Length > 0 ? " (WPA2)" : " (open)") + " saved; rebooting to apply it");
            Reboot();
            return false;
        }

        static string Hex(byte b)
        {
            const string digits = "0123456789abcdef";
            return digits[b >> 4].ToString() + digits[b & 15].ToString();
        }

        bool ReadSoftApRecord(out string ssid, out string password, out int channel)
        {
            ssid = null;
            password = null;
            channel = DefaultChannel;
            int n = ports.Store.Read(SoftApRecord, recordBuffer, 0, recordBuffer.Length);
            if (n <= 0 || n > recordBuffer.Length)
                return false;
            string text = Utf8Text.Decode(recordBuffer, 0, n);
            for (int i = 0; i < n; i++)
                recordBuffer[i] = 0;
            int a = text.IndexOf('\n');
            int b = a < 0 ? -1 : text.IndexOf('\n', a + 1);
            if (b < 0)
                return false;
            ssid = text.Substring(0, a);
            password = text.Substring(a + 1, b - a - 1);
            int c;
            if (!TryParseInt(text.Substring(b + 1).Trim(), out c) || c < 1 || c > 13)
                return false;
            channel = c;
            return ssid.Length > 0;
        }

        static bool TryParseInt(string s, out int value)
        {
            value = 0;
            if (s.Length == 0 || s.Length > 6)
                return false;
            for (int i = 0; i < s.Length; i++)
            {
                if (s[i] < '0' || s[i] > '9')
                    return false;
                value = value * 10 + (s[i] - '0');
            }
            return true;
        }

        void SetSoftAp(string ssid, string password, string channelText)
        {
            int channel = DefaultChannel;
            if (channelText != null && (!TryParseInt(channelText, out channel) || channel < 1 || channel > 13))
            {
                log.WriteLine("softap: the channel must be 1..13");
                return;
            }
            if (ssid == null || ssid.Length == 0 || ssid.Length > 32)
            {
                log.WriteLine("softap: the SSID must be 1 to 32 characters");
                return;
            }
            if (password == null || password.Length < 8 || password.Length > 63)
            {
                log.WriteLine("softap: the WPA2 password must be 8 to 63 characters");
                return;
            }
            byte[] record = Utf8Text.Encode(ssid + "\n" + password + "\n" + channel.ToString());
            bool ok = ports.Store.Write(SoftApRecord, record, 0, record.Length);
            for (int i = 0; i < record.Length; i++)
                record[i] = 0;
            if (!ok)
            {
                log.WriteLine("softap: could not be stored");
                return;
            }
            ApplyAccessPoint(true);
        }

        // ------------------------------------------------------------------ station

        void LoadStations()
        {
            int n = ports.Store.Read(StationList.Record, recordBuffer, 0, StationList.MaxRecordBytes);
            // A record longer than the buffer (damage): the whole lines in its first part are kept.
            stations = StationList.Parse(recordBuffer, 0, n < 0 ? 0 : n > StationList.MaxRecordBytes ? StationList.MaxRecordBytes : n);
            for (int i = 0; i < recordBuffer.Length && i < StationList.MaxRecordBytes; i++)
                recordBuffer[i] = 0;
        }

        bool SaveStations()
        {
            byte[] b = stations.ToBytes();
            bool ok = ports.Store.Write(StationList.Record, b, 0, b.Length);
            for (int i = 0; i < b.Length; i++)
                b[i] = 0;
            return ok;
        }

        /// <summary>Joins the stored networks in order (the last good one first) and says why each one failed.</summary>
        void JoinStation(long now)
        {
            lastJoinAttempt = now;
            if (stations.Count == 0)
            {
                Show(IndicatorState.NoUplink);
                log.WriteLine("wifi: no hotel network stored; add one with 'wifi add SSID PASSWORD'");
                return;
            }
            for (int i = 0; i < stations.Count; i++)
            {
                string ssid = stations.Ssid(i);
                JoinResult r = ports.Station.Join(ssid, stations.Password(i));
                if (r == JoinResult.Joined)
                {
                    joined = ssid;
                    log.WriteLine("wifi: joined " + ssid);
                    if (stations.MoveToFront(ssid))
                        SaveStations();
                    return;
                }
                log.WriteLine("wifi: " + ssid + ": " + Describe(r));
            }
            Show(IndicatorState.NoUplink);
            log.WriteLine("wifi: no stored network could be joined; trying again in " + (JoinRetryMs / 1000).ToString() + " s");
        }

        /// <summary>A join failure in words.</summary>
        public static string Describe(JoinResult r)
        {
            switch (r)
            {
                case JoinResult.Joined: return "joined";
                case JoinResult.WrongPassword: return "wrong password";
                case JoinResult.NotFound: return "not in range";
                case JoinResult.Timeout: return "no answer in time";
                case JoinResult.Unsupported: return "needs an authentication the station cannot do (enterprise or captive?)";
                case JoinResult.Refused: return "the access point refused us";
                default: return "failed";
            }
        }

        void PrintScan()
        {
            scanning = false;
            var names = new string[16];
            var rssi = new int[16];
            int n = ports.Station.ScanResults(names, rssi);
            log.WriteLine("wifi: " + n.ToString() + " network(s)");
            for (int i = 0; i < n; i++)
                log.WriteLine("  " + rssi[i].ToString() + " dBm  " + names[i]);
        }

        // ------------------------------------------------------------------ console

        void HandleLine(string line, long now)
        {
            if (!provision.Receiving && !provision.AwaitingSecret && ports.Station == null)
            {
                string t = line.Trim();
                if (t.StartsWith("wifi add") || t.StartsWith("wifi remove"))
                {
                    log.WriteLine("error wifi reason=ethernet: this board's uplink is Ethernet");
                    return;
                }
            }
            if (provision.Handle(line, now, log))
                return;
            string cmd = line.Trim();
            string[] words = Split(cmd);
            string first = words.Length > 0 ? words[0].ToLower() : "";
            switch (first)
            {
                case "wifi":
                    Wifi(words, now);
                    return;
                case "softap":
                    if (words.Length == 3 || words.Length == 4)
                        SetSoftAp(words[1], words[2], words.Length == 4 ? words[3] : null);
                    else
                        log.WriteLine("usage: softap SSID PASSWORD [CHANNEL]");
                    return;
                case "heap":
                    log.WriteLine("heap: " + ports.System.FreeHeap().ToString() + " B free, budget " + board.HeapBudget.ToString()
                        + (router != null ? ", router " + router.MemoryBytes.ToString() + " B" : ""));
                    return;
                case "provision":
                    if (words.Length > 1 && words[1] == ConsoleRecord.Flag)
                    {
                        log.WriteLine(dropFile.LastRecord);
                        log.WriteLine(ConsoleRecord.End(1));
                    }
                    else
                        log.WriteLine(dropFile.LastStatusLine);
                    return;
                case "help":
                    if (router != null)
                        RouterConsole.Execute(router, "help", now, log);
                    log.WriteLine(ProvisionConsole.Help);
                    log.WriteLine(DeviceHelp);
                    return;
            }
            if (router != null)
            {
                RouterConsole.Execute(router, line, now, log);
                if (first == "status" && words.Length == 1 && dropFile.HasResult)
                    log.WriteLine(dropFile.LastStatusLine);
                return;
            }
            log.WriteLine(state == ProgramState.Setup ? "setup mode: no router yet" : "no router: the configuration has errors");
            if (dropFile.HasResult)
                log.WriteLine(dropFile.LastStatusLine);
            log.WriteLine(ProvisionConsole.Help);
            log.WriteLine(DeviceHelp);
        }

        void Wifi(string[] words, long now)
        {
            string sub = words.Length > 1 ? words[1].ToLower() : "";
            if (ports.Station == null)
            {
                log.WriteLine("wifi: this board's uplink is Ethernet");
                return;
            }
            switch (sub)
            {
                case "scan":
                    ports.Station.StartScan();
                    scanning = true;
                    log.WriteLine("wifi: scanning");
                    return;
                case "join":
                    if (joined != null)
                        ports.Station.Leave();
                    joined = null;
                    JoinStation(now);
                    return;
            }
            log.WriteLine("usage: wifi add SSID (then the password line) | wifi remove SSID | wifi list | wifi scan | wifi join");
        }

        // ------------------------------------------------------------------ provisioning (IProvisionHost)

        /// <summary>A checked configuration was stored: the boot loads it.</summary>
        void IProvisionHost.ConfigStored()
        {
            log.WriteLine("config: stored; rebooting");
            if (router != null)
                router.Shutdown(ports.System.Now);
            Reboot();
        }

        void IProvisionHost.AccessPointStored()
        {
            ApplyAccessPoint(true);
        }

        void IProvisionHost.NetworksChanged()
        {
            LoadStations();
        }

        void IProvisionHost.Reboot()
        {
            if (state == ProgramState.Rebooting)
                return;
            if (router != null)
                router.Shutdown(ports.System.Now);
            Reboot();
        }

        bool IProvisionHost.FactoryReset()
        {
            return EraseRecords();
        }

        /// <summary>
        /// Forgets the configuration, the leases, the ULA prefix, the path cache, the hotel
        /// networks and the SoftAP settings; keeps the TAI64N ceiling (StoredRecords.FactoryReset),
        /// so the peer never sees a timestamp again. Then reboots into setup mode.
        /// </summary>
        void FactoryReset()
        {
            bool ok = EraseRecords();
            log.WriteLine(ok ? "factory reset: done; rebooting" : "factory reset: a record could not be removed; rebooting");
            Reboot();
        }

        bool EraseRecords()
        {
            return router != null ? router.FactoryReset() : StoredRecords.FactoryReset(ports.Store);
        }

        void Reboot()
        {
            state = ProgramState.Rebooting;
            ports.System.Reboot();
        }

        /// <summary>Splits a command line on spaces; "double quotes" keep spaces in one word.</summary>
        public static string[] Split(string line)
        {
            var words = new string[8];
            int n = 0;
            int i = 0;
            while (i < line.Length && n < words.Length)
            {
                while (i < line.Length && line[i] == ' ')
                    i++;
                if (i == line.Length)
                    break;
                int start, end;
                if (line[i] == '"')
                {
                    start = i + 1;
                    end = line.IndexOf('"', start);
                    if (end < 0)
                        end = line.Length;
                    i = end + 1;
                }
                else
                {
                    start = i;
                    end = line.IndexOf(' ', start);
                    if (end < 0)
                        end = line.Length;
                    i = end;
                }
                words[n++] = line.Substring(start, end - start);
            }
            var result = new string[n];
            for (int k = 0; k < n; k++)
                result[k] = words[k];
            return result;
        }

        /// <summary>The console port as the composition's output.</summary>
        sealed class ConsoleOut : IConsoleOutput
        {
            readonly IConsolePort port;
            public ConsoleOut(IConsolePort port) { this.port = port; }
            public void WriteLine(string line)
            {
                // Multi-line answers (help) go out a line at a time.
                int start = 0;
                while (start <= line.Length)
                {
                    int end = line.IndexOf('\n', start);
                    if (end < 0)
                    {
                        if (start < line.Length)
                            port.WriteLine(line.Substring(start));
                        return;
                    }
                    port.WriteLine(line.Substring(start, end - start));
                    start = end + 1;
                }
            }
        }
    }
}

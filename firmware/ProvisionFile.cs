using Warp.Hal;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;

namespace Warp.Firmware
{
    /// <summary>What became of a provisioning file (<see cref="ProvisionFile"/>).</summary>
    public sealed class ProvisionFileResult
    {
        public const int Applied = 1;
        public const int Refused = 2;

        /// <summary><see cref="Applied"/> or <see cref="Refused"/>.</summary>
        public int State;
        /// <summary>The file's line of the first error (0: the file as a whole).</summary>
        public int Line;
        /// <summary>Why it was refused: too_large, truncated, garbled, line_count, crc, format, command, invalid, store, ...; "-" when applied.</summary>
        public string Reason = "-";
        /// <summary>The first error's text (never a secret: no configuration or password line is quoted).</summary>
        public string Detail = "";
        public bool ConfigChanged;
        public bool AccessPointChanged;
        public bool NetworksChanged;
        /// <summary>True when the file was overwritten and removed.</summary>
        public bool Wiped;
        /// <summary>When it was read (the host's clock, ms).</summary>
        public long At;

        public bool IsApplied { get { return State == Applied; } }

        public string StateName { get { return State == Applied ? "applied" : "refused"; } }

        /// <summary>"config,wifi,ap" for what an applied file changed, "-" for nothing.</summary>
        public string Changes
        {
            get
            {
                string s = "";
                if (ConfigChanged) s += ",config";
                if (NetworksChanged) s += ",wifi";
                if (AccessPointChanged) s += ",ap";
                return s.Length == 0 ? "-" : s.Substring(1);
            }
        }

        /// <summary>The human line, for `status` and the log.</summary>
        public string StatusLine()
        {
            string gone = Wiped ? "; the file was overwritten and removed" : "; the file could NOT be removed (erase it: factory-reset, or flash again)";
            if (State == Applied)
                return "provisioning file: applied (" + Changes + ")" + gone;
            return "provisioning file: refused" + (Line > 0 ? " at line " + Line.ToString() : "") + " (" + Reason + "): " + Detail
                + "; nothing was stored, the previous settings stay" + gone;
        }

        /// <summary>The machine record: "provision state=applied|refused line=N reason=R changes=C wiped=0|1 detail=...".</summary>
        public string Record()
        {
            return "provision" + ConsoleRecord.Field("state", StateName) + ConsoleRecord.Field("line", Line) + ConsoleRecord.Field("reason", Reason)
                + ConsoleRecord.Field("changes", Changes) + ConsoleRecord.Field("wiped", Wiped) + ConsoleRecord.Field("detail", Detail);
        }
    }

    /// <summary>
    /// Provisioning over the USB cable alone: the flasher leaves a file on the device's storage
    /// (nanoff --filedeployment to I:\warp-provision.txt on the ESP32, --drop-dir on Linux) and the
    /// host imports it at boot and, while running, once its length has held still for
    /// <see cref="SettleMs"/> (a file still arriving is not taken half; the device reboots then and
    /// imports at boot, see <see cref="Ready"/>). The file is the console's
    /// provisioning commands, so there is one parser (<see cref="ProvisionConsole"/>):
    /// <code>
    /// warp-provision 1
    /// wifi add SSID            then its password line (empty: an open network)
    /// ap set SSID              then its WPA2 password line
    /// config begin
    /// ...the configuration's lines...
    /// config end LINES CRC32HEX
    /// provision end LINES CRC32HEX     LINES lines before this one; CRC-32 (as zlib) of their bytes
    /// </code>
    /// Only wifi add, wifi remove, ap set and config begin/end are allowed; blank lines and '#'
    /// comments are skipped outside a transfer. The whole file is checked first against a staging
    /// copy of the store (the trailer, then every command, the configuration by the firmware's
    /// parser with errors by line); only a clean file is then run against the real store, each
    /// record written atomically as the console writes it. Whatever the outcome, the read buffer
    /// is cleared and the file is overwritten with zeros and removed. LittleFS writes out of place,
    /// so the old blocks may hold the bytes until they are reused; the overwrite is a best effort.
    /// </summary>
    public sealed class ProvisionFile
    {
        public const string FileName = "warp-provision.txt";
        public const string Header = "warp-provision 1";
        public const string Trailer = "provision end";
        /// <summary>The largest file read: a whole configuration and room for the Wi-Fi and AP lines.</summary>
        public const int MaxFileBytes = ProvisionConsole.MaxConfigBytes + 2048;
        /// <summary>While running, a file is taken once its length held still this long.</summary>
        public const int SettleMs = 2000;
        /// <summary>How often a running host looks for a file.</summary>
        public const int PollMs = 1000;
        /// <summary>The store's record of the last file's result (no secret in it), so `status` still says it after the reboot an import causes.</summary>
        public const string ResultRecord = "provision-result";

        readonly IProvisionDrop drop;
        readonly ISettingsStore store;
        readonly RouterSizes sizes;
        int seenLength = -1;
        int stuckLength = -1; // a file that could not be removed: not taken again while it stays as it is
        long seenAt;
        long nextPollAt;
        ProvisionFileResult last;
        string lastStatus, lastRecord;
        bool loaded;

        public ProvisionFile(IProvisionDrop drop, ISettingsStore store, RouterSizes sizes)
        {
            this.drop = drop;
            this.store = store;
            this.sizes = sizes;
        }

        /// <summary>The last file's result since this host started, or null.</summary>
        public ProvisionFileResult Last { get { return last; } }

        /// <summary>True when a file was imported, now or before the last reboot (the store's record).</summary>
        public bool HasResult { get { Load(); return lastStatus != null; } }

        /// <summary>The last file's human line (<see cref="ProvisionFileResult.StatusLine"/>), or "provisioning file: none".</summary>
        public string LastStatusLine { get { Load(); return lastStatus ?? "provisioning file: none"; } }

        /// <summary>The last file's machine record (<see cref="ProvisionFileResult.Record"/>), or "provision state=none".</summary>
        public string LastRecord { get { Load(); return lastRecord ?? "provision" + ConsoleRecord.Field("state", "none"); } }

        void Load()
        {
            if (loaded)
                return;
            loaded = true;
            if (store == null)
                return;
            byte[] b = new byte[1024];
            int n = store.Read(ResultRecord, b, 0, b.Length);
            if (n <= 0 || n > b.Length)
                return;
            string text = Utf8Text.Decode(b, 0, n);
            int nl = text.IndexOf('\n');
            if (nl <= 0)
                return;
            lastStatus = text.Substring(0, nl);
            lastRecord = text.Substring(nl + 1);
        }

        void Remember(ProvisionFileResult r)
        {
            loaded = true;
            lastStatus = r.StatusLine();
            lastRecord = r.Record();
            if (store == null)
                return;
            byte[] b = Utf8Text.Encode(lastStatus + "\n" + lastRecord);
            if (b.Length <= 1024)
                store.Write(ResultRecord, b, 0, b.Length);
        }

        /// <summary>
        /// Running: every <see cref="PollMs"/>, looks at the file's length; once it held still for
        /// <see cref="SettleMs"/> the file is imported. Null when nothing was imported this call.
        /// </summary>
        public ProvisionFileResult Poll(long now, IConsoleOutput log)
        {
            return Ready(now) ? Import(now, log) : null;
        }

        /// <summary>
        /// Running: every <see cref="PollMs"/>, looks at the file's length; true once a file's length
        /// held still for <see cref="SettleMs"/> (then the next call starts over). A board without
        /// PSRAM has no room for the import beside a running router, so the device reboots on this
        /// and imports at boot; the Linux host calls <see cref="Poll"/>, which imports in place.
        /// </summary>
        public bool Ready(long now)
        {
            if (drop == null || now < nextPollAt)
                return false;
            nextPollAt = now + PollMs;
            int n = drop.Length();
            if (n < 0)
            {
                seenLength = -1;
                stuckLength = -1;
                return false;
            }
            if (n == stuckLength)
                return false;
            if (n != seenLength)
            {
                seenLength = n;
                seenAt = now;
                return false;
            }
            if (now - seenAt < SettleMs)
                return false;
            seenLength = -1;
            return true;
        }

        /// <summary>Imports the file now (boot). Null when there is none.</summary>
        public ProvisionFileResult Import(long now, IConsoleOutput log)
        {
            if (drop == null)
                return null;
            byte[] buffer = new byte[MaxFileBytes + 1];
            ProvisionFileResult r;
            int n = drop.Read(buffer, 0, buffer.Length);
            if (n < 0)
                return null;
            try
            {
                r = Apply(buffer, n, now, log);
            }
            finally
            {
                for (int i = 0; i < buffer.Length; i++)
                    buffer[i] = 0; // the private key and the passwords are in it
            }
            r.At = now;
            r.Wiped = drop.Wipe();
            stuckLength = r.Wiped ? -1 : n;
            last = r;
            Remember(r);
            if (log != null)
                log.WriteLine(r.StatusLine());
            return r;
        }

        ProvisionFileResult Apply(byte[] b, int n, long now, IConsoleOutput log)
        {
            if (n > MaxFileBytes)
                return Refuse(0, "too_large", "the file has " + n.ToString() + " bytes, at most " + MaxFileBytes.ToString());
            for (int i = 0; i < n; i++)
                if (b[i] == 0)
                    return Refuse(LineAt(b, i), "garbled", "a NUL byte (a damaged or wiped file)");

            // The lines: starts[k] is line k+1's first byte; a final line without '\n' counts.
            int lines = 0;
            for (int i = 0; i < n; i++)
                if (b[i] == (byte)'\n')
                    lines++;
            if (n > 0 && b[n - 1] != (byte)'\n')
                lines++;
            if (lines == 0)
                return Refuse(0, "truncated", "the file is empty");
            int[] starts = new int[lines + 1];
            int k = 0;
            starts[k++] = 0;
            for (int i = 0; i < n && k < lines; i++)
                if (b[i] == (byte)'\n')
                    starts[k++] = i + 1;
            starts[lines] = n;

            // The trailer: the last line, "provision end LINES CRC32HEX" over the bytes before it.
            string trailer = LineText(b, starts, lines - 1);
            if (!trailer.StartsWith(Trailer + " "))
                return Refuse(lines, "truncated", "the last line is not '" + Trailer + " LINES CRC32': a truncated or garbled file");
            string args = trailer.Substring(Trailer.Length + 1).Trim();
            int space = args.IndexOf(' ');
            int count;
            uint crc;
            if (space <= 0 || !ProvisionConsole.ParseCount(args.Substring(0, space), out count) || !ProvisionConsole.ParseHex32(args.Substring(space + 1).Trim(), out crc))
                return Refuse(lines, "format", "usage: " + Trailer + " LINES CRC32HEX");
            if (count != lines - 1)
                return Refuse(lines, "line_count", (lines - 1).ToString() + " line(s) before the trailer, " + count.ToString() + " expected: a truncated or garbled file");
            uint have = DhcpLeaseTable.Crc32(b, 0, starts[lines - 1]);
            if (have != crc)
                return Refuse(lines, "crc", "CRC-32 " + ProvisionConsole.Hex32(have) + ", " + ProvisionConsole.Hex32(crc) + " expected: a garbled file");
            if (LineText(b, starts, 0) != Header)
                return Refuse(1, "format", "the first line is not '" + Header + "'");

            // A dry run on a staging copy of the store, then, only when clean, the real one.
            var staging = new StagingStore(store);
            var dryHost = new RecordingHost();
            ProvisionFileResult dry;
            try
            {
                dry = Run(new ProvisionConsole(staging, sizes, dryHost), b, starts, lines - 1, now);
            }
            finally
            {
                staging.Clear();
            }
            if (dry != null)
                return dry;
            var host = new RecordingHost();
            ProvisionFileResult real = Run(new ProvisionConsole(store, sizes, host), b, starts, lines - 1, now);
            if (real != null)
            {
                // The dry run passed, so only the store can have failed; a record may be stored.
                real.Reason = real.Reason == "invalid" ? real.Reason : "store";
                real.ConfigChanged = host.Config;
                real.NetworksChanged = host.Networks;
                real.AccessPointChanged = host.AccessPoint;
                return real;
            }
            var r = new ProvisionFileResult();
            r.State = ProvisionFileResult.Applied;
            r.ConfigChanged = host.Config;
            r.NetworksChanged = host.Networks;
            r.AccessPointChanged = host.AccessPoint;
            return r;
        }

        /// <summary>Feeds lines 2..last (1-based) to <paramref name="console"/>; null when every command answered ok, else the refusal.</summary>
        ProvisionFileResult Run(ProvisionConsole console, byte[] b, int[] starts, int last, long now)
        {
            var t = new Transcript();
            int configBegin = 0;
            int secretLine = 0;
            for (int i = 1; i < last; i++)
            {
                int line = i + 1;
                string text = LineText(b, starts, i);
                if (!console.Receiving && !console.AwaitingSecret)
                {
                    string cmd = text.Trim();
                    if (cmd.Length == 0 || cmd[0] == '#')
                        continue;
                    if (!Allowed(cmd))
                        return Refuse(line, "command", "'" + FirstWords(cmd) + "' is not allowed in a provisioning file (wifi add, wifi remove, ap set, config begin ... config end)");
                    if (cmd == "config begin")
                        configBegin = line;
                    if (cmd.StartsWith("wifi add") || cmd.StartsWith("ap set"))
                        secretLine = line + 1;
                }
                t.Reset();
                if (!console.Handle(text, now, t))
                    return Refuse(line, "command", "'" + FirstWords(text.Trim()) + "' is not a provisioning command");
                if (t.Error != null)
                {
                    if (t.ConfigError != null && configBegin > 0)
                    {
                        int cl = t.ConfigErrorLine;
                        int fileLine = cl > 0 ? configBegin + cl : line;
                        return Refuse(fileLine, "invalid", (cl > 0 ? "config line " + cl.ToString() + ": " : "") + t.ConfigError);
                    }
                    int at = line == secretLine ? line - 1 : line; // a password's refusal is its command's (the password is not quoted)
                    return Refuse(at, ReasonOf(t.Error), t.Error);
                }
            }
            if (console.Receiving)
                return Refuse(configBegin, "truncated", "'config begin' without 'config end LINES CRC32'");
            if (console.AwaitingSecret)
                return Refuse(secretLine - 1, "truncated", "the password line is missing");
            return null;
        }

        static bool Allowed(string cmd)
        {
            return cmd == "config begin" || StartsWithWord(cmd, "config end") || StartsWithWord(cmd, "wifi add")
                || StartsWithWord(cmd, "wifi remove") || StartsWithWord(cmd, "ap set");
        }

        static bool StartsWithWord(string cmd, string prefix)
        {
            return cmd == prefix || (cmd.Length > prefix.Length && cmd.StartsWith(prefix) && cmd[prefix.Length] == ' ');
        }

        /// <summary>The first two words (a command, never a password or a configuration line: only called outside them).</summary>
        static string FirstWords(string cmd)
        {
            int a = cmd.IndexOf(' ');
            if (a < 0)
                return cmd.Length > 32 ? cmd.Substring(0, 32) : cmd;
            int c = cmd.IndexOf(' ', a + 1);
            string s = c < 0 ? cmd : cmd.Substring(0, c);
            return s.Length > 32 ? s.Substring(0, 32) : s;
        }

        /// <summary>"error config reason=crc ..." gives "crc".</summary>
        static string ReasonOf(string error)
        {
            int i = error.IndexOf("reason=");
            if (i < 0)
                return "refused";
            int e = i + 7;
            while (e < error.Length && error[e] != ' ' && error[e] != ':' && error[e] != ';')
                e++;
            return error.Substring(i + 7, e - i - 7);
        }

        static ProvisionFileResult Refuse(int line, string reason, string detail)
        {
            var r = new ProvisionFileResult();
            r.State = ProvisionFileResult.Refused;
            r.Line = line;
            r.Reason = reason;
            r.Detail = detail;
            return r;
        }

        /// <summary>Line k (0-based) as text, without its '\n' or a '\r' before it.</summary>
        static string LineText(byte[] b, int[] starts, int k)
        {
            int s = starts[k];
            int e = starts[k + 1];
            if (e > s && b[e - 1] == (byte)'\n')
                e--;
            if (e > s && b[e - 1] == (byte)'\r')
                e--;
            return Utf8Text.Decode(b, s, e - s);
        }

        static int LineAt(byte[] b, int index)
        {
            int line = 1;
            for (int i = 0; i < index; i++)
                if (b[i] == (byte)'\n')
                    line++;
            return line;
        }

        /// <summary>The console's answers during an import: the first error line and the configuration's first error.</summary>
        sealed class Transcript : IConsoleOutput
        {
            public string Error;
            public string ConfigError;
            public int ConfigErrorLine;

            public void Reset()
            {
                Error = null;
                ConfigError = null;
                ConfigErrorLine = 0;
            }

            public void WriteLine(string line)
            {
                if (line == null)
                    return;
                if (Error == null && line.StartsWith("error"))
                    Error = line;
                // RouterConfig.Report's form: "config: line N: text" (warnings say "config: warning: ...").
                if (ConfigError == null && line.StartsWith("config: ") && !line.StartsWith("config: warning: "))
                {
                    string rest = line.Substring(8);
                    if (rest.StartsWith("line "))
                    {
                        int colon = rest.IndexOf(':');
                        int n;
                        if (colon > 5 && ProvisionConsole.ParseCount(rest.Substring(5, colon - 5), out n))
                        {
                            ConfigErrorLine = n;
                            ConfigError = rest.Substring(colon + 1).Trim();
                            return;
                        }
                    }
                    ConfigError = rest;
                }
            }
        }

        /// <summary>Notes what a run changed; nothing is applied from here (the host does that).</summary>
        sealed class RecordingHost : IProvisionHost
        {
            public bool Config, AccessPoint, Networks;
            public void ConfigStored() { Config = true; }
            public void AccessPointStored() { AccessPoint = true; }
            public void NetworksChanged() { Networks = true; }
            public void Reboot() { }
            public bool FactoryReset() { return false; }
            public string JoinedNetwork { get { return null; } }
        }

        /// <summary>The real store underneath, writes kept in memory: the dry run's store. Cleared after use.</summary>
        sealed class StagingStore : ISettingsStore
        {
            const int Slots = 8;
            readonly ISettingsStore under;
            readonly string[] names = new string[Slots];
            readonly byte[][] data = new byte[Slots][];
            readonly bool[] deleted = new bool[Slots];
            int used;

            public StagingStore(ISettingsStore under) { this.under = under; }

            int Find(string name)
            {
                for (int i = 0; i < used; i++)
                    if (names[i] == name)
                        return i;
                return -1;
            }

            public int Read(string name, byte[] buffer, int offset, int count)
            {
                int i = Find(name);
                if (i < 0)
                    return under == null ? -1 : under.Read(name, buffer, offset, count);
                if (deleted[i])
                    return -1;
                byte[] d = data[i];
                int n = d.Length < count ? d.Length : count;
                for (int k = 0; k < n; k++)
                    buffer[offset + k] = d[k];
                return d.Length;
            }

            public bool Write(string name, byte[] buffer, int offset, int count)
            {
                if (under == null)
                    return false;
                int i = Find(name);
                if (i < 0)
                {
                    if (used == Slots)
                        return false;
                    i = used++;
                    names[i] = name;
                }
                Wipe(i);
                byte[] d = new byte[count];
                for (int k = 0; k < count; k++)
                    d[k] = buffer[offset + k];
                data[i] = d;
                deleted[i] = false;
                return true;
            }

            public bool Delete(string name)
            {
                int i = Find(name);
                if (i < 0)
                {
                    if (used == Slots)
                        return false;
                    i = used++;
                    names[i] = name;
                }
                Wipe(i);
                deleted[i] = true;
                return true;
            }

            void Wipe(int i)
            {
                byte[] d = data[i];
                if (d != null)
                    for (int k = 0; k < d.Length; k++)
                        d[k] = 0;
                data[i] = null;
            }

            public void Clear()
            {
                for (int i = 0; i < used; i++)
                    Wipe(i);
                used = 0;
            }
        }
    }
}

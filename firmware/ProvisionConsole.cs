using Warp.Hal;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;

namespace Warp.Firmware
{
    /// <summary>What a host does when the provisioning console has changed the stored state.</summary>
    public interface IProvisionHost
    {
        /// <summary>A checked configuration was stored: apply it (the device reboots; Linux restarts the router core from the store).</summary>
        void ConfigStored();

        /// <summary>The SoftAP record changed (the device applies it with a reboot).</summary>
        void AccessPointStored();

        /// <summary>The uplink network list changed (the station reloads it).</summary>
        void NetworksChanged();

        /// <summary>`reboot`: the device restarts; Linux restarts the router core from the store.</summary>
        void Reboot();

        /// <summary>`factory-reset`: erase the stored state (<see cref="StoredRecords.FactoryReset"/>), then restart as <see cref="Reboot"/> does. False when a record could not be removed.</summary>
        bool FactoryReset();

        /// <summary>The uplink network the station is on now, or null.</summary>
        string JoinedNetwork { get; }
    }

    /// <summary>
    /// The provisioning commands of the serial console, the same on the device and on the Linux
    /// host (`warp-router run --serial PATH`). Line based and bounded; every answer ends in a line
    /// that starts with "ok" or "error" (or, for `wifi list -m`, the machine form's end line).
    /// <code>
    /// config begin                      start a transfer (a new begin discards a half one)
    ///   ...the configuration's lines...   not echoed; at most MaxLines lines of MaxLineBytes bytes
    /// config end LINES CRC32HEX         LINES lines whose CRC-32 (IEEE, as zlib) over each line
    ///                                   followed by "\n" is CRC32HEX: checked whole by the firmware's
    ///                                   parser (errors by line), stored only when clean, then applied
    /// config abort                      discards the transfer
    /// wifi add SSID                     then the password on the next line (empty: an open network)
    /// wifi remove SSID | wifi list [-m]
    /// ap set SSID                       then the WPA2 password on the next line
    /// reboot | factory-reset
    /// </code>
    /// A transfer or a password line not finished within <see cref="TimeoutMs"/> of the last line
    /// is discarded. The configuration's lines and the passwords are never echoed or logged; the
    /// capture buffer is cleared after use.
    /// </summary>
    public sealed class ProvisionConsole
    {
        /// <summary>The longest configuration line accepted (bytes of UTF-8).</summary>
        public const int MaxLineBytes = 512;
        /// <summary>The most lines a configuration may have.</summary>
        public const int MaxLines = 256;
        /// <summary>The largest configuration stored (the device's record buffer).</summary>
        public const int MaxConfigBytes = 8192;
        /// <summary>Silence after which a half transfer or a pending password line is discarded.</summary>
        public const int TimeoutMs = 30000;

        const int PendingNone = 0, PendingWifi = 1, PendingAp = 2;
        const int DefaultChannel = 6;

        readonly ISettingsStore store;
        readonly RouterSizes sizes;
        readonly IProvisionHost host;

        byte[] capture;
        int captureLength = -1; // -1: no transfer
        int captureLines;
        int badLine;            // first line too long (0: none)
        bool tooLarge;
        long lastLineAt;

        int pending = PendingNone;
        string pendingSsid;
        long pendingAt;

        public ProvisionConsole(ISettingsStore store, RouterSizes sizes, IProvisionHost host)
        {
            this.store = store;
            this.sizes = sizes;
            this.host = host;
        }

        /// <summary>True while a configuration transfer is open.</summary>
        public bool Receiving { get { return captureLength >= 0; } }

        /// <summary>True while the next line is taken as a password.</summary>
        public bool AwaitingSecret { get { return pending != PendingNone; } }

        public const string Help =
            "provisioning commands:\n" +
            "  config begin  then the lines, then 'config end LINES CRC32'   load a configuration (checked whole)\n" +
            "  config abort                    discard a transfer\n" +
            "  wifi add SSID                   then the password on the next line (not echoed)\n" +
            "  wifi remove SSID | wifi list [-m]\n" +
            "  ap set SSID                     then the WPA2 password on the next line\n" +
            "  reboot | factory-reset\n";

        /// <summary>Discards a transfer or a pending password line silent for <see cref="TimeoutMs"/>; call each turn of the loop.</summary>
        public void Poll(long now, IConsoleOutput o)
        {
            if (captureLength >= 0 && now - lastLineAt >= TimeoutMs)
            {
                Discard();
                o.WriteLine("error config reason=timeout: the transfer was discarded; nothing stored");
            }
            if (pending != PendingNone && now - pendingAt >= TimeoutMs)
            {
                string what = pending == PendingWifi ? "wifi" : "ap";
                pending = PendingNone;
                pendingSsid = null;
                o.WriteLine("error " + what + " reason=timeout: no password line; nothing stored");
            }
        }

        /// <summary>
        /// Runs one console line if it belongs here: a provisioning command, a line of a transfer or
        /// a password line. False when the host should run it (status, help, ...).
        /// </summary>
        public bool Handle(string line, long now, IConsoleOutput o)
        {
            if (line == null)
                return false;
            Poll(now, o);
            if (line.Length > 0 && line[line.Length - 1] == '\r')
                line = line.Substring(0, line.Length - 1);
            if (pending != PendingNone)
            {
                Secret(line, o);
                return true;
            }
            string cmd = line.Trim();
            if (captureLength >= 0)
            {
                if (StartsWithWord(cmd, "config end") || cmd == "config abort" || cmd == "config begin")
                    return Command(cmd, now, o);
                Capture(line, now);
                return true;
            }
            return Command(cmd, now, o);
        }

        bool Command(string cmd, long now, IConsoleOutput o)
        {
            if (cmd == "config begin")
            {
                bool restarted = captureLength >= 0;
                Discard();
                capture = new byte[MaxConfigBytes];
                captureLength = 0;
                captureLines = 0;
                badLine = 0;
                tooLarge = false;
                lastLineAt = now;
                o.WriteLine("ok config receiving" + ConsoleRecord.Field("max_lines", MaxLines) + ConsoleRecord.Field("max_line_bytes", MaxLineBytes)
                    + (restarted ? ConsoleRecord.Field("discarded", "previous") : ""));
                return true;
            }
            if (cmd == "config abort")
            {
                if (captureLength < 0)
                {
                    o.WriteLine("error config reason=no_transfer");
                    return true;
                }
                Discard();
                o.WriteLine("ok config aborted");
                return true;
            }
            if (StartsWithWord(cmd, "config end"))
            {
                End(cmd.Substring(10).Trim(), o);
                return true;
            }
            if (StartsWithWord(cmd, "wifi add"))
            {
                string ssid = Unquote(cmd.Substring(8).Trim());
                if (!UsableSsid(ssid))
                {
                    o.WriteLine("error wifi reason=bad_ssid: a name of 1 to 32 characters");
                    return true;
                }
                pending = PendingWifi;
                pendingSsid = ssid;
                pendingAt = now;
                o.WriteLine("wifi: the password for " + ssid + " on the next line (not echoed; empty for an open network)");
                return true;
            }
            if (StartsWithWord(cmd, "wifi remove"))
            {
                string ssid = Unquote(cmd.Substring(11).Trim());
                StationList list = LoadNetworks();
                if (!list.Remove(ssid))
                {
                    o.WriteLine("error wifi reason=not_stored" + ConsoleRecord.Field("ssid", ssid));
                    return true;
                }
                if (!SaveNetworks(list))
                {
                    o.WriteLine("error wifi reason=store");
                    return true;
                }
                host.NetworksChanged();
                o.WriteLine("ok wifi removed" + ConsoleRecord.Field("ssid", ssid) + ConsoleRecord.Field("networks", list.Count));
                return true;
            }
            if (cmd == "wifi list" || cmd == "wifi list " + ConsoleRecord.Flag)
            {
                ListNetworks(cmd != "wifi list", o);
                return true;
            }
            if (StartsWithWord(cmd, "ap set"))
            {
                string ssid = Unquote(cmd.Substring(6).Trim());
                if (!UsableSsid(ssid))
                {
                    o.WriteLine("error ap reason=bad_ssid: a name of 1 to 32 characters");
                    return true;
                }
                pending = PendingAp;
                pendingSsid = ssid;
                pendingAt = now;
                o.WriteLine("ap: the WPA2 password for " + ssid + " on the next line (not echoed; 8 to 63 characters)");
                return true;
            }
            if (cmd == "reboot")
            {
                o.WriteLine("ok reboot");
                host.Reboot();
                return true;
            }
            if (cmd == "factory-reset")
            {
                bool ok = host.FactoryReset();
                o.WriteLine(ok ? "ok factory-reset" : "error factory-reset reason=store: a record could not be removed");
                host.Reboot();
                return true;
            }
            return false;
        }

        // ------------------------------------------------------------------ configuration transfer

        void Capture(string line, long now)
        {
            lastLineAt = now;
            captureLines++;
            if (captureLines > MaxLines || badLine != 0 || tooLarge)
                return; // refused at the end; keep counting
            byte[] b = Utf8Text.Encode(line);
            if (b.Length > MaxLineBytes)
                badLine = captureLines;
            else if (captureLength + b.Length + 1 > capture.Length)
                tooLarge = true;
            else
            {
                for (int i = 0; i < b.Length; i++)
                    capture[captureLength++] = b[i];
                capture[captureLength++] = (byte)'\n';
            }
            for (int i = 0; i < b.Length; i++)
                b[i] = 0;
        }

        void End(string args, IConsoleOutput o)
        {
            if (captureLength < 0)
            {
                o.WriteLine("error config reason=no_transfer: send 'config begin' first");
                return;
            }
            int space = args.IndexOf(' ');
            int lines;
            uint crc;
            if (args.Length == 0)
            {
                // A person pasting: say what arrived and keep the transfer open for the confirmation.
                o.WriteLine("error config reason=no_count: received " + captureLines.ToString() + " line(s), CRC-32 "
                    + Hex32(DhcpLeaseTable.Crc32(capture, 0, captureLength)) + "; send 'config end " + captureLines.ToString() + " "
                    + Hex32(DhcpLeaseTable.Crc32(capture, 0, captureLength)) + "' to check and store it, or 'config abort'");
                return;
            }
            if (space <= 0 || !ParseCount(args.Substring(0, space), out lines) || !ParseHex32(args.Substring(space + 1).Trim(), out crc))
            {
                Discard();
                o.WriteLine("error config reason=usage: config end LINES CRC32HEX; the transfer was discarded");
                return;
            }
            int got = captureLines;
            if (got > MaxLines)
            {
                Discard();
                o.WriteLine("error config reason=too_many_lines" + ConsoleRecord.Field("lines", got) + ConsoleRecord.Field("max", MaxLines) + "; nothing stored");
                return;
            }
            if (badLine != 0)
            {
                int l = badLine;
                Discard();
                o.WriteLine("config: line " + l.ToString() + ": longer than " + MaxLineBytes.ToString() + " bytes");
                o.WriteLine("error config reason=line_too_long" + ConsoleRecord.Field("line", l) + "; nothing stored");
                return;
            }
            if (tooLarge)
            {
                Discard();
                o.WriteLine("error config reason=too_large" + ConsoleRecord.Field("max_bytes", MaxConfigBytes) + "; nothing stored");
                return;
            }
            if (got != lines)
            {
                Discard();
                o.WriteLine("error config reason=line_count" + ConsoleRecord.Field("received", got) + ConsoleRecord.Field("expected", lines)
                    + ": a truncated or garbled transfer; nothing stored");
                return;
            }
            uint have = DhcpLeaseTable.Crc32(capture, 0, captureLength);
            if (have != crc)
            {
                Discard();
                o.WriteLine("error config reason=crc" + ConsoleRecord.Field("received", Hex32(have)) + ConsoleRecord.Field("expected", Hex32(crc))
                    + ": a garbled transfer; nothing stored");
                return;
            }
            var d = new ConfigDiagnostics();
            RouterSettings s = RouterConfig.Load(capture, 0, captureLength, sizes, d);
            RouterConfig.Report(d, "config", o);
            if (s == null)
            {
                int first = d.StoredErrorCount > 0 ? d.Error(0).Line : 0;
                Discard();
                o.WriteLine("error config reason=invalid" + ConsoleRecord.Field("errors", d.ErrorCount) + ConsoleRecord.Field("line", first) + "; nothing stored");
                return;
            }
            s.ClearSecrets();
            bool stored = store != null && store.Write(StoredRecords.Config, capture, 0, captureLength);
            int n = captureLength;
            Discard();
            if (!stored)
            {
                o.WriteLine("error config reason=store: could not be stored");
                return;
            }
            o.WriteLine("ok config stored" + ConsoleRecord.Field("lines", got) + ConsoleRecord.Field("bytes", n) + ConsoleRecord.Field("crc", Hex32(crc))
                + ConsoleRecord.Field("warnings", d.WarningCount));
            host.ConfigStored();
        }

        void Discard()
        {
            if (capture != null)
                for (int i = 0; i < capture.Length; i++)
                    capture[i] = 0;
            capture = null;
            captureLength = -1;
            captureLines = 0;
            badLine = 0;
            tooLarge = false;
        }

        // ------------------------------------------------------------------ secrets

        void Secret(string password, IConsoleOutput o)
        {
            int kind = pending;
            string ssid = pendingSsid;
            pending = PendingNone;
            pendingSsid = null;
            if (kind == PendingWifi)
            {
                if (password.Length != 0 && (password.Length < 8 || password.Length > 63))
                {
                    o.WriteLine("error wifi reason=bad_password: 8 to 63 characters, or empty for an open network; nothing stored");
                    return;
                }
                StationList list = LoadNetworks();
                if (!list.Add(ssid, password))
                {
                    o.WriteLine("error wifi reason=full: at most " + StationList.MaxNetworks.ToString() + " networks; nothing stored");
                    return;
                }
                if (!SaveNetworks(list))
                {
                    o.WriteLine("error wifi reason=store");
                    return;
                }
                host.NetworksChanged();
                o.WriteLine("ok wifi added" + ConsoleRecord.Field("ssid", ssid) + ConsoleRecord.Field("networks", list.Count));
                return;
            }
            if (password.Length < 8 || password.Length > 63 || password.IndexOf('\n') >= 0)
            {
                o.WriteLine("error ap reason=bad_password: the WPA2 password must be 8 to 63 characters; nothing stored");
                return;
            }
            int channel = StoredChannel();
            byte[] record = Utf8Text.Encode(ssid + "\n" + password + "\n" + channel.ToString());
            bool ok = store != null && store.Write(StoredRecords.SoftAp, record, 0, record.Length);
            for (int i = 0; i < record.Length; i++)
                record[i] = 0;
            if (!ok)
            {
                o.WriteLine("error ap reason=store");
                return;
            }
            o.WriteLine("ok ap stored" + ConsoleRecord.Field("ssid", ssid) + ConsoleRecord.Field("channel", channel));
            host.AccessPointStored();
        }

        /// <summary>The channel of the stored SoftAP record, or the default.</summary>
        int StoredChannel()
        {
            if (store == null)
                return DefaultChannel;
            byte[] b = new byte[256];
            int n = store.Read(StoredRecords.SoftAp, b, 0, b.Length);
            int channel = DefaultChannel;
            if (n > 0 && n <= b.Length)
            {
                int last = n;
                while (last > 0 && b[last - 1] != (byte)'\n')
                    last--;
                int c = 0;
                bool digits = last < n;
                for (int i = last; i < n; i++)
                {
                    if (b[i] < (byte)'0' || b[i] > (byte)'9') { digits = false; break; }
                    c = c * 10 + (b[i] - '0');
                }
                if (digits && c >= 1 && c <= 13)
                    channel = c;
            }
            for (int i = 0; i < b.Length; i++)
                b[i] = 0;
            return channel;
        }

        // ------------------------------------------------------------------ networks

        StationList LoadNetworks()
        {
            if (store == null)
                return new StationList();
            byte[] b = new byte[StationList.MaxRecordBytes];
            int n = store.Read(StoredRecords.Networks, b, 0, b.Length);
            StationList list = StationList.Parse(b, 0, n < 0 ? 0 : n > b.Length ? b.Length : n);
            for (int i = 0; i < b.Length; i++)
                b[i] = 0;
            return list;
        }

        bool SaveNetworks(StationList list)
        {
            if (store == null)
                return false;
            byte[] b = list.ToBytes();
            bool ok = store.Write(StoredRecords.Networks, b, 0, b.Length);
            for (int i = 0; i < b.Length; i++)
                b[i] = 0;
            return ok;
        }

        void ListNetworks(bool machine, IConsoleOutput o)
        {
            StationList list = LoadNetworks();
            string joined = host.JoinedNetwork;
            for (int i = 0; i < list.Count; i++)
            {
                if (machine)
                    o.WriteLine("wifi" + ConsoleRecord.Field("ssid", list.Ssid(i)) + ConsoleRecord.Field("order", i)
                        + ConsoleRecord.Field("open", list.Password(i).Length == 0) + ConsoleRecord.Field("joined", list.Ssid(i) == joined));
                else
                    o.WriteLine("  " + list.Ssid(i) + (list.Ssid(i) == joined ? "  (joined)" : ""));
            }
            if (machine)
                o.WriteLine(ConsoleRecord.End(list.Count));
            else
                o.WriteLine("ok wifi" + ConsoleRecord.Field("networks", list.Count) + " (tried in this order; passwords hidden)");
        }

        // ------------------------------------------------------------------ helpers

        /// <summary>The CRC-32 (IEEE 802.3, as zlib) a sender puts in `config end`: over each line followed by "\n".</summary>
        public static uint TransferCrc(string[] lines)
        {
            string text = "";
            for (int i = 0; i < lines.Length; i++)
                text += lines[i] + "\n";
            byte[] b = Utf8Text.Encode(text);
            return DhcpLeaseTable.Crc32(b, 0, b.Length);
        }

        static bool StartsWithWord(string cmd, string prefix)
        {
            return cmd == prefix || (cmd.Length > prefix.Length && cmd.StartsWith(prefix) && cmd[prefix.Length] == ' ');
        }

        static string Unquote(string s)
        {
            if (s.Length >= 2 && s[0] == '"' && s[s.Length - 1] == '"')
                return s.Substring(1, s.Length - 2);
            return s;
        }

        static bool UsableSsid(string ssid)
        {
            return ssid.Length > 0 && ssid.Length <= 32 && ssid.IndexOf('\t') < 0 && ssid.IndexOf('\n') < 0;
        }

        /// <summary>A decimal count of up to six digits (line counts); shared with the provisioning file.</summary>
        internal static bool ParseCount(string s, out int value)
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

        /// <summary>Up to eight hex digits (the CRC32 trailers); shared with the provisioning file.</summary>
        internal static bool ParseHex32(string s, out uint value)
        {
            value = 0;
            if (s.Length == 0 || s.Length > 8)
                return false;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (d < 0)
                    return false;
                value = (value << 4) | (uint)d;
            }
            return true;
        }

        /// <summary>Eight upper-case hex digits.</summary>
        public static string Hex32(uint v)
        {
            const string digits = "0123456789ABCDEF";
            char[] c = new char[8];
            for (int i = 7; i >= 0; i--)
            {
                c[i] = digits[(int)(v & 15)];
                v >>= 4;
            }
            return new string(c);
        }
    }
}

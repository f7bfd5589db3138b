namespace Warp.Protocol.Config
{
    /// <summary>
    /// Reads a wg-quick configuration file with our [Router] section into a <see cref="RouterSettings"/>.
    /// <para>
    /// Syntax (as wg-quick): "[Section]" headers; "Key = Value" lines; key and section names in any
    /// case; '#' (wg-quick) and ';' start a comment anywhere on a line; blank lines, CRLF and white
    /// space around names and values are ignored. Repeatable keys (Address, DNS, Endpoint,
    /// AllowedIPs, StaticLease, Resolver) take comma-separated lists and may also be repeated.
    /// </para>
    /// <para>
    /// Every problem becomes an error naming the line and the key ("line 7: PrivateKey: not 32
    /// bytes of base64"); parsing goes on to the end of the file and collects all of them (up to
    /// <see cref="ConfigDiagnostics.MaxErrors"/> stored). Nothing here throws on any input; key
    /// values never appear in messages. Linux-only wg-quick keys (Table, PreUp, PostUp, PreDown,
    /// PostDown, SaveConfig, FwMark) are ignored with a warning.
    /// </para>
    /// <para>
    /// Memory: lines are scanned by index, so only each key's name and value become strings. The
    /// 33-line WARP sample (1 KB) allocates about 9 KB on 64-bit .NET (ConfigFuzzTests measures
    /// it), most of it garbage at once; the device needs less (smaller object headers). Parsing
    /// from bytes adds the decoded text (two bytes per character). Strings that held a
    /// key's base64 text cannot be cleared (strings are immutable); the decoded key arrays can be,
    /// with <see cref="RouterSettings.ClearSecrets"/>.
    /// </para>
    /// </summary>
    public sealed class WgQuickParser
    {
        readonly RouterSettings settings = new RouterSettings();
        readonly ConfigDiagnostics diagnostics;
        readonly ConfigLines lines = new ConfigLines();
        /// <summary>Line on which each singleton key was first given in the current section (0: not yet).</summary>
        readonly int[] seen = new int[WgQuickKeys.Count];
        int section = WgQuickKeys.SectionNone;
        /// <summary>True while inside a section whose keys are skipped (unknown, duplicate, or a [Peer] beyond the limit).</summary>
        bool skipping;
        PeerSettings peer;
        int peerIndex = -1;

        WgQuickParser(ConfigDiagnostics diagnostics)
        {
            this.diagnostics = diagnostics;
        }

        /// <summary>
        /// Parses a file held as UTF-8 bytes (as read from flash or disk). Returns the settings, or
        /// null when <paramref name="diagnostics"/> has errors (any keys read are cleared then).
        /// </summary>
        public static RouterSettings Parse(byte[] data, int offset, int length, ConfigDiagnostics diagnostics)
        {
            if (length > ConfigLimits.MaxFileLength * 4)
            {
                diagnostics.AddError(0, "larger than " + ConfigLimits.MaxFileLength.ToString() + " characters");
                return null;
            }
            return Parse(Utf8Text.Decode(data, offset, length), diagnostics);
        }

        /// <summary>Parses file text. Returns the settings, or null when <paramref name="diagnostics"/> has errors.</summary>
        public static RouterSettings Parse(string text, ConfigDiagnostics diagnostics)
        {
            if (text == null)
                text = "";
            if (text.Length > ConfigLimits.MaxFileLength)
            {
                diagnostics.AddError(0, "larger than " + ConfigLimits.MaxFileLength.ToString() + " characters");
                return null;
            }
            WgQuickParser parser = new WgQuickParser(diagnostics);
            parser.ReadLines(text);
            ConfigValidator.Validate(parser.settings, parser.lines, diagnostics);
            parser.settings.KeyLines = parser.lines.Key;
            if (diagnostics.HasErrors)
            {
                parser.settings.ClearSecrets();
                return null;
            }
            return parser.settings;
        }

        void ReadLines(string text)
        {
            int start = 0;
            int number = 0;
            while (start < text.Length)
            {
                int end = text.IndexOf('\n', start);
                if (end < 0)
                    end = text.Length;
                number++;
                int stop = end;
                if (stop > start && text[stop - 1] == '\r')
                    stop--;
                if (stop - start > ConfigLimits.MaxLineLength)
                    Error(number, "line longer than " + ConfigLimits.MaxLineLength.ToString() + " characters");
                else
                    ReadLine(number, text, start, stop);
                start = end + 1;
            }
        }

        /// <summary>Reads text[start, stop): works on indices so that only the name and value become strings.</summary>
        void ReadLine(int number, string text, int start, int stop)
        {
            for (int k = start; k < stop; k++)
            {
                if (text[k] == '#' || text[k] == ';')
                {
                    stop = k;
                    break;
                }
            }
            while (start < stop && IsSpace(text[start]))
                start++;
            while (stop > start && IsSpace(text[stop - 1]))
                stop--;
            if (start == stop)
                return;
            if (text[start] == '[')
            {
                ReadSectionHeader(number, text.Substring(start, stop - start));
                return;
            }
            int equals = -1;
            for (int k = start; k < stop; k++)
            {
                if (text[k] == '=')
                {
                    equals = k;
                    break;
                }
            }
            if (equals < 0)
            {
                Error(number, "expected \"Key = Value\" or a [Section] header");
                return;
            }
            int nameStop = equals;
            while (nameStop > start && IsSpace(text[nameStop - 1]))
                nameStop--;
            int valueStart = equals + 1;
            while (valueStart < stop && IsSpace(text[valueStart]))
                valueStart++;
            if (nameStop == start)
            {
                Error(number, "a key name is missing before '='");
                return;
            }
            if (skipping)
                return;
            string name = text.Substring(start, nameStop - start);
            if (this.section == WgQuickKeys.SectionNone)
            {
                Error(number, ConfigValues.Quotable(name, true) + ": outside any section (put it under [Interface], [Peer] or [Router])");
                return;
            }
            string value = text.Substring(valueStart, stop - valueStart);
            int key = WgQuickKeys.Find(name);
            if (key == WgQuickKeys.None)
            {
                if (this.section == WgQuickKeys.SectionInterface && WgQuickKeys.IsLinuxOnly(name))
                    this.diagnostics.AddWarning(number, ConfigValues.Quotable(name, true) + ": ignored (only wg-quick on Linux uses it)");
                else
                    Error(number, ConfigValues.Quotable(name, true) + ": unknown key in " + WgQuickKeys.SectionName(this.section));
                return;
            }
            string keyName = WgQuickKeys.Name(key);
            int home = WgQuickKeys.SectionOf(key);
            if (home != this.section)
            {
                Error(number, keyName + ": belongs in " + WgQuickKeys.SectionName(home) + ", not " + WgQuickKeys.SectionName(this.section));
                return;
            }
            if (!WgQuickKeys.IsRepeatable(key))
            {
                if (seen[key] != 0)
                {
                    Error(number, keyName + ": given twice in one section (first on line " + seen[key].ToString() + ")");
                    return;
                }
                seen[key] = number;
            }
            if (value.Length == 0)
            {
                MarkBad(key);
                Error(number, keyName + ": no value");
                return;
            }
            string problem = ConfigKeyReader.Read(key, value, this.settings, peer, this.lines, peerIndex, number, this.diagnostics);
            if (problem != null)
            {
                MarkBad(key);
                Error(number, keyName + ": " + problem);
            }
        }

        void ReadSectionHeader(int number, string line)
        {
            if (line[line.Length - 1] != ']')
            {
                Error(number, "a section header must be [Interface], [Peer] or [Router]");
                this.section = WgQuickKeys.SectionPeer; // some section, so its keys do not each report "outside any section"
                skipping = true;
                return;
            }
            string name = line.Substring(1, line.Length - 2).Trim();
            int section = WgQuickKeys.FindSection(name);
            skipping = false;
            if (section == WgQuickKeys.SectionNone)
            {
                Error(number, "unknown section [" + ConfigValues.Quotable(name, true) + "] (expected [Interface], [Peer] or [Router]); its keys are skipped");
                this.section = WgQuickKeys.SectionPeer;
                skipping = true;
                return;
            }
            this.section = section;
            if (section == WgQuickKeys.SectionInterface || section == WgQuickKeys.SectionRouter)
            {
                int first = section == WgQuickKeys.SectionInterface ? this.lines.Interface : this.lines.Router;
                if (first != 0)
                {
                    Error(number, WgQuickKeys.SectionName(section) + " given twice (first on line " + first.ToString() + "); this one is skipped");
                    skipping = true;
                    return;
                }
                if (section == WgQuickKeys.SectionInterface)
                    this.lines.Interface = number;
                else
                    this.lines.Router = number;
                return;
            }
            // [Peer]
            if (this.settings.Peers.Length == ConfigLimits.MaxPeers)
            {
                Error(number, "more than " + ConfigLimits.MaxPeers.ToString() + " [Peer] sections; this one is skipped");
                skipping = true;
                return;
            }
            for (int k = WgQuickKeys.PublicKey; k <= WgQuickKeys.ClientId; k++)
                seen[k] = 0;
            peer = new PeerSettings();
            this.settings.Peers = ConfigLimits.Append(this.settings.Peers, peer);
            peerIndex = this.settings.Peers.Length - 1;
            this.lines.Peer[peerIndex] = number;
        }

        /// <summary>Remembers that a key's value was refused, so the validator does not also call it missing or check it further.</summary>
        void MarkBad(int key)
        {
            this.lines.Bad[key] = true;
            if (WgQuickKeys.SectionOf(key) == WgQuickKeys.SectionPeer && peerIndex >= 0)
                this.lines.PeerBad[peerIndex] |= 1 << key;
        }

        /// <summary>White space as wg-quick trims it (space, tab and the other ASCII controls).</summary>
        static bool IsSpace(char c)
        {
            return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
        }

        void Error(int line, string text)
        {
            this.diagnostics.AddError(line, text);
        }
    }
}

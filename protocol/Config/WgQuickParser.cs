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
        readonly RouterSettings _settings = new RouterSettings();
        readonly ConfigDiagnostics _diagnostics;
        readonly ConfigLines _lines = new ConfigLines();
        /// <summary>Line on which each singleton key was first given in the current section (0: not yet).</summary>
        readonly int[] _seen = new int[WgQuickKeys.Count];
        int _section = WgQuickKeys.SectionNone;
        /// <summary>True while inside a section whose keys are skipped (unknown, duplicate, or a [Peer] beyond the limit).</summary>
        bool _skipping;
        PeerSettings _peer;
        int _peerIndex = -1;

        WgQuickParser(ConfigDiagnostics diagnostics)
        {
            _diagnostics = diagnostics;
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
            ConfigValidator.Validate(parser._settings, parser._lines, diagnostics);
            parser._settings.KeyLines = parser._lines.Key;
            if (diagnostics.HasErrors)
            {
                parser._settings.ClearSecrets();
                return null;
            }
            return parser._settings;
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
            if (_skipping)
                return;
            string name = text.Substring(start, nameStop - start);
            if (_section == WgQuickKeys.SectionNone)
            {
                Error(number, ConfigValues.Quotable(name, true) + ": outside any section (put it under [Interface], [Peer] or [Router])");
                return;
            }
            string value = text.Substring(valueStart, stop - valueStart);
            int key = WgQuickKeys.Find(name);
            if (key == WgQuickKeys.None)
            {
                if (_section == WgQuickKeys.SectionInterface && WgQuickKeys.IsLinuxOnly(name))
                    _diagnostics.AddWarning(number, ConfigValues.Quotable(name, true) + ": ignored (only wg-quick on Linux uses it)");
                else
                    Error(number, ConfigValues.Quotable(name, true) + ": unknown key in " + WgQuickKeys.SectionName(_section));
                return;
            }
            string keyName = WgQuickKeys.Name(key);
            int home = WgQuickKeys.SectionOf(key);
            if (home != _section)
            {
                Error(number, keyName + ": belongs in " + WgQuickKeys.SectionName(home) + ", not " + WgQuickKeys.SectionName(_section));
                return;
            }
            if (!WgQuickKeys.IsRepeatable(key))
            {
                if (_seen[key] != 0)
                {
                    Error(number, keyName + ": given twice in one section (first on line " + _seen[key].ToString() + ")");
                    return;
                }
                _seen[key] = number;
            }
            if (value.Length == 0)
            {
                MarkBad(key);
                Error(number, keyName + ": no value");
                return;
            }
            string problem = ConfigKeyReader.Read(key, value, _settings, _peer, _lines, _peerIndex, number, _diagnostics);
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
                _section = WgQuickKeys.SectionPeer; // some section, so its keys do not each report "outside any section"
                _skipping = true;
                return;
            }
            string name = line.Substring(1, line.Length - 2).Trim();
            int section = WgQuickKeys.FindSection(name);
            _skipping = false;
            if (section == WgQuickKeys.SectionNone)
            {
                Error(number, "unknown section [" + ConfigValues.Quotable(name, true) + "] (expected [Interface], [Peer] or [Router]); its keys are skipped");
                _section = WgQuickKeys.SectionPeer;
                _skipping = true;
                return;
            }
            _section = section;
            if (section == WgQuickKeys.SectionInterface || section == WgQuickKeys.SectionRouter)
            {
                int first = section == WgQuickKeys.SectionInterface ? _lines.Interface : _lines.Router;
                if (first != 0)
                {
                    Error(number, WgQuickKeys.SectionName(section) + " given twice (first on line " + first.ToString() + "); this one is skipped");
                    _skipping = true;
                    return;
                }
                if (section == WgQuickKeys.SectionInterface)
                    _lines.Interface = number;
                else
                    _lines.Router = number;
                return;
            }
            // [Peer]
            if (_settings.Peers.Length == ConfigLimits.MaxPeers)
            {
                Error(number, "more than " + ConfigLimits.MaxPeers.ToString() + " [Peer] sections; this one is skipped");
                _skipping = true;
                return;
            }
            for (int k = WgQuickKeys.PublicKey; k <= WgQuickKeys.ClientId; k++)
                _seen[k] = 0;
            _peer = new PeerSettings();
            _settings.Peers = ConfigLimits.Append(_settings.Peers, _peer);
            _peerIndex = _settings.Peers.Length - 1;
            _lines.Peer[_peerIndex] = number;
        }

        /// <summary>Remembers that a key's value was refused, so the validator does not also call it missing or check it further.</summary>
        void MarkBad(int key)
        {
            _lines.Bad[key] = true;
            if (WgQuickKeys.SectionOf(key) == WgQuickKeys.SectionPeer && _peerIndex >= 0)
                _lines.PeerBad[_peerIndex] |= 1 << key;
        }

        /// <summary>White space as wg-quick trims it (space, tab and the other ASCII controls).</summary>
        static bool IsSpace(char c)
        {
            return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
        }

        void Error(int line, string text)
        {
            _diagnostics.AddError(line, text);
        }
    }
}

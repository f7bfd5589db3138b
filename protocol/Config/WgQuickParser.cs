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
    /// Memory: a typical WARP file (about 25 lines) allocates a few kilobytes in all (the decoded
    /// text, one string per line and value, the model); the tests measure it. Strings that held a
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
                int length = end - start;
                if (length > 0 && text[end - 1] == '\r')
                    length--;
                if (length > ConfigLimits.MaxLineLength)
                    Error(number, "line longer than " + ConfigLimits.MaxLineLength.ToString() + " characters");
                else
                    ReadLine(number, text.Substring(start, length));
                start = end + 1;
            }
        }

        void ReadLine(int number, string line)
        {
            int comment = line.IndexOfAny(new char[] { '#', ';' });
            if (comment >= 0)
                line = line.Substring(0, comment);
            line = line.Trim();
            if (line.Length == 0)
                return;
            if (line[0] == '[')
            {
                ReadSectionHeader(number, line);
                return;
            }
            int equals = line.IndexOf('=');
            if (equals < 0)
            {
                Error(number, "expected \"Key = Value\" or a [Section] header");
                return;
            }
            string name = line.Substring(0, equals).Trim();
            string value = line.Substring(equals + 1).Trim();
            if (name.Length == 0)
            {
                Error(number, "a key name is missing before '='");
                return;
            }
            if (_section == WgQuickKeys.SectionNone)
            {
                Error(number, Shown(name) + ": outside any section (put it under [Interface], [Peer] or [Router])");
                return;
            }
            if (_skipping)
                return;
            int key = WgQuickKeys.Find(name);
            if (key == WgQuickKeys.None)
            {
                if (_section == WgQuickKeys.SectionInterface && WgQuickKeys.IsLinuxOnly(name))
                    _diagnostics.AddWarning(number, Shown(name) + ": ignored (only wg-quick on Linux uses it)");
                else
                    Error(number, Shown(name) + ": unknown key in " + WgQuickKeys.SectionName(_section));
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
                Error(number, "unknown section [" + Shown(name) + "] (expected [Interface], [Peer] or [Router]); its keys are skipped");
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

        void Error(int line, string text)
        {
            _diagnostics.AddError(line, text);
        }

        /// <summary>A name from the file as shown in a message: at most 40 characters.</summary>
        static string Shown(string name)
        {
            return name.Length <= 40 ? name : name.Substring(0, 40) + "...";
        }
    }
}

namespace Warp.Firmware
{
    /// <summary>
    /// The console's machine-readable form (`status -m`, `nat -m`, `leases -m`, `counters -m`), one
    /// record per line, for scripts and the hardware-in-loop suite. The grammar (README.md,
    /// "Console: machine-readable form"):
    /// <code>
    /// answer = *record end
    /// record = type *(SP key "=" value) LF       ; e.g. "nat proto=udp lan=192.168.42.100 ..."
    /// end    = "end records=" count LF           ; count = the number of records before it
    /// value  = *(%x21-24 / %x26-3C / %x3E-7E / "%" 2HEXDIG)   ; UTF-8, percent-escaped
    /// </code>
    /// A value escapes '%', '=', space and every byte outside printable ASCII as %XX (upper-case
    /// hex of each UTF-8 byte), so a line always splits on single spaces and each field on its first
    /// '='. Off the packet path: building a line allocates (string concatenation, no StringBuilder
    /// on the device); a value that needs no escape is returned as it is.
    /// </summary>
    public static class ConsoleRecord
    {
        /// <summary>The flag after a command that selects this form.</summary>
        public const string Flag = "-m";

        /// <summary>The type of the line that closes every machine-readable answer.</summary>
        public const string EndType = "end";

        const string Hex = "0123456789ABCDEF";

        /// <summary>" key=value" with the value escaped; append to a record's type.</summary>
        public static string Field(string key, string value)
        {
            return " " + key + "=" + Escape(value);
        }

        /// <summary>" key=value" for a number (decimal, '-' for negatives).</summary>
        public static string Field(string key, long value)
        {
            return " " + key + "=" + value.ToString();
        }

        /// <summary>" key=1" or " key=0".</summary>
        public static string Field(string key, bool value)
        {
            return " " + key + "=" + (value ? "1" : "0");
        }

        /// <summary>The closing line: "end records=N".</summary>
        public static string End(int records)
        {
            return EndType + " records=" + records.ToString();
        }

        static bool Plain(char c)
        {
            return c > ' ' && c <= '~' && c != '%' && c != '=';
        }

        /// <summary>Percent-escapes '%', '=', space and every byte of the UTF-8 form outside 0x21-0x7E. Null reads as empty.</summary>
        public static string Escape(string value)
        {
            if (value == null)
                return "";
            int n = value.Length;
            int i = 0;
            while (i < n && Plain(value[i]))
                i++;
            if (i == n)
                return value;
            // Each UTF-16 unit becomes at most 3 UTF-8 bytes (a surrogate pair 4 for 2 units): 9 chars per unit.
            char[] o = new char[n * 9];
            int k = 0;
            for (i = 0; i < n; i++)
            {
                char c = value[i];
                if (Plain(c))
                {
                    o[k++] = c;
                    continue;
                }
                int cp = c;
                if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n && value[i + 1] >= 0xDC00 && value[i + 1] <= 0xDFFF)
                {
                    cp = 0x10000 + ((c - 0xD800) << 10) + (value[i + 1] - 0xDC00);
                    i++;
                }
                if (cp < 0x80)
                {
                    k = Put(o, k, cp);
                }
                else if (cp < 0x800)
                {
                    k = Put(o, k, 0xC0 | (cp >> 6));
                    k = Put(o, k, 0x80 | (cp & 0x3F));
                }
                else if (cp < 0x10000)
                {
                    k = Put(o, k, 0xE0 | (cp >> 12));
                    k = Put(o, k, 0x80 | ((cp >> 6) & 0x3F));
                    k = Put(o, k, 0x80 | (cp & 0x3F));
                }
                else
                {
                    k = Put(o, k, 0xF0 | (cp >> 18));
                    k = Put(o, k, 0x80 | ((cp >> 12) & 0x3F));
                    k = Put(o, k, 0x80 | ((cp >> 6) & 0x3F));
                    k = Put(o, k, 0x80 | (cp & 0x3F));
                }
            }
            return new string(o, 0, k);
        }

        static int Put(char[] o, int k, int b)
        {
            o[k] = '%';
            o[k + 1] = Hex[(b >> 4) & 15];
            o[k + 2] = Hex[b & 15];
            return k + 3;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Warp.Firmware;

namespace Warp.Router.Linux
{
    /// <summary>One record of a machine-readable console answer: its type and its fields, values unescaped.</summary>
    public sealed class ConsoleRecordLine
    {
        public string Type;
        public readonly Dictionary<string, string> Fields = new Dictionary<string, string>();

        /// <summary>The field's value, or null when the record has no such field.</summary>
        public string this[string key] { get { return Fields.TryGetValue(key, out string v) ? v : null; } }

        /// <summary>The field as a number; throws FormatException when it is missing or not one.</summary>
        public long Number(string key)
        {
            string v = this[key] ?? throw new FormatException(Type + " has no field " + key);
            return long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        public override string ToString() { return Type + " " + string.Join(" ", Fields); }
    }

    /// <summary>
    /// Reads a machine-readable console answer (`status -m` and friends; grammar in README.md,
    /// "Console: machine-readable form", written by <see cref="ConsoleRecord"/>): for the lab and scripts.
    /// </summary>
    public static class ConsoleAnswer
    {
        /// <summary>The records before the end line; FormatException when the text breaks the grammar or the end line's count is wrong.</summary>
        public static List<ConsoleRecordLine> Parse(string text)
        {
            var records = new List<ConsoleRecordLine>();
            string[] lines = (text ?? "").Split('\n');
            int n = lines.Length;
            if (n > 0 && lines[n - 1].Length == 0)
                n--;
            for (int i = 0; i < n; i++)
            {
                ConsoleRecordLine r = ParseLine(lines[i]);
                if (r.Type != ConsoleRecord.EndType)
                {
                    records.Add(r);
                    continue;
                }
                if (i != n - 1)
                    throw new FormatException("line " + (i + 1) + ": end before the last line");
                if (r.Number("records") != records.Count)
                    throw new FormatException("end says " + r["records"] + " records, there are " + records.Count);
                return records;
            }
            throw new FormatException("no end line: " + (n > 0 ? lines[n - 1] : "(empty answer)"));
        }

        /// <summary>Like <see cref="Parse"/>, but null instead of an exception (e.g. while a router is still starting).</summary>
        public static List<ConsoleRecordLine> TryParse(string text)
        {
            try { return Parse(text); }
            catch (FormatException) { return null; }
        }

        static ConsoleRecordLine ParseLine(string line)
        {
            string[] parts = line.Split(' ');
            if (!IsName(parts[0]))
                throw new FormatException("bad record type in: " + line);
            var r = new ConsoleRecordLine { Type = parts[0] };
            for (int k = 1; k < parts.Length; k++)
            {
                int eq = parts[k].IndexOf('=');
                if (eq <= 0 || !IsName(parts[k].Substring(0, eq)))
                    throw new FormatException("bad field '" + parts[k] + "' in: " + line);
                string key = parts[k].Substring(0, eq);
                if (r.Fields.ContainsKey(key))
                    throw new FormatException("repeated field " + key + " in: " + line);
                r.Fields[key] = Unescape(parts[k].Substring(eq + 1), line);
            }
            return r;
        }

        static bool IsName(string s)
        {
            if (s.Length == 0 || s[0] < 'a' || s[0] > 'z')
                return false;
            foreach (char c in s)
                if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.'))
                    return false;
            return true;
        }

        static string Unescape(string v, string line)
        {
            var bytes = new List<byte>(v.Length);
            for (int i = 0; i < v.Length; i++)
            {
                char c = v[i];
                if (c == '%')
                {
                    if (!IsHex(v, i + 1) || !IsHex(v, i + 2))
                        throw new FormatException("bad escape in: " + line);
                    bytes.Add(byte.Parse(v.Substring(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                }
                else if (c > ' ' && c <= '~' && c != '=')
                {
                    bytes.Add((byte)c);
                }
                else
                {
                    throw new FormatException("unescaped '" + c + "' in: " + line);
                }
            }
            return Encoding.UTF8.GetString(bytes.ToArray());
        }

        static bool IsHex(string s, int i)
        {
            if (i >= s.Length)
                return false;
            char c = s[i];
            return c >= '0' && c <= '9' || c >= 'A' && c <= 'F';
        }
    }
}

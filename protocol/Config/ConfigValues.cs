using System;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// The value syntaxes of a configuration file: decimal numbers, durations, booleans, base64
    /// keys, comma-separated lists and host names. Every parser returns false (or null) on bad text
    /// and never throws; it does not use int.Parse, whose accepted forms (signs, white space,
    /// culture) differ between .NET and nanoFramework.
    /// </summary>
    public static class ConfigValues
    {
        /// <summary>Length in bytes of an X25519 key and of a WireGuard preshared key.</summary>
        public const int KeyLength = 32;

        /// <summary>Plain decimal digits only, at most 4,294,967,295.</summary>
        public static bool TryParseUInt(string text, out uint value)
        {
            value = 0;
            if (text == null)
                return false;
            int n = text.Length;
            if (n == 0 || n > 10)
                return false;
            ulong v = 0;
            for (int i = 0; i < n; i++)
            {
                char c = text[i];
                if (c < '0' || c > '9')
                    return false;
                v = v * 10 + (ulong)(c - '0');
            }
            if (v > 0xFFFFFFFFUL)
                return false;
            value = (uint)v;
            return true;
        }

        /// <summary>A decimal number within [<paramref name="min"/>, <paramref name="max"/>].</summary>
        public static bool TryParseRange(string text, int min, int max, out int value)
        {
            value = 0;
            uint v;
            if (!TryParseUInt(text, out v) || v > (uint)max || (int)v < min)
                return false;
            value = (int)v;
            return true;
        }

        /// <summary>
        /// Seconds, written as a number with an optional suffix s, m, h or d ("300", "5m", "2h",
        /// "1d"); at most <paramref name="maxSeconds"/>.
        /// </summary>
        public static bool TryParseDuration(string text, int maxSeconds, out int seconds)
        {
            seconds = 0;
            if (text == null || text.Length == 0)
                return false;
            uint unit = 1;
            char last = text[text.Length - 1];
            if (last == 's' || last == 'S') unit = 1;
            else if (last == 'm' || last == 'M') unit = 60;
            else if (last == 'h' || last == 'H') unit = 3600;
            else if (last == 'd' || last == 'D') unit = 86400;
            else unit = 0;
            string digits = unit == 0 ? text : text.Substring(0, text.Length - 1).TrimEnd();
            if (unit == 0)
                unit = 1;
            uint v;
            if (!TryParseUInt(digits, out v))
                return false;
            ulong total = (ulong)v * unit;
            if (total > (ulong)maxSeconds)
                return false;
            seconds = (int)total;
            return true;
        }

        /// <summary>"300", or "5m"/"2h"/"1d" when the value is a whole number of that unit (the shortest exact form).</summary>
        public static string FormatDuration(int seconds)
        {
            if (seconds > 0 && seconds % 86400 == 0) return (seconds / 86400).ToString() + "d";
            if (seconds > 0 && seconds % 3600 == 0) return (seconds / 3600).ToString() + "h";
            if (seconds > 0 && seconds % 60 == 0) return (seconds / 60).ToString() + "m";
            return seconds.ToString();
        }

        /// <summary>on/off, true/false, yes/no, 1/0 (any case).</summary>
        public static bool TryParseBool(string text, out bool value)
        {
            value = false;
            if (text == null)
                return false;
            string t = text.ToLower();
            if (t == "on" || t == "true" || t == "yes" || t == "1")
            {
                value = true;
                return true;
            }
            return t == "off" || t == "false" || t == "no" || t == "0";
        }

        /// <summary>
        /// Decodes a base64 WireGuard key; null unless it is exactly 32 bytes (44 characters
        /// ending in '='). The caller owns the returned array and clears it when done.
        /// </summary>
        public static byte[] TryDecodeKey(string text)
        {
            if (text == null || text.Length != 44 || text[43] != '=' || text[42] == '=')
                return null;
            for (int i = 0; i < 43; i++)
                if (!IsBase64Char(text[i]))
                    return null;
            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(text);
            }
            catch (Exception)
            {
                return null; // checked above, but the device's decoder may still refuse it
            }
            if (raw == null)
                return null;
            if (raw.Length != KeyLength)
            {
                Array.Clear(raw, 0, raw.Length);
                return null;
            }
            return raw;
        }

        static bool IsBase64Char(char c)
        {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        }

        /// <summary>Splits "a, b ,c" into trimmed items; empty items are kept (as "") so the caller can report them.</summary>
        public static string[] SplitList(string text)
        {
            string[] parts = text.Split(',');
            for (int i = 0; i < parts.Length; i++)
                parts[i] = parts[i].Trim();
            return parts;
        }

        /// <summary>
        /// A DNS host name (RFC 1123): labels of letters, digits and '-', not starting or ending
        /// with '-', 1-63 characters each, 253 in all; not all digits and dots (that would be an
        /// IPv4 address, which is parsed as one).
        /// </summary>
        public static bool IsHostName(string text)
        {
            if (text == null || text.Length == 0 || text.Length > 253)
                return false;
            int labelLength = 0;
            bool anyLetter = false;
            char previous = '.';
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '.')
                {
                    if (labelLength == 0 || previous == '-')
                        return false;
                    labelLength = 0;
                }
                else
                {
                    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                    bool digit = c >= '0' && c <= '9';
                    if (!letter && !digit && c != '-')
                        return false;
                    if (c == '-' && labelLength == 0)
                        return false;
                    if (letter || c == '-')
                        anyLetter = true;
                    labelLength++;
                    if (labelLength > 63)
                        return false;
                }
                previous = c;
            }
            return anyLetter && previous != '-' && labelLength > 0;
        }

        /// <summary>
        /// A name or value from the file as it may appear in a message. A secret pasted in the
        /// wrong place must not reach a log, so text is quoted only when it is short and shaped
        /// like what was expected: a key name (at most 32 letters, digits, '_' or '-') when
        /// <paramref name="isName"/>, else an address or host (at most 40 characters, containing
        /// '.' or ':' and no '+' or '='). A 32-byte key in base64 is 43 or 44 characters, so it is
        /// never quoted whole. Anything else is shown as "(not shown)".
        /// </summary>
        public static string Quotable(string text, bool isName)
        {
            const string withheld = "(not shown)";
            if (text == null)
                return withheld;
            if (isName)
            {
                if (text.Length > 32)
                    return withheld;
                for (int i = 0; i < text.Length; i++)
                {
                    char c = text[i];
                    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
                        return withheld;
                }
                return text;
            }
            if (text.Length > 40 || text.IndexOf('+') >= 0 || text.IndexOf('=') >= 0)
                return withheld;
            if (text.IndexOf('.') < 0 && text.IndexOf(':') < 0)
                return withheld;
            for (int i = 0; i < text.Length; i++)
                if (text[i] < ' ' || text[i] > '~')
                    return withheld;
            return text;
        }
    }
}

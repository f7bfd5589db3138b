namespace Warp.Protocol.Net
{
    /// <summary>
    /// Text forms of IPv4, IPv6 and MAC addresses, for configuration files and the console (these
    /// allocate; not for the packet path). Parsing is strict and never throws: it returns false
    /// for anything that is not exactly one address.
    /// <list type="bullet">
    /// <item>IPv4: dotted quad "a.b.c.d", each part 0-255 in decimal, no leading zeros (a leading
    /// zero means octal to inet_aton, so "010.1.1.1" is refused rather than guessed).</item>
    /// <item>IPv6: RFC 4291 section 2.2 (eight groups of one to four hex digits, one "::", an
    /// optional dotted IPv4 tail); no zone id. Formatting follows RFC 5952: lower case, no leading
    /// zeros, the longest run of two or more zero groups becomes "::" (the first on a tie), and
    /// IPv4-mapped addresses end in dotted IPv4 (section 5).</item>
    /// <item>MAC: six pairs of hex digits separated by ':' or '-'.</item>
    /// </list>
    /// </summary>
    public static class AddressText
    {
        const string Hex = "0123456789abcdef";

        /// <summary>Parses "a.b.c.d" into 4 bytes at <paramref name="offset"/>.</summary>
        public static bool TryParseIpv4(string text, byte[] address, int offset)
        {
            if (text == null)
                return false;
            return TryParseIpv4Range(text, 0, text.Length, address, offset);
        }

        static bool TryParseIpv4Range(string text, int start, int end, byte[] address, int offset)
        {
            int part = 0;
            int i = start;
            while (part < 4)
            {
                int digits = 0;
                int value = 0;
                while (i < end && text[i] >= '0' && text[i] <= '9')
                {
                    if (digits == 3)
                        return false;
                    if (digits == 1 && value == 0)
                        return false; // leading zero
                    value = value * 10 + (text[i] - '0');
                    digits++;
                    i++;
                }
                if (digits == 0 || value > 255)
                    return false;
                address[offset + part] = (byte)value;
                part++;
                if (part < 4)
                {
                    if (i >= end || text[i] != '.')
                        return false;
                    i++;
                }
            }
            return i == end;
        }

        /// <summary>Parses an IPv6 address (RFC 4291 text form, no zone id) into 16 bytes at <paramref name="offset"/>.</summary>
        public static bool TryParseIpv6(string text, byte[] address, int offset)
        {
            if (text == null)
                return false;
            int n = text.Length;
            if (n < 2 || n > 45)
                return false;
            // Groups before and after "::" are collected in one array; gapAt marks where the gap goes.
            int[] groups = new int[8];
            int count = 0;
            int gapAt = -1;
            int i = 0;
            if (text[0] == ':')
            {
                if (text[1] != ':')
                    return false;
                gapAt = 0;
                i = 2;
                if (i == n)
                {
                    for (int k = 0; k < 16; k++)
                        address[offset + k] = 0;
                    return true;
                }
            }
            while (i < n)
            {
                int groupStart = i;
                int value = 0;
                int digits = 0;
                while (i < n && HexValue(text[i]) >= 0)
                {
                    if (digits == 4)
                        return false;
                    value = (value << 4) | HexValue(text[i]);
                    digits++;
                    i++;
                }
                if (i < n && text[i] == '.')
                {
                    // Dotted IPv4 tail: takes the last two groups and must end the text.
                    if (count > 6 || (gapAt >= 0 && count > 5))
                        return false;
                    byte[] v4 = new byte[4];
                    if (!TryParseIpv4Range(text, groupStart, n, v4, 0))
                        return false;
                    groups[count++] = (v4[0] << 8) | v4[1];
                    groups[count++] = (v4[2] << 8) | v4[3];
                    i = n;
                    break;
                }
                if (digits == 0)
                    return false;
                if (count == 8)
                    return false;
                groups[count++] = value;
                if (i == n)
                    break;
                if (text[i] != ':')
                    return false;
                i++;
                if (i < n && text[i] == ':')
                {
                    if (gapAt >= 0)
                        return false; // a second "::"
                    gapAt = count;
                    i++;
                    if (i == n)
                        break;
                }
                else if (i == n)
                {
                    return false; // a trailing single ':'
                }
            }
            if (gapAt < 0 && count != 8)
                return false;
            if (gapAt >= 0 && count > 7)
                return false; // "::" must stand for at least one group
            int zeros = 8 - count;
            int g = 0;
            for (int k = 0; k < 8; k++)
            {
                int v;
                if (gapAt >= 0 && k >= gapAt && k < gapAt + zeros)
                    v = 0;
                else
                    v = groups[g++];
                address[offset + 2 * k] = (byte)(v >> 8);
                address[offset + 2 * k + 1] = (byte)v;
            }
            return true;
        }

        /// <summary>Parses "aa:bb:cc:dd:ee:ff" (or with '-') into 6 bytes at <paramref name="offset"/>.</summary>
        public static bool TryParseMac(string text, byte[] mac, int offset)
        {
            if (text == null || text.Length != 17)
                return false;
            char sep = text[2];
            if (sep != ':' && sep != '-')
                return false;
            for (int i = 0; i < 6; i++)
            {
                int hi = HexValue(text[i * 3]);
                int lo = HexValue(text[i * 3 + 1]);
                if (hi < 0 || lo < 0)
                    return false;
                if (i < 5 && text[i * 3 + 2] != sep)
                    return false;
                mac[offset + i] = (byte)((hi << 4) | lo);
            }
            return true;
        }

        /// <summary>"a.b.c.d".</summary>
        public static string FormatIpv4(byte[] address, int offset)
        {
            return address[offset].ToString() + "." + address[offset + 1].ToString() + "."
                + address[offset + 2].ToString() + "." + address[offset + 3].ToString();
        }

        /// <summary>The RFC 5952 canonical text form of 16 bytes at <paramref name="offset"/>.</summary>
        public static string FormatIpv6(byte[] address, int offset)
        {
            // RFC 5952 section 5: IPv4-mapped addresses (::ffff:0:0/96) keep the dotted tail.
            bool mapped = true;
            for (int k = 0; k < 10; k++)
                if (address[offset + k] != 0)
                    mapped = false;
            if (mapped && address[offset + 10] == 0xFF && address[offset + 11] == 0xFF)
                return "::ffff:" + FormatIpv4(address, offset + 12);

            // Find the longest run of zero groups (length >= 2; the first one on a tie).
            int bestStart = -1, bestLength = 0;
            int runStart = -1;
            for (int k = 0; k <= 8; k++)
            {
                bool zero = k < 8 && address[offset + 2 * k] == 0 && address[offset + 2 * k + 1] == 0;
                if (zero)
                {
                    if (runStart < 0)
                        runStart = k;
                }
                else if (runStart >= 0)
                {
                    int length = k - runStart;
                    if (length >= 2 && length > bestLength)
                    {
                        bestStart = runStart;
                        bestLength = length;
                    }
                    runStart = -1;
                }
            }

            char[] c = new char[39];
            int p = 0;
            for (int k = 0; k < 8; k++)
            {
                if (k == bestStart)
                {
                    c[p++] = ':';
                    if (k == 0)
                        c[p++] = ':';
                    k += bestLength - 1;
                    continue;
                }
                int v = (address[offset + 2 * k] << 8) | address[offset + 2 * k + 1];
                bool started = false;
                for (int shift = 12; shift >= 0; shift -= 4)
                {
                    int d = (v >> shift) & 15;
                    if (d != 0 || started || shift == 0)
                    {
                        c[p++] = Hex[d];
                        started = true;
                    }
                }
                if (k < 7)
                    c[p++] = ':';
            }
            return new string(c, 0, p);
        }

        /// <summary>0-15 for a hex digit (either case), -1 otherwise.</summary>
        public static int HexValue(char c)
        {
            if (c >= '0' && c <= '9')
                return c - '0';
            if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
            if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
            return -1;
        }
    }
}

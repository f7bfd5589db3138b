namespace Warp.Protocol.Config
{
    /// <summary>
    /// UTF-8 to string and back, for configuration files stored as bytes (nanoFramework's mscorlib
    /// has no System.Text.Encoding). Decoding never throws: a malformed sequence, an overlong form
    /// or a surrogate code point becomes U+FFFD, and a leading byte order mark is skipped.
    /// Code points above U+FFFF become surrogate pairs.
    /// </summary>
    public static class Utf8Text
    {
        const char Replacement = '\uFFFD';

        public static string Decode(byte[] data, int offset, int length)
        {
            if (data == null || offset < 0 || length < 0 || offset > data.Length || length > data.Length - offset)
                return "";
            int end = offset + length;
            int i = offset;
            if (length >= 3 && data[i] == 0xEF && data[i + 1] == 0xBB && data[i + 2] == 0xBF)
                i += 3;
            char[] chars = new char[end - i];
            int n = 0;
            while (i < end)
            {
                int b = data[i];
                if (b < 0x80)
                {
                    chars[n++] = (char)b;
                    i++;
                    continue;
                }
                int need, cp, min;
                if ((b & 0xE0) == 0xC0) { need = 1; cp = b & 0x1F; min = 0x80; }
                else if ((b & 0xF0) == 0xE0) { need = 2; cp = b & 0x0F; min = 0x800; }
                else if ((b & 0xF8) == 0xF0) { need = 3; cp = b & 0x07; min = 0x10000; }
                else
                {
                    chars[n++] = Replacement;
                    i++;
                    continue;
                }
                int k = 1;
                while (k <= need && i + k < end && (data[i + k] & 0xC0) == 0x80)
                {
                    cp = (cp << 6) | (data[i + k] & 0x3F);
                    k++;
                }
                if (k <= need || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                {
                    chars[n++] = Replacement;
                    i += k; // skip the lead byte and the continuation bytes it took
                    continue;
                }
                i += k;
                if (cp >= 0x10000)
                {
                    // Four bytes in, two chars out: never more chars than bytes.
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    chars[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)cp;
                }
            }
            return new string(chars, 0, n);
        }

        public static byte[] Encode(string text)
        {
            int length = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                if (c < 0x80) length += 1;
                else if (c < 0x800) length += 2;
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    length += 4;
                    i++;
                }
                else length += 3; // includes a lone surrogate, written as U+FFFD
            }
            byte[] bytes = new byte[length];
            int p = 0;
            for (int i = 0; i < text.Length; i++)
            {
                int c = text[i];
                if (c < 0x80)
                {
                    bytes[p++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    bytes[p++] = (byte)(0xC0 | (c >> 6));
                    bytes[p++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.Length && text[i + 1] >= 0xDC00 && text[i + 1] <= 0xDFFF)
                {
                    int cp = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
                    i++;
                    bytes[p++] = (byte)(0xF0 | (cp >> 18));
                    bytes[p++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    bytes[p++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    bytes[p++] = (byte)(0x80 | (cp & 0x3F));
                }
                else
                {
                    if (c >= 0xD800 && c <= 0xDFFF)
                        c = Replacement;
                    bytes[p++] = (byte)(0xE0 | (c >> 12));
                    bytes[p++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    bytes[p++] = (byte)(0x80 | (c & 0x3F));
                }
            }
            return bytes;
        }
    }
}

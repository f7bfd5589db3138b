namespace Warp.Firmware
{
    /// <summary>What a probe's answer says about the uplink (<see cref="PortalResponse.Parse"/>).</summary>
    public enum PortalVerdict
    {
        /// <summary>Not an HTTP/1.x response: nothing can be concluded (counted as malformed).</summary>
        Malformed = 0,
        /// <summary>204 No Content, or 200 with an empty body: the internet answers as it should.</summary>
        Clear,
        /// <summary>A redirect (301, 302, 303, 307, 308), 511 (RFC 6585) or a page (200 with a body): a captive portal answered in the internet's place.</summary>
        Portal,
        /// <summary>A well-formed answer that is neither (404, 500, 511 ...): no verdict.</summary>
        OtherStatus,
    }

    /// <summary>
    /// Reads the head of the answer to a generate_204-style probe. The bytes come from whatever
    /// network the uplink joined, so this is untrusted input: the parser looks only at the bytes
    /// it was given (the adapter bounded them), never throws and never allocates: the Location is
    /// reported as a place in the parsed bytes (<see cref="LocationOffset"/>, <see cref="LocationLength"/>),
    /// not copied, so the parser holds no buffer of its own. It takes the
    /// status line (RFC 9112 section 4: <c>HTTP/1.x SP 3DIGIT SP reason</c>), then, among the header
    /// fields up to the empty line, <c>Location</c> (RFC 9110 section 10.2.2) and
    /// <c>Content-Length</c> (section 8.6), case-insensitively; bare LF line ends are accepted as
    /// RFC 9112 section 2.2 allows. A head cut off by the bound still gives its verdict from the
    /// status code; a cut-off Location is dropped rather than kept half.
    /// <code>
    /// HTTP/1.1 302 Found\r\n
    /// Location: http://portal.example/login?x=1\r\n      -> Portal, location kept (printable ASCII, bounded)
    /// Content-Length: 0\r\n
    /// \r\n
    /// </code>
    /// </summary>
    public sealed class PortalResponse
    {
        /// <summary>The longest Location kept; a longer one is cut here (the console shows it, the page links it).</summary>
        public const int LocationCapacity = 256;

        int locationOffset, locationLength;

        /// <summary>The status code of the last parse, -1 when there was none.</summary>
        public int Status { get; private set; }
        /// <summary>The Content-Length of the last parse, -1 when absent or unreadable.</summary>
        public long ContentLength { get; private set; }
        /// <summary>Bytes after the empty line in the last parse, -1 when the head was not complete.</summary>
        public int BodyBytes { get; private set; }
        /// <summary>Where the Location (printable ASCII, at most <see cref="LocationCapacity"/> bytes) starts in the bytes of the last parse.</summary>
        public int LocationOffset { get { return locationOffset; } }
        /// <summary>Length of the Location found by the last parse (0: none).</summary>
        public int LocationLength { get { return locationLength; } }
        /// <summary>True when the Location was longer than <see cref="LocationCapacity"/> and was cut.</summary>
        public bool LocationTruncated { get; private set; }

        /// <summary>
        /// Parses b[offset..offset+length): the verdict, and <see cref="Status"/>, <see cref="ContentLength"/>,
        /// <see cref="BodyBytes"/> and the Location as read. Any input is safe: bad bounds read as empty.
        /// </summary>
        public PortalVerdict Parse(byte[] b, int offset, int length)
        {
            Status = -1;
            ContentLength = -1;
            BodyBytes = -1;
            locationOffset = 0;
            locationLength = 0;
            LocationTruncated = false;
            if (b == null || offset < 0 || length <= 0 || offset > b.Length || length > b.Length - offset)
                return PortalVerdict.Malformed;
            int end = offset + length;
            int p = offset;
            // Status line: "HTTP/1." DIGIT SP 3DIGIT (SP reason)? EOL
            if (end - p < 13 || !Literal(b, p, end, "HTTP/1."))
                return PortalVerdict.Malformed;
            p += 7;
            if (!IsDigit(b[p]) || b[p + 1] != (byte)' ')
                return PortalVerdict.Malformed;
            p += 2;
            if (!IsDigit(b[p]) || !IsDigit(b[p + 1]) || !IsDigit(b[p + 2]))
                return PortalVerdict.Malformed;
            int status = (b[p] - '0') * 100 + (b[p + 1] - '0') * 10 + (b[p + 2] - '0');
            p += 3;
            if (b[p] != (byte)' ' && b[p] != (byte)'\r' && b[p] != (byte)'\n')
                return PortalVerdict.Malformed;
            if (status < 100)
                return PortalVerdict.Malformed;
            Status = status;
            p = NextLine(b, p, end);
            // Header fields up to the empty line (or the end of what was read).
            bool complete = false;
            while (p >= 0 && p < end)
            {
                int eol = LineEnd(b, p, end);
                int lineEnd = eol < 0 ? end : eol;
                if (lineEnd > p && b[lineEnd - 1] == (byte)'\r')
                    lineEnd--;
                if (lineEnd == p)
                {
                    if (eol >= 0)
                    {
                        complete = true;
                        BodyBytes = end - (eol + 1);
                    }
                    break;
                }
                if (FieldName(b, p, lineEnd, "location"))
                    KeepLocation(b, p + 9, lineEnd, eol < 0);
                else if (FieldName(b, p, lineEnd, "content-length"))
                    ContentLength = ReadNumber(b, p + 15, lineEnd);
                p = eol < 0 ? -1 : eol + 1;
            }
            if (status == 204)
                return PortalVerdict.Clear;
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308 || status == 511)
                return PortalVerdict.Portal; // 511: RFC 6585's Network Authentication Required
            if (status == 200)
            {
                // Android's rule too: a 200 with nothing in it is what some networks make of a 204.
                bool empty = complete && BodyBytes == 0 && (ContentLength == 0 || ContentLength == -1);
                return empty ? PortalVerdict.Clear : PortalVerdict.Portal;
            }
            return PortalVerdict.OtherStatus;
        }

        void KeepLocation(byte[] b, int p, int end, bool cut)
        {
            if (cut)
                return; // the line ran past what was read: half a URL is no URL
            while (p < end && (b[p] == (byte)' ' || b[p] == (byte)'\t'))
                p++;
            while (end > p && (b[end - 1] == (byte)' ' || b[end - 1] == (byte)'\t'))
                end--;
            int start = p;
            for (; p < end; p++)
            {
                byte c = b[p];
                if (c <= 0x20 || c >= 0x7F)
                    return; // a Location with a control byte or a space is not a URL we show
            }
            int n = end - start;
            if (n > LocationCapacity)
            {
                n = LocationCapacity;
                LocationTruncated = true;
            }
            locationOffset = start;
            locationLength = n;
        }

        static long ReadNumber(byte[] b, int p, int end)
        {
            while (p < end && (b[p] == (byte)' ' || b[p] == (byte)'\t'))
                p++;
            if (p >= end || !IsDigit(b[p]))
                return -1;
            long v = 0;
            for (; p < end && IsDigit(b[p]); p++)
            {
                v = v * 10 + (b[p] - '0');
                if (v > 0x7FFFFFFFL)
                    return -1; // a portal page is never this long; a nonsense number reads as absent
            }
            while (p < end && (b[p] == (byte)' ' || b[p] == (byte)'\t'))
                p++;
            return p == end ? v : -1;
        }

        /// <summary>True when the line at p starts with <paramref name="name"/> (lower case) followed by ':'.</summary>
        static bool FieldName(byte[] b, int p, int end, string name)
        {
            if (end - p < name.Length + 1)
                return false;
            for (int i = 0; i < name.Length; i++)
            {
                int c = b[p + i];
                if (c >= 'A' && c <= 'Z')
                    c += 32;
                if (c != name[i])
                    return false;
            }
            return b[p + name.Length] == (byte)':';
        }

        static bool Literal(byte[] b, int p, int end, string s)
        {
            if (end - p < s.Length)
                return false;
            for (int i = 0; i < s.Length; i++)
                if (b[p + i] != (byte)s[i])
                    return false;
            return true;
        }

        static bool IsDigit(byte c) { return c >= (byte)'0' && c <= (byte)'9'; }

        /// <summary>Index of the next LF at or after p, -1 when none before end.</summary>
        static int LineEnd(byte[] b, int p, int end)
        {
            for (int i = p; i < end; i++)
                if (b[i] == (byte)'\n')
                    return i;
            return -1;
        }

        static int NextLine(byte[] b, int p, int end)
        {
            int eol = LineEnd(b, p, end);
            return eol < 0 ? -1 : eol + 1;
        }
    }
}

namespace Warp.Protocol.Web
{
    /// <summary>How far a request has arrived.</summary>
    public enum HttpParse
    {
        /// <summary>More bytes are needed.</summary>
        Incomplete = 0,
        /// <summary>Request line, headers and the whole body are there.</summary>
        Complete,
        /// <summary>The request is refused: <see cref="HttpRequest.Status"/> says with what.</summary>
        Error,
    }

    /// <summary>
    /// An HTTP/1.1 request (RFC 9112) parsed in place from a connection's receive buffer: offsets
    /// into the buffer, no copies, no allocation. GET and POST only; a body needs Content-Length
    /// (no chunked bodies) within <see cref="MaxBody"/>.
    /// <code>
    /// request-line = method SP request-target SP HTTP-version CRLF      (LF alone is accepted)
    /// field-line   = field-name ":" OWS field-value OWS CRLF             (no space before ":", no folding)
    /// </code>
    /// Refusals: 400 (malformed line, bare CR, bad or conflicting Content-Length, Transfer-Encoding,
    /// missing Host in 1.1), 405 (a method other than GET and POST, with Allow), 411 (POST without
    /// Content-Length), 413 (body over the limit), 414 (target over the limit), 431 (header
    /// section over the limit or too many fields).
    /// </summary>
    public sealed class HttpRequest
    {
        public const int MethodGet = 1, MethodPost = 2;
        /// <summary>Most header fields taken.</summary>
        public const int MaxFields = 48;

        readonly int maxHeader, maxBody, maxTarget;
        byte[] b;
        int start;

        public HttpRequest(int maxHeaderBytes, int maxBodyBytes, int maxTargetBytes)
        {
            maxHeader = maxHeaderBytes;
            maxBody = maxBodyBytes;
            maxTarget = maxTargetBytes;
        }

        public int MaxHeader { get { return maxHeader; } }
        public int MaxBody { get { return maxBody; } }

        /// <summary>The buffer the offsets below refer to.</summary>
        public byte[] Buffer { get { return b; } }
        public int Method;
        /// <summary>The status to answer with after <see cref="HttpParse.Error"/>.</summary>
        public int Status;
        public int PathOffset, PathLength, QueryOffset, QueryLength;
        public int HostOffset, HostLength = -1;
        public int OriginOffset, OriginLength = -1;
        public int FetchSiteOffset, FetchSiteLength = -1;
        public int ContentTypeOffset, ContentTypeLength = -1;
        /// <summary>Up to four Cookie fields.</summary>
        public readonly int[] CookieOffset = new int[4], CookieLength = new int[4];
        public int CookieCount;
        public int ContentLength;
        public int BodyOffset;
        public bool Http10;

        /// <summary>Parses (buffer, offset, length): the bytes received so far on a connection.</summary>
        public HttpParse Parse(byte[] buffer, int offset, int length)
        {
            b = buffer;
            start = offset;
            Reset();
            int end = offset + length;
            // Request line.
            int lineEnd;
            int i = offset;
            while (i < end && (b[i] == '\r' || b[i] == '\n') && i - offset < 4)
                i++; // RFC 9112 section 2.2: empty lines before the request line are ignored
            int lineStart = i;
            lineEnd = FindLineEnd(lineStart, end);
            if (lineEnd == -2)
                return Fail(400);
            if (lineEnd < 0)
            {
                if (end - offset > maxHeader)
                    return Fail(end - lineStart > maxTarget + 32 ? 414 : 431);
                return Incomplete(lineStart, end);
            }
            HttpParse r = ParseRequestLine(lineStart, lineEnd);
            if (r != HttpParse.Complete)
                return r;
            i = NextLine(lineEnd, end);
            int fields = 0;
            ContentLength = -1;
            bool transferEncoding = false;
            while (true)
            {
                int le = FindLineEnd(i, end);
                if (le == -2)
                    return Fail(400);
                if (le < 0)
                {
                    if (end - offset > maxHeader)
                        return Fail(431);
                    return HttpParse.Incomplete;
                }
                if (le == i)
                {
                    i = NextLine(le, end);
                    break; // the empty line: end of the header section
                }
                if (le - offset > maxHeader || ++fields > MaxFields)
                    return Fail(431);
                if (b[i] == ' ' || b[i] == '\t')
                    return Fail(400); // obs-fold
                int colon = -1;
                for (int k = i; k < le; k++)
                {
                    if (b[k] == ':') { colon = k; break; }
                    if (!IsTokenChar(b[k]))
                        return Fail(400);
                }
                if (colon <= i)
                    return Fail(400);
                int vs = colon + 1, ve = le;
                while (vs < ve && (b[vs] == ' ' || b[vs] == '\t')) vs++;
                while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) ve--;
                for (int k = vs; k < ve; k++)
                    if (b[k] < 0x20 && b[k] != '\t' || b[k] == 0x7F)
                        return Fail(400);
                int nameLength = colon - i;
                if (NameIs(i, nameLength, "content-length"))
                {
                    int v = ParseDigits(vs, ve);
                    if (v < 0)
                        return v == -2 ? Fail(413) : Fail(400);
                    if (ContentLength >= 0 && ContentLength != v)
                        return Fail(400);
                    ContentLength = v;
                }
                else if (NameIs(i, nameLength, "transfer-encoding"))
                    transferEncoding = true;
                else if (NameIs(i, nameLength, "host"))
                {
                    if (HostLength >= 0)
                        return Fail(400); // RFC 9112 section 3.2: more than one Host
                    HostOffset = vs; HostLength = ve - vs;
                }
                else if (NameIs(i, nameLength, "origin")) { OriginOffset = vs; OriginLength = ve - vs; }
                else if (NameIs(i, nameLength, "sec-fetch-site")) { FetchSiteOffset = vs; FetchSiteLength = ve - vs; }
                else if (NameIs(i, nameLength, "content-type")) { ContentTypeOffset = vs; ContentTypeLength = ve - vs; }
                else if (NameIs(i, nameLength, "cookie") && CookieCount < CookieOffset.Length)
                {
                    CookieOffset[CookieCount] = vs;
                    CookieLength[CookieCount++] = ve - vs;
                }
                i = NextLine(le, end);
            }
            if (transferEncoding)
                return Fail(400); // bodies are Content-Length only (RFC 9112 section 6.1 allows refusing)
            if (!Http10 && HostLength < 0)
                return Fail(400);
            if (Method == MethodPost && ContentLength < 0)
                return Fail(411);
            if (ContentLength < 0)
                ContentLength = 0;
            if (ContentLength > maxBody || (i - offset) + ContentLength > maxBody)
                return Fail(413); // maxBody bounds the whole request: it must fit the receive buffer
            BodyOffset = i;
            if (end - i < ContentLength)
                return HttpParse.Incomplete;
            return HttpParse.Complete;
        }

        void Reset()
        {
            Method = 0; Status = 0;
            PathOffset = PathLength = QueryOffset = QueryLength = 0;
            HostLength = OriginLength = FetchSiteLength = ContentTypeLength = -1;
            CookieCount = 0;
            ContentLength = 0;
            BodyOffset = 0;
            Http10 = false;
        }

        HttpParse Incomplete(int lineStart, int end)
        {
            // A request line still arriving: refuse early what cannot become valid.
            int sp = -1;
            for (int k = lineStart; k < end; k++)
                if (b[k] == ' ') { sp = k; break; }
            if (sp < 0)
            {
                if (end - lineStart > 8)
                    return Fail(405);
                return HttpParse.Incomplete;
            }
            if (!MethodKnown(lineStart, sp - lineStart))
                return Fail(IsAllToken(lineStart, sp) ? 405 : 400);
            if (end - sp > maxTarget + 16)
                return Fail(414);
            return HttpParse.Incomplete;
        }

        HttpParse Fail(int status)
        {
            Status = status;
            return HttpParse.Error;
        }

        /// <summary>Index of the line's end (its CR or LF), -1 when not arrived, -2 for a bare CR.</summary>
        int FindLineEnd(int from, int end)
        {
            for (int k = from; k < end; k++)
            {
                byte c = b[k];
                if (c == '\n')
                    return k;
                if (c == '\r')
                {
                    if (k + 1 >= end)
                        return -1;
                    return b[k + 1] == '\n' ? k : -2;
                }
                if (c == 0)
                    return -2;
            }
            return -1;
        }

        int NextLine(int lineEnd, int end)
        {
            return b[lineEnd] == '\r' ? lineEnd + 2 : lineEnd + 1;
        }

        HttpParse ParseRequestLine(int s, int e)
        {
            int sp1 = -1, sp2 = -1;
            for (int k = s; k < e; k++)
            {
                if (b[k] != ' ')
                    continue;
                if (sp1 < 0) sp1 = k;
                else if (sp2 < 0) sp2 = k;
                else return Fail(400);
            }
            if (sp1 <= s || sp2 <= sp1 + 1 || sp2 >= e - 1)
                return Fail(400);
            if (!IsAllToken(s, sp1))
                return Fail(400);
            if (!MethodKnown(s, sp1 - s))
                return Fail(405);
            Method = b[s] == 'G' ? MethodGet : MethodPost;
            int ts = sp1 + 1, te = sp2;
            if (te - ts > maxTarget)
                return Fail(414);
            if (b[ts] != '/')
                return Fail(400); // origin-form only
            for (int k = ts; k < te; k++)
                if (b[k] <= 0x20 || b[k] >= 0x7F)
                    return Fail(400);
            PathOffset = ts;
            int q = -1;
            for (int k = ts; k < te; k++)
                if (b[k] == '?') { q = k; break; }
            PathLength = (q < 0 ? te : q) - ts;
            if (q >= 0) { QueryOffset = q + 1; QueryLength = te - q - 1; }
            int vl = e - (sp2 + 1);
            if (vl != 8 || !Equals(sp2 + 1, "HTTP/1."))
                return Fail(400);
            byte minor = b[sp2 + 8];
            if (minor == '1') Http10 = false;
            else if (minor == '0') Http10 = true;
            else return Fail(400);
            return HttpParse.Complete;
        }

        bool MethodKnown(int s, int n)
        {
            return (n == 3 && Equals(s, "GET")) || (n == 4 && Equals(s, "POST"));
        }

        bool IsAllToken(int s, int e)
        {
            for (int k = s; k < e; k++)
                if (!IsTokenChar(b[k]))
                    return false;
            return e > s;
        }

        bool Equals(int at, string text)
        {
            for (int k = 0; k < text.Length; k++)
                if (b[at + k] != text[k])
                    return false;
            return true;
        }

        /// <summary>Case-insensitive comparison of a field name with a lower-case name.</summary>
        bool NameIs(int at, int length, string lower)
        {
            if (length != lower.Length)
                return false;
            for (int k = 0; k < length; k++)
            {
                int c = b[at + k];
                if (c >= 'A' && c <= 'Z') c += 32;
                if (c != lower[k])
                    return false;
            }
            return true;
        }

        /// <summary>Decimal digits only; -1 when not digits, -2 when too large to take.</summary>
        int ParseDigits(int s, int e)
        {
            if (e <= s)
                return -1;
            long v = 0;
            for (int k = s; k < e; k++)
            {
                if (b[k] < '0' || b[k] > '9')
                    return -1;
                v = v * 10 + (b[k] - '0');
                if (v > 0x7FFFFFF)
                    return -2;
            }
            return (int)v;
        }

        /// <summary>RFC 9110 section 5.6.2 tchar.</summary>
        public static bool IsTokenChar(byte c)
        {
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
                return true;
            switch (c)
            {
                case (byte)'!': case (byte)'#': case (byte)'$': case (byte)'%': case (byte)'&': case (byte)'\'':
                case (byte)'*': case (byte)'+': case (byte)'-': case (byte)'.': case (byte)'^': case (byte)'_':
                case (byte)'`': case (byte)'|': case (byte)'~':
                    return true;
            }
            return false;
        }

        // ------------------------------------------------------------------ reading the parts

        /// <summary>True when the path is exactly <paramref name="path"/>.</summary>
        public bool PathIs(string path)
        {
            return PathLength == path.Length && Equals(PathOffset, path);
        }

        /// <summary>The value of cookie <paramref name="name"/> (its offset, and its length returned), or -1.</summary>
        public int FindCookie(string name, out int valueOffset)
        {
            valueOffset = 0;
            for (int f = 0; f < CookieCount; f++)
            {
                int k = CookieOffset[f], e = k + CookieLength[f];
                while (k < e)
                {
                    while (k < e && (b[k] == ' ' || b[k] == ';')) k++;
                    int ns = k;
                    while (k < e && b[k] != '=' && b[k] != ';') k++;
                    int ne = k;
                    if (k < e && b[k] == '=')
                    {
                        k++;
                        int vs = k;
                        while (k < e && b[k] != ';') k++;
                        if (ne - ns == name.Length && Equals(ns, name))
                        {
                            valueOffset = vs;
                            return k - vs;
                        }
                    }
                }
            }
            return -1;
        }

        /// <summary>True when the Content-Type is application/x-www-form-urlencoded (parameters allowed).</summary>
        public bool IsFormBody
        {
            get
            {
                const string t = "application/x-www-form-urlencoded";
                if (ContentTypeLength < t.Length)
                    return false;
                for (int k = 0; k < t.Length; k++)
                {
                    int c = b[ContentTypeOffset + k];
                    if (c >= 'A' && c <= 'Z') c += 32;
                    if (c != t[k])
                        return false;
                }
                return ContentTypeLength == t.Length || b[ContentTypeOffset + t.Length] == ';' || b[ContentTypeOffset + t.Length] == ' ';
            }
        }

        /// <summary>
        /// Finds form field <paramref name="name"/> in the urlencoded body and decodes it
        /// (+ and %XX) into (output, outputOffset); returns its length, or -1 when absent, malformed
        /// or longer than <paramref name="max"/>.
        /// </summary>
        public int FormField(string name, byte[] output, int outputOffset, int max)
        {
            int k = BodyOffset, e = BodyOffset + ContentLength;
            while (k < e)
            {
                int ns = k;
                while (k < e && b[k] != '=' && b[k] != '&') k++;
                int ne = k;
                int vs = k, ve = k;
                if (k < e && b[k] == '=')
                {
                    k++;
                    vs = k;
                    while (k < e && b[k] != '&') k++;
                    ve = k;
                }
                if (k < e) k++;
                if (ne - ns == name.Length && Equals(ns, name))
                    return UrlDecode(b, vs, ve - vs, output, outputOffset, max);
            }
            return -1;
        }

        /// <summary>Decodes application/x-www-form-urlencoded bytes; -1 on a bad escape or when over max.</summary>
        public static int UrlDecode(byte[] input, int offset, int length, byte[] output, int outputOffset, int max)
        {
            int n = 0;
            int end = offset + length;
            for (int k = offset; k < end; k++)
            {
                if (n >= max)
                    return -1;
                byte c = input[k];
                if (c == '+')
                    c = (byte)' ';
                else if (c == '%')
                {
                    if (k + 2 >= end)
                        return -1;
                    int hi = Hex(input[k + 1]), lo = Hex(input[k + 2]);
                    if (hi < 0 || lo < 0)
                        return -1;
                    c = (byte)(hi * 16 + lo);
                    k += 2;
                }
                output[outputOffset + n++] = c;
            }
            return n;
        }

        static int Hex(byte c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
    }
}

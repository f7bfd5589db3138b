namespace Warp.Protocol.Web
{
    /// <summary>
    /// Writes one HTTP/1.1 response straight into a connection's send buffer: the body first
    /// (UTF-8, with HTML escaping where asked), then the status line and headers in front of it,
    /// with its Content-Length, and <c>Connection: close</c> (one request per connection).
    /// Streaming: a body larger than the room given is sent in chunks. The first call writes
    /// what fits after the head, which then carries no Content-Length (the body ends at the
    /// connection's close, RFC 9112 section 6.3 rule 8); the writer renders the same page again
    /// when the send buffer has drained (<see cref="BeginContinue"/>) and only the bytes after
    /// those already sent are kept. The page marks part boundaries (<see cref="Part"/>) at points
    /// of fixed structure: a chunk ends at the start of the part that did not fit (unless that
    /// part began the chunk), so a page whose values change between renders (counters) still
    /// arrives as whole parts, each consistent in itself. A head that does not fit sets
    /// <see cref="Overflow"/>; the caller answers 500 instead. Allocates nothing but what the
    /// strings passed in already are.
    /// </summary>
    public sealed class HttpResponse
    {
        /// <summary>Room kept in front of the body for the status line and headers (written there, then the body moves up to follow them).</summary>
        public const int HeaderRoom = 640;

        byte[] b;
        int start, end, pos, bodyStart;
        bool overflow, continuing, stopped;
        int headPos; // the head is written in the room kept before the body (none when continuing)
        // Streaming: the part being written, its bytes so far (skipped ones included), where it
        // began in this chunk; the (part, offset) already sent; where the next chunk starts.
        int part, inPart, partStart, skipPart, skipOffset, nextPart, nextOffset;

        public bool Overflow { get { return overflow; } }
        /// <summary>Bytes of body written so far in this chunk.</summary>
        public int BodyLength { get { return pos - bodyStart; } }
        /// <summary>After <see cref="Finish"/>: true when the whole body is written; else the writer continues at (<see cref="NextPart"/>, <see cref="NextOffset"/>).</summary>
        public bool Complete { get { return !stopped; } }
        public int NextPart { get { return nextPart; } }
        public int NextOffset { get { return nextOffset; } }

        /// <summary>Starts a response in (buffer, offset, capacity); the body is written after <see cref="HeaderRoom"/> bytes.</summary>
        public void Begin(byte[] buffer, int offset, int capacity)
        {
            b = buffer;
            start = offset;
            end = offset + capacity;
            bodyStart = offset + HeaderRoom;
            pos = bodyStart;
            overflow = capacity <= HeaderRoom;
            headPos = 0;
            continuing = false;
            StartParts(0, 0);
        }

        /// <summary>
        /// Continues a streamed body in (buffer, offset, capacity): the page is written again from
        /// its start; bytes before (part, offsetInPart) were sent and are skipped; no head.
        /// </summary>
        public void BeginContinue(byte[] buffer, int offset, int capacity, int fromPart, int offsetInPart)
        {
            b = buffer;
            start = offset;
            end = offset + capacity;
            bodyStart = offset;
            pos = offset;
            overflow = capacity <= 0;
            headPos = 0;
            continuing = true;
            StartParts(fromPart, offsetInPart);
        }

        void StartParts(int fromPart, int offsetInPart)
        {
            part = 0;
            inPart = 0;
            partStart = pos;
            skipPart = fromPart;
            skipOffset = offsetInPart;
            stopped = false;
            nextPart = 0;
            nextOffset = 0;
        }

        /// <summary>A part boundary: a streamed chunk ends here rather than inside the part that follows, when it can.</summary>
        public HttpResponse Part()
        {
            part++;
            inPart = 0;
            partStart = pos;
            return this;
        }

        /// <summary>Appends a string as UTF-8.</summary>
        public HttpResponse Write(string s)
        {
            if (s == null)
                return this;
            for (int i = 0; i < s.Length; i++)
                Char(s[i], s, ref i);
            return this;
        }

        /// <summary>Appends a string HTML-escaped (&amp; &lt; &gt; &quot; &#39;): safe in text and in quoted attributes.</summary>
        public HttpResponse Text(string s)
        {
            if (s == null)
                return this;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                switch (c)
                {
                    case '&': Write("&amp;"); break;
                    case '<': Write("&lt;"); break;
                    case '>': Write("&gt;"); break;
                    case '"': Write("&quot;"); break;
                    case '\'': Write("&#39;"); break;
                    default:
                        if (c < 0x20 && c != '\n' && c != '\t')
                            Byte((byte)'?');
                        else
                            Char(c, s, ref i);
                        break;
                }
            }
            return this;
        }

        /// <summary>Appends bytes (e.g. a form field as the client sent it) HTML-escaped; invalid UTF-8 passes as is.</summary>
        public HttpResponse Text(byte[] data, int offset, int length)
        {
            for (int i = offset; i < offset + length; i++)
            {
                byte c = data[i];
                if (c == '&') Write("&amp;");
                else if (c == '<') Write("&lt;");
                else if (c == '>') Write("&gt;");
                else if (c == '"') Write("&quot;");
                else if (c == '\'') Write("&#39;");
                else if (c < 0x20 && c != '\n' && c != '\t') Byte((byte)'?');
                else Byte(c);
            }
            return this;
        }

        public HttpResponse Number(long v)
        {
            if (v < 0)
            {
                Byte((byte)'-');
                v = -v;
            }
            long div = 1;
            while (v / div >= 10)
                div *= 10;
            for (; div > 0; div /= 10)
                Byte((byte)('0' + (int)(v / div % 10)));
            return this;
        }

        /// <summary>Appends bytes as lower-case hex.</summary>
        public HttpResponse Hex(byte[] data, int offset, int length)
        {
            for (int i = offset; i < offset + length; i++)
            {
                Byte(HexDigit(data[i] >> 4));
                Byte(HexDigit(data[i] & 15));
            }
            return this;
        }

        static byte HexDigit(int v) { return (byte)(v < 10 ? '0' + v : 'a' + v - 10); }

        void Char(char c, string s, ref int i)
        {
            int cp = c;
            if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.Length && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF)
            {
                cp = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
                i++;
            }
            if (cp < 0x80)
                Byte((byte)cp);
            else if (cp < 0x800)
            {
                Byte((byte)(0xC0 | (cp >> 6)));
                Byte((byte)(0x80 | (cp & 0x3F)));
            }
            else if (cp < 0x10000)
            {
                Byte((byte)(0xE0 | (cp >> 12)));
                Byte((byte)(0x80 | ((cp >> 6) & 0x3F)));
                Byte((byte)(0x80 | (cp & 0x3F)));
            }
            else
            {
                Byte((byte)(0xF0 | (cp >> 18)));
                Byte((byte)(0x80 | ((cp >> 12) & 0x3F)));
                Byte((byte)(0x80 | ((cp >> 6) & 0x3F)));
                Byte((byte)(0x80 | (cp & 0x3F)));
            }
        }

        void Byte(byte v)
        {
            if (stopped)
                return;
            if (part < skipPart || part == skipPart && inPart < skipOffset)
            {
                inPart++; // sent in an earlier chunk
                return;
            }
            if (pos >= end)
            {
                stopped = true;
                nextPart = part;
                if (partStart > bodyStart)
                {
                    pos = partStart; // this part goes whole in the next chunk
                    nextOffset = 0;
                }
                else
                    nextOffset = inPart; // a part larger than the chunk: split inside it
                return;
            }
            b[pos++] = v;
            inPart++;
        }

        // ------------------------------------------------------------------ the head

        /// <summary>Starts the head: "HTTP/1.1 {status} {reason}".</summary>
        public void Status(int status, string reason)
        {
            headPos = 0;
            Head("HTTP/1.1 ");
            HeadNumber(status);
            Head(" ");
            Head(reason);
            Crlf();
        }

        /// <summary>Adds a header line (name and value must be ASCII without CR or LF).</summary>
        public void Header(string name, string value)
        {
            Head(name);
            Head(": ");
            Head(value);
            Crlf();
        }

        /// <summary>Adds a header whose value is the hex of some bytes between a prefix and a suffix (a cookie).</summary>
        public void HeaderHex(string name, string prefix, byte[] data, int offset, int length, string suffix)
        {
            Head(name);
            Head(": ");
            Head(prefix);
            for (int i = offset; i < offset + length; i++)
            {
                HeadByte(HexDigit(data[i] >> 4));
                HeadByte(HexDigit(data[i] & 15));
            }
            Head(suffix);
            Crlf();
        }

        void Head(string s)
        {
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                HeadByte(c == '\r' || c == '\n' || c > 0x7E ? (byte)'?' : (byte)c);
            }
        }

        void Crlf()
        {
            HeadByte((byte)'\r');
            HeadByte((byte)'\n');
        }

        void HeadNumber(long v)
        {
            long div = 1;
            while (v / div >= 10)
                div *= 10;
            for (; div > 0; div /= 10)
                HeadByte((byte)('0' + (int)(v / div % 10)));
        }

        void HeadByte(byte v)
        {
            if (continuing)
                return; // the head went with the first chunk
            if (headPos >= HeaderRoom - 64)
            {
                overflow = true;
                return;
            }
            b[start + headPos++] = v;
        }

        /// <summary>
        /// Ends the head (Content-Length when the whole body is here, Connection: close, the blank
        /// line), moves the body up to follow it and returns the bytes written from the offset given
        /// to Begin; -1 on overflow. After <see cref="BeginContinue"/>: the body bytes of this chunk.
        /// </summary>
        public int Finish()
        {
            int body = pos - bodyStart;
            if (continuing)
                return overflow ? -1 : body;
            if (!stopped)
            {
                Head("Content-Length: ");
                HeadNumber(body);
                Crlf();
            }
            Head("Connection: close");
            Crlf();
            Crlf();
            if (overflow)
                return -1;
            System.Array.Copy(b, bodyStart, b, start + headPos, body); // overlapping: Array.Copy moves as memmove
            return headPos + body;
        }
    }
}

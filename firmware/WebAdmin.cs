using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Crypto;
using Warp.Protocol.Web;

namespace Warp.Firmware
{
    /// <summary>
    /// The router's setup page on its own LAN address, port 80: the <see cref="TcpServer"/>, the
    /// HTTP parser, the admin password, sessions and the pages (<see cref="WebPages"/>).
    /// <code>
    /// GET  /            setup form (no password yet) | login form (no session) | status
    /// GET  /wifi /warp /portal                     the other pages (a session, else 303 to /)
    /// POST /setup /login                           double-submit token (cookie warp_pre = field csrf)
    /// POST /logout /wifi/* /warp/import /portal/*  session cookie + the session's CSRF token
    /// </code>
    /// Security: the session cookie is HttpOnly and SameSite=Strict; every POST carries a CSRF
    /// token compared in constant time, and an Origin (or Sec-Fetch-Site) naming another site is
    /// refused with 403 ("Origin: null" too: the pages' Referrer-Policy is same-origin, so the
    /// browser names our origin on our own forms). Logins are rate-limited for the whole router (a hostile LAN has many
    /// addresses): after 3 failures each attempt waits 2^(n-3) s, at most 60 s; 429 until then.
    /// The page is served only to frames from the LAN port (the uplink never reaches it) whose
    /// source address passed validation (a lease or an IPv6 binding). Passwords are never echoed
    /// or logged; the record holds a salted PBKDF2 hash (<see cref="WebPassword"/>).
    /// One request per connection (Connection: close). Timeouts: a request must be complete 10 s
    /// after the handshake (slowloris), a connection lives at most 60 s.
    /// Streaming: a page larger than the send buffer is written in chunks as the client
    /// acknowledges (<see cref="HttpResponse"/>): the page is rendered again from what the slot
    /// stored (its kind, session, message, the time of the request, its pre-login token) whenever
    /// half the send buffer is free, and the bytes after those already queued are kept; its head
    /// then has no Content-Length and the close ends the body. A page that fits is sent as before.
    /// Memory: the TCP server's buffers and slots, the session table (4 × 56 B), no form-field
    /// scratch of its own (a POST's fields are decoded into the slot's empty send buffer and
    /// cleared before the answer is written there), a 32-byte token scratch, 64 B per slot (the
    /// request's state, the page to render again and its token).
    /// </summary>
    public sealed class WebAdmin
    {
        public const ushort Port = 80;
        public const long RequestTimeoutMs = 10000, LifetimeMs = 60000;
        public const long SessionIdleMs = 30 * 60 * 1000L, SessionMaxMs = 12 * 60 * 60 * 1000L;
        public const int Sessions = 4, TokenLength = 16;
        public const string SessionCookie = "warp_session", PreCookie = "warp_pre";
        const int MaxFailuresFree = 3;

        readonly TcpServer tcp;
        readonly HttpRequest request;
        readonly HttpResponse response = new HttpResponse();
        readonly WebCounters counters = new WebCounters();
        readonly WebPassword password;
        readonly IRandomSource random;
        readonly int kdfIterations;
        readonly int[] slotSerial, parsedLength;
        readonly bool[] answered;
        // The page each slot is sending, to render again while it streams.
        const byte PageError = 1, PageSetup = 2, PageLogin = 3, PageStatus = 4, PageWifi = 5, PageWarp = 6, PagePortal = 7, PageStyle = 8;
        readonly byte[] pageKind;
        readonly int[] pageSession, pageStatus, pageArg, streamPart, streamOffset;
        readonly string[] pageText;
        readonly long[] pageNow;
        readonly bool[] streaming;
        readonly byte[] preTokens;
        readonly byte[] tokens = new byte[Sessions * TokenLength];
        readonly byte[] csrf = new byte[Sessions * TokenLength];
        readonly long[] sessionUsed = new long[Sessions], sessionCreated = new long[Sessions];
        readonly bool[] sessionLive = new bool[Sessions];
        // The form-field scratch: the answering slot's send buffer, empty until the response is
        // written (fields are decoded, used and cleared before it is); 32 bytes for a CSRF token.
        byte[] field;
        int fieldAt, fieldMax;
        readonly byte[] csrfHex = new byte[2 * TokenLength];
        readonly byte[] token = new byte[TokenLength];
        readonly WebPages pages;
        int failures;
        long nextLoginAt;
        // The password derivation in progress (setup or login), sliced between the router's polls.
        int kdfSlot = -1, kdfSerial;
        bool kdfForSetup;
        Router router;

        /// <summary>The uplink page's source (null: the page says the host cannot change its uplink).</summary>
        public IUplinkSetup UplinkSetup;

        /// <param name="sizes">WebConnections, WebReceiveBuffer, WebSendBuffer, WebKdfIterations, PacketBuffer.</param>
        public WebAdmin(RouterSizes sizes, ISettingsStore store, IRandomSource random)
        {
            this.random = random;
            kdfIterations = sizes.WebKdfIterations;
            byte[] secret = new byte[16];
            RandomBytes.Fill(random, secret, 0, 16);
            int mss = sizes.PacketBuffer - Warp.Protocol.WireGuard.Message.DataPayload - 40 - 20;
            tcp = new TcpServer(sizes.WebConnections, sizes.WebReceiveBuffer, sizes.WebSendBuffer, Port, mss, secret, counters);
            CryptoUtil.Clear(secret);
            request = new HttpRequest(sizes.WebReceiveBuffer * 3 / 4, sizes.WebReceiveBuffer, 512);
            password = new WebPassword(store);
            slotSerial = new int[sizes.WebConnections];
            parsedLength = new int[sizes.WebConnections];
            answered = new bool[sizes.WebConnections];
            int k = sizes.WebConnections;
            pageKind = new byte[k];
            pageSession = new int[k]; pageStatus = new int[k]; pageArg = new int[k]; streamPart = new int[k]; streamOffset = new int[k];
            pageText = new string[k];
            pageNow = new long[k];
            streaming = new bool[k];
            preTokens = new byte[k * TokenLength];
            pages = new WebPages(this);
        }

        public TcpServer Tcp { get { return tcp; } }
        public WebCounters Counters { get { return counters; } }
        public WebPassword Password { get { return password; } }
        internal Router Router { get { return router; } }
        internal HttpResponse Response { get { return response; } }
        internal HttpRequest Request { get { return request; } }

        /// <summary>Bytes held (see the class summary).</summary>
        public int MemoryBytes
        {
            get
            {
                return tcp.MemoryBytes + counters.MemoryBytes + tokens.Length + csrf.Length + Sessions * 17 + csrfHex.Length
                    + answered.Length * 64 + WebPassword.RecordLength + 3 * 32 + 20 + TokenLength;
            }
        }

        /// <summary>The router whose state the pages show (a host that rebuilds its router hands the same WebAdmin to the new one).</summary>
        public void Attach(Router r) { router = r; }

        /// <summary>Factory reset: the password and every session go.</summary>
        public void Forget()
        {
            if (kdfSlot >= 0)
            {
                password.Cancel();
                System.Array.Clear(tcp.SendBuffer, kdfSlot * tcp.SendBufferSize, tcp.SendBufferSize);
                tcp.Abort(kdfSlot);
                kdfSlot = -1;
            }
            password.Forget();
            for (int i = 0; i < Sessions; i++)
                EndSession(i);
            failures = 0;
            nextLoginAt = 0;
        }

        /// <summary>Answers every connection whose request is complete, refuses the ones that broke a limit.</summary>
        public void Service(long now)
        {
            if (kdfSlot >= 0)
                StepKdf(now);
            for (int c = 0; c < tcp.Capacity; c++)
            {
                if (!tcp.IsOpen(c) || c == kdfSlot)
                    continue;
                if (slotSerial[c] != tcp.Serial(c))
                {
                    slotSerial[c] = tcp.Serial(c);
                    answered[c] = false;
                    streaming[c] = false;
                    parsedLength[c] = -1;
                }
                if (answered[c])
                {
                    if (streaming[c] && tcp.SendSpace(c) >= StreamChunk)
                        Render(c, false); // the next chunk of a page larger than the send buffer
                    if (now - tcp.OpenedAt(c) > LifetimeMs)
                        tcp.Abort(c); // a client that does not read its answer
                    continue;
                }
                int n = tcp.Received(c);
                if (n != parsedLength[c])
                {
                    parsedLength[c] = n;
                    HttpParse r = request.Parse(tcp.ReceiveBuffer, tcp.ReceiveOffset(c), n);
                    if (r == HttpParse.Complete)
                    {
                        tcp.SetProtected(c);
                        counters.Increment(WebCounter.HttpRequests);
                        Answer(c, now);
                        continue;
                    }
                    if (r == HttpParse.Error)
                    {
                        counters.Increment(WebCounter.HttpRequests);
                        Refuse(c, request.Status);
                        continue;
                    }
                }
                if (now - tcp.OpenedAt(c) > RequestTimeoutMs)
                    Refuse(c, 408);
                else if (tcp.PeerClosed(c))
                    Refuse(c, 400); // closed before the request was whole
            }
        }

        /// <summary>The earliest time <see cref="Service"/> or the TCP server has work.</summary>
        public long NextDeadline(long now)
        {
            if (kdfSlot >= 0)
                return now; // the next slice of a login
            long next = tcp.NextDeadline(now);
            for (int c = 0; c < tcp.Capacity; c++)
            {
                if (!tcp.IsOpen(c))
                    continue;
                bool mine = slotSerial[c] == tcp.Serial(c);
                if (mine && answered[c] && streaming[c] && tcp.SendSpace(c) >= StreamChunk)
                    return now;
                long t = tcp.OpenedAt(c) + (answered[c] && mine ? LifetimeMs : RequestTimeoutMs) + 1;
                if (t < next)
                    next = t;
            }
            return next;
        }

        // ------------------------------------------------------------------ answering

        /// <summary>Free send-buffer bytes that make a streamed page's next chunk worth rendering.</summary>
        int StreamChunk { get { return tcp.SendBufferSize / 2; } }

        void Begin(int c)
        {
            response.Begin(tcp.SendBuffer, tcp.SendFreeOffset(c), tcp.SendSpace(c));
        }

        /// <summary>Answers slot c with a page (kept to render again while it streams); counts a 200.</summary>
        void Show(int c, byte kind, int status, int session, string text, int arg, long now)
        {
            pageKind[c] = kind;
            pageStatus[c] = status;
            pageSession[c] = session;
            pageText[c] = text;
            pageArg[c] = arg;
            pageNow[c] = now;
            if (status == 200)
                counters.Increment(WebCounter.HttpOk);
            Render(c, true);
        }

        /// <summary>Writes slot c's page: all of it or its first chunk (first), else the next chunk after what was queued.</summary>
        void Render(int c, bool first)
        {
            if (first)
                Begin(c);
            else
                response.BeginContinue(tcp.SendBuffer, tcp.SendFreeOffset(c), tcp.SendSpace(c), streamPart[c], streamOffset[c]);
            int status = pageStatus[c], session = pageSession[c];
            string text = pageText[c];
            long now = pageNow[c];
            switch (pageKind[c])
            {
                case PageError:
                    pages.Error(status, text);
                    response.Status(status, text);
                    response.Header("Content-Type", "text/html; charset=utf-8");
                    if (status == 405)
                        response.Header("Allow", "GET, POST");
                    Common();
                    break;
                case PageSetup:
                case PageLogin:
                    if (pageKind[c] == PageSetup)
                        pages.Setup(preTokens, c * TokenLength, text);
                    else
                        pages.Login(preTokens, c * TokenLength, text);
                    response.Status(status, status == 200 ? "OK" : status == 403 ? "Forbidden" : "Too Many Requests");
                    if (status == 429)
                        response.Header("Retry-After", pageArg[c].ToString());
                    response.Header("Content-Type", "text/html; charset=utf-8");
                    response.HeaderHex("Set-Cookie", PreCookie + "=", preTokens, c * TokenLength, TokenLength, "; Path=/; HttpOnly; SameSite=Strict");
                    Common();
                    break;
                case PageStyle:
                    response.Write(WebPages.Style);
                    response.Status(200, "OK");
                    response.Header("Content-Type", "text/css");
                    response.Header("Cache-Control", "max-age=86400");
                    response.Header("X-Content-Type-Options", "nosniff");
                    break;
                default:
                    if (pageKind[c] == PageStatus) pages.Status(session, now);
                    else if (pageKind[c] == PageWifi) pages.Wifi(session, text);
                    else if (pageKind[c] == PageWarp) pages.Warp(session, text, pageArg[c]);
                    else pages.Portal(session, text, now);
                    response.Status(status, status == 200 ? "OK" : "Bad Request");
                    response.Header("Content-Type", "text/html; charset=utf-8");
                    Common();
                    break;
            }
            End(c, first);
        }

        void End(int c, bool first)
        {
            int n = response.Finish();
            if (n < 0 && first)
            {
                // The head did not fit this board's send buffer: a short 500 instead.
                Begin(c);
                response.Write("<!doctype html><title>500</title><p>The page is larger than this board's send buffer.</p>");
                response.Status(500, "Internal Server Error");
                response.Header("Content-Type", "text/html; charset=utf-8");
                n = response.Finish();
            }
            if (n < 0)
            {
                tcp.Abort(c);
                streaming[c] = false;
                answered[c] = true;
                return;
            }
            if (n > 0)
                tcp.Commit(c, n);
            if (response.Complete)
            {
                streaming[c] = false;
                tcp.Close(c);
            }
            else
            {
                if (first)
                    counters.Increment(WebCounter.HttpStreamed);
                streaming[c] = true;
                streamPart[c] = response.NextPart;
                streamOffset[c] = response.NextOffset;
            }
            answered[c] = true;
        }

        void Refuse(int c, int status)
        {
            string reason;
            switch (status)
            {
                case 400: reason = "Bad Request"; counters.Increment(WebCounter.HttpBadRequest); break;
                case 403: reason = "Forbidden"; counters.Increment(WebCounter.HttpForbidden); break;
                case 404: reason = "Not Found"; counters.Increment(WebCounter.HttpNotFound); break;
                case 405: reason = "Method Not Allowed"; counters.Increment(WebCounter.HttpMethodNotAllowed); break;
                case 408: reason = "Request Timeout"; counters.Increment(WebCounter.HttpRequestTimeout); break;
                case 411: reason = "Length Required"; counters.Increment(WebCounter.HttpLengthRequired); break;
                case 413: reason = "Content Too Large"; counters.Increment(WebCounter.HttpPayloadTooLarge); break;
                case 414: reason = "URI Too Long"; counters.Increment(WebCounter.HttpUriTooLong); break;
                case 429: reason = "Too Many Requests"; counters.Increment(WebCounter.HttpTooManyRequests); break;
                case 431: reason = "Request Header Fields Too Large"; counters.Increment(WebCounter.HttpHeadersTooLarge); break;
                default: status = 400; reason = "Bad Request"; counters.Increment(WebCounter.HttpBadRequest); break;
            }
            Show(c, PageError, status, -1, reason, 0, 0);
        }

        void Common()
        {
            response.Header("Cache-Control", "no-store");
            response.Header("X-Frame-Options", "DENY");
            response.Header("X-Content-Type-Options", "nosniff");
            // same-origin, not no-referrer: under no-referrer a browser's POST carries "Origin: null"
            // (Fetch, serializing a request origin), which the cross-site check must refuse, so no form
            // would ever work; under same-origin our own forms carry our origin and other sites see no Referer.
            response.Header("Referrer-Policy", "same-origin");
            response.Header("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'");
        }

        void Redirect(int c, string location, int session, bool clearCookie)
        {
            counters.Increment(WebCounter.HttpRedirects);
            Begin(c);
            response.Status(303, "See Other");
            response.Header("Location", location);
            if (session >= 0)
                response.HeaderHex("Set-Cookie", SessionCookie + "=", tokens, session * TokenLength, TokenLength, "; Path=/; HttpOnly; SameSite=Strict");
            if (clearCookie)
                response.Header("Set-Cookie", SessionCookie + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
            Common();
            End(c, true);
        }

        void Answer(int c, long now)
        {
            HttpRequest q = request;
            bool post = q.Method == HttpRequest.MethodPost;
            int session = FindSession(now);
            if (!post)
            {
                if (q.PathIs("/"))
                {
                    if (!password.IsSet)
                        PrePage(c, PageSetup, 200, null, 0);
                    else if (session < 0)
                        PrePage(c, PageLogin, 200, null, 0);
                    else
                        Show(c, PageStatus, 200, session, null, 0, now);
                    return;
                }
                if (q.PathIs("/s.css"))
                {
                    Show(c, PageStyle, 200, -1, null, 0, now);
                    return;
                }
                int which = q.PathIs("/wifi") ? 1 : q.PathIs("/warp") ? 2 : q.PathIs("/portal") ? 3 : 0;
                if (which == 0)
                {
                    Refuse(c, 404);
                    return;
                }
                if (session < 0)
                {
                    counters.Increment(WebCounter.SessionsRefused);
                    Redirect(c, "/", -1, false);
                    return;
                }
                Show(c, which == 1 ? PageWifi : which == 2 ? PageWarp : PagePortal, 200, session, null, 0, now);
                return;
            }
            // POST
            bool known = q.PathIs("/setup") || q.PathIs("/login") || q.PathIs("/logout") || q.PathIs("/wifi/join") || q.PathIs("/wifi/forget")
                || q.PathIs("/wifi/up") || q.PathIs("/warp/import") || q.PathIs("/portal/clone") || q.PathIs("/portal/restore");
            if (!known)
            {
                Refuse(c, q.PathIs("/") || q.PathIs("/wifi") || q.PathIs("/warp") || q.PathIs("/portal") ? 405 : 404);
                return;
            }
            if (!q.IsFormBody || CrossSite())
            {
                counters.Increment(WebCounter.CsrfRefused);
                Refuse(c, 403);
                return;
            }
            if (q.PathIs("/setup") || q.PathIs("/login"))
            {
                if (!PreTokenMatches())
                {
                    counters.Increment(WebCounter.CsrfRefused);
                    Refuse(c, 403);
                    return;
                }
                if (q.PathIs("/setup"))
                    PostSetup(c, now);
                else
                    PostLogin(c, now);
                return;
            }
            if (session < 0)
            {
                counters.Increment(WebCounter.SessionsRefused);
                Refuse(c, 403);
                return;
            }
            if (!SessionTokenMatches(session))
            {
                counters.Increment(WebCounter.CsrfRefused);
                Refuse(c, 403);
                return;
            }
            if (q.PathIs("/logout"))
            {
                EndSession(session);
                Redirect(c, "/", -1, true);
                return;
            }
            if (q.PathIs("/warp/import"))
            {
                PostImport(c, session, now);
                return;
            }
            if (q.PathIs("/portal/clone") || q.PathIs("/portal/restore"))
            {
                string message = pages.PortalAction(c, q.PathIs("/portal/clone"), now);
                Show(c, PagePortal, 200, session, message, 0, now);
                return;
            }
            PostWifi(c, session);
        }

        /// <summary>The setup or login page with a new pre-login token (slot c's, so a streamed page keeps it) in its form and its cookie.</summary>
        void PrePage(int c, byte kind, int status, string error, int retryAfter)
        {
            RandomBytes.Fill(random, preTokens, c * TokenLength, TokenLength);
            Show(c, kind, status, -1, error, retryAfter, 0);
        }

        /// <summary>An Origin other than this host, or a browser's Sec-Fetch-Site naming another site: a cross-site POST.</summary>
        bool CrossSite()
        {
            HttpRequest q = request;
            byte[] b = q.Buffer;
            if (q.FetchSiteLength >= 0)
            {
                bool same = Is(b, q.FetchSiteOffset, q.FetchSiteLength, "same-origin") || Is(b, q.FetchSiteOffset, q.FetchSiteLength, "none");
                if (!same)
                    return true;
            }
            if (q.OriginLength < 0)
                return false;
            // Origin must be "http://" + Host.
            if (q.HostLength < 0 || q.OriginLength != 7 + q.HostLength || !Is(b, q.OriginOffset, 7, "http://"))
                return true;
            for (int i = 0; i < q.HostLength; i++)
            {
                int x = b[q.OriginOffset + 7 + i], y = b[q.HostOffset + i];
                if (x >= 'A' && x <= 'Z') x += 32;
                if (y >= 'A' && y <= 'Z') y += 32;
                if (x != y)
                    return true;
            }
            return false;
        }

        static bool Is(byte[] b, int offset, int length, string s)
        {
            if (length != s.Length)
                return false;
            for (int i = 0; i < length; i++)
                if (b[offset + i] != s[i])
                    return false;
            return true;
        }

        /// <summary>The form's csrf field equals the warp_pre cookie (both 32 hex digits).</summary>
        bool PreTokenMatches()
        {
            int cookieAt;
            int cookieLength = request.FindCookie(PreCookie, out cookieAt);
            if (cookieLength != 2 * TokenLength || !ParseHex(request.Buffer, cookieAt, token))
                return false;
            int n = request.FormField("csrf", csrfHex, 0, csrfHex.Length);
            if (n != 2 * TokenLength || !ParseHex(csrfHex, 0, csrfHex))
                return false;
            return CryptoUtil.ConstantTimeEquals(token, 0, csrfHex, 0, TokenLength);
        }

        bool SessionTokenMatches(int session)
        {
            int n = request.FormField("csrf", csrfHex, 0, csrfHex.Length);
            if (n != 2 * TokenLength || !ParseHex(csrfHex, 0, csrfHex))
                return false;
            return CryptoUtil.ConstantTimeEquals(csrf, session * TokenLength, csrfHex, 0, TokenLength);
        }

        /// <summary>Parses 32 hex digits at (b, offset) into the first 16 bytes of output (output may be b when offset is 0).</summary>
        static bool ParseHex(byte[] b, int offset, byte[] output)
        {
            for (int i = 0; i < TokenLength; i++)
            {
                int hi = HexValue(b[offset + 2 * i]), lo = HexValue(b[offset + 2 * i + 1]);
                if (hi < 0 || lo < 0)
                    return false;
                output[i] = (byte)(hi * 16 + lo);
            }
            return true;
        }

        static int HexValue(byte c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        // ------------------------------------------------------------------ sessions

        /// <summary>The live session the request's cookie names, or -1.</summary>
        int FindSession(long now)
        {
            int at;
            int n = request.FindCookie(SessionCookie, out at);
            if (n != 2 * TokenLength)
                return -1;
            byte[] b = request.Buffer;
            for (int i = 0; i < TokenLength; i++)
            {
                int hi = HexValue(b[at + 2 * i]), lo = HexValue(b[at + 2 * i + 1]);
                if (hi < 0 || lo < 0)
                    return -1;
                token[i] = (byte)(hi * 16 + lo);
            }
            int found = -1;
            for (int s = 0; s < Sessions; s++)
            {
                bool match = CryptoUtil.ConstantTimeEquals(tokens, s * TokenLength, token, 0, TokenLength);
                if (match && sessionLive[s])
                    found = s;
            }
            if (found < 0)
                return -1;
            if (now - sessionUsed[found] > SessionIdleMs || now - sessionCreated[found] > SessionMaxMs)
            {
                EndSession(found);
                return -1;
            }
            sessionUsed[found] = now;
            return found;
        }

        int NewSession(long now)
        {
            int slot = 0;
            for (int s = 0; s < Sessions; s++)
            {
                if (!sessionLive[s]) { slot = s; break; }
                if (sessionUsed[s] < sessionUsed[slot]) slot = s;
            }
            RandomBytes.Fill(random, tokens, slot * TokenLength, TokenLength);
            RandomBytes.Fill(random, csrf, slot * TokenLength, TokenLength);
            sessionLive[slot] = true;
            sessionUsed[slot] = now;
            sessionCreated[slot] = now;
            return slot;
        }

        void EndSession(int s)
        {
            sessionLive[s] = false;
            CryptoUtil.Clear(tokens, s * TokenLength, TokenLength);
            CryptoUtil.Clear(csrf, s * TokenLength, TokenLength);
        }

        /// <summary>The session's CSRF token as the forms carry it.</summary>
        internal void WriteCsrf(int session) { response.Hex(csrf, session * TokenLength, TokenLength); }

        // ------------------------------------------------------------------ the POSTs

        void PostSetup(int c, long now)
        {
            if (password.IsSet)
            {
                Refuse(c, 403);
                return;
            }
            Scratch(c);
            int half = fieldMax / 2;
            int n = request.FormField("password", field, fieldAt, half);
            int m = request.FormField("confirm", field, fieldAt + half, fieldMax - half);
            string error = null;
            if (n < WebPassword.MinLength || n > WebPassword.MaxLength)
                error = "The password needs 8 to 128 characters.";
            else if (m != n || !CryptoUtil.ConstantTimeEquals(field, fieldAt, field, fieldAt + half, n))
                error = "The two passwords differ.";
            else if (password.Busy)
                error = "Another login is being checked: try again in a few seconds.";
            if (error != null)
            {
                ClearScratch();
                PrePage(c, PageSetup, 200, error, 0);
                return;
            }
            System.Array.Clear(field, fieldAt + half, fieldMax - half); // the confirmation
            password.BeginSet(field, fieldAt, n, kdfIterations, random); // the password stays in the scratch until done
            StartKdf(c, true);
        }

        /// <summary>True while a password derivation (a setup or a login) runs in slices.</summary>
        public bool KdfPending { get { return kdfSlot >= 0; } }

        void StartKdf(int c, bool setup)
        {
            kdfSlot = c;
            kdfSerial = tcp.Serial(c);
            kdfForSetup = setup;
        }

        /// <summary>One slice of the derivation; its answer when done; abandoned (and cleared) when the client went away.</summary>
        void StepKdf(long now)
        {
            int c = kdfSlot;
            if (!tcp.IsOpen(c) || tcp.Serial(c) != kdfSerial)
            {
                password.Cancel();
                System.Array.Clear(tcp.SendBuffer, c * tcp.SendBufferSize, tcp.SendBufferSize); // the password was in its scratch
                kdfSlot = -1;
                return;
            }
            if (!password.Step())
                return;
            kdfSlot = -1;
            Scratch(c);
            if (kdfForSetup)
            {
                bool stored = password.FinishSet();
                ClearScratch();
                if (!stored)
                    PrePage(c, PageSetup, 200, "The password could not be stored.", 0);
                else
                    Redirect(c, "/", NewSession(now), false);
                return;
            }
            bool ok = password.FinishVerify();
            ClearScratch();
            LoginResult(c, ok, now);
        }

        void PostLogin(int c, long now)
        {
            if (!password.IsSet)
            {
                Redirect(c, "/", -1, false);
                return;
            }
            if (now < nextLoginAt)
            {
                counters.Increment(WebCounter.LoginsRateLimited);
                counters.Increment(WebCounter.HttpTooManyRequests);
                int wait = (int)((nextLoginAt - now + 999) / 1000);
                PrePage(c, PageLogin, 429, "Too many failed attempts: try again in " + wait.ToString() + " s.", wait);
                return;
            }
            if (password.Busy)
            {
                counters.Increment(WebCounter.LoginsRateLimited);
                counters.Increment(WebCounter.HttpTooManyRequests);
                PrePage(c, PageLogin, 429, "Another login is being checked: try again in a few seconds.", 2);
                return;
            }
            Scratch(c);
            int n = request.FormField("password", field, fieldAt, fieldMax);
            if (n > 0 && password.BeginVerify(field, fieldAt, n))
            {
                StartKdf(c, false); // the password stays in the scratch until done
                return;
            }
            ClearScratch();
            LoginResult(c, false, now);
        }

        void LoginResult(int c, bool ok, long now)
        {
            if (!ok)
            {
                counters.Increment(WebCounter.LoginsFailed);
                failures++;
                if (failures >= MaxFailuresFree)
                {
                    int shift = failures - MaxFailuresFree;
                    long wait = shift >= 6 ? 60000 : 1000L << shift;
                    nextLoginAt = now + wait;
                }
                counters.Increment(WebCounter.HttpForbidden);
                PrePage(c, PageLogin, 403, "Wrong password.", 0);
                return;
            }
            counters.Increment(WebCounter.LoginsSucceeded);
            failures = 0;
            nextLoginAt = 0;
            Redirect(c, "/", NewSession(now), false);
        }

        void PostImport(int c, int session, long now)
        {
            Scratch(c);
            int n = request.FormField("config", field, fieldAt, fieldMax);
            string message;
            int errors = 0;
            if (n <= 0)
            {
                message = "Paste a wg-quick or wgcf file first.";
                errors = 1;
            }
            else
                message = pages.Import(field, fieldAt, n, now, out errors);
            ClearScratch(); // the file holds a private key
            Show(c, PageWarp, errors > 0 ? 400 : 200, session, message, errors, now);
        }

        void PostWifi(int c, int session)
        {
            string message;
            IUplinkSetup u = UplinkSetup;
            Scratch(c);
            int half = fieldMax / 2;
            int n = request.FormField("name", field, fieldAt, half);
            string name = n > 0 ? Warp.Protocol.Config.Utf8Text.Decode(field, fieldAt, n) : null;
            if (u == null)
                message = "This host cannot change its uplink from the page.";
            else if (name == null)
                message = "No network named.";
            else if (request.PathIs("/wifi/join"))
            {
                int p = request.FormField("password", field, fieldAt + half, fieldMax - half);
                string pw = p > 0 ? Warp.Protocol.Config.Utf8Text.Decode(field, fieldAt + half, p) : "";
                string error = u.Join(name, pw);
                message = error == null ? "Joined " + name + "." : "Could not join " + name + ": " + error;
            }
            else if (request.PathIs("/wifi/forget"))
                message = u.Forget(name) ? "Forgot " + name + "." : name + " was not saved.";
            else
                message = u.MoveUp(name) ? "Moved " + name + " up." : name + " cannot move up.";
            ClearScratch();
            Show(c, PageWifi, 200, session, message, 0, 0);
        }

        /// <summary>The form-field scratch for slot c: its send buffer's free room (all of it: nothing is queued before the answer).</summary>
        void Scratch(int c)
        {
            field = tcp.SendBuffer;
            fieldAt = tcp.SendFreeOffset(c);
            fieldMax = tcp.SendSpace(c);
        }

        void ClearScratch()
        {
            if (field != null && fieldMax > 0)
                System.Array.Clear(field, fieldAt, fieldMax);
        }

        /// <summary>The requesting connection's client address (for the portal's MAC clone).</summary>
        internal int ClientAddress(int c, byte[] address) { return tcp.RemoteAddress(c, address, 0); }
    }
}

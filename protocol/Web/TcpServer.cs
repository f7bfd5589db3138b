using Warp.Protocol.Net;

namespace Warp.Protocol.Web
{
    /// <summary>
    /// A small TCP (RFC 9293) for one listening port of the router's own address, IPv4 and IPv6,
    /// sans-I/O: IP packets in, IP packets out in the caller's buffer, <c>now</c> passed in.
    /// <code>
    /// SYN (no connection)        ──► SYN-ACK whose ISN is a SYN cookie; no state kept
    /// ACK (no connection)        ──► cookie verified ──► slot taken (Established) ──► data / FIN as below
    /// data at RCV.NXT            ──► into the slot's receive buffer (in order; a gap is dropped, dup ACK)
    /// app: Send / Close / Abort  ──► Poll writes data, FIN, ACK, RST; RTO retransmits (RFC 6298)
    /// both FINs acknowledged     ──► TIME-WAIT (short) ──► free
    /// </code>
    /// SYN-flood resistance: nothing is kept before the handshake completes. The ISN is
    /// <c>t (5 bits, 64 s units) | MSS index (3 bits) | SipHash-2-4(secret; addresses, ports, t) (24 bits)</c>,
    /// checked on the final ACK (at most two intervals old). SYN-ACKs are rate-limited per source
    /// address and in all (<see cref="SynRateLimit"/>): a flood costs its receive work only. A completed handshake needs a slot:
    /// when every slot is taken, the slot of the oldest connection that has sent no complete
    /// request yet (<see cref="SetProtected"/> not called: a slowloris) is taken for it, else the
    /// ACK is dropped (the client's retransmission tries again later).
    /// Simplifications: no window scaling, SACK or timestamps (none offered in the SYN-ACK); out
    /// of order data is dropped (the client retransmits); go-back-N on a timeout; RST checked
    /// as RFC 5961 asks (exact sequence number, else a challenge ACK).
    /// Memory: the receive and send buffers (connections × both sizes) and 120 bytes per slot.
    /// Never throws on a segment's contents; allocates nothing after construction.
    /// </summary>
    public sealed class TcpServer
    {
        /// <summary>Segment retransmissions before the connection is aborted.</summary>
        public const int MaxRetries = 6;
        /// <summary>RFC 6298: initial RTO 1 s; a floor of 200 ms (as Linux) and a ceiling of 60 s.</summary>
        public const int InitialRtoMs = 1000, MinRtoMs = 200, MaxRtoMs = 60000;
        /// <summary>A closed connection lingers this long to acknowledge a retransmitted FIN.</summary>
        public const int TimeWaitMs = 2000;
        /// <summary>SYN cookie time unit (t counts 64-second intervals) and how many intervals back a cookie is valid.</summary>
        public const long CookieIntervalMs = 64000;
        const int CookieMaxAge = 2;
        const int Ipv4Header = 20, Ipv6Header = 40, TcpHeader = 20;
        static readonly int[] mssTable = { 536, 1200, 1220, 1380, 1400, 1440, 1452, 1460 };

        const byte Free = 0, Open = 1, TimeWait = 2;

        readonly int capacity, receiveSize, sendSize, ourMss;
        readonly ushort port;
        readonly WebCounters counters;
        readonly ulong k0, k1;
        readonly byte[] cookieInput = new byte[48];
        readonly SynRateLimit synLimit = new SynRateLimit();
        readonly byte[] receive, send;
        readonly byte[] remote, local;
        readonly byte[] state, version;
        readonly ushort[] remotePort;
        readonly uint[] sndUna, sndNxt, rcvNxt, rttSeq;
        readonly int[] sndWnd, peerMss, received, queued, rto, srtt, rttvar, retries, serial;
        readonly long[] openedAt, lastActivity, rtoAt, rttStart, timeWaitUntil;
        readonly bool[] finReceived, closeRequested, finSent, finAcked, ackNow, rstPending, protectedSlot;
        int cursor;
        ushort ipId;

        /// <param name="connections">Connection slots.</param>
        /// <param name="receiveBuffer">Bytes of each connection's receive buffer (the request); the window advertised.</param>
        /// <param name="sendBuffer">Bytes of each connection's send buffer (the response).</param>
        /// <param name="port">The listening port (80).</param>
        /// <param name="maxSegment">The largest TCP payload the LAN frame buffers carry (advertised as MSS).</param>
        /// <param name="secret">16 random bytes: the SYN cookie key (copied).</param>
        public TcpServer(int connections, int receiveBuffer, int sendBuffer, ushort port, int maxSegment, byte[] secret, WebCounters counters)
        {
            if (connections < 1 || connections > 64 || receiveBuffer < 256 || sendBuffer < 256 || maxSegment < 536 || secret == null || secret.Length < 16)
                throw new System.ArgumentException("bad TCP server sizes");
            capacity = connections;
            receiveSize = receiveBuffer;
            sendSize = sendBuffer;
            this.port = port;
            ourMss = maxSegment > 1460 ? 1460 : maxSegment;
            this.counters = counters ?? new WebCounters();
            k0 = Endian.Read64LE(secret, 0);
            k1 = Endian.Read64LE(secret, 8);
            receive = new byte[connections * receiveBuffer];
            send = new byte[connections * sendBuffer];
            remote = new byte[connections * 16];
            local = new byte[connections * 16];
            state = new byte[connections];
            version = new byte[connections];
            remotePort = new ushort[connections];
            sndUna = new uint[connections]; sndNxt = new uint[connections]; rcvNxt = new uint[connections]; rttSeq = new uint[connections];
            sndWnd = new int[connections]; peerMss = new int[connections]; received = new int[connections]; queued = new int[connections];
            rto = new int[connections]; srtt = new int[connections]; rttvar = new int[connections]; retries = new int[connections];
            serial = new int[connections];
            openedAt = new long[connections]; lastActivity = new long[connections]; rtoAt = new long[connections];
            rttStart = new long[connections]; timeWaitUntil = new long[connections];
            finReceived = new bool[connections]; closeRequested = new bool[connections]; finSent = new bool[connections];
            finAcked = new bool[connections]; ackNow = new bool[connections]; rstPending = new bool[connections];
            protectedSlot = new bool[connections];
        }

        public WebCounters Counters { get { return counters; } }
        public int Capacity { get { return capacity; } }
        public ushort Port { get { return port; } }
        public int ReceiveBufferSize { get { return receiveSize; } }
        public int SendBufferSize { get { return sendSize; } }

        /// <summary>Bytes held: both buffers of every slot, the address and per-slot fields (120 B a slot), the cookie scratch, the SYN buckets.</summary>
        public int MemoryBytes { get { return capacity * (receiveSize + sendSize + 120) + cookieInput.Length + 16 + synLimit.MemoryBytes; } }

        // ------------------------------------------------------------------ the application's side

        /// <summary>True while slot c is a connection the application may read from and write to.</summary>
        public bool IsOpen(int c) { return state[c] == Open && !rstPending[c]; }

        /// <summary>Changes each time slot c takes a new connection: the application's per-slot state is stale when it differs.</summary>
        public int Serial(int c) { return serial[c]; }

        /// <summary>The buffer holding every slot's received bytes; slot c's start at <see cref="ReceiveOffset"/>.</summary>
        public byte[] ReceiveBuffer { get { return receive; } }
        public int ReceiveOffset(int c) { return c * receiveSize; }
        /// <summary>In-order bytes received on slot c (the request so far).</summary>
        public int Received(int c) { return received[c]; }
        /// <summary>True once the client's FIN arrived (it sends no more).</summary>
        public bool PeerClosed(int c) { return finReceived[c]; }
        public long OpenedAt(int c) { return openedAt[c]; }
        public long LastActivity(int c) { return lastActivity[c]; }
        /// <summary>The client's IP version (4 or 6) and address (4 or 16 bytes copied to address).</summary>
        public int RemoteAddress(int c, byte[] address, int offset)
        {
            int n = version[c] == 4 ? 4 : 16;
            System.Array.Copy(remote, c * 16, address, offset, n);
            return version[c];
        }

        /// <summary>Bytes the application may still queue on slot c.</summary>
        public int SendSpace(int c) { return state[c] == Open && !closeRequested[c] ? sendSize - queued[c] : 0; }

        /// <summary>Queues (data, offset, length) on slot c; false, queuing nothing, when it does not fit.</summary>
        public bool Send(int c, byte[] data, int offset, int length)
        {
            if (length < 0 || length > SendSpace(c))
                return false;
            System.Array.Copy(data, offset, send, c * sendSize + queued[c], length);
            queued[c] += length;
            return true;
        }

        /// <summary>The send buffer, for writing a response in place: slot c's free room starts at <see cref="SendFreeOffset"/>; then <see cref="Commit"/>.</summary>
        public byte[] SendBuffer { get { return send; } }
        public int SendFreeOffset(int c) { return c * sendSize + queued[c]; }
        public void Commit(int c, int length)
        {
            if (length > 0 && length <= SendSpace(c))
                queued[c] += length;
        }

        /// <summary>Closes slot c gracefully: FIN after the queued data; what the client still sends is acknowledged and discarded.</summary>
        public void Close(int c)
        {
            if (state[c] == Open)
                closeRequested[c] = true;
        }

        /// <summary>Aborts slot c: the next <see cref="Poll"/> sends a RST and frees it.</summary>
        public void Abort(int c)
        {
            if (state[c] == Open)
                rstPending[c] = true;
        }

        /// <summary>Marks slot c as having sent a complete request: it is not taken for a new connection when the table is full.</summary>
        public void SetProtected(int c) { protectedSlot[c] = true; }

        /// <summary>Connections in use (open or lingering).</summary>
        public int OpenCount
        {
            get
            {
                int n = 0;
                for (int i = 0; i < capacity; i++)
                    if (state[i] != Free)
                        n++;
                return n;
            }
        }

        // ------------------------------------------------------------------ segments in

        /// <summary>
        /// A TCP segment in an IPv4 packet to the router's address and <see cref="Port"/>. Returns
        /// the length of an IPv4 packet written at (output, outputOffset) to send at once (SYN-ACK,
        /// RST), or 0; anything else goes out through <see cref="Poll"/>.
        /// </summary>
        public int HandleV4(Ipv4Packet ip, long now, byte[] output, int outputOffset)
        {
            if (ip.IsFragment)
            {
                counters.Increment(WebCounter.DropFragment);
                return 0;
            }
            return Handle(4, ip.Buffer, ip.SourceOffsetInBuffer, ip.DestinationOffsetInBuffer, ip.PayloadOffset, ip.PayloadLength,
                ip.PseudoHeaderSum(), now, output, outputOffset);
        }

        /// <summary>The same for IPv6 (no fragment header; extension headers are skipped by the view).</summary>
        public int HandleV6(Ipv6Packet ip, long now, byte[] output, int outputOffset)
        {
            if (ip.HasFragmentHeader || !ip.HasUpperLayerHeader)
            {
                counters.Increment(WebCounter.DropFragment);
                return 0;
            }
            return Handle(6, ip.Buffer, ip.SourceOffsetInBuffer, ip.DestinationOffsetInBuffer, ip.UpperLayerOffset, ip.UpperLayerLength,
                ip.PseudoHeaderSum(), now, output, outputOffset);
        }

        int Handle(byte v, byte[] b, int src, int dst, int tcp, int tcpLength, uint pseudo, long now, byte[] output, int outputOffset)
        {
            TcpSegment seg;
            if (!TcpSegment.TryCreate(b, tcp, tcpLength, out seg))
            {
                counters.Increment(WebCounter.DropMalformedSegment);
                return 0;
            }
            if (!seg.VerifyChecksum(pseudo))
            {
                counters.Increment(WebCounter.DropBadChecksum);
                return 0;
            }
            if (seg.DestinationPort != port)
            {
                counters.Increment(WebCounter.DropNoConnection);
                return 0;
            }
            counters.Increment(WebCounter.SegmentsReceived);
            int alen = v == 4 ? 4 : 16;
            int c = Find(v, b, src, alen, seg.SourcePort);
            if (c < 0)
                return NoConnection(v, b, src, dst, alen, seg, now, output, outputOffset);
            if (state[c] == TimeWait)
            {
                if (seg.Fin || (seg.Flags & TcpSegment.FlagSyn) == 0 && !seg.Rst)
                    ackNow[c] = true; // a retransmitted FIN: acknowledge it again
                if (seg.Syn && !seg.Ack)
                {
                    Free_(c); // a new connection on the same port (the client reuses it): answer it statelessly
                    return NoConnection(v, b, src, dst, alen, seg, now, output, outputOffset);
                }
                return 0;
            }
            OnSegment(c, seg, now);
            return 0;
        }

        int Find(byte v, byte[] b, int src, int alen, ushort sourcePort)
        {
            for (int c = 0; c < capacity; c++)
            {
                if (state[c] == Free || version[c] != v || remotePort[c] != sourcePort)
                    continue;
                int o = c * 16;
                bool same = true;
                for (int i = 0; i < alen && same; i++)
                    same = remote[o + i] == b[src + i];
                if (same)
                    return c;
            }
            return -1;
        }

        int NoConnection(byte v, byte[] b, int src, int dst, int alen, TcpSegment seg, long now, byte[] output, int outputOffset)
        {
            if (seg.Rst)
            {
                counters.Increment(WebCounter.DropNoConnection);
                return 0;
            }
            uint seq = seg.SequenceNumber;
            if (seg.Syn && !seg.Ack)
            {
                if (!synLimit.Allow(v, b, src, now))
                {
                    counters.Increment(WebCounter.DropSynRateLimited);
                    return 0;
                }
                int mssIndex = MssIndexFor(seg.MaximumSegmentSize);
                uint isn = Cookie(v, b, src, dst, alen, seg.SourcePort, now / CookieIntervalMs, mssIndex);
                counters.Increment(WebCounter.SynCookiesSent);
                return WriteSegment(v, b, dst, b, src, seg.SourcePort, isn, seq + 1, TcpSegment.FlagSyn | TcpSegment.FlagAck,
                    (ushort)(receiveSize > 65535 ? 65535 : receiveSize), true, null, 0, 0, output, outputOffset);
            }
            if (seg.Ack && !seg.Syn)
            {
                uint cookie = seg.AcknowledgmentNumber - 1;
                int mssIndex;
                if (!CheckCookie(v, b, src, dst, alen, seg.SourcePort, cookie, now, out mssIndex))
                {
                    counters.Increment(WebCounter.DropBadCookie);
                    return Reset(v, b, dst, src, seg, output, outputOffset);
                }
                int c = TakeSlot(now);
                if (c < 0)
                {
                    // Dropped, not reset: the client retransmits its request (the cookie stays valid
                    // for up to two intervals) and gets a slot once one frees. On a one-connection
                    // board a browser's stylesheet request thus waits for the page instead of failing.
                    counters.Increment(WebCounter.DropTableFull);
                    return 0;
                }
                OpenSlot(c, v, b, src, dst, alen, seg, cookie, mssTable[mssIndex], now);
                OnSegment(c, seg, now);
                return 0;
            }
            counters.Increment(WebCounter.DropNoConnection);
            return Reset(v, b, dst, src, seg, output, outputOffset);
        }

        static int MssIndexFor(int mss)
        {
            if (mss <= 0)
                return 0; // RFC 9293 section 3.7.1: 536 when the SYN names none
            int k = 0;
            for (int i = 0; i < mssTable.Length; i++)
                if (mssTable[i] <= mss)
                    k = i;
            return k;
        }

        uint Cookie(byte v, byte[] b, int src, int dst, int alen, ushort sourcePort, long t, int mssIndex)
        {
            byte[] m = cookieInput;
            System.Array.Copy(b, src, m, 0, alen);
            System.Array.Copy(b, dst, m, alen, alen);
            int n = 2 * alen;
            Endian.Write16(m, n, sourcePort);
            Endian.Write16(m, n + 2, port);
            Endian.Write32(m, n + 4, (uint)t);
            m[n + 8] = v;
            ulong h = SipHash.Compute(k0, k1, m, 0, n + 9);
            return ((uint)(t & 31) << 27) | ((uint)mssIndex << 24) | ((uint)h & 0xFFFFFF);
        }

        bool CheckCookie(byte v, byte[] b, int src, int dst, int alen, ushort sourcePort, uint cookie, long now, out int mssIndex)
        {
            mssIndex = (int)((cookie >> 24) & 7);
            long t = now / CookieIntervalMs;
            long ct = (long)(cookie >> 27);
            long age = ((t & 31) - ct + 32) & 31;
            if (age > CookieMaxAge || t - age < 0)
                return false;
            uint expected = Cookie(v, b, src, dst, alen, sourcePort, t - age, mssIndex);
            return expected == cookie;
        }

        /// <summary>A free slot, else a lingering one, else the slot of the oldest connection with no complete request (evicted).</summary>
        int TakeSlot(long now)
        {
            for (int c = 0; c < capacity; c++)
                if (state[c] == Free)
                    return c;
            for (int c = 0; c < capacity; c++)
                if (state[c] == TimeWait)
                {
                    Free_(c);
                    return c;
                }
            int oldest = -1;
            for (int c = 0; c < capacity; c++)
                if (state[c] == Open && !protectedSlot[c] && (oldest < 0 || lastActivity[c] < lastActivity[oldest]))
                    oldest = c;
            if (oldest < 0)
                return -1;
            counters.Increment(WebCounter.ConnectionsEvicted);
            Free_(oldest); // its client gets a RST when it sends again
            return oldest;
        }

        void OpenSlot(int c, byte v, byte[] b, int src, int dst, int alen, TcpSegment seg, uint iss, int mss, long now)
        {
            state[c] = Open;
            version[c] = v;
            System.Array.Copy(b, src, remote, c * 16, alen);
            System.Array.Copy(b, dst, local, c * 16, alen);
            remotePort[c] = seg.SourcePort;
            sndUna[c] = iss + 1;
            sndNxt[c] = iss + 1;
            rcvNxt[c] = seg.SequenceNumber;
            sndWnd[c] = seg.Window;
            peerMss[c] = mss < ourMss ? mss : ourMss;
            received[c] = 0;
            queued[c] = 0;
            rto[c] = InitialRtoMs;
            srtt[c] = 0;
            rttvar[c] = 0;
            retries[c] = 0;
            rtoAt[c] = -1;
            rttStart[c] = -1;
            openedAt[c] = now;
            lastActivity[c] = now;
            finReceived[c] = closeRequested[c] = finSent[c] = finAcked[c] = ackNow[c] = rstPending[c] = protectedSlot[c] = false;
            serial[c]++;
            counters.Increment(WebCounter.ConnectionsOpened);
        }

        void Free_(int c)
        {
            state[c] = Free;
            received[c] = 0;
            queued[c] = 0;
            rstPending[c] = false;
            ackNow[c] = false;
            serial[c]++;
        }

        static bool SeqLt(uint a, uint b) { return (int)(a - b) < 0; }
        static bool SeqLe(uint a, uint b) { return (int)(a - b) <= 0; }

        /// <summary>A segment on an open connection: RST, SYN, ACK, data, FIN in RFC 9293 section 3.10.7.4's order.</summary>
        void OnSegment(int c, TcpSegment seg, long now)
        {
            uint seq = seg.SequenceNumber;
            int n = seg.PayloadLength;
            if (seg.Rst)
            {
                if (seq == rcvNxt[c])
                {
                    counters.Increment(WebCounter.ConnectionsReset);
                    Free_(c);
                }
                else
                {
                    counters.Increment(WebCounter.DropRstOutOfWindow);
                    if (InWindow(c, seq))
                        ChallengeAck(c);
                }
                return;
            }
            if (seg.Syn)
            {
                ChallengeAck(c); // RFC 5961 section 4: a SYN on a synchronized connection
                return;
            }
            if (!seg.Ack)
            {
                counters.Increment(WebCounter.DropNoAck);
                return;
            }
            uint ack = seg.AcknowledgmentNumber;
            if (SeqLt(sndNxt[c], ack))
            {
                counters.Increment(WebCounter.DropBadAck);
                ackNow[c] = true;
                return;
            }
            if (SeqLe(sndUna[c], ack))
            {
                if (SeqLt(sndUna[c], ack))
                    OnAcked(c, ack, now);
                sndWnd[c] = seg.Window;
            }
            lastActivity[c] = now;
            // Data, in order only.
            bool fin = seg.Fin;
            int data = seg.PayloadOffset;
            if (SeqLt(seq, rcvNxt[c]))
            {
                int skip = (int)(rcvNxt[c] - seq);
                if (skip >= n + (fin ? 1 : 0))
                {
                    if (n > 0 || fin)
                        ackNow[c] = true; // all old: a duplicate; tell the sender where we are
                    return;
                }
                if (skip > n)
                    skip = n;
                data += skip;
                n -= skip;
                seq += (uint)skip;
            }
            else if (seq != rcvNxt[c])
            {
                if (n > 0 || fin)
                {
                    counters.Increment(WebCounter.DropOutOfOrder);
                    ackNow[c] = true;
                }
                return;
            }
            if (n > 0)
            {
                if (finReceived[c])
                    return;
                int take = n;
                if (closeRequested[c])
                {
                    // The response is on its way: what the client still sends is acknowledged and dropped.
                }
                else
                {
                    int room = receiveSize - received[c];
                    if (take > room)
                    {
                        take = room;
                        counters.Increment(WebCounter.DropBeyondWindow);
                        fin = false; // the FIN lies beyond what we took
                    }
                    System.Array.Copy(seg.Buffer, data, receive, c * receiveSize + received[c], take);
                    received[c] += take;
                }
                rcvNxt[c] += (uint)take;
                ackNow[c] = true;
            }
            if (fin && !finReceived[c])
            {
                finReceived[c] = true;
                rcvNxt[c]++;
                ackNow[c] = true;
            }
            CheckClosed(c, now);
        }

        bool InWindow(int c, uint seq)
        {
            uint wnd = (uint)(receiveSize - received[c]);
            return SeqLe(rcvNxt[c], seq) && SeqLt(seq, rcvNxt[c] + (wnd == 0 ? 1 : wnd));
        }

        void ChallengeAck(int c)
        {
            counters.Increment(WebCounter.ChallengeAcks);
            ackNow[c] = true;
        }

        /// <summary>SND.UNA advances to <paramref name="ack"/>: acknowledged bytes leave the send buffer; RTT sample (Karn) and RTO (RFC 6298).</summary>
        void OnAcked(int c, uint ack, long now)
        {
            int acked = (int)(ack - sndUna[c]);
            if (finSent[c] && ack == sndNxt[c])
            {
                finAcked[c] = true;
                acked--;
            }
            if (acked > queued[c])
                acked = queued[c];
            if (acked > 0)
            {
                int o = c * sendSize;
                System.Array.Copy(send, o + acked, send, o, queued[c] - acked);
                queued[c] -= acked;
            }
            sndUna[c] = ack;
            if (rttStart[c] >= 0 && SeqLe(rttSeq[c], ack))
            {
                int r = (int)(now - rttStart[c]);
                if (srtt[c] == 0)
                {
                    srtt[c] = r < 1 ? 1 : r;
                    rttvar[c] = r / 2;
                }
                else
                {
                    int d = srtt[c] - r;
                    if (d < 0) d = -d;
                    rttvar[c] = (3 * rttvar[c] + d) / 4;
                    srtt[c] = (7 * srtt[c] + r) / 8;
                    if (srtt[c] < 1) srtt[c] = 1;
                }
                int t = srtt[c] + 4 * rttvar[c];
                rto[c] = t < MinRtoMs ? MinRtoMs : t > MaxRtoMs ? MaxRtoMs : t;
                rttStart[c] = -1;
            }
            retries[c] = 0;
            rtoAt[c] = sndNxt[c] != sndUna[c] ? now + rto[c] : -1;
        }

        void CheckClosed(int c, long now)
        {
            if (finReceived[c] && finAcked[c] && state[c] == Open)
            {
                state[c] = TimeWait;
                timeWaitUntil[c] = now + TimeWaitMs;
                rtoAt[c] = -1;
                counters.Increment(WebCounter.ConnectionsClosed);
            }
        }

        // ------------------------------------------------------------------ segments out

        /// <summary>
        /// The next segment due on any connection (data, FIN, ACK, retransmission, RST), as an IP
        /// packet at (output, outputOffset) no longer than maxLength; 0 when nothing is due. Call
        /// until it returns 0 after every <c>Handle*</c> and when <see cref="NextDeadline"/> comes.
        /// </summary>
        public int Poll(long now, byte[] output, int outputOffset, int maxLength)
        {
            for (int k = 0; k < capacity; k++)
            {
                int c = (cursor + k) % capacity;
                int n = PollSlot(c, now, output, outputOffset, maxLength);
                if (n > 0)
                {
                    cursor = c; // stay on this slot until it has nothing more
                    return n;
                }
            }
            cursor = (cursor + 1) % capacity;
            return 0;
        }

        int PollSlot(int c, long now, byte[] output, int outputOffset, int maxLength)
        {
            if (state[c] == Free)
                return 0;
            if (state[c] == TimeWait)
            {
                if (ackNow[c])
                {
                    ackNow[c] = false;
                    return WriteFor(c, sndNxt[c], TcpSegment.FlagAck, 0, 0, output, outputOffset);
                }
                if (now >= timeWaitUntil[c])
                    Free_(c);
                return 0;
            }
            if (rstPending[c])
            {
                counters.Increment(WebCounter.ConnectionsAborted);
                int r = WriteFor(c, sndNxt[c], TcpSegment.FlagRst | TcpSegment.FlagAck, 0, 0, output, outputOffset);
                counters.Increment(WebCounter.ResetsSent);
                Free_(c);
                return r;
            }
            bool probe = false;
            if (rtoAt[c] >= 0 && now >= rtoAt[c])
            {
                if (retries[c] >= MaxRetries)
                {
                    rstPending[c] = true;
                    return PollSlot(c, now, output, outputOffset, maxLength);
                }
                retries[c]++;
                int doubled = rto[c] * 2;
                rto[c] = doubled > MaxRtoMs ? MaxRtoMs : doubled;
                bool nothingInFlight = sndNxt[c] == sndUna[c];
                sndNxt[c] = sndUna[c]; // go back N
                if (finSent[c] && !finAcked[c])
                    finSent[c] = false;
                rttStart[c] = -1; // Karn: no sample from a retransmission
                rtoAt[c] = -1;
                if (nothingInFlight)
                    probe = true; // zero window: one byte beyond it (RFC 9293 section 3.8.6.1)
                else
                    counters.Increment(WebCounter.Retransmissions);
            }
            int inFlight = InFlight(c);
            int unsent = queued[c] - inFlight;
            int header = (version[c] == 4 ? Ipv4Header : Ipv6Header) + TcpHeader;
            if (unsent > 0)
            {
                int window = sndWnd[c] - inFlight;
                if (window <= 0 && probe)
                    window = 1;
                if (window > 0)
                {
                    int n = unsent;
                    if (n > peerMss[c]) n = peerMss[c];
                    if (n > window) n = window;
                    if (n > maxLength - header) n = maxLength - header;
                    byte flags = TcpSegment.FlagAck | TcpSegment.FlagPsh;
                    bool withFin = n == unsent && closeRequested[c] && !finSent[c];
                    if (withFin)
                        flags |= TcpSegment.FlagFin;
                    uint seq = sndNxt[c];
                    int len = WriteFor(c, seq, flags, c * sendSize + inFlight, n, output, outputOffset);
                    if (inFlight == 0 && retries[c] == 0 && rttStart[c] < 0)
                    {
                        rttStart[c] = now;
                        rttSeq[c] = seq + (uint)n;
                    }
                    sndNxt[c] = seq + (uint)n;
                    if (withFin)
                    {
                        finSent[c] = true;
                        sndNxt[c]++;
                    }
                    if (rtoAt[c] < 0)
                        rtoAt[c] = now + rto[c];
                    ackNow[c] = false;
                    return len;
                }
                if (inFlight == 0 && rtoAt[c] < 0)
                    rtoAt[c] = now + rto[c]; // persist timer for the zero window
            }
            else if (closeRequested[c] && !finSent[c])
            {
                int len = WriteFor(c, sndNxt[c], TcpSegment.FlagFin | TcpSegment.FlagAck, 0, 0, output, outputOffset);
                finSent[c] = true;
                sndNxt[c]++;
                if (rtoAt[c] < 0)
                    rtoAt[c] = now + rto[c];
                ackNow[c] = false;
                return len;
            }
            if (ackNow[c])
            {
                ackNow[c] = false;
                return WriteFor(c, sndNxt[c], TcpSegment.FlagAck, 0, 0, output, outputOffset);
            }
            return 0;
        }

        /// <summary>Data bytes sent and not acknowledged (the FIN's sequence number is not data).</summary>
        int InFlight(int c)
        {
            return (int)(sndNxt[c] - sndUna[c]) - (finSent[c] && !finAcked[c] ? 1 : 0);
        }

        /// <summary>The earliest time <see cref="Poll"/> has work without new input.</summary>
        public long NextDeadline(long now)
        {
            long next = long.MaxValue;
            for (int c = 0; c < capacity; c++)
            {
                if (state[c] == Free)
                    continue;
                if (ackNow[c] || rstPending[c])
                    return now;
                long t = state[c] == TimeWait ? timeWaitUntil[c] : rtoAt[c];
                if (state[c] == Open)
                {
                    int inFlight = InFlight(c);
                    if ((queued[c] > inFlight && sndWnd[c] > inFlight) || (closeRequested[c] && !finSent[c] && queued[c] == inFlight))
                        return now;
                }
                if (t >= 0 && t < next)
                    next = t;
            }
            return next;
        }

        int WriteFor(int c, uint seq, byte flags, int dataOffset, int dataLength, byte[] output, int outputOffset)
        {
            int free = receiveSize - received[c];
            if (closeRequested[c])
                free = receiveSize; // discarding: never close the window on a client still sending
            return WriteSegment(version[c], local, c * 16, remote, c * 16, remotePort[c], seq, rcvNxt[c], flags,
                (ushort)(free > 65535 ? 65535 : free), false, send, dataOffset, dataLength, output, outputOffset);
        }

        int Reset(byte v, byte[] b, int from, int to, TcpSegment seg, byte[] output, int outputOffset)
        {
            counters.Increment(WebCounter.ResetsSent);
            // RFC 9293 section 3.10.7.1: to an ACK, <SEQ=SEG.ACK><CTL=RST>; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
            if (seg.Ack)
                return WriteSegment(v, b, from, b, to, seg.SourcePort, seg.AcknowledgmentNumber, 0, TcpSegment.FlagRst, 0, false, null, 0, 0, output, outputOffset);
            uint len = (uint)seg.PayloadLength + (seg.Syn ? 1u : 0u) + (seg.Fin ? 1u : 0u);
            return WriteSegment(v, b, from, b, to, seg.SourcePort, 0, seg.SequenceNumber + len, TcpSegment.FlagRst | TcpSegment.FlagAck, 0, false, null, 0, 0, output, outputOffset);
        }

        int WriteSegment(byte v, byte[] from, int fromOffset, byte[] to, int toOffset, ushort toPort, uint seq, uint ack, byte flags,
            ushort window, bool mssOption, byte[] data, int dataOffset, int dataLength, byte[] output, int o)
        {
            int ipHeader = v == 4 ? Ipv4Header : Ipv6Header;
            int tcpHeader = mssOption ? TcpHeader + 4 : TcpHeader;
            int tcpLength = tcpHeader + dataLength;
            if (o < 0 || output.Length - o < ipHeader + tcpLength)
                return 0;
            int t = o + ipHeader;
            Endian.Write16(output, t, port);
            Endian.Write16(output, t + 2, toPort);
            Endian.Write32(output, t + 4, seq);
            Endian.Write32(output, t + 8, ack);
            output[t + 12] = (byte)((tcpHeader / 4) << 4);
            output[t + 13] = flags;
            Endian.Write16(output, t + 14, window);
            Endian.Write16(output, t + 16, 0);
            Endian.Write16(output, t + 18, 0);
            if (mssOption)
            {
                output[t + 20] = TcpSegment.OptionMss;
                output[t + 21] = 4;
                Endian.Write16(output, t + 22, (ushort)ourMss);
            }
            if (dataLength > 0)
                System.Array.Copy(data, dataOffset, output, t + tcpHeader, dataLength);
            uint sum;
            if (v == 4)
            {
                Ipv4Packet.WriteHeader(output, o, ipHeader + tcpLength, ipId++, true, 64, Ipv4Packet.ProtocolTcp,
                    Endian.Read32(from, fromOffset), Endian.Read32(to, toOffset));
                sum = InternetChecksum.PseudoHeaderV4(output, o, Ipv4Packet.ProtocolTcp, tcpLength);
            }
            else
            {
                Ipv6Packet.WriteHeader(output, o, tcpLength, Ipv6Packet.NextHeaderTcp, 64, from, fromOffset, to, toOffset);
                sum = InternetChecksum.PseudoHeaderV6(output, o + 8, o + 24, Ipv6Packet.NextHeaderTcp, tcpLength);
            }
            Endian.Write16(output, t + 16, InternetChecksum.Finish(InternetChecksum.Add(sum, output, t, tcpLength)));
            counters.Increment(WebCounter.SegmentsSent);
            return ipHeader + tcpLength;
        }
    }
}

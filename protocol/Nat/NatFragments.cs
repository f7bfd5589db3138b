namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Virtual reassembly for the NAT (RFC 4787 REQ-14: fragments in order and out of order):
    /// the first fragment carries the transport header, so it is translated like a whole packet
    /// and its translation is remembered under the datagram's key (source, destination,
    /// protocol and identification, RFC 791; source, destination and identification for IPv6,
    /// RFC 8200 section 4.5). Every later fragment gets the same address rewrite (its transport
    /// checksum lives in the first fragment, which was fixed with the pseudo-header change). A
    /// fragment that arrives before its first is copied into a hold slot and released, translated,
    /// once the first is through. Nothing is reassembled, so no buffer larger than one fragment
    /// is needed and the receiver reassembles as usual.
    /// <list type="bullet">
    ///   <item>Bounded: <c>capacity</c> datagrams in flight and <c>holdSlots</c> held fragments of
    ///     at most <c>holdBytes</c> each (board profile, RouterSizes); beyond that fragments are dropped and counted.</item>
    ///   <item>Each datagram's pieces are tracked as up to <see cref="PiecesPerDatagram"/>
    ///     byte ranges (adjacent ones merge, so in-order fragments take one). A fragment that
    ///     overlaps or repeats one already seen drops the datagram whole (RFC 5722): the held
    ///     pieces are thrown away and every later piece is dropped until the timeout.</item>
    ///   <item>Timeout: a datagram not complete after <c>timeoutMs</c> is forgotten and its held
    ///     pieces dropped (RFC 791 and RFC 8200 suggest 15 s to 60 s; Linux uses 30 s).</item>
    ///   <item>A complete datagram frees its slot at once.</item>
    /// </list>
    /// Nothing allocates after construction; no input makes it throw.
    /// </summary>
    public sealed class NatFragments
    {
        /// <summary>Separate byte ranges one datagram may be in before it is refused.</summary>
        public const int PiecesPerDatagram = 8;
        /// <summary>Bytes a datagram slot holds (state, key, translation, ranges).</summary>
        public const int BytesPerDatagram = 7 + 4 + 32 + 8 + 4 + 4 + PiecesPerDatagram * 8;

        internal const byte DirectionOutbound = 1, DirectionInbound = 2, DirectionToRouter = 3;
        /// <summary>Translation flag: outbound, the destination became the resolver; inbound, the source became the router.</summary>
        internal const byte FlagRewriteRemote = 1;

        const byte Free = 0, Waiting = 1, Translated = 2, Discarding = 3;

        readonly FragmentCounters counters;
        readonly long timeout;
        readonly byte[] state, direction, protocol, pieces, flags, why;
        readonly bool[] v6;
        readonly bool[] complete;
        readonly uint[] ident;
        readonly byte[] addresses;
        readonly long[] deadline;
        readonly int[] total, host, pieceStart, pieceEnd;
        readonly byte[] held;
        readonly int holdBytes;
        readonly int[] heldLength, heldOwner;

        /// <param name="capacity">Datagrams tracked at once (at least 1).</param>
        /// <param name="holdSlots">Fragments held before their first fragment (0: none are held).</param>
        /// <param name="holdBytes">Largest fragment a hold slot takes.</param>
        /// <param name="timeoutMs">How long an incomplete datagram is remembered.</param>
        /// <param name="counters">Where drops and events are counted (null: a private set).</param>
        public NatFragments(int capacity, int holdSlots, int holdBytes, long timeoutMs, FragmentCounters counters)
        {
            if (capacity < 1 || capacity > 4096 || holdSlots < 0 || holdSlots > 4096 || holdBytes < 68 || timeoutMs < 1)
                throw new System.ArgumentException("fragment table sizes out of range");
            this.counters = counters ?? new FragmentCounters();
            timeout = timeoutMs;
            state = new byte[capacity];
            direction = new byte[capacity];
            protocol = new byte[capacity];
            pieces = new byte[capacity];
            flags = new byte[capacity];
            why = new byte[capacity];
            v6 = new bool[capacity];
            complete = new bool[capacity];
            ident = new uint[capacity];
            addresses = new byte[capacity * 32];
            deadline = new long[capacity];
            total = new int[capacity];
            host = new int[capacity];
            pieceStart = new int[capacity * PiecesPerDatagram];
            pieceEnd = new int[capacity * PiecesPerDatagram];
            this.holdBytes = holdBytes;
            held = new byte[holdSlots * holdBytes];
            heldLength = new int[holdSlots];
            heldOwner = new int[holdSlots];
            for (int i = 0; i < holdSlots; i++)
                heldOwner[i] = -1;
        }

        public FragmentCounters Counters { get { return counters; } }
        public int Capacity { get { return state.Length; } }
        public int HoldSlots { get { return heldOwner.Length; } }

        /// <summary>Bytes of every array held: datagram slots, hold slots and the counters.</summary>
        public int MemoryBytes
        {
            get { return state.Length * BytesPerDatagram + held.Length + heldOwner.Length * 8 + counters.MemoryBytes; }
        }

        /// <summary>Datagrams being tracked now (for tests and the console).</summary>
        public int InUse
        {
            get
            {
                int n = 0;
                for (int i = 0; i < state.Length; i++)
                    if (state[i] != Free)
                        n++;
                return n;
            }
        }

        /// <summary>Fragments held now.</summary>
        public int HeldCount
        {
            get
            {
                int n = 0;
                for (int i = 0; i < heldOwner.Length; i++)
                    if (heldOwner[i] >= 0)
                        n++;
                return n;
            }
        }

        /// <summary>
        /// The slot of the datagram a fragment belongs to, set up when it is new. -1 with the
        /// reason when every slot holds a live datagram. The addresses are read from the packet:
        /// 4 bytes each for IPv4, 16 for IPv6.
        /// </summary>
        internal int Lookup(byte dir, bool isV6, byte proto, uint id, byte[] b, int srcOffset, int dstOffset, long now, out FragmentCounter reason)
        {
            reason = FragmentCounter.None;
            int n = isV6 ? 16 : 4;
            int free = -1;
            for (int i = 0; i < state.Length; i++)
            {
                if (state[i] != Free && now - deadline[i] >= 0)
                    Expire(i);
                if (state[i] == Free)
                {
                    if (free < 0)
                        free = i;
                    continue;
                }
                if (direction[i] != dir || v6[i] != isV6 || protocol[i] != proto || ident[i] != id)
                    continue;
                if (SameBytes(addresses, i * 32, b, srcOffset, n) && SameBytes(addresses, i * 32 + 16, b, dstOffset, n))
                    return i;
            }
            if (free < 0)
            {
                reason = FragmentCounter.DropTableFull;
                return -1;
            }
            int s = free;
            state[s] = Waiting;
            direction[s] = dir;
            v6[s] = isV6;
            protocol[s] = proto;
            ident[s] = id;
            System.Array.Copy(b, srcOffset, addresses, s * 32, n);
            System.Array.Copy(b, dstOffset, addresses, s * 32 + 16, n);
            deadline[s] = now + timeout;
            total[s] = -1;
            pieces[s] = 0;
            flags[s] = 0;
            why[s] = 0;
            host[s] = -1;
            complete[s] = false;
            counters.Increment(FragmentCounter.DatagramsTracked);
            return s;
        }

        static bool SameBytes(byte[] a, int ao, byte[] b, int bo, int n)
        {
            for (int i = 0; i < n; i++)
                if (a[ao + i] != b[bo + i])
                    return false;
            return true;
        }

        /// <summary>
        /// Records the piece [start, end) of the datagram's data (after the IP header, or after
        /// the Fragment header for IPv6). Returns None, or why the fragment must be dropped; a
        /// fragment that overlaps another, or bad lengths, drop the whole datagram.
        /// </summary>
        internal FragmentCounter Accept(int slot, int start, int end, bool more)
        {
            if (state[slot] == Discarding)
                return (FragmentCounter)why[slot];
            if (end <= start || end > 65535 || (more && ((end - start) & 7) != 0) || (start & 7) != 0)
                return Discard(slot, FragmentCounter.DropMalformed);
            int t = total[slot];
            if (t >= 0 && end > t)
                return Discard(slot, FragmentCounter.DropMalformed);
            int p0 = slot * PiecesPerDatagram;
            int n = pieces[slot];
            if (!more)
            {
                if (t >= 0 && t != end)
                    return Discard(slot, FragmentCounter.DropMalformed);
                for (int k = 0; k < n; k++)
                    if (pieceEnd[p0 + k] > end)
                        return Discard(slot, FragmentCounter.DropMalformed);
                total[slot] = end;
            }
            for (int k = 0; k < n; k++)
                if (start < pieceEnd[p0 + k] && end > pieceStart[p0 + k])
                    return Discard(slot, FragmentCounter.DropOverlap); // RFC 5722: overlapping pieces drop the datagram
            // Merge with adjacent pieces so that in-order fragments take one range.
            int s = start, e = end;
            for (int k = 0; k < n;)
            {
                if (pieceEnd[p0 + k] == s || pieceStart[p0 + k] == e)
                {
                    if (pieceStart[p0 + k] < s) s = pieceStart[p0 + k];
                    if (pieceEnd[p0 + k] > e) e = pieceEnd[p0 + k];
                    n--;
                    pieceStart[p0 + k] = pieceStart[p0 + n];
                    pieceEnd[p0 + k] = pieceEnd[p0 + n];
                    k = 0;
                    continue;
                }
                k++;
            }
            if (n == PiecesPerDatagram)
                return Discard(slot, FragmentCounter.DropTooManyPieces);
            pieceStart[p0 + n] = s;
            pieceEnd[p0 + n] = e;
            pieces[slot] = (byte)(n + 1);
            if (n == 0 && s == 0 && e == total[slot])
                complete[slot] = true;
            return FragmentCounter.None;
        }

        /// <summary>True once the datagram's first fragment was translated: later pieces get <see cref="Flags"/> and <see cref="Host"/>.</summary>
        internal bool IsTranslated(int slot) { return state[slot] == Translated; }
        internal int Host(int slot) { return host[slot]; }
        internal byte Flags(int slot) { return flags[slot]; }
        internal byte Direction(int slot) { return direction[slot]; }

        /// <summary>The first fragment went through: later pieces follow it.</summary>
        internal void SetTranslated(int slot, int hostIndex, byte translationFlags)
        {
            state[slot] = Translated;
            host[slot] = hostIndex;
            flags[slot] = translationFlags;
        }

        /// <summary>The first fragment was refused: the rest of the datagram goes too.</summary>
        internal void Refuse(int slot)
        {
            Discard(slot, FragmentCounter.DropFirstRefused);
        }

        /// <summary>After a piece was forwarded: frees the slot when the datagram is complete and nothing of it is held.</summary>
        internal void FinishIfComplete(int slot)
        {
            if (!complete[slot] || state[slot] != Translated)
                return;
            for (int i = 0; i < heldOwner.Length; i++)
                if (heldOwner[i] == slot)
                    return;
            counters.Increment(FragmentCounter.Completed);
            state[slot] = Free;
        }

        /// <summary>Copies a fragment that came before its first into a hold slot. None, or why it was dropped.</summary>
        internal FragmentCounter Hold(int slot, byte[] b, int offset, int length)
        {
            if (length > holdBytes)
                return FragmentCounter.DropHoldFull;
            for (int i = 0; i < heldOwner.Length; i++)
            {
                if (heldOwner[i] >= 0)
                    continue;
                System.Array.Copy(b, offset, held, i * holdBytes, length);
                heldLength[i] = length;
                heldOwner[i] = slot;
                counters.Increment(FragmentCounter.Held);
                return FragmentCounter.None;
            }
            return FragmentCounter.DropHoldFull;
        }

        /// <summary>
        /// Takes one held fragment whose datagram is now translated: copies it to (into, offset)
        /// and returns its length (0: none, or it does not fit) with its datagram slot.
        /// </summary>
        internal int TakeReleased(byte[] into, int offset, out int slot)
        {
            slot = -1;
            for (int i = 0; i < heldOwner.Length; i++)
            {
                int owner = heldOwner[i];
                if (owner < 0 || state[owner] != Translated)
                    continue;
                int n = heldLength[i];
                heldOwner[i] = -1;
                if (into == null || offset < 0 || offset + n > into.Length)
                {
                    counters.Increment(FragmentCounter.DropHoldFull);
                    continue;
                }
                System.Array.Copy(held, i * holdBytes, into, offset, n);
                counters.Increment(FragmentCounter.Released);
                slot = owner;
                return n;
            }
            return 0;
        }

        FragmentCounter Discard(int slot, FragmentCounter reason)
        {
            state[slot] = Discarding;
            why[slot] = (byte)reason;
            for (int i = 0; i < heldOwner.Length; i++)
            {
                if (heldOwner[i] != slot)
                    continue;
                heldOwner[i] = -1;
                counters.Increment(reason);
            }
            return reason;
        }

        void Expire(int slot)
        {
            if (state[slot] != Discarding)
                counters.Increment(FragmentCounter.DropTimeout); // an incomplete datagram
            for (int i = 0; i < heldOwner.Length; i++)
            {
                if (heldOwner[i] != slot)
                    continue;
                heldOwner[i] = -1;
                counters.Increment(FragmentCounter.DropTimeout);
            }
            state[slot] = Free;
        }

        /// <summary>Forgets datagrams past their timeout (and drops what they held).</summary>
        public void Tick(long now)
        {
            for (int i = 0; i < state.Length; i++)
                if (state[i] != Free && now - deadline[i] >= 0)
                    Expire(i);
        }

        /// <summary>When <see cref="Tick"/> has work: the earliest timeout, or long.MaxValue.</summary>
        public long NextDeadline(long now)
        {
            long next = long.MaxValue;
            for (int i = 0; i < state.Length; i++)
                if (state[i] != Free && deadline[i] < next)
                    next = deadline[i];
            return next;
        }
    }
}

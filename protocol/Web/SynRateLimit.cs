namespace Warp.Protocol.Web
{
    /// <summary>
    /// How many SYNs the page's TCP answers: a token bucket per recent source address and one for
    /// all sources together. SYN cookies keep no state per SYN, but every SYN-ACK is still a frame
    /// to build and send, and the flooding device's own stack answers each one with a RST: a
    /// half-open flood of 178,000 SYNs a second from one LAN device took forwarding from 510 to
    /// 5 Mbit/s in the lab. With the buckets a flood costs its receive work only, and
    /// every other device keeps its own bucket, so the page still answers them.
    /// <code>
    /// SYN from S ──► S's bucket (found, or the least recently used one taken, full) ──► a token there
    ///            ──► a token in the shared bucket ──► SYN-ACK;   either empty ──► dropped, counted
    /// </code>
    /// Tokens are counted in thousandths and refilled from <c>now</c> (milliseconds). The source
    /// address is one that passed the router's source validation (a lease or an IPv6 binding), so a
    /// device cannot spend another's bucket; one with many IPv6 addresses is held by the shared one.
    /// Allocates nothing after construction; <see cref="MemoryBytes"/> is exact for its arrays.
    /// </summary>
    public sealed class SynRateLimit
    {
        /// <summary>Per source: a burst of 32 SYNs, then 32 a second (a browser opens a handful at once).</summary>
        public const int SourceBurst = 32, SourcePerSecond = 32;
        /// <summary>All sources together: a burst of 128 SYNs, then 256 a second.</summary>
        public const int SharedBurst = 128, SharedPerSecond = 256;
        /// <summary>Source buckets kept (the least recently used is taken for a new source).</summary>
        public const int Sources = 8;
        const long Unit = 1000;

        readonly byte[] address = new byte[Sources * 16];
        readonly byte[] version = new byte[Sources];
        readonly long[] tokens = new long[Sources];
        readonly long[] refilledAt = new long[Sources];
        readonly long[] usedAt = new long[Sources];
        long sharedTokens = SharedBurst * Unit;
        long sharedRefilledAt = long.MinValue;

        /// <summary>Bytes held: the address table and the per-bucket fields, plus the shared bucket.</summary>
        public int MemoryBytes { get { return Sources * (16 + 1 + 8 + 8 + 8) + 16; } }

        /// <summary>
        /// True when a SYN from the address at (b, offset) (4 bytes for IPv4, 16 for IPv6) may be
        /// answered now: a token is taken from its bucket and the shared one. False takes none.
        /// </summary>
        public bool Allow(byte v, byte[] b, int offset, long now)
        {
            int alen = v == 4 ? 4 : 16;
            int s = Find(v, b, offset, alen);
            if (s < 0)
            {
                s = Oldest();
                version[s] = v;
                System.Array.Copy(b, offset, address, s * 16, alen);
                tokens[s] = SourceBurst * Unit;
                refilledAt[s] = now;
            }
            usedAt[s] = now;
            tokens[s] = Refill(tokens[s], refilledAt[s], now, SourcePerSecond, SourceBurst);
            refilledAt[s] = now;
            if (sharedRefilledAt == long.MinValue)
                sharedRefilledAt = now;
            sharedTokens = Refill(sharedTokens, sharedRefilledAt, now, SharedPerSecond, SharedBurst);
            sharedRefilledAt = now;
            if (tokens[s] < Unit || sharedTokens < Unit)
                return false;
            tokens[s] -= Unit;
            sharedTokens -= Unit;
            return true;
        }

        static long Refill(long have, long since, long now, int perSecond, int burst)
        {
            long elapsed = now - since;
            if (elapsed <= 0)
                return have;
            long max = burst * Unit;
            if (elapsed >= max) // long enough to fill any bucket (and no overflow below)
                return max;
            long t = have + elapsed * perSecond; // thousandths: ms × (tokens per s)
            return t > max ? max : t;
        }

        int Find(byte v, byte[] b, int offset, int alen)
        {
            for (int s = 0; s < Sources; s++)
            {
                if (version[s] != v)
                    continue;
                int o = s * 16;
                bool same = true;
                for (int i = 0; i < alen && same; i++)
                    same = address[o + i] == b[offset + i];
                if (same)
                    return s;
            }
            return -1;
        }

        int Oldest()
        {
            int oldest = 0;
            for (int s = 0; s < Sources; s++)
            {
                if (version[s] == 0)
                    return s;
                if (usedAt[s] < usedAt[oldest])
                    oldest = s;
            }
            return oldest;
        }
    }
}

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Keyed 32-bit mixing for the NAT's open-addressing indexes and for the IPv6 remote
    /// address fingerprint. The keys come from <see cref="IRandomSource"/> at construction, so a
    /// remote host cannot choose ports or addresses that pile up in one probe run (the
    /// algorithmic-complexity attack RFC 6056 section 2.2 warns about for predictable choices).
    /// Not a cryptographic MAC; the finaliser is a multiply-xorshift avalanche.
    /// </summary>
    internal static class NatHash
    {
        /// <summary>Mixes a 32-bit value with a key into a well-spread 32-bit hash.</summary>
        public static uint Mix(uint value, uint key)
        {
            uint h = value ^ key;
            h ^= h >> 16;
            h *= 0x7FEB352D;
            h ^= h >> 15;
            h *= 0x846CA68B;
            h ^= h >> 16;
            return h;
        }

        /// <summary>Combines two 32-bit words under a key.</summary>
        public static uint Mix2(uint a, uint b, uint key)
        {
            return Mix(Mix(a, key) + b, key ^ 0x9E3779B9);
        }

        /// <summary>
        /// A keyed 32-bit fingerprint of a 16-byte IPv6 address. The session table stores this
        /// in place of the remote IPv6 address, so an IPv6 session is as small as an IPv4 one;
        /// two different remotes collide with probability 2^-32 for a key nobody outside knows.
        /// </summary>
        public static uint Fingerprint(byte[] b, int offset, uint key)
        {
            uint h = key;
            for (int i = 0; i < 16; i += 4)
                h = Mix(h + Net.Endian.Read32(b, offset + i), key + (uint)i);
            return h;
        }

        /// <summary>
        /// Home cell of a hash in a table of <paramref name="size"/> cells (any size, not only
        /// powers of two): the high half of hash × size (Lemire's "fastrange"), so the index can be
        /// exactly two cells per session and the stated bytes per entry hold for every capacity.
        /// </summary>
        public static int Home(uint hash, int size)
        {
            return (int)(((ulong)hash * (uint)size) >> 32);
        }

        /// <summary>The next cell of a linear probe, wrapping at <paramref name="size"/>.</summary>
        public static int Next(int i, int size)
        {
            return i + 1 == size ? 0 : i + 1;
        }

        /// <summary>
        /// True when a cell at <paramref name="j"/>, whose home is <paramref name="k"/>, may move
        /// back into the hole at <paramref name="i"/> (linear-probing deletion by backward shift,
        /// Knuth TAOCP vol. 3, 6.4 Algorithm R): the hole lies cyclically within [k, j).
        /// </summary>
        public static bool CanFill(int i, int j, int k)
        {
            if (i <= j)
                return k <= i || k > j;
            return k <= i && k > j;
        }

    }
}

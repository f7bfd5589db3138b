namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Our 32-bit session indices (whitepaper section 5.4: sender/receiver index) mapped to the
    /// peer that owns them, in an open-addressing hash table with linear probing and tombstones.
    /// A peer holds at most four live indices (one handshake, three keypairs); the table has
    /// twice that per peer, rounded up to a power of two. 8 bytes per slot.
    /// </summary>
    public sealed class IndexTable
    {
        const int Empty = -1;
        const int Tombstone = -2;
        readonly uint[] keys;
        readonly int[] peers;
        readonly int mask;
        int live;

        public IndexTable(int maxPeers)
        {
            int size = 8;
            while (size < maxPeers * 8)
                size <<= 1;
            keys = new uint[size];
            peers = new int[size];
            mask = size - 1;
            for (int i = 0; i < size; i++)
                peers[i] = Empty;
        }

        static int Hash(uint key)
        {
            // Indices are random already; mix anyway so a chosen index cannot pick its slot.
            key ^= key >> 16;
            key *= 0x7feb352d;
            key ^= key >> 15;
            return (int)(key & 0x7FFFFFFF);
        }

        /// <summary>The peer owning <paramref name="index"/>, or -1.</summary>
        public int Find(uint index)
        {
            int i = Hash(index) & mask;
            for (int n = 0; n <= mask; n++, i = (i + 1) & mask)
            {
                int p = peers[i];
                if (p == Empty)
                    return -1;
                if (p >= 0 && keys[i] == index)
                    return p;
            }
            return -1;
        }

        /// <summary>Adds a fresh index; false when it is 0, already present, or the table is full.</summary>
        public bool Add(uint index, int peer)
        {
            if (index == 0 || Find(index) >= 0 || live >= keys.Length - 1)
                return false;
            int i = Hash(index) & mask;
            while (peers[i] >= 0)
                i = (i + 1) & mask;
            keys[i] = index;
            peers[i] = peer;
            live++;
            return true;
        }

        public void Remove(uint index)
        {
            if (index == 0)
                return;
            int i = Hash(index) & mask;
            for (int n = 0; n <= mask; n++, i = (i + 1) & mask)
            {
                int p = peers[i];
                if (p == Empty)
                    return;
                if (p >= 0 && keys[i] == index)
                {
                    peers[i] = ((peers[(i + 1) & mask]) == Empty) ? Empty : Tombstone;
                    keys[i] = 0;
                    live--;
                    return;
                }
            }
        }
    }
}

using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// A fixed-capacity map from a LAN host's IP address to its MAC: the ARP cache (RFC 826, IPv4,
    /// 4-byte keys) or the IPv6 neighbour cache (RFC 4861 section 5.1, 16-byte keys). The router
    /// uses it to address frames it sends to a LAN host (<c>TryGetMac</c>).
    /// <code>
    ///  slot i:  | state (1) | address (4 or 16) | MAC (6) | last seen, ms (8) |
    ///  state:   0 free, 1 in use
    /// </code>
    /// Bytes per slot: 19 (IPv4) or 31 (IPv6), plus one array header per column. A lookup scans
    /// the slots (capacity is small, from the board profile); when full, the entry seen least
    /// recently is replaced. RFC 4861's reachability states (INCOMPLETE, REACHABLE, STALE, ...)
    /// are not kept: a router that only answers for its own addresses and forwards into a NAT
    /// needs the newest mapping, which every learning event refreshes. Nothing allocates after
    /// construction.
    /// </summary>
    public sealed class NeighborTable
    {
        const byte StateFree = 0;
        const byte StateInUse = 1;

        readonly int capacity;
        readonly int addressLength;
        readonly byte[] states;
        readonly byte[] addresses;
        readonly byte[] macs;
        readonly long[] lastSeen;
        readonly byte[] scratch = new byte[4];
        int count;

        /// <param name="capacity">Number of slots, 1 to 1024.</param>
        /// <param name="addressLength">4 for IPv4, 16 for IPv6.</param>
        public NeighborTable(int capacity, int addressLength)
        {
            if (capacity < 1 || capacity > 1024)
                throw new System.ArgumentOutOfRangeException("capacity");
            if (addressLength != 4 && addressLength != 16)
                throw new System.ArgumentOutOfRangeException("addressLength");
            this.capacity = capacity;
            this.addressLength = addressLength;
            states = new byte[capacity];
            addresses = new byte[capacity * addressLength];
            macs = new byte[capacity * 6];
            lastSeen = new long[capacity];
        }

        public int Capacity { get { return capacity; } }
        public int Count { get { return count; } }
        public int AddressLength { get { return addressLength; } }

        /// <summary>Bytes of table data (not counting array headers): capacity × (1 + address + 6 + 8).</summary>
        public int SizeInBytes { get { return capacity * (1 + addressLength + 6 + 8); } }

        /// <summary>
        /// Records or refreshes address → MAC. Returns true when the entry is new or its MAC
        /// changed. A multicast or all-zero MAC is not learned.
        /// </summary>
        public bool Learn(byte[] address, int addressOffset, byte[] mac, int macOffset, long now)
        {
            if ((mac[macOffset] & 1) != 0 || IsZeroMac(mac, macOffset))
                return false;
            int slot = Find(address, addressOffset);
            bool changed;
            if (slot >= 0)
            {
                changed = !MacAddress.Equal(macs, slot * 6, mac, macOffset);
            }
            else
            {
                slot = FreeOrOldest();
                if (states[slot] == StateFree)
                    count++;
                states[slot] = StateInUse;
                System.Array.Copy(address, addressOffset, addresses, slot * addressLength, addressLength);
                changed = true;
            }
            System.Array.Copy(mac, macOffset, macs, slot * 6, 6);
            lastSeen[slot] = now;
            return changed;
        }

        /// <summary>IPv4 form of <see cref="Learn(byte[], int, byte[], int, long)"/>.</summary>
        public bool Learn(uint ip, byte[] mac, int macOffset, long now)
        {
            CheckV4();
            Endian.Write32(scratch, 0, ip);
            return Learn(scratch, 0, mac, macOffset, now);
        }

        /// <summary>Copies the MAC for an address into (mac, macOffset); false when unknown.</summary>
        public bool TryGetMac(byte[] address, int addressOffset, byte[] mac, int macOffset)
        {
            int slot = Find(address, addressOffset);
            if (slot < 0)
                return false;
            System.Array.Copy(macs, slot * 6, mac, macOffset, 6);
            return true;
        }

        /// <summary>IPv4 form of <see cref="TryGetMac(byte[], int, byte[], int)"/>.</summary>
        public bool TryGetMac(uint ip, byte[] mac, int macOffset)
        {
            CheckV4();
            Endian.Write32(scratch, 0, ip);
            return TryGetMac(scratch, 0, mac, macOffset);
        }

        /// <summary>Forgets an address (e.g. a released DHCP lease).</summary>
        public void Forget(byte[] address, int addressOffset)
        {
            int slot = Find(address, addressOffset);
            if (slot < 0)
                return;
            states[slot] = StateFree;
            count--;
        }

        public void Forget(uint ip)
        {
            CheckV4();
            Endian.Write32(scratch, 0, ip);
            Forget(scratch, 0);
        }

        /// <summary>Forgets every entry not seen for <paramref name="maxAgeMs"/>.</summary>
        public void Expire(long now, long maxAgeMs)
        {
            for (int i = 0; i < capacity; i++)
                if (states[i] == StateInUse && now - lastSeen[i] > maxAgeMs)
                {
                    states[i] = StateFree;
                    count--;
                }
        }

        /// <summary>
        /// Copies the i-th entry in use (0 ≤ i &lt; Count) for the console: address, MAC and the
        /// time it was last seen. False when there is no such entry.
        /// </summary>
        public bool GetEntry(int index, byte[] address, int addressOffset, byte[] mac, int macOffset, out long seen)
        {
            seen = 0;
            for (int i = 0; i < capacity; i++)
            {
                if (states[i] != StateInUse)
                    continue;
                if (index-- != 0)
                    continue;
                System.Array.Copy(addresses, i * addressLength, address, addressOffset, addressLength);
                System.Array.Copy(macs, i * 6, mac, macOffset, 6);
                seen = lastSeen[i];
                return true;
            }
            return false;
        }

        int Find(byte[] address, int addressOffset)
        {
            for (int i = 0; i < capacity; i++)
            {
                if (states[i] != StateInUse)
                    continue;
                int a = i * addressLength;
                int j = 0;
                while (j < addressLength && addresses[a + j] == address[addressOffset + j])
                    j++;
                if (j == addressLength)
                    return i;
            }
            return -1;
        }

        int FreeOrOldest()
        {
            int oldest = 0;
            for (int i = 0; i < capacity; i++)
            {
                if (states[i] == StateFree)
                    return i;
                if (lastSeen[i] < lastSeen[oldest])
                    oldest = i;
            }
            return oldest;
        }

        static bool IsZeroMac(byte[] mac, int offset)
        {
            return (mac[offset] | mac[offset + 1] | mac[offset + 2] | mac[offset + 3] | mac[offset + 4] | mac[offset + 5]) == 0;
        }

        void CheckV4()
        {
            if (addressLength != 4)
                throw new System.InvalidOperationException("an IPv4 call on an IPv6 neighbour table");
        }
    }
}

using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Where the DHCP leases persist across reboots: the settings store on the device, a file on
    /// Linux, memory in tests. The bytes are opaque to the store (format in <see cref="DhcpLeaseTable"/>).
    /// </summary>
    public interface ILeaseStore
    {
        /// <summary>Copies the stored bytes into <paramref name="buffer"/>; returns how many (0 when nothing is stored).</summary>
        int Load(byte[] buffer);

        /// <summary>Replaces the stored bytes; false when they could not be written.</summary>
        bool Save(byte[] buffer, int length);
    }

    /// <summary>
    /// The DHCP server's bindings (RFC 2131 section 4.3.1: "the server MUST remember ... the
    /// client's network address"), in fixed preallocated slots, with address choice from the
    /// pool and the persisted form.
    /// <code>
    ///  slot i:  | state (1) | chaddr (6) | address (4) | expires, ms (8) | expiry last saved, ms (8) |   27 bytes
    ///  state:   Free, Offered (held OfferHoldMs), Bound (until expires), Released (remembered,
    ///           the address is free), Declined (address unusable until expires; chaddr cleared)
    ///
    ///  stored:  | "WLS1" | count (2) | count × | chaddr (6) | address (4) | state (1) | seconds left (4) | |
    /// </code>
    /// A Bound or Offered slot whose time is past counts as Released: the binding is remembered
    /// (the same client gets the same address back, RFC 2131 section 4.3.1) but the address may
    /// go to another client once no never-used address is left. Seconds left are stored, not
    /// deadlines, because <c>now</c> restarts at boot; the time the router was off is therefore
    /// not subtracted (a lease looks longer, never shorter, after a reboot).
    ///
    /// DECLINE (RFC 2131 section 4.3.3) marks the address unusable for DeclineHoldMs. At most
    /// MaxDeclined slots (a quarter of the table or of the pool) are Declined at once; a further
    /// DECLINE frees the oldest declined address first, so a storm cannot exhaust the pool.
    /// </summary>
    public sealed class DhcpLeaseTable
    {
        public const byte StateFree = 0;
        public const byte StateOffered = 1;
        public const byte StateBound = 2;
        public const byte StateReleased = 3;
        public const byte StateDeclined = 4;
        /// <summary>How long an offered address is held for the client's REQUEST.</summary>
        public const long OfferHoldMs = 60000;
        /// <summary>How long a declined address stays out of use.</summary>
        public const long DeclineHoldMs = 600000;
        public const int BytesPerSlot = 27;
        public const int StoredBytesPerLease = 15;
        const int StoreHeader = 6;

        readonly LanConfig config;
        readonly int capacity;
        readonly byte[] states;
        readonly byte[] macs;
        readonly uint[] ips;
        readonly long[] expires;
        readonly long[] savedExpires;
        readonly byte[] storeBuffer;
        readonly int maxDeclined;

        public DhcpLeaseTable(LanConfig config, int capacity)
        {
            if (capacity < 1 || capacity > 1024)
                throw new System.ArgumentOutOfRangeException("capacity");
            this.config = config;
            this.capacity = capacity;
            states = new byte[capacity];
            macs = new byte[capacity * 6];
            ips = new uint[capacity];
            expires = new long[capacity];
            savedExpires = new long[capacity];
            storeBuffer = new byte[StoreHeader + capacity * StoredBytesPerLease];
            int quarter = (capacity < config.PoolSize ? capacity : config.PoolSize) / 4;
            maxDeclined = quarter < 1 ? 1 : quarter;
        }

        public int Capacity { get { return capacity; } }
        public int MaxDeclined { get { return maxDeclined; } }
        /// <summary>Table bytes (not counting array headers): 27 per slot, plus the 6 + 15 per slot store buffer.</summary>
        public int SizeInBytes { get { return capacity * BytesPerSlot + storeBuffer.Length; } }

        public byte StateAt(int slot) { return states[slot]; }

        /// <summary>"offered", "bound", "released", "declined" or "free" (console only).</summary>
        public static string StateName(byte state)
        {
            return state == StateOffered ? "offered" : state == StateBound ? "bound"
                : state == StateDeclined ? "declined" : state == StateFree ? "free" : "released";
        }

        public uint AddressAt(int slot) { return ips[slot]; }
        public long ExpiresAt(int slot) { return expires[slot]; }
        public void CopyMacAt(int slot, byte[] mac, int offset) { System.Array.Copy(macs, slot * 6, mac, offset, 6); }
        /// <summary>True when the slot's client hardware address is (mac, offset).</summary>
        public bool HasMacAt(int slot, byte[] mac, int offset) { return MacAddress.Equal(macs, slot * 6, mac, offset); }

        /// <summary>The state as it stands at <paramref name="now"/>: Offered or Bound past their time read Released; Declined past its time reads Free.</summary>
        public byte EffectiveState(int slot, long now)
        {
            byte s = states[slot];
            if ((s == StateOffered || s == StateBound) && now >= expires[slot])
                return StateReleased;
            if (s == StateDeclined && now >= expires[slot])
                return StateFree;
            return s;
        }

        /// <summary>The slot remembering this client (any state but Free and Declined), or -1.</summary>
        public int FindByMac(byte[] mac, int macOffset)
        {
            for (int i = 0; i < capacity; i++)
                if (states[i] != StateFree && states[i] != StateDeclined && MacAddress.Equal(macs, i * 6, mac, macOffset))
                    return i;
            return -1;
        }

        /// <summary>The slot holding this address in any state but Free, or -1.</summary>
        public int FindByIp(uint ip)
        {
            for (int i = 0; i < capacity; i++)
                if (states[i] != StateFree && ips[i] == ip)
                    return i;
            return -1;
        }

        /// <summary>
        /// True when <paramref name="ip"/> may be bound to this client now: its static address,
        /// or a pool address that is not the router's, not another client's static address, not
        /// declined and not offered or bound to another client.
        /// </summary>
        public bool IsAvailableFor(uint ip, byte[] mac, int macOffset, long now)
        {
            uint own = config.StaticAddressFor(mac, macOffset);
            if (own != 0)
                return ip == own;
            if (!config.InPool(ip) || ip == config.RouterIp || !config.IsHostAddress(ip) || config.IsStaticAddress(ip))
                return false;
            int slot = FindByIp(ip);
            if (slot < 0)
                return true;
            byte s = EffectiveState(slot, now);
            if (s == StateDeclined)
                return false;
            if (s == StateOffered || s == StateBound)
                return MacAddress.Equal(macs, slot * 6, mac, macOffset);
            return true;
        }

        /// <summary>
        /// Chooses the address for a client (RFC 2131 section 4.3.1): its static address; else
        /// the address it had; else the one it asks for (option 50) when free; else the first
        /// pool address nobody ever had; else the address of the binding that ended longest ago.
        /// Returns 0 when the pool is exhausted.
        /// </summary>
        public uint ChooseAddress(byte[] mac, int macOffset, uint requested, long now)
        {
            uint own = config.StaticAddressFor(mac, macOffset);
            if (own != 0)
                return own;
            int slot = FindByMac(mac, macOffset);
            if (slot >= 0 && IsAvailableFor(ips[slot], mac, macOffset, now))
                return ips[slot];
            if (requested != 0 && IsAvailableFor(requested, mac, macOffset, now))
                return requested;
            // Never-used addresses: among the first capacity + statics + 2 of the pool one is held
            // by no slot, so the scan is bounded whatever the pool size.
            int limit = capacity + config.StaticLeaseCount + 2;
            uint a = config.PoolStart;
            for (int n = 0; n < limit && a <= config.PoolEnd; n++, a++)
            {
                if (a == config.RouterIp || config.IsStaticAddress(a) || FindByIp(a) >= 0)
                    continue;
                if (HasSlotFor(mac, macOffset, now))
                    return a;
                break;
            }
            // Reuse the address of the binding that ended longest ago.
            int best = -1;
            for (int i = 0; i < capacity; i++)
            {
                byte s = EffectiveState(i, now);
                if ((s == StateReleased || (s == StateFree && states[i] == StateDeclined)) && config.InPool(ips[i])
                    && ips[i] != config.RouterIp && !config.IsStaticAddress(ips[i]) && (best < 0 || expires[i] < expires[best]))
                    best = i;
            }
            return best < 0 ? 0 : ips[best];
        }

        bool HasSlotFor(byte[] mac, int macOffset, long now)
        {
            if (FindByMac(mac, macOffset) >= 0)
                return true;
            for (int i = 0; i < capacity; i++)
            {
                byte s = EffectiveState(i, now);
                if (s == StateFree || s == StateReleased)
                    return true;
            }
            return false;
        }

        /// <summary>
        /// Records an offer or a binding of <paramref name="ip"/> to the client until
        /// <paramref name="until"/>. Uses the client's slot, else the slot that held the address,
        /// else a free one, else the one whose binding ended longest ago. Returns the slot, or -1
        /// when every slot is in use. The caller checked <see cref="IsAvailableFor"/>.
        /// </summary>
        public int Assign(byte[] mac, int macOffset, uint ip, byte state, long until, long now)
        {
            int slot = FindByMac(mac, macOffset);
            int other = FindByIp(ip);
            if (other >= 0 && other != slot)
            {
                // The address's previous holder (released, expired, or a declined hold that ran out) lets go of it.
                states[other] = StateFree;
                if (slot < 0)
                    slot = other;
            }
            if (slot < 0)
            {
                int oldest = -1;
                for (int i = 0; i < capacity; i++)
                {
                    byte s = EffectiveState(i, now);
                    if (s == StateFree)
                    {
                        slot = i;
                        break;
                    }
                    if (s == StateReleased && (oldest < 0 || expires[i] < expires[oldest]))
                        oldest = i;
                }
                if (slot < 0)
                    slot = oldest;
                if (slot < 0)
                    return -1;
            }
            // An offer to a client whose binding of this address is still running leaves the binding as it is.
            if (state == StateOffered && ips[slot] == ip && EffectiveState(slot, now) == StateBound)
                return slot;
            if (states[slot] == StateFree || ips[slot] != ip || !MacAddress.Equal(macs, slot * 6, mac, macOffset))
                savedExpires[slot] = long.MinValue;
            states[slot] = state;
            System.Array.Copy(mac, macOffset, macs, slot * 6, 6);
            ips[slot] = ip;
            expires[slot] = until;
            return slot;
        }

        /// <summary>RELEASE: the binding is remembered, the address is free (RFC 2131 section 4.3.4).</summary>
        public void Release(int slot, long now)
        {
            states[slot] = StateReleased;
            expires[slot] = now;
        }

        /// <summary>
        /// DECLINE: the address is unusable for DeclineHoldMs (RFC 2131 section 4.3.3). Returns
        /// true when an older declined address had to be freed to stay within MaxDeclined.
        /// </summary>
        public bool Decline(int slot, long now)
        {
            int declined = 0;
            int oldest = -1;
            for (int i = 0; i < capacity; i++)
                if (EffectiveState(i, now) == StateDeclined)
                {
                    declined++;
                    if (oldest < 0 || expires[i] < expires[oldest])
                        oldest = i;
                }
            bool recycled = false;
            if (declined >= maxDeclined && oldest >= 0)
            {
                states[oldest] = StateFree;
                recycled = true;
            }
            states[slot] = StateDeclined;
            System.Array.Clear(macs, slot * 6, 6);
            expires[slot] = now + DeclineHoldMs;
            return recycled;
        }

        /// <summary>Frees an offer the client turned down (it chose another server).</summary>
        public void Forget(int slot)
        {
            if (states[slot] == StateOffered)
                states[slot] = StateFree;
        }

        /// <summary>
        /// True when the store is behind for this slot: the binding is new, or its expiry moved
        /// by more than half a lease since it was saved (so renewals write at most about twice
        /// per lease time).
        /// </summary>
        public bool NeedsSave(int slot, long leaseMs)
        {
            long saved = savedExpires[slot];
            return saved == long.MinValue || expires[slot] - saved > leaseMs / 2;
        }

        /// <summary>Writes every Bound and Released binding to the store.</summary>
        public bool Save(ILeaseStore store, long now)
        {
            int pos = StoreHeader;
            int count = 0;
            for (int i = 0; i < capacity; i++)
            {
                byte s = EffectiveState(i, now);
                if (s != StateBound && s != StateReleased)
                    continue;
                System.Array.Copy(macs, i * 6, storeBuffer, pos, 6);
                Endian.Write32(storeBuffer, pos + 6, ips[i]);
                storeBuffer[pos + 10] = s;
                long left = s == StateBound ? (expires[i] - now) / 1000 : 0;
                Endian.Write32(storeBuffer, pos + 11, (uint)(left > 0x7FFFFFFF ? 0x7FFFFFFF : left));
                pos += StoredBytesPerLease;
                count++;
                if (states[i] == StateBound)
                    savedExpires[i] = expires[i];
            }
            storeBuffer[0] = (byte)'W';
            storeBuffer[1] = (byte)'L';
            storeBuffer[2] = (byte)'S';
            storeBuffer[3] = (byte)'1';
            Endian.Write16(storeBuffer, 4, (ushort)count);
            return store.Save(storeBuffer, pos);
        }

        /// <summary>
        /// Replaces the table with the stored bindings. Returns the number of entries rejected
        /// (wrong format, an address outside the pool and not the client's static one, duplicates),
        /// or -1 when the whole record is unreadable; the table then starts empty.
        /// </summary>
        public int Load(ILeaseStore store, long now)
        {
            System.Array.Clear(states, 0, capacity);
            int n = store.Load(storeBuffer);
            if (n == 0)
                return 0;
            if (n < StoreHeader || n > storeBuffer.Length || storeBuffer[0] != 'W' || storeBuffer[1] != 'L'
                || storeBuffer[2] != 'S' || storeBuffer[3] != '1')
                return -1;
            int count = Endian.Read16(storeBuffer, 4);
            if (count > capacity || StoreHeader + count * StoredBytesPerLease > n)
                return -1;
            int rejected = 0;
            int slot = 0;
            for (int e = 0; e < count; e++)
            {
                int pos = StoreHeader + e * StoredBytesPerLease;
                uint ip = Endian.Read32(storeBuffer, pos + 6);
                byte s = storeBuffer[pos + 10];
                long left = Endian.Read32(storeBuffer, pos + 11);
                bool macOk = (storeBuffer[pos] & 1) == 0 && (storeBuffer[pos] | storeBuffer[pos + 1] | storeBuffer[pos + 2]
                    | storeBuffer[pos + 3] | storeBuffer[pos + 4] | storeBuffer[pos + 5]) != 0;
                bool ipOk = ip != config.RouterIp && config.IsHostAddress(ip)
                    && (config.StaticAddressFor(storeBuffer, pos) == ip || (config.InPool(ip) && !config.IsStaticAddress(ip)));
                if (!macOk || !ipOk || (s != StateBound && s != StateReleased) || left > 0x7FFFFFFF
                    || FindByIp(ip) >= 0 || FindByMac(storeBuffer, pos) >= 0)
                {
                    rejected++;
                    continue;
                }
                states[slot] = s;
                System.Array.Copy(storeBuffer, pos, macs, slot * 6, 6);
                ips[slot] = ip;
                expires[slot] = s == StateBound ? now + left * 1000 : now;
                savedExpires[slot] = expires[slot];
                slot++;
            }
            return rejected;
        }
    }
}

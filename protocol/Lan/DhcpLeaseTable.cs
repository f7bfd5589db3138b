using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Where the DHCP leases persist across reboots: the settings store on the device, a file on
    /// Linux, memory in tests. The bytes are opaque to the store (format in <see cref="DhcpLeaseTable"/>).
    /// </summary>
    public interface ILeaseStore
    {
        /// <summary>
        /// Copies the stored bytes into <paramref name="buffer"/>; returns how many were stored (0 when
        /// nothing is). More than the buffer's length means the record is longer than it can be: the
        /// buffer holds its first bytes.
        /// </summary>
        int Load(byte[] buffer);

        /// <summary>Replaces the stored bytes; false when they could not be written.</summary>
        bool Save(byte[] buffer, int length);
    }

    /// <summary>
    /// The DHCP server's bindings (RFC 2131 section 4.3.1: "the server MUST remember ... the
    /// client's network address"), in fixed preallocated slots, with address choice from the
    /// pool and the persisted form.
    /// <code>
    ///  slot i:  | state (1) | chaddr (6) | address (4) | expires, ms (8) | expiry last saved, ms (8) |
    ///           | client id length (1) | its first 24 bytes (24) | FNV-1a of all of it (4) | real expiry, unix ms (8) |   64 bytes
    ///  state:   Free, Offered (held OfferHoldMs), Bound (until expires), Released (remembered,
    ///           the address is free), Declined (address unusable until expires; chaddr cleared)
    ///
    ///  stored:  | "WLS2" | saved at, unix ms or 0 (8) | CRC-32 of the 12 bytes before (4) |
    ///           | record × n: | CRC-32 of the rest (4) | chaddr (6) | address (4) | state (1) | flags (1) |
    ///           |             | expiry (8) | client id length (1) | first 24 bytes (24) | FNV-1a (4) |       53 bytes each
    /// </code>
    /// The client is its client identifier (option 61, RFC 2131 section 4.2: "MUST" be the key when
    /// present) or, without one, its chaddr: <see cref="SetClientId"/> says which for the message
    /// being handled. Static leases stay keyed by chaddr (the configuration names MACs).
    ///
    /// A Bound or Offered slot whose time is past counts as Released: the binding is remembered
    /// (the same client gets the same address back, RFC 2131 section 4.3.1) but the address may
    /// go to another client once no never-used address is left.
    ///
    /// The record is checked record by record (CRC-32 each), so damage (random bytes, a truncation,
    /// garbage appended) loses only the records it touches; complete records survive. Expiry is
    /// stored against the wall clock when the router knows it (flags bit 0: unix ms), so a lease
    /// keeps its real end across a restart however long the router was off; without a wall clock
    /// (an ESP32 before SNTP) the remaining time is stored, and the time the router was off is not
    /// subtracted (a lease looks longer after a reboot, never shorter: an address in use is never
    /// handed out early). A lease stored against the wall clock but loaded before the router knows
    /// the time counts its remaining time as of the save until <see cref="SetWallClock"/>, which
    /// then re-times it to its real end. The old "WLS1" record (no checks, remaining seconds) is read too.
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
        public const int BytesPerSlot = 64;
        public const int StoredBytesPerLease = 53;
        /// <summary>Bytes of a client identifier kept whole; longer ones are told apart by their length and hash too.</summary>
        public const int ClientIdBytes = 24;
        const int StoreHeader = 16;
        const int LegacyHeader = 6;
        const int LegacyBytesPerLease = 15;
        const byte FlagAbsolute = 1;

        readonly LanConfig config;
        readonly int capacity;
        readonly byte[] states;
        readonly byte[] macs;
        readonly uint[] ips;
        readonly long[] expires;
        readonly long[] savedExpires;
        readonly byte[] storeBuffer;
        readonly int maxDeclined;
        readonly byte[] idLengths;
        readonly byte[] ids;
        readonly uint[] idHashes;
        readonly long[] realExpires;   // unix ms of a loaded lease's end not yet placed against the wall clock; 0: none
        // The client of the message being handled (SetClientId)
        readonly byte[] clientId = new byte[ClientIdBytes];
        int clientIdLength;
        uint clientIdHash;
        bool wallKnown;
        long wallAtSet, wallSetAt;
        int loadKept, loadLost;
        bool loadDamaged;

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
            idLengths = new byte[capacity];
            ids = new byte[capacity * ClientIdBytes];
            idHashes = new uint[capacity];
            realExpires = new long[capacity];
            storeBuffer = new byte[StoreHeader + capacity * StoredBytesPerLease];
            int quarter = (capacity < config.PoolSize ? capacity : config.PoolSize) / 4;
            maxDeclined = quarter < 1 ? 1 : quarter;
        }

        public int Capacity { get { return capacity; } }

        /// <summary>
        /// Grows whenever a slot's binding may have changed (assigned, renewed, released, declined,
        /// forgotten, loaded, re-timed): what has copied a binding elsewhere (the native fast path's
        /// flows) checks it again when this moves. Wraps; compare for equality only.
        /// </summary>
        public int Version { get { return version; } }
        int version;
        public int MaxDeclined { get { return maxDeclined; } }
        /// <summary>Table bytes (not counting array headers): 64 per slot, plus the 16 + 53 per slot store buffer.</summary>
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

        /// <summary>
        /// The client the following calls are about: its client identifier (option 61's data, type
        /// byte included; <paramref name="length"/> 0 when the message has none, and the client is its chaddr).
        /// </summary>
        public void SetClientId(byte[] id, int offset, int length)
        {
            if (length < 0 || id == null)
                length = 0;
            if (length > 255)
                length = 255;
            clientIdLength = length;
            System.Array.Clear(clientId, 0, ClientIdBytes);
            if (length > 0)
                System.Array.Copy(id, offset, clientId, 0, length < ClientIdBytes ? length : ClientIdBytes);
            clientIdHash = Fnv1a(id, offset, length);
        }

        static uint Fnv1a(byte[] b, int offset, int length)
        {
            uint h = 2166136261;
            for (int i = 0; i < length; i++)
            {
                h ^= b[offset + i];
                h *= 16777619;
            }
            return h;
        }

        /// <summary>True when the slot is the current client's: the same client identifier, or, without one, the same chaddr and no identifier.</summary>
        bool IsClient(int slot, byte[] mac, int macOffset)
        {
            if (clientIdLength > 0)
            {
                if (idLengths[slot] != clientIdLength || idHashes[slot] != clientIdHash)
                    return false;
                for (int i = 0; i < ClientIdBytes; i++)
                    if (ids[slot * ClientIdBytes + i] != clientId[i])
                        return false;
                return true;
            }
            return idLengths[slot] == 0 && MacAddress.Equal(macs, slot * 6, mac, macOffset);
        }

        /// <summary>True when the slot's client identifier is the current one (both none included).</summary>
        public bool HasClientIdOf(int slot) { return idLengths[slot] == clientIdLength && (clientIdLength == 0 || IsClient(slot, null, 0)); }

        /// <summary>The slot remembering this client (any state but Free and Declined), or -1: by client identifier when the message has one (<see cref="SetClientId"/>), else by chaddr.</summary>
        public int FindByMac(byte[] mac, int macOffset)
        {
            for (int i = 0; i < capacity; i++)
                if (states[i] != StateFree && states[i] != StateDeclined && IsClient(i, mac, macOffset))
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
        /// declined (unless this client is the host found using it, <see cref="MarkInUse"/>) and not
        /// offered or bound to another client.
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
                return MacAddress.Equal(macs, slot * 6, mac, macOffset); // only its user's (MarkInUse); a DECLINE leaves no MAC
            if (s == StateOffered || s == StateBound)
                return IsClient(slot, mac, macOffset);
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
            version++;
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
            if (states[slot] == StateFree || ips[slot] != ip || !IsClient(slot, mac, macOffset) || !MacAddress.Equal(macs, slot * 6, mac, macOffset))
                savedExpires[slot] = long.MinValue;
            states[slot] = state;
            System.Array.Copy(mac, macOffset, macs, slot * 6, 6);
            idLengths[slot] = (byte)clientIdLength;
            System.Array.Copy(clientId, 0, ids, slot * ClientIdBytes, ClientIdBytes);
            idHashes[slot] = clientIdHash;
            ips[slot] = ip;
            expires[slot] = until;
            realExpires[slot] = 0;
            return slot;
        }

        /// <summary>RELEASE: the binding is remembered, the address is free (RFC 2131 section 4.3.4).</summary>
        public void Release(int slot, long now)
        {
            version++;
            states[slot] = StateReleased;
            expires[slot] = now;
        }

        /// <summary>
        /// DECLINE: the address is unusable for DeclineHoldMs (RFC 2131 section 4.3.3). Returns
        /// true when an older declined address had to be freed to stay within MaxDeclined.
        /// </summary>
        public bool Decline(int slot, long now)
        {
            version++;
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
            idLengths[slot] = 0;
            expires[slot] = now + DeclineHoldMs;
            return recycled;
        }

        /// <summary>
        /// An ARP probe of the slot's address answered by another host: the address is out of use for
        /// DeclineHoldMs like a DECLINE, and the host that answered is remembered as its user, so that
        /// host's own REQUEST for it (a live client whose lease the server forgot, renewing) is still
        /// granted (<see cref="IsAvailableFor"/>). Returns what <see cref="Decline"/> returns.
        /// </summary>
        public bool MarkInUse(int slot, byte[] userMac, int userMacOffset, long now)
        {
            bool recycled = Decline(slot, now);
            System.Array.Copy(userMac, userMacOffset, macs, slot * 6, 6);
            return recycled;
        }

        /// <summary>Frees an offer the client turned down (it chose another server).</summary>
        public void Forget(int slot)
        {
            version++;
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

        /// <summary>
        /// The wall clock (unix ms at monotonic <paramref name="now"/>): leases are then saved with their
        /// real end, and leases loaded before the time was known are re-timed to it.
        /// </summary>
        public void SetWallClock(long unixMilliseconds, long now)
        {
            version++;
            wallKnown = true;
            wallAtSet = unixMilliseconds;
            wallSetAt = now;
            for (int i = 0; i < capacity; i++)
            {
                if (realExpires[i] == 0)
                    continue;
                if (states[i] == StateBound)
                    expires[i] = now + (realExpires[i] - unixMilliseconds);
                realExpires[i] = 0;
            }
        }

        long WallAt(long now) { return wallAtSet + (now - wallSetAt); }

        /// <summary>Writes every Bound and Released binding to the store (format above).</summary>
        public bool Save(ILeaseStore store, long now)
        {
            int pos = StoreHeader;
            for (int i = 0; i < capacity; i++)
            {
                byte s = EffectiveState(i, now);
                if (s != StateBound && s != StateReleased)
                    continue;
                int r = pos + 4;
                System.Array.Copy(macs, i * 6, storeBuffer, r, 6);
                Endian.Write32(storeBuffer, r + 6, ips[i]);
                storeBuffer[r + 10] = s;
                long left = s == StateBound ? expires[i] - now : 0;
                if (left < 0)
                    left = 0;
                if (wallKnown)
                {
                    storeBuffer[r + 11] = FlagAbsolute;
                    Write64(storeBuffer, r + 12, WallAt(now) + left);
                }
                else if (realExpires[i] != 0)
                {
                    storeBuffer[r + 11] = FlagAbsolute; // still not placed against a clock: keep the real end
                    Write64(storeBuffer, r + 12, realExpires[i]);
                }
                else
                {
                    storeBuffer[r + 11] = 0;
                    Write64(storeBuffer, r + 12, left);
                }
                storeBuffer[r + 20] = idLengths[i];
                System.Array.Copy(ids, i * ClientIdBytes, storeBuffer, r + 21, ClientIdBytes);
                Endian.Write32(storeBuffer, r + 45, idHashes[i]);
                Endian.Write32(storeBuffer, pos, Crc32(storeBuffer, r, StoredBytesPerLease - 4));
                pos += StoredBytesPerLease;
                if (states[i] == StateBound)
                    savedExpires[i] = expires[i];
            }
            storeBuffer[0] = (byte)'W';
            storeBuffer[1] = (byte)'L';
            storeBuffer[2] = (byte)'S';
            storeBuffer[3] = (byte)'2';
            Write64(storeBuffer, 4, wallKnown ? WallAt(now) : 0);
            Endian.Write32(storeBuffer, 12, Crc32(storeBuffer, 0, 12));
            return store.Save(storeBuffer, pos);
        }

        static void Write64(byte[] b, int o, long v)
        {
            Endian.Write32(b, o, (uint)(v >> 32));
            Endian.Write32(b, o + 4, (uint)v);
        }

        static long Read64(byte[] b, int o)
        {
            return ((long)Endian.Read32(b, o) << 32) | Endian.Read32(b, o + 4);
        }

        /// <summary>CRC-32 (IEEE 802.3, reflected, as zlib), bit by bit: off the packet path, a few hundred bytes.</summary>
        public static uint Crc32(byte[] b, int offset, int length)
        {
            uint crc = 0xFFFFFFFF;
            for (int i = 0; i < length; i++)
            {
                crc ^= b[offset + i];
                for (int k = 0; k < 8; k++)
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            return ~crc;
        }

        /// <summary>Leases the last <see cref="Load"/> kept.</summary>
        public int LoadKept { get { return loadKept; } }
        /// <summary>Records the last Load could not use: bad checks, a cut record, bad values, duplicates.</summary>
        public int LoadLost { get { return loadLost; } }
        /// <summary>True when the last Load found damage: a bad header, lost records, a cut record or more bytes than a record can have.</summary>
        public bool LoadDamaged { get { return loadDamaged; } }

        /// <summary>
        /// Replaces the table with the stored bindings that pass their checks. Returns the number of
        /// records rejected (damaged, an address outside the pool and not the client's static one,
        /// duplicates, a cut record), or -1 when nothing in the record was usable although it was
        /// not empty; <see cref="LoadKept"/>, <see cref="LoadLost"/> and <see cref="LoadDamaged"/> say more.
        /// </summary>
        public int Load(ILeaseStore store, long now)
        {
            version++;
            System.Array.Clear(states, 0, capacity);
            System.Array.Clear(idLengths, 0, capacity);
            System.Array.Clear(realExpires, 0, capacity);
            loadKept = 0;
            loadLost = 0;
            loadDamaged = false;
            int n = store.Load(storeBuffer);
            if (n <= 0)
                return 0;
            int avail = n < storeBuffer.Length ? n : storeBuffer.Length;
            if (n > storeBuffer.Length)
                loadDamaged = true; // longer than any record this table writes: keep what checks out at its start
            if (avail >= LegacyHeader && storeBuffer[0] == 'W' && storeBuffer[1] == 'L' && storeBuffer[2] == 'S' && storeBuffer[3] == '1')
                return LoadLegacy(avail, now);
            long savedAt = 0;
            if (avail >= StoreHeader && storeBuffer[0] == 'W' && storeBuffer[1] == 'L' && storeBuffer[2] == 'S' && storeBuffer[3] == '2'
                && Endian.Read32(storeBuffer, 12) == Crc32(storeBuffer, 0, 12))
                savedAt = Read64(storeBuffer, 4);
            else
                loadDamaged = true; // the records are still tried one by one
            int slot = 0;
            int pos = StoreHeader;
            for (; pos + StoredBytesPerLease <= avail; pos += StoredBytesPerLease)
            {
                int r = pos + 4;
                if (Endian.Read32(storeBuffer, pos) != Crc32(storeBuffer, r, StoredBytesPerLease - 4))
                {
                    loadLost++;
                    continue;
                }
                uint ip = Endian.Read32(storeBuffer, r + 6);
                byte s = storeBuffer[r + 10];
                bool absolute = (storeBuffer[r + 11] & FlagAbsolute) != 0;
                long expiry = Read64(storeBuffer, r + 12);
                int idLength = storeBuffer[r + 20];
                uint idHash = Endian.Read32(storeBuffer, r + 45);
                if (!Acceptable(r, ip, s) || slot >= capacity || (idLength > 0 && FindStoredId(storeBuffer, r + 20, idHash, slot) >= 0)
                    || (idLength == 0 && FindStoredMac(storeBuffer, r, slot) >= 0))
                {
                    loadLost++;
                    continue;
                }
                long left;
                long real = 0;
                if (!absolute)
                    left = expiry;
                else if (wallKnown)
                    left = expiry - WallAt(now);
                else
                {
                    // The real end is known but not today's date: count the time left at the save
                    // (or a whole lease when the header is damaged) until SetWallClock re-times it.
                    left = savedAt > 0 ? expiry - savedAt : config.LeaseTimeSeconds * 1000L;
                    real = expiry;
                }
                states[slot] = s;
                System.Array.Copy(storeBuffer, r, macs, slot * 6, 6);
                ips[slot] = ip;
                idLengths[slot] = (byte)idLength;
                System.Array.Copy(storeBuffer, r + 21, ids, slot * ClientIdBytes, ClientIdBytes);
                idHashes[slot] = idHash;
                expires[slot] = s == StateBound && left > 0 ? now + left : now;
                realExpires[slot] = s == StateBound ? real : 0;
                savedExpires[slot] = expires[slot];
                slot++;
            }
            if (pos < avail)
            {
                loadLost++; // a record cut short
            }
            loadKept = slot;
            if (loadLost > 0)
                loadDamaged = true;
            if (loadKept == 0 && avail > 0 && loadDamaged)
                return -1;
            return loadLost;
        }

        bool Acceptable(int r, uint ip, byte s)
        {
            bool macOk = (storeBuffer[r] & 1) == 0 && (storeBuffer[r] | storeBuffer[r + 1] | storeBuffer[r + 2]
                | storeBuffer[r + 3] | storeBuffer[r + 4] | storeBuffer[r + 5]) != 0;
            bool ipOk = ip != config.RouterIp && config.IsHostAddress(ip)
                && (config.StaticAddressFor(storeBuffer, r) == ip || (config.InPool(ip) && !config.IsStaticAddress(ip)));
            return macOk && ipOk && (s == StateBound || s == StateReleased) && FindByIp(ip) < 0;
        }

        int FindStoredMac(byte[] b, int macOffset, int slots)
        {
            for (int i = 0; i < slots; i++)
                if (idLengths[i] == 0 && MacAddress.Equal(macs, i * 6, b, macOffset))
                    return i;
            return -1;
        }

        int FindStoredId(byte[] b, int lengthOffset, uint hash, int slots)
        {
            for (int i = 0; i < slots; i++)
            {
                if (idLengths[i] != b[lengthOffset] || idHashes[i] != hash)
                    continue;
                bool same = true;
                for (int k = 0; k < ClientIdBytes && same; k++)
                    same = ids[i * ClientIdBytes + k] == b[lengthOffset + 1 + k];
                if (same)
                    return i;
            }
            return -1;
        }

        /// <summary>The "WLS1" record of earlier versions: | "WLS1" | count (2) | count × | chaddr (6) | address (4) | state (1) | seconds left (4) | |.</summary>
        int LoadLegacy(int n, long now)
        {
            int count = Endian.Read16(storeBuffer, 4);
            if (count > capacity || LegacyHeader + count * LegacyBytesPerLease > n)
            {
                loadDamaged = true;
                return -1;
            }
            int slot = 0;
            for (int e = 0; e < count; e++)
            {
                int pos = LegacyHeader + e * LegacyBytesPerLease;
                uint ip = Endian.Read32(storeBuffer, pos + 6);
                byte s = storeBuffer[pos + 10];
                long left = Endian.Read32(storeBuffer, pos + 11);
                if (!Acceptable(pos, ip, s) || left > 0x7FFFFFFF || FindStoredMac(storeBuffer, pos, slot) >= 0)
                {
                    loadLost++;
                    continue;
                }
                states[slot] = s;
                System.Array.Copy(storeBuffer, pos, macs, slot * 6, 6);
                ips[slot] = ip;
                expires[slot] = s == StateBound ? now + left * 1000 : now;
                savedExpires[slot] = expires[slot];
                slot++;
            }
            loadKept = slot;
            if (loadLost > 0)
                loadDamaged = true;
            return loadLost;
        }
    }
}

using System;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// The NAPT session table: fixed capacity, preallocated, structure of arrays.
    ///
    /// <para><b>Sessions and mappings.</b> A session is one LAN endpoint talking to one remote
    /// endpoint: (flow class, LAN host, LAN port) ↔ (remote address, remote port). Sessions of
    /// the same LAN endpoint share one external port: that is the endpoint-independent mapping
    /// of RFC 4787 REQ-1 (RFC 5382 REQ-1 for TCP, RFC 5508 REQ-1 for ICMP identifiers). They are
    /// kept in a ring (the <c>next</c> array), and two open-addressing indexes lead to the ring:
    /// <list type="bullet">
    ///   <item><c>lanIndex</c>: (flow class, host, LAN port) → a session of the mapping (outbound);</item>
    ///   <item><c>extIndex</c>: (flow class, external port) → the same session (inbound).</item>
    /// </list>
    /// Both are O(1) expected (linear probing at load ≤ 0.5, keyed hashes, deletion by backward
    /// shift, no tombstones). Finding the exact session walks the ring of that one mapping; a
    /// mapping usually has one session (one TCP connection, one DNS query port). Because the
    /// ext index maps a port to exactly one ring, a port is never shared by two LAN endpoints
    /// (RFC 4787 REQ-3: no port overloading).</para>
    ///
    /// <para><b>Memory.</b> <see cref="BytesPerEntry"/> = 26 bytes per session for IPv4 and IPv6
    /// alike: host index 1, kind 1 (protocol, family, DNS-redirect flag, TCP state), LAN port 2,
    /// external port 2, remote address 4 (IPv6: a keyed 32-bit fingerprint, see
    /// <see cref="NatHash.Fingerprint"/>), remote port 2, deadline 4, ring/free-list link 2, and
    /// two indexes of 2-byte cells at two cells per session (8). LAN addresses live in
    /// <see cref="NatHostTable"/> (<see cref="NatHostTable.BytesPerHost"/> bytes per host).
    /// Nothing is allocated after the constructor.</para>
    ///
    /// <para><b>Time.</b> Deadlines are 32-bit serial numbers of the caller's millisecond clock
    /// (compared as in RFC 1982), so <c>now</c> may be any monotonic long. A session whose
    /// deadline has passed is dead at once for every lookup; <see cref="Tick"/> reclaims dead
    /// slots in bounded work per call.</para>
    /// </summary>
    public sealed class NatTable
    {
        /// <summary>Bytes of memory per session, indexes included (IPv4 and IPv6).</summary>
        public const int BytesPerEntry = 1 + 1 + 2 + 2 + 4 + 2 + 4 + 2 + 2 * 2 * 2;

        internal const byte ProtoTcp = 1;
        internal const byte ProtoUdp = 2;
        internal const byte ProtoIcmp = 3;
        internal const byte FlagV6 = 4;
        const byte FlagRedirect = 8;
        const byte ClassMask = 7;
        const int NoSlot = -1;

        readonly NatConfig config;
        readonly IRandomSource random;
        readonly NatCounters counters;
        readonly NatHostTable hosts;

        readonly byte[] host;
        readonly byte[] kind;
        readonly ushort[] lanPort;
        readonly ushort[] extPort;
        readonly uint[] remoteAddress;
        readonly ushort[] remotePort;
        readonly uint[] deadline;
        readonly ushort[] next;
        readonly ushort[] lanIndex;
        readonly ushort[] extIndex;
        readonly int indexSize;
        readonly uint lanKey;
        readonly uint extKey;
        readonly uint fingerprintKey;
        readonly int maxPerHost;
        readonly ushort[] deviceSessions;
        readonly bool[] deviceActive;
        readonly int reservePerDevice;
        int reserveHeld;

        int freeHead;
        int count;
        int tickCursor;
        int evictCursor;

        /// <summary>Allocates every array for <see cref="NatConfig.Capacity"/> sessions.</summary>
        public NatTable(NatConfig config, IRandomSource random, NatCounters counters)
        {
            if (config == null)
                throw new ArgumentNullException("config");
            if (random == null)
                throw new ArgumentNullException("random");
            config.Validate();
            this.config = config;
            this.random = random;
            this.counters = counters ?? new NatCounters();
            int n = config.Capacity;
            hosts = new NatHostTable(config.HostCapacity, random.NextUInt32());
            host = new byte[n];
            kind = new byte[n];
            lanPort = new ushort[n];
            extPort = new ushort[n];
            remoteAddress = new uint[n];
            remotePort = new ushort[n];
            deadline = new uint[n];
            next = new ushort[n];
            int cells = n * 2; // load factor at most 0.5: mappings ≤ sessions
            lanIndex = new ushort[cells];
            extIndex = new ushort[cells];
            indexSize = cells;
            lanKey = random.NextUInt32();
            extKey = random.NextUInt32();
            fingerprintKey = random.NextUInt32();
            maxPerHost = (int)((long)n * config.HostSharePercent / 100);
            if (maxPerHost < 1)
                maxPerHost = 1;
            deviceSessions = new ushort[config.DeviceCapacity];
            deviceActive = new bool[config.DeviceCapacity];
            reservePerDevice = config.DeviceReserve;
            // The free list runs through next[]; its last slot links to itself.
            for (int i = 0; i < n - 1; i++)
                next[i] = (ushort)(i + 1);
            next[n - 1] = (ushort)(n - 1);
            freeHead = 0;
        }

        public NatConfig Config { get { return config; } }
        public NatCounters Counters { get { return counters; } }
        public NatHostTable Hosts { get { return hosts; } }
        /// <summary>Session slots.</summary>
        public int Capacity { get { return kind.Length; } }
        /// <summary>Slots in use (live sessions and dead ones not yet reclaimed).</summary>
        public int Count { get { return count; } }
        /// <summary>Sessions one LAN device (or one host without a device) may hold (<see cref="NatConfig.HostSharePercent"/> of the capacity).</summary>
        public int MaxSessionsPerHost { get { return maxPerHost; } }
        /// <summary>Sessions of a device (all its addresses).</summary>
        public int DeviceSessions(int device) { return device >= 0 && device < deviceSessions.Length ? deviceSessions[device] : 0; }
        /// <summary>Free slots held back for present devices below their reserve.</summary>
        public int ReserveHeld { get { return reserveHeld; } }

        /// <summary>
        /// A device came (bound on the LAN) or went. A present device's unused reserve
        /// (<see cref="NatConfig.DeviceReserve"/> less its sessions) is held back from the others.
        /// </summary>
        public void SetDeviceActive(int device, bool active)
        {
            if (device < 0 || device >= deviceActive.Length || deviceActive[device] == active)
                return;
            deviceActive[device] = active;
            int unused = reservePerDevice - deviceSessions[device];
            if (unused > 0)
                reserveHeld += active ? unused : -unused;
        }

        int DeviceOfHost(int hostIndex)
        {
            int d = hosts.DeviceOf(hostIndex);
            return d < deviceSessions.Length ? d : -1;
        }

        void CountDeviceSession(int device, int delta)
        {
            if (device < 0)
                return;
            bool belowBefore = deviceSessions[device] < reservePerDevice;
            deviceSessions[device] = (ushort)(deviceSessions[device] + delta);
            bool belowAfter = deviceSessions[device] < reservePerDevice;
            if (deviceActive[device] && (belowBefore || belowAfter))
                reserveHeld -= delta;
        }
        /// <summary>Total bytes of the session table and host table arrays.</summary>
        public int MemoryBytes
        {
            get
            {
                int n = kind.Length;
                return n * (BytesPerEntry - 8) + (lanIndex.Length + extIndex.Length) * 2
                    + hosts.Capacity * NatHostTable.BytesPerHost + deviceSessions.Length * 3;
            }
        }

        /// <summary>
        /// Time for Tick to visit every slot once when called every <see cref="NatConfig.TickInterval"/>:
        /// a dead session's slot is reclaimed no later than this after its deadline.
        /// </summary>
        public long SweepPeriod
        {
            get { return config.TickInterval * ((kind.Length + config.TickSlots - 1) / config.TickSlots); }
        }

        // ---- per-slot accessors (for the translator, the status view and tests) ----

        public bool IsUsed(int slot) { return kind[slot] != 0; }
        public int Host(int slot) { return host[slot]; }
        public ushort LanPort(int slot) { return lanPort[slot]; }
        public ushort ExternalPort(int slot) { return extPort[slot]; }
        public uint RemoteAddress(int slot) { return remoteAddress[slot]; }
        public ushort RemotePort(int slot) { return remotePort[slot]; }
        public bool IsV6(int slot) { return (kind[slot] & FlagV6) != 0; }
        public bool IsRedirected(int slot) { return (kind[slot] & FlagRedirect) != 0; }
        public byte Protocol(int slot) { return (byte)(kind[slot] & 3); }
        public byte TcpState(int slot) { return (byte)(kind[slot] >> 4); }
        /// <summary>The deadline as the low 32 bits of the caller's clock.</summary>
        public uint Deadline(int slot) { return deadline[slot]; }

        /// <summary>True when the session's deadline has passed (RFC 1982 serial comparison).</summary>
        public bool IsExpired(int slot, long now) { return (int)(deadline[slot] - (uint)now) <= 0; }

        /// <summary>Milliseconds until the session expires (≤ 0 when dead).</summary>
        public long Remaining(int slot, long now) { return (int)(deadline[slot] - (uint)now); }

        internal void SetTcpState(int slot, byte state)
        {
            kind[slot] = (byte)((kind[slot] & 0x0F) | (state << 4));
        }

        /// <summary>
        /// Restarts the session's timer (RFC 4787 REQ-6 outbound refresh; RFC 5382 idle timers):
        /// UDP to port 53 uses <see cref="NatConfig.DnsTimeout"/> (REQ-5a), other UDP
        /// <see cref="NatConfig.UdpTimeout"/>, TCP the established or transitory timeout by state,
        /// ICMP <see cref="NatConfig.IcmpTimeout"/>.
        /// </summary>
        internal void Refresh(int slot, long now)
        {
            deadline[slot] = (uint)now + (uint)TimeoutOf(slot);
        }

        long TimeoutOf(int slot)
        {
            switch (kind[slot] & 3)
            {
                case ProtoTcp:
                    return NatTcpState.IsEstablished(TcpState(slot)) ? config.TcpEstablishedTimeout : config.TcpTransitoryTimeout;
                case ProtoUdp:
                    return remotePort[slot] == 53 ? config.DnsTimeout : config.UdpTimeout;
                default:
                    return config.IcmpTimeout;
            }
        }

        /// <summary>The keyed 32-bit fingerprint the table stores for a remote IPv6 address.</summary>
        internal uint FingerprintV6(byte[] b, int offset) { return NatHash.Fingerprint(b, offset, fingerprintKey); }

        // ---- lookups ----

        static uint LanKey(int flowClass, int hostIndex, int port) { return (uint)(flowClass << 24) | (uint)(hostIndex << 16) | (uint)port; }
        static uint ExtKey(int flowClass, int port) { return (uint)(flowClass << 16) | (uint)port; }
        uint LanKeyOf(int slot) { return LanKey(kind[slot] & ClassMask, host[slot], lanPort[slot]); }
        uint ExtKeyOf(int slot) { return ExtKey(kind[slot] & ClassMask, extPort[slot]); }

        int ProbeLan(uint key)
        {
            int i = NatHash.Home(NatHash.Mix(key, lanKey), indexSize);
            while (true)
            {
                int cell = lanIndex[i];
                if (cell == 0)
                    return -1 - i;
                if (LanKeyOf(cell - 1) == key)
                    return i;
                i = NatHash.Next(i, indexSize);
            }
        }

        int ProbeExt(uint key)
        {
            int i = NatHash.Home(NatHash.Mix(key, extKey), indexSize);
            while (true)
            {
                int cell = extIndex[i];
                if (cell == 0)
                    return -1 - i;
                if (ExtKeyOf(cell - 1) == key)
                    return i;
                i = NatHash.Next(i, indexSize);
            }
        }

        /// <summary>
        /// A session of the live mapping for a LAN endpoint, or -1. A mapping whose sessions are
        /// all past their deadline is dead: its slots are reclaimed here and -1 is returned.
        /// </summary>
        internal int FindMappingByLan(int flowClass, int hostIndex, int port, long now)
        {
            int cell = ProbeLan(LanKey(flowClass, hostIndex, port));
            if (cell < 0)
                return NoSlot;
            return LiveOrReclaim(lanIndex[cell] - 1, now);
        }

        /// <summary>A session of the live mapping on an external port, or -1.</summary>
        internal int FindMappingByExt(int flowClass, int port, long now)
        {
            int cell = ProbeExt(ExtKey(flowClass, port));
            if (cell < 0)
                return NoSlot;
            return LiveOrReclaim(extIndex[cell] - 1, now);
        }

        int LiveOrReclaim(int rep, long now)
        {
            int s = rep;
            do
            {
                if (!IsExpired(s, now))
                    return rep;
                s = next[s];
            } while (s != rep);
            // Every session of the mapping is dead: free them all, so the port is free again.
            while (kind[rep] != 0)
            {
                int victim = next[rep] == rep ? rep : next[rep];
                RemoveSession(victim);
                counters.Increment(NatCounter.SessionsExpired);
            }
            return NoSlot;
        }

        /// <summary>
        /// The session of the mapping (any member <paramref name="rep"/>) with this remote
        /// endpoint, live or dead, or -1. With <paramref name="matchRedirect"/>, the session must
        /// also agree on <paramref name="redirect"/> (a DNS query sent to the router's resolver).
        /// </summary>
        internal int FindInRing(int rep, uint remote, int port, bool redirect, bool matchRedirect)
        {
            int s = rep;
            do
            {
                if (remoteAddress[s] == remote && remotePort[s] == port
                    && (!matchRedirect || ((kind[s] & FlagRedirect) != 0) == redirect))
                    return s;
                s = next[s];
            } while (s != rep);
            return NoSlot;
        }

        /// <summary>
        /// True when a live session of the mapping has sent to <paramref name="remote"/>: the
        /// address-dependent filter of RFC 4787 REQ-8 (any remote port).
        /// </summary>
        internal bool RingHasRemote(int rep, uint remote, long now)
        {
            int s = rep;
            do
            {
                if (remoteAddress[s] == remote && !IsExpired(s, now))
                    return true;
                s = next[s];
            } while (s != rep);
            return false;
        }

        // ---- creation ----

        /// <summary>
        /// Sets up a session for an outbound packet, joining the LAN endpoint's live mapping or
        /// creating one with a fresh external port. Returns the slot, or -1 with the reason.
        /// The host must already be in the host table.
        /// </summary>
        internal int Create(int flowClass, int hostIndex, int lanSidePort, uint remote, int port, bool redirect, byte tcpState, long now, out NatCounter reason)
        {
            reason = NatCounter.None;
            int device = DeviceOfHost(hostIndex);
            int held = device < 0 ? hosts.SessionCount(hostIndex) : deviceSessions[device];
            bool atShare = held >= maxPerHost;
            // Beyond its own reserve a device may take a free slot only if the reserves of the other
            // present devices stay free: one device can never lock the others out.
            bool reserved = !atShare && device >= 0 && held >= reservePerDevice
                && Capacity - count - 1 < reserveHeld;
            // Pin the host so that evicting its last session does not free its host slot; the
            // pin becomes the new session's reference, or is released on failure.
            hosts.Acquire(hostIndex);
            if (atShare || reserved)
            {
                // At its share (or with only others' reserve left), the host may only recycle its own closed or dead sessions.
                int own = FindVictim(hostIndex, now);
                if (own < 0) // a table with no free slot is full, whoever holds it (one host may hold all of it)
                    return Fail(hostIndex, freeHead < 0 ? NatCounter.DropTableFull : atShare ? NatCounter.DropHostQuotaExceeded : NatCounter.DropTableReserved, out reason);
                Evict(own, now);
            }
            if (freeHead < 0)
            {
                int victim = FindVictim(-1, now);
                if (victim < 0)
                    return Fail(hostIndex, NatCounter.DropTableFull, out reason);
                Evict(victim, now);
            }

            int rep = FindMappingByLan(flowClass, hostIndex, lanSidePort, now);
            int external;
            if (rep >= 0)
                external = extPort[rep];
            else
            {
                external = AllocatePort(flowClass, lanSidePort, now);
                if (external < 0)
                    return Fail(hostIndex, NatCounter.DropPortsExhausted, out reason);
            }

            int slot = freeHead;
            freeHead = next[slot] == slot ? NoSlot : next[slot];
            count++;
            CountDeviceSession(device, 1);
            host[slot] = (byte)hostIndex;
            kind[slot] = (byte)(flowClass | (redirect ? FlagRedirect : 0) | (tcpState << 4));
            lanPort[slot] = (ushort)lanSidePort;
            extPort[slot] = (ushort)external;
            remoteAddress[slot] = remote;
            remotePort[slot] = (ushort)port;
            if (rep >= 0)
            {
                next[slot] = next[rep];
                next[rep] = (ushort)slot;
            }
            else
            {
                next[slot] = (ushort)slot;
                int lc = ProbeLan(LanKeyOf(slot));
                int ec = ProbeExt(ExtKeyOf(slot));
                lanIndex[-1 - lc] = (ushort)(slot + 1);
                extIndex[-1 - ec] = (ushort)(slot + 1);
            }
            Refresh(slot, now);
            counters.Increment(NatCounter.SessionsCreated);
            return slot;
        }

        int Fail(int hostIndex, NatCounter why, out NatCounter reason)
        {
            hosts.Release(hostIndex);
            reason = why;
            return NoSlot;
        }

        /// <summary>
        /// Reuses a dead session of a live mapping for the same remote endpoint: a new session
        /// with the mapping's external port (RFC 4787 REQ-1).
        /// </summary>
        internal void Restart(int slot, byte tcpState, long now)
        {
            kind[slot] = (byte)((kind[slot] & 0x0F) | (tcpState << 4));
            Refresh(slot, now);
            counters.Increment(NatCounter.SessionsExpired);
            counters.Increment(NatCounter.SessionsCreated);
        }

        /// <summary>
        /// Picks an external port (an ICMP identifier for ICMP): the LAN port itself when it is
        /// free and in range (port preservation, RFC 4787 section 4.1), else RFC 6056 Algorithm 1
        /// (a random start, then the next free one). LAN ports below 1024 map into 1..1023 and
        /// the others into [MinPort, MaxPort] (RFC 4787 REQ-3); with parity preservation on, the
        /// parity is kept (REQ-4). At most Capacity + 1 candidates are tried: at most Capacity
        /// ports are taken, so if a free port exists among consecutive candidates one is found.
        /// </summary>
        int AllocatePort(int flowClass, int lanSidePort, long now)
        {
            int lo, hi;
            if ((flowClass & 3) == ProtoIcmp)
            {
                lo = 0;
                hi = 65535;
            }
            else if (lanSidePort < NatConfig.FirstNonWellKnownPort)
            {
                lo = 1;
                hi = NatConfig.FirstNonWellKnownPort - 1;
            }
            else
            {
                lo = config.MinPort;
                hi = config.MaxPort;
            }
            if (lanSidePort >= lo && lanSidePort <= hi && FindMappingByExt(flowClass, lanSidePort, now) < 0)
                return lanSidePort;
            bool parity = config.PreservePortParity && (flowClass & 3) != ProtoIcmp;
            int n = hi - lo + 1;
            int p = lo + (int)(random.NextUInt32() % (uint)n);
            if (parity && ((p ^ lanSidePort) & 1) != 0)
                p = p + 1 > hi ? p - 1 : p + 1;
            int step = parity ? 2 : 1;
            int attempts = n / step;
            if (attempts > kind.Length + 1)
                attempts = kind.Length + 1;
            for (int a = 0; a < attempts; a++)
            {
                if (FindMappingByExt(flowClass, p, now) < 0)
                    return p;
                p += step;
                if (p > hi)
                {
                    p = lo;
                    if (parity && ((p ^ lanSidePort) & 1) != 0)
                        p++;
                }
            }
            return NoSlot;
        }

        // ---- removal, eviction, expiry ----

        /// <summary>
        /// Looks at up to <see cref="NatConfig.EvictionScanLimit"/> slots for a session that may
        /// be evicted: a dead one (past its deadline) at once, else a closed TCP session (FIN
        /// both ways or RST). Live sessions are never evicted, so a host cannot take another
        /// host's working flows. With <paramref name="onlyHost"/> ≥ 0 only that host's sessions qualify.
        /// </summary>
        int FindVictim(int onlyHost, long now)
        {
            int n = kind.Length;
            int limit = config.EvictionScanLimit < n ? config.EvictionScanLimit : n;
            int closed = NoSlot;
            for (int i = 0; i < limit; i++)
            {
                int s = evictCursor;
                evictCursor = evictCursor + 1 == n ? 0 : evictCursor + 1;
                if (kind[s] == 0 || (onlyHost >= 0 && host[s] != onlyHost))
                    continue;
                if (IsExpired(s, now))
                    return s;
                if (closed < 0 && (kind[s] & 3) == ProtoTcp && NatTcpState.IsClosed(TcpState(s)))
                    closed = s;
            }
            return closed;
        }

        void Evict(int slot, long now)
        {
            if (IsExpired(slot, now))
                counters.Increment(NatCounter.SessionsExpired);
            counters.Increment(NatCounter.Evictions);
            RemoveSession(slot);
        }

        /// <summary>Frees one session: unlinks it from its mapping's ring and, with the last one, the mapping.</summary>
        internal void RemoveSession(int slot)
        {
            int succ = next[slot];
            if (succ == slot)
            {
                DeleteCell(lanIndex, ProbeLan(LanKeyOf(slot)), true);
                DeleteCell(extIndex, ProbeExt(ExtKeyOf(slot)), false);
            }
            else
            {
                int pred = succ;
                while (next[pred] != slot)
                    pred = next[pred];
                next[pred] = (ushort)succ;
                int lc = ProbeLan(LanKeyOf(slot));
                if (lc >= 0 && lanIndex[lc] == slot + 1)
                    lanIndex[lc] = (ushort)(succ + 1);
                int ec = ProbeExt(ExtKeyOf(slot));
                if (ec >= 0 && extIndex[ec] == slot + 1)
                    extIndex[ec] = (ushort)(succ + 1);
            }
            CountDeviceSession(DeviceOfHost(host[slot]), -1);
            hosts.Release(host[slot]);
            kind[slot] = 0;
            next[slot] = (ushort)(freeHead < 0 ? slot : freeHead);
            freeHead = slot;
            count--;
        }

        void DeleteCell(ushort[] index, int i, bool lan)
        {
            if (i < 0)
                return;
            int j = i;
            while (true)
            {
                j = NatHash.Next(j, indexSize);
                int cell = index[j];
                if (cell == 0)
                    break;
                uint key = lan ? LanKeyOf(cell - 1) : ExtKeyOf(cell - 1);
                int k = NatHash.Home(NatHash.Mix(key, lan ? lanKey : extKey), indexSize);
                if (NatHash.CanFill(i, j, k))
                {
                    index[i] = index[j];
                    i = j;
                }
            }
            index[i] = 0;
        }

        /// <summary>
        /// Reclaims dead sessions: examines <see cref="NatConfig.TickSlots"/> slots from a cursor
        /// (bounded work), removing those past their deadline. Returns how many were removed.
        /// Call it every <see cref="NatConfig.TickInterval"/> (see <see cref="NextDeadline"/>).
        /// </summary>
        public int Tick(long now)
        {
            int n = kind.Length;
            int removed = 0;
            int slots = config.TickSlots < n ? config.TickSlots : n;
            for (int i = 0; i < slots; i++)
            {
                int s = tickCursor;
                tickCursor = tickCursor + 1 == n ? 0 : tickCursor + 1;
                if (kind[s] != 0 && IsExpired(s, now))
                {
                    RemoveSession(s);
                    counters.Increment(NatCounter.SessionsExpired);
                    removed++;
                }
            }
            return removed;
        }

        /// <summary>When Tick should next run: one tick interval from now while sessions exist, else never (long.MaxValue).</summary>
        public long NextDeadline(long now)
        {
            return count == 0 ? long.MaxValue : now + config.TickInterval;
        }

        /// <summary>Describes a used slot for the status view; false for a free slot.</summary>
        public bool TryGetEntry(int slot, long now, out NatEntryInfo info)
        {
            info = default(NatEntryInfo);
            if (slot < 0 || slot >= kind.Length || kind[slot] == 0)
                return false;
            info.Slot = slot;
            info.IsV6 = IsV6(slot);
            byte p = Protocol(slot);
            info.Protocol = p == ProtoTcp ? (byte)6 : p == ProtoUdp ? (byte)17 : info.IsV6 ? (byte)58 : (byte)1;
            info.Host = host[slot];
            info.LanPort = lanPort[slot];
            info.ExternalPort = extPort[slot];
            info.RemoteAddress = remoteAddress[slot];
            info.RemotePort = remotePort[slot];
            info.TcpState = TcpState(slot);
            info.Redirected = IsRedirected(slot);
            info.Remaining = Remaining(slot, now);
            return true;
        }
    }
}

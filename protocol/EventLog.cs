using Warp.Protocol.WireGuard;

namespace Warp.Protocol
{
    /// <summary>What an <see cref="EventLog"/> entry says happened. Names for the console and the
    /// Linux log are in <see cref="EventLog.KindName"/>; new kinds are appended.</summary>
    public enum EventKind : byte
    {
        None = 0,
        /// <summary>The tunnel's state changed: a = 0 down, 1 handshaking, 2 up.</summary>
        TunnelState,
        /// <summary>A handshake completed; the endpoint is the peer's.</summary>
        HandshakeComplete,
        /// <summary>A handshake went unanswered for 90 s and was given up (whitepaper 6.4).</summary>
        HandshakeGaveUp,
        /// <summary>The peer's endpoint moved; a = <see cref="EventLog.EndpointRoamed"/>, FamilyDown or Raced.</summary>
        EndpointChanged,
        /// <summary>An endpoint race finished; the endpoint is the winner, a = paths raced.</summary>
        PathRace,
        /// <summary>A fatal send error made the router reconnect the same path; a = the error's code.</summary>
        Reconnect,
        /// <summary>A new DHCP binding (ip, mac).</summary>
        LeaseGranted,
        /// <summary>A client released its lease (ip, mac).</summary>
        LeaseReleased,
        /// <summary>A client declined an address (ip, mac).</summary>
        LeaseDeclined,
        /// <summary>A RELEASE or DECLINE whose frame came from a MAC that does not hold the lease (ip, mac = the frame's source).</summary>
        LeaseForgeryRefused,
        /// <summary>An ARP probe of an address about to be offered was answered (ip, mac = the host using it).</summary>
        LeaseAddressInUse,
        /// <summary>The lease record was damaged: a = leases kept, b = records lost.</summary>
        LeaseStoreDamaged,
        /// <summary>The lease record could not be written.</summary>
        LeaseStoreSaveFailed,
        /// <summary>The TAI64N ceiling could not be written.</summary>
        TimestampStoreFailed,
        /// <summary>The NAT table was full; a = the NAT's drop reason.</summary>
        NatTableFull,
        /// <summary>A LAN host reached its share of the NAT (ip).</summary>
        NatHostQuota,
        /// <summary>A configuration warning; a = its line (0: the file as a whole).</summary>
        ConfigWarning,
    }

    /// <summary>Told of every event as it is recorded (the Linux host writes a line to stderr). Coalesced repeats are not told again.</summary>
    public interface IEventSink
    {
        void OnEvent(EventLog log, int index);
    }

    /// <summary>
    /// A bounded ring of what happened (handshakes, endpoint changes, leases, table-full and
    /// store errors, configuration warnings), for the <c>log</c> console command on the device and
    /// a line per event on a Linux host's stderr. Fixed preallocated slots; recording allocates
    /// nothing, so it may be called on the packet path. Entries hold numbers, an address with a
    /// port and a MAC, never a key or a packet's contents.
    /// <code>
    ///  entry: | at, ms (8) | sequence (4) | kind (1) | a (4) | b (4) | repeats (4) |
    ///         | address (16) | port (2) | family (1) | MAC (6) |                      50 bytes
    /// </code>
    /// An event equal to the newest one (kind, a, b, address, MAC) within <see cref="CoalesceMs"/>
    /// only counts a repeat, so a flood (a full table, a storm of forged RELEASEs) takes one slot.
    /// When the ring is full the oldest entry goes.
    /// </summary>
    public sealed class EventLog
    {
        public const int BytesPerEntry = 50;
        /// <summary>Repeats of the newest event within this time are counted on it, not recorded again.</summary>
        public const long CoalesceMs = 10000;
        public const int EndpointRoamed = 0;
        public const int EndpointFamilyDown = 1;
        public const int EndpointRaced = 2;

        static readonly string[] kindNames =
        {
            "none", "tunnel_state", "handshake_complete", "handshake_gave_up", "endpoint_changed", "path_race", "reconnect",
            "lease_granted", "lease_released", "lease_declined", "lease_forgery_refused", "lease_address_in_use",
            "lease_store_damaged", "lease_store_save_failed", "timestamp_store_failed", "nat_table_full", "nat_host_quota",
            "config_warning",
        };

        readonly int capacity;
        readonly long[] at;
        readonly int[] sequence;
        readonly byte[] kinds;
        readonly int[] a;
        readonly int[] b;
        readonly int[] repeats;
        readonly byte[] addresses;
        readonly ushort[] ports;
        readonly byte[] families;
        readonly byte[] macs;
        int head;     // next slot to write
        int count;
        int total;

        public EventLog(int capacity)
        {
            if (capacity < 1 || capacity > 4096)
                throw new System.ArgumentOutOfRangeException("capacity");
            this.capacity = capacity;
            at = new long[capacity];
            sequence = new int[capacity];
            kinds = new byte[capacity];
            a = new int[capacity];
            b = new int[capacity];
            repeats = new int[capacity];
            addresses = new byte[capacity * 16];
            ports = new ushort[capacity];
            families = new byte[capacity];
            macs = new byte[capacity * 6];
        }

        /// <summary>Told of each new entry; null for none.</summary>
        public IEventSink Sink;

        /// <summary>
        /// Sets <see cref="Sink"/> and tells it of every entry already held, oldest first: what was
        /// recorded before a host could attach its sink (the lease-store damage found while the router
        /// was built, a configuration warning) reaches it too.
        /// </summary>
        public void Attach(IEventSink sink)
        {
            Sink = sink;
            if (sink == null)
                return;
            for (int i = 0; i < count; i++)
                sink.OnEvent(this, i);
        }

        public int Capacity { get { return capacity; } }
        /// <summary>Entries held (at most <see cref="Capacity"/>).</summary>
        public int Count { get { return count; } }
        /// <summary>Entries ever recorded (the sequence number of the next one); coalesced repeats not included.</summary>
        public int Total { get { return total; } }
        /// <summary>Bytes of the ring: <see cref="BytesPerEntry"/> per entry.</summary>
        public int MemoryBytes { get { return capacity * BytesPerEntry; } }

        /// <summary>The snake_case name of a kind ("handshake_complete").</summary>
        public static string KindName(EventKind kind)
        {
            int k = (int)kind;
            return k >= 0 && k < kindNames.Length ? kindNames[k] : "unknown";
        }

        /// <summary>Records an event with two numbers.</summary>
        public void Add(EventKind kind, long now, int valueA, int valueB)
        {
            Record(kind, now, valueA, valueB, null, 0, 0, 0, null, 0);
        }

        /// <summary>Records an event about an endpoint (copied).</summary>
        public void Add(EventKind kind, long now, Endpoint endpoint, int valueA)
        {
            if (endpoint == null || !endpoint.IsSet)
                Record(kind, now, valueA, 0, null, 0, 0, 0, null, 0);
            else
                Record(kind, now, valueA, 0, endpoint.Address, 0, endpoint.Family, endpoint.Port, null, 0);
        }

        /// <summary>Records an event about an IPv4 address and a MAC (a lease); <paramref name="mac"/> may be null.</summary>
        public void AddIpv4(EventKind kind, long now, uint ip, byte[] mac, int macOffset, int valueA)
        {
            Record(kind, now, valueA, 0, null, 0, Endpoint.FamilyIpv4, 0, mac, macOffset, ip);
        }

        void Record(EventKind kind, long now, int valueA, int valueB, byte[] address, int addressOffset, int family, int port,
            byte[] mac, int macOffset)
        {
            Record(kind, now, valueA, valueB, address, addressOffset, family, port, mac, macOffset, 0);
        }

        void Record(EventKind kind, long now, int valueA, int valueB, byte[] address, int addressOffset, int family, int port,
            byte[] mac, int macOffset, uint ipv4)
        {
            if (count > 0)
            {
                int last = (head + capacity - 1) % capacity;
                if (kinds[last] == (byte)kind && a[last] == valueA && b[last] == valueB && families[last] == family
                    && ports[last] == port && now - at[last] < CoalesceMs && now >= at[last]
                    && SameAddress(last, address, addressOffset, family, ipv4) && SameMac(last, mac, macOffset))
                {
                    repeats[last]++;
                    return;
                }
            }
            int s = head;
            at[s] = now;
            sequence[s] = total;
            kinds[s] = (byte)kind;
            a[s] = valueA;
            b[s] = valueB;
            repeats[s] = 0;
            families[s] = (byte)family;
            ports[s] = (ushort)port;
            System.Array.Clear(addresses, s * 16, 16);
            if (address != null)
                System.Array.Copy(address, addressOffset, addresses, s * 16, family == Endpoint.FamilyIpv6 ? 16 : 4);
            else if (family == Endpoint.FamilyIpv4)
                Net.Endian.Write32(addresses, s * 16, ipv4);
            if (mac != null)
                System.Array.Copy(mac, macOffset, macs, s * 6, 6);
            else
                System.Array.Clear(macs, s * 6, 6);
            head = (head + 1) % capacity;
            if (count < capacity)
                count++;
            total++;
            if (Sink != null)
                Sink.OnEvent(this, count - 1);
        }

        bool SameAddress(int slot, byte[] address, int offset, int family, uint ipv4)
        {
            if (family == Endpoint.FamilyNone)
                return true;
            if (address == null)
                return Net.Endian.Read32(addresses, slot * 16) == ipv4;
            int n = family == Endpoint.FamilyIpv6 ? 16 : 4;
            for (int i = 0; i < n; i++)
                if (addresses[slot * 16 + i] != address[offset + i])
                    return false;
            return true;
        }

        bool SameMac(int slot, byte[] mac, int offset)
        {
            for (int i = 0; i < 6; i++)
                if (macs[slot * 6 + i] != (mac == null ? 0 : mac[offset + i]))
                    return false;
            return true;
        }

        /// <summary>The ring slot of the index-th entry held, oldest first (0 ≤ index &lt; Count).</summary>
        int Slot(int index) { return (head - count + index + 2 * capacity) % capacity; }

        public long AtMs(int index) { return at[Slot(index)]; }
        public int SequenceAt(int index) { return sequence[Slot(index)]; }
        public EventKind KindAt(int index) { return (EventKind)kinds[Slot(index)]; }
        public int ValueAAt(int index) { return a[Slot(index)]; }
        public int ValueBAt(int index) { return b[Slot(index)]; }
        /// <summary>Repeats coalesced into the entry (0: it happened once).</summary>
        public int RepeatsAt(int index) { return repeats[Slot(index)]; }
        /// <summary>0 (none), 4 or 6: the family of the entry's address.</summary>
        public int FamilyAt(int index) { return families[Slot(index)]; }
        public int PortAt(int index) { return ports[Slot(index)]; }
        public void CopyAddressAt(int index, byte[] output, int offset) { System.Array.Copy(addresses, Slot(index) * 16, output, offset, 16); }
        public void CopyMacAt(int index, byte[] output, int offset) { System.Array.Copy(macs, Slot(index) * 6, output, offset, 6); }
        public bool HasMacAt(int index)
        {
            int s = Slot(index) * 6;
            return (macs[s] | macs[s + 1] | macs[s + 2] | macs[s + 3] | macs[s + 4] | macs[s + 5]) != 0;
        }
    }
}

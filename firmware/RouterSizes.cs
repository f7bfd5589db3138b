namespace Warp.Firmware
{
    /// <summary>
    /// Every preallocated table and buffer of the router, in one object: a board profile's
    /// numbers. The <see cref="Router"/> takes its sizes from here and nowhere else; the user's
    /// configuration may ask for smaller tables (NatEntries, a smaller DHCP pool, a lower MTU) but
    /// never larger ones: <see cref="RouterConfig.Load"/> clamps and warns with the line.
    /// <para>Memory for given sizes is <see cref="Router.MemoryBytes"/>; a test holds it against the
    /// allocation measured on .NET.</para>
    /// </summary>
    public sealed class RouterSizes
    {
        /// <summary>DHCP lease slots (27 B each, plus 15 B of decline bookkeeping per slot).</summary>
        public int DhcpLeases = 64;
        /// <summary>ARP cache slots (19 B each).</summary>
        public int Ipv4Neighbors = 64;
        /// <summary>IPv6 neighbour cache slots (31 B each); hosts have several addresses each.</summary>
        public int Ipv6Neighbors = 128;
        /// <summary>Largest NAT table the board holds (26 B per session); the config's NatEntries may be smaller.</summary>
        public int NatEntries = 4096;
        /// <summary>Most LAN hosts (addresses) the NAT tracks, 1..255 (25 B each, plus 7 B of router MAC memory).</summary>
        public int NatHosts = 200;
        /// <summary>Replay window in 64-bit words per receiving keypair (a power of two): 128 gives 8,128 packets, 32 gives 1,984.</summary>
        public int ReplayWindowWords = 128;
        /// <summary>Packets held while a handshake is under way (kill switch: never sent in clear).</summary>
        public int StagedPackets = 4;
        /// <summary>Bytes of each packet buffer: the largest frame plus the WireGuard header room in front.</summary>
        public int PacketBuffer = 2048;
        /// <summary>LAN replies held until the records they depend on are written (a DHCP ACK waits for its lease).</summary>
        public int HeldReplies = 4;
        /// <summary>Longest console command line, in bytes (serial console and control socket).</summary>
        public int ConsoleLine = 256;
        /// <summary>Peer endpoints the path selector holds (config literals plus resolved names).</summary>
        public int Paths = 8;
        /// <summary>LAN devices (MACs) tracked for source validation and NAT fairness, 1..255 (15 B each).</summary>
        public int Devices = 72;
        /// <summary>IPv6 source bindings (RFC 6620) of all devices together: a phone uses 2 to 4 addresses (26 B each).</summary>
        public int Ipv6Bindings = 256;
        /// <summary>The most NAT sessions kept free for each present device below it (the reserve is lowered to fit the table).</summary>
        public int NatReservePerDevice = 16;
        /// <summary>Fragmented datagrams the NAT tracks at once (NatFragments, 123 B each); 0 drops fragments.</summary>
        public int FragmentDatagrams = 64;
        /// <summary>Fragments held until their first fragment comes (out of order), each up to 1,500 B.</summary>
        public int FragmentHoldSlots = 16;
        /// <summary>Keep IPv6 sessions' remote addresses so the console can show them (16 B per NAT entry); the device shows fingerprints.</summary>
        public bool NatRemoteV6Addresses = true;
        /// <summary>Entries of the event log ring (<c>log</c>), 50 B each.</summary>
        public int EventLog = 256;
        /// <summary>
        /// NAT sessions when the configuration does not say (NatEntries absent): 0 keeps the
        /// configuration's own default (256). The ESP32 board profiles (boards/*.json) set their
        /// whole table here: the profile decides what fits, the config may only ask for less.
        /// </summary>
        public int DefaultNatEntries;
        /// <summary>
        /// Packets a poll takes from a side in one call when the port takes batches (ILanBatch,
        /// IUplinkBatch), 1..64; each slot beyond the first costs two packet buffers. 1: one at a time.
        /// </summary>
        public int Batch = 1;

        /// <summary>
        /// Flows the native fast path carries at once (0: none offloaded). Each costs 26 B of managed
        /// bookkeeping here and, in native RAM outside the managed heap, a 120-byte entry and its index share
        /// in the C table, allocated once at start (<see cref="FastPathMemory"/>; at most 256).
        /// </summary>
        public int FastPathFlows = 64;

        /// <summary>Connections of the setup page's TCP server (0: no page). Each holds a receive and a send buffer.</summary>
        public int WebConnections = 8;
        /// <summary>Bytes of each web connection's receive buffer: the whole request (headers up to 3/4 of it, and the body).</summary>
        public int WebReceiveBuffer = 4096;
        /// <summary>Bytes of each web connection's send buffer: the whole response (the status page with its device list).</summary>
        public int WebSendBuffer = 16384;
        /// <summary>PBKDF2-HMAC-BLAKE2s iterations for the admin password (a login costs this many HMACs on the device).</summary>
        public int WebKdfIterations = 100000;

        /// <summary>The largest tunnel MTU the packet buffers carry: a data message holds the padded packet
        /// behind its 16-byte header and before its 16-byte tag.</summary>
        public int MaxMtu { get { return (PacketBuffer - 32) / 16 * 16; } }

        /// <summary>A Linux host (the desktop harness, a software router): the tables the lab needs and room to spare.</summary>
        public static RouterSizes LinuxHost()
        {
            var s = new RouterSizes();
            s.Batch = 32; // recvmmsg/sendmmsg's 32 a call, as WARP's fix
            return s;
        }

        /// <summary>
        /// An ESP32 without PSRAM: about 80 KB of managed heap in all, so about 40 KB for the router's
        /// tables (the rest is the interpreter's, the sockets' and the console's).
        /// </summary>
        public static RouterSizes Esp32NoPsram()
        {
            RouterSizes s = Make(16, 16, 32, 512, 48, 32, 2, 1600, 2, 128, 4, 32);
            s.Devices = 20;
            s.Ipv6Bindings = 48;
            s.FragmentDatagrams = 4;
            s.FragmentHoldSlots = 1;
            s.FastPathFlows = 16;
            s.WebConnections = 1; // one connection, a page larger than the send buffer streams (3,910 B with its buffers, WebAdmin.MemoryBytes)
            s.WebReceiveBuffer = 1536; // a phone browser's request with its cookies (headers up to 1,152 B)
            s.WebSendBuffer = 1024;
            s.WebKdfIterations = 200;
            return s;
        }

        /// <summary>An ESP32 with PSRAM (megabytes of slower heap): close to the Linux tables.</summary>
        public static RouterSizes Esp32Psram()
        {
            RouterSizes s = Make(32, 32, 64, 2048, 128, 128, 4, 1600, 4, 256, 8, 128);
            s.Devices = 40;
            s.Ipv6Bindings = 128;
            s.FragmentDatagrams = 16;
            s.FragmentHoldSlots = 4;
            s.FastPathFlows = 128;
            s.WebConnections = 4;
            s.WebReceiveBuffer = 4096;
            s.WebSendBuffer = 8192;
            s.WebKdfIterations = 200;
            return s;
        }

        static RouterSizes Make(int dhcpLeases, int ipv4Neighbors, int ipv6Neighbors, int natEntries, int natHosts,
            int replayWindowWords, int stagedPackets, int packetBuffer, int heldReplies, int consoleLine, int paths, int eventLog)
        {
            var s = new RouterSizes();
            s.DhcpLeases = dhcpLeases;
            s.Ipv4Neighbors = ipv4Neighbors;
            s.Ipv6Neighbors = ipv6Neighbors;
            s.NatEntries = natEntries;
            s.NatHosts = natHosts;
            s.ReplayWindowWords = replayWindowWords;
            s.StagedPackets = stagedPackets;
            s.PacketBuffer = packetBuffer;
            s.HeldReplies = heldReplies;
            s.ConsoleLine = consoleLine;
            s.Paths = paths;
            s.NatRemoteV6Addresses = false;
            s.EventLog = eventLog;
            return s;
        }

        /// <summary>Null when every size is in range, else what is wrong (a programming error in a board profile).</summary>
        public string Check()
        {
            if (DhcpLeases < 1 || DhcpLeases > 1024) return "DhcpLeases must be 1..1024";
            if (Ipv4Neighbors < 1 || Ipv6Neighbors < 1) return "neighbour tables need at least one slot";
            if (NatEntries < 16 || NatEntries > 65534) return "NatEntries must be 16..65534";
            if (NatHosts < 1 || NatHosts > 255) return "NatHosts must be 1..255";
            if (ReplayWindowWords < 2 || (ReplayWindowWords & (ReplayWindowWords - 1)) != 0) return "ReplayWindowWords must be a power of two, at least 2";
            if (StagedPackets < 0) return "StagedPackets must not be negative";
            if (PacketBuffer < 1340) return "PacketBuffer must hold a 1,280-byte packet with its headers (1,340 bytes)";
            if (HeldReplies < 1) return "HeldReplies must be at least 1";
            if (ConsoleLine < 16) return "ConsoleLine must be at least 16";
            if (Paths < 1) return "Paths must be at least 1";
            if (Devices < 1 || Devices > 255) return "Devices must be 1..255";
            if (Ipv6Bindings < 1 || Ipv6Bindings > 4096) return "Ipv6Bindings must be 1..4096";
            if (NatReservePerDevice < 0) return "NatReservePerDevice must not be negative";
            if (FragmentDatagrams < 0 || FragmentDatagrams > 4096 || FragmentHoldSlots < 0 || FragmentHoldSlots > 4096) return "fragment tables must be 0..4096";
            if (EventLog < 1 || EventLog > 4096) return "EventLog must be 1..4096";
            if (Batch < 1 || Batch > 64) return "Batch must be 1..64";
            if (DefaultNatEntries < 0 || DefaultNatEntries > NatEntries) return "DefaultNatEntries must be 0..NatEntries";
            if (FastPathFlows < 0 || FastPathFlows > 256) return "FastPathFlows must be 0..256";
            if (WebConnections < 0 || WebConnections > 64) return "WebConnections must be 0..64";
            if (WebConnections > 0 && (WebReceiveBuffer < 1024 || WebSendBuffer < 1024)) return "web buffers must be at least 1,024 bytes (a page larger than the send buffer streams; its head needs 640)";
            if (WebKdfIterations < 1) return "WebKdfIterations must be at least 1";
            return null;
        }
    }
}

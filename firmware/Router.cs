using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.Uplink;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The router: LAN port, LAN services, NAT, tunnel and uplink wired along DESIGN.md's flow.
    /// <code>
    /// LAN frame -> LanServices (ARP, DHCP, ND/RA, echo to the router) -> NAT outbound
    ///           -> Tunnel.Encapsulate -> uplink datagram to the peer
    /// uplink datagram -> Tunnel.Decapsulate -> (handshake reply | IP packet -> NAT inbound
    ///           -> Ethernet frame to the LAN host)
    /// </code>
    /// One <see cref="Poll"/> drains both ports and runs every timer; <see cref="NextDeadline"/>
    /// says when it must run again if no I/O arrives. Kill switch: a LAN packet can reach the
    /// uplink only as the payload of a tunnel data message; without a session it is staged
    /// (bounded) or dropped and counted, never sent in clear.
    /// Buffers are allocated once here; the packet path allocates nothing.
    /// </summary>
    public sealed class Router
    {
        /// <summary>LAN frames are read at this offset so an untagged frame's IP packet lands at 16, where
        /// a WireGuard data message carries its payload: encapsulation then needs no copy.</summary>
        const int LanReadOffset = Message.DataPayload - EthernetFrame.HeaderLength;
        const int PollBudget = 64;
        /// <summary>How long the button must be held for a factory reset (released after this).</summary>
        public const long ResetHoldMs = 10000;

        readonly RouterSettings settings;
        readonly RouterSizes sizes;
        readonly ILanPort lanPort;
        readonly IUplink uplink;
        readonly IUplinkMonitor monitor;
        readonly IIndicator indicator;
        readonly IButton button;
        readonly IHostResolver resolver;
        readonly ISettingsStore store;
        readonly Tunnel tunnel;
        readonly NatTranslator nat;
        readonly LanServices lan;
        readonly PathSelector paths;
        readonly RouterCounters counters = new RouterCounters();
        readonly CounterSet[] counterSets;
        readonly byte[] routerMac = new byte[6];
        readonly byte[] hostMac;
        readonly bool[] hostMacKnown;
        readonly Endpoint source = new Endpoint();
        readonly byte[] lanBuffer;
        readonly byte[] uplinkBuffer;
        readonly byte[] inBuffer;
        readonly byte[] outBuffer;
        readonly byte[][] held;
        readonly int[] heldLength;
        int heldCount;
        readonly EventLog events;
        readonly byte[] heldInitiation = new byte[Message.InitiationSize];
        readonly Endpoint heldInitiationTo = new Endpoint();
        int heldInitiationLength;
        int tunnelState = -1;
        long gaveUpSeen = -1;
        readonly long startedAt;
        IndicatorState shown = IndicatorState.Starting;
        bool familyUp4 = true, familyUp6 = true;
        long buttonDownAt = -1;
        bool factoryResetRequested;

        /// <summary>
        /// Builds the router from validated settings (<see cref="RouterConfig.Load"/>), a board's
        /// sizes and the host's platform. The settings' secrets are copied into the tunnel and then
        /// cleared from <paramref name="settings"/>. Every table and buffer is allocated here,
        /// <see cref="MemoryBytes"/> in all; the packet path allocates nothing.
        /// </summary>
        public Router(RouterSettings settings, RouterSizes sizes, RouterPlatform platform, long now)
        {
            if (settings == null || settings.Peer == null)
                throw new System.ArgumentException("settings with a [Peer] are required");
            if (sizes == null)
                throw new System.ArgumentException("board sizes are required");
            string bad = sizes.Check();
            if (bad == null && platform == null)
                bad = "a platform is required";
            if (bad == null)
                bad = platform.Check();
            if (bad != null)
                throw new System.ArgumentException(bad);
            this.settings = settings;
            this.sizes = sizes;
            lanPort = platform.Lan;
            uplink = platform.Uplink;
            monitor = platform.Monitor;
            indicator = platform.Indicator;
            button = platform.Button;
            resolver = platform.Resolver;
            store = platform.Store;
            startedAt = now;
            lanPort.GetMacAddress(routerMac, 0);
            ConfigDiagnostics fit = settings.Diagnostics ?? new ConfigDiagnostics();
            RouterConfig.FitToBoard(settings, sizes, fit); // settings built in code get the same limits
            ConfigWarnings = fit;

            events = new EventLog(sizes.EventLog);
            tunnel = new Tunnel(RouterSetup.TunnelConfigFrom(settings, sizes), platform.Crypto, platform.Random, new StoredTimestampCeiling(store));
            tunnel.Timestamps.DeferWrites = true; // written in SaveRecords; the initiation waits for it
            if (tunnel.AddPeer(settings.ToPeerConfig(0)) != 0)
                throw new System.ArgumentException("the peer's public key is not usable");
            MaskedConfig = WgQuickWriter.RenderMasked(settings); // for the console, before the keys go
            settings.ClearSecrets();

            paths = new PathSelector(sizes.Paths);
            RouterConfig.GatherPaths(settings.Peer, paths, null, null);
            SetPeerEndpoint(paths.Current);

            LanConfig lanConfig = RouterSetup.LanConfigFrom(settings, routerMac, platform.Random, store);
            lan = new LanServices(lanConfig, RouterSetup.LeaseCapacity(lanConfig, sizes), sizes.Ipv4Neighbors, sizes.Ipv6Neighbors,
                new StoredLeases(store), platform.Random, now);
            lan.Events = events;
            for (int i = 0; i < fit.StoredWarningCount; i++)
                events.Add(EventKind.ConfigWarning, now, fit.Warning(i).Line, i);

            NatConfig natConfig = RouterSetup.NatConfigFrom(settings, lanConfig, sizes);
            nat = new NatTranslator(new NatTable(natConfig, platform.Random, new NatCounters()));
            hostMac = new byte[natConfig.HostCapacity * 6];
            hostMacKnown = new bool[natConfig.HostCapacity];
            counterSets = new CounterSet[] { counters, tunnel.Counters, nat.Counters, lan.Counters };

            lanBuffer = new byte[sizes.PacketBuffer];
            uplinkBuffer = new byte[sizes.PacketBuffer];
            inBuffer = new byte[sizes.PacketBuffer];
            outBuffer = new byte[sizes.PacketBuffer];
            held = new byte[sizes.HeldReplies][];
            heldLength = new int[sizes.HeldReplies];
            for (int i = 0; i < held.Length; i++)
                held[i] = new byte[sizes.PacketBuffer];
        }

        public Tunnel Tunnel { get { return tunnel; } }
        public NatTranslator Nat { get { return nat; } }
        public LanServices Lan { get { return lan; } }
        public PathSelector Paths { get { return paths; } }
        public RouterSizes Sizes { get { return sizes; } }
        public RouterCounters Counters { get { return counters; } }
        /// <summary>The configuration's warnings (a <see cref="EventKind.ConfigWarning"/> entry's b indexes them).</summary>
        public ConfigDiagnostics ConfigWarnings { get; private set; }
        /// <summary>The event log (<c>log</c> on the console; a Linux host sets its Sink to write each to stderr).</summary>
        public EventLog Events { get { return events; } }
        /// <summary>Every counter set, in the order the console lists them: router, tunnel, NAT, LAN.</summary>
        public CounterSet[] CounterSets { get { return counterSets; } }
        public RouterSettings Settings { get { return settings; } }
        public long StartedAt { get { return startedAt; } }
        /// <summary>The configuration as the console shows it: keys "(hidden)".</summary>
        public string MaskedConfig { get; private set; }
        /// <summary>The router's MAC on the LAN.</summary>
        public byte[] RouterMac { get { return routerMac; } }
        /// <summary>What the status light shows now.</summary>
        public IndicatorState Indicator { get { return shown; } }
        /// <summary>True once the button was held for <see cref="ResetHoldMs"/> and released: the host calls <see cref="FactoryReset"/> and restarts.</summary>
        public bool FactoryResetRequested { get { return factoryResetRequested; } }

        /// <summary>
        /// Bytes of every table and buffer the router preallocated: packet buffers, held replies,
        /// the per-host MAC memory, the NAT, the LAN services, the tunnel, the paths, the counters and
        /// the masked configuration text the console shows. Payloads only: object headers and the
        /// shared static tables (counter names) are the runtime's. MemoryTests holds it within 5% of
        /// the arrays a constructed router really holds, and bounds what .NET retains.
        /// </summary>
        public int MemoryBytes
        {
            get
            {
                int n = 4 * sizes.PacketBuffer + held.Length * (sizes.PacketBuffer + 4) + hostMac.Length + hostMacKnown.Length;
                n += nat.Table.MemoryBytes + nat.Counters.MemoryBytes + lan.SizeInBytes + tunnel.MemoryBytes + paths.MemoryBytes + counters.MemoryBytes;
                n += MaskedConfig.Length * 2;
                n += events.MemoryBytes + heldInitiation.Length + 4;
                return n;
            }
        }

        /// <summary>
        /// Resolves the peer's host names (the platform's resolver) and adds their addresses to
        /// the paths after the literal ones. Start-up only: it may block on DNS.
        /// </summary>
        public int ResolvePaths(IConsoleOutput log)
        {
            int n = RouterConfig.GatherPaths(settings.Peer, paths, resolver, log);
            SetPeerEndpoint(paths.Current);
            return n;
        }

        /// <summary>Starts the tunnel: a handshake, whose initiation leaves once its TAI64N ceiling is written.</summary>
        public void Start(long now)
        {
            tunnel.Connect(0, now);
            ShowState(now);
            Tick(now);
            SaveRecords(now);
        }

        /// <summary>
        /// The wall clock (unix ms at monotonic <paramref name="now"/>), when the host knows it (Linux
        /// at start; an ESP32 once SNTP answers): TAI64N timestamps follow it, and leases are stored
        /// against it (loaded ones re-timed to their real end).
        /// </summary>
        public void SetWallClock(long unixMilliseconds, long now)
        {
            tunnel.SetWallClock(unixMilliseconds, now);
            lan.SetWallClock(unixMilliseconds, now);
        }

        /// <summary>Where the tunnel's datagrams go now; the host sets it after resolving or racing endpoints.</summary>
        public void SetPeerEndpoint(Endpoint endpoint)
        {
            if (endpoint == null || !endpoint.IsSet)
                return;
            paths.OnAuthenticated(endpoint);
            tunnel.GetPeer(0).Endpoint.CopyFrom(endpoint);
        }

        /// <summary>Erases the stored state (<see cref="StoredRecords.FactoryReset"/>); the host restarts afterwards.</summary>
        public bool FactoryReset()
        {
            factoryResetRequested = false;
            return StoredRecords.FactoryReset(store);
        }

        /// <summary>
        /// Reads and handles what both ports have waiting (bounded), writes the records that fell
        /// behind and releases the replies that waited for them (the ports are drained: the idle
        /// moment), follows the uplink's state, then runs the timers.
        /// </summary>
        public void Poll(long now)
        {
            for (int i = 0; i < PollBudget; i++)
            {
                int n = lanPort.Receive(lanBuffer, LanReadOffset, lanBuffer.Length - LanReadOffset);
                if (n <= 0)
                    break;
                counters.Increment(RouterCounter.LanFramesReceived);
                HandleLanFrame(LanReadOffset, n, now);
            }
            for (int i = 0; i < PollBudget; i++)
            {
                int n = uplink.Receive(uplinkBuffer, 0, uplinkBuffer.Length, source);
                if (n <= 0)
                    break;
                counters.Increment(RouterCounter.DatagramsReceived);
                HandleDatagram(n, now);
            }
            SaveRecords(now);
            FollowUplink(now);
            WatchButton(now);
            Tick(now);
            if (heldInitiationLength > 0)
                SaveRecords(now); // an initiation the timers made waits for its ceiling: write it now, idle
            ShowState(now);
            FollowTunnelState(now);
        }

        /// <summary>
        /// Writes every stored record that is behind (the leases, the TAI64N ceiling), then sends
        /// the LAN replies held for them. Nothing is lost across a crash: a DHCP ACK leaves only
        /// after its lease is written. Called by <see cref="Poll"/> when the ports are drained,
        /// and by a host before a clean stop.
        /// </summary>
        public void SaveRecords(long now)
        {
            if (lan.RecordsDirty)
                lan.SaveRecords(now);
            FlushCeiling(now);
            for (int i = 0; i < heldCount; i++)
                SendLan(held[i], 0, heldLength[i]);
            heldCount = 0;
        }

        /// <summary>Writes the TAI64N ceiling when a timestamp needs it, then sends the initiation that waited for it.</summary>
        void FlushCeiling(long now)
        {
            if (tunnel.Timestamps.CeilingDirty && !tunnel.Timestamps.FlushCeiling())
                events.Add(EventKind.TimestampStoreFailed, now, 0, 0); // counted by the generator; the initiation still goes
            if (heldInitiationLength == 0)
                return;
            int n = heldInitiationLength;
            heldInitiationLength = 0;
            SendUplink(heldInitiation, 0, n, heldInitiationTo, now);
        }

        /// <summary>
        /// Follows the tunnel's state (up, handshaking, down): an event on each change, and the
        /// RAs' default-router lifetime (IPv6 hosts get a default route only while the tunnel is up).
        /// </summary>
        void FollowTunnelState(long now)
        {
            Peer p = tunnel.GetPeer(0);
            if (p.LastGaveUp != gaveUpSeen)
            {
                gaveUpSeen = p.LastGaveUp;
                events.Add(EventKind.HandshakeGaveUp, now, Destination(), 0);
            }
            int state = p.State(now);
            if (state == tunnelState)
                return;
            tunnelState = state;
            events.Add(EventKind.TunnelState, now, state, 0);
            lan.SetTunnelUp(state == Peer.StateUp, now);
        }

        /// <summary>A LAN reply that depends on a record not yet written waits for <see cref="SaveRecords"/>.</summary>
        void HoldOrSendLan(byte[] b, int offset, int length, long now)
        {
            if (!lan.RecordsDirty)
            {
                SendLan(b, offset, length);
                return;
            }
            if (heldCount == held.Length)
                SaveRecords(now); // full: write now rather than lose or reorder a reply
            if (!lan.RecordsDirty)
            {
                SendLan(b, offset, length);
                return;
            }
            System.Array.Copy(b, offset, held[heldCount], 0, length);
            heldLength[heldCount++] = length;
            counters.Increment(RouterCounter.RepliesHeldForStore);
        }

        /// <summary>
        /// Link and address changes (bounded per poll): a family that goes down moves the path to
        /// another family; a new or changed address sends a keepalive at once, so the peer roams to
        /// us (or asks for a handshake when there is no session).
        /// </summary>
        void FollowUplink(long now)
        {
            if (monitor == null)
                return;
            for (int i = 0; i < 8; i++)
            {
                int family;
                UplinkChange c = monitor.Poll(now, out family);
                if (c == UplinkChange.None)
                    return;
                counters.Increment(RouterCounter.UplinkChanges);
                if (family == Endpoint.FamilyIpv4)
                    familyUp4 = c != UplinkChange.Down;
                else if (family == Endpoint.FamilyIpv6)
                    familyUp6 = c != UplinkChange.Down;
                if (c == UplinkChange.Down)
                {
                    if (paths.OnFamilyDown(family))
                    {
                        SetPeerEndpoint(paths.Current);
                        events.Add(EventKind.EndpointChanged, now, paths.Current, EventLog.EndpointFamilyDown);
                    }
                }
                else
                {
                    tunnel.RequestKeepalive(0);
                }
            }
        }

        void WatchButton(long now)
        {
            if (button == null)
                return;
            if (button.IsPressed)
            {
                if (buttonDownAt < 0)
                    buttonDownAt = now;
            }
            else if (buttonDownAt >= 0)
            {
                if (now - buttonDownAt >= ResetHoldMs)
                    factoryResetRequested = true;
                buttonDownAt = -1;
            }
        }

        /// <summary>The state for the status light, shown only when it changes.</summary>
        void ShowState(long now)
        {
            IndicatorState state;
            if (buttonDownAt >= 0 && now - buttonDownAt >= ResetHoldMs)
                state = IndicatorState.ResetArmed;
            else if (!familyUp4 && !familyUp6)
                state = IndicatorState.NoUplink;
            else if (tunnel.GetPeer(0).HasSession(now))
                state = IndicatorState.Connected;
            else
                state = IndicatorState.Connecting;
            if (state == shown)
                return;
            shown = state;
            if (indicator != null)
                indicator.Show(state);
        }

        /// <summary>The earliest time <see cref="Poll"/> has timer work, if no I/O comes first.</summary>
        public long NextDeadline(long now)
        {
            if (heldInitiationLength > 0 || heldCount > 0)
                return now;
            long next = tunnel.NextDeadline(now);
            long n = nat.NextDeadline(now);
            if (n < next) next = n;
            n = lan.NextDeadline(now);
            if (n < next) next = n;
            return next;
        }

        /// <summary>Runs the tunnel's, the NAT's and the LAN services' timers.</summary>
        public void Tick(long now)
        {
            RunTunnelTimers(now);
            nat.Tick(now);
            for (int i = 0; i < PollBudget; i++)
            {
                LanResult r = lan.Tick(now, outBuffer, 0);
                if (r.Action != LanAction.Reply)
                    break;
                SendLan(outBuffer, 0, r.Length);
            }
        }

        // ------------------------------------------------------------------ LAN -> tunnel

        /// <summary>
        /// One LAN frame: its Ethernet and IP headers are parsed once here and in the LAN services,
        /// and the NAT translates the same IP view (the interpreter pays for every parse).
        /// </summary>
        internal void HandleLanFrame(int offset, int length, long now)
        {
            byte[] b = lanBuffer;
            EthernetFrame eth;
            if (!EthernetFrame.TryCreate(b, offset, length, out eth))
            {
                counters.Increment(RouterCounter.DropMalformedFrame);
                return;
            }
            Ipv4Packet p4;
            Ipv6Packet p6;
            int version;
            LanResult lr = lan.Handle(eth, outBuffer, 0, now, out p4, out p6, out version);
            if (lr.Action == LanAction.Reply)
            {
                HoldOrSendLan(outBuffer, 0, lr.Length, now);
                return;
            }
            if (lr.Action != LanAction.NotForUs)
                return; // consumed or dropped, and counted, by the LAN services
            if (!MacAddress.Equal(b, eth.DestinationOffsetInBuffer, routerMac, 0))
            {
                counters.Increment(RouterCounter.DropNotAddressedToRouter);
                return;
            }
            NatResult nr;
            int ip, ipLength;
            if (version == 4)
            {
                if (p4.Ttl <= 1)
                {
                    counters.Increment(RouterCounter.DropTtlExpired);
                    return;
                }
                p4.DecrementTtl();
                ip = p4.Offset;
                ipLength = p4.Length;
                nr = nat.TranslateOutbound(p4, now, outBuffer, EthernetFrame.HeaderLength);
            }
            else if (version == 6)
            {
                if (p6.HopLimit <= 1)
                {
                    counters.Increment(RouterCounter.DropTtlExpired);
                    return;
                }
                p6.HopLimit = (byte)(p6.HopLimit - 1);
                ip = p6.Offset;
                ipLength = p6.Length;
                nr = nat.TranslateOutbound(p6, now, outBuffer, EthernetFrame.HeaderLength);
            }
            else
            {
                counters.Increment(RouterCounter.DropUnsupportedEtherType);
                return;
            }

            switch (nr.Action)
            {
                case NatAction.WriteToTunnel:
                    RememberMac(nr.Host, b, eth.SourceOffsetInBuffer);
                    SendToTunnel(b, ip, ipLength, now);
                    break;
                case NatAction.WriteToLan:
                    RememberMac(nr.Host, b, eth.SourceOffsetInBuffer);
                    DeliverToLan(b, ip, ipLength, nr.Host);
                    break;
                case NatAction.Dropped:
                    NoteNatRefusal(nr.Reason, version, p4, b, eth.SourceOffsetInBuffer, now);
                    break;
                case NatAction.Reply:
                    NoteNatRefusal(nr.Reason, version, p4, b, eth.SourceOffsetInBuffer, now);
                    // An ICMP error for the sender (table full, too big): back to the frame's source.
                    EthernetFrame.WriteHeader(outBuffer, 0, b, eth.SourceOffsetInBuffer, routerMac, 0, eth.EtherType);
                    SendLan(outBuffer, 0, EthernetFrame.HeaderLength + nr.ReplyLength);
                    break;
            }
        }

        /// <summary>A table-full or quota refusal goes to the event log (coalesced there, so a flood takes one entry).</summary>
        void NoteNatRefusal(NatCounter reason, int version, Ipv4Packet p4, byte[] b, int macOffset, long now)
        {
            if (reason == NatCounter.DropTableFull || reason == NatCounter.DropHostTableFull || reason == NatCounter.DropPortsExhausted)
                events.Add(EventKind.NatTableFull, now, (int)reason, 0);
            else if (reason == NatCounter.DropHostQuotaExceeded)
                events.AddIpv4(EventKind.NatHostQuota, now, version == 4 ? p4.Source : 0, b, macOffset, version);
        }

        void SendToTunnel(byte[] b, int ip, int length, long now)
        {
            counters.Increment(RouterCounter.PacketsToTunnel);
            // The data message is written in place: its 16-byte header goes just before the packet.
            TunnelResult r = tunnel.Encapsulate(0, b, ip, length, b, ip - Message.DataPayload, now);
            if (r.Action == TunnelAction.WriteToNetwork)
                SendUplink(b, ip - Message.DataPayload, r.Length, Destination(), now);
            else if (r.Action == TunnelAction.Staged)
                RunTunnelTimers(now);
        }

        void RememberMac(int host, byte[] b, int macOffset)
        {
            if (host < 0 || host >= hostMacKnown.Length)
                return;
            System.Array.Copy(b, macOffset, hostMac, host * 6, 6);
            hostMacKnown[host] = true;
        }

        // ------------------------------------------------------------------ tunnel -> LAN

        internal void HandleDatagram(int length, long now)
        {
            const int ip = EthernetFrame.HeaderLength; // room for the Ethernet header in front
            TunnelResult r = tunnel.Decapsulate(source, uplinkBuffer, 0, length, inBuffer, ip, now);
            if (r.Action != TunnelAction.Dropped)
            {
                // Roaming (whitepaper 2.1): the tunnel moved the peer to the source of an authenticated packet.
                Endpoint seen = tunnel.GetPeer(0).Endpoint;
                if (seen.IsSet && !seen.SameAs(paths.Current))
                {
                    paths.OnAuthenticated(seen);
                    events.Add(EventKind.EndpointChanged, now, seen, EventLog.EndpointRoamed);
                }
                if (r.Action == TunnelAction.HandshakeComplete)
                    events.Add(EventKind.HandshakeComplete, now, seen, 0);
            }
            if (r.Action == TunnelAction.WriteToNetwork)
            {
                SendUplink(inBuffer, ip, r.Length, source, now);
            }
            else if (r.Action == TunnelAction.WriteToLan)
            {
                counters.Increment(RouterCounter.PacketsFromTunnel);
                NatResult nr = nat.TranslateInbound(inBuffer, ip, r.Length, now);
                if (nr.Action == NatAction.WriteToLan)
                    DeliverToLan(inBuffer, ip, r.Length, nr.Host);
            }
            RunTunnelTimers(now);
        }

        /// <summary>Frames an IP packet at (b, ip) for its LAN host: the MAC it last sent from, else the neighbour caches.</summary>
        void DeliverToLan(byte[] b, int ip, int length, int host)
        {
            int frame = ip - EthernetFrame.HeaderLength;
            bool v6 = (b[ip] >> 4) == 6;
            bool found;
            if (host >= 0 && host < hostMacKnown.Length && hostMacKnown[host])
            {
                System.Array.Copy(hostMac, host * 6, b, frame, 6);
                found = true;
            }
            else if (v6)
            {
                found = lan.TryGetMac(b, ip + 24, b, frame);
            }
            else
            {
                found = lan.TryGetMac(Endian.Read32(b, ip + 16), b, frame);
            }
            if (!found)
            {
                counters.Increment(RouterCounter.DropNoNeighbor);
                return;
            }
            System.Array.Copy(routerMac, 0, b, frame + 6, 6);
            Endian.Write16(b, frame + 12, v6 ? EthernetFrame.EtherTypeIpv6 : EthernetFrame.EtherTypeIpv4);
            SendLan(b, frame, EthernetFrame.HeaderLength + length);
        }

        // ------------------------------------------------------------------ I/O

        void RunTunnelTimers(long now)
        {
            for (int i = 0; i < PollBudget; i++)
            {
                TunnelResult r = tunnel.Tick(now, outBuffer, 0);
                if (r.Action == TunnelAction.Done || r.Action == TunnelAction.HandshakeComplete)
                    return;
                if (r.Action == TunnelAction.WriteToNetwork)
                    SendUplink(outBuffer, 0, r.Length, Destination(), now);
            }
        }

        /// <summary>Where the datagrams the router originates go: the path selector's choice, else where the peer was last seen.</summary>
        Endpoint Destination()
        {
            return paths.Current.IsSet ? paths.Current : tunnel.GetPeer(0).Endpoint;
        }

        void SendUplink(byte[] b, int offset, int length, Endpoint to, long now)
        {
            if (!to.IsSet)
            {
                counters.Increment(RouterCounter.DropNoPeerEndpoint);
                return;
            }
            if (tunnel.Timestamps.CeilingDirty && length == Message.InitiationSize && b[offset] == Message.TypeInitiation)
            {
                // Its timestamp is above the stored ceiling: it leaves after the write (SaveRecords,
                // at the idle point), so no crash can make a later initiation repeat it.
                if (heldInitiationLength > 0)
                    FlushCeiling(now); // a second one before the idle point: write now, in order
                if (tunnel.Timestamps.CeilingDirty)
                {
                    System.Array.Copy(b, offset, heldInitiation, 0, length);
                    heldInitiationTo.CopyFrom(to);
                    heldInitiationLength = length;
                    counters.Increment(RouterCounter.InitiationsHeldForStore);
                    return;
                }
            }
            switch (uplink.Send(b, offset, length, to))
            {
                case UplinkSendResult.Sent: counters.Increment(RouterCounter.DatagramsSent); break;
                case UplinkSendResult.WouldBlock: counters.Increment(RouterCounter.DropUplinkWouldBlock); break;
                case UplinkSendResult.NoBuffers: counters.Increment(RouterCounter.DropUplinkNoBuffers); break;
                case UplinkSendResult.NoRoute: counters.Increment(RouterCounter.DropUplinkNoRoute); break;
                case UplinkSendResult.FamilyDown: counters.Increment(RouterCounter.DropUplinkFamilyDown); break;
                default: counters.Increment(RouterCounter.DropUplinkSendFailed); break;
            }
        }

        void SendLan(byte[] b, int offset, int length)
        {
            if (lanPort.Send(b, offset, length))
                counters.Increment(RouterCounter.LanFramesSent);
            else
                counters.Increment(RouterCounter.DropLanSendFailed);
        }

        /// <summary>A clean stop: writes what is behind, then clears the secrets the router holds.</summary>
        public void Shutdown(long now)
        {
            SaveRecords(now);
            tunnel.ClearSecrets();
        }
    }
}

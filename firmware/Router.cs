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
    public sealed partial class Router
    {
        /// <summary>LAN frames are read at this offset so an untagged frame's IP packet lands at 16, where
        /// a WireGuard data message carries its payload: encapsulation then needs no copy.</summary>
        const int LanReadOffset = Message.DataPayload - EthernetFrame.HeaderLength;
        const int PollBudget = 64;
        /// <summary>How long the button must be held for a factory reset (released after this).</summary>
        public const long ResetHoldMs = 10000;
        /// <summary>A device silent this long, without lease, IPv6 binding or NAT session, is forgotten.</summary>
        public const long DeviceIdleMs = 10 * 60 * 1000L;

        readonly RouterSettings settings;
        readonly RouterSizes sizes;
        readonly ILanPort lanPort;
        readonly IUplink uplink;
        readonly IMultiUplink uplinks;
        readonly IUplinkMonitor monitor;
        readonly IIndicator indicator;
        readonly IButton button;
        readonly IHostResolver resolver;
        readonly ISettingsStore store;
        readonly Tunnel tunnel;
        readonly NatTranslator nat;
        readonly LanServices lan;
        readonly PathSelector paths;
        /// <summary>The handshake initiation the tunnel made last: the same bytes go out on every path of a race.</summary>
        readonly byte[] initiation = new byte[Message.InitiationSize];
        bool haveInitiation;
        readonly byte[] pathCache;
        int receivedOn;
        readonly RouterCounters counters = new RouterCounters();
        CounterSet[] counterSets; // the setup page's set is added by StartWeb
        readonly byte[] routerMac = new byte[6];
        readonly bool[] deviceInNat;
        int deviceCursor;
        /// <summary>The sender of the datagram at hand, the LAN frame's and the datagram's buffers: with batches, the slot being handled (RouterBatch).</summary>
        Endpoint source = new Endpoint();
        byte[] lanBuffer;
        byte[] uplinkBuffer;
        readonly byte[] inBuffer;
        readonly byte[] outBuffer;
        readonly byte[][] held;
        readonly int[] heldLength;
        int heldCount;
        readonly EventLog events;
        readonly byte[] heldInitiation = new byte[Message.InitiationSize];
        readonly Endpoint heldInitiationTo = new Endpoint();
        int heldInitiationLength;
        int heldInitiationOn;
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

            uplinks = uplink as IMultiUplink;
            paths = new PathSelector(sizes.Paths);
            paths.RaceEnabled = settings.Uplink.Race;
            paths.AttemptDelay = settings.Uplink.ConnectionAttemptDelay;
            pathCache = new byte[paths.CacheLength];
            if (store != null)
            {
                int cached = store.Read(StoredRecords.PathWinners, pathCache, 0, pathCache.Length);
                if (cached > 0)
                    paths.LoadCache(pathCache, 0, cached);
            }
            RouterConfig.GatherPaths(settings.Peer, paths, null, null, UplinkCount);
            SetPeerEndpoint(paths.Current);

            LanConfig lanConfig = RouterSetup.LanConfigFrom(settings, routerMac, platform.Random, store);
            lan = new LanServices(lanConfig, RouterSetup.LeaseCapacity(lanConfig, sizes), sizes.Ipv4Neighbors, sizes.Ipv6Neighbors,
                new StoredLeases(store), platform.Random, now, sizes.Devices, sizes.Ipv6Bindings);
            lan.Events = events;
            for (int i = 0; i < fit.StoredWarningCount; i++)
                events.Add(EventKind.ConfigWarning, now, fit.Warning(i).Line, i);

            NatConfig natConfig = RouterSetup.NatConfigFrom(settings, lanConfig, sizes);
            nat = new NatTranslator(new NatTable(natConfig, platform.Random, new NatCounters()));
            deviceInNat = new bool[sizes.Devices];
            lan.UseFragments(nat.Fragments); // echo requests to the router in fragments
            counterSets = nat.Fragments == null ? new CounterSet[] { counters, tunnel.Counters, nat.Counters, lan.Counters, paths.Counters, portalCounters }
                : new CounterSet[] { counters, tunnel.Counters, nat.Counters, lan.Counters, paths.Counters, nat.Fragments.Counters, portalCounters };
            SetUpFastPath(platform.FastPath); // Router.Offload.cs
            if (fastPath != null)
                AddCounterSet(fastCounters);

            lanBuffer = new byte[sizes.PacketBuffer];
            uplinkBuffer = new byte[sizes.PacketBuffer];
            inBuffer = new byte[sizes.PacketBuffer];
            outBuffer = new byte[sizes.PacketBuffer];
            held = new byte[sizes.HeldReplies][];
            heldLength = new int[sizes.HeldReplies];
            for (int i = 0; i < held.Length; i++)
                held[i] = new byte[sizes.PacketBuffer];
            fragmentBuffer = new byte[sizes.PacketBuffer];
            SetUpBatches(platform);
            StartWeb(platform, now);
            SetUpPortal(platform, now); // RouterPortal.cs: after the buffers (it borrows outBuffer)
        }

        /// <summary>Adds a module's counters to the console's sets, after the others (at construction only).</summary>
        void AddCounterSet(CounterSet set)
        {
            CounterSet[] all = new CounterSet[counterSets.Length + 1];
            System.Array.Copy(counterSets, all, counterSets.Length);
            all[counterSets.Length] = set;
            counterSets = all;
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
        /// <summary>Every counter set, in the order the console lists them: router, tunnel, NAT, LAN, uplink (the racer), fragments.</summary>
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
                int n = 5 * sizes.PacketBuffer + held.Length * (sizes.PacketBuffer + 4) + deviceInNat.Length;
                n += nat.Table.MemoryBytes + nat.Counters.MemoryBytes + nat.ExtraMemoryBytes + lan.SizeInBytes + tunnel.MemoryBytes + paths.MemoryBytes + counters.MemoryBytes;
                n += MaskedConfig.Length * 2 + initiation.Length + pathCache.Length;
                n += events.MemoryBytes + heldInitiation.Length + 8 + BatchMemoryBytes;
                n += FastPathMemoryBytes;
                if (web != null)
                    n += web.MemoryBytes;
                n += portal.MemoryBytes + ownUplinkMac.Length + clonedUplinkMac.Length;
                return n;
            }
        }

        /// <summary>
        /// Resolves the peer's host names (the platform's resolver) and adds their addresses to
        /// the paths after the literal ones. Start-up only: it may block on DNS.
        /// </summary>
        public int ResolvePaths(IConsoleOutput log)
        {
            int n = RouterConfig.GatherPaths(settings.Peer, paths, resolver, log, UplinkCount);
            SetPeerEndpoint(paths.Current);
            return n;
        }

        /// <summary>Uplinks the platform has (<see cref="IMultiUplink"/>), 1 otherwise.</summary>
        public int UplinkCount { get { return uplinks != null && uplinks.UplinkCount > 0 ? uplinks.UplinkCount : 1; } }

        /// <summary>The name of uplink <paramref name="index"/> for the console.</summary>
        public string UplinkName(int index) { return uplinks != null ? uplinks.UplinkName(index) : "default"; }

        /// <summary>Starts the tunnel: a race, whose initiation leaves once its TAI64N ceiling is written.</summary>
        public void Start(long now)
        {
            paths.StartRace(now, RaceReason.Start);
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

        /// <summary>The console's <c>race</c>: races the paths again now.</summary>
        public void Race(long now)
        {
            BeginRace(now, RaceReason.Command);
        }

        /// <summary>
        /// Starts a race. Names are resolved again (the last good answer stays when one fails).
        /// The initiation in flight, if any, is raced at once (the same bytes on every path);
        /// otherwise the tunnel is asked for a handshake and its next initiation is raced.
        /// </summary>
        void BeginRace(long now, RaceReason reason)
        {
            if (resolver != null && settings.Peer != null && HasHostNames(settings.Peer))
                RouterConfig.GatherPaths(settings.Peer, paths, resolver, null, UplinkCount);
            paths.StartRace(now, reason);
            AfterRaceStarted(now);
        }

        void AfterRaceStarted(long now)
        {
            if (haveInitiation && tunnel.GetPeer(0).HandshakeInProgress)
            {
                paths.OnInitiation(now);
                SendInitiationCopies(now);
            }
            else
            {
                tunnel.Connect(0, now);
            }
        }

        static bool HasHostNames(PeerSettings peer)
        {
            for (int i = 0; i < peer.Endpoints.Length; i++)
                if (peer.Endpoints[i].IsHostName)
                    return true;
            return false;
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
            if (web != null)
                web.Forget();
            return StoredRecords.FactoryReset(store);
        }

        /// <summary>
        /// Reads and handles what both ports have waiting (bounded), writes the records that fell
        /// behind and releases the replies that waited for them (the ports are drained: the idle
        /// moment), follows the uplink's state, then runs the timers.
        /// </summary>
        public void Poll(long now)
        {
            if (lanBatch != null)
                PollLanBatch(now);
            else
            for (int i = 0; i < PollBudget; i++)
            {
                int n = lanPort.Receive(lanBuffer, LanReadOffset, lanBuffer.Length - LanReadOffset);
                if (n <= 0)
                    break;
                counters.Increment(RouterCounter.LanFramesReceived);
                if (n > lanBuffer.Length - LanReadOffset)
                    HandleOversizeFrame(LanReadOffset, lanBuffer.Length - LanReadOffset, now);
                else if (!OfferLanFrame(LanReadOffset, n, now)) // the fast path's flows first (Router.Offload.cs)
                    HandleLanFrame(LanReadOffset, n, now);
            }
            if (uplinkBatch != null)
                PollUplinkBatch(now);
            else
            for (int i = 0; i < PollBudget; i++)
            {
                int n = uplink.Receive(uplinkBuffer, 0, uplinkBuffer.Length, source);
                if (n <= 0)
                    break;
                receivedOn = uplinks != null ? uplinks.LastReceiveUplink : 0;
                counters.Increment(RouterCounter.DatagramsReceived);
                HandleDatagram(n, now);
            }
            SaveRecords(now);
            FollowUplink(now);
            TickPortal(now);
            WatchButton(now);
            if (paths.Tick(now) == PathAction.Race)
                AfterRaceStarted(now);
            SendInitiationCopies(now); // the race's attempts that are due
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
            if (paths.CacheDirty && store != null)
                store.Write(StoredRecords.PathWinners, pathCache, 0, paths.SaveCache(pathCache, 0));
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
            SendUplink(heldInitiation, 0, n, heldInitiationTo, heldInitiationOn, now);
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
        /// us (or asks for a handshake when there is no session). A family going down or coming
        /// back, or an address change, then races the paths (once per poll); a family reported up
        /// that was up already (the monitor's first look) changes nothing.
        /// </summary>
        void FollowUplink(long now)
        {
            if (monitor == null)
                return;
            bool race = false;
            for (int i = 0; i < 8; i++)
            {
                int family;
                UplinkChange c = monitor.Poll(now, out family);
                if (c == UplinkChange.None)
                    break;
                counters.Increment(RouterCounter.UplinkChanges);
                bool wasUp = family == Endpoint.FamilyIpv4 ? familyUp4 : family == Endpoint.FamilyIpv6 ? familyUp6 : true;
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
                    race = true;
                }
                else
                {
                    tunnel.RequestKeepalive(0);
                    if (c == UplinkChange.AddressChanged || !wasUp)
                        race = true;
                }
            }
            if (race)
            {
                BeginRace(now, RaceReason.UplinkChange);
                portal.OnUplinkChanged(now); // another network, or back: the portal verdict starts over
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
            n = paths.NextDeadline(now);
            if (n < next) next = n;
            n = lan.NextDeadline(now);
            if (n < next) next = n;
            if (fastPath != null && (flowCount > 0 || installedIndex != 0) && nextSync < next)
                next = nextSync;
            if (web != null)
            {
                n = web.NextDeadline(now);
                if (n < next) next = n;
            }
            n = portal.NextDeadline(now);
            if (n < next) next = n;
            return next;
        }

        /// <summary>Runs the tunnel's, the NAT's and the LAN services' timers.</summary>
        public void Tick(long now)
        {
            FollowFastPath(now); // before the NAT's timers: offloaded activity refreshes its sessions
            RunTunnelTimers(now);
            nat.Tick(now);
            ExpireDevices(now);
            for (int i = 0; i < PollBudget; i++)
            {
                LanResult r = lan.Tick(now, outBuffer, 0);
                if (r.Action != LanAction.Reply)
                    break;
                SendLan(outBuffer, 0, r.Length);
            }
            ServiceWeb(now);
        }

        void SendLan(byte[] b, int offset, int length)
        {
            if (queueing && lanBatch != null)
            {
                QueueLan(b, offset, length);
                return;
            }
            if (lanPort.Send(b, offset, length))
                counters.Increment(RouterCounter.LanFramesSent);
            else
                counters.Increment(RouterCounter.DropLanSendFailed);
        }

        /// <summary>A clean stop: writes what is behind, then clears the secrets the router holds.</summary>
        public void Shutdown(long now)
        {
            SaveRecords(now);
            ReclaimFastPath(now);
            ShutdownPortal();
            tunnel.ClearSecrets();
        }
    }
}

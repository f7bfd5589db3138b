using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Uplink
{
    /// <summary>Why a race started (counted per reason, shown by the console).</summary>
    public enum RaceReason
    {
        Start = 0,
        /// <summary>An uplink came up, went down, or its local address changed.</summary>
        UplinkChange,
        /// <summary>The winner left an initiation unanswered for REKEY_TIMEOUT.</summary>
        HandshakeFailed,
        /// <summary>Data went out on the winner and nothing authenticated came back for <see cref="PathSelector.SilenceTimeout"/>.</summary>
        Silence,
        /// <summary>The console's <c>race</c> command.</summary>
        Command,
        /// <summary>Reconnects on the winner kept failing.</summary>
        SendFailures,
    }

    /// <summary>What the router must do after telling the racer about a send failure or running its timer.</summary>
    public enum PathAction
    {
        None = 0,
        /// <summary>Make the winner's socket anew and send a keepalive (or handshake) on it at once; no race.</summary>
        Reconnect,
        /// <summary>A race started: the router gets an initiation from the tunnel (or reuses the one in flight) and sends it as <see cref="PathSelector.NextSend"/> says.</summary>
        Race,
    }

    /// <summary>
    /// The dual-stack (and multi-uplink) racer: Happy Eyeballs (RFC 8305) at the network level,
    /// for the tunnel's handshake, as WARP does it. Sans-I/O and device-compatible: the router
    /// asks where to send (<see cref="Current"/> for everything it originates, <see cref="NextSend"/>
    /// for the kept handshake initiation) and tells the racer what happened
    /// (<see cref="OnInitiation"/>, <see cref="OnHandshakeComplete"/>, <see cref="OnSendFailed"/>,
    /// <see cref="OnReceived"/>, <see cref="OnDataSent"/>); <see cref="Tick"/> and
    /// <see cref="NextDeadline"/> drive its timers. Nothing here reads a clock or a socket;
    /// nothing is allocated after construction.
    /// <para>Candidates are paths: an uplink (index) and a peer endpoint address. A race sends
    /// <b>the same initiation bytes</b> on every path, in order: cached winners first (RFC 8305
    /// section 5), then the families interleaved starting with IPv6, one every
    /// <see cref="AttemptDelay"/> (250 ms by default, 100 ms to 2 s); a path whose send fails is
    /// skipped at once. The first valid response wins: its path becomes current with its RTT,
    /// the others stop, and their late responses are dropped (<see cref="IsLateResponse"/>).
    /// A new initiation during a race (the tunnel's retransmission) restarts the schedule with the
    /// new bytes. Outside a race, initiations (rekeys), keepalives and data go to the winner only;
    /// an initiation left unanswered there (the tunnel retransmits) starts a race.</para>
    /// <para>With <see cref="RaceEnabled"/> false the order is the same but paths are tried one
    /// at a time: the next one only after an initiation went unanswered (REKEY_TIMEOUT), which is
    /// what a plain WireGuard client with several endpoints would do (the comparison in README).</para>
    /// <para>Fast reconnect: a fatal send failure on the winner (no buffers, no route, a dead socket)
    /// asks for a new socket on the same path without a race, with backoff (0, 200, 400, 800 ms);
    /// only when <see cref="MaxReconnects"/> in a row did not bring an authenticated packet back
    /// does it fall back to a race.</para>
    /// </summary>
    public sealed class PathSelector
    {
        public const long DefaultAttemptDelay = 250;
        public const long MinAttemptDelay = 100;
        public const long MaxAttemptDelay = 2000;
        /// <summary>Data sent on the winner with nothing authenticated back for this long: the winner is presumed dead (a race).</summary>
        public const long SilenceTimeout = Limits.RekeyTimeout;
        /// <summary>Reconnects in a row (without an authenticated packet in between) before a fallback race.</summary>
        public const int MaxReconnects = 4;
        /// <summary>The wait after the first reconnect before another; it doubles with each one.</summary>
        public const long FirstReconnectBackoff = 200;
        /// <summary>Uplinks whose winner is cached.</summary>
        public const int MaxUplinks = 4;
        /// <summary>Bytes of one cache entry: family, 16 address bytes, port (big-endian).</summary>
        public const int CacheEntryBytes = 19;
        const long Never = long.MaxValue;

        readonly Endpoint[] candidates;
        readonly int[] uplinkOf;
        readonly int[] originOf;
        readonly bool[] stale;
        readonly long[] sentAt;
        readonly int[] order;
        readonly byte[] cache = new byte[MaxUplinks * CacheEntryBytes];
        readonly Endpoint current = new Endpoint();
        readonly Endpoint sendTo = new Endpoint();
        readonly Endpoint probe = new Endpoint();
        readonly UplinkCounters counters = new UplinkCounters();
        int count, orderCount, nextInOrder, sequentialAt;
        int currentUplink, sendToUplink;
        int changes;
        bool racing, raceEnabled = true, awaiting, sendCurrentPending, cacheDirty;
        long attemptDelay = DefaultAttemptDelay;
        long nextAttemptAt = Never, raceStartedAt = -1, lastRaceAt = -1, lastRaceDuration = -1, rtt = -1, currentSentAt = -1;
        long unansweredSince = Never;
        int reconnectStreak;
        long reconnectAllowedAt;
        RaceReason lastReason;
        int lastWinnerFamily;

        public PathSelector(int capacity)
        {
            if (capacity < 1)
                throw new System.ArgumentException("at least one path");
            candidates = new Endpoint[capacity];
            for (int i = 0; i < capacity; i++)
                candidates[i] = new Endpoint();
            uplinkOf = new int[capacity];
            originOf = new int[capacity];
            stale = new bool[capacity];
            sentAt = new long[capacity];
            order = new int[capacity];
        }

        public int Capacity { get { return candidates.Length; } }
        public int Count { get { return count; } }
        public Endpoint CandidateAt(int index) { return candidates[index]; }
        public int UplinkAt(int index) { return uplinkOf[index]; }
        /// <summary>Where datagrams go now; unset (IsSet false) when there is no candidate.</summary>
        public Endpoint Current { get { return current; } }
        /// <summary>The uplink (index) of the current path.</summary>
        public int CurrentUplink { get { return currentUplink; } }
        /// <summary>How often the current path changed (a race, roaming, a family down).</summary>
        public int Changes { get { return changes; } }
        public UplinkCounters Counters { get { return counters; } }
        /// <summary>True while a race is on (between its start and the first valid response).</summary>
        public bool Racing { get { return racing; } }
        /// <summary>The current path's round-trip time: initiation sent to response received, ms; -1 when not measured.</summary>
        public long Rtt { get { return rtt; } }
        /// <summary>When the last race started (the router's clock), -1 when none has.</summary>
        public long LastRaceAt { get { return lastRaceAt; } }
        /// <summary>From the start of the last race to its winner's response, ms; -1 while it runs or when none finished.</summary>
        public long LastRaceDuration { get { return lastRaceDuration; } }
        public RaceReason LastRaceReason { get { return lastReason; } }
        /// <summary>The family that won the last race (4 or 6), 0 when none has.</summary>
        public int LastWinnerFamily { get { return lastWinnerFamily; } }
        /// <summary>The endpoint and uplink the kept initiation goes to after <see cref="NextSend"/> returned true.</summary>
        public Endpoint SendTo { get { return sendTo; } }
        public int SendToUplink { get { return sendToUplink; } }
        /// <summary>True when the winner cache changed and should be written (the router does, when idle).</summary>
        public bool CacheDirty { get { return cacheDirty; } }

        /// <summary>False: one path at a time, the next after an unanswered initiation (no racing).</summary>
        public bool RaceEnabled { get { return raceEnabled; } set { raceEnabled = value; } }

        /// <summary>The Connection Attempt Delay (RFC 8305 section 5), clamped to 100 ms .. 2 s.</summary>
        public long AttemptDelay
        {
            get { return attemptDelay; }
            set { attemptDelay = value < MinAttemptDelay ? MinAttemptDelay : value > MaxAttemptDelay ? MaxAttemptDelay : value; }
        }

        /// <summary>Bytes held: per candidate its endpoint (24), uplink, origin, attempt time, order slot and flag; three endpoints; the cache; the counters.</summary>
        public int MemoryBytes { get { return candidates.Length * (24 + 4 + 4 + 8 + 4 + 1) + 3 * 24 + cache.Length + counters.MemoryBytes; } }

        // ------------------------------------------------------------------ candidates

        /// <summary>Adds a candidate on uplink 0; the first one becomes current. False when full, unset, or already held.</summary>
        public bool Add(Endpoint e) { return Add(e, 0, 0); }

        /// <summary>
        /// Adds the path (<paramref name="uplink"/>, <paramref name="e"/>); <paramref name="origin"/>
        /// is the configuration's endpoint it came from (kept when a later resolution of that name
        /// fails). False when full, unset, or already held (a held one stops being stale).
        /// </summary>
        public bool Add(Endpoint e, int uplink, int origin)
        {
            if (e == null || !e.IsSet)
                return false;
            for (int i = 0; i < count; i++)
            {
                if (uplinkOf[i] == uplink && candidates[i].SameAs(e))
                {
                    stale[i] = false;
                    return false;
                }
            }
            if (count == candidates.Length)
                return false;
            candidates[count].CopyFrom(e);
            uplinkOf[count] = uplink;
            originOf[count] = origin;
            stale[count] = false;
            sentAt[count] = -1;
            count++;
            if (!current.IsSet)
            {
                current.CopyFrom(e);
                currentUplink = uplink;
            }
            return true;
        }

        /// <summary>Forgets every candidate and the current path.</summary>
        public void Clear()
        {
            for (int i = 0; i < count; i++)
                candidates[i].Clear();
            count = 0;
            orderCount = 0;
            current.Clear();
            racing = false;
            nextAttemptAt = Never;
        }

        /// <summary>Before gathering the paths again (a race re-resolves names): every candidate is stale until added again or kept.</summary>
        public void BeginRefresh()
        {
            for (int i = 0; i < count; i++)
                stale[i] = true;
        }

        /// <summary>The configuration's endpoint <paramref name="origin"/> did not resolve: its last good addresses stay.</summary>
        public void KeepOrigin(int origin)
        {
            for (int i = 0; i < count; i++)
                if (originOf[i] == origin)
                    stale[i] = false;
        }

        /// <summary>Drops the candidates still stale. The current path stays current (it may be in use) until a race picks again.</summary>
        public void EndRefresh()
        {
            int w = 0;
            for (int i = 0; i < count; i++)
            {
                if (stale[i])
                    continue;
                if (w != i)
                {
                    candidates[w].CopyFrom(candidates[i]);
                    uplinkOf[w] = uplinkOf[i];
                    originOf[w] = originOf[i];
                    sentAt[w] = sentAt[i];
                }
                stale[w] = false;
                w++;
            }
            for (int i = w; i < count; i++)
                candidates[i].Clear();
            count = w;
            orderCount = 0;
            if (!current.IsSet && count > 0)
                SetCurrent(0);
        }

        int Find(Endpoint e, int uplink)
        {
            for (int i = 0; i < count; i++)
                if (uplinkOf[i] == uplink && candidates[i].SameAs(e))
                    return i;
            for (int i = 0; i < count; i++)
                if (candidates[i].SameAs(e))
                    return i;
            return -1;
        }

        void SetCurrent(int index)
        {
            if (current.SameAs(candidates[index]) && currentUplink == uplinkOf[index])
                return;
            current.CopyFrom(candidates[index]);
            currentUplink = uplinkOf[index];
            changes++;
        }

        // ------------------------------------------------------------------ the race

        /// <summary>
        /// Starts a race: the attempt order is built (cached winners, then IPv6 and IPv4
        /// interleaved); the attempts begin with the next <see cref="OnInitiation"/>. Without
        /// racing, the first path in that order becomes current.
        /// </summary>
        public void StartRace(long now, RaceReason reason)
        {
            counters.Increment(UplinkCounter.Races);
            counters.Increment(ReasonCounter(reason));
            lastReason = reason;
            lastRaceAt = now;
            raceStartedAt = now;
            lastRaceDuration = -1;
            BuildOrder();
            for (int i = 0; i < count; i++)
                sentAt[i] = -1;
            nextInOrder = 0;
            nextAttemptAt = Never;
            awaiting = false;
            sendCurrentPending = false;
            unansweredSince = Never;
            reconnectStreak = 0;
            reconnectAllowedAt = 0;
            if (raceEnabled)
            {
                racing = orderCount > 0;
            }
            else
            {
                racing = false;
                sequentialAt = 0;
                if (orderCount > 0)
                    SetCurrent(order[0]);
            }
        }

        static UplinkCounter ReasonCounter(RaceReason r)
        {
            switch (r)
            {
                case RaceReason.Start: return UplinkCounter.RacesAtStart;
                case RaceReason.UplinkChange: return UplinkCounter.RacesOnUplinkChange;
                case RaceReason.HandshakeFailed: return UplinkCounter.RacesOnHandshakeFailure;
                case RaceReason.Silence: return UplinkCounter.RacesOnSilence;
                case RaceReason.Command: return UplinkCounter.RacesOnCommand;
                default: return UplinkCounter.RacesOnSendFailures;
            }
        }

        void BuildOrder()
        {
            orderCount = 0;
            bool cached = false;
            for (int u = 0; u < MaxUplinks; u++)
            {
                int c = CachedIndex(u);
                if (c >= 0 && !InOrder(c))
                {
                    order[orderCount++] = c;
                    cached = true;
                }
            }
            if (cached)
                counters.Increment(UplinkCounter.CachedWinnerFirst);
            int family = Endpoint.FamilyIpv6;
            while (orderCount < count)
            {
                int c = FirstUnordered(family);
                if (c < 0)
                    c = FirstUnordered(family == Endpoint.FamilyIpv6 ? Endpoint.FamilyIpv4 : Endpoint.FamilyIpv6);
                if (c < 0)
                    break;
                order[orderCount++] = c;
                family = candidates[c].Family == Endpoint.FamilyIpv6 ? Endpoint.FamilyIpv4 : Endpoint.FamilyIpv6;
            }
        }

        bool InOrder(int c)
        {
            for (int i = 0; i < orderCount; i++)
                if (order[i] == c)
                    return true;
            return false;
        }

        int FirstUnordered(int family)
        {
            for (int i = 0; i < count; i++)
                if (candidates[i].Family == family && !InOrder(i))
                    return i;
            return -1;
        }

        /// <summary>The candidate at position <paramref name="position"/> of the last race's attempt order, or -1.</summary>
        public int OrderAt(int position) { return position >= 0 && position < orderCount ? order[position] : -1; }

        /// <summary>
        /// The tunnel produced a handshake initiation, and the router kept its bytes. In a race it
        /// (re)starts the staggered attempts with these bytes. Otherwise it goes to the winner; if
        /// the previous one there went unanswered, the winner failed a handshake: a race starts
        /// (or, without racing, the next path in order is tried).
        /// </summary>
        public void OnInitiation(long now)
        {
            if (!racing && awaiting && raceEnabled && count > 0)
                StartRace(now, RaceReason.HandshakeFailed);
            if (racing)
            {
                for (int i = 0; i < count; i++)
                    sentAt[i] = -1;
                nextInOrder = 0;
                nextAttemptAt = now;
                return;
            }
            if (awaiting && !raceEnabled && orderCount > 1)
            {
                sequentialAt = (sequentialAt + 1) % orderCount;
                SetCurrent(order[sequentialAt]);
                counters.Increment(UplinkCounter.SequentialMoves);
            }
            awaiting = true;
            sendCurrentPending = true;
            currentSentAt = now;
        }

        /// <summary>
        /// True when the kept initiation must go out now, to <see cref="SendTo"/> on
        /// <see cref="SendToUplink"/>; call until false. In a race, one path per
        /// <see cref="AttemptDelay"/>; otherwise the winner once per initiation.
        /// </summary>
        public bool NextSend(long now)
        {
            if (racing)
            {
                if (nextInOrder >= orderCount || now < nextAttemptAt)
                    return false;
                int c = order[nextInOrder++];
                sentAt[c] = now;
                sendTo.CopyFrom(candidates[c]);
                sendToUplink = uplinkOf[c];
                nextAttemptAt = nextInOrder < orderCount ? now + attemptDelay : Never;
                counters.Increment(UplinkCounter.AttemptsSent);
                return true;
            }
            if (!sendCurrentPending)
                return false;
            sendCurrentPending = false;
            if (!current.IsSet)
                return false;
            sendTo.CopyFrom(current);
            sendToUplink = currentUplink;
            return true;
        }

        /// <summary>The attempt just taken from <see cref="NextSend"/> could not be sent: that path fails, the next one goes at once (RFC 8305).</summary>
        public void OnAttemptNotSent(long now)
        {
            counters.Increment(UplinkCounter.DropAttemptNotSent);
            if (racing && nextInOrder < orderCount)
                nextAttemptAt = now;
        }

        /// <summary>
        /// Our initiation was answered from <paramref name="source"/> on <paramref name="uplink"/>:
        /// in a race that path wins (with its RTT) and the others stop; the winner is cached for
        /// its uplink.
        /// </summary>
        public void OnHandshakeComplete(Endpoint source, int uplink, long now)
        {
            int won = Find(source, uplink);
            if (racing)
            {
                racing = false;
                nextAttemptAt = Never;
                lastRaceDuration = now - raceStartedAt;
                rtt = won >= 0 && sentAt[won] >= 0 ? now - sentAt[won] : -1;
                lastWinnerFamily = source.Family;
                counters.Increment(source.Family == Endpoint.FamilyIpv6 ? UplinkCounter.WinsIpv6 : UplinkCounter.WinsIpv4);
            }
            else
            {
                if (currentSentAt >= 0)
                    rtt = now - currentSentAt;
                if (lastRaceDuration < 0 && lastRaceAt >= 0)
                    lastRaceDuration = now - raceStartedAt;
            }
            awaiting = false;
            unansweredSince = Never;
            if (won >= 0)
            {
                SetCurrent(won);
                Remember(won);
            }
            else if (!current.SameAs(source))
            {
                current.CopyFrom(source);
                currentUplink = uplink;
                changes++;
            }
        }

        /// <summary>
        /// True for a handshake response that answers no initiation of ours in flight: a loser's
        /// (or any path's) answer after the race ended. Counted; the router drops it before the
        /// tunnel. Responses during a race, or while an initiation is out on the winner, are not late.
        /// </summary>
        public bool IsLateResponse(byte[] datagram, int offset, int length)
        {
            if (length != Message.ResponseSize || datagram[offset] != Message.TypeResponse)
                return false;
            if (racing || awaiting || lastRaceAt < 0)
                return false;
            counters.Increment(UplinkCounter.DropLateResponse);
            return true;
        }

        // ------------------------------------------------------------------ liveness and reconnects

        /// <summary>An authenticated packet arrived: the path works (the silence timer and the reconnect streak reset).</summary>
        public void OnReceived(long now)
        {
            unansweredSince = Never;
            reconnectStreak = 0;
            reconnectAllowedAt = 0;
        }

        /// <summary>A data packet went out on the winner (not a keepalive: the peer does not answer those).</summary>
        public void OnDataSent(long now)
        {
            if (unansweredSince == Never)
                unansweredSince = now;
        }

        /// <summary>
        /// A send to the winner failed with no buffers, no route or a dead socket. Reconnect (a new
        /// socket and a keepalive, no race) when the backoff allows; None while it waits; Race when
        /// <see cref="MaxReconnects"/> reconnects in a row brought nothing back (a fallback).
        /// </summary>
        public PathAction OnSendFailed(long now)
        {
            if (racing || now < reconnectAllowedAt)
                return PathAction.None;
            if (reconnectStreak >= MaxReconnects)
            {
                counters.Increment(UplinkCounter.Fallbacks);
                StartRace(now, RaceReason.SendFailures);
                return PathAction.Race;
            }
            reconnectAllowedAt = now + (FirstReconnectBackoff << reconnectStreak);
            reconnectStreak++;
            counters.Increment(UplinkCounter.Reconnects);
            return PathAction.Reconnect;
        }

        /// <summary>Reconnects made since the last authenticated packet.</summary>
        public int ReconnectStreak { get { return reconnectStreak; } }

        /// <summary>The racer's timer: Race when the winner has been silent (data out, nothing back) for <see cref="SilenceTimeout"/>.</summary>
        public PathAction Tick(long now)
        {
            if (!racing && raceEnabled && current.IsSet && unansweredSince != Never && now - unansweredSince >= SilenceTimeout)
            {
                StartRace(now, RaceReason.Silence);
                return PathAction.Race;
            }
            return PathAction.None;
        }

        /// <summary>When <see cref="Tick"/> or <see cref="NextSend"/> has work; <paramref name="now"/> when it has now.</summary>
        public long NextDeadline(long now)
        {
            long next = Never;
            if (sendCurrentPending)
                return now;
            if (racing && nextInOrder < orderCount)
                next = nextAttemptAt;
            if (!racing && raceEnabled && unansweredSince != Never)
            {
                long s = unansweredSince + SilenceTimeout;
                if (s < next)
                    next = s;
            }
            return next < now ? now : next;
        }

        // ------------------------------------------------------------------ roaming and families

        /// <summary>An authenticated packet came from <paramref name="source"/>: the peer is there now.</summary>
        public void OnAuthenticated(Endpoint source)
        {
            if (source == null || !source.IsSet || current.SameAs(source))
                return;
            current.CopyFrom(source);
            changes++;
        }

        /// <summary>
        /// The uplink lost <paramref name="family"/>: when the current path is of that family, the
        /// first candidate of another family becomes current. True when the path changed.
        /// </summary>
        public bool OnFamilyDown(int family)
        {
            if (!current.IsSet || current.Family != family)
                return false;
            for (int i = 0; i < count; i++)
            {
                if (candidates[i].Family != family)
                {
                    SetCurrent(i);
                    return true;
                }
            }
            return false;
        }

        // ------------------------------------------------------------------ the winner cache (RFC 8305 section 5)

        void Remember(int c)
        {
            int u = uplinkOf[c];
            if (u < 0 || u >= MaxUplinks)
                return;
            Endpoint e = candidates[c];
            int o = u * CacheEntryBytes;
            bool same = cache[o] == e.Family && cache[o + 17] == (byte)(e.Port >> 8) && cache[o + 18] == (byte)e.Port;
            for (int i = 0; same && i < 16; i++)
                same = cache[o + 1 + i] == e.Address[i];
            if (same)
                return;
            cache[o] = (byte)e.Family;
            System.Array.Copy(e.Address, 0, cache, o + 1, 16);
            cache[o + 17] = (byte)(e.Port >> 8);
            cache[o + 18] = (byte)e.Port;
            cacheDirty = true;
        }

        int CachedIndex(int u)
        {
            int o = u * CacheEntryBytes;
            if (cache[o] != Endpoint.FamilyIpv4 && cache[o] != Endpoint.FamilyIpv6)
                return -1;
            probe.Set(cache[o], cache, o + 1, (cache[o + 17] << 8) | cache[o + 18]);
            for (int i = 0; i < count; i++)
                if (uplinkOf[i] == u && candidates[i].SameAs(probe))
                    return i;
            return -1;
        }

        /// <summary>Bytes of the winner cache (a record the router stores).</summary>
        public int CacheLength { get { return cache.Length; } }

        /// <summary>Copies the winner cache to (buffer, offset) for storing, and marks it written.</summary>
        public int SaveCache(byte[] buffer, int offset)
        {
            System.Array.Copy(cache, 0, buffer, offset, cache.Length);
            cacheDirty = false;
            return cache.Length;
        }

        /// <summary>Loads a stored winner cache (at start); entries that are not a family are ignored.</summary>
        public void LoadCache(byte[] buffer, int offset, int length)
        {
            int n = length < cache.Length ? length : cache.Length;
            if (n < 0)
                return;
            System.Array.Copy(buffer, offset, cache, 0, n);
            cacheDirty = false;
        }
    }
}

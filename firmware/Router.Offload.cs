using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// Flow offload: the router's policy for a platform's native fast path (<see cref="IFastPath"/>).
    /// <list type="bullet">
    /// <item>What goes down: an established NAT session (TCP established, UDP and ICMP echo once a
    /// reply came back) whose reply the router just delivered to the MAC its LAN address is bound
    /// to, while the tunnel's current keypair is installed; at most the board's FastPathFlows.</item>
    /// <item>Sync, every <see cref="FastPathSyncMs"/>: each flow's activity into its NAT timer
    /// (a session the NAT expired or reused is taken out), the keypair's send counter and replay
    /// window into the tunnel, the traffic into the tunnel's timers, the native counters.</item>
    /// <item>Source binding (RFC 7039, as the LAN services check it): a flow goes down with the MAC its
    /// LAN address is bound to and how long that binding lasts; the fast path carries frames from that
    /// MAC only, and neither direction once the binding lapses. The moment a lease or IPv6 binding
    /// changes (<see cref="LanServices.BindingVersion"/>, checked before each frame and datagram is
    /// offered) or a binding's time is up, its flows come back: the next packet is the managed core's,
    /// which drops it (unbound) or offloads the flow again. IPv6 traffic the fast path carried renews
    /// the binding at each sync, as the source check renews it for managed traffic.</item>
    /// <item>Flush: a new current keypair (rekey), the tunnel without a session (down), an
    /// authenticated peer at a new address (roaming stays managed), a config change or a stop.
    /// The keypair's state is taken back first; a keypair whose state cannot be taken back is retired
    /// by the tunnel (<see cref="Tunnel.ReclaimKeypair"/>), so no nonce repeats.</item>
    /// </list>
    /// LAN frames and peer datagrams are offered to the fast path first; whatever it passes up
    /// goes through the managed path unchanged. Allocation-free after construction.
    /// </summary>
    public sealed partial class Router
    {
        /// <summary>How often offloaded flows' activity and the keypair's counters come back (ms).</summary>
        public const long FastPathSyncMs = 1000;

        IFastPath fastPath;
        /// <summary>Per fast-path slot: the NAT session it carries (-1: free), and that session's identity when it went down.</summary>
        int[] flowSession;
        long[] flowKey;
        uint[] flowRemote;
        int flowCount;
        uint installedIndex;
        long nextSync;
        byte[] keypairState;
        readonly byte[] offloadMac = new byte[6];
        readonly long[] flowActivity = new long[4];
        long[] fastSnapshot;
        FastPathCounters fastCounters;
        /// <summary>
        /// Per slot: the MAC the flow's LAN address is bound to (6 bytes at slot * 6), and the second (of the
        /// monotonic clock, rounded down; int.MaxValue: never) the fast path's copy of that binding lapses in:
        /// seconds keep it to 4 bytes a flow (the 80 KB boards have no more room), and rounding down takes a
        /// flow back early, never late.
        /// </summary>
        byte[] flowMac;
        int[] flowBoundSecond;
        int bindingVersion;
        long nextBindingCheck = long.MaxValue;
        /// <summary>When the last sync read the flows' activity: a flow whose latest packet is not older had traffic since.</summary>
        long lastSync = long.MinValue;

        /// <summary>The platform's fast path in use, or null.</summary>
        public IFastPath FastPath { get { return fastPath; } }
        /// <summary>The native counters (absorbed at each sync), or null without a fast path.</summary>
        public FastPathCounters FastPathCounters { get { return fastCounters; } }
        /// <summary>Flows carried by the fast path now.</summary>
        public int OffloadedFlows { get { return flowCount; } }

        /// <summary>Sets the offload bookkeeping up (constructor); nothing is offloaded without a platform fast path or with FastPathFlows 0.</summary>
        void SetUpFastPath(IFastPath platformFastPath)
        {
            int n = sizes.FastPathFlows;
            flowSession = new int[n];
            flowKey = new long[n];
            flowRemote = new uint[n];
            flowMac = new byte[n * 6];
            flowBoundSecond = new int[n];
            for (int i = 0; i < n; i++)
                flowSession[i] = -1;
            fastCounters = new FastPathCounters();
            fastSnapshot = new long[(int)FastPathCounter.Count];
            if (platformFastPath == null || n == 0)
                return;
            fastPath = platformFastPath;
            keypairState = new byte[tunnel.OffloadStateSize];
            tunnel.SendCounterReservation = fastPath;
        }

        /// <summary>Bytes of the offload bookkeeping (in <see cref="MemoryBytes"/>); the native table itself is the C side's.</summary>
        int FastPathMemoryBytes
        {
            get
            {
                return flowSession.Length * (4 + 8 + 4 + 6 + 4) + offloadMac.Length + flowActivity.Length * 8
                    + fastSnapshot.Length * 8 + fastCounters.MemoryBytes + (keypairState != null ? keypairState.Length : 0);
            }
        }

        // ------------------------------------------------------------------ the packet path

        /// <summary>A LAN frame offered to the fast path; true when it carried it (sent or dropped there).</summary>
        bool OfferLanFrame(int offset, int length, long now)
        {
            if (fastPath == null || flowCount == 0)
                return false;
            if (now >= nextBindingCheck || lan.BindingVersion != bindingVersion)
                CheckBindings(now); // a lease or binding changed or ran out: its flows are the managed core's from this frame on
            int r = fastPath.FromLan(lanBuffer, offset, length, outBuffer, 0, outBuffer.Length, now);
            int action = FastPathResult.Action(r);
            if (action == FastPathResult.ToNetwork)
            {
                SendData(outBuffer, 0, FastPathResult.Length(r), now);
                return true;
            }
            return action == FastPathResult.Dropped;
        }

        /// <summary>
        /// A peer datagram offered to the fast path; true when it handled it. A data message from
        /// another address than the peer's goes to the managed tunnel (roaming is its decision).
        /// </summary>
        bool OfferDatagram(int length, long now)
        {
            if (fastPath == null || installedIndex == 0 || length < Message.DataMinSize || uplinkBuffer[0] != Message.TypeData)
                return false;
            if (!source.SameAs(tunnel.GetPeer(0).Endpoint))
            {
                // For the offloaded keypair: everything comes back first (the managed window then has every
                // counter, so no replay is accepted, and the managed tunnel roams if it authenticates).
                // Another index is not the fast path's business: garbage from elsewhere flushes nothing.
                if (Endian.Read32LE(uplinkBuffer, Message.DataReceiver) == installedIndex)
                    ReclaimFastPath(now);
                return false;
            }
            if (flowCount != 0 && (now >= nextBindingCheck || lan.BindingVersion != bindingVersion))
                CheckBindings(now);
            const int frame = 0;
            int r = fastPath.FromUplink(uplinkBuffer, 0, length, inBuffer, frame, inBuffer.Length, now);
            int action = FastPathResult.Action(r);
            int n = FastPathResult.Length(r);
            if (action == FastPathResult.Punt)
                return false;
            if (action == FastPathResult.Dropped)
                return true; // counted by the fast path (replayed, undecryptable, bad inner packet)
            paths.OnReceived(now);
            if (action == FastPathResult.ToLan)
            {
                SendLan(inBuffer, frame, n);
            }
            else if (action == FastPathResult.Decrypted)
            {
                // Authenticated on the offloaded keypair, for a flow the fast path does not carry: the managed NAT's.
                counters.Increment(RouterCounter.PacketsFromTunnel);
                int ip = frame + EthernetFrame.HeaderLength;
                NatResult nr = nat.TranslateInbound(inBuffer, ip, n, now);
                if (nr.Action == NatAction.WriteToLan)
                {
                    DeliverInbound(inBuffer, ip, n, now);
                    ReleaseFragments(now);
                    ConsiderOffload(inBuffer, ip, n, now);
                }
            }
            return true;
        }

        /// <summary>
        /// After the managed path delivered an inbound packet (b, ip) to the LAN: its session has
        /// seen both directions; it goes down when the NAT can export it and the table has room.
        /// </summary>
        void ConsiderOffload(byte[] b, int ip, int length, long now)
        {
            if (fastPath == null || flowCount == flowSession.Length || !EnsureKeypair(now))
                return;
            int version = b[ip] >> 4;
            bool v6 = version == 6;
            int header, lanAt, remoteAt;
            byte protocol;
            if (version == 4)
            {
                header = (b[ip] & 15) * 4;
                if (length < header + 8 || (Endian.Read16(b, ip + 6) & 0x3FFF) != 0)
                    return; // fragments stay managed
                protocol = b[ip + 9];
                remoteAt = ip + 12;
                lanAt = ip + 16;
            }
            else if (v6)
            {
                header = 40;
                if (length < header + 8)
                    return;
                protocol = b[ip + 6];
                remoteAt = ip + 8;
                lanAt = ip + 24;
            }
            else
            {
                return;
            }
            int l4 = ip + header;
            int lanPort, remotePort;
            if (protocol == Ipv4Packet.ProtocolTcp || protocol == Ipv4Packet.ProtocolUdp)
            {
                remotePort = Endian.Read16(b, l4);
                lanPort = Endian.Read16(b, l4 + 2);
            }
            else if ((!v6 && protocol == Ipv4Packet.ProtocolIcmp && b[l4] == 0) || (v6 && protocol == Ipv6Packet.NextHeaderIcmpv6 && b[l4] == 129))
            {
                remotePort = 0; // an echo reply: the identifier is the port
                lanPort = Endian.Read16(b, l4 + 4);
            }
            else
            {
                return;
            }
            int session = NatOffload.FindSession(nat, v6, protocol, b, lanAt, lanPort, b, remoteAt, remotePort, now);
            if (session < 0 || IsOffloaded(session))
                return;
            // The binding the LAN services hold for the LAN address (the MAC and how long): the fast path enforces it.
            long boundFor = v6 ? lan.BindingLifetime(b, lanAt, offloadMac, 0, now) : lan.BindingLifetime(Endian.Read32(b, lanAt), offloadMac, 0, now);
            // The entry is written in keypairState (free between keypair moves, and longer than an entry).
            byte[] entry = keypairState;
            if (boundFor < BindingMarginMs || NatOffload.ExportFlow(nat, session, offloadMac, 0, routerMac, 0, v6 ? b : null, remoteAt, now, entry, 0) == 0)
                return;
            NatOffload.SetBinding(entry, 0, boundFor, v6 ? Ipv6SourceBindings.Lifetime : 0);
            int slot = fastPath.AddFlow(entry, 0, NatOffload.EntrySize, now);
            System.Array.Clear(entry, 0, NatOffload.EntrySize);
            if (slot < 0 || slot >= flowSession.Length)
                return;
            if (flowCount == 0)
                bindingVersion = lan.BindingVersion; // nothing offloaded was bound under an older version
            System.Array.Copy(offloadMac, 0, flowMac, slot * 6, 6);
            flowBoundSecond[slot] = Second(boundFor == long.MaxValue ? long.MaxValue : now + boundFor);
            if (Millisecond(flowBoundSecond[slot]) < nextBindingCheck)
                nextBindingCheck = Millisecond(flowBoundSecond[slot]);
            if (flowSession[slot] < 0)
                flowCount++;
            flowSession[slot] = session;
            flowKey[slot] = SessionKey(session);
            flowRemote[slot] = nat.Table.RemoteAddress(session);
        }

        bool IsOffloaded(int session)
        {
            for (int i = 0; i < flowSession.Length; i++)
                if (flowSession[i] == session)
                    return true;
            return false;
        }

        /// <summary>A session's identity: a NAT slot reused by another session between two syncs is told apart.</summary>
        long SessionKey(int session)
        {
            NatTable t = nat.Table;
            return ((long)t.Protocol(session) << 48) | ((long)(t.IsV6(session) ? 1 : 0) << 40) | ((long)t.LanPort(session) << 32)
                | ((long)t.ExternalPort(session) << 16) | t.RemotePort(session);
        }

        // ------------------------------------------------------------------ keypair, sync, flush

        /// <summary>The tunnel's current keypair is installed (replacing an older one); false when there is none to install.</summary>
        bool EnsureKeypair(long now)
        {
            uint current = tunnel.GetPeer(0).HasSession(now) ? tunnel.CurrentLocalIndex(0) : 0;
            if (current != 0 && current == installedIndex)
                return true;
            if (installedIndex != 0)
                ReclaimFastPath(now); // rekeyed or down: the old keypair's state comes back, flows go
            if (current == 0)
                return false;
            int n = tunnel.ExportKeypair(0, now, keypairState, 0);
            if (n == 0)
                return false;
            if (fastPath.SetKeypair(keypairState, 0, n, now))
            {
                installedIndex = current;
                System.Array.Clear(keypairState, 0, keypairState.Length); // the keys live in the tunnel and the fast path only
                return true;
            }
            // Refused: nothing was sent on it there; the exported state is the tunnel's own.
            tunnel.ReclaimKeypair(0, keypairState, 0, n);
            System.Array.Clear(keypairState, 0, keypairState.Length);
            return false;
        }

        /// <summary>Takes everything back from the fast path: the keypair's state into the tunnel, then the fast path forgets flows and keys.</summary>
        void ReclaimFastPath(long now)
        {
            if (fastPath == null)
                return;
            SyncFastPath(now); // the last activity and counters first
            int n = fastPath.GetKeypair(keypairState, 0, keypairState.Length, now);
            fastPath.Flush();
            tunnel.ReclaimKeypair(0, keypairState, 0, n);
            System.Array.Clear(keypairState, 0, keypairState.Length);
            installedIndex = 0;
            for (int i = 0; i < flowSession.Length; i++)
                flowSession[i] = -1;
            flowCount = 0;
            nextBindingCheck = long.MaxValue;
        }

        /// <summary>
        /// Each offloaded flow's LAN address against the LAN services' binding now: a flow whose address
        /// is bound to nobody, or to another MAC, comes back at once (its activity first); so does one whose
        /// binding was extended well beyond the fast path's copy (a DHCP renewal; IPv6 traffic the managed
        /// path saw), to go down again with the new time at its next reply. Runs when a binding changed
        /// or the earliest copy runs out, before the next frame or datagram is offered.
        /// </summary>
        void CheckBindings(long now)
        {
            bindingVersion = lan.BindingVersion;
            long next = long.MaxValue;
            for (int i = 0; i < flowSession.Length; i++)
            {
                if (flowSession[i] < 0)
                    continue;
                int s = flowSession[i];
                if (!nat.Table.IsUsed(s) || SessionKey(s) != flowKey[i])
                {
                    SyncFlow(i, now); // the session went or was reused: taken back there
                    continue;
                }
                bool v6 = nat.Table.IsV6(s);
                NatHostTable hosts = nat.Table.Hosts;
                int host = nat.Table.Host(s);
                long left = v6 ? lan.BindingLifetime(hosts.AddressV6Bytes, hosts.AddressV6Offset(host), offloadMac, 0, now)
                    : lan.BindingLifetime(hosts.AddressV4(host), offloadMac, 0, now);
                long until = Second(left == long.MaxValue ? long.MaxValue : now + left), copy = flowBoundSecond[i];
                bool keep = left > 0 && MacAddress.Equal(offloadMac, 0, flowMac, i * 6) && now < Millisecond(flowBoundSecond[i])
                    && until >= copy && until - copy <= (v6 ? Ipv6SourceBindings.Lifetime / 2000 : 0);
                if (keep)
                {
                    if (Millisecond(flowBoundSecond[i]) < next)
                        next = Millisecond(flowBoundSecond[i]);
                    continue;
                }
                SyncFlow(i, now);
                if (flowSession[i] >= 0)
                    TakeFlowBack(i);
            }
            nextBindingCheck = next;
        }

        /// <summary>A flow whose binding ends sooner than this is not offloaded (it would come back at once).</summary>
        const long BindingMarginMs = 2000;

        /// <summary>A monotonic time in ms as its second, rounded down (long.MaxValue: int.MaxValue, never).</summary>
        static int Second(long ms) { return ms == long.MaxValue || ms / 1000 >= int.MaxValue ? int.MaxValue : (int)(ms / 1000); }

        static long Millisecond(int second) { return second == int.MaxValue ? long.MaxValue : second * 1000L; }

        void TakeFlowBack(int slot)
        {
            fastPath.RemoveFlow(slot);
            flowSession[slot] = -1;
            flowCount--;
        }

        /// <summary>Flushes the fast path (a config change, a stop, or the console): everything is managed again until flows qualify anew.</summary>
        public void FlushFastPath(long now)
        {
            ReclaimFastPath(now);
        }

        /// <summary>Runs from <see cref="Tick"/>: a keypair change or a tunnel down flushes at once; a binding change takes its flows back; the sync runs every <see cref="FastPathSyncMs"/>.</summary>
        void FollowFastPath(long now)
        {
            if (fastPath == null)
                return;
            if (installedIndex != 0)
            {
                uint current = tunnel.GetPeer(0).HasSession(now) ? tunnel.CurrentLocalIndex(0) : 0;
                if (current != installedIndex)
                {
                    ReclaimFastPath(now);
                    return;
                }
            }
            if (flowCount != 0 && (now >= nextBindingCheck || lan.BindingVersion != bindingVersion))
                CheckBindings(now); // a lease or binding changed (a DHCP message just now) or ran out
            if (now >= nextSync)
                SyncFastPath(now);
        }

        /// <summary>
        /// One flow's activity into its NAT session (and an IPv6 source binding renewed by what the device
        /// sent); the flow is taken out when the NAT expired, removed or reused the session.
        /// </summary>
        void SyncFlow(int i, long now)
        {
            int s = flowSession[i];
            bool keep = fastPath.FlowActivity(i, now, flowActivity) && nat.Table.IsUsed(s) && SessionKey(s) == flowKey[i]
                && nat.Table.RemoteAddress(s) == flowRemote[i];
            if (keep)
            {
                // Traffic since the last sync: a latest packet at or after it (counted twice at worst: refreshing is idempotent).
                long outs = flowActivity[2] != 0 && now - flowActivity[0] >= lastSync ? 1 : 0;
                long ins = flowActivity[3] != 0 && now - flowActivity[1] >= lastSync ? 1 : 0;
                if (outs > 0 && nat.Table.IsV6(s))
                {
                    long sent = now - flowActivity[0];
                    NatHostTable hosts = nat.Table.Hosts;
                    lan.RenewBinding(hosts.AddressV6Bytes, hosts.AddressV6Offset(nat.Table.Host(s)), flowMac, i * 6, sent, now);
                    int renewed = Second(sent + Ipv6SourceBindings.Lifetime);
                    if (renewed > flowBoundSecond[i])
                        flowBoundSecond[i] = renewed; // as the fast path renewed its copy
                }
                keep = NatOffload.ApplyActivity(nat, s, outs, flowActivity[0], ins, flowActivity[1], now);
            }
            if (!keep)
                TakeFlowBack(i);
        }

        void SyncFastPath(long now)
        {
            nextSync = now + FastPathSyncMs;
            for (int i = 0; i < flowSession.Length; i++)
                if (flowSession[i] >= 0)
                    SyncFlow(i, now);
            lastSync = now;
            int c = fastPath.ReadCounters(fastSnapshot, 0, fastSnapshot.Length);
            if (c <= 0)
                return;
            long sent = fastCounters[FastPathCounter.PacketsOut], sentBytes = fastCounters[FastPathCounter.BytesOut];
            long received = fastCounters[FastPathCounter.PacketsIn] + fastCounters[FastPathCounter.DecryptedToCore], receivedBytes = fastCounters[FastPathCounter.BytesIn];
            long keepalives = fastCounters[FastPathCounter.KeepalivesIn];
            fastCounters.Absorb(fastSnapshot, c); // what the native counters grew by since the last sync
            sent = fastCounters[FastPathCounter.PacketsOut] - sent;
            sentBytes = fastCounters[FastPathCounter.BytesOut] - sentBytes;
            received = fastCounters[FastPathCounter.PacketsIn] + fastCounters[FastPathCounter.DecryptedToCore] - received;
            receivedBytes = fastCounters[FastPathCounter.BytesIn] - receivedBytes;
            keepalives = fastCounters[FastPathCounter.KeepalivesIn] - keepalives;
            if (installedIndex != 0)
            {
                // The send counter and replay window into the tunnel (rekey-after-messages counts them), then its timers.
                int n = fastPath.GetKeypair(keypairState, 0, keypairState.Length, now);
                if (n > 0)
                    tunnel.ImportKeypairState(0, keypairState, 0, n);
                System.Array.Clear(keypairState, 0, keypairState.Length);
                if (sent > 0 || received > 0 || keepalives > 0)
                    tunnel.OnOffloadedTraffic(0, now, sent, sentBytes, received, receivedBytes, keepalives);
            }
        }
    }
}

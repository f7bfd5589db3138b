using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// The DHCPv4 server (RFC 2131, options RFC 2132) for the LAN. One entry point takes a
    /// validated IPv4/UDP datagram to port 67 and writes a complete reply frame
    /// (Ethernet + IPv4 + UDP + DHCP, checksums right) into the caller's buffer.
    /// <code>
    ///  client                         server (RFC 2131 section 3.1, 4.3)
    ///  DISCOVER  ------------------>  choose an address (static, previous, requested, free), hold it
    ///            <------------------  OFFER   yiaddr, 53 54 51 58 59 1 3 6 [26 28]
    ///  REQUEST   ------------------>  SELECTING (54 ours, 50) / INIT-REBOOT (50, no ciaddr) /
    ///                                 RENEWING (ciaddr, unicast) / REBINDING (ciaddr, broadcast)
    ///            <------------------  ACK (binding, learned into the ARP cache) or NAK (broadcast)
    ///  RELEASE / DECLINE ---------->  address freed / marked unusable (no reply)
    ///  INFORM    ------------------>  ACK to ciaddr without yiaddr or lease times (section 4.3.5)
    /// </code>
    /// Reply addressing (section 4.1, giaddr zero): a NAK is broadcast; otherwise to ciaddr when
    /// set; otherwise broadcast when the client set the B flag; otherwise unicast to yiaddr at
    /// chaddr. Relayed messages (giaddr set) are not supported and are dropped.
    ///
    /// Options: 53 and 54 always; 51, 58 (T1 = lease/2) and 59 (T2 = lease·7/8, section 4.4.5)
    /// with a lease; 1, 3 and 6 (DNS: the router itself, where the NAT redirects queries to the
    /// tunnel's resolver) always; 26 (interface MTU) and 28 (broadcast address) when the
    /// parameter request list (55) asks. Requested options go first, in the client's order
    /// (RFC 2132 section 9.8). The client is known by its client identifier (option 61) when it
    /// sends one, else by chaddr (RFC 2131 section 4.2). A lease time the client asks for (51) is
    /// not honoured. Options in sname/file (option 52) are read (<see cref="DhcpMessage"/>).
    ///
    /// Probing (RFC 2131 section 4.4.1 "SHOULD probe the reused address before allocating",
    /// RFC 5227 probes): an address not already the client's is probed with an ARP request from
    /// 0.0.0.0 before it is offered. The DISCOVER's answer is the probe; the request is kept
    /// (<see cref="ProbeSlots"/> slots of <see cref="ProbeRequestBytes"/>) and the OFFER leaves from
    /// <see cref="Tick"/> once <see cref="ProbeWaitMs"/> passed without an answer. Nothing blocks.
    /// An answer from another MAC marks the address in use (declined for DeclineHoldMs, an event)
    /// and the next address is probed, up to <see cref="ProbeTries"/> times.
    ///
    /// RELEASE and DECLINE (RFC 2131 sections 4.3.3, 4.3.4) change a binding only when the frame
    /// came from the MAC the binding is for and chaddr says the same: on a LAN of strangers, a
    /// forged one is refused, counted and logged.
    /// </summary>
    public sealed class DhcpServer
    {
        /// <summary>Bytes a reply frame can take: 42 of headers and a DHCP message of at most 300.</summary>
        public const int MaxReplyFrameLength = LanFrames.UdpPayloadOffset + DhcpMessage.MinReplyLength;

        readonly LanConfig config;
        readonly DhcpLeaseTable leases;
        readonly NeighborTable arp;
        readonly LanCounters counters;
        readonly ILeaseStore store;
        bool dirty;
        ushort identification = 0x4000;

        /// <summary>DISCOVERs waiting for their probe at once.</summary>
        public const int ProbeSlots = 2;
        /// <summary>The longest DISCOVER kept for its deferred OFFER (RFC 2131's 576-byte minimum less IP and UDP headers).</summary>
        public const int ProbeRequestBytes = 548;
        /// <summary>How long an ARP probe is given to be answered.</summary>
        public const long ProbeWaitMs = 500;
        /// <summary>Addresses probed for one DISCOVER before it is left to the client's retransmission.</summary>
        public const int ProbeTries = 3;
        readonly byte[][] probeRequest = new byte[ProbeSlots][];
        readonly int[] probeLength = new int[ProbeSlots];
        readonly uint[] probeIp = new uint[ProbeSlots];
        readonly long[] probeDue = new long[ProbeSlots];
        readonly bool[] probeConflict = new bool[ProbeSlots];
        readonly int[] probeTries = new int[ProbeSlots];
        readonly byte[] conflictMac = new byte[ProbeSlots * 6];

        public DhcpServer(LanConfig config, DhcpLeaseTable leases, NeighborTable arp, LanCounters counters, ILeaseStore store)
        {
            this.config = config;
            this.leases = leases;
            this.arp = arp;
            this.counters = counters;
            this.store = store;
            for (int i = 0; i < ProbeSlots; i++)
                probeRequest[i] = new byte[ProbeRequestBytes];
        }

        /// <summary>Bytes of the probe slots: the kept requests and their bookkeeping (31 B each besides the request).</summary>
        public int ProbeBytes { get { return ProbeSlots * (ProbeRequestBytes + 4 + 4 + 8 + 1 + 4 + 6 + 4); } }

        public DhcpLeaseTable Leases { get { return leases; } }

        /// <summary>
        /// Where lease events go; null for nowhere. The leases are loaded while the server is built,
        /// before any log can be attached: damage found then is recorded when the log arrives.
        /// </summary>
        public EventLog Events
        {
            get { return events; }
            set
            {
                events = value;
                if (value != null && damageUnlogged)
                {
                    damageUnlogged = false;
                    value.Add(EventKind.LeaseStoreDamaged, loadedAt, leases.LoadKept, leases.LoadLost);
                }
            }
        }
        EventLog events;
        bool damageUnlogged;
        long loadedAt;

        long LeaseMs { get { return config.LeaseTimeSeconds * 1000L; } }

        /// <summary>Loads the persisted leases (at start, off the packet path).</summary>
        public void LoadLeases(long now)
        {
            if (store == null)
                return;
            int rejected = leases.Load(store, now);
            if (rejected != 0)
                counters.Increment(LanCounter.LeaseStoreLoadRejected);
            if (leases.LoadLost > 0)
                counters.Add(LanCounter.LeaseStoreRecordsLost, leases.LoadLost);
            if (leases.LoadDamaged)
            {
                counters.Increment(LanCounter.LeaseStoreDamaged);
                if (Events != null)
                    Events.Add(EventKind.LeaseStoreDamaged, now, leases.LoadKept, leases.LoadLost);
                else
                {
                    damageUnlogged = true; // logged when the log is attached (Events)
                    loadedAt = now;
                }
                dirty = true; // write a sound record back at the first idle point
            }
        }

        /// <summary>
        /// Handles the payload of a UDP datagram to port 67 (the IPv4 and UDP headers already
        /// checked): (buffer, offset, length) is the DHCP message. Replies are addressed by
        /// chaddr and ciaddr/yiaddr, not by the frame's source.
        /// </summary>
        public LanResult Handle(byte[] buffer, int offset, int length, byte[] output, int outputOffset, long now)
        {
            return Handle(buffer, offset, length, -1, output, outputOffset, now);
        }

        /// <summary>
        /// As above, with the Ethernet source MAC of the frame at buffer[<paramref name="sourceMacOffset"/>]
        /// (-1: unknown, taken to be chaddr): RELEASE and DECLINE must come from the binding's MAC.
        /// </summary>
        public LanResult Handle(byte[] buffer, int offset, int length, int sourceMacOffset, byte[] output, int outputOffset, long now)
        {
            DhcpMessage m;
            LanCounter reason = DhcpMessage.TryParse(buffer, offset, length, out m);
            if (reason != LanCounter.Count)
                return counters.Drop(reason);
            if (m.Giaddr != 0)
                return counters.Drop(LanCounter.DropDhcpRelayed);
            int mac = m.ChaddrOffsetInBuffer;
            if ((buffer[mac] & 1) != 0 || (buffer[mac] | buffer[mac + 1] | buffer[mac + 2] | buffer[mac + 3] | buffer[mac + 4] | buffer[mac + 5]) == 0)
                return counters.Drop(LanCounter.DropDhcpBadHardware);
            leases.SetClientId(buffer, m.ClientIdOffset, m.ClientIdLength);
            if (sourceMacOffset < 0)
                sourceMacOffset = mac;
            switch (m.MessageType)
            {
                case DhcpMessage.Discover:
                    return OnDiscover(ref m, output, outputOffset, now);
                case DhcpMessage.Request:
                    return OnRequest(ref m, output, outputOffset, now);
                case DhcpMessage.Decline:
                    return OnDecline(ref m, sourceMacOffset, now);
                case DhcpMessage.Release:
                    return OnRelease(ref m, sourceMacOffset, now);
                case DhcpMessage.Inform:
                    return OnInform(ref m, output, outputOffset);
                case DhcpMessage.Offer:
                case DhcpMessage.Ack:
                case DhcpMessage.Nak:
                    return counters.Ignore(LanCounter.IgnoredDhcpServerMessage);
                default:
                    return counters.Drop(LanCounter.DropDhcpUnknownMessageType);
            }
        }

        LanResult OnDiscover(ref DhcpMessage m, byte[] output, int outputOffset, long now)
        {
            counters.Increment(LanCounter.DhcpDiscovers);
            if (!Bounds.Fits(output, outputOffset, MaxReplyFrameLength))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            byte[] b = m.Buffer;
            int mac = m.ChaddrOffsetInBuffer;
            for (int i = 0; i < ProbeSlots; i++)
                if (probeLength[i] > 0 && SameClient(i, ref m))
                    return counters.Ignore(LanCounter.IgnoredDhcpProbeBusy); // a retransmission while its address is probed
            uint ip = leases.ChooseAddress(b, mac, m.RequestedIp, now);
            if (ip == 0)
                return counters.Drop(LanCounter.DropDhcpPoolExhausted);
            if (!NeedsProbe(ip, b, mac, now))
            {
                if (leases.Assign(b, mac, ip, DhcpLeaseTable.StateOffered, now + DhcpLeaseTable.OfferHoldMs, now) < 0)
                    return counters.Drop(LanCounter.DropDhcpPoolExhausted);
                counters.Increment(LanCounter.DhcpOffers);
                return LanResult.Reply(WriteReply(ref m, DhcpMessage.Offer, 0, ip, true, output, outputOffset));
            }
            int slot = -1;
            for (int i = 0; i < ProbeSlots && slot < 0; i++)
                if (probeLength[i] == 0)
                    slot = i;
            if (slot < 0 || m.Length > ProbeRequestBytes)
                return counters.Ignore(LanCounter.IgnoredDhcpProbeBusy); // the client asks again in a few seconds
            // Hold the address for this client while it is probed, so no other DISCOVER takes it.
            if (leases.Assign(b, mac, ip, DhcpLeaseTable.StateOffered, now + DhcpLeaseTable.OfferHoldMs, now) < 0)
                return counters.Drop(LanCounter.DropDhcpPoolExhausted);
            System.Array.Copy(b, m.Offset, probeRequest[slot], 0, m.Length);
            probeLength[slot] = m.Length;
            probeTries[slot] = 1;
            return LanResult.Reply(StartProbe(slot, ip, now, output, outputOffset));
        }

        /// <summary>An address needs a probe unless it is the client's static one or its binding (offered or bound) still runs.</summary>
        bool NeedsProbe(uint ip, byte[] b, int mac, long now)
        {
            if (config.StaticAddressFor(b, mac) == ip)
                return false;
            int own = leases.FindByMac(b, mac);
            if (own < 0 || leases.AddressAt(own) != ip)
                return true;
            byte s = leases.EffectiveState(own, now);
            return s != DhcpLeaseTable.StateOffered && s != DhcpLeaseTable.StateBound;
        }

        bool SameClient(int slot, ref DhcpMessage m)
        {
            byte[] r = probeRequest[slot];
            // xid and chaddr of the kept request (offsets 4 and 28 of a DHCP message)
            for (int i = 0; i < 4; i++)
                if (r[4 + i] != m.Buffer[m.Offset + 4 + i])
                    return false;
            return MacAddress.Equal(r, 28, m.Buffer, m.ChaddrOffsetInBuffer);
        }

        /// <summary>Writes the ARP probe for <paramref name="ip"/> (RFC 5227 section 2.1.1: sender IP 0, target MAC 0, broadcast).</summary>
        int StartProbe(int slot, uint ip, long now, byte[] output, int outputOffset)
        {
            probeIp[slot] = ip;
            probeDue[slot] = now + ProbeWaitMs;
            probeConflict[slot] = false;
            EthernetFrame.WriteHeader(output, outputOffset, LanFrames.BroadcastMac, 0, config.RouterMac, 0, EthernetFrame.EtherTypeArp);
            ArpPacket.Write(output, outputOffset + EthernetFrame.HeaderLength, ArpPacket.OperationRequest,
                config.RouterMac, 0, 0, LanFrames.ZeroMac, 0, ip);
            counters.Increment(LanCounter.DhcpProbesSent);
            return ArpResponder.FrameLength;
        }

        /// <summary>
        /// An ARP packet seen on the LAN (the ARP responder passes each one): a host other than the
        /// requesting client that says it has (sender) or wants (a probe's target) an address being
        /// probed is in conflict with it.
        /// </summary>
        public void ObserveArp(ArpPacket p)
        {
            for (int i = 0; i < ProbeSlots; i++)
            {
                if (probeLength[i] == 0 || probeConflict[i])
                    continue;
                uint ip = probeIp[i];
                bool claims = p.SenderAddress == ip || (p.SenderAddress == 0 && p.TargetAddress == ip);
                if (!claims || MacAddress.Equal(p.Buffer, p.SenderHardwareOffsetInBuffer, config.RouterMac, 0)
                    || MacAddress.Equal(p.Buffer, p.SenderHardwareOffsetInBuffer, probeRequest[i], 28))
                    continue;
                probeConflict[i] = true;
                System.Array.Copy(p.Buffer, p.SenderHardwareOffsetInBuffer, conflictMac, i * 6, 6);
            }
        }

        /// <summary>When a probe's wait ends (long.MaxValue when none waits).</summary>
        public long NextDeadline(long now)
        {
            long next = long.MaxValue;
            for (int i = 0; i < ProbeSlots; i++)
                if (probeLength[i] > 0 && probeDue[i] < next)
                    next = probeDue[i];
            return next;
        }

        /// <summary>
        /// A probe whose wait ended: the OFFER (no answer came), or, when another host answered,
        /// the address marked in use and a probe of the next one. Returns the frame's length, 0 when nothing is due.
        /// </summary>
        public int Tick(long now, byte[] output, int outputOffset)
        {
            for (int i = 0; i < ProbeSlots; i++)
            {
                if (probeLength[i] == 0 || now < probeDue[i])
                    continue;
                DhcpMessage m;
                if (!Bounds.Fits(output, outputOffset, MaxReplyFrameLength)
                    || DhcpMessage.TryParse(probeRequest[i], 0, probeLength[i], out m) != LanCounter.Count)
                {
                    probeLength[i] = 0;
                    continue;
                }
                byte[] b = m.Buffer;
                int mac = m.ChaddrOffsetInBuffer;
                leases.SetClientId(b, m.ClientIdOffset, m.ClientIdLength);
                uint ip = probeIp[i];
                int slot = leases.FindByMac(b, mac);
                if (probeConflict[i])
                {
                    counters.Increment(LanCounter.DhcpProbeConflicts);
                    if (Events != null)
                        Events.AddIpv4(EventKind.LeaseAddressInUse, now, ip, conflictMac, i * 6, 0);
                    if (arp.Learn(ip, conflictMac, i * 6, now))
                        counters.Increment(LanCounter.NeighborsLearnedV4);
                    if (slot >= 0 && leases.AddressAt(slot) == ip)
                    {
                        // Out of use for DeclineHoldMs, like a DECLINE, except to the host that answered: it
                        // holds the address (a lease this server forgot) and may renew it.
                        if (leases.MarkInUse(slot, conflictMac, i * 6, now))
                            counters.Increment(LanCounter.DhcpDeclinedRecycled);
                    }
                    uint next = probeTries[i] < ProbeTries ? leases.ChooseAddress(b, mac, 0, now) : 0;
                    if (next == 0 || next == ip || leases.Assign(b, mac, next, DhcpLeaseTable.StateOffered, now + DhcpLeaseTable.OfferHoldMs, now) < 0)
                    {
                        probeLength[i] = 0; // the client's retransmission starts over
                        continue;
                    }
                    probeTries[i]++;
                    return StartProbe(i, next, now, output, outputOffset);
                }
                probeLength[i] = 0;
                if (slot < 0 || leases.AddressAt(slot) != ip || leases.EffectiveState(slot, now) != DhcpLeaseTable.StateOffered)
                    continue; // the client moved on meanwhile (a REQUEST, a RELEASE)
                counters.Increment(LanCounter.DhcpOffers);
                return WriteReply(ref m, DhcpMessage.Offer, 0, ip, true, output, outputOffset);
            }
            return 0;
        }

        LanResult OnRequest(ref DhcpMessage m, byte[] output, int outputOffset, long now)
        {
            counters.Increment(LanCounter.DhcpRequests);
            if (!Bounds.Fits(output, outputOffset, MaxReplyFrameLength))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            byte[] b = m.Buffer;
            int mac = m.ChaddrOffsetInBuffer;
            int slot = leases.FindByMac(b, mac);
            uint ip;
            if (m.HasServerId)
            {
                // SELECTING (section 4.3.2): the client answers an OFFER.
                if (m.ServerId != config.RouterIp)
                {
                    if (slot >= 0)
                        leases.Forget(slot);
                    return counters.Ignore(LanCounter.IgnoredDhcpOtherServer);
                }
                ip = m.RequestedIp;
                if (m.Ciaddr != 0 || ip == 0)
                    return counters.Drop(LanCounter.DropDhcpBadRequest);
                if (slot < 0 || leases.AddressAt(slot) != ip || !leases.IsAvailableFor(ip, b, mac, now))
                    return Nak(ref m, output, outputOffset);
            }
            else if (m.HasRequestedIp)
            {
                // INIT-REBOOT: the client checks the address it remembers.
                ip = m.RequestedIp;
                if (m.Ciaddr != 0)
                    return counters.Drop(LanCounter.DropDhcpBadRequest);
                if (!config.IsHostAddress(ip))
                    return Nak(ref m, output, outputOffset); // on the wrong network
                if (slot < 0 && config.StaticAddressFor(b, mac) == 0)
                {
                    // "If the DHCP server has no record of this client, then it MUST remain silent",
                    // unless the address is plainly not this client's to have.
                    if (!leases.IsAvailableFor(ip, b, mac, now))
                        return Nak(ref m, output, outputOffset);
                    return counters.Ignore(LanCounter.IgnoredDhcpNoRecord);
                }
                if ((slot >= 0 && leases.AddressAt(slot) != ip && config.StaticAddressFor(b, mac) == 0)
                    || !leases.IsAvailableFor(ip, b, mac, now))
                    return Nak(ref m, output, outputOffset);
            }
            else
            {
                // RENEWING (unicast) or REBINDING (broadcast): ciaddr is the address in use.
                ip = m.Ciaddr;
                if (ip == 0)
                    return counters.Drop(LanCounter.DropDhcpBadRequest);
                if (!config.IsHostAddress(ip) || !leases.IsAvailableFor(ip, b, mac, now)
                    || (slot >= 0 && leases.AddressAt(slot) != ip && leases.EffectiveState(slot, now) == DhcpLeaseTable.StateBound))
                    return Nak(ref m, output, outputOffset);
            }

            bool renewal = slot >= 0 && leases.AddressAt(slot) == ip && leases.EffectiveState(slot, now) == DhcpLeaseTable.StateBound;
            slot = leases.Assign(b, mac, ip, DhcpLeaseTable.StateBound, now + LeaseMs, now);
            if (slot < 0)
                return counters.Drop(LanCounter.DropDhcpPoolExhausted);
            if (!renewal && Events != null)
                Events.AddIpv4(EventKind.LeaseGranted, now, ip, b, mac, 0);
            if (arp.Learn(ip, b, mac, now))
                counters.Increment(LanCounter.NeighborsLearnedV4);
            if (store != null && leases.NeedsSave(slot, LeaseMs))
                dirty = true; // the router writes the record, then releases this ACK (SaveLeases)
            counters.Increment(LanCounter.DhcpAcks);
            return LanResult.Reply(WriteReply(ref m, DhcpMessage.Ack, m.Ciaddr, ip, true, output, outputOffset));
        }

        /// <summary>
        /// True when a RELEASE or DECLINE may change the binding: the frame's source MAC is chaddr and
        /// is the binding's MAC (a client id is no proof: any host can copy it). Otherwise counted and logged.
        /// </summary>
        bool FromHolder(ref DhcpMessage m, int slot, int sourceMacOffset, LanCounter forged, uint ip, long now)
        {
            byte[] b = m.Buffer;
            int chaddr = m.ChaddrOffsetInBuffer;
            bool own = MacAddress.Equal(b, sourceMacOffset, b, chaddr);
            if (own && slot >= 0)
            {
                leases.CopyMacAt(slot, scratchMac, 0);
                own = MacAddress.Equal(scratchMac, 0, b, sourceMacOffset);
            }
            if (own)
                return true;
            counters.Increment(forged);
            if (Events != null)
                Events.AddIpv4(EventKind.LeaseForgeryRefused, now, ip, b, sourceMacOffset, 0);
            return false;
        }

        readonly byte[] scratchMac = new byte[6];

        LanResult OnDecline(ref DhcpMessage m, int sourceMacOffset, long now)
        {
            counters.Increment(LanCounter.DhcpDeclines);
            if (m.HasServerId && m.ServerId != config.RouterIp)
                return counters.Ignore(LanCounter.IgnoredDhcpOtherServer);
            int slot = leases.FindByMac(m.Buffer, m.ChaddrOffsetInBuffer);
            byte state = slot < 0 ? DhcpLeaseTable.StateFree : leases.EffectiveState(slot, now);
            if (slot < 0 || !m.HasRequestedIp || leases.AddressAt(slot) != m.RequestedIp
                || (state != DhcpLeaseTable.StateOffered && state != DhcpLeaseTable.StateBound)
                || config.StaticAddressFor(m.Buffer, m.ChaddrOffsetInBuffer) == m.RequestedIp)
                return counters.Ignore(LanCounter.IgnoredDhcpDeclineUnknown);
            if (!FromHolder(ref m, slot, sourceMacOffset, LanCounter.IgnoredDhcpForgedDecline, m.RequestedIp, now))
                return LanResult.Consumed;
            arp.Forget(m.RequestedIp);
            if (Events != null)
                Events.AddIpv4(EventKind.LeaseDeclined, now, m.RequestedIp, m.Buffer, m.ChaddrOffsetInBuffer, 0);
            if (leases.Decline(slot, now))
                counters.Increment(LanCounter.DhcpDeclinedRecycled);
            dirty = true;
            return LanResult.Consumed;
        }

        LanResult OnRelease(ref DhcpMessage m, int sourceMacOffset, long now)
        {
            counters.Increment(LanCounter.DhcpReleases);
            if (m.HasServerId && m.ServerId != config.RouterIp)
                return counters.Ignore(LanCounter.IgnoredDhcpOtherServer);
            int slot = leases.FindByMac(m.Buffer, m.ChaddrOffsetInBuffer);
            if (slot < 0 || leases.AddressAt(slot) != m.Ciaddr || leases.EffectiveState(slot, now) != DhcpLeaseTable.StateBound)
                return counters.Ignore(LanCounter.IgnoredDhcpReleaseUnknown);
            if (!FromHolder(ref m, slot, sourceMacOffset, LanCounter.IgnoredDhcpForgedRelease, m.Ciaddr, now))
                return LanResult.Consumed;
            if (Events != null)
                Events.AddIpv4(EventKind.LeaseReleased, now, m.Ciaddr, m.Buffer, m.ChaddrOffsetInBuffer, 0);
            leases.Release(slot, now);
            dirty = true;
            return LanResult.Consumed;
        }

        LanResult OnInform(ref DhcpMessage m, byte[] output, int outputOffset)
        {
            counters.Increment(LanCounter.DhcpInforms);
            if (!Bounds.Fits(output, outputOffset, MaxReplyFrameLength))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            if (!config.IsHostAddress(m.Ciaddr) || m.Ciaddr == config.RouterIp)
                return counters.Drop(LanCounter.DropDhcpBadRequest);
            counters.Increment(LanCounter.DhcpAcks);
            return LanResult.Reply(WriteReply(ref m, DhcpMessage.Ack, m.Ciaddr, 0, false, output, outputOffset));
        }

        LanResult Nak(ref DhcpMessage m, byte[] output, int outputOffset)
        {
            counters.Increment(LanCounter.DhcpNaks);
            return LanResult.Reply(WriteReply(ref m, DhcpMessage.Nak, 0, 0, false, output, outputOffset));
        }

        /// <summary>
        /// True when a binding changed since the lease record was last written. Handle never writes
        /// the store itself (a flash write there would stall forwarding): the router writes the
        /// record with <see cref="SaveLeases"/> once its ports are drained, and holds the replies
        /// made meanwhile (the ACK of a new lease) until then, so a client never holds a lease that
        /// a crash could forget.
        /// </summary>
        public bool LeasesDirty { get { return dirty; } }

        /// <summary>Writes the lease record when it is behind (see <see cref="LeasesDirty"/>).</summary>
        public void SaveLeases(long now)
        {
            if (!dirty)
                return;
            dirty = false;
            if (store == null)
                return;
            // A failed write is counted; the held replies still go (a DHCP server that stops
            // answering because its flash fails helps nobody), and the next change writes again.
            if (leases.Save(store, now))
            {
                counters.Increment(LanCounter.LeaseStoreSaves);
                return;
            }
            counters.Increment(LanCounter.LeaseStoreSaveFailed);
            if (Events != null)
                Events.Add(EventKind.LeaseStoreSaveFailed, now, 0, 0);
        }

        /// <summary>Builds the reply frame; returns its length (at most MaxReplyFrameLength).</summary>
        int WriteReply(ref DhcpMessage m, byte type, uint ciaddr, uint yiaddr, bool withLease, byte[] output, int outputOffset)
        {
            int at = outputOffset + LanFrames.UdpPayloadOffset;
            m.WriteReplyHeader(output, at, ciaddr, yiaddr);
            int pos = at + DhcpMessage.OptionsOffset;
            pos = DhcpMessage.PutOption8(output, pos, DhcpMessage.OptionMessageType, type);
            pos = DhcpMessage.PutOption32(output, pos, DhcpMessage.OptionServerId, config.RouterIp);
            if (type != DhcpMessage.Nak)
            {
                if (withLease)
                {
                    uint lease = (uint)config.LeaseTimeSeconds;
                    pos = DhcpMessage.PutOption32(output, pos, DhcpMessage.OptionLeaseTime, lease);
                    pos = DhcpMessage.PutOption32(output, pos, DhcpMessage.OptionRenewalTime, lease / 2);
                    pos = DhcpMessage.PutOption32(output, pos, DhcpMessage.OptionRebindingTime, (uint)(lease * 7L / 8));
                }
                // Requested options in the client's order, then the essential ones not requested;
                // each written once (a bit per supplied option).
                int written = 0;
                for (int i = 0; i < m.ParameterListLength; i++)
                    pos = PutParameter(output, pos, m.ParameterAt(i), ref written);
                pos = PutParameter(output, pos, DhcpMessage.OptionSubnetMask, ref written);
                pos = PutParameter(output, pos, DhcpMessage.OptionRouter, ref written);
                pos = PutParameter(output, pos, DhcpMessage.OptionDnsServer, ref written);
            }
            output[pos++] = DhcpMessage.OptionEnd;
            int dhcpLength = pos - at;
            if (dhcpLength < DhcpMessage.MinReplyLength)
            {
                System.Array.Clear(output, pos, DhcpMessage.MinReplyLength - dhcpLength);
                dhcpLength = DhcpMessage.MinReplyLength;
            }

            // Section 4.1 addressing, giaddr being zero.
            byte[] dstMac = m.Buffer;
            int dstMacOffset = m.ChaddrOffsetInBuffer;
            uint dstIp;
            if (type == DhcpMessage.Nak)
            {
                dstIp = 0xFFFFFFFF;
                dstMac = LanFrames.BroadcastMac;
                dstMacOffset = 0;
            }
            else if (m.Ciaddr != 0)
            {
                dstIp = m.Ciaddr;
            }
            else if (m.BroadcastFlag || yiaddr == 0)
            {
                dstIp = 0xFFFFFFFF;
                dstMac = LanFrames.BroadcastMac;
                dstMacOffset = 0;
            }
            else
            {
                dstIp = yiaddr;
            }
            return LanFrames.FinishUdp4(output, outputOffset, dstMac, dstMacOffset, config.RouterMac, config.RouterIp, dstIp,
                DhcpMessage.ServerPort, DhcpMessage.ClientPort, dhcpLength, identification++);
        }

        /// <summary>
        /// Writes one of the options the server supplies, unless <paramref name="written"/> says
        /// it is already there; other codes write nothing. At most 6 bytes each, 5 options.
        /// </summary>
        int PutParameter(byte[] output, int pos, byte code, ref int written)
        {
            int bit;
            switch (code)
            {
                case DhcpMessage.OptionSubnetMask: bit = 1; break;
                case DhcpMessage.OptionRouter: bit = 2; break;
                case DhcpMessage.OptionDnsServer: bit = 4; break;
                case DhcpMessage.OptionInterfaceMtu: bit = 8; break;
                case DhcpMessage.OptionBroadcastAddress: bit = 16; break;
                default: return pos;
            }
            if ((written & bit) != 0)
                return pos;
            written |= bit;
            switch (code)
            {
                case DhcpMessage.OptionSubnetMask:
                    return DhcpMessage.PutOption32(output, pos, code, config.SubnetMask);
                case DhcpMessage.OptionInterfaceMtu:
                    return DhcpMessage.PutOption16(output, pos, code, (ushort)config.Mtu);
                case DhcpMessage.OptionBroadcastAddress:
                    return DhcpMessage.PutOption32(output, pos, code, config.BroadcastAddress);
                default: // router (3) and DNS server (6): the router itself
                    return DhcpMessage.PutOption32(output, pos, code, config.RouterIp);
            }
        }


    }
}

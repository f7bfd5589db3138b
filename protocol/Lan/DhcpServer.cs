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
    /// (RFC 2132 section 9.8). The client is known by chaddr (the router serves one Ethernet
    /// segment); option 61 is not used. A lease time the client asks for (51) is not honoured.
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

        public DhcpServer(LanConfig config, DhcpLeaseTable leases, NeighborTable arp, LanCounters counters, ILeaseStore store)
        {
            this.config = config;
            this.leases = leases;
            this.arp = arp;
            this.counters = counters;
            this.store = store;
        }

        public DhcpLeaseTable Leases { get { return leases; } }

        /// <summary>Where lease events go; null for nowhere.</summary>
        public EventLog Events;

        long LeaseMs { get { return config.LeaseTimeSeconds * 1000L; } }

        /// <summary>Loads the persisted leases (at start, off the packet path).</summary>
        public void LoadLeases(long now)
        {
            if (store == null)
                return;
            int rejected = leases.Load(store, now);
            if (rejected != 0)
                counters.Increment(LanCounter.LeaseStoreLoadRejected);
        }

        /// <summary>
        /// Handles the payload of a UDP datagram to port 67 (the IPv4 and UDP headers already
        /// checked): (buffer, offset, length) is the DHCP message. Replies are addressed by
        /// chaddr and ciaddr/yiaddr, not by the frame's source.
        /// </summary>
        public LanResult Handle(byte[] buffer, int offset, int length, byte[] output, int outputOffset, long now)
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
            switch (m.MessageType)
            {
                case DhcpMessage.Discover:
                    return OnDiscover(ref m, output, outputOffset, now);
                case DhcpMessage.Request:
                    return OnRequest(ref m, output, outputOffset, now);
                case DhcpMessage.Decline:
                    return OnDecline(ref m, now);
                case DhcpMessage.Release:
                    return OnRelease(ref m, now);
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
            uint ip = leases.ChooseAddress(b, mac, m.RequestedIp, now);
            if (ip == 0 || leases.Assign(b, mac, ip, DhcpLeaseTable.StateOffered, now + DhcpLeaseTable.OfferHoldMs, now) < 0)
                return counters.Drop(LanCounter.DropDhcpPoolExhausted);
            counters.Increment(LanCounter.DhcpOffers);
            return LanResult.Reply(WriteReply(ref m, DhcpMessage.Offer, 0, ip, true, output, outputOffset));
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

            slot = leases.Assign(b, mac, ip, DhcpLeaseTable.StateBound, now + LeaseMs, now);
            if (slot < 0)
                return counters.Drop(LanCounter.DropDhcpPoolExhausted);
            if (arp.Learn(ip, b, mac, now))
                counters.Increment(LanCounter.NeighborsLearnedV4);
            if (store != null && leases.NeedsSave(slot, LeaseMs))
                dirty = true; // the router writes the record, then releases this ACK (SaveLeases)
            counters.Increment(LanCounter.DhcpAcks);
            return LanResult.Reply(WriteReply(ref m, DhcpMessage.Ack, m.Ciaddr, ip, true, output, outputOffset));
        }

        LanResult OnDecline(ref DhcpMessage m, long now)
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
            arp.Forget(m.RequestedIp);
            if (leases.Decline(slot, now))
                counters.Increment(LanCounter.DhcpDeclinedRecycled);
            dirty = true;
            return LanResult.Consumed;
        }

        LanResult OnRelease(ref DhcpMessage m, long now)
        {
            counters.Increment(LanCounter.DhcpReleases);
            if (m.HasServerId && m.ServerId != config.RouterIp)
                return counters.Ignore(LanCounter.IgnoredDhcpOtherServer);
            int slot = leases.FindByMac(m.Buffer, m.ChaddrOffsetInBuffer);
            if (slot < 0 || leases.AddressAt(slot) != m.Ciaddr || leases.EffectiveState(slot, now) != DhcpLeaseTable.StateBound)
                return counters.Ignore(LanCounter.IgnoredDhcpReleaseUnknown);
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
            counters.Increment(leases.Save(store, now) ? LanCounter.LeaseStoreSaves : LanCounter.LeaseStoreSaveFailed);
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

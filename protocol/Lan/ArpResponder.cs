using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// The router's ARP (RFC 826) on the LAN: answers requests for its address, learns LAN hosts
    /// into the <see cref="NeighborTable"/>, announces its address at start (RFC 5227 section 2.3)
    /// and defends it (section 2.4 (b)), and writes requests for hosts it must reach.
    /// <code>
    ///  Ethernet | dst (6) | src (6) | 0x0806 |
    ///  ARP      | htype 1 | ptype 0x0800 | hlen 6 | plen 4 | op |
    ///           | sender MAC | sender IP | target MAC | target IP |      28 bytes, frame 42
    /// </code>
    /// RFC 826's packet reception: the sender's pair is merged into the table when the sender is
    /// already there, and added when the router is the target; a request for the router's
    /// address is answered to the sender's MAC. An announcement is a request whose sender and
    /// target addresses are both the router's, target MAC zero, broadcast (RFC 5227 section 2.3:
    /// ANNOUNCE_NUM 2, ANNOUNCE_INTERVAL 2 s). When another MAC claims the router's address the
    /// router announces again, at most once per DEFEND_INTERVAL (10 s).
    /// </summary>
    public sealed class ArpResponder
    {
        public const int FrameLength = EthernetFrame.HeaderLength + ArpPacket.PacketLength;
        /// <summary>RFC 5227 section 1.1.</summary>
        public const int AnnounceNum = 2;
        public const long AnnounceIntervalMs = 2000;
        public const long DefendIntervalMs = 10000;

        readonly LanConfig config;
        readonly NeighborTable table;
        readonly LanCounters counters;
        int announcementsLeft = AnnounceNum;
        long nextAnnouncement = long.MinValue;
        long lastDefence = long.MinValue;
        readonly byte[] probe = new byte[6];

        /// <summary>Sees every valid ARP packet first (the DHCP server, for its address probes); null for none.</summary>
        public DhcpServer Observer;

        public ArpResponder(LanConfig config, NeighborTable table, LanCounters counters)
        {
            if (table.AddressLength != 4)
                throw new System.ArgumentException("the ARP cache holds IPv4 addresses", "table");
            this.config = config;
            this.table = table;
            this.counters = counters;
        }

        /// <summary>Handles an ARP frame (EtherType 0x0806) received on the LAN.</summary>
        public LanResult Handle(EthernetFrame eth, byte[] output, int outputOffset, long now)
        {
            ArpPacket arp;
            if (!ArpPacket.TryCreate(eth.Buffer, eth.PayloadOffset, eth.PayloadLength, out arp))
                return counters.Drop(LanCounter.DropMalformedArp);
            ushort op = arp.Operation;
            byte[] b = arp.Buffer;
            int senderMac = arp.SenderHardwareOffsetInBuffer;
            if ((op != ArpPacket.OperationRequest && op != ArpPacket.OperationReply) || (b[senderMac] & 1) != 0)
                return counters.Drop(LanCounter.DropMalformedArp);
            if (Observer != null)
                Observer.ObserveArp(arp);
            uint sender = arp.SenderAddress;
            uint target = arp.TargetAddress;
            uint us = config.RouterIp;

            if (sender == us)
            {
                if (MacAddress.Equal(b, senderMac, config.RouterMac, 0))
                    return Consumed(LanCounter.IgnoredArpForOthers); // our own frame, looped back
                counters.Increment(LanCounter.IgnoredArpConflict);
                if (now - lastDefence < DefendIntervalMs && lastDefence != long.MinValue)
                    return LanResult.Consumed;
                if (!Bounds.Fits(output, outputOffset, FrameLength))
                    return counters.Drop(LanCounter.DropOutputTooSmall);
                lastDefence = now;
                counters.Increment(LanCounter.ArpConflictsDefended);
                return LanResult.Reply(WriteAnnouncement(output, outputOffset));
            }

            // RFC 826 merge: refresh a known sender; add it when we are the target.
            if (config.IsHostAddress(sender))
            {
                if ((target == us || table.TryGetMac(sender, probe, 0)) && table.Learn(sender, b, senderMac, now))
                    counters.Increment(LanCounter.NeighborsLearnedV4);
            }

            if (op != ArpPacket.OperationRequest || target != us)
                return Consumed(LanCounter.IgnoredArpForOthers);
            if (!Bounds.Fits(output, outputOffset, FrameLength))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            EthernetFrame.WriteHeader(output, outputOffset, b, senderMac, config.RouterMac, 0, EthernetFrame.EtherTypeArp);
            ArpPacket.Write(output, outputOffset + EthernetFrame.HeaderLength, ArpPacket.OperationReply,
                config.RouterMac, 0, us, b, senderMac, sender);
            counters.Increment(LanCounter.ArpRepliesSent);
            return LanResult.Reply(FrameLength);
        }

        /// <summary>
        /// Writes an ARP announcement of the router's address (RFC 5227 section 2.3): a broadcast
        /// request with sender and target IP the router's, target MAC zero. Returns 42, or 0
        /// when the buffer is too small.
        /// </summary>
        public int WriteAnnouncement(byte[] output, int offset)
        {
            if (!Bounds.Fits(output, offset, FrameLength))
                return 0;
            EthernetFrame.WriteHeader(output, offset, LanFrames.BroadcastMac, 0, config.RouterMac, 0, EthernetFrame.EtherTypeArp);
            ArpPacket.Write(output, offset + EthernetFrame.HeaderLength, ArpPacket.OperationRequest,
                config.RouterMac, 0, config.RouterIp, LanFrames.ZeroMac, 0, config.RouterIp);
            counters.Increment(LanCounter.ArpAnnouncementsSent);
            return FrameLength;
        }

        /// <summary>
        /// Writes a broadcast ARP request for <paramref name="ip"/> (RFC 826), for a host the
        /// router must reach but has no MAC for. Returns 42, or 0 when the buffer is too small.
        /// </summary>
        public int WriteRequest(uint ip, byte[] output, int offset)
        {
            if (!Bounds.Fits(output, offset, FrameLength))
                return 0;
            EthernetFrame.WriteHeader(output, offset, LanFrames.BroadcastMac, 0, config.RouterMac, 0, EthernetFrame.EtherTypeArp);
            ArpPacket.Write(output, offset + EthernetFrame.HeaderLength, ArpPacket.OperationRequest,
                config.RouterMac, 0, config.RouterIp, LanFrames.ZeroMac, 0, ip);
            counters.Increment(LanCounter.ArpRequestsSent);
            return FrameLength;
        }

        /// <summary>When the next start-up announcement is due, or long.MaxValue when all were sent.</summary>
        public long NextDeadline(long now)
        {
            if (announcementsLeft == 0)
                return long.MaxValue;
            return nextAnnouncement == long.MinValue ? now : nextAnnouncement;
        }

        /// <summary>Writes the start-up announcement that is due, if any. Returns its length or 0.</summary>
        public int Tick(long now, byte[] output, int offset)
        {
            if (announcementsLeft == 0 || (nextAnnouncement != long.MinValue && now < nextAnnouncement))
                return 0;
            int n = WriteAnnouncement(output, offset);
            if (n == 0)
                return 0;
            announcementsLeft--;
            nextAnnouncement = now + AnnounceIntervalMs;
            return n;
        }


        LanResult Consumed(LanCounter reason)
        {
            counters.Increment(reason);
            return LanResult.Consumed;
        }
    }
}

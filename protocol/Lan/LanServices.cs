using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// The router's own services on the LAN, behind one entry point: ARP (RFC 826, RFC 5227),
    /// the DHCPv4 server (RFC 2131), ICMP and ICMPv6 echo (RFC 792, RFC 4443), Neighbour
    /// Discovery and Router Advertisements (RFC 4861, RFC 8106). Sans-I/O: frames and
    /// <c>now</c> come in, reply frames go out in the caller's buffer, nothing is read from a
    /// clock, a socket or a random source (jitter comes from the injected entropy source).
    /// <code>
    ///  Ethernet frame ──► not to the router's MAC, broadcast or multicast ─────────► NotForUs
    ///   ├ ARP (0x0806) ──► ArpResponder ─────────────────────────────────► Reply / Consumed / Dropped
    ///   ├ IPv4 to the router, 255.255.255.255 or the subnet broadcast:
    ///   │   UDP 67 ──► DhcpServer;  UDP 53 to the router ──► NotForUs (the NAT redirects DNS);
    ///   │   ICMP ──► IcmpEchoResponder;  anything else ──► Dropped (unhandled) / Consumed (broadcast)
    ///   ├ IPv4 to 224.0.0.0/24 (link-local multicast) ──► Consumed;   other IPv4 ──► NotForUs
    ///   ├ IPv6 (source learned into the neighbour cache when it is a LAN address)
    ///   │   ICMPv6 133-137 ──► NeighborDiscovery;  echo to the router ──► IcmpEchoResponder
    ///   │   MLD (130-132, 143) ──► Consumed;  UDP 53 to the router ──► NotForUs
    ///   │   other to the router ──► Dropped;  other to ff02::/16 ──► Consumed;  other ──► NotForUs
    ///   └ other EtherTypes ──► NotForUs;  802.1Q-tagged ──► Dropped (the LAN is untagged)
    /// </code>
    /// DNS: the router advertises itself as the resolver (DHCP option 6, RDNSS) but answers no
    /// query; UDP port 53 to the router is left to the NAT, which sends it to the resolver in
    /// the tunnel. Every Dropped and every ignore is counted in <see cref="Counters"/>.
    /// Memory (bytes of table data, without array headers): leases 27 + 15 per slot plus 6,
    /// IPv4 neighbours 19 per slot, IPv6 neighbours 31 per slot, counters 8 per counter.
    /// </summary>
    public sealed class LanServices
    {
        readonly LanConfig config;
        readonly LanCounters counters = new LanCounters();
        readonly NeighborTable ipv4Neighbors;
        readonly NeighborTable ipv6Neighbors;
        readonly ArpResponder arp;
        readonly DhcpServer dhcp;
        readonly IcmpEchoResponder echo;
        readonly RouterAdvertiser advertiser;
        readonly NeighborDiscovery nd;

        /// <param name="config">The LAN configuration; validated here.</param>
        /// <param name="leaseCapacity">DHCP lease slots (board profile).</param>
        /// <param name="ipv4NeighborCapacity">ARP cache slots.</param>
        /// <param name="ipv6NeighborCapacity">IPv6 neighbour cache slots (hosts have several addresses each).</param>
        /// <param name="store">Lease persistence, or null for none.</param>
        /// <param name="entropy">Jitter for RA intervals, or null for fixed mid-range intervals.</param>
        /// <param name="now">Monotonic milliseconds at start; stored leases are loaded relative to it.</param>
        public LanServices(LanConfig config, int leaseCapacity, int ipv4NeighborCapacity, int ipv6NeighborCapacity,
            ILeaseStore store, IRandomSource entropy, long now)
        {
            if (config == null)
                throw new System.ArgumentNullException("config");
            config.Validate();
            this.config = config;
            ipv4Neighbors = new NeighborTable(ipv4NeighborCapacity, 4);
            ipv6Neighbors = new NeighborTable(ipv6NeighborCapacity, 16);
            arp = new ArpResponder(config, ipv4Neighbors, counters);
            dhcp = new DhcpServer(config, new DhcpLeaseTable(config, leaseCapacity), ipv4Neighbors, counters, store);
            arp.Observer = dhcp; // ARP answers to the DHCP server's probes
            echo = new IcmpEchoResponder(config, counters);
            advertiser = new RouterAdvertiser(config, counters, entropy);
            nd = new NeighborDiscovery(config, ipv6Neighbors, advertiser, counters);
            dhcp.LoadLeases(now);
        }

        public LanConfig Config { get { return config; } }
        public LanCounters Counters { get { return counters; } }
        public ArpResponder Arp { get { return arp; } }
        public DhcpServer Dhcp { get { return dhcp; } }
        /// <summary>Neighbours learned, per family (for the console and tests; the tables stay inside).</summary>
        public int Ipv4NeighborCount { get { return ipv4Neighbors.Count; } }
        public int Ipv6NeighborCount { get { return ipv6Neighbors.Count; } }

        /// <summary>The wall clock (unix ms at monotonic now): leases are stored against it and loaded ones re-timed to their real end.</summary>
        public void SetWallClock(long unixMilliseconds, long now) { dhcp.Leases.SetWallClock(unixMilliseconds, now); }

        /// <summary>The RA's default-router lifetime follows the tunnel: 1800 s while it is up, 0 while it is not (<see cref="RouterAdvertiser.SetDefaultRoute"/>).</summary>
        public bool SetTunnelUp(bool up, long now) { return advertiser.SetDefaultRoute(up, now); }

        public RouterAdvertiser Advertiser { get { return advertiser; } }

        /// <summary>Where lease events go (grants, releases, declines, forgeries, probes answered, store damage); null for nowhere.</summary>
        public EventLog Events { get { return dhcp.Events; } set { dhcp.Events = value; } }

        /// <summary>True when a stored record (the leases) is behind: see <see cref="DhcpServer.LeasesDirty"/>.</summary>
        public bool RecordsDirty { get { return dhcp.LeasesDirty; } }

        /// <summary>Writes the records that are behind; the router calls it when its ports are drained.</summary>
        public void SaveRecords(long now) { dhcp.SaveLeases(now); }

        /// <summary>Bytes of table data held (leases, both neighbour caches, counters).</summary>
        public int SizeInBytes
        {
            get { return dhcp.Leases.SizeInBytes + dhcp.ProbeBytes + ipv4Neighbors.SizeInBytes + ipv6Neighbors.SizeInBytes + counters.MemoryBytes; }
        }

        /// <summary>The MAC of a LAN host's IPv4 address, for frames the router sends it.</summary>
        public bool TryGetMac(uint ip, byte[] mac, int macOffset) { return ipv4Neighbors.TryGetMac(ip, mac, macOffset); }

        /// <summary>The MAC of a LAN host's IPv6 address, for frames the router sends it.</summary>
        public bool TryGetMac(byte[] ip, int offset, byte[] mac, int macOffset) { return ipv6Neighbors.TryGetMac(ip, offset, mac, macOffset); }

        /// <summary>
        /// Handles one frame received on the LAN. A Reply's frame is at output[outputOffset ..
        /// outputOffset + Length); the output needs <see cref="DhcpServer.MaxReplyFrameLength"/>
        /// bytes, or the request's length for echo replies, and must be another array than
        /// <paramref name="frame"/>. Never throws on the frame's contents; never allocates.
        /// </summary>
        public LanResult Handle(byte[] frame, int offset, int length, byte[] output, int outputOffset, long now)
        {
            if (frame != null && frame == output)
                throw new System.ArgumentException("the output must be another buffer than the frame", "output");
            EthernetFrame eth;
            if (!EthernetFrame.TryCreate(frame, offset, length, out eth))
                return counters.Drop(LanCounter.DropMalformedEthernet);
            Ipv4Packet ip4;
            Ipv6Packet ip6;
            int version;
            return Handle(eth, output, outputOffset, now, out ip4, out ip6, out version);
        }

        /// <summary>
        /// The router's entry: the frame parsed once by the caller, and the IP header parsed once
        /// here and handed back. When the result is NotForUs, <paramref name="ipVersion"/> says which
        /// view was filled (4: <paramref name="ip4"/>, 6: <paramref name="ip6"/>, 0: none, the frame
        /// carries no IP packet or is not addressed to the router), so the NAT works on the same view.
        /// </summary>
        public LanResult Handle(EthernetFrame eth, byte[] output, int outputOffset, long now,
            out Ipv4Packet ip4, out Ipv6Packet ip6, out int ipVersion)
        {
            ip4 = default(Ipv4Packet);
            ip6 = default(Ipv6Packet);
            ipVersion = 0;
            if (eth.Buffer != null && eth.Buffer == output)
                throw new System.ArgumentException("the output must be another buffer than the frame", "output");
            if (!eth.IsMulticast && !MacAddress.Equal(eth.Buffer, eth.DestinationOffsetInBuffer, config.RouterMac, 0))
                return LanResult.NotForUs;
            if (eth.HasVlanTag)
                return counters.Drop(LanCounter.DropVlanTagged);
            switch (eth.EtherType)
            {
                case EthernetFrame.EtherTypeArp:
                    return arp.Handle(eth, output, outputOffset, now);
                case EthernetFrame.EtherTypeIpv4:
                    if (!Ipv4Packet.TryCreate(eth.Buffer, eth.PayloadOffset, eth.PayloadLength, out ip4))
                        return counters.Drop(LanCounter.DropMalformedIpv4);
                    ipVersion = 4;
                    return HandleIpv4(eth, ip4, output, outputOffset, now);
                case EthernetFrame.EtherTypeIpv6:
                    if (!Ipv6Packet.TryCreate(eth.Buffer, eth.PayloadOffset, eth.PayloadLength, out ip6))
                        return counters.Drop(LanCounter.DropMalformedIpv6);
                    ipVersion = 6;
                    return HandleIpv6(eth, ip6, output, outputOffset, now);
                default:
                    return LanResult.NotForUs;
            }
        }

        LanResult HandleIpv4(EthernetFrame eth, Ipv4Packet ip, byte[] output, int outputOffset, long now)
        {
            uint dst = ip.Destination;
            bool toRouter = dst == config.RouterIp;
            bool broadcast = dst == 0xFFFFFFFF || dst == config.BroadcastAddress;
            if (!toRouter && !broadcast)
            {
                if ((dst & 0xFFFFFF00) == 0xE0000000)
                    return counters.Ignore(LanCounter.IgnoredLinkMulticast); // 224.0.0.0/24 never leaves the link (RFC 5771)
                return LanResult.NotForUs;
            }
            byte protocol = ip.Protocol;
            if (protocol == Ipv4Packet.ProtocolUdp && toRouter && !ip.IsFragment && ip.PayloadLength >= 4
                && Endian.Read16(eth.Buffer, ip.PayloadOffset + 2) == 53)
                return LanResult.NotForUs; // DNS to the router: the NAT redirects it into the tunnel
            if (!ip.VerifyHeaderChecksum())
                return counters.Drop(LanCounter.DropBadIpv4Checksum);
            if (ip.IsFragment)
                return counters.Drop(LanCounter.DropFragmentToRouter);
            if (protocol == Ipv4Packet.ProtocolUdp)
            {
                UdpDatagram udp;
                if (!UdpDatagram.TryCreate(eth.Buffer, ip.PayloadOffset, ip.PayloadLength, out udp))
                    return counters.Drop(LanCounter.DropMalformedUdp);
                if (udp.DestinationPort == DhcpMessage.ServerPort)
                {
                    if (!udp.VerifyChecksum(ip.PseudoHeaderSum(), true))
                        return counters.Drop(LanCounter.DropBadUdpChecksum);
                    return dhcp.Handle(eth.Buffer, udp.PayloadOffset, udp.PayloadLength, eth.SourceOffsetInBuffer, output, outputOffset, now);
                }
            }
            else if (protocol == Ipv4Packet.ProtocolIcmp && toRouter)
            {
                return echo.HandleV4(eth, ip, output, outputOffset);
            }
            if (broadcast)
                return counters.Ignore(LanCounter.IgnoredLinkBroadcast);
            return counters.Drop(LanCounter.DropToRouterUnhandled);
        }

        LanResult HandleIpv6(EthernetFrame eth, Ipv6Packet ip, byte[] output, int outputOffset, long now)
        {
            byte[] b = eth.Buffer;
            int src = ip.SourceOffsetInBuffer;
            int dst = ip.DestinationOffsetInBuffer;
            if (Ipv6Address.IsMulticast(b, src))
                return counters.Drop(LanCounter.DropMalformedIpv6); // RFC 4291 section 2.7: never a source
            bool toRouter = config.IsRouterIpv6(b, dst);
            bool linkMulticast = b[dst] == 0xFF && (b[dst + 1] & 0x0F) <= 2; // interface- or link-local scope
            byte upper = ip.UpperLayerProtocol;
            bool nd = false;
            if (upper == Ipv6Packet.NextHeaderIcmpv6 && ip.HasUpperLayerHeader && ip.UpperLayerLength >= 1)
                nd = NeighborDiscovery.IsNdType(b[ip.UpperLayerOffset]);
            // Learn from traffic; ND messages are learned from their options after validation instead.
            if (!nd && !Ipv6Address.IsUnspecified(b, src))
                LearnFromTraffic(b, src, eth, now);
            if (!toRouter && !linkMulticast)
                return LanResult.NotForUs;
            if (upper == Ipv6Packet.NextHeaderUdp && toRouter && ip.HasUpperLayerHeader && ip.UpperLayerLength >= 4
                && Endian.Read16(b, ip.UpperLayerOffset + 2) == 53)
                return LanResult.NotForUs; // DNS to the router: the NAT redirects it into the tunnel
            if (upper == Ipv6Packet.NextHeaderIcmpv6)
            {
                if (ip.HasFragmentHeader)
                    return counters.Drop(LanCounter.DropFragmentToRouter);
                Icmpv6Packet icmp;
                if (!Icmpv6Packet.TryCreate(b, ip.UpperLayerOffset, ip.UpperLayerLength, out icmp))
                    return counters.Drop(LanCounter.DropMalformedIcmp);
                if (!icmp.VerifyChecksum(ip.PseudoHeaderSum()))
                    return counters.Drop(LanCounter.DropBadIcmpChecksum);
                byte type = icmp.Type;
                if (NeighborDiscovery.IsNdType(type))
                    return this.nd.Handle(eth, ip, icmp, output, outputOffset, now);
                if (type == Icmpv6Packet.TypeEchoRequest && toRouter)
                    return echo.HandleV6(eth, ip, icmp, output, outputOffset);
                if (type == 130 || type == 131 || type == 132 || type == 143)
                    return counters.Ignore(LanCounter.IgnoredMld);
                return counters.Ignore(toRouter ? LanCounter.IgnoredIcmpToRouter : LanCounter.IgnoredLinkMulticast);
            }
            if (toRouter)
                return counters.Drop(LanCounter.DropToRouterUnhandled);
            return counters.Ignore(LanCounter.IgnoredLinkMulticast);
        }

        void LearnFromTraffic(byte[] b, int src, EthernetFrame eth, long now)
        {
            nd.Learn(b, src, b, eth.SourceOffsetInBuffer, now);
        }

        /// <summary>
        /// Sends what is due: the start-up ARP announcements (RFC 5227), then periodic Router
        /// Advertisements. Returns Reply with one frame, or Consumed when nothing is due; call
        /// again while it returns Reply (NextDeadline is then <c>now</c>).
        /// </summary>
        public LanResult Tick(long now, byte[] output, int outputOffset)
        {
            int n = arp.Tick(now, output, outputOffset);
            if (n == 0)
                n = dhcp.Tick(now, output, outputOffset);
            if (n == 0)
                n = advertiser.Tick(now, output, outputOffset);
            return n > 0 ? LanResult.Reply(n) : LanResult.Consumed;
        }

        /// <summary>The earliest time <see cref="Tick"/> has something to send.</summary>
        public long NextDeadline(long now)
        {
            long a = arp.NextDeadline(now);
            long r = advertiser.NextDeadline(now);
            long d = dhcp.NextDeadline(now);
            if (d < a)
                a = d;
            return a < r ? a : r;
        }

        /// <summary>Number of lease slots in use (any state but free), for the <c>leases</c> console command.</summary>
        public int LeaseCount
        {
            get
            {
                DhcpLeaseTable t = dhcp.Leases;
                int n = 0;
                for (int i = 0; i < t.Capacity; i++)
                    if (t.StateAt(i) != DhcpLeaseTable.StateFree)
                        n++;
                return n;
            }
        }

        /// <summary>The DHCP lease table, for the console's machine-readable listing (read it through <see cref="LeaseSlot"/>).</summary>
        public DhcpLeaseTable Leases { get { return dhcp.Leases; } }

        /// <summary>The slot of the index-th lease in use (0 ≤ index &lt; <see cref="LeaseCount"/>), or -1.</summary>
        public int LeaseSlot(int index)
        {
            DhcpLeaseTable t = dhcp.Leases;
            for (int i = 0; i < t.Capacity; i++)
            {
                if (t.StateAt(i) == DhcpLeaseTable.StateFree || index-- != 0)
                    continue;
                return i;
            }
            return -1;
        }

        /// <summary>
        /// One line for the <c>leases</c> console command (off the packet path; allocates):
        /// "192.168.4.10 02:00:00:00:00:01 bound 43190s". Null when there is no such lease.
        /// </summary>
        public string FormatLease(int index, long now)
        {
            DhcpLeaseTable t = dhcp.Leases;
            int i = LeaseSlot(index);
            if (i < 0)
                return null;
            byte[] mac = new byte[6];
            t.CopyMacAt(i, mac, 0);
            byte s = t.EffectiveState(i, now);
            long left = t.ExpiresAt(i) - now;
            string time = left > 0 && s != DhcpLeaseTable.StateReleased ? " " + (left / 1000).ToString() + "s" : "";
            return FormatIpv4(t.AddressAt(i)) + " " + MacAddress.Format(mac, 0) + " " + DhcpLeaseTable.StateName(s) + time;
        }

        /// <summary>Dotted quad (console only).</summary>
        public static string FormatIpv4(uint ip)
        {
            return (ip >> 24).ToString() + "." + ((ip >> 16) & 255).ToString() + "." + ((ip >> 8) & 255).ToString() + "." + (ip & 255).ToString();
        }


    }
}

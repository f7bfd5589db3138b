using Warp.Protocol.Nat;
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
    ///   │   UDP 67 ──► DhcpServer;  UDP and TCP 53 to the router ──► NotForUs (the NAT redirects DNS);
    ///   │   ICMP ──► IcmpEchoResponder (fragments answered piece by piece);
    ///   │   anything else ──► Dropped (unhandled) / Consumed (broadcast)
    ///   ├ IPv4 to 224.0.0.0/24 (link-local multicast) ──► Consumed;   other IPv4 ──► NotForUs
    ///   ├ IPv6 (source learned into the neighbour cache when it is a LAN address)
    ///   │   ICMPv6 133-137 ──► NeighborDiscovery;  echo to the router ──► IcmpEchoResponder
    ///   │   MLD (130-132, 143) ──► Consumed;  UDP and TCP 53 to the router ──► NotForUs
    ///   │   other to the router ──► Dropped;  other to ff02::/16 ──► Consumed;  other ──► NotForUs
    ///   └ other EtherTypes ──► NotForUs;  802.1Q-tagged ──► Dropped (the LAN is untagged)
    /// </code>
    /// DNS: the router advertises itself as the resolver (DHCP option 6, RDNSS) but answers no
    /// query; UDP and TCP port 53 to the router are left to the NAT, which sends them to the
    /// resolver in the tunnel (TCP carries answers too big for UDP, RFC 7766). Every Dropped and every ignore is counted in <see cref="Counters"/>.
    /// A hostile LAN: every IP packet to forward passes source address validation (RFC 7039)
    /// before it is handed on. IPv4: the source must be the address leased (or statically leased)
    /// to the frame's source MAC (DHCP snooping / IP source guard). IPv6: first-come,
    /// first-served bindings (RFC 6620, <see cref="Ipv6SourceBindings"/>), link-local and the
    /// ULA /64 only. Each device (MAC) that passes gets an index (<see cref="LanDevices"/>) that
    /// the NAT's fairness counts; traffic back to a LAN address goes to the MAC it is bound to
    /// (<see cref="TryGetBoundMac(uint, byte[], int, long)"/>), never to whichever MAC last spoke.
    /// Memory (bytes of table data, without array headers): leases 27 + 15 per slot plus 6,
    /// IPv4 neighbours 19 per slot, IPv6 neighbours 31 per slot, devices 15 per slot, IPv6
    /// source bindings 26 per slot, counters 8 per counter.
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
        readonly LanDevices devices;
        readonly Ipv6SourceBindings bindings;
        readonly byte[] scratchMac = new byte[6];
        int leaseHint = -1;
        NatFragments fragments;

        /// <param name="config">The LAN configuration; validated here.</param>
        /// <param name="leaseCapacity">DHCP lease slots (board profile).</param>
        /// <param name="ipv4NeighborCapacity">ARP cache slots.</param>
        /// <param name="ipv6NeighborCapacity">IPv6 neighbour cache slots (hosts have several addresses each).</param>
        /// <param name="store">Lease persistence, or null for none.</param>
        /// <param name="entropy">Jitter for RA intervals, or null for fixed mid-range intervals.</param>
        /// <param name="now">Monotonic milliseconds at start; stored leases are loaded relative to it.</param>
        /// <param name="deviceCapacity">LAN devices (MACs) tracked for source validation and fairness, 1..255.</param>
        /// <param name="ipv6BindingCapacity">IPv6 source bindings (addresses of all devices together).</param>
        public LanServices(LanConfig config, int leaseCapacity, int ipv4NeighborCapacity, int ipv6NeighborCapacity,
            ILeaseStore store, IRandomSource entropy, long now, int deviceCapacity = 32, int ipv6BindingCapacity = 64)
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
            devices = new LanDevices(deviceCapacity);
            bindings = new Ipv6SourceBindings(ipv6BindingCapacity);
            dhcp.LoadLeases(now);
        }

        public LanConfig Config { get { return config; } }

        /// <summary>The router's own TCP port (the setup page), 0 for none: TCP to the router's address and this port is left to the router (NotForUs) after source validation.</summary>
        public ushort WebPort;

        /// <summary>
        /// Answers fragmented echo requests to the router piece by piece, tracked by the NAT's
        /// fragment table (<see cref="IcmpEchoResponder"/>); without it such fragments are dropped.
        /// </summary>
        public void UseFragments(NatFragments tracker) { fragments = tracker; }
        public LanCounters Counters { get { return counters; } }
        public ArpResponder Arp { get { return arp; } }
        public DhcpServer Dhcp { get { return dhcp; } }
        /// <summary>IPv6 neighbours learned (for tests; the table stays inside).</summary>
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
            get
            {
                return dhcp.Leases.SizeInBytes + dhcp.ProbeBytes + ipv4Neighbors.SizeInBytes + ipv6Neighbors.SizeInBytes + counters.MemoryBytes
                    + devices.SizeInBytes + bindings.SizeInBytes;
            }
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
            LanPacket packet;
            return Handle(eth, output, outputOffset, now, out packet);
        }

        /// <summary>
        /// The router's entry: the frame parsed once by the caller, and the IP header parsed once
        /// here and handed back in <paramref name="packet"/>. When the result is NotForUs and the
        /// frame is addressed to the router, the packet's source has passed validation and
        /// <paramref name="packet"/> names its version (so the NAT works on the same view) and the
        /// sending device; a source that fails is Dropped, counted by reason.
        /// </summary>
        public LanResult Handle(EthernetFrame eth, byte[] output, int outputOffset, long now, out LanPacket packet)
        {
            packet.Ip4 = default(Ipv4Packet);
            packet.Ip6 = default(Ipv6Packet);
            packet.Version = 0;
            packet.Device = -1;
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
                {
                    if (!Ipv4Packet.TryCreate(eth.Buffer, eth.PayloadOffset, eth.PayloadLength, out packet.Ip4))
                        return counters.Drop(LanCounter.DropMalformedIpv4);
                    packet.Version = 4;
                    LanResult r = HandleIpv4(eth, packet.Ip4, output, outputOffset, now);
                    if (r.Action == LanAction.NotForUs && !eth.IsMulticast)
                        return ValidateIpv4Source(eth, packet.Ip4, now, ref packet);
                    if (r.Action == LanAction.Reply)
                        packet.Device = BoundDevice(eth, now); // a DHCP client that now holds a lease is a device
                    return r;
                }
                case EthernetFrame.EtherTypeIpv6:
                {
                    if (!Ipv6Packet.TryCreate(eth.Buffer, eth.PayloadOffset, eth.PayloadLength, out packet.Ip6))
                        return counters.Drop(LanCounter.DropMalformedIpv6);
                    packet.Version = 6;
                    LanResult r = HandleIpv6(eth, packet.Ip6, output, outputOffset, now);
                    if (r.Action == LanAction.NotForUs && !eth.IsMulticast)
                        return ValidateIpv6Source(eth, packet.Ip6, now, ref packet);
                    return r;
                }
                default:
                    return LanResult.NotForUs;
            }
        }

        /// <summary>IP source guard: the source must be leased to the frame's source MAC (RFC 7039 section 4.1, DHCP snooping).</summary>
        LanResult ValidateIpv4Source(EthernetFrame eth, Ipv4Packet ip, long now, ref LanPacket packet)
        {
            byte[] b = eth.Buffer;
            int mac = eth.SourceOffsetInBuffer;
            uint src = ip.Source;
            uint statically = config.StaticAddressFor(b, mac);
            if (src == 0 || statically != src)
            {
                DhcpLeaseTable leases = dhcp.Leases;
                int slot = leaseHint;
                if (slot < 0 || leases.StateAt(slot) == DhcpLeaseTable.StateFree || leases.AddressAt(slot) != src)
                    slot = leases.FindByIp(src); // the last lease checked is the usual answer: a flow's packets skip the scan
                if (slot < 0 || leases.EffectiveState(slot, now) != DhcpLeaseTable.StateBound)
                    return counters.Drop(LanCounter.DropSourceUnboundV4);
                if (!leases.HasMacAt(slot, b, mac))
                    return counters.Drop(LanCounter.DropSourceLeasedElsewhere);
                leaseHint = slot;
            }
            packet.Device = devices.FindOrAdd(b, mac, now);
            if (packet.Device < 0)
                return counters.Drop(LanCounter.DropSourceDeviceTableFull);
            return LanResult.NotForUs;
        }

        /// <summary>FCFS source address validation for IPv6 (RFC 6620).</summary>
        LanResult ValidateIpv6Source(EthernetFrame eth, Ipv6Packet ip, long now, ref LanPacket packet)
        {
            byte[] b = eth.Buffer;
            int src = ip.SourceOffsetInBuffer;
            if (!Ipv6SourceBindings.IsOnLink(b, src, config))
                return counters.Drop(LanCounter.DropSourceForeignPrefix);
            int device = devices.FindOrAdd(b, eth.SourceOffsetInBuffer, now);
            LanCounter bad = bindings.Check(b, src, device, config, now);
            if (bad != LanCounter.None)
                return counters.Drop(bad);
            packet.Device = device;
            return LanResult.NotForUs;
        }

        void BindFromDad(EthernetFrame eth, byte[] b, int target, long now)
        {
            if (!Ipv6SourceBindings.IsOnLink(b, target, config) || bindings.DeviceOf(b, target, now) >= 0)
                return;
            int device = devices.FindOrAdd(b, eth.SourceOffsetInBuffer, now);
            if (device >= 0)
                bindings.Check(b, target, device, config, now);
        }

        /// <summary>The device of a frame's source MAC when that MAC holds a bound DHCP lease (entered now), else -1.</summary>
        int BoundDevice(EthernetFrame eth, long now)
        {
            int slot = dhcp.Leases.FindByMac(eth.Buffer, eth.SourceOffsetInBuffer);
            if (slot < 0 || dhcp.Leases.EffectiveState(slot, now) != DhcpLeaseTable.StateBound)
                return -1;
            return devices.FindOrAdd(eth.Buffer, eth.SourceOffsetInBuffer, now);
        }

        /// <summary>
        /// Copies to (mac, macOffset) the MAC an IPv4 address is bound to: its live DHCP lease, or
        /// a static lease. False when the address is bound to nobody: nothing is delivered then.
        /// </summary>
        public bool TryGetBoundMac(uint ip, byte[] mac, int macOffset, long now)
        {
            int slot = dhcp.Leases.FindByIp(ip);
            if (slot >= 0 && dhcp.Leases.EffectiveState(slot, now) == DhcpLeaseTable.StateBound)
            {
                dhcp.Leases.CopyMacAt(slot, mac, macOffset);
                return true;
            }
            return config.TryGetStaticMac(ip, mac, macOffset);
        }

        /// <summary>Copies the MAC of the device an IPv6 address at (address, offset) is bound to; false when none.</summary>
        public bool TryGetBoundMac(byte[] address, int offset, byte[] mac, int macOffset, long now)
        {
            int device = bindings.DeviceOf(address, offset, now);
            if (device < 0 || !devices.IsUsed(device))
                return false;
            devices.CopyMac(device, mac, macOffset);
            return true;
        }

        /// <summary>
        /// Moves whenever a DHCP lease or an IPv6 source binding is made, renewed, released, declined,
        /// lapses (when the lapse is noticed) or is removed: a copy of a binding (the native fast path's
        /// flows) is checked again when this moves. Compare for equality only.
        /// </summary>
        public int BindingVersion { get { return dhcp.Leases.Version + bindings.Version; } }

        /// <summary>
        /// The binding of a LAN IPv4 address as <see cref="TryGetBoundMac(uint, byte[], int, long)"/>
        /// finds it (its live lease, else a static lease): copies the MAC and returns the ms it stays
        /// bound from <paramref name="now"/> (long.MaxValue: a static lease, for ever); -1 when the
        /// address is bound to nobody. Traffic does not extend a lease (only DHCP does).
        /// </summary>
        public long BindingLifetime(uint ip, byte[] mac, int macOffset, long now)
        {
            int slot = dhcp.Leases.FindByIp(ip);
            if (slot >= 0 && dhcp.Leases.EffectiveState(slot, now) == DhcpLeaseTable.StateBound)
            {
                dhcp.Leases.CopyMacAt(slot, mac, macOffset);
                return dhcp.Leases.ExpiresAt(slot) - now;
            }
            return config.TryGetStaticMac(ip, mac, macOffset) ? long.MaxValue : -1;
        }

        /// <summary>
        /// The binding of a LAN IPv6 address (RFC 6620): copies its device's MAC and returns the ms it
        /// stays bound from <paramref name="now"/> without traffic from that device (each packet the
        /// device sends from it renews it to <see cref="Ipv6SourceBindings.Lifetime"/>); -1 when none.
        /// </summary>
        public long BindingLifetime(byte[] address, int offset, byte[] mac, int macOffset, long now)
        {
            int slot = bindings.Find(address, offset, now);
            if (slot < 0 || !devices.IsUsed(bindings.DeviceAt(slot)))
                return -1;
            devices.CopyMac(bindings.DeviceAt(slot), mac, macOffset);
            return bindings.LastSeenAt(slot) + Ipv6SourceBindings.Lifetime - now;
        }

        /// <summary>
        /// Traffic from the LAN IPv6 address at (address, offset), sent by the device with this MAC at
        /// <paramref name="at"/>, that the LAN services did not see (the native fast path carried it):
        /// the binding is renewed as the source check would have renewed it. Nothing when the address
        /// is bound to another device or to none.
        /// </summary>
        public void RenewBinding(byte[] address, int offset, byte[] mac, int macOffset, long at, long now)
        {
            int slot = bindings.Find(address, offset, now);
            if (slot < 0)
                return;
            int device = bindings.DeviceAt(slot);
            if (!devices.IsUsed(device))
                return;
            devices.CopyMac(device, scratchMac, 0);
            if (MacAddress.Equal(scratchMac, 0, mac, macOffset))
                bindings.Refresh(slot, at);
        }

        /// <summary>The devices on the LAN (for the router's bookkeeping and the console).</summary>
        public LanDevices Devices { get { return devices; } }
        /// <summary>IPv6 source bindings in force.</summary>
        public int Ipv6BindingCount { get { return bindings.Count; } }

        /// <summary>
        /// True when the device can be forgotten: silent for <paramref name="idleMs"/>, no live
        /// DHCP lease for its MAC and no live IPv6 binding. The router also checks it holds no NAT session.
        /// </summary>
        public bool IsDeviceIdle(int device, long now, long idleMs)
        {
            if (!devices.IsUsed(device) || now - devices.LastSeen(device) < idleMs || bindings.HasBinding(device, now))
                return false;
            devices.CopyMac(device, scratchMac, 0);
            int slot = dhcp.Leases.FindByMac(scratchMac, 0);
            return slot < 0 || dhcp.Leases.EffectiveState(slot, now) != DhcpLeaseTable.StateBound;
        }

        /// <summary>Frees a device and its IPv6 bindings.</summary>
        public void ForgetDevice(int device)
        {
            bindings.ForgetDevice(device);
            devices.Forget(device);
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
            if ((protocol == Ipv4Packet.ProtocolUdp || protocol == Ipv4Packet.ProtocolTcp) && toRouter && !ip.IsFragment
                && ip.PayloadLength >= 4 && Endian.Read16(eth.Buffer, ip.PayloadOffset + 2) == 53)
                return LanResult.NotForUs; // DNS to the router (UDP or TCP): the NAT redirects it into the tunnel
            if (protocol == Ipv4Packet.ProtocolTcp && toRouter && WebPort != 0 && !ip.IsFragment && ip.PayloadLength >= 4
                && Endian.Read16(eth.Buffer, ip.PayloadOffset + 2) == WebPort && ip.VerifyHeaderChecksum())
                return LanResult.NotForUs; // the setup page: the router's TCP server takes it
            if (!ip.VerifyHeaderChecksum())
                return counters.Drop(LanCounter.DropBadIpv4Checksum);
            if (ip.IsFragment)
            {
                if (protocol == Ipv4Packet.ProtocolIcmp && toRouter && fragments != null)
                    return echo.ReflectFragmentV4(eth, ip, fragments, now, output, outputOffset);
                return counters.Drop(LanCounter.DropFragmentToRouter);
            }
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
            if ((upper == Ipv6Packet.NextHeaderUdp || upper == Ipv6Packet.NextHeaderTcp) && toRouter && !ip.HasFragmentHeader
                && ip.HasUpperLayerHeader && ip.UpperLayerLength >= 4 && Endian.Read16(b, ip.UpperLayerOffset + 2) == 53)
                return LanResult.NotForUs; // DNS to the router (UDP or TCP): the NAT redirects it into the tunnel
            if (upper == Ipv6Packet.NextHeaderTcp && toRouter && WebPort != 0 && !ip.HasFragmentHeader && ip.HasUpperLayerHeader
                && ip.UpperLayerLength >= 4 && Endian.Read16(b, ip.UpperLayerOffset + 2) == WebPort)
                return LanResult.NotForUs; // the setup page: the router's TCP server takes it
            if (upper == Ipv6Packet.NextHeaderIcmpv6)
            {
                if (ip.HasFragmentHeader)
                {
                    if (toRouter && fragments != null)
                        return echo.ReflectFragmentV6(eth, ip, fragments, now, output, outputOffset);
                    return counters.Drop(LanCounter.DropFragmentToRouter);
                }
                Icmpv6Packet icmp;
                if (!Icmpv6Packet.TryCreate(b, ip.UpperLayerOffset, ip.UpperLayerLength, out icmp))
                    return counters.Drop(LanCounter.DropMalformedIcmp);
                if (!icmp.VerifyChecksum(ip.PseudoHeaderSum()))
                    return counters.Drop(LanCounter.DropBadIcmpChecksum);
                byte type = icmp.Type;
                if (NeighborDiscovery.IsNdType(type))
                {
                    LanResult r = this.nd.Handle(eth, ip, icmp, output, outputOffset, now);
                    // A valid DAD probe (NS from ::) claims its target first (RFC 6620 section 3.2.3).
                    if (type == 135 && r.Action != LanAction.Dropped && Ipv6Address.IsUnspecified(b, src) && icmp.Length >= 24)
                        BindFromDad(eth, b, icmp.Offset + 8, now);
                    return r;
                }
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

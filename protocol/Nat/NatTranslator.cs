using Warp.Protocol.Net;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Network address and port translation (NAPT) of LAN hosts into the tunnel's one address per
    /// family, in place, on IP packets (Ethernet already stripped).
    /// <list type="bullet">
    ///   <item>IPv4: any LAN source becomes the tunnel's IPv4 address (RFC 3022 section 2.2, NAPT).</item>
    ///   <item>IPv6: any LAN source (ULA or global) becomes the tunnel's /128, with port translation
    ///     the same way (there is one address for all hosts, so ports must be translated).</item>
    ///   <item>TCP, UDP and ICMP/ICMPv6 echo are translated; ICMP errors are translated through
    ///     their quoted header (<see cref="NatIcmpErrors"/>); everything else is dropped and counted.</item>
    ///   <item>Mapping is endpoint-independent (RFC 4787 REQ-1, RFC 5382 REQ-1, RFC 5508 REQ-1);
    ///     filtering is address-dependent or endpoint-independent (RFC 4787 REQ-8, <see cref="NatConfig.Filtering"/>).</item>
    ///   <item>TCP MSS is clamped on SYNs in both directions to MTU − 40 (IPv4) / MTU − 60 (IPv6).</item>
    ///   <item>DNS to the router's address on port 53 goes to the configured resolver; replies come
    ///     back from the router's address.</item>
    ///   <item>Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8): a packet from the LAN to the tunnel
    ///     address is translated out and back in, and returned as <see cref="NatAction.WriteToLan"/>.</item>
    ///   <item>Fragments, IPv4 and IPv6, in order and out of order (RFC 4787 REQ-14), by virtual
    ///     reassembly (<see cref="NatFragments"/>): the first fragment is translated, the others
    ///     follow its translation; those that come first wait in bounded hold slots.</item>
    ///   <item>An IPv4 packet above the tunnel MTU without DF is translated whole; the caller
    ///     fragments it for the tunnel (<see cref="Ipv4Fragmenter"/>). With DF, or IPv6, the host
    ///     gets "fragmentation needed" / "packet too big" with the tunnel MTU.</item>
    /// </list>
    /// The translator decrements no TTL: forwarding (and its TTL/hop-limit rules) is the router's.
    /// Nothing here throws on bad input or allocates; checksums are updated incrementally (RFC 1624).
    /// </summary>
    public sealed partial class NatTranslator
    {
        readonly NatTable table;
        readonly NatConfig config;
        readonly NatCounters counters;
        readonly NatHostTable hosts;
        readonly NatIcmpErrors errors;
        readonly uint extV4;
        readonly byte[] extV6;
        readonly uint resolverV6Fingerprint;
        readonly NatRemoteAddresses remoteAddresses;
        long replyWindowStart = long.MinValue;
        int repliesInWindow;

        public NatTranslator(NatTable table)
        {
            if (table == null)
                throw new System.ArgumentNullException("table");
            this.table = table;
            config = table.Config;
            counters = table.Counters;
            hosts = table.Hosts;
            extV4 = config.ExternalAddressV4;
            extV6 = config.ExternalAddressV6;
            if (config.ResolverV6 != null)
                resolverV6Fingerprint = table.FingerprintV6(config.ResolverV6, 0);
            errors = new NatIcmpErrors(table);
            if (config.KeepRemoteV6Addresses)
                remoteAddresses = new NatRemoteAddresses(table);
            CreateFragments();
        }

        public NatTable Table { get { return table; } }
        /// <summary>IPv6 remote addresses by session (null unless <see cref="NatConfig.KeepRemoteV6Addresses"/>).</summary>
        public NatRemoteAddresses RemoteAddresses { get { return remoteAddresses; } }

        /// <summary>Bytes the translator holds beside the table and its counters: the fragment tracker and the IPv6 remote addresses, when kept.</summary>
        public int ExtraMemoryBytes
        {
            get { return (remoteAddresses == null ? 0 : remoteAddresses.MemoryBytes) + (fragments == null ? 0 : fragments.MemoryBytes); }
        }
        public NatCounters Counters { get { return counters; } }

        /// <summary>
        /// Translates a packet from the LAN: the source becomes the tunnel address and the
        /// session's external port. Returns ToTunnel, ToLan (hairpin), Reply (an ICMP error for the
        /// host was written to <paramref name="reply"/>; may be null) or Drop.
        /// </summary>
        public NatResult TranslateOutbound(byte[] packet, int offset, int length, long now, byte[] reply, int replyOffset)
        {
            if (!Bounds.Fits(packet, offset, length) || length < 1)
                return Drop(NatCounter.DropMalformedIp);
            int version = packet[offset] >> 4;
            Ipv4Packet ip4;
            if (version == 4 && Ipv4Packet.TryCreate(packet, offset, length, out ip4))
                return OutboundV4(ip4, NatHostTable.NoDevice, now, reply, replyOffset);
            Ipv6Packet ip6;
            if (version == 6 && Ipv6Packet.TryCreate(packet, offset, length, out ip6))
                return OutboundV6(ip6, NatHostTable.NoDevice, now, reply, replyOffset);
            return Drop(NatCounter.DropMalformedIp);
        }

        /// <summary>
        /// <see cref="TranslateOutbound(byte[], int, int, long, byte[], int)"/> for an IPv4 header the
        /// caller has parsed already (the router parses each LAN frame once): the packet is the view's.
        /// <paramref name="device"/> is the sender's device (the router's index of the MAC its source
        /// address is bound to, 0..254, or <see cref="NatHostTable.NoDevice"/>): the share limit and
        /// the per-device reserve count devices, not addresses.
        /// </summary>
        public NatResult TranslateOutbound(Ipv4Packet ip, int device, long now, byte[] reply, int replyOffset)
        {
            return OutboundV4(ip, device, now, reply, replyOffset);
        }

        /// <summary>The same for an IPv6 header the caller has parsed already.</summary>
        public NatResult TranslateOutbound(Ipv6Packet ip, int device, long now, byte[] reply, int replyOffset)
        {
            return OutboundV6(ip, device, now, reply, replyOffset);
        }

        /// <summary>Tells the NAT that a device is present on the LAN (bound) or gone: present devices keep their reserve.</summary>
        public void SetDeviceActive(int device, bool active) { table.SetDeviceActive(device, active); }

        /// <summary>
        /// Translates a packet out of the tunnel: the destination becomes the LAN host and port.
        /// Returns ToLan with <see cref="NatResult.Host"/> (see <see cref="NatHostTable"/> for its
        /// address), or Drop.
        /// </summary>
        public NatResult TranslateInbound(byte[] packet, int offset, int length, long now)
        {
            if (!Bounds.Fits(packet, offset, length) || length < 1)
                return Drop(NatCounter.DropMalformedIp);
            int version = packet[offset] >> 4;
            if (version == 4)
                return InboundV4(packet, offset, length, now);
            if (version == 6)
                return InboundV6(packet, offset, length, now);
            return Drop(NatCounter.DropMalformedIp);
        }

        /// <summary>Reclaims expired sessions in bounded work; see <see cref="NatTable.Tick"/>.</summary>
        public int Tick(long now)
        {
            if (fragments != null)
                fragments.Tick(now);
            return table.Tick(now);
        }

        /// <summary>When <see cref="Tick"/> should run next.</summary>
        public long NextDeadline(long now)
        {
            long next = table.NextDeadline(now);
            if (fragments != null)
            {
                long f = fragments.NextDeadline(now);
                if (f < next)
                    next = f;
            }
            return next;
        }

        // ---------------------------------------------------------------- IPv4

        NatResult OutboundV4(Ipv4Packet ip, int device, long now, byte[] reply, int replyOffset)
        {
            byte[] b = ip.Buffer;
            int offset = ip.Offset;
            if (b == null || !ip.VerifyHeaderChecksum())
                return Drop(NatCounter.DropMalformedIp);
            if (extV4 == 0)
                return Drop(NatCounter.DropNoTunnelAddress);
            uint src = ip.Source;
            uint dst = ip.Destination;
            if (!IsUnicastV4(src) || src == extV4)
                return Drop(NatCounter.DropBadSourceAddress);
            if (!IsUnicastV4(dst))
                return Drop(NatCounter.DropBadDestinationAddress);
            // RFC 4787 REQ-13 / RFC 1191: a DF packet too big for the tunnel gets "fragmentation needed".
            // Without DF it is translated and the caller fragments it (RFC 791).
            if (ip.Length > config.TunnelMtu && dst != extV4 && ip.DontFragment)
                return Refuse(NatCounter.DropTooBig, b, offset, ip.Length, false, now, reply, replyOffset, hosts.FindV4(src),
                    Icmpv4Packet.TypeDestinationUnreachable, Icmpv4Packet.CodeFragmentationNeeded);
            if (ip.IsFragment)
                return OutboundFragmentV4(ip, device, now, reply, replyOffset);
            return OutboundV4Body(ip, device, now, reply, replyOffset, false);
        }

        NatResult OutboundV4Body(Ipv4Packet ip, int device, long now, byte[] reply, int replyOffset, bool firstFragment)
        {
            byte[] b = ip.Buffer;
            int offset = ip.Offset;
            uint src = ip.Source;
            uint dst = ip.Destination;
            NatTransport t;
            NatCounter bad = NatTransport.Parse(b, ip.PayloadOffset, ip.PayloadLength, ip.Protocol, false, firstFragment, out t);
            if (bad != NatCounter.None)
                return Drop(bad);
            if (t.IsIcmp && IsTranslatedErrorV4(t.IcmpType))
                return Counted(errors.OutboundV4(ip, t.Icmp4, now));
            if (t.IsIcmp && t.IcmpType != Icmpv4Packet.TypeEchoRequest)
                return Drop(NatCounter.DropUnsupportedIcmpType);
            int flowClass = t.FlowClass, lanPort = t.LanSidePort(true), remotePort = t.RemotePort(true);
            byte flags = t.Flags;

            bool redirect = flowClass != NatTable.ProtoIcmp && remotePort == 53 && config.ResolverV4 != 0
                && config.RouterAddressV4 != 0 && dst == config.RouterAddressV4;
            uint remote = redirect ? config.ResolverV4 : dst;
            int host = hosts.FindV4(src);
            NatCounter reason;
            int s = OutboundSession(flowClass, host, false, src, b, 0, device, lanPort, remote, remotePort, redirect, flags, now, out reason);
            if (s < 0)
                return Refuse(reason, b, offset, ip.Length, false, now, reply, replyOffset, host,
                    Icmpv4Packet.TypeDestinationUnreachable, Icmpv4Packet.CodeAdministrativelyProhibited);

            ushort external = table.ExternalPort(s);
            ip.Source = extV4;
            if (redirect)
                ip.Destination = remote;
            if (flowClass == NatTable.ProtoTcp)
            {
                t.Tcp.AdjustChecksum32(src, extV4);
                if (redirect)
                    t.Tcp.AdjustChecksum32(dst, remote);
                t.Tcp.SourcePort = external;
                if (t.Tcp.Syn && t.Tcp.ClampMss((ushort)(config.TunnelMtu - 40)))
                    counters.Increment(NatCounter.MssClamped);
            }
            else if (flowClass == NatTable.ProtoUdp)
            {
                t.Udp.AdjustChecksum32(src, extV4);
                if (redirect)
                    t.Udp.AdjustChecksum32(dst, remote);
                t.Udp.SourcePort = external;
            }
            else
            {
                t.Icmp4.Identifier = external;
            }
            if (redirect)
                counters.Increment(NatCounter.DnsRedirected);
            if (dst == extV4)
                return Hairpin(b, offset, ip.Length, now);
            counters.Increment(NatCounter.Outbound);
            return NatResult.Forward(NatAction.WriteToTunnel, table.Host(s));
        }

        NatResult InboundV4(byte[] b, int offset, int length, long now)
        {
            Ipv4Packet ip;
            if (!Ipv4Packet.TryCreate(b, offset, length, out ip) || !ip.VerifyHeaderChecksum())
                return Drop(NatCounter.DropMalformedIp);
            if (extV4 == 0 || ip.Destination != extV4)
                return Drop(NatCounter.DropNotExternalAddress);
            if (ip.IsFragment)
                return InboundFragmentV4(ip, now);
            return InboundV4Body(ip, now, false);
        }

        NatResult InboundV4Body(Ipv4Packet ip, long now, bool firstFragment)
        {
            byte[] b = ip.Buffer;
            uint src = ip.Source;
            NatTransport t;
            NatCounter bad = NatTransport.Parse(b, ip.PayloadOffset, ip.PayloadLength, ip.Protocol, false, firstFragment, out t);
            if (bad != NatCounter.None)
                return Drop(bad);
            if (t.IsIcmp && IsTranslatedErrorV4(t.IcmpType))
                return Counted(errors.InboundV4(ip, t.Icmp4, now));
            if (t.IsIcmp && t.IcmpType != Icmpv4Packet.TypeEchoReply)
                return Drop(NatCounter.DropUnsupportedIcmpType);
            int flowClass = t.FlowClass, externalPort = t.LanSidePort(false), remotePort = t.RemotePort(false);
            byte flags = t.Flags;

            NatCounter reason;
            bool exact;
            int s = InboundSession(flowClass, externalPort, src, remotePort, flags, now, out exact, out reason);
            if (s < 0)
                return Drop(reason);
            int host = table.Host(s);
            uint lan = hosts.AddressV4(host);
            ushort lanPort = table.LanPort(s);
            bool unredirect = exact && table.IsRedirected(s) && config.RouterAddressV4 != 0;
            ip.Destination = lan;
            if (unredirect)
                ip.Source = config.RouterAddressV4;
            if (flowClass == NatTable.ProtoTcp)
            {
                t.Tcp.AdjustChecksum32(extV4, lan);
                if (unredirect)
                    t.Tcp.AdjustChecksum32(src, config.RouterAddressV4);
                t.Tcp.DestinationPort = lanPort;
                if (t.Tcp.Syn && t.Tcp.ClampMss((ushort)(config.TunnelMtu - 40)))
                    counters.Increment(NatCounter.MssClamped);
            }
            else if (flowClass == NatTable.ProtoUdp)
            {
                t.Udp.AdjustChecksum32(extV4, lan);
                if (unredirect)
                    t.Udp.AdjustChecksum32(src, config.RouterAddressV4);
                t.Udp.DestinationPort = lanPort;
            }
            else
            {
                t.Icmp4.Identifier = lanPort;
            }
            counters.Increment(NatCounter.Inbound);
            return NatResult.Forward(NatAction.WriteToLan, host);
        }

        /// <summary>
        /// The ICMP errors translated through their quote (RFC 5508 section 3.3): destination
        /// unreachable, time exceeded, parameter problem. Redirect (5) is not passed through a
        /// NAT (it names a next hop on another link) and source quench (4) is deprecated (RFC 6633);
        /// they and every other type are dropped as unsupported.
        /// </summary>
        static bool IsTranslatedErrorV4(byte type)
        {
            return type == Icmpv4Packet.TypeDestinationUnreachable || type == Icmpv4Packet.TypeTimeExceeded
                || type == Icmpv4Packet.TypeParameterProblem;
        }

        /// <summary>ICMPv6 errors translated: destination unreachable, packet too big, time exceeded, parameter problem (RFC 4443 types 1-4).</summary>
        static bool IsTranslatedErrorV6(byte type)
        {
            return type >= Icmpv6Packet.TypeDestinationUnreachable && type <= Icmpv6Packet.TypeParameterProblem;
        }

        /// <summary>Limited broadcast, multicast (224/4), class E, 0/8 and loopback are not unicast here.</summary>
        static bool IsUnicastV4(uint a)
        {
            int top = (int)(a >> 24);
            return top != 0 && top != 127 && top < 224;
        }

        // ---------------------------------------------------------------- IPv6

        NatResult OutboundV6(Ipv6Packet ip, int device, long now, byte[] reply, int replyOffset)
        {
            byte[] b = ip.Buffer;
            int offset = ip.Offset;
            if (b == null)
                return Drop(NatCounter.DropMalformedIp);
            if (extV6 == null)
                return Drop(NatCounter.DropNoTunnelAddress);
            int so = ip.SourceOffsetInBuffer;
            int d = ip.DestinationOffsetInBuffer;
            if (!IsGlobalishV6(b, so) || ip.SourceEquals(extV6, 0))
                return Drop(NatCounter.DropBadSourceAddress);
            if (!IsGlobalishV6(b, d))
                return Drop(NatCounter.DropBadDestinationAddress);
            if (ip.HasRoutingHeader)
                return Drop(NatCounter.DropUnsupportedProtocol);
            bool hairpin = ip.DestinationEquals(extV6, 0);
            if (ip.Length > config.TunnelMtu && !hairpin)
                return Refuse(NatCounter.DropTooBig, b, offset, ip.Length, true, now, reply, replyOffset, hosts.FindV6(b, so),
                    Icmpv6Packet.TypePacketTooBig, 0);
            if (ip.HasFragmentHeader)
                return OutboundFragmentV6(ip, device, now, reply, replyOffset);
            return OutboundV6Body(ip, device, now, reply, replyOffset, false);
        }

        NatResult OutboundV6Body(Ipv6Packet ip, int device, long now, byte[] reply, int replyOffset, bool firstFragment)
        {
            byte[] b = ip.Buffer;
            int offset = ip.Offset;
            int so = ip.SourceOffsetInBuffer;
            int d = ip.DestinationOffsetInBuffer;
            bool hairpin = ip.DestinationEquals(extV6, 0);
            NatTransport t;
            NatCounter bad = NatTransport.Parse(b, ip.UpperLayerOffset, ip.UpperLayerLength, ip.UpperLayerProtocol, true, firstFragment, out t);
            if (bad != NatCounter.None)
                return Drop(bad);
            if (t.IsIcmp && IsTranslatedErrorV6(t.IcmpType))
                return Counted(errors.OutboundV6(ip, t.Icmp6, now));
            if (t.IsIcmp && t.IcmpType != Icmpv6Packet.TypeEchoRequest)
                return Drop(NatCounter.DropUnsupportedIcmpType);
            int flowClass = t.FlowClass | NatTable.FlagV6, lanPort = t.LanSidePort(true), remotePort = t.RemotePort(true);
            byte flags = t.Flags;

            bool redirect = (flowClass & 3) != NatTable.ProtoIcmp && remotePort == 53 && config.ResolverV6 != null
                && config.RouterAddressV6 != null && ip.DestinationEquals(config.RouterAddressV6, 0);
            uint remote = redirect ? resolverV6Fingerprint : table.FingerprintV6(b, d);
            int host = hosts.FindV6(b, so);
            NatCounter reason;
            int s = OutboundSession(flowClass, host, true, 0, b, so, device, lanPort, remote, remotePort, redirect, flags, now, out reason);
            if (s < 0)
                return Refuse(reason, b, offset, ip.Length, true, now, reply, replyOffset, host,
                    Icmpv6Packet.TypeDestinationUnreachable, 1);

            ushort external = table.ExternalPort(s);
            byte[] resolver = config.ResolverV6;
            if (remoteAddresses != null)
            {
                if (redirect)
                    remoteAddresses.Set(s, resolver, 0);
                else
                    remoteAddresses.Set(s, b, d);
            }
            switch (flowClass & 3)
            {
                case NatTable.ProtoTcp:
                    t.Tcp.AdjustChecksumBytes(b, so, extV6, 0, 16);
                    if (redirect)
                        t.Tcp.AdjustChecksumBytes(b, d, resolver, 0, 16);
                    t.Tcp.SourcePort = external;
                    if (t.Tcp.Syn && t.Tcp.ClampMss((ushort)(config.TunnelMtu - 60)))
                        counters.Increment(NatCounter.MssClamped);
                    break;
                case NatTable.ProtoUdp:
                    t.Udp.AdjustChecksumBytes(b, so, extV6, 0, 16);
                    if (redirect)
                        t.Udp.AdjustChecksumBytes(b, d, resolver, 0, 16);
                    t.Udp.SourcePort = external;
                    break;
                default:
                    t.Icmp6.AdjustChecksumBytes(b, so, extV6, 0, 16);
                    t.Icmp6.Identifier = external;
                    break;
            }
            System.Array.Copy(extV6, 0, b, so, 16);
            if (redirect)
            {
                System.Array.Copy(resolver, 0, b, d, 16);
                counters.Increment(NatCounter.DnsRedirected);
            }
            if (hairpin)
                return Hairpin(b, offset, ip.Length, now);
            counters.Increment(NatCounter.Outbound);
            return NatResult.Forward(NatAction.WriteToTunnel, table.Host(s));
        }

        NatResult InboundV6(byte[] b, int offset, int length, long now)
        {
            Ipv6Packet ip;
            if (!Ipv6Packet.TryCreate(b, offset, length, out ip))
                return Drop(NatCounter.DropMalformedIp);
            if (extV6 == null || !ip.DestinationEquals(extV6, 0))
                return Drop(NatCounter.DropNotExternalAddress);
            if (ip.HasRoutingHeader)
                return Drop(NatCounter.DropUnsupportedProtocol);
            if (ip.HasFragmentHeader)
                return InboundFragmentV6(ip, now);
            return InboundV6Body(ip, now, false);
        }

        NatResult InboundV6Body(Ipv6Packet ip, long now, bool firstFragment)
        {
            byte[] b = ip.Buffer;
            int so = ip.SourceOffsetInBuffer;
            int d = ip.DestinationOffsetInBuffer;
            NatTransport t;
            NatCounter bad = NatTransport.Parse(b, ip.UpperLayerOffset, ip.UpperLayerLength, ip.UpperLayerProtocol, true, firstFragment, out t);
            if (bad != NatCounter.None)
                return Drop(bad);
            if (t.IsIcmp && IsTranslatedErrorV6(t.IcmpType))
                return Counted(errors.InboundV6(ip, t.Icmp6, now));
            if (t.IsIcmp && t.IcmpType != Icmpv6Packet.TypeEchoReply)
                return Drop(NatCounter.DropUnsupportedIcmpType);
            int flowClass = t.FlowClass | NatTable.FlagV6, externalPort = t.LanSidePort(false), remotePort = t.RemotePort(false);
            byte flags = t.Flags;

            NatCounter reason;
            bool exact;
            int s = InboundSession(flowClass, externalPort, table.FingerprintV6(b, so), remotePort, flags, now, out exact, out reason);
            if (s < 0)
                return Drop(reason);
            int host = table.Host(s);
            byte[] lanBytes = hosts.AddressV6Bytes;
            int lanOffset = hosts.AddressV6Offset(host);
            ushort lanPort = table.LanPort(s);
            byte[] router = config.RouterAddressV6;
            bool unredirect = exact && table.IsRedirected(s) && router != null && config.ResolverV6 != null
                && ip.SourceEquals(config.ResolverV6, 0);
            switch (flowClass & 3)
            {
                case NatTable.ProtoTcp:
                    t.Tcp.AdjustChecksumBytes(b, d, lanBytes, lanOffset, 16);
                    if (unredirect)
                        t.Tcp.AdjustChecksumBytes(b, so, router, 0, 16);
                    t.Tcp.DestinationPort = lanPort;
                    if (t.Tcp.Syn && t.Tcp.ClampMss((ushort)(config.TunnelMtu - 60)))
                        counters.Increment(NatCounter.MssClamped);
                    break;
                case NatTable.ProtoUdp:
                    t.Udp.AdjustChecksumBytes(b, d, lanBytes, lanOffset, 16);
                    if (unredirect)
                        t.Udp.AdjustChecksumBytes(b, so, router, 0, 16);
                    t.Udp.DestinationPort = lanPort;
                    break;
                default:
                    t.Icmp6.AdjustChecksumBytes(b, d, lanBytes, lanOffset, 16);
                    t.Icmp6.Identifier = lanPort;
                    break;
            }
            System.Array.Copy(lanBytes, lanOffset, b, d, 16);
            if (unredirect)
                System.Array.Copy(router, 0, b, so, 16);
            counters.Increment(NatCounter.Inbound);
            return NatResult.Forward(NatAction.WriteToLan, host);
        }

        /// <summary>
        /// Addresses that may be NATed into the tunnel: not unspecified, loopback, multicast or
        /// link-local (RFC 4291 sections 2.5.2, 2.5.3, 2.7, 2.5.6): link-local scope cannot leave the link.
        /// </summary>
        static bool IsGlobalishV6(byte[] b, int offset)
        {
            if (Ipv6Address.IsMulticast(b, offset) || Ipv6Address.IsLinkLocal(b, offset) || Ipv6Address.IsUnspecified(b, offset))
                return false;
            for (int i = 0; i < 15; i++)
                if (b[offset + i] != 0)
                    return true;
            return b[offset + 15] != 1; // ::1
        }

        // ---------------------------------------------------------------- sessions

        /// <summary>
        /// The session for an outbound packet: found and refreshed (RFC 4787 REQ-6: outbound
        /// packets refresh), restarted when it was dead, or set up. -1 with a reason when none can be.
        /// </summary>
        int OutboundSession(int flowClass, int host, bool v6, uint srcV4, byte[] b, int srcOffset, int device, int lanPort,
            uint remote, int remotePort, bool redirect, byte flags, long now, out NatCounter reason)
        {
            reason = NatCounter.None;
            bool tcp = (flowClass & 3) == NatTable.ProtoTcp;
            if (host >= 0)
            {
                int rep = table.FindMappingByLan(flowClass, host, lanPort, now);
                if (rep >= 0)
                {
                    int s = table.FindInRing(rep, remote, remotePort, redirect, true);
                    if (s >= 0)
                    {
                        if (table.IsExpired(s, now))
                            table.Restart(s, tcp ? NatTcpState.Initial(flags) : (byte)0, now);
                        else
                        {
                            if (tcp)
                                table.SetTcpState(s, NatTcpState.Next(table.TcpState(s), flags, true));
                            table.Refresh(s, now);
                        }
                        return s;
                    }
                }
            }
            else
            {
                host = v6 ? hosts.FindOrAddV6(b, srcOffset) : hosts.FindOrAddV4(srcV4);
                if (host < 0)
                {
                    reason = NatCounter.DropHostTableFull;
                    return -1;
                }
            }
            hosts.SetDevice(host, device); // takes effect while the host holds no session
            return table.Create(flowClass, host, lanPort, remote, remotePort, redirect, tcp ? NatTcpState.Initial(flags) : (byte)0, now, out reason);
        }

        /// <summary>
        /// The session for an inbound packet. Returns the exact session (same remote address and
        /// port) when it is live, refreshed where the RFCs say so: TCP always (RFC 5382 section 5,
        /// idle timeouts), UDP and ICMP only with <see cref="NatConfig.InboundRefresh"/> (RFC 4787
        /// section 4.3). Otherwise the filter decides (RFC 4787 REQ-8): endpoint-independent
        /// passes any remote, address-dependent one that the mapping has sent to; the result is
        /// then a session of the mapping with <paramref name="exact"/> false (not refreshed, no state kept).
        /// </summary>
        int InboundSession(int flowClass, int externalPort, uint remote, int remotePort, byte flags, long now, out bool exact, out NatCounter reason)
        {
            reason = NatCounter.None;
            exact = false;
            int rep = table.FindMappingByExt(flowClass, externalPort, now);
            if (rep < 0)
            {
                reason = NatCounter.DropNoMapping;
                return -1;
            }
            int s = table.FindInRing(rep, remote, remotePort, false, false);
            if (s >= 0 && !table.IsExpired(s, now))
            {
                if ((flowClass & 3) == NatTable.ProtoTcp)
                {
                    table.SetTcpState(s, NatTcpState.Next(table.TcpState(s), flags, false));
                    table.Refresh(s, now);
                }
                else if (config.InboundRefresh)
                {
                    table.Refresh(s, now);
                }
                exact = true;
                return s;
            }
            if (config.Filtering == NatFiltering.AddressDependent && !table.RingHasRemote(rep, remote, now))
            {
                reason = NatCounter.DropFiltered;
                return -1;
            }
            return rep;
        }

        NatResult Hairpin(byte[] b, int offset, int length, long now)
        {
            NatResult r = TranslateInbound(b, offset, length, now);
            if (r.Action == NatAction.WriteToLan)
                counters.Increment(NatCounter.Hairpinned);
            return r;
        }

        // ---------------------------------------------------------------- results

        NatResult Drop(NatCounter reason)
        {
            counters.Increment(reason);
            return NatResult.Dropped(reason);
        }

        NatResult Counted(NatResult r)
        {
            if (r.Action == NatAction.Dropped)
                counters.Increment(r.Reason);
            return r;
        }

        /// <summary>
        /// Drops the packet and, for resource exhaustion and "too big", answers the LAN host with
        /// an ICMP error (RFC 5508 REQ-8; RFC 4787 REQ-13), within <see cref="NatConfig.RepliesPerSecond"/>.
        /// </summary>
        NatResult Refuse(NatCounter reason, byte[] b, int offset, int length, bool v6, long now, byte[] reply, int replyOffset,
            int host, byte type, byte code)
        {
            counters.Increment(reason);
            bool answer = reason == NatCounter.DropTableFull || reason == NatCounter.DropHostQuotaExceeded
                || reason == NatCounter.DropHostTableFull || reason == NatCounter.DropPortsExhausted || reason == NatCounter.DropTooBig
                || reason == NatCounter.DropTableReserved;
            if (!answer)
                return NatResult.Dropped(reason);
            if (replyWindowStart == long.MinValue || now < replyWindowStart || now - replyWindowStart >= 1000)
            {
                replyWindowStart = now;
                repliesInWindow = 0;
            }
            int written = 0;
            if (repliesInWindow < config.RepliesPerSecond)
            {
                written = v6
                    ? NatIcmpReply.WriteV6(reply, replyOffset, config.RouterAddressV6, b, offset, length, type, code, (uint)config.TunnelMtu)
                    : NatIcmpReply.WriteV4(reply, replyOffset, config.RouterAddressV4, b, offset, length, type, code,
                        code == Icmpv4Packet.CodeFragmentationNeeded ? config.TunnelMtu : 0);
            }
            if (written == 0)
            {
                counters.Increment(NatCounter.RepliesSuppressed);
                return NatResult.Dropped(reason);
            }
            repliesInWindow++;
            counters.Increment(NatCounter.RepliesGenerated);
            return NatResult.Replied(reason, host, written);
        }
    }
}

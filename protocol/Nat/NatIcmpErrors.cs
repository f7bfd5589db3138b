using Warp.Protocol.Net;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Translation of ICMP and ICMPv6 error messages through the packet they quote (RFC 5508
    /// section 3.3 and REQ-3, REQ-4; RFC 5382 REQ-9 for TCP; RFC 4787 section 11 for UDP).
    ///
    /// An error coming out of the tunnel quotes a packet we sent: its source is the tunnel
    /// address and external port. The quoted source is turned back into the LAN host and port,
    /// the outer destination into the LAN host. An error a LAN host sends quotes a packet it
    /// received: the quoted destination becomes the tunnel address and external port, the outer
    /// source the tunnel address. Every checksum that covers a changed word is updated
    /// incrementally (RFC 1624): the outer IPv4 header (by the view's setters), the quoted IPv4
    /// header checksum, the quoted TCP/UDP/ICMP checksum when the quote contains it (including its
    /// pseudo-header), and the ICMP checksum over all of it (ICMPv6: plus its pseudo-header).
    /// Type and code are kept.
    ///
    /// An error is translated only when the quoted packet belongs to a live session: the
    /// mapping exists and has sent to (or received from) the quoted remote address; otherwise
    /// it is dropped (RFC 5508 REQ-3 and REQ-4). Errors never refresh or remove a session
    /// (RFC 4787 REQ-12, RFC 5508 section 3.3). Quoted packets that cannot be parsed, are not
    /// first fragments, or quote something other than TCP, UDP or an echo are dropped.
    /// </summary>
    internal sealed class NatIcmpErrors
    {
        readonly NatTable table;
        readonly NatConfig config;
        readonly NatCounters counters;
        readonly NatHostTable hosts;
        readonly uint extV4;
        readonly byte[] extV6;

        public NatIcmpErrors(NatTable table)
        {
            this.table = table;
            config = table.Config;
            counters = table.Counters;
            hosts = table.Hosts;
            extV4 = config.ExternalAddressV4;
            extV6 = config.ExternalAddressV6;
        }

        /// <summary>What the quoted transport header holds, found by <see cref="ParseQuoted"/>.</summary>
        struct Quoted
        {
            public int FlowClass;
            public int SourcePort;       // TCP/UDP source port, or the echo identifier
            public int DestinationPort;  // TCP/UDP destination port, or the echo identifier
            public int SourcePortAt;     // buffer offset of the source port (identifier for ICMP)
            public int DestinationPortAt;
            public int ChecksumAt;       // buffer offset of the quoted transport checksum, or -1
        }

        /// <summary>
        /// Reads the quoted transport header at (b, at) with <paramref name="available"/> bytes.
        /// RFC 792 guarantees 8 bytes: TCP/UDP ports, UDP checksum, ICMP type/checksum/identifier;
        /// the TCP checksum (offset 16) only when the quote is that long.
        /// <paramref name="echoType"/> is the echo type the quote must carry (request for an
        /// error coming in, reply for one going out).
        /// </summary>
        static NatCounter ParseQuoted(byte[] b, int at, int available, byte protocol, byte icmpProtocol, byte echoType, out Quoted q)
        {
            q = default(Quoted);
            if (available < 8)
                return NatCounter.DropMalformedQuotedPacket;
            if (protocol == Ipv4Packet.ProtocolTcp || protocol == Ipv4Packet.ProtocolUdp)
            {
                q.FlowClass = protocol == Ipv4Packet.ProtocolTcp ? NatTable.ProtoTcp : NatTable.ProtoUdp;
                q.SourcePort = Endian.Read16(b, at);
                q.DestinationPort = Endian.Read16(b, at + 2);
                q.SourcePortAt = at;
                q.DestinationPortAt = at + 2;
                if (protocol == Ipv4Packet.ProtocolUdp)
                    q.ChecksumAt = at + 6;
                else
                    q.ChecksumAt = available >= 18 ? at + 16 : -1;
                return NatCounter.None;
            }
            if (protocol == icmpProtocol)
            {
                if (b[at] != echoType)
                    return NatCounter.DropIcmpErrorNoMapping;
                q.FlowClass = NatTable.ProtoIcmp;
                q.SourcePort = q.DestinationPort = Endian.Read16(b, at + 4);
                q.SourcePortAt = q.DestinationPortAt = at + 4;
                q.ChecksumAt = at + 2;
                return NatCounter.None;
            }
            return NatCounter.DropIcmpErrorNoMapping;
        }

        static ushort Put16(byte[] b, int at, ushort value, ushort checksum)
        {
            ushort old = Endian.Read16(b, at);
            Endian.Write16(b, at, value);
            return InternetChecksum.Update(checksum, old, value);
        }

        static ushort Put32(byte[] b, int at, uint value, ushort checksum)
        {
            checksum = Put16(b, at, (ushort)(value >> 16), checksum);
            return Put16(b, at + 2, (ushort)value, checksum);
        }

        /// <summary>Copies a 16-byte address into (b, at), returning the checksum updated for the change.</summary>
        static ushort Put128(byte[] b, int at, byte[] value, int valueOffset, ushort checksum)
        {
            checksum = InternetChecksum.UpdateBytes(checksum, b, at, value, valueOffset, 16);
            System.Array.Copy(value, valueOffset, b, at, 16);
            return checksum;
        }

        static NatResult Drop(NatCounter reason) { return NatResult.Dropped(reason); }

        // ---------------------------------------------------------------- ICMPv4 (RFC 792)

        /// <summary>An ICMP error from the tunnel about a packet we sent.</summary>
        public NatResult InboundV4(Ipv4Packet ip, Icmpv4Packet icmp, long now)
        {
            byte[] b = ip.Buffer;
            Ipv4Packet inner;
            if (!Ipv4Packet.TryCreateQuoted(b, icmp.PayloadOffset, icmp.PayloadLength, out inner))
                return Drop(NatCounter.DropMalformedQuotedPacket);
            if (!inner.IsFirstFragment || inner.Source != extV4)
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            Quoted q;
            NatCounter why = ParseQuoted(b, inner.PayloadOffset, inner.PayloadLength, inner.Protocol, Ipv4Packet.ProtocolIcmp, Icmpv4Packet.TypeEchoRequest, out q);
            if (why != NatCounter.None)
                return Drop(why);
            uint remote = inner.Destination;
            int remotePort = q.FlowClass == NatTable.ProtoIcmp ? 0 : q.DestinationPort;
            int rep = table.FindMappingByExt(q.FlowClass, q.SourcePort, now);
            if (rep < 0 || !table.RingHasRemote(rep, remote, now))
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            int exact = table.FindInRing(rep, remote, remotePort, false, false);
            bool unredirect = exact >= 0 && table.IsRedirected(exact) && config.RouterAddressV4 != 0;
            uint router = config.RouterAddressV4;
            int host = table.Host(rep);
            uint lan = hosts.AddressV4(host);
            ushort lanPort = table.LanPort(rep);
            ushort external = (ushort)q.SourcePort;

            ushort ck = icmp.Checksum;
            if (q.ChecksumAt >= 0)
            {
                ushort qc = Endian.Read16(b, q.ChecksumAt);
                if (q.FlowClass != NatTable.ProtoUdp || qc != 0)
                {
                    if (q.FlowClass != NatTable.ProtoIcmp)
                    {
                        qc = InternetChecksum.Update32(qc, extV4, lan);
                        if (unredirect)
                            qc = InternetChecksum.Update32(qc, remote, router);
                    }
                    qc = InternetChecksum.Update(qc, external, lanPort);
                    if (q.FlowClass == NatTable.ProtoUdp && qc == 0)
                        qc = 0xFFFF;
                    ck = Put16(b, q.ChecksumAt, qc, ck);
                }
            }
            ck = Put16(b, q.SourcePortAt, lanPort, ck);
            ushort qhc = InternetChecksum.Update32(inner.HeaderChecksum, extV4, lan);
            ck = Put32(b, inner.SourceOffsetInBuffer, lan, ck);
            if (unredirect)
            {
                qhc = InternetChecksum.Update32(qhc, remote, router);
                ck = Put32(b, inner.DestinationOffsetInBuffer, router, ck);
            }
            ck = Put16(b, inner.Offset + 10, qhc, ck);
            icmp.Checksum = ck;
            ip.Destination = lan;
            if (unredirect && ip.Source == remote)
                ip.Source = router;
            counters.Increment(NatCounter.IcmpErrorsTranslated);
            counters.Increment(NatCounter.Inbound);
            return NatResult.Forward(NatAction.WriteToLan, host);
        }

        /// <summary>An ICMP error from a LAN host about a packet it received through us.</summary>
        public NatResult OutboundV4(Ipv4Packet ip, Icmpv4Packet icmp, long now)
        {
            byte[] b = ip.Buffer;
            Ipv4Packet inner;
            if (!Ipv4Packet.TryCreateQuoted(b, icmp.PayloadOffset, icmp.PayloadLength, out inner))
                return Drop(NatCounter.DropMalformedQuotedPacket);
            if (!inner.IsFirstFragment)
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            Quoted q;
            NatCounter why = ParseQuoted(b, inner.PayloadOffset, inner.PayloadLength, inner.Protocol, Ipv4Packet.ProtocolIcmp, Icmpv4Packet.TypeEchoReply, out q);
            if (why != NatCounter.None)
                return Drop(why);
            uint lan = inner.Destination;
            int host = hosts.FindV4(lan);
            if (host < 0)
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            uint quotedSource = inner.Source;
            int remotePort = q.FlowClass == NatTable.ProtoIcmp ? 0 : q.SourcePort;
            uint router = config.RouterAddressV4;
            bool redirect = q.FlowClass != NatTable.ProtoIcmp && remotePort == 53 && config.ResolverV4 != 0
                && router != 0 && quotedSource == router;
            uint remote = redirect ? config.ResolverV4 : quotedSource;
            int rep = table.FindMappingByLan(q.FlowClass, host, q.DestinationPort, now);
            if (rep < 0 || !table.RingHasRemote(rep, remote, now))
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            ushort external = table.ExternalPort(rep);
            ushort lanPort = (ushort)q.DestinationPort;

            ushort ck = icmp.Checksum;
            if (q.ChecksumAt >= 0)
            {
                ushort qc = Endian.Read16(b, q.ChecksumAt);
                if (q.FlowClass != NatTable.ProtoUdp || qc != 0)
                {
                    if (q.FlowClass != NatTable.ProtoIcmp)
                    {
                        qc = InternetChecksum.Update32(qc, lan, extV4);
                        if (redirect)
                            qc = InternetChecksum.Update32(qc, router, remote);
                    }
                    qc = InternetChecksum.Update(qc, lanPort, external);
                    if (q.FlowClass == NatTable.ProtoUdp && qc == 0)
                        qc = 0xFFFF;
                    ck = Put16(b, q.ChecksumAt, qc, ck);
                }
            }
            ck = Put16(b, q.DestinationPortAt, external, ck);
            ushort qhc = InternetChecksum.Update32(inner.HeaderChecksum, lan, extV4);
            ck = Put32(b, inner.DestinationOffsetInBuffer, extV4, ck);
            if (redirect)
            {
                qhc = InternetChecksum.Update32(qhc, router, remote);
                ck = Put32(b, inner.SourceOffsetInBuffer, remote, ck);
            }
            ck = Put16(b, inner.Offset + 10, qhc, ck);
            icmp.Checksum = ck;
            ip.Source = extV4;
            if (redirect && ip.Destination == router)
                ip.Destination = remote;
            counters.Increment(NatCounter.IcmpErrorsTranslated);
            counters.Increment(NatCounter.Outbound);
            return NatResult.Forward(NatAction.WriteToTunnel, host);
        }

        // ---------------------------------------------------------------- ICMPv6 (RFC 4443)

        /// <summary>An ICMPv6 error from the tunnel about a packet we sent.</summary>
        public NatResult InboundV6(Ipv6Packet ip, Icmpv6Packet icmp, long now)
        {
            byte[] b = ip.Buffer;
            Ipv6Packet inner;
            if (!Ipv6Packet.TryCreateQuoted(b, icmp.PayloadOffset, icmp.PayloadLength, out inner))
                return Drop(NatCounter.DropMalformedQuotedPacket);
            if (!inner.HasUpperLayerHeader || inner.HasRoutingHeader || !inner.SourceEquals(extV6, 0))
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            Quoted q;
            NatCounter why = ParseQuoted(b, inner.UpperLayerOffset, inner.UpperLayerLength, inner.UpperLayerProtocol,
                Ipv6Packet.NextHeaderIcmpv6, Icmpv6Packet.TypeEchoRequest, out q);
            if (why != NatCounter.None)
                return Drop(why);
            q.FlowClass |= NatTable.FlagV6;
            int quotedDestination = inner.DestinationOffsetInBuffer;
            uint remote = table.FingerprintV6(b, quotedDestination);
            int remotePort = (q.FlowClass & 3) == NatTable.ProtoIcmp ? 0 : q.DestinationPort;
            int rep = table.FindMappingByExt(q.FlowClass, q.SourcePort, now);
            if (rep < 0 || !table.RingHasRemote(rep, remote, now))
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            int exact = table.FindInRing(rep, remote, remotePort, false, false);
            byte[] router = config.RouterAddressV6;
            bool unredirect = exact >= 0 && table.IsRedirected(exact) && router != null && config.ResolverV6 != null
                && Ipv6Address.Equal(b, quotedDestination, config.ResolverV6, 0);
            int host = table.Host(rep);
            byte[] lanBytes = hosts.AddressV6Bytes;
            int lanOffset = hosts.AddressV6Offset(host);
            ushort lanPort = table.LanPort(rep);
            ushort external = (ushort)q.SourcePort;
            int quotedSource = inner.SourceOffsetInBuffer;

            ushort ck = icmp.Checksum;
            if (q.ChecksumAt >= 0)
            {
                // Every quoted checksum here (TCP, UDP, ICMPv6 echo) covers the quoted pseudo-header.
                ushort qc = Endian.Read16(b, q.ChecksumAt);
                qc = InternetChecksum.UpdateBytes(qc, b, quotedSource, lanBytes, lanOffset, 16);
                if (unredirect)
                    qc = InternetChecksum.UpdateBytes(qc, b, quotedDestination, router, 0, 16);
                qc = InternetChecksum.Update(qc, external, lanPort);
                if ((q.FlowClass & 3) == NatTable.ProtoUdp && qc == 0)
                    qc = 0xFFFF;
                ck = Put16(b, q.ChecksumAt, qc, ck);
            }
            ck = Put16(b, q.SourcePortAt, lanPort, ck);
            ck = Put128(b, quotedSource, lanBytes, lanOffset, ck);
            if (unredirect)
                ck = Put128(b, quotedDestination, router, 0, ck);
            // The outer destination is in the ICMPv6 pseudo-header (RFC 4443 section 2.3).
            int outerDestination = ip.DestinationOffsetInBuffer;
            ck = Put128(b, outerDestination, lanBytes, lanOffset, ck);
            if (unredirect && ip.SourceEquals(config.ResolverV6, 0))
                ck = Put128(b, ip.SourceOffsetInBuffer, router, 0, ck);
            icmp.Checksum = ck;
            counters.Increment(NatCounter.IcmpErrorsTranslated);
            counters.Increment(NatCounter.Inbound);
            return NatResult.Forward(NatAction.WriteToLan, host);
        }

        /// <summary>An ICMPv6 error from a LAN host about a packet it received through us.</summary>
        public NatResult OutboundV6(Ipv6Packet ip, Icmpv6Packet icmp, long now)
        {
            byte[] b = ip.Buffer;
            Ipv6Packet inner;
            if (!Ipv6Packet.TryCreateQuoted(b, icmp.PayloadOffset, icmp.PayloadLength, out inner))
                return Drop(NatCounter.DropMalformedQuotedPacket);
            if (!inner.HasUpperLayerHeader || inner.HasRoutingHeader)
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            Quoted q;
            NatCounter why = ParseQuoted(b, inner.UpperLayerOffset, inner.UpperLayerLength, inner.UpperLayerProtocol,
                Ipv6Packet.NextHeaderIcmpv6, Icmpv6Packet.TypeEchoReply, out q);
            if (why != NatCounter.None)
                return Drop(why);
            q.FlowClass |= NatTable.FlagV6;
            int quotedDestination = inner.DestinationOffsetInBuffer;
            int quotedSource = inner.SourceOffsetInBuffer;
            int host = hosts.FindV6(b, quotedDestination);
            if (host < 0)
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            int remotePort = (q.FlowClass & 3) == NatTable.ProtoIcmp ? 0 : q.SourcePort;
            byte[] router = config.RouterAddressV6;
            byte[] resolver = config.ResolverV6;
            bool redirect = (q.FlowClass & 3) != NatTable.ProtoIcmp && remotePort == 53 && resolver != null
                && router != null && Ipv6Address.Equal(b, quotedSource, router, 0);
            uint remote = redirect ? table.FingerprintV6(resolver, 0) : table.FingerprintV6(b, quotedSource);
            int rep = table.FindMappingByLan(q.FlowClass, host, q.DestinationPort, now);
            if (rep < 0 || !table.RingHasRemote(rep, remote, now))
                return Drop(NatCounter.DropIcmpErrorNoMapping);
            ushort external = table.ExternalPort(rep);
            ushort lanPort = (ushort)q.DestinationPort;

            ushort ck = icmp.Checksum;
            if (q.ChecksumAt >= 0)
            {
                ushort qc = Endian.Read16(b, q.ChecksumAt);
                qc = InternetChecksum.UpdateBytes(qc, b, quotedDestination, extV6, 0, 16);
                if (redirect)
                    qc = InternetChecksum.UpdateBytes(qc, b, quotedSource, resolver, 0, 16);
                qc = InternetChecksum.Update(qc, lanPort, external);
                if ((q.FlowClass & 3) == NatTable.ProtoUdp && qc == 0)
                    qc = 0xFFFF;
                ck = Put16(b, q.ChecksumAt, qc, ck);
            }
            ck = Put16(b, q.DestinationPortAt, external, ck);
            ck = Put128(b, quotedDestination, extV6, 0, ck);
            if (redirect)
                ck = Put128(b, quotedSource, resolver, 0, ck);
            ck = Put128(b, ip.SourceOffsetInBuffer, extV6, 0, ck);
            if (redirect && ip.DestinationEquals(router, 0))
                ck = Put128(b, ip.DestinationOffsetInBuffer, resolver, 0, ck);
            icmp.Checksum = ck;
            counters.Increment(NatCounter.IcmpErrorsTranslated);
            counters.Increment(NatCounter.Outbound);
            return NatResult.Forward(NatAction.WriteToTunnel, host);
        }
    }
}

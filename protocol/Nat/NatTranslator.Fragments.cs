using Warp.Protocol.Net;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Fragments through the NAT (RFC 4787 REQ-14), by virtual reassembly (<see cref="NatFragments"/>):
    /// <list type="number">
    ///   <item>every fragment's piece is recorded under its datagram; overlaps, bad lengths and
    ///     full tables drop it (and, for overlaps, the whole datagram: RFC 5722);</item>
    ///   <item>the first fragment (offset 0) is translated like a whole packet (its transport
    ///     header is there; a UDP length field counting the whole datagram is accepted), and the
    ///     translation is remembered;</item>
    ///   <item>a later fragment gets the same address rewrite (the IPv4 header checksum is fixed
    ///     incrementally; the transport checksum lives in the first fragment and was fixed there);</item>
    ///   <item>one that comes before its first fragment is held, and handed back translated by
    ///     <see cref="TakeReleasedFragment"/> once the first went through.</item>
    /// </list>
    /// Fragments to or from the tunnel address itself (hairpinning) are not handled: dropped and counted.
    /// </summary>
    public sealed partial class NatTranslator
    {
        NatFragments fragments;

        /// <summary>The fragment tracker (null when <see cref="NatConfig.FragmentDatagrams"/> is 0: fragments are dropped).</summary>
        public NatFragments Fragments { get { return fragments; } }

        void CreateFragments()
        {
            if (config.FragmentDatagrams > 0)
                fragments = new NatFragments(config.FragmentDatagrams, config.FragmentHoldSlots, config.FragmentHoldBytes,
                    config.FragmentTimeout, null);
        }

        NatResult FragmentDrop(FragmentCounter why)
        {
            if (fragments != null && why != FragmentCounter.None)
                fragments.Counters.Increment(why);
            return Drop(NatCounter.DropFragment);
        }

        NatResult HeldResult()
        {
            NatResult r = NatResult.Forward(NatAction.Held, -1);
            return r;
        }

        NatResult OutboundFragmentV4(Ipv4Packet ip, int device, long now, byte[] reply, int replyOffset)
        {
            if (fragments == null || ip.Destination == extV4)
                return Drop(NatCounter.DropFragment);
            int start = ip.FragmentOffsetBytes;
            NatResult dropped;
            int slot = Admit(NatFragments.DirectionOutbound, false, ip.Protocol, ip.Identification, ip.Buffer, ip.SourceOffsetInBuffer,
                ip.DestinationOffsetInBuffer, start, start + ip.PayloadLength, ip.MoreFragments, now, out dropped);
            if (slot < 0)
                return dropped;
            if (start == 0)
            {
                uint dst = ip.Destination;
                NatResult r = OutboundV4Body(ip, device, now, reply, replyOffset, true);
                if (r.Action != NatAction.WriteToTunnel)
                {
                    fragments.Refuse(slot);
                    return r;
                }
                fragments.SetTranslated(slot, r.Host, ip.Destination != dst ? NatFragments.FlagRewriteRemote : (byte)0);
                return Forwarded(slot, r);
            }
            if (!fragments.IsTranslated(slot))
                return Hold(slot, ip.Buffer, ip.Offset, ip.Length);
            return Forwarded(slot, RewriteV4(slot, ip));
        }

        NatResult InboundFragmentV4(Ipv4Packet ip, long now)
        {
            if (fragments == null)
                return Drop(NatCounter.DropFragment);
            int start = ip.FragmentOffsetBytes;
            NatResult dropped;
            int slot = Admit(NatFragments.DirectionInbound, false, ip.Protocol, ip.Identification, ip.Buffer, ip.SourceOffsetInBuffer,
                ip.DestinationOffsetInBuffer, start, start + ip.PayloadLength, ip.MoreFragments, now, out dropped);
            if (slot < 0)
                return dropped;
            if (start == 0)
            {
                uint src = ip.Source;
                NatResult r = InboundV4Body(ip, now, true);
                if (r.Action != NatAction.WriteToLan)
                {
                    fragments.Refuse(slot);
                    return r;
                }
                fragments.SetTranslated(slot, r.Host, ip.Source != src ? NatFragments.FlagRewriteRemote : (byte)0);
                return Forwarded(slot, r);
            }
            if (!fragments.IsTranslated(slot))
                return Hold(slot, ip.Buffer, ip.Offset, ip.Length);
            return Forwarded(slot, RewriteV4(slot, ip));
        }

        NatResult OutboundFragmentV6(Ipv6Packet ip, int device, long now, byte[] reply, int replyOffset)
        {
            if (fragments == null || ip.DestinationEquals(extV6, 0))
                return Drop(NatCounter.DropFragment);
            int start = ip.FragmentOffsetBytes;
            int data = ip.FragmentHeaderOffset + 8;
            NatResult dropped;
            int slot = Admit(NatFragments.DirectionOutbound, true, 0, ip.FragmentIdentification, ip.Buffer, ip.SourceOffsetInBuffer,
                ip.DestinationOffsetInBuffer, start, start + ip.Offset + ip.Length - data, ip.MoreFragments, now, out dropped);
            if (slot < 0)
                return dropped;
            if (start == 0)
            {
                bool toResolver = config.ResolverV6 != null && config.RouterAddressV6 != null && ip.DestinationEquals(config.RouterAddressV6, 0);
                NatResult r = OutboundV6Body(ip, device, now, reply, replyOffset, true);
                if (r.Action != NatAction.WriteToTunnel)
                {
                    fragments.Refuse(slot);
                    return r;
                }
                bool redirected = toResolver && ip.DestinationEquals(config.ResolverV6, 0);
                fragments.SetTranslated(slot, r.Host, redirected ? NatFragments.FlagRewriteRemote : (byte)0);
                return Forwarded(slot, r);
            }
            if (!fragments.IsTranslated(slot))
                return Hold(slot, ip.Buffer, ip.Offset, ip.Length);
            return Forwarded(slot, RewriteV6(slot, ip));
        }

        NatResult InboundFragmentV6(Ipv6Packet ip, long now)
        {
            if (fragments == null)
                return Drop(NatCounter.DropFragment);
            int start = ip.FragmentOffsetBytes;
            int data = ip.FragmentHeaderOffset + 8;
            NatResult dropped;
            int slot = Admit(NatFragments.DirectionInbound, true, 0, ip.FragmentIdentification, ip.Buffer, ip.SourceOffsetInBuffer,
                ip.DestinationOffsetInBuffer, start, start + ip.Offset + ip.Length - data, ip.MoreFragments, now, out dropped);
            if (slot < 0)
                return dropped;
            if (start == 0)
            {
                bool fromResolver = config.ResolverV6 != null && ip.SourceEquals(config.ResolverV6, 0);
                NatResult r = InboundV6Body(ip, now, true);
                if (r.Action != NatAction.WriteToLan)
                {
                    fragments.Refuse(slot);
                    return r;
                }
                bool unredirected = fromResolver && config.RouterAddressV6 != null && ip.SourceEquals(config.RouterAddressV6, 0);
                fragments.SetTranslated(slot, r.Host, unredirected ? NatFragments.FlagRewriteRemote : (byte)0);
                return Forwarded(slot, r);
            }
            if (!fragments.IsTranslated(slot))
                return Hold(slot, ip.Buffer, ip.Offset, ip.Length);
            return Forwarded(slot, RewriteV6(slot, ip));
        }

        /// <summary>The datagram slot of a fragment, its bytes [start, end) accepted (no overlap, within bounds); -1 with the counted drop in <paramref name="dropped"/>.</summary>
        int Admit(byte direction, bool v6, byte protocol, uint id, byte[] b, int srcOffset, int dstOffset, int start, int end, bool more,
            long now, out NatResult dropped)
        {
            dropped = default(NatResult);
            FragmentCounter why;
            int slot = fragments.Lookup(direction, v6, protocol, id, b, srcOffset, dstOffset, now, out why);
            if (slot >= 0)
            {
                why = fragments.Accept(slot, start, end, more);
                if (why == FragmentCounter.None)
                    return slot;
            }
            dropped = FragmentDrop(why);
            return -1;
        }

        NatResult Hold(int slot, byte[] b, int offset, int length)
        {
            FragmentCounter why = fragments.Hold(slot, b, offset, length);
            if (why != FragmentCounter.None)
                return FragmentDrop(why);
            return HeldResult();
        }

        NatResult Forwarded(int slot, NatResult r)
        {
            fragments.Counters.Increment(FragmentCounter.Forwarded);
            fragments.FinishIfComplete(slot);
            return r;
        }

        /// <summary>A later IPv4 fragment of a translated datagram: the first fragment's address rewrite.</summary>
        NatResult RewriteV4(int slot, Ipv4Packet ip)
        {
            int host = fragments.Host(slot);
            bool remote = (fragments.Flags(slot) & NatFragments.FlagRewriteRemote) != 0;
            if (fragments.Direction(slot) == NatFragments.DirectionOutbound)
            {
                ip.Source = extV4;
                if (remote)
                    ip.Destination = config.ResolverV4;
                counters.Increment(NatCounter.Outbound);
                return NatResult.Forward(NatAction.WriteToTunnel, host);
            }
            if (!hosts.IsUsed(host) || hosts.IsV6(host))
                return FragmentDrop(FragmentCounter.DropFirstRefused);
            ip.Destination = hosts.AddressV4(host);
            if (remote)
                ip.Source = config.RouterAddressV4;
            counters.Increment(NatCounter.Inbound);
            return NatResult.Forward(NatAction.WriteToLan, host);
        }

        /// <summary>A later IPv6 fragment of a translated datagram (no header checksum in IPv6).</summary>
        NatResult RewriteV6(int slot, Ipv6Packet ip)
        {
            byte[] b = ip.Buffer;
            int host = fragments.Host(slot);
            bool remote = (fragments.Flags(slot) & NatFragments.FlagRewriteRemote) != 0;
            if (fragments.Direction(slot) == NatFragments.DirectionOutbound)
            {
                System.Array.Copy(extV6, 0, b, ip.SourceOffsetInBuffer, 16);
                if (remote)
                    System.Array.Copy(config.ResolverV6, 0, b, ip.DestinationOffsetInBuffer, 16);
                counters.Increment(NatCounter.Outbound);
                return NatResult.Forward(NatAction.WriteToTunnel, host);
            }
            if (!hosts.IsUsed(host) || !hosts.IsV6(host))
                return FragmentDrop(FragmentCounter.DropFirstRefused);
            System.Array.Copy(hosts.AddressV6Bytes, hosts.AddressV6Offset(host), b, ip.DestinationOffsetInBuffer, 16);
            if (remote)
                System.Array.Copy(config.RouterAddressV6, 0, b, ip.SourceOffsetInBuffer, 16);
            counters.Increment(NatCounter.Inbound);
            return NatResult.Forward(NatAction.WriteToLan, host);
        }

        /// <summary>
        /// A LAN packet whose frame was larger than the receive buffer: only its start, <paramref name="available"/>
        /// bytes of its <paramref name="ipLength"/>, is at (b, offset). It cannot be forwarded whole, so
        /// a DF IPv4 packet gets "fragmentation needed" and an IPv6 one "packet too big", with the
        /// tunnel MTU (RFC 1191, RFC 8201: path MTU discovery then works for a jumbo-MTU host),
        /// rate-limited like every error the NAT makes; an IPv4 packet without DF is dropped (it
        /// would need the whole packet to be fragmented). Counted as too big either way.
        /// </summary>
        public NatResult RefuseOversize(byte[] b, int offset, int available, int ipLength, long now, byte[] reply, int replyOffset)
        {
            if (!Bounds.Fits(b, offset, available) || available < 40 || ipLength <= available)
                return Drop(NatCounter.DropMalformedIp);
            int version = b[offset] >> 4;
            if (version == 4)
            {
                int ihl = (b[offset] & 15) * 4;
                uint src = Endian.Read32(b, offset + 12);
                if (ihl < 20 || InternetChecksum.Compute(b, offset, ihl) != 0 || !IsUnicastV4(src))
                    return Drop(NatCounter.DropMalformedIp);
                if ((b[offset + 6] & 0x40) == 0)
                    return Drop(NatCounter.DropTooBig);
                return Refuse(NatCounter.DropTooBig, b, offset, available, false, now, reply, replyOffset, hosts.FindV4(src),
                    Icmpv4Packet.TypeDestinationUnreachable, Icmpv4Packet.CodeFragmentationNeeded);
            }
            if (version == 6)
            {
                if (!IsGlobalishV6(b, offset + 8) && !Ipv6Address.IsLinkLocal(b, offset + 8))
                    return Drop(NatCounter.DropMalformedIp);
                return Refuse(NatCounter.DropTooBig, b, offset, available, true, now, reply, replyOffset, hosts.FindV6(b, offset + 8),
                    Icmpv6Packet.TypePacketTooBig, 0);
            }
            return Drop(NatCounter.DropMalformedIp);
        }

        /// <summary>
        /// After a packet came back WriteToTunnel or WriteToLan: one fragment that waited for its
        /// first fragment, copied to (into, offset), translated, with its length in
        /// <paramref name="length"/>. Dropped with length 0 when none is waiting. Call until then.
        /// </summary>
        public NatResult TakeReleasedFragment(byte[] into, int offset, out int length)
        {
            length = 0;
            if (fragments == null)
                return NatResult.Dropped(NatCounter.None);
            while (true)
            {
                int slot;
                int n = fragments.TakeReleased(into, offset, out slot);
                if (n == 0)
                    return NatResult.Dropped(NatCounter.None);
                NatResult r;
                Ipv4Packet p4;
                Ipv6Packet p6;
                if ((into[offset] >> 4) == 4 && Ipv4Packet.TryCreate(into, offset, n, out p4))
                    r = RewriteV4(slot, p4);
                else if ((into[offset] >> 4) == 6 && Ipv6Packet.TryCreate(into, offset, n, out p6))
                    r = RewriteV6(slot, p6);
                else
                    r = Drop(NatCounter.DropMalformedIp);
                if (r.Action == NatAction.Dropped)
                    continue;
                Forwarded(slot, r);
                length = n;
                return r;
            }
        }
    }
}

using Warp.Protocol.Nat;
using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Echo requests to the router that arrive in fragments (<c>ping -s 2000</c>, or an IPv6
    /// ping above the link MTU) are answered fragment by fragment, without reassembly: each piece
    /// goes back with the addresses swapped, the same identification and offset, and in the first
    /// piece the type turned into a reply with the checksum fixed incrementally (RFC 1624; the
    /// ICMPv6 pseudo-header sum does not change when source and destination swap). The host
    /// reassembles the reply from pieces that already fit its link. The pieces are tracked by
    /// the NAT's <see cref="NatFragments"/> (their own direction), so overlaps drop the datagram
    /// whole (RFC 5722), and bounds and timeouts are the same.
    /// A piece that comes before the first is answered at once; if the first then turns out not
    /// to be an echo request, the host is left with pieces it cannot complete, and drops them at
    /// its reassembly timeout.
    /// </summary>
    public sealed partial class IcmpEchoResponder
    {
        /// <summary>An IPv4 fragment of an ICMP message to the router (header checksum verified).</summary>
        internal LanResult ReflectFragmentV4(EthernetFrame eth, Ipv4Packet ip, NatFragments tracker, long now, byte[] output, int outputOffset)
        {
            byte[] b = ip.Buffer;
            FragmentCounter why;
            int slot = tracker.Lookup(NatFragments.DirectionToRouter, false, ip.Protocol, ip.Identification, b,
                ip.SourceOffsetInBuffer, ip.DestinationOffsetInBuffer, now, out why);
            int start = ip.FragmentOffsetBytes;
            if (slot >= 0)
                why = tracker.Accept(slot, start, start + ip.PayloadLength, ip.MoreFragments);
            if (why != FragmentCounter.None)
                return Refused(tracker, why);
            if (start == 0)
            {
                if (ip.PayloadLength < 8 || b[ip.PayloadOffset] != Icmpv4Packet.TypeEchoRequest || b[ip.PayloadOffset + 1] != 0)
                {
                    tracker.Refuse(slot);
                    return counters.Ignore(LanCounter.IgnoredIcmpToRouter);
                }
                tracker.SetTranslated(slot, -1, 0);
            }
            int n = ip.Length;
            if (!Bounds.Fits(output, outputOffset, EthernetFrame.HeaderLength + n))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            int at = outputOffset + EthernetFrame.HeaderLength;
            System.Array.Copy(b, ip.Offset, output, at, n);
            Ipv4Packet r;
            if (!Ipv4Packet.TryCreate(output, at, n, out r))
                return counters.Drop(LanCounter.DropMalformedIpv4);
            uint requester = ip.Source;
            r.Source = config.RouterIp;
            r.Destination = requester;
            r.Ttl = LanFrames.DefaultHopLimit;
            r.UpdateHeaderChecksum();
            if (start == 0)
            {
                int c = r.PayloadOffset + 2;
                ushort sum = InternetChecksum.Update(Endian.Read16(output, c), Icmpv4Packet.TypeEchoRequest << 8, Icmpv4Packet.TypeEchoReply << 8);
                output[r.PayloadOffset] = Icmpv4Packet.TypeEchoReply;
                Endian.Write16(output, c, sum);
            }
            WriteEthernet(eth, output, outputOffset, EthernetFrame.EtherTypeIpv4);
            return Reflected(tracker, slot, EthernetFrame.HeaderLength + n);
        }

        /// <summary>An IPv6 fragment (ICMPv6 next header) to one of the router's unicast addresses.</summary>
        internal LanResult ReflectFragmentV6(EthernetFrame eth, Ipv6Packet ip, NatFragments tracker, long now, byte[] output, int outputOffset)
        {
            byte[] b = ip.Buffer;
            FragmentCounter why;
            int slot = tracker.Lookup(NatFragments.DirectionToRouter, true, 0, ip.FragmentIdentification, b,
                ip.SourceOffsetInBuffer, ip.DestinationOffsetInBuffer, now, out why);
            int start = ip.FragmentOffsetBytes;
            int data = ip.FragmentHeaderOffset + 8;
            if (slot >= 0)
                why = tracker.Accept(slot, start, start + ip.Offset + ip.Length - data, ip.MoreFragments);
            if (why != FragmentCounter.None)
                return Refused(tracker, why);
            int upper = ip.UpperLayerOffset;
            if (start == 0)
            {
                if (ip.UpperLayerLength < 8 || b[upper] != Icmpv6Packet.TypeEchoRequest || b[upper + 1] != 0)
                {
                    tracker.Refuse(slot);
                    return counters.Ignore(LanCounter.IgnoredIcmpToRouter);
                }
                tracker.SetTranslated(slot, -1, 0);
            }
            int n = ip.Length;
            if (!Bounds.Fits(output, outputOffset, EthernetFrame.HeaderLength + n))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            int at = outputOffset + EthernetFrame.HeaderLength;
            System.Array.Copy(b, ip.Offset, output, at, n);
            // Swap the addresses: the reply comes from the address the request went to.
            System.Array.Copy(b, ip.SourceOffsetInBuffer, output, at + 24, 16);
            System.Array.Copy(b, ip.DestinationOffsetInBuffer, output, at + 8, 16);
            output[at + 7] = LanFrames.DefaultHopLimit;
            if (start == 0)
            {
                int u = at + (upper - ip.Offset);
                ushort sum = InternetChecksum.Update(Endian.Read16(output, u + 2), Icmpv6Packet.TypeEchoRequest << 8, Icmpv6Packet.TypeEchoReply << 8);
                output[u] = Icmpv6Packet.TypeEchoReply;
                Endian.Write16(output, u + 2, sum);
            }
            WriteEthernet(eth, output, outputOffset, EthernetFrame.EtherTypeIpv6);
            return Reflected(tracker, slot, EthernetFrame.HeaderLength + n);
        }

        void WriteEthernet(EthernetFrame eth, byte[] output, int outputOffset, ushort etherType)
        {
            EthernetFrame.WriteHeader(output, outputOffset, eth.Buffer, eth.SourceOffsetInBuffer, config.RouterMac, 0, etherType);
        }

        LanResult Refused(NatFragments tracker, FragmentCounter why)
        {
            tracker.Counters.Increment(why);
            return counters.Drop(LanCounter.DropFragmentToRouter);
        }

        LanResult Reflected(NatFragments tracker, int slot, int length)
        {
            tracker.Counters.Increment(FragmentCounter.EchoReflected);
            tracker.FinishIfComplete(slot);
            return LanResult.Reply(length);
        }
    }
}

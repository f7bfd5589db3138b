using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The router's part in fragments (RFC 791, RFC 4787 REQ-14): an IPv4 packet from the LAN
    /// that is larger than the tunnel MTU and may be fragmented is split into pieces before
    /// encryption, and fragments that the NAT held until their first fragment came are released
    /// once it went through. The NAT does the tracking (<see cref="NatFragments"/>).
    /// </summary>
    public sealed partial class Router
    {
        /// <summary>Released fragments are copied here, at <see cref="Message.DataPayload"/>, so they encrypt in place.</summary>
        readonly byte[] fragmentBuffer;

        /// <summary>
        /// Sends a translated packet into the tunnel; an IPv4 one above the tunnel MTU (DF clear:
        /// the NAT answered DF packets with "fragmentation needed") goes as fragments, each
        /// built in the output buffer.
        /// </summary>
        void ForwardToTunnel(byte[] b, int ip, int length, long now)
        {
            int mtu = nat.Table.Config.TunnelMtu;
            Ipv4Packet p;
            if (length <= mtu || (b[ip] >> 4) != 4 || !Ipv4Packet.TryCreate(b, ip, length, out p))
            {
                SendToTunnel(b, ip, length, now);
                return;
            }
            int pieces = Ipv4Fragmenter.PieceCount(p, mtu);
            if (pieces == 0)
            {
                CountFragment(FragmentCounter.DropCannotSplit);
                return;
            }
            SendPieces(p, mtu, pieces, false, now);
        }

        /// <summary>Writes each piece of <paramref name="p"/> (RFC 791 fragments of at most <paramref name="mtu"/> bytes) and sends it into the tunnel or to the LAN.</summary>
        void SendPieces(Ipv4Packet p, int mtu, int pieces, bool toLan, long now)
        {
            for (int i = 0; i < pieces; i++)
            {
                int n = Ipv4Fragmenter.WritePiece(p, mtu, i, outBuffer, Message.DataPayload);
                if (n == 0)
                {
                    CountFragment(FragmentCounter.DropCannotSplit);
                    return;
                }
                CountFragment(FragmentCounter.Created);
                if (toLan)
                    DeliverToLan(outBuffer, Message.DataPayload, n, now);
                else
                    SendToTunnel(outBuffer, Message.DataPayload, n, now);
            }
        }

        void CountFragment(FragmentCounter c)
        {
            if (nat.Fragments != null)
                nat.Fragments.Counters.Increment(c);
        }

        /// <summary>
        /// A LAN frame longer than the receive buffer (a jumbo-MTU host): only its start is here.
        /// A packet to be routed gets "fragmentation needed" / "packet too big" with the tunnel MTU,
        /// so path MTU discovery works whatever the frame's size; the rest is dropped and counted.
        /// </summary>
        void HandleOversizeFrame(int offset, int available, long now)
        {
            byte[] b = lanBuffer;
            EthernetFrame eth;
            if (!EthernetFrame.TryCreate(b, offset, available, out eth) || eth.HasVlanTag
                || !MacAddress.Equal(b, eth.DestinationOffsetInBuffer, routerMac, 0)
                || (eth.EtherType != EthernetFrame.EtherTypeIpv4 && eth.EtherType != EthernetFrame.EtherTypeIpv6))
            {
                counters.Increment(RouterCounter.DropMalformedFrame);
                return;
            }
            int ip = eth.PayloadOffset;
            int have = eth.PayloadLength;
            int ipLength = eth.EtherType == EthernetFrame.EtherTypeIpv4 ? Endian.Read16(b, ip + 2) : 40 + Endian.Read16(b, ip + 4);
            NatResult r = nat.RefuseOversize(b, ip, have, ipLength, now, outBuffer, EthernetFrame.HeaderLength);
            if (r.Action != NatAction.Reply)
                return;
            EthernetFrame.WriteHeader(outBuffer, 0, b, eth.SourceOffsetInBuffer, routerMac, 0, eth.EtherType);
            SendLan(outBuffer, 0, EthernetFrame.HeaderLength + r.ReplyLength);
        }

        /// <summary>
        /// A packet out of the tunnel for a LAN host. The LAN's MTU is the one the router
        /// advertises (DHCP option 26, the RA's MTU option: the tunnel MTU), and a host whose link
        /// takes no more drops a bigger frame, so an IPv4 packet above it without DF (a peer with a
        /// larger tunnel MTU than ours) is split; anything else goes as it is.
        /// </summary>
        void DeliverInbound(byte[] b, int ip, int length, long now)
        {
            int mtu = nat.Table.Config.TunnelMtu;
            Ipv4Packet p;
            if (length <= mtu || (b[ip] >> 4) != 4 || !Ipv4Packet.TryCreate(b, ip, length, out p) || Ipv4Fragmenter.PieceCount(p, mtu) == 0)
            {
                DeliverToLan(b, ip, length, now);
                return;
            }
            SendPieces(p, mtu, Ipv4Fragmenter.PieceCount(p, mtu), true, now);
        }

        /// <summary>Sends on the fragments the NAT held until their datagram's first fragment went through (bounded by the hold slots).</summary>
        void ReleaseFragments(long now)
        {
            if (nat.Fragments == null)
                return;
            for (int i = 0; i < nat.Fragments.HoldSlots; i++)
            {
                int n;
                NatResult r = nat.TakeReleasedFragment(fragmentBuffer, Message.DataPayload, out n);
                if (n == 0)
                    return;
                if (r.Action == NatAction.WriteToTunnel)
                    ForwardToTunnel(fragmentBuffer, Message.DataPayload, n, now);
                else if (r.Action == NatAction.WriteToLan)
                    DeliverInbound(fragmentBuffer, Message.DataPayload, n, now);
            }
        }
    }
}

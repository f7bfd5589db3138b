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
            for (int i = 0; i < pieces; i++)
            {
                int n = Ipv4Fragmenter.WritePiece(p, mtu, i, outBuffer, Message.DataPayload);
                if (n == 0)
                {
                    CountFragment(FragmentCounter.DropCannotSplit);
                    return;
                }
                CountFragment(FragmentCounter.Created);
                SendToTunnel(outBuffer, Message.DataPayload, n, now);
            }
        }

        void CountFragment(FragmentCounter c)
        {
            if (nat.Fragments != null)
                nat.Fragments.Counters.Increment(c);
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
                    DeliverToLan(fragmentBuffer, Message.DataPayload, n, r.Host);
            }
        }
    }
}

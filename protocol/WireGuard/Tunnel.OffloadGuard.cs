namespace Warp.Protocol.WireGuard
{
    // Nonce safety while a keypair is offloaded: ExportKeypair marks the keypair, and from then on
    // every counter this tunnel seals with on it is reserved from the fast path
    // (SendCounterReservation), until ReclaimKeypair takes the state back. Without a reservation
    // nothing is sent (DropSendCounterNotReserved): a counter is never used twice.
    public sealed partial class Tunnel
    {
        /// <summary>The fast path's counter reservation; null when nothing is offloaded (then an offloaded keypair sends nothing).</summary>
        public ISendCounterReservation SendCounterReservation;

        /// <summary>True while the peer's current keypair is exported to a fast path.</summary>
        public bool IsOffloaded(int peer)
        {
            return peer >= 0 && peer < peerCount && peers[peer].Current.Valid && peers[peer].Current.Offloaded;
        }

        /// <summary>The local index of the peer's current keypair (0 when there is none): a changed index is a changed keypair.</summary>
        public uint CurrentLocalIndex(int peer)
        {
            if (peer < 0 || peer >= peerCount || !peers[peer].Current.Valid)
                return 0;
            return peers[peer].Current.LocalIndex;
        }

        /// <summary>The counter for the next data message on <paramref name="kp"/>: its own, or one reserved from the fast path that holds it.</summary>
        bool NextSendCounter(Peer p, Keypair kp, out ulong counter)
        {
            if (!kp.Offloaded)
            {
                counter = kp.SendCounter++;
                return true;
            }
            counter = 0;
            if (SendCounterReservation == null)
                return false;
            ulong c = SendCounterReservation.ReserveSendCounter(p.Number, kp.LocalIndex);
            if (c == ulong.MaxValue || c < kp.SendCounter)
                return false; // not that keypair, or behind what this tunnel already used
            counter = c;
            kp.SendCounter = c + 1;
            return true;
        }

        /// <summary>
        /// Ends the offload of the peer's keypairs after the fast path forgot them (flushed):
        /// the current keypair's state (<paramref name="state"/>, from the fast path before the
        /// flush; null or length 0 when there was none) is imported first. A current keypair that
        /// was offloaded and whose state cannot be imported is retired (no more sending on it, a
        /// handshake is asked for): its counter may be anywhere up to the fast path's. Returns false then.
        /// </summary>
        public bool ReclaimKeypair(int peer, byte[] state, int offset, int length)
        {
            if (peer < 0 || peer >= peerCount)
                return false;
            Peer p = peers[peer];
            bool ok = true;
            if (p.Current.Valid && p.Current.Offloaded)
            {
                p.Current.Offloaded = false;
                if (state == null || length <= 0 || !ImportKeypairState(peer, state, offset, length))
                {
                    p.Current.SendCounter = Limits.RejectAfterMessages; // HasSession is false from now on
                    p.WantHandshake = true;
                    ok = false;
                }
            }
            // Previous and next are never sent on; their marks go with the fast path's copy.
            p.Previous.Offloaded = false;
            p.Next.Offloaded = false;
            return ok;
        }
    }
}

namespace Warp.Protocol.WireGuard
{
    // Timers (whitepaper section 6), arranged as in wireguard-go's timers.go: event hooks named
    // after what happened arm the timers (OnDataSent, OnHandshakeComplete...), one method per timer
    // says what happens when it expires, and Tick runs them in a fixed order. A timer is a deadline
    // in Peer (Never = not armed); nothing here reads a clock.
    public sealed partial class Tunnel
    {
        /// <summary>
        /// Runs the timers and pending work: one datagram per call at most (a handshake
        /// initiation, a staged packet, a keepalive), to be sent to the peer's endpoint. Call it
        /// until it returns Done, at <see cref="NextDeadline"/> and after every Decapsulate.
        /// </summary>
        public TunnelResult Tick(long now, byte[] output, int outputOffset)
        {
            for (int i = 0; i < peerCount; i++)
            {
                TunnelResult r = TickPeer(peers[i], now, output, outputOffset);
                if (r.Action != TunnelAction.Done)
                    return r;
            }
            return TunnelResult.Make(TunnelAction.Done, 0, -1);
        }

        TunnelResult TickPeer(Peer p, long now, byte[] output, int o)
        {
            ZeroKeyMaterialExpired(p, now);
            TunnelResult r = RetransmitHandshakeExpired(p, now, output, o);
            if (r.Action != TunnelAction.Done)
                return r;
            NewHandshakeExpired(p, now);
            r = SendWantedInitiation(p, now, output, o);
            if (r.Action != TunnelAction.Done)
                return r;
            r = SendStagedPacket(p, now, output, o);
            if (r.Action != TunnelAction.Done)
                return r;
            // Every keepalive source is consumed (and re-armed) on this pass; one keepalive serves them all.
            bool keepalive = p.SendKeepaliveNow;
            p.SendKeepaliveNow = false;
            if (SendKeepaliveExpired(p, now))
                keepalive = true;
            if (PersistentKeepaliveExpired(p, now))
                keepalive = true;
            if (keepalive)
                return SendKeepalive(p, now, output, o);
            return TunnelResult.Make(TunnelAction.Done, 0, p.Number);
        }

        // ------------------------------------------------------------------ the timers

        /// <summary>Zero key material (whitepaper 6.3): RejectAfterTime * 3 after the last session was derived, every key and index goes.</summary>
        void ZeroKeyMaterialExpired(Peer p, long now)
        {
            if (now < p.ZeroKeyMaterialAt)
                return;
            p.ZeroKeyMaterialAt = Peer.Never;
            if (!p.HasAnyKeys)
                return;
            RetireIndex(p.Current);
            RetireIndex(p.Previous);
            RetireIndex(p.Next);
            indices.Remove(p.Handshake.LocalIndex);
            p.Current.Clear();
            p.Previous.Clear();
            p.Next.Clear();
            p.Handshake.Clear();
            Counters.Increment(TunnelCounter.KeysZeroed);
        }

        /// <summary>
        /// Retransmit handshake (whitepaper 6.4): no response within RekeyTimeout plus jitter;
        /// send the initiation again, until RekeyAttemptTime has passed, then give up.
        /// </summary>
        TunnelResult RetransmitHandshakeExpired(Peer p, long now, byte[] output, int o)
        {
            if (now >= p.RetransmitHandshakeAt)
            {
                p.RetransmitHandshakeAt = Peer.Never;
                if (p.HandshakeAttempts >= Limits.MaxHandshakeAttempts)
                {
                    GiveUp(p, now);
                }
                else
                {
                    p.HandshakeAttempts++;
                    return SendInitiation(p, now, output, o, true);
                }
            }
            return TunnelResult.Make(TunnelAction.Done, 0, p.Number);
        }

        /// <summary>
        /// New handshake (whitepaper 6.2): data was sent and nothing authenticated came back for
        /// KeepaliveTimeout + RekeyTimeout plus jitter (as wireguard-go); ask for a handshake.
        /// </summary>
        static void NewHandshakeExpired(Peer p, long now)
        {
            if (now < p.NewHandshakeAt)
                return;
            p.NewHandshakeAt = Peer.Never;
            p.WantHandshake = true;
        }

        /// <summary>Send keepalive (whitepaper 6.5, passive keepalive): data received and nothing sent back for KeepaliveTimeout. True when a keepalive is due.</summary>
        static bool SendKeepaliveExpired(Peer p, long now)
        {
            if (now < p.SendKeepaliveAt)
                return false;
            p.SendKeepaliveAt = Peer.Never;
            if (p.NeedAnotherKeepalive)
            {
                // More data arrived while the timer was armed: it will want an answer too.
                p.NeedAnotherKeepalive = false;
                p.SendKeepaliveAt = now + Limits.KeepaliveTimeout;
            }
            return true;
        }

        /// <summary>Persistent keepalive (whitepaper 6.5): nothing sent or received for the configured interval. True when a keepalive is due.</summary>
        static bool PersistentKeepaliveExpired(Peer p, long now)
        {
            if (now < p.PersistentKeepaliveAt)
                return false;
            p.PersistentKeepaliveAt = p.PersistentKeepalive > 0 ? now + p.PersistentKeepalive : Peer.Never;
            return true;
        }

        /// <summary>The last retransmission went unanswered: forget the handshake and what waited for it.</summary>
        void GiveUp(Peer p, long now)
        {
            Counters.Increment(TunnelCounter.HandshakesGivenUp);
            p.LastGaveUp = now;
            indices.Remove(p.Handshake.LocalIndex);
            p.Handshake.Clear();
            p.WantHandshake = false;
            p.SendKeepaliveAt = Peer.Never;
            p.SendKeepaliveNow = false;
            while (p.StagedCount > 0)
            {
                p.StagedCount--;
                Counters.Increment(TunnelCounter.DropStagedOnGiveUp);
            }
            p.StagedHead = 0;
            if (p.ZeroKeyMaterialAt == Peer.Never)
                p.ZeroKeyMaterialAt = now + Limits.RejectAfterTime * 3;
        }

        /// <summary>The earliest time <see cref="Tick"/> has work; <paramref name="now"/> itself when work is pending.</summary>
        public long NextDeadline(long now)
        {
            long next = Peer.Never;
            for (int i = 0; i < peerCount; i++)
            {
                Peer p = peers[i];
                if (p.SendKeepaliveNow || (p.StagedCount > 0 && p.HasSession(now)))
                    return now;
                if (p.WantHandshake && !p.HandshakeInProgress)
                {
                    long at = p.LastInitiationSent + Limits.RekeyTimeout;
                    next = Min(next, at < now ? now : at);
                }
                next = Min(next, p.RetransmitHandshakeAt);
                next = Min(next, p.SendKeepaliveAt);
                next = Min(next, p.NewHandshakeAt);
                next = Min(next, p.ZeroKeyMaterialAt);
                next = Min(next, p.PersistentKeepaliveAt);
            }
            return next;
        }

        static long Min(long a, long b) { return a < b ? a : b; }

        /// <summary>
        /// A random delay in [0, RekeyTimeoutJitterMax) milliseconds from the injected entropy,
        /// added to the handshake timers so that peers do not retry in lockstep.
        /// </summary>
        long Jitter()
        {
            RandomBytes.Fill(entropy, jitterBytes, 0, 2);
            return ((jitterBytes[0] << 8) | jitterBytes[1]) % Limits.RekeyTimeoutJitterMax;
        }

        // ------------------------------------------------------------------ events that arm the timers

        void OnDataSent(Peer p, long now)
        {
            if (p.NewHandshakeAt == Peer.Never)
                p.NewHandshakeAt = now + Limits.KeepaliveTimeout + Limits.RekeyTimeout + Jitter();
        }

        void OnDataReceived(Peer p, long now)
        {
            if (p.SendKeepaliveAt == Peer.Never)
                p.SendKeepaliveAt = now + Limits.KeepaliveTimeout;
            else
                p.NeedAnotherKeepalive = true;
        }

        static void OnAnyAuthenticatedPacketSent(Peer p)
        {
            p.SendKeepaliveAt = Peer.Never;
        }

        static void OnAnyAuthenticatedPacketReceived(Peer p, long now)
        {
            p.LastReceived = now;
            p.NewHandshakeAt = Peer.Never;
        }

        static void OnAnyAuthenticatedPacketTraversal(Peer p, long now)
        {
            if (p.PersistentKeepalive > 0)
                p.PersistentKeepaliveAt = now + p.PersistentKeepalive;
        }

        void OnHandshakeInitiated(Peer p, long now)
        {
            p.RetransmitHandshakeAt = now + Limits.RekeyTimeout + Jitter();
        }

        static void OnHandshakeComplete(Peer p, long now)
        {
            p.WantHandshake = false; // whatever asked for a handshake has a fresh session now
            p.RetransmitHandshakeAt = Peer.Never;
            p.HandshakeAttempts = 0;
            p.LastHandshakeCompleted = now;
        }

        static void OnSessionDerived(Peer p, long now)
        {
            p.ZeroKeyMaterialAt = now + Limits.RejectAfterTime * 3;
        }
    }
}

namespace Warp.Protocol.WireGuard
{
    /// <summary>What the caller must do after a <see cref="Tunnel"/> call (after boringtun's TunnResult).</summary>
    public enum TunnelAction
    {
        /// <summary>Nothing to do.</summary>
        Done = 0,
        /// <summary>
        /// Send <see cref="TunnelResult.Length"/> bytes of the output buffer as one UDP datagram:
        /// from <see cref="Tunnel.Decapsulate"/>, to the source of the datagram just received;
        /// from <see cref="Tunnel.Encapsulate"/> and <see cref="Tunnel.Tick"/>, to the peer's endpoint.
        /// </summary>
        WriteToNetwork = 1,
        /// <summary>
        /// An IP packet came out of the tunnel: deliver <see cref="TunnelResult.Length"/> bytes of
        /// the output buffer to the LAN.
        /// </summary>
        WriteToLan = 2,
        /// <summary>The input was dropped; <see cref="TunnelResult.Reason"/> says why (and was counted).</summary>
        Dropped = 3,
        /// <summary>The packet was kept until a session exists (a handshake has been asked for).</summary>
        Staged = 4,
        /// <summary>
        /// Our handshake initiation was answered: a new session is current. Nothing to send in
        /// reply; as after Done, run <see cref="Tunnel.Tick"/> (it sends the staged packets or the
        /// confirming keepalive).
        /// </summary>
        HandshakeComplete = 5,
    }

    public struct TunnelResult
    {
        public TunnelAction Action;
        public int Length;
        /// <summary>The peer concerned, or -1 (a cookie reply to an unauthenticated source).</summary>
        public int Peer;
        public TunnelCounter Reason;

        internal static TunnelResult Make(TunnelAction action, int length, int peer)
        {
            TunnelResult r;
            r.Action = action;
            r.Length = length;
            r.Peer = peer;
            r.Reason = TunnelCounter.None;
            return r;
        }

        internal static TunnelResult Drop(TunnelCounter reason, int peer)
        {
            TunnelResult r;
            r.Action = TunnelAction.Dropped;
            r.Length = 0;
            r.Peer = peer;
            r.Reason = reason;
            return r;
        }

        public override string ToString()
        {
            return Action == TunnelAction.Dropped ? "Dropped(" + Reason.ToString() + ")" : Action.ToString() + "(" + Length + ")";
        }
    }
}

namespace Warp.Protocol.WireGuard
{
    /// <summary>Every event the tunnel counts: each drop by its reason, and the normal traffic.</summary>
    public enum TunnelCounter
    {
        /// <summary>No reason: the sentinel of <see cref="TunnelResult.Reason"/> when nothing was dropped.</summary>
        None = 0,
        // Drops of received datagrams
        DropTruncated,
        DropUnknownType,
        DropWrongSize,
        DropBadMac1,
        DropInitiationUndecryptable,
        DropUnknownPeer,
        DropReplayedInitiation,
        DropInitiationFlood,
        DropResponseUnknownIndex,
        DropResponseUnexpected,
        DropResponseUndecryptable,
        DropCookieUnknownIndex,
        DropCookieUndecryptable,
        DropDataUnknownIndex,
        DropDataExpiredKeypair,
        DropDataReplayed,
        DropDataUndecryptable,
        DropDataBadInnerPacket,
        DropOutputTooSmall,
        DropBadPublicKey,
        // Drops of packets to send
        DropSendNoSession,
        DropSendPacketTooLarge,
        DropSendUnknownPeer,
        DropStagedOnGiveUp,
        /// <summary>A send on a keypair the fast path holds, without a counter reserved from it (never sent: the nonce could repeat).</summary>
        DropSendCounterNotReserved,
        // Events
        CookieRepliesSent,
        CookiesReceived,
        InitiationsSent,
        ResponsesSent,
        HandshakesCompleted,
        HandshakesGivenUp,
        KeepalivesSent,
        KeepalivesReceived,
        DataPacketsSent,
        DataPacketsReceived,
        KeysZeroed,
        EndpointChanges,
        Count,
    }

    /// <summary>The tunnel's counters (<see cref="CounterSet"/>), typed by <see cref="TunnelCounter"/>.</summary>
    public sealed class TunnelCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none",
            "drop.truncated", "drop.unknown_type", "drop.wrong_size", "drop.bad_mac1", "drop.initiation_undecryptable",
            "drop.unknown_peer", "drop.replayed_initiation", "drop.initiation_flood", "drop.response_unknown_index",
            "drop.response_unexpected", "drop.response_undecryptable", "drop.cookie_unknown_index", "drop.cookie_undecryptable",
            "drop.data_unknown_index", "drop.data_expired_keypair", "drop.data_replayed", "drop.data_undecryptable",
            "drop.data_bad_inner_packet", "drop.output_too_small", "drop.bad_public_key",
            "drop.send_no_session", "drop.send_packet_too_large", "drop.send_unknown_peer", "drop.staged_on_give_up", "drop.send_counter_not_reserved",
            "cookie_replies_sent", "cookies_received", "initiations_sent", "responses_sent", "handshakes_completed",
            "handshakes_given_up", "keepalives_sent", "keepalives_received", "data_packets_sent", "data_packets_received",
            "keys_zeroed", "endpoint_changes",
        };

        public TunnelCounters() : base("tunnel", names, (int)TunnelCounter.DropSendCounterNotReserved + 1) { }
        public long this[TunnelCounter c] { get { return Get((int)c); } }
        public void Increment(TunnelCounter c) { Add((int)c); }
    }
}

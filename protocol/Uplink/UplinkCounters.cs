namespace Warp.Protocol.Uplink
{
    /// <summary>What the path racer counts: late responses it drops, races by reason, winners by family, reconnects.</summary>
    public enum UplinkCounter
    {
        /// <summary>No reason (the shared sentinel, never counted).</summary>
        None = 0,
        /// <summary>A handshake response from a path that lost the race (or arrived after the race ended): dropped before the tunnel.</summary>
        DropLateResponse,
        /// <summary>A race attempt the uplink could not send (that path fails; the race goes on).</summary>
        DropAttemptNotSent,
        Races,
        RacesAtStart,
        RacesOnUplinkChange,
        RacesOnHandshakeFailure,
        RacesOnSilence,
        RacesOnCommand,
        RacesOnSendFailures,
        AttemptsSent,
        WinsIpv6,
        WinsIpv4,
        /// <summary>Without racing (Race = off): the initiation went unanswered, the next path in order is tried.</summary>
        SequentialMoves,
        /// <summary>A send failure on the winner (no buffers, no route, dead socket): a new socket, no race.</summary>
        Reconnects,
        /// <summary>Reconnects kept failing: the racer fell back to a race.</summary>
        Fallbacks,
        /// <summary>A winner from the cache (RFC 8305 section 5) was tried first.</summary>
        CachedWinnerFirst,
        Count,
    }

    /// <summary>The racer's counters (module "uplink"), typed by <see cref="UplinkCounter"/>.</summary>
    public sealed class UplinkCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none", "drop.late_response", "drop.attempt_not_sent",
            "races", "races_at_start", "races_on_uplink_change", "races_on_handshake_failure", "races_on_silence",
            "races_on_command", "races_on_send_failures", "attempts_sent", "wins_ipv6", "wins_ipv4", "sequential_moves",
            "reconnects", "fallbacks", "cached_winner_first",
        };

        public UplinkCounters() : base("uplink", names, (int)UplinkCounter.DropAttemptNotSent + 1) { }
        public long this[UplinkCounter c] { get { return Get((int)c); } }
        public void Increment(UplinkCounter c) { Add((int)c); }
    }
}

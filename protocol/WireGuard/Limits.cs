namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Protocol constants of the WireGuard whitepaper (section 6.1), with the Linux and
    /// wireguard-go values where the paper leaves a choice. Times are in milliseconds, the unit
    /// of the monotonic <c>now</c> every entry point takes.
    /// </summary>
    public static class Limits
    {
        public const ulong RekeyAfterMessages = 1UL << 60;
        /// <summary>2^64 - 2^13 - 1 (Linux: U64_MAX - COUNTER_WINDOW_SIZE - 1 with an 8,192-bit window).</summary>
        public const ulong RejectAfterMessages = ulong.MaxValue - (1UL << 13);
        public const long RekeyAfterTime = 120000;
        public const long RejectAfterTime = 180000;
        public const long RekeyAttemptTime = 90000;
        public const long RekeyTimeout = 5000;
        /// <summary>Upper bound (exclusive) of the random jitter added to each handshake retransmission and to the new-handshake timer.</summary>
        public const long RekeyTimeoutJitterMax = 334;
        public const long KeepaliveTimeout = 10000;
        public const long CookieRefreshTime = 120000;
        /// <summary>A responder refuses initiations from one peer that come closer together than this (wireguard-go).</summary>
        public const long HandshakeInitiationRate = 20;
        /// <summary>RekeyAttemptTime / RekeyTimeout: initiations sent before giving up.</summary>
        public const int MaxHandshakeAttempts = (int)(RekeyAttemptTime / RekeyTimeout);
        /// <summary>
        /// The initiator of a session rekeys when data arrives on a keypair this old
        /// (RejectAfterTime - KeepaliveTimeout - RekeyTimeout), so the session never expires
        /// while the peer is still sending.
        /// </summary>
        public const long RekeyOnReceiveAge = RejectAfterTime - KeepaliveTimeout - RekeyTimeout;
    }
}

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Where a peer's handshake stands (whitepaper section 5.4; stage names as in wireguard-go).
    /// Only the initiation leaves a handshake in progress: creating or consuming the response
    /// derives the keypair and clears the state back to None at once, so there is no response stage.
    /// </summary>
    public enum HandshakeStage
    {
        /// <summary>No handshake in progress.</summary>
        None = 0,
        /// <summary>We sent an initiation and wait for the response (the initiator; retransmitted by the timers).</summary>
        InitiationCreated = 1,
        /// <summary>We accepted the peer's initiation; the response is written next (the responder).</summary>
        InitiationConsumed = 2,
    }

    /// <summary>
    /// The Noise_IKpsk2 state of one peer's handshake in progress: chaining key C, hash H, our
    /// ephemeral private key, the peer's ephemeral public key and the two indices. All secret
    /// fields are cleared when the handshake ends or is abandoned.
    /// </summary>
    public sealed class HandshakeState
    {
        public HandshakeStage Stage;
        public readonly byte[] ChainingKey = new byte[32];
        public readonly byte[] Hash = new byte[32];
        public readonly byte[] LocalEphemeralPrivate = new byte[32];
        public readonly byte[] RemoteEphemeral = new byte[32];
        public uint LocalIndex;
        public uint RemoteIndex;
        /// <summary>
        /// When this stage was entered (monotonic ms): our initiation created, or the peer's
        /// consumed. Kept for inspection: no timer reads it (retransmission runs on
        /// <see cref="Peer"/>'s own deadline).
        /// </summary>
        public long Created;

        public void Clear()
        {
            Crypto.CryptoUtil.Clear(ChainingKey);
            Crypto.CryptoUtil.Clear(Hash);
            Crypto.CryptoUtil.Clear(LocalEphemeralPrivate);
            Crypto.CryptoUtil.Clear(RemoteEphemeral);
            Stage = HandshakeStage.None;
            LocalIndex = 0;
            RemoteIndex = 0;
            Created = 0;
        }
    }
}

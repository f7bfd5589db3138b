namespace Warp.Protocol.WireGuard
{
    /// <summary>Where a peer's handshake stands (whitepaper section 5.4; the names of wireguard-go's states).</summary>
    public enum HandshakeStage
    {
        None = 0,
        InitiationCreated = 1,
        InitiationConsumed = 2,
        ResponseCreated = 3,
        ResponseConsumed = 4,
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
        /// <summary>When our initiation was created (monotonic), for retransmission and for the response's freshness.</summary>
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

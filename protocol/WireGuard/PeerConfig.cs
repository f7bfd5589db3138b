namespace Warp.Protocol.WireGuard
{
    /// <summary>What the configuration says about one peer ([Peer] in a wg-quick file).</summary>
    public sealed class PeerConfig
    {
        /// <summary>The peer's X25519 public key (32 bytes).</summary>
        public byte[] PublicKey;
        /// <summary>Optional preshared key (32 bytes), or null.</summary>
        public byte[] PresharedKey;
        /// <summary>WARP client id written into bytes 1-3 of every message to this peer; 0 for a standard peer.</summary>
        public int ClientId;
        /// <summary>Where to send until the peer roams; may be unset for a peer that only answers.</summary>
        public Endpoint Endpoint;
        /// <summary>PersistentKeepalive in seconds; 0 turns it off.</summary>
        public int PersistentKeepaliveSeconds;
    }

    /// <summary>Sizes and policies of a <see cref="Tunnel"/>, fixed at construction (the board profile supplies them).</summary>
    public sealed class TunnelConfig
    {
        /// <summary>Our X25519 private key (32 bytes). The tunnel keeps its own copy; clear yours.</summary>
        public byte[] PrivateKey;
        public int MaxPeers = 1;
        /// <summary>Replay window ring size in 64-bit words (power of two): 128 gives 8,128 packets (1 KB per keypair).</summary>
        public int ReplayWindowWords = 128;
        /// <summary>Largest IP packet accepted for encapsulation (the tunnel MTU).</summary>
        public int MaxPacketSize = 1420;
        /// <summary>Packets held per peer while a handshake is under way (kill switch: never sent in clear); 0 drops them.</summary>
        public int StagedPacketsPerPeer = 4;
        /// <summary>
        /// Handshake messages per second above which the responder is "under load" and answers
        /// initiations and responses that lack a valid mac2 with a cookie reply (whitepaper 5.3).
        /// </summary>
        public int HandshakeLoadPerSecond = 64;
    }
}

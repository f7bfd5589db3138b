using Warp.Protocol.Crypto;
using Warp.Protocol.Net;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// A sans-I/O WireGuard tunnel: one local static identity and a fixed number of peers.
    /// The caller hands in a datagram or an IP packet, an output buffer and <c>now</c> (a
    /// monotonic time in milliseconds) and gets back a <see cref="TunnelResult"/>. Nothing in
    /// here reads a clock, a random source or a socket: randomness comes through
    /// <see cref="IRandomSource"/>, wall-clock time through <see cref="SetWallClock"/>, and the
    /// timers advance only in <see cref="Tick"/>, which the caller runs at
    /// <see cref="NextDeadline"/> (and right after every <see cref="Decapsulate"/>), repeating it
    /// until it returns Done.
    /// <para>WARP: a peer's non-zero client id is written into bytes 1-3 of every message sent
    /// to it, after the MACs are computed over zeros; received messages have those bytes cleared
    /// before they are read.</para>
    /// <para>After a handshake, <see cref="Encapsulate"/> and <see cref="Decapsulate"/> of data
    /// allocate nothing and throw on no input; every drop is counted in <see cref="Counters"/>.</para>
    /// <para>One class in four files: this one (state, peers, indices), Tunnel.Send.cs,
    /// Tunnel.Receive.cs and Tunnel.Timers.cs.</para>
    /// </summary>
    public sealed partial class Tunnel
    {
        readonly Noise noise;
        readonly ICryptoBackend crypto;
        readonly IRandomSource entropy;
        readonly TimestampGenerator timestamps;
        readonly CookieChecker cookies;
        readonly IndexTable indices;
        readonly Peer[] peers;
        readonly TunnelConfig config;
        readonly byte[] indexBytes = new byte[4];
        readonly byte[] jitterBytes = new byte[2];
        int peerCount;
        public readonly TunnelCounters Counters = new TunnelCounters();

        public Tunnel(TunnelConfig config, ICryptoBackend crypto, IRandomSource entropy, ITimestampStore timestampStore)
        {
            if (config == null || config.PrivateKey == null || config.PrivateKey.Length != 32)
                throw new System.ArgumentException("a 32-byte private key is required");
            if (config.MaxPeers < 1 || config.MaxPacketSize < 576 || config.StagedPacketsPerPeer < 0)
                throw new System.ArgumentException("bad tunnel sizes");
            this.config = config;
            this.crypto = crypto;
            this.entropy = entropy;
            noise = new Noise(crypto, config.PrivateKey);
            timestamps = new TimestampGenerator(timestampStore);
            cookies = new CookieChecker(config.HandshakeLoadPerSecond);
            indices = new IndexTable(config.MaxPeers);
            peers = new Peer[config.MaxPeers];
        }

        /// <summary>Our static public key.</summary>
        public byte[] PublicKey { get { return noise.PublicKey; } }
        public int PeerCount { get { return peerCount; } }
        public Peer GetPeer(int number) { return peers[number]; }
        /// <summary>Largest datagram <see cref="Encapsulate"/> can produce: the output buffer needs this much.</summary>
        public int MaxDatagramSize { get { return Message.DataSize(config.MaxPacketSize); } }

        /// <summary>The Noise and cookie working state (hash, HKDF, AEAD and XChaCha20 buffers, about 40 small arrays): an estimate, fixed for any size.</summary>
        const int HandshakeWorkingBytes = 2048;

        /// <summary>The TAI64N source of our initiations; the host writes its ceiling when idle.</summary>
        public TimestampGenerator Timestamps { get { return timestamps; } }

        /// <summary>
        /// Bytes of the tunnel's preallocated arrays: per peer three replay windows, the staged
        /// packet buffers and the keys and handshake state; the index table; the handshake's and
        /// cookies' working state. Array payloads only.
        /// </summary>
        public int MemoryBytes
        {
            get
            {
                int perPeer = 3 * (config.ReplayWindowWords * 8 + 2 * 32) + config.StagedPacketsPerPeer * (config.MaxPacketSize + 4)
                    + 4 * 32 + 12 + 16 + 16 + 4 * 32 + 32;
                return peers.Length * perPeer + indices.MemoryBytes + HandshakeWorkingBytes;
            }
        }

        /// <summary>Asks for a keepalive to the peer at the next Tick (the uplink's address changed: the peer roams to us). Without a session it becomes a handshake.</summary>
        public void RequestKeepalive(int peer)
        {
            if (peer >= 0 && peer < peerCount)
                peers[peer].SendKeepaliveNow = true;
        }

        /// <summary>Adds a peer (at start-up; allocates its state). Returns its number, or -1 for a bad key or a full table.</summary>
        public int AddPeer(PeerConfig pc)
        {
            if (pc == null || pc.PublicKey == null || pc.PublicKey.Length != 32 || peerCount >= peers.Length)
                return -1;
            if (pc.PresharedKey != null && pc.PresharedKey.Length != 32)
                return -1;
            var p = new Peer(peerCount, config.ReplayWindowWords, config.StagedPacketsPerPeer, config.MaxPacketSize);
            System.Array.Copy(pc.PublicKey, p.PublicKey, 32);
            if (pc.PresharedKey != null)
                System.Array.Copy(pc.PresharedKey, p.PresharedKey, 32);
            p.ClientId = pc.ClientId & 0xFFFFFF;
            if (pc.Endpoint != null)
                p.Endpoint.CopyFrom(pc.Endpoint);
            p.PersistentKeepalive = pc.PersistentKeepaliveSeconds * 1000L;
            if (!noise.PreparePeer(p))
            {
                Counters.Increment(TunnelCounter.DropBadPublicKey);
                p.ClearSecrets();
                return -1;
            }
            peers[peerCount] = p;
            return peerCount++;
        }

        /// <summary>Tells the tunnel the wall clock (unix milliseconds at monotonic <paramref name="now"/>), for TAI64N timestamps.</summary>
        public void SetWallClock(long unixMilliseconds, long now)
        {
            timestamps.SetWallClock(unixMilliseconds, now);
        }

        /// <summary>Asks for a handshake with the peer now (at start-up, or when the uplink changed).</summary>
        public void Connect(int peer, long now)
        {
            if (peer < 0 || peer >= peerCount)
                return;
            Peer p = peers[peer];
            p.WantHandshake = true;
            if (p.PersistentKeepalive > 0)
                p.PersistentKeepaliveAt = now + p.PersistentKeepalive;
        }

        // ================================================================== indices

        uint NewIndex(int peer)
        {
            while (true)
            {
                RandomBytes.Fill(entropy, indexBytes, 0, 4);
                uint index = Endian.Read32LE(indexBytes, 0);
                if (indices.Add(index, peer))
                    return index;
            }
        }

        void RetireIndex(Keypair kp)
        {
            if (kp.Valid)
                indices.Remove(kp.LocalIndex);
        }

        TunnelResult Drop(TunnelCounter reason, int peer)
        {
            Counters.Increment(reason);
            return TunnelResult.Drop(reason, peer);
        }

        /// <summary>Clears every secret the tunnel holds (at shutdown).</summary>
        public void ClearSecrets()
        {
            noise.ClearSecrets();
            cookies.Clear();
            for (int i = 0; i < peerCount; i++)
                peers[i].ClearSecrets();
        }
    }
}

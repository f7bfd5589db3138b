using Warp.Protocol.Crypto;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// One session's transport keys (whitepaper section 5.4.5): the sending and receiving keys,
    /// our index (the peer sends it as "receiver"), the peer's index (we send it), the sending
    /// counter and the replay window. Three are preallocated per peer (current, previous, next)
    /// and reused; <see cref="Clear"/> wipes the keys.
    /// Size: 64 bytes of keys, 32 of counters and indices, plus the replay window.
    /// </summary>
    public sealed class Keypair
    {
        public readonly byte[] SendKey = new byte[32];
        public readonly byte[] ReceiveKey = new byte[32];
        public readonly ReplayWindow Replay;
        public uint LocalIndex;
        public uint RemoteIndex;
        public ulong SendCounter;
        /// <summary>Monotonic time the keys were derived.</summary>
        public long Created;
        /// <summary>True when we sent the initiation that made this session.</summary>
        public bool IsInitiator;
        public bool Valid;
        /// <summary>Exported to a fast path, which owns the send counter and replay window until <see cref="Tunnel.ReclaimKeypair"/>.</summary>
        public bool Offloaded;

        public Keypair(int replayWords)
        {
            Replay = new ReplayWindow(replayWords);
        }

        public void Clear()
        {
            CryptoUtil.Clear(SendKey);
            CryptoUtil.Clear(ReceiveKey);
            Replay.Reset();
            LocalIndex = 0;
            RemoteIndex = 0;
            SendCounter = 0;
            Created = 0;
            IsInitiator = false;
            Valid = false;
            Offloaded = false;
        }

        public long Age(long now) { return now - Created; }
    }
}

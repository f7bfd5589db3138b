using Warp.Protocol.Crypto;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Everything the tunnel keeps for one peer: keys and precomputed handshake values, the
    /// handshake in progress, three keypairs (current, previous, next), the cookie state, the
    /// timers and the staged packets. Allocated once, when the peer is added.
    /// </summary>
    public sealed class Peer
    {
        public const long Never = long.MaxValue;

        internal readonly int Number;
        public readonly byte[] PublicKey = new byte[32];
        internal readonly byte[] PresharedKey = new byte[32];
        /// <summary>DH(our static private key, the peer's static public key): computed once (whitepaper 5.4.2 "ss").</summary>
        internal readonly byte[] StaticStatic = new byte[32];
        /// <summary>H after mixing the peer's public key: the initiator's starting hash.</summary>
        internal readonly byte[] InitiatorHash = new byte[32];
        /// <summary>HASH(LABEL-MAC1 || peer public key): keys mac1 of messages we send to the peer.</summary>
        internal readonly byte[] Mac1Key = new byte[32];
        /// <summary>HASH(LABEL-COOKIE || peer public key): decrypts the peer's cookie replies.</summary>
        internal readonly byte[] CookieKey = new byte[32];
        public int ClientId;
        public readonly Endpoint Endpoint = new Endpoint();
        public long PersistentKeepalive;

        internal readonly HandshakeState Handshake = new HandshakeState();
        internal Keypair Current;
        internal Keypair Previous;
        internal Keypair Next;

        /// <summary>Greatest TAI64N timestamp accepted from this peer (whitepaper 5.1).</summary>
        internal readonly byte[] LatestTimestamp = new byte[12];
        internal long LastInitiationConsumed = -Limits.HandshakeInitiationRate - 1;

        // Cookie (whitepaper 5.4.7): the last one received and the mac1 of our last handshake message.
        internal readonly byte[] Cookie = new byte[16];
        internal long CookieReceived = -1;
        internal bool HasCookie;
        internal readonly byte[] LastMac1 = new byte[16];
        internal bool HasLastMac1;

        // Timers (whitepaper section 6, named after the events that arm them). Never = not armed.
        internal long RetransmitHandshakeAt = Never;
        internal long SendKeepaliveAt = Never;
        internal long NewHandshakeAt = Never;
        internal long ZeroKeyMaterialAt = Never;
        internal long PersistentKeepaliveAt = Never;
        internal bool NeedAnotherKeepalive;
        internal bool WantHandshake;
        internal bool SendKeepaliveNow;
        internal int HandshakeAttempts;
        internal long LastInitiationSent = -Limits.RekeyTimeout - 1;

        // Staged packets: a ring of fixed buffers.
        internal readonly byte[][] Staged;
        internal readonly int[] StagedLength;
        internal int StagedHead;
        internal int StagedCount;

        // Status
        public long LastHandshakeCompleted = -1;
        /// <summary>When the last authenticated packet (handshake message, data, keepalive) came from the peer; -1: never.</summary>
        public long LastReceived = -1;
        /// <summary>When the tunnel last gave up a handshake (90 s unanswered); -1: never.</summary>
        public long LastGaveUp = -1;
        public long BytesSent;
        public long BytesReceived;

        internal Peer(int number, int replayWords, int stagedPackets, int maxPacket)
        {
            Number = number;
            Current = new Keypair(replayWords);
            Previous = new Keypair(replayWords);
            Next = new Keypair(replayWords);
            Staged = new byte[stagedPackets][];
            StagedLength = new int[stagedPackets];
            for (int i = 0; i < stagedPackets; i++)
                Staged[i] = new byte[maxPacket];
        }

        /// <summary>The current session is usable for sending (whitepaper 6.1: RejectAfterTime, RejectAfterMessages).</summary>
        public bool HasSession(long now)
        {
            return Current.Valid && Current.Age(now) < Limits.RejectAfterTime && Current.SendCounter < Limits.RejectAfterMessages;
        }

        public bool HandshakeInProgress { get { return Handshake.Stage == HandshakeStage.InitiationCreated; } }

        public const int StateDown = 0;
        public const int StateHandshaking = 1;
        public const int StateUp = 2;

        /// <summary>
        /// What an operator should be told: up (a session to send on, and the peer has not gone
        /// silent: no handshake retransmitted unanswered, none given up since it last answered),
        /// handshaking (a handshake in flight without a session, or one the peer left unanswered
        /// for a retransmission), or down (no session and nothing in flight, or given up).
        /// A rekey in its first RekeyTimeout leaves the tunnel up.
        /// </summary>
        public int State(long now)
        {
            if (HandshakeInProgress && (HandshakeAttempts > 0 || !HasSession(now)))
                return StateHandshaking;
            if (HasSession(now) && !(LastGaveUp >= 0 && LastGaveUp > LastReceived))
                return StateUp;
            return HandshakeInProgress ? StateHandshaking : StateDown;
        }

        /// <summary>"down", "handshaking" or "up".</summary>
        public static string StateName(int state)
        {
            return state == StateUp ? "up" : state == StateHandshaking ? "handshaking" : "down";
        }

        internal Keypair KeypairFor(uint localIndex)
        {
            if (Current.Valid && Current.LocalIndex == localIndex) return Current;
            if (Next.Valid && Next.LocalIndex == localIndex) return Next;
            if (Previous.Valid && Previous.LocalIndex == localIndex) return Previous;
            return null;
        }

        internal bool HasAnyKeys { get { return Current.Valid || Previous.Valid || Next.Valid || Handshake.Stage != HandshakeStage.None; } }

        internal void ClearSecrets()
        {
            CryptoUtil.Clear(PresharedKey);
            CryptoUtil.Clear(StaticStatic);
            CryptoUtil.Clear(Cookie);
            Handshake.Clear();
            Current.Clear();
            Previous.Clear();
            Next.Clear();
        }
    }
}

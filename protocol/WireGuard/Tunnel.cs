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
    /// </summary>
    public sealed class Tunnel
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
        const int HandshakeWorkingBytes = 1536;

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
        public void SendKeepalive(int peer)
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

        // ================================================================== sending

        /// <summary>
        /// Encrypts an IP packet for <paramref name="peer"/> into a transport data message at
        /// (output, outputOffset). The output buffer needs <see cref="Message.DataSize"/> bytes
        /// from its offset; the packet may already sit at outputOffset + 16 (zero copy).
        /// Without a session the packet is staged (or dropped when the stage is full) and a
        /// handshake is asked for: nothing ever leaves unencrypted.
        /// </summary>
        public TunnelResult Encapsulate(int peer, byte[] packet, int offset, int length, byte[] output, int outputOffset, long now)
        {
            if (peer < 0 || peer >= peerCount)
                return Drop(TunnelCounter.DropSendUnknownPeer, -1);
            if (!Bounds.Fits(packet, offset, length) || length > config.MaxPacketSize)
                return Drop(TunnelCounter.DropSendPacketTooLarge, peer);
            if (!Bounds.Fits(output, outputOffset, Message.DataSize(length)))
                return Drop(TunnelCounter.DropOutputTooSmall, peer);
            Peer p = peers[peer];
            if (!p.HasSession(now))
            {
                p.WantHandshake = true;
                if (!Stage(p, packet, offset, length))
                    return Drop(TunnelCounter.DropSendNoSession, peer);
                return TunnelResult.Make(TunnelAction.Staged, 0, peer);
            }
            int n = SealData(p, packet, offset, length, output, outputOffset, now);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, n, peer);
        }

        int SealData(Peer p, byte[] packet, int offset, int length, byte[] output, int o, long now)
        {
            Keypair kp = p.Current;
            int padded = Message.PaddedLength(length);
            if (length > 0 && (packet != output || offset != o + Message.DataPayload))
                System.Array.Copy(packet, offset, output, o + Message.DataPayload, length);
            if (padded > length)
                System.Array.Clear(output, o + Message.DataPayload + length, padded - length);
            ulong counter = kp.SendCounter++;
            Message.WriteType(output, o, Message.TypeData);
            Endian.Write32LE(output, o + Message.DataReceiver, kp.RemoteIndex);
            Endian.Write64LE(output, o + Message.DataCounter, counter);
            crypto.AeadSeal(kp.SendKey, 0, counter, null, 0, 0, output, o + Message.DataPayload, padded, output, o + Message.DataPayload);
            ClientId.Write(output, o, p.ClientId);
            int total = Message.DataHeaderSize + padded + Message.TagSize;
            p.BytesSent += total;
            if (length > 0)
            {
                Counters.Increment(TunnelCounter.DataPacketsSent);
                OnDataSent(p, now);
            }
            else
            {
                Counters.Increment(TunnelCounter.KeepalivesSent);
            }
            OnAnyAuthenticatedPacketSent(p);
            OnAnyAuthenticatedPacketTraversal(p, now);
            // Keep the key fresh (whitepaper 6.2): the initiator of a session rekeys after RekeyAfterTime or RekeyAfterMessages.
            if (kp.IsInitiator && (kp.SendCounter >= Limits.RekeyAfterMessages || kp.Age(now) >= Limits.RekeyAfterTime))
                p.WantHandshake = true;
            return total;
        }

        bool Stage(Peer p, byte[] packet, int offset, int length)
        {
            int capacity = p.Staged.Length;
            if (capacity == 0 || length > config.MaxPacketSize)
                return false;
            if (p.StagedCount == capacity)
            {
                // Full: the oldest packet makes room (newer traffic is worth more after a stall).
                p.StagedHead = (p.StagedHead + 1) % capacity;
                p.StagedCount--;
                Counters.Increment(TunnelCounter.DropSendNoSession);
            }
            int slot = (p.StagedHead + p.StagedCount) % capacity;
            System.Array.Copy(packet, offset, p.Staged[slot], 0, length);
            p.StagedLength[slot] = length;
            p.StagedCount++;
            return true;
        }

        // ================================================================== receiving

        /// <summary>
        /// Processes a datagram from <paramref name="source"/>. Handshake messages may produce a
        /// reply for the source (WriteToNetwork); data produces an IP packet (WriteToTunnel) at
        /// (output, outputOffset), which needs the datagram's length. The datagram's reserved
        /// bytes are cleared in place. Run <see cref="Tick"/> afterwards: a completed handshake
        /// leaves staged packets or a keepalive to send.
        /// </summary>
        public TunnelResult Decapsulate(Endpoint source, byte[] datagram, int offset, int length, byte[] output, int outputOffset, long now)
        {
            byte type = Message.ClearReservedAndReadType(datagram, offset, length);
            if (type == 0 && length < 4)
                return Drop(TunnelCounter.DropTruncated, -1);
            int expected = Message.ExpectedSize(type);
            if (expected < 0)
                return Drop(TunnelCounter.DropUnknownType, -1);
            if (expected > 0 && length != expected)
                return Drop(length < expected ? TunnelCounter.DropTruncated : TunnelCounter.DropWrongSize, -1);
            switch (type)
            {
                case Message.TypeInitiation:
                    return HandleInitiation(source, datagram, offset, output, outputOffset, now);
                case Message.TypeResponse:
                    return HandleResponse(source, datagram, offset, output, outputOffset, now);
                case Message.TypeCookieReply:
                    return HandleCookieReply(datagram, offset, now);
                default:
                    return HandleData(source, datagram, offset, length, output, outputOffset, now);
            }
        }

        TunnelResult HandleInitiation(Endpoint source, byte[] msg, int o, byte[] output, int r, long now)
        {
            if (!noise.VerifyMac1(msg, o, Message.InitiationMac1))
                return Drop(TunnelCounter.DropBadMac1, -1);
            if (cookies.CountAndCheckLoad(now) && !noise.VerifyMac2(msg, o, Message.InitiationMac2, cookies, source, now, entropy))
                return CookieReply(source, msg, o, Message.InitiationMac1, output, r, now, PeerAt(source));
            if (!Bounds.Fits(output, r, Message.ResponseSize))
                return Drop(TunnelCounter.DropOutputTooSmall, -1);
            TunnelCounter reason;
            uint replaced;
            int peer = noise.ConsumeInitiation(msg, o, peers, peerCount, now, out reason, out replaced);
            if (peer < 0)
                return Drop(reason, -1);
            indices.Remove(replaced);
            Peer p = peers[peer];
            Roam(p, source);
            // The new session goes to "next": we may not send on it until the initiator confirms it with data.
            uint index = NewIndex(peer);
            RetireIndex(p.Next);
            if (!noise.CreateResponse(p, index, entropy, p.Next, now, output, r))
            {
                indices.Remove(index);
                return Drop(TunnelCounter.DropInitiationUndecryptable, peer);
            }
            noise.WriteMacs(p, output, r, Message.ResponseMac1, now);
            ClientId.Write(output, r, p.ClientId);
            Counters.Increment(TunnelCounter.ResponsesSent);
            OnSessionDerived(p, now);
            OnAnyAuthenticatedPacketReceived(p);
            OnAnyAuthenticatedPacketTraversal(p, now);
            OnAnyAuthenticatedPacketSent(p);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, Message.ResponseSize, peer);
        }

        TunnelResult HandleResponse(Endpoint source, byte[] msg, int o, byte[] output, int r, long now)
        {
            if (!noise.VerifyMac1(msg, o, Message.ResponseMac1))
                return Drop(TunnelCounter.DropBadMac1, -1);
            uint receiver = Endian.Read32LE(msg, o + Message.ResponseReceiver);
            int peer = indices.Find(receiver);
            if (cookies.CountAndCheckLoad(now) && !noise.VerifyMac2(msg, o, Message.ResponseMac2, cookies, source, now, entropy))
                return CookieReply(source, msg, o, Message.ResponseMac1, output, r, now, peer);
            if (peer < 0)
                return Drop(TunnelCounter.DropResponseUnknownIndex, -1);
            Peer p = peers[peer];
            if (p.Handshake.Stage != HandshakeStage.InitiationCreated || p.Handshake.LocalIndex != receiver)
                return Drop(TunnelCounter.DropResponseUnexpected, peer);
            // Derive into the spare keypair ("previous" is the oldest), then rotate: previous <- current <- new.
            Keypair fresh = p.Previous;
            uint oldIndex = fresh.LocalIndex;
            bool wasValid = fresh.Valid;
            if (!noise.ConsumeResponse(p, msg, o, fresh, now))
            {
                if (!wasValid)
                    fresh.Clear();
                return Drop(TunnelCounter.DropResponseUndecryptable, peer);
            }
            if (wasValid)
                indices.Remove(oldIndex);
            p.Previous = p.Current;
            p.Current = fresh;
            RetireIndex(p.Next);
            p.Next.Clear();
            Roam(p, source);
            Counters.Increment(TunnelCounter.HandshakesCompleted);
            OnHandshakeComplete(p, now);
            OnSessionDerived(p, now);
            OnAnyAuthenticatedPacketReceived(p);
            OnAnyAuthenticatedPacketTraversal(p, now);
            // The initiator must speak first on the new session (key confirmation): staged data, or a keepalive.
            if (p.StagedCount == 0)
                p.SendKeepaliveNow = true;
            return TunnelResult.Make(TunnelAction.Done, 0, peer);
        }

        TunnelResult HandleCookieReply(byte[] msg, int o, long now)
        {
            uint receiver = Endian.Read32LE(msg, o + Message.CookieReceiver);
            int peer = indices.Find(receiver);
            if (peer < 0)
                return Drop(TunnelCounter.DropCookieUnknownIndex, -1);
            if (!noise.ConsumeCookieReply(peers[peer], msg, o, now))
                return Drop(TunnelCounter.DropCookieUndecryptable, peer);
            Counters.Increment(TunnelCounter.CookiesReceived);
            // Whitepaper 5.3: no immediate retry; the retransmission timer sends the next initiation, with mac2.
            return TunnelResult.Make(TunnelAction.Done, 0, peer);
        }

        TunnelResult HandleData(Endpoint source, byte[] msg, int o, int length, byte[] output, int r, long now)
        {
            if (length < Message.DataMinSize)
                return Drop(TunnelCounter.DropTruncated, -1);
            uint receiver = Endian.Read32LE(msg, o + Message.DataReceiver);
            int peer = indices.Find(receiver);
            if (peer < 0)
                return Drop(TunnelCounter.DropDataUnknownIndex, -1);
            Peer p = peers[peer];
            Keypair kp = p.KeypairFor(receiver);
            if (kp == null || kp.Age(now) >= Limits.RejectAfterTime)
                return Drop(TunnelCounter.DropDataExpiredKeypair, peer);
            ulong counter = Endian.Read64LE(msg, o + Message.DataCounter);
            if (!kp.Replay.MayAccept(counter))
                return Drop(TunnelCounter.DropDataReplayed, peer);
            int plain = length - Message.DataMinSize;
            if (!Bounds.Fits(output, r, plain))
                return Drop(TunnelCounter.DropOutputTooSmall, peer);
            if (!crypto.AeadOpen(kp.ReceiveKey, 0, counter, null, 0, 0, msg, o + Message.DataPayload, plain + Message.TagSize, output, r))
                return Drop(TunnelCounter.DropDataUndecryptable, peer);
            if (!kp.Replay.Accept(counter))
                return Drop(TunnelCounter.DropDataReplayed, peer);

            // Authenticated.
            p.BytesReceived += length;
            Roam(p, source);
            if (kp == p.Next)
            {
                // The initiator used the session we answered: it is confirmed (whitepaper 5.4.6).
                Keypair oldPrevious = p.Previous;
                RetireIndex(oldPrevious);
                oldPrevious.Clear();
                p.Previous = p.Current;
                p.Current = p.Next;
                p.Next = oldPrevious;
                Counters.Increment(TunnelCounter.HandshakesCompleted);
                OnHandshakeComplete(p, now);
            }
            OnAnyAuthenticatedPacketReceived(p);
            OnAnyAuthenticatedPacketTraversal(p, now);
            // Keep the key fresh (whitepaper 6.2): the initiator rekeys when receiving on an old session.
            if (kp == p.Current && kp.IsInitiator && kp.Age(now) >= Limits.RekeyOnReceiveAge)
                p.WantHandshake = true;
            if (plain == 0)
            {
                Counters.Increment(TunnelCounter.KeepalivesReceived);
                return TunnelResult.Make(TunnelAction.Done, 0, peer);
            }
            OnDataReceived(p, now);
            int inner = InnerPacketLength(output, r, plain);
            if (inner < 0)
                return Drop(TunnelCounter.DropDataBadInnerPacket, peer);
            Counters.Increment(TunnelCounter.DataPacketsReceived);
            return TunnelResult.Make(TunnelAction.WriteToTunnel, inner, peer);
        }

        /// <summary>The IP packet's own length (the rest is padding), or -1 when the plaintext is not an IP packet that fits.</summary>
        static int InnerPacketLength(byte[] b, int o, int plain)
        {
            int version = b[o] >> 4;
            int len;
            if (version == 4 && plain >= Ipv4Packet.MinHeaderLength)
                len = Endian.Read16(b, o + 2);
            else if (version == 6 && plain >= Ipv6Packet.HeaderLength)
                len = Ipv6Packet.HeaderLength + Endian.Read16(b, o + 4);
            else
                return -1;
            return len <= plain && len >= (version == 4 ? Ipv4Packet.MinHeaderLength : Ipv6Packet.HeaderLength) ? len : -1;
        }

        TunnelResult CookieReply(Endpoint source, byte[] msg, int o, int mac1Offset, byte[] output, int r, long now, int peer)
        {
            if (!Bounds.Fits(output, r, Message.CookieReplySize))
                return Drop(TunnelCounter.DropOutputTooSmall, peer);
            noise.CreateCookieReply(msg, o, mac1Offset, cookies, source, now, entropy, output, r);
            // The peer is known for a response (by index) or by its endpoint; a router with a single
            // peer (the WARP edge) answers with that peer's client id.
            if (peer < 0 && peerCount == 1)
                peer = 0;
            if (peer >= 0)
                ClientId.Write(output, r, peers[peer].ClientId);
            Counters.Increment(TunnelCounter.CookieRepliesSent);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, Message.CookieReplySize, peer);
        }

        /// <summary>The peer whose endpoint is <paramref name="source"/> (to address a cookie reply with its client id), or -1.</summary>
        int PeerAt(Endpoint source)
        {
            for (int i = 0; i < peerCount; i++)
                if (peers[i].Endpoint.SameAs(source))
                    return i;
            return -1;
        }

        /// <summary>Roaming (whitepaper 2.1): the endpoint follows the source of the latest authenticated packet.</summary>
        void Roam(Peer p, Endpoint source)
        {
            if (source == null || !source.IsSet || p.Endpoint.SameAs(source))
                return;
            p.Endpoint.CopyFrom(source);
            Counters.Increment(TunnelCounter.EndpointChanges);
        }

        // ================================================================== timers

        /// <summary>
        /// Runs the timers and pending work: one datagram per call at most (a handshake
        /// initiation, a staged packet, a keepalive), to be sent to the peer's endpoint. Call it
        /// until it returns Done, at <see cref="NextDeadline"/> and after every Decapsulate.
        /// </summary>
        public TunnelResult Tick(long now, byte[] output, int outputOffset)
        {
            for (int i = 0; i < peerCount; i++)
            {
                TunnelResult r = TickPeer(peers[i], now, output, outputOffset);
                if (r.Action != TunnelAction.Done)
                    return r;
            }
            return TunnelResult.Make(TunnelAction.Done, 0, -1);
        }

        TunnelResult TickPeer(Peer p, long now, byte[] output, int o)
        {
            // Zero key material: RejectAfterTime * 3 after the last session was derived (whitepaper 6.3).
            if (now >= p.ZeroKeyMaterialAt)
            {
                p.ZeroKeyMaterialAt = Peer.Never;
                if (p.HasAnyKeys)
                {
                    RetireIndex(p.Current);
                    RetireIndex(p.Previous);
                    RetireIndex(p.Next);
                    indices.Remove(p.Handshake.LocalIndex);
                    p.Current.Clear();
                    p.Previous.Clear();
                    p.Next.Clear();
                    p.Handshake.Clear();
                    Counters.Increment(TunnelCounter.KeysZeroed);
                }
            }
            // Handshake retransmission, RekeyTimeout plus jitter apart, until RekeyAttemptTime has passed.
            if (now >= p.RetransmitHandshakeAt)
            {
                p.RetransmitHandshakeAt = Peer.Never;
                if (p.HandshakeAttempts >= Limits.MaxHandshakeAttempts)
                {
                    GiveUp(p, now);
                }
                else
                {
                    p.HandshakeAttempts++;
                    return SendInitiation(p, now, output, o, true);
                }
            }
            // New handshake: asked for (no session, rekey, Connect) or data sent without an answer for 15 s.
            if (now >= p.NewHandshakeAt)
            {
                p.NewHandshakeAt = Peer.Never;
                p.WantHandshake = true;
            }
            if (p.WantHandshake && !p.HandshakeInProgress)
            {
                if (now - p.LastInitiationSent >= Limits.RekeyTimeout)
                {
                    p.WantHandshake = false;
                    p.HandshakeAttempts = 0;
                    return SendInitiation(p, now, output, o, false);
                }
            }
            else if (p.HandshakeInProgress)
            {
                p.WantHandshake = false;
            }
            if (p.StagedCount > 0 && p.HasSession(now))
            {
                if (!Bounds.Fits(output, o, Message.DataSize(config.MaxPacketSize)))
                    return Drop(TunnelCounter.DropOutputTooSmall, p.Number);
                int slot = p.StagedHead;
                p.StagedHead = (p.StagedHead + 1) % p.Staged.Length;
                p.StagedCount--;
                p.SendKeepaliveNow = false;
                int n = SealData(p, p.Staged[slot], 0, p.StagedLength[slot], output, o, now);
                return TunnelResult.Make(TunnelAction.WriteToNetwork, n, p.Number);
            }
            bool keepalive = false;
            if (p.SendKeepaliveNow)
            {
                p.SendKeepaliveNow = false;
                keepalive = true;
            }
            if (now >= p.SendKeepaliveAt)
            {
                // Passive keepalive (whitepaper 6.5): data received, nothing sent back for KeepaliveTimeout.
                p.SendKeepaliveAt = Peer.Never;
                keepalive = true;
                if (p.NeedAnotherKeepalive)
                {
                    p.NeedAnotherKeepalive = false;
                    p.SendKeepaliveAt = now + Limits.KeepaliveTimeout;
                }
            }
            if (now >= p.PersistentKeepaliveAt)
            {
                p.PersistentKeepaliveAt = p.PersistentKeepalive > 0 ? now + p.PersistentKeepalive : Peer.Never;
                keepalive = true;
            }
            if (keepalive)
            {
                if (p.HasSession(now))
                {
                    int n = SealData(p, null, 0, 0, output, o, now);
                    return TunnelResult.Make(TunnelAction.WriteToNetwork, n, p.Number);
                }
                if (!p.HandshakeInProgress)
                    p.WantHandshake = true; // a keepalive needs a session; persistent keepalive brings one up
            }
            return TunnelResult.Make(TunnelAction.Done, 0, p.Number);
        }

        TunnelResult SendInitiation(Peer p, long now, byte[] output, int o, bool retry)
        {
            if (!Bounds.Fits(output, o, Message.InitiationSize))
                return Drop(TunnelCounter.DropOutputTooSmall, p.Number);
            indices.Remove(p.Handshake.LocalIndex);
            uint index = NewIndex(p.Number);
            if (!noise.CreateInitiation(p, index, now, timestamps, entropy, output, o))
            {
                indices.Remove(index);
                return Drop(TunnelCounter.DropBadPublicKey, p.Number);
            }
            noise.WriteMacs(p, output, o, Message.InitiationMac1, now);
            ClientId.Write(output, o, p.ClientId);
            p.LastInitiationSent = now;
            Counters.Increment(TunnelCounter.InitiationsSent);
            OnHandshakeInitiated(p, now);
            OnAnyAuthenticatedPacketTraversal(p, now);
            OnAnyAuthenticatedPacketSent(p);
            return TunnelResult.Make(TunnelAction.WriteToNetwork, Message.InitiationSize, p.Number);
        }

        void GiveUp(Peer p, long now)
        {
            Counters.Increment(TunnelCounter.HandshakesGivenUp);
            indices.Remove(p.Handshake.LocalIndex);
            p.Handshake.Clear();
            p.WantHandshake = false;
            p.SendKeepaliveAt = Peer.Never;
            p.SendKeepaliveNow = false;
            while (p.StagedCount > 0)
            {
                p.StagedCount--;
                Counters.Increment(TunnelCounter.DropStagedOnGiveUp);
            }
            p.StagedHead = 0;
            if (p.ZeroKeyMaterialAt == Peer.Never)
                p.ZeroKeyMaterialAt = now + Limits.RejectAfterTime * 3;
        }

        /// <summary>The earliest time <see cref="Tick"/> has work; <paramref name="now"/> itself when work is pending.</summary>
        public long NextDeadline(long now)
        {
            long next = Peer.Never;
            for (int i = 0; i < peerCount; i++)
            {
                Peer p = peers[i];
                if (p.SendKeepaliveNow || (p.StagedCount > 0 && p.HasSession(now)))
                    return now;
                if (p.WantHandshake && !p.HandshakeInProgress)
                {
                    long at = p.LastInitiationSent + Limits.RekeyTimeout;
                    next = Min(next, at < now ? now : at);
                }
                next = Min(next, p.RetransmitHandshakeAt);
                next = Min(next, p.SendKeepaliveAt);
                next = Min(next, p.NewHandshakeAt);
                next = Min(next, p.ZeroKeyMaterialAt);
                next = Min(next, p.PersistentKeepaliveAt);
            }
            return next;
        }

        static long Min(long a, long b) { return a < b ? a : b; }

        // Timer events (whitepaper section 6; named as in wireguard-go's timers.go).

        void OnDataSent(Peer p, long now)
        {
            if (p.NewHandshakeAt == Peer.Never)
                p.NewHandshakeAt = now + Limits.KeepaliveTimeout + Limits.RekeyTimeout;
        }

        void OnDataReceived(Peer p, long now)
        {
            if (p.SendKeepaliveAt == Peer.Never)
                p.SendKeepaliveAt = now + Limits.KeepaliveTimeout;
            else
                p.NeedAnotherKeepalive = true;
        }

        static void OnAnyAuthenticatedPacketSent(Peer p)
        {
            p.SendKeepaliveAt = Peer.Never;
        }

        static void OnAnyAuthenticatedPacketReceived(Peer p)
        {
            p.NewHandshakeAt = Peer.Never;
        }

        static void OnAnyAuthenticatedPacketTraversal(Peer p, long now)
        {
            if (p.PersistentKeepalive > 0)
                p.PersistentKeepaliveAt = now + p.PersistentKeepalive;
        }

        void OnHandshakeInitiated(Peer p, long now)
        {
            RandomBytes.Fill(entropy, jitterBytes, 0, 2);
            long jitter = ((jitterBytes[0] << 8) | jitterBytes[1]) % Limits.RekeyTimeoutJitterMax;
            p.RetransmitHandshakeAt = now + Limits.RekeyTimeout + jitter;
        }

        static void OnHandshakeComplete(Peer p, long now)
        {
            p.WantHandshake = false; // whatever asked for a handshake has a fresh session now
            p.RetransmitHandshakeAt = Peer.Never;
            p.HandshakeAttempts = 0;
            p.LastHandshakeCompleted = now;
        }

        static void OnSessionDerived(Peer p, long now)
        {
            p.ZeroKeyMaterialAt = now + Limits.RejectAfterTime * 3;
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

using Warp.Protocol.Crypto;
using Warp.Protocol.Net;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses it (whitepaper section 5.4),
    /// for one local static identity: creating and consuming the handshake initiation and
    /// response, deriving transport keys, MAC1/MAC2 and cookie replies. Steps are tagged with
    /// their Noise tokens (e, es, s, ss, {t}, e, ee, se, psk, {}).
    /// <para>All intermediate values live in preallocated scratch buffers and are cleared after
    /// each message; a message is committed to the peer's state only after it fully verified.
    /// Bulk operations (AEAD, X25519) go through <see cref="ICryptoBackend"/>.</para>
    /// </summary>
    internal sealed class Noise
    {
        // "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s", "WireGuard v1 zx2c4 Jason@zx2c4.com", "mac1----", "cookie--"
        static readonly byte[] construction =
        {
            0x4e, 0x6f, 0x69, 0x73, 0x65, 0x5f, 0x49, 0x4b, 0x70, 0x73, 0x6b, 0x32, 0x5f, 0x32, 0x35, 0x35, 0x31, 0x39, 0x5f,
            0x43, 0x68, 0x61, 0x43, 0x68, 0x61, 0x50, 0x6f, 0x6c, 0x79, 0x5f, 0x42, 0x4c, 0x41, 0x4b, 0x45, 0x32, 0x73,
        };
        static readonly byte[] identifier =
        {
            0x57, 0x69, 0x72, 0x65, 0x47, 0x75, 0x61, 0x72, 0x64, 0x20, 0x76, 0x31, 0x20, 0x7a, 0x78, 0x32, 0x63, 0x34, 0x20,
            0x4a, 0x61, 0x73, 0x6f, 0x6e, 0x40, 0x7a, 0x78, 0x32, 0x63, 0x34, 0x2e, 0x63, 0x6f, 0x6d,
        };
        static readonly byte[] labelMac1 = { 0x6d, 0x61, 0x63, 0x31, 0x2d, 0x2d, 0x2d, 0x2d };
        static readonly byte[] labelCookie = { 0x63, 0x6f, 0x6f, 0x6b, 0x69, 0x65, 0x2d, 0x2d };

        readonly ICryptoBackend crypto;
        readonly Blake2s blake = new Blake2s();
        readonly Hkdf hkdf = new Hkdf();
        readonly XChaCha20Poly1305 xaead = new XChaCha20Poly1305();

        // Local static identity and values derived from it once.
        readonly byte[] privateKey = new byte[32];
        public readonly byte[] PublicKey = new byte[32];
        readonly byte[] initialChainKey = new byte[32];
        readonly byte[] initialHash = new byte[32];
        readonly byte[] responderHash = new byte[32];
        readonly byte[] ourMac1Key = new byte[32];
        readonly byte[] ourCookieKey = new byte[32];

        // Scratch, cleared after each use.
        readonly byte[] c = new byte[32];
        readonly byte[] h = new byte[32];
        readonly byte[] k = new byte[32];
        readonly byte[] tau = new byte[32];
        readonly byte[] dh = new byte[32];
        readonly byte[] ephemeralPrivate = new byte[32];
        readonly byte[] ephemeralPublic = new byte[32];
        readonly byte[] remoteStatic = new byte[32];
        readonly byte[] timestamp = new byte[12];
        readonly byte[] mac = new byte[16];
        readonly byte[] zeroKey = new byte[32];
        readonly byte[] cookie = new byte[16];

        public Noise(ICryptoBackend crypto, byte[] staticPrivateKey)
        {
            this.crypto = crypto;
            System.Array.Copy(staticPrivateKey, privateKey, 32);
            X25519.ClampPrivateKey(privateKey, 0);
            crypto.DhPublicKey(PublicKey, 0, privateKey, 0);
            // Ci = HASH(CONSTRUCTION); Hi = HASH(Ci || IDENTIFIER)
            blake.Hash(construction, 0, construction.Length, initialChainKey, 0, 32);
            Hash2(initialChainKey, 0, 32, identifier, 0, identifier.Length, initialHash);
            Hash2(initialHash, 0, 32, PublicKey, 0, 32, responderHash);
            Hash2(labelMac1, 0, 8, PublicKey, 0, 32, ourMac1Key);
            Hash2(labelCookie, 0, 8, PublicKey, 0, 32, ourCookieKey);
        }

        /// <summary>Precomputes a peer's hashes and keys and the static-static DH. False when the DH is zero (a bad public key).</summary>
        public bool PreparePeer(Peer p)
        {
            Hash2(initialHash, 0, 32, p.PublicKey, 0, 32, p.InitiatorHash);
            Hash2(labelMac1, 0, 8, p.PublicKey, 0, 32, p.Mac1Key);
            Hash2(labelCookie, 0, 8, p.PublicKey, 0, 32, p.CookieKey);
            return crypto.Dh(p.StaticStatic, 0, privateKey, 0, p.PublicKey, 0);
        }

        public void ClearSecrets()
        {
            CryptoUtil.Clear(privateKey);
            ClearScratch();
        }

        // ---- Initiation (whitepaper 5.4.2) ----

        /// <summary>Writes an initiation (without MACs) and leaves the handshake in InitiationCreated.</summary>
        public bool CreateInitiation(Peer p, uint senderIndex, long now, TimestampGenerator clock, IRandomSource entropy, byte[] msg, int o)
        {
            return CreateInitiation(p, senderIndex, now, clock, false, entropy, msg, o);
        }

        /// <summary>Writes an initiation (without MACs); <paramref name="retransmission"/> when it retransmits the handshake in flight (its timestamp then costs no ceiling write).</summary>
        public bool CreateInitiation(Peer p, uint senderIndex, long now, TimestampGenerator clock, bool retransmission, IRandomSource entropy, byte[] msg, int o)
        {
            HandshakeState hs = p.Handshake;
            System.Array.Copy(initialChainKey, c, 32);
            System.Array.Copy(p.InitiatorHash, h, 32);
            Message.WriteType(msg, o, Message.TypeInitiation);
            Endian.Write32LE(msg, o + Message.InitiationSender, senderIndex);

            // e
            NewEphemeral(entropy);
            System.Array.Copy(ephemeralPublic, 0, msg, o + Message.InitiationEphemeral, 32);
            MixEphemeral(msg, o + Message.InitiationEphemeral);
            // es
            if (!MixDhKey(ephemeralPrivate, p.PublicKey, 0))
                return Fail();
            // s
            EncryptAndHash(PublicKey, 32, msg, o + Message.InitiationStatic);
            // ss
            MixKey(p.StaticStatic);
            // {t}
            clock.Next(now, retransmission, timestamp, 0);
            EncryptAndHash(timestamp, 12, msg, o + Message.InitiationTimestamp);

            hs.Clear();
            System.Array.Copy(c, hs.ChainingKey, 32);
            System.Array.Copy(h, hs.Hash, 32);
            System.Array.Copy(ephemeralPrivate, hs.LocalEphemeralPrivate, 32);
            hs.LocalIndex = senderIndex;
            hs.Created = now;
            hs.Stage = HandshakeStage.InitiationCreated;
            ClearScratch();
            return true;
        }

        /// <summary>
        /// Consumes an initiation whose mac1 already verified. Returns the peer number, or -1 with
        /// <paramref name="reason"/> set. On success the peer's handshake is InitiationConsumed.
        /// </summary>
        public int ConsumeInitiation(byte[] msg, int o, Peer[] peers, int peerCount, long now, out TunnelCounter reason, out uint replacedIndex)
        {
            reason = TunnelCounter.None;
            replacedIndex = 0;
            System.Array.Copy(initialChainKey, c, 32);
            System.Array.Copy(responderHash, h, 32);
            // e
            MixEphemeral(msg, o + Message.InitiationEphemeral);
            // es
            if (!MixDhKey(privateKey, msg, o + Message.InitiationEphemeral))
                return FailWith(TunnelCounter.DropInitiationUndecryptable, out reason);
            // s
            if (!DecryptAndHash(msg, o + Message.InitiationStatic, 32, remoteStatic))
                return FailWith(TunnelCounter.DropInitiationUndecryptable, out reason);
            Peer p = null;
            for (int i = 0; i < peerCount; i++)
            {
                if (CryptoUtil.ConstantTimeEquals(peers[i].PublicKey, 0, remoteStatic, 0, 32))
                {
                    p = peers[i];
                    break;
                }
            }
            if (p == null)
                return FailWith(TunnelCounter.DropUnknownPeer, out reason);
            // ss
            MixKey(p.StaticStatic);
            // {t}
            if (!DecryptAndHash(msg, o + Message.InitiationTimestamp, 12, timestamp))
                return FailWith(TunnelCounter.DropInitiationUndecryptable, out reason);
            if (Tai64n.Compare(timestamp, 0, p.LatestTimestamp, 0) <= 0)
                return FailWith(TunnelCounter.DropReplayedInitiation, out reason);
            if (now - p.LastInitiationConsumed < Limits.HandshakeInitiationRate)
                return FailWith(TunnelCounter.DropInitiationFlood, out reason);

            // Commit: the initiation is authentic and fresh.
            System.Array.Copy(timestamp, p.LatestTimestamp, 12);
            p.LastInitiationConsumed = now;
            HandshakeState hs = p.Handshake;
            replacedIndex = hs.LocalIndex; // our own initiation, if one was in flight, is abandoned
            hs.Clear();
            System.Array.Copy(c, hs.ChainingKey, 32);
            System.Array.Copy(h, hs.Hash, 32);
            System.Array.Copy(msg, o + Message.InitiationEphemeral, hs.RemoteEphemeral, 0, 32);
            hs.RemoteIndex = Endian.Read32LE(msg, o + Message.InitiationSender);
            hs.Created = now;
            hs.Stage = HandshakeStage.InitiationConsumed;
            ClearScratch();
            return p.Number;
        }

        // ---- Response (whitepaper 5.4.3) ----

        /// <summary>
        /// Writes a response (without MACs) to a consumed initiation and derives the responder's
        /// keys into <paramref name="keys"/>. The handshake state is then cleared.
        /// </summary>
        public bool CreateResponse(Peer p, uint senderIndex, IRandomSource entropy, Keypair keys, long now, byte[] msg, int o)
        {
            HandshakeState hs = p.Handshake;
            if (hs.Stage != HandshakeStage.InitiationConsumed)
                return false;
            System.Array.Copy(hs.ChainingKey, c, 32);
            System.Array.Copy(hs.Hash, h, 32);
            Message.WriteType(msg, o, Message.TypeResponse);
            Endian.Write32LE(msg, o + Message.ResponseSender, senderIndex);
            Endian.Write32LE(msg, o + Message.ResponseReceiver, hs.RemoteIndex);
            // e
            NewEphemeral(entropy);
            System.Array.Copy(ephemeralPublic, 0, msg, o + Message.ResponseEphemeral, 32);
            MixEphemeral(msg, o + Message.ResponseEphemeral);
            // ee
            if (!MixDh(ephemeralPrivate, hs.RemoteEphemeral, 0))
                return Fail();
            // se
            if (!MixDh(ephemeralPrivate, p.PublicKey, 0))
                return Fail();
            // psk
            MixPsk(p.PresharedKey);
            // {}
            EncryptAndHash(zeroKey, 0, msg, o + Message.ResponseEmpty);

            DeriveKeys(keys, false, senderIndex, hs.RemoteIndex, now);
            hs.Clear();
            ClearScratch();
            return true;
        }

        /// <summary>
        /// Consumes a response (mac1 verified) to our initiation and derives the initiator's keys
        /// into <paramref name="keys"/>. False, changing nothing, when it does not decrypt.
        /// </summary>
        public bool ConsumeResponse(Peer p, byte[] msg, int o, Keypair keys, long now)
        {
            HandshakeState hs = p.Handshake;
            System.Array.Copy(hs.ChainingKey, c, 32);
            System.Array.Copy(hs.Hash, h, 32);
            // e
            MixEphemeral(msg, o + Message.ResponseEphemeral);
            // ee
            if (!MixDh(hs.LocalEphemeralPrivate, msg, o + Message.ResponseEphemeral))
                return Fail();
            // se
            if (!MixDh(privateKey, msg, o + Message.ResponseEphemeral))
                return Fail();
            // psk
            MixPsk(p.PresharedKey);
            // {}
            if (!DecryptAndHash(msg, o + Message.ResponseEmpty, 0, dh))
                return Fail();

            DeriveKeys(keys, true, hs.LocalIndex, Endian.Read32LE(msg, o + Message.ResponseSender), now);
            hs.Clear();
            ClearScratch();
            return true;
        }

        // (Tsend_i = Trecv_r, Trecv_i = Tsend_r) = KDF2(C, ε)   (whitepaper 5.4.5)
        void DeriveKeys(Keypair keys, bool initiator, uint localIndex, uint remoteIndex, long now)
        {
            keys.Clear();
            if (initiator)
                hkdf.Kdf2(c, 0, zeroKey, 0, 0, keys.SendKey, 0, keys.ReceiveKey, 0);
            else
                hkdf.Kdf2(c, 0, zeroKey, 0, 0, keys.ReceiveKey, 0, keys.SendKey, 0);
            keys.LocalIndex = localIndex;
            keys.RemoteIndex = remoteIndex;
            keys.SendCounter = 0;
            keys.Created = now;
            keys.IsInitiator = initiator;
            keys.Valid = true;
        }

        // ---- MACs and cookies (whitepaper 5.4.4 and 5.4.7) ----

        /// <summary>mac1 = MAC(HASH(LABEL-MAC1 || Spub_m'), msg_alpha); mac2 = MAC(cookie, msg_beta) when a fresh cookie is held, else zeros.</summary>
        public void WriteMacs(Peer p, byte[] msg, int o, int mac1Offset, long now)
        {
            blake.Mac(p.Mac1Key, 0, 32, msg, o, mac1Offset, msg, o + mac1Offset, Message.MacSize);
            System.Array.Copy(msg, o + mac1Offset, p.LastMac1, 0, Message.MacSize);
            p.HasLastMac1 = true;
            int mac2Offset = mac1Offset + Message.MacSize;
            if (p.HasCookie && now - p.CookieReceived < Limits.CookieRefreshTime)
                blake.Mac(p.Cookie, 0, 16, msg, o, mac2Offset, msg, o + mac2Offset, Message.MacSize);
            else
                System.Array.Clear(msg, o + mac2Offset, Message.MacSize);
        }

        /// <summary>Checks mac1 of a handshake message addressed to us.</summary>
        public bool VerifyMac1(byte[] msg, int o, int mac1Offset)
        {
            blake.Mac(ourMac1Key, 0, 32, msg, o, mac1Offset, mac, 0, Message.MacSize);
            return CryptoUtil.ConstantTimeEquals(mac, 0, msg, o + mac1Offset, Message.MacSize);
        }

        /// <summary>Checks mac2 against the cookie we would give the message's source.</summary>
        public bool VerifyMac2(byte[] msg, int o, int mac2Offset, CookieChecker checker, Endpoint source, long now, IRandomSource entropy)
        {
            checker.MakeCookie(source, now, entropy, cookie);
            blake.Mac(cookie, 0, 16, msg, o, mac2Offset, mac, 0, Message.MacSize);
            bool ok = CryptoUtil.ConstantTimeEquals(mac, 0, msg, o + mac2Offset, Message.MacSize);
            CryptoUtil.Clear(cookie);
            return ok;
        }

        /// <summary>
        /// Writes a cookie reply (64 bytes) to a handshake message from <paramref name="source"/>:
        /// the cookie for that source, encrypted with XChaCha20-Poly1305 under
        /// HASH(LABEL-COOKIE || our public key) with the message's mac1 as associated data.
        /// </summary>
        public void CreateCookieReply(byte[] msg, int o, int mac1Offset, CookieChecker checker, Endpoint source, long now, IRandomSource entropy, byte[] reply, int r)
        {
            Message.WriteType(reply, r, Message.TypeCookieReply);
            System.Array.Copy(msg, o + 4, reply, r + Message.CookieReceiver, 4); // the sender index of the message
            RandomBytes.Fill(entropy, reply, r + Message.CookieNonce, Message.CookieNonceSize);
            checker.MakeCookie(source, now, entropy, cookie);
            xaead.Seal(ourCookieKey, 0, reply, r + Message.CookieNonce, msg, o + mac1Offset, Message.MacSize,
                cookie, 0, 16, reply, r + Message.CookieEncrypted);
            CryptoUtil.Clear(cookie);
        }

        /// <summary>Decrypts a cookie reply from <paramref name="p"/> and stores the cookie. False when it does not decrypt.</summary>
        public bool ConsumeCookieReply(Peer p, byte[] msg, int o, long now)
        {
            if (!p.HasLastMac1)
                return false;
            if (!xaead.Open(p.CookieKey, 0, msg, o + Message.CookieNonce, p.LastMac1, 0, Message.MacSize,
                msg, o + Message.CookieEncrypted, 16 + Message.TagSize, cookie, 0))
                return false;
            System.Array.Copy(cookie, p.Cookie, 16);
            CryptoUtil.Clear(cookie);
            p.HasCookie = true;
            p.CookieReceived = now;
            return true;
        }

        // ---- helpers ----

        void NewEphemeral(IRandomSource entropy)
        {
            RandomBytes.Fill(entropy, ephemeralPrivate, 0, 32);
            X25519.ClampPrivateKey(ephemeralPrivate, 0);
            crypto.DhPublicKey(ephemeralPublic, 0, ephemeralPrivate, 0);
        }

        // ---- Noise tokens over the scratch state: chaining key C, hash H, key k ----

        // e:  C = KDF1(C, Epub); H = HASH(H || Epub)   (Epub as it stands in the message)
        void MixEphemeral(byte[] ephemeral, int offset)
        {
            hkdf.Kdf1(c, 0, ephemeral, offset, 32, c, 0);
            MixHash(ephemeral, offset, 32);
        }

        // es: (C, k) = KDF2(C, DH(private, public)). False when the DH is zero (a low-order point).
        bool MixDhKey(byte[] localPrivate, byte[] publicKey, int publicOffset)
        {
            if (!crypto.Dh(dh, 0, localPrivate, 0, publicKey, publicOffset))
                return false;
            MixKey(dh);
            return true;
        }

        // ss (the static-static DH, precomputed per peer), and es after its DH: (C, k) = KDF2(C, dh)
        void MixKey(byte[] dhResult)
        {
            hkdf.Kdf2(c, 0, dhResult, 0, 32, c, 0, k, 0);
        }

        // ee, se: C = KDF1(C, DH(private, public)); no key is taken (psk sets the next one). False when the DH is zero.
        bool MixDh(byte[] localPrivate, byte[] publicKey, int publicOffset)
        {
            if (!crypto.Dh(dh, 0, localPrivate, 0, publicKey, publicOffset))
                return false;
            hkdf.Kdf1(c, 0, dh, 0, 32, c, 0);
            return true;
        }

        // psk: (C, τ, k) = KDF3(C, Q); H = HASH(H || τ)
        void MixPsk(byte[] presharedKey)
        {
            hkdf.Kdf3(c, 0, presharedKey, 0, 32, c, 0, tau, 0, k, 0);
            MixHash(tau, 0, 32);
        }

        // s, {t}, {} (sending): msg = AEAD(k, 0, plaintext, H); H = HASH(H || msg)
        void EncryptAndHash(byte[] plaintext, int length, byte[] msg, int offset)
        {
            crypto.AeadSeal(k, 0, 0, h, 0, 32, plaintext, 0, length, msg, offset);
            MixHash(msg, offset, length + Message.TagSize);
        }

        // s, {t}, {} (receiving): plaintext = AEAD-open(k, 0, msg, H); H = HASH(H || msg). False when it does not open.
        bool DecryptAndHash(byte[] msg, int offset, int length, byte[] plaintext)
        {
            if (!crypto.AeadOpen(k, 0, 0, h, 0, 32, msg, offset, length + Message.TagSize, plaintext, 0))
                return false;
            MixHash(msg, offset, length + Message.TagSize);
            return true;
        }

        // H = HASH(H || data)
        void MixHash(byte[] data, int offset, int length)
        {
            Hash2(h, 0, 32, data, offset, length, h);
        }

        void Hash2(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength, byte[] output)
        {
            blake.Init(32);
            blake.Update(a, aOffset, aLength);
            blake.Update(b, bOffset, bLength);
            blake.Final(output, 0);
        }

        bool Fail()
        {
            ClearScratch();
            return false;
        }

        int FailWith(TunnelCounter why, out TunnelCounter reason)
        {
            reason = why;
            ClearScratch();
            return -1;
        }

        void ClearScratch()
        {
            CryptoUtil.Clear(c);
            CryptoUtil.Clear(h);
            CryptoUtil.Clear(k);
            CryptoUtil.Clear(tau);
            CryptoUtil.Clear(dh);
            CryptoUtil.Clear(ephemeralPrivate);
            CryptoUtil.Clear(ephemeralPublic);
            CryptoUtil.Clear(remoteStatic);
            CryptoUtil.Clear(timestamp);
            blake.Clear();
        }
    }
}

using System;
using System.Linq;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    /// <summary>Two Noise instances (A initiates, B responds) and each one's record of the other, with seeded randomness.</summary>
    internal sealed class NoisePair
    {
        public const uint IndexA = 0x11111111, IndexB = 0x22222222;
        public readonly Noise A, B;
        /// <summary>A's record of B, and B's record of A.</summary>
        public readonly Peer BAtA, AAtB;
        public readonly TimestampGenerator ClockA = new TimestampGenerator(new MemoryStore());
        public readonly SeededRandom EntropyA = new SeededRandom(11), EntropyB = new SeededRandom(12);
        public long Now = 5000;

        public NoisePair(byte[] pskA = null, byte[] pskB = null)
        {
            var keys = new SeededRandom(99);
            var privA = new byte[32];
            var privB = new byte[32];
            keys.GetBytes(privA, 0, 32);
            keys.GetBytes(privB, 0, 32);
            A = new Noise(new ManagedCryptoBackend(), privA);
            B = new Noise(new ManagedCryptoBackend(), privB);
            BAtA = NewPeer(A, B.PublicKey, pskA);
            AAtB = NewPeer(B, A.PublicKey, pskB);
        }

        static Peer NewPeer(Noise local, byte[] remotePublic, byte[] psk)
        {
            var p = new Peer(0, 4, 0, 576);
            Array.Copy(remotePublic, p.PublicKey, 32);
            if (psk != null)
                Array.Copy(psk, p.PresharedKey, 32);
            Assert.True(local.PreparePeer(p));
            return p;
        }

        public byte[] Initiation()
        {
            var m = new byte[Message.InitiationSize];
            Assert.True(A.CreateInitiation(BAtA, IndexA, Now, ClockA, EntropyA, m, 0));
            A.WriteMacs(BAtA, m, 0, Message.InitiationMac1, Now);
            return m;
        }

        public int ConsumeInitiation(byte[] m, out TunnelCounter reason)
        {
            return B.ConsumeInitiation(m, 0, new[] { AAtB }, 1, Now, out reason, out _);
        }

        public byte[] Response(Keypair responderKeys)
        {
            var m = new byte[Message.ResponseSize];
            Assert.True(B.CreateResponse(AAtB, IndexB, EntropyB, responderKeys, Now, m, 0));
            B.WriteMacs(AAtB, m, 0, Message.ResponseMac1, Now);
            return m;
        }
    }

    /// <summary>The Noise_IKpsk2 handshake on its own, without a Tunnel around it.</summary>
    public class NoiseTests
    {
        static bool AllZero(byte[] b) { return b.All(x => x == 0); }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void BothSidesDeriveTheSameStateAndMatchingKeys(bool withPsk)
        {
            byte[] psk = withPsk ? Enumerable.Range(1, 32).Select(i => (byte)i).ToArray() : null;
            var n = new NoisePair(psk, psk);
            var init = n.Initiation();
            Assert.Equal(HandshakeStage.InitiationCreated, n.BAtA.Handshake.Stage);
            var chainA = (byte[])n.BAtA.Handshake.ChainingKey.Clone();
            var hashA = (byte[])n.BAtA.Handshake.Hash.Clone();
            Assert.False(AllZero(chainA));

            Assert.Equal(0, n.ConsumeInitiation(init, out _));
            // After e, es, s, ss, {t} both sides hold the same chaining key and hash.
            Assert.Equal(HandshakeStage.InitiationConsumed, n.AAtB.Handshake.Stage);
            Assert.Equal(chainA, n.AAtB.Handshake.ChainingKey);
            Assert.Equal(hashA, n.AAtB.Handshake.Hash);
            Assert.Equal(init.Skip(Message.InitiationEphemeral).Take(32).ToArray(), n.AAtB.Handshake.RemoteEphemeral);
            Assert.Equal(NoisePair.IndexA, n.AAtB.Handshake.RemoteIndex);

            var keysB = new Keypair(4);
            var keysA = new Keypair(4);
            var response = n.Response(keysB);
            Assert.True(n.A.ConsumeResponse(n.BAtA, response, 0, keysA, n.Now));

            Assert.Equal(keysA.SendKey, keysB.ReceiveKey);
            Assert.Equal(keysA.ReceiveKey, keysB.SendKey);
            Assert.NotEqual(keysA.SendKey, keysA.ReceiveKey);
            Assert.False(AllZero(keysA.SendKey));
            Assert.Equal(NoisePair.IndexA, keysA.LocalIndex);
            Assert.Equal(NoisePair.IndexB, keysA.RemoteIndex);
            Assert.Equal(NoisePair.IndexB, keysB.LocalIndex);
            Assert.Equal(NoisePair.IndexA, keysB.RemoteIndex);
            Assert.True(keysA.IsInitiator);
            Assert.False(keysB.IsInitiator);
            // The handshake state is cleared on both sides once the keys exist.
            Assert.Equal(HandshakeStage.None, n.BAtA.Handshake.Stage);
            Assert.Equal(HandshakeStage.None, n.AAtB.Handshake.Stage);
            Assert.True(AllZero(n.BAtA.Handshake.ChainingKey) && AllZero(n.AAtB.Handshake.ChainingKey));
            Assert.True(AllZero(n.BAtA.Handshake.LocalEphemeralPrivate));
        }

        [Fact]
        public void DifferentPresharedKeysFailTheResponse()
        {
            var n = new NoisePair(new byte[32], Enumerable.Repeat((byte)7, 32).ToArray());
            Assert.Equal(0, n.ConsumeInitiation(n.Initiation(), out _)); // psk only enters with the response
            var response = n.Response(new Keypair(4));
            var keysA = new Keypair(4);
            Assert.False(n.A.ConsumeResponse(n.BAtA, response, 0, keysA, n.Now));
            Assert.False(keysA.Valid);
            Assert.Equal(HandshakeStage.InitiationCreated, n.BAtA.Handshake.Stage);
        }

        [Theory]
        [InlineData(Message.InitiationEphemeral)]
        [InlineData(Message.InitiationEphemeral + 31)]
        [InlineData(Message.InitiationStatic)]
        [InlineData(Message.InitiationStatic + 32)]              // the tag
        [InlineData(Message.InitiationTimestamp)]
        [InlineData(Message.InitiationTimestamp + 12 + 15)]      // the tag's last byte
        public void TamperedInitiationIsRefusedAndCommitsNothing(int offset)
        {
            var n = new NoisePair();
            var init = n.Initiation();
            var bad = (byte[])init.Clone();
            bad[offset] ^= 1;
            Assert.Equal(-1, n.ConsumeInitiation(bad, out var reason));
            Assert.Equal(TunnelCounter.DropInitiationUndecryptable, reason);
            Assert.Equal(HandshakeStage.None, n.AAtB.Handshake.Stage);
            Assert.True(AllZero(n.AAtB.LatestTimestamp));
            // Nothing was committed: the genuine initiation is still fresh.
            Assert.Equal(0, n.ConsumeInitiation(init, out _));
            Assert.False(AllZero(n.AAtB.LatestTimestamp));
        }

        [Fact]
        public void ReplayedInitiationIsRefused()
        {
            var n = new NoisePair();
            var init = n.Initiation();
            Assert.Equal(0, n.ConsumeInitiation(init, out _));
            n.Now += 1000;
            Assert.Equal(-1, n.ConsumeInitiation(init, out var reason));
            Assert.Equal(TunnelCounter.DropReplayedInitiation, reason);
        }

        [Theory]
        [InlineData(Message.ResponseEphemeral)]
        [InlineData(Message.ResponseEphemeral + 31)]
        [InlineData(Message.ResponseEmpty)]
        [InlineData(Message.ResponseEmpty + 15)]
        public void TamperedResponseIsRefusedAndChangesNothing(int offset)
        {
            var n = new NoisePair();
            Assert.Equal(0, n.ConsumeInitiation(n.Initiation(), out _));
            var response = n.Response(new Keypair(4));
            var bad = (byte[])response.Clone();
            bad[offset] ^= 1;
            var keysA = new Keypair(4);
            Assert.False(n.A.ConsumeResponse(n.BAtA, bad, 0, keysA, n.Now));
            Assert.False(keysA.Valid);
            Assert.True(AllZero(keysA.SendKey));
            Assert.Equal(HandshakeStage.InitiationCreated, n.BAtA.Handshake.Stage);
            // The handshake is intact: the genuine response still completes it.
            Assert.True(n.A.ConsumeResponse(n.BAtA, response, 0, keysA, n.Now));
            Assert.True(keysA.Valid);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]                                // a reserved byte: the MACs cover them as zeros
        [InlineData(Message.InitiationSender)]
        [InlineData(Message.InitiationEphemeral + 5)]
        [InlineData(Message.InitiationTimestamp + 3)]
        [InlineData(Message.InitiationMac1 - 1)]
        [InlineData(Message.InitiationMac1)]
        [InlineData(Message.InitiationMac1 + 15)]
        public void Mac1FailsAfterAFlippedByte(int offset)
        {
            var n = new NoisePair();
            var init = n.Initiation();
            Assert.True(n.B.VerifyMac1(init, 0, Message.InitiationMac1));
            init[offset] ^= 0x80;
            Assert.False(n.B.VerifyMac1(init, 0, Message.InitiationMac1));
        }

        [Fact]
        public void Mac1IsKeyedToTheReceiverAndLeavesMac2Out()
        {
            var n = new NoisePair();
            var init = n.Initiation();
            Assert.False(n.A.VerifyMac1(init, 0, Message.InitiationMac1)); // addressed to B, not A
            init[Message.InitiationMac2] ^= 1;                                // mac2 is not under mac1
            Assert.True(n.B.VerifyMac1(init, 0, Message.InitiationMac1));
            Assert.Equal(0, n.ConsumeInitiation(init, out _));
            var response = n.Response(new Keypair(4));
            Assert.True(n.A.VerifyMac1(response, 0, Message.ResponseMac1));
            response[Message.ResponseEmpty] ^= 1;
            Assert.False(n.A.VerifyMac1(response, 0, Message.ResponseMac1));
        }

        [Fact]
        public void Mac2IsZeroWithoutACookieAndStopsAfterCookieRefreshTime()
        {
            var n = new NoisePair();
            var init = n.Initiation();
            Assert.True(init.Skip(Message.InitiationMac2).All(b => b == 0));
            n.BAtA.Cookie[0] = 0x42;
            n.BAtA.HasCookie = true;
            n.BAtA.CookieReceived = n.Now;
            var m = new byte[Message.InitiationSize];
            n.A.WriteMacs(n.BAtA, m, 0, Message.InitiationMac1, n.Now + Limits.CookieRefreshTime - 1);
            Assert.Contains(m.Skip(Message.InitiationMac2), b => b != 0);
            n.A.WriteMacs(n.BAtA, m, 0, Message.InitiationMac1, n.Now + Limits.CookieRefreshTime);
            Assert.True(m.Skip(Message.InitiationMac2).All(b => b == 0));
        }
    }
}

using System.Collections.Generic;
using System.Text;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>RFC 7693 appendix B and the BLAKE2 reference (KAT) vectors, keyed and unkeyed.</summary>
    public class Blake2sTests
    {
        private const string File = "blake2s.txt";

        public static IEnumerable<object[]> All => VectorFile.Names(File);

        [Theory]
        [MemberData(nameof(All))]
        public void Hash_MatchesVector(string name)
        {
            var v = VectorFile.Get(File, name);
            byte[] input = v.Bytes("input");
            int outLength = int.Parse(v["outlen"]);
            var b = new Blake2s();
            var output = new byte[outLength];
            if (v.Has("key"))
            {
                byte[] key = v.Bytes("key");
                b.Mac(key, 0, key.Length, input, 0, input.Length, output, 0, outLength);
            }
            else
            {
                b.Hash(input, 0, input.Length, output, 0, outLength);
            }
            Assert.Equal(v["hash"], Hex.Encode(output));
        }

        [Theory]
        [MemberData(nameof(All))]
        public void Hash_InUnevenPieces_MatchesVector(string name)
        {
            var v = VectorFile.Get(File, name);
            byte[] input = v.Bytes("input");
            var b = new Blake2s();
            if (v.Has("key"))
            {
                byte[] key = v.Bytes("key");
                b.Init(32, key, 0, key.Length);
            }
            else
            {
                b.Init(32);
            }
            int offset = 0, step = 1;
            while (offset < input.Length)
            {
                int n = System.Math.Min(step, input.Length - offset);
                b.Update(input, offset, n);
                offset += n;
                step = step * 3 % 71 + 1;
            }
            var output = new byte[32];
            b.Final(output, 0);
            Assert.Equal(v["hash"], Hex.Encode(output));
        }

        [Fact]
        public void NoiseConstructionHash_IsWireGuardsInitialChainingKey()
        {
            // HASH("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"): the chaining key every WireGuard
            // handshake starts from (whitepaper 5.4; the value wireguard-go and Linux compute).
            byte[] construction = Encoding.ASCII.GetBytes("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s");
            var ck = new byte[32];
            new Blake2s().Hash(construction, 0, construction.Length, ck, 0, 32);
            Assert.Equal("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36", Hex.Encode(ck));

            // And the initial hash H = HASH(C || "WireGuard v1 zx2c4 Jason@zx2c4.com").
            byte[] identifier = Encoding.ASCII.GetBytes("WireGuard v1 zx2c4 Jason@zx2c4.com");
            var b = new Blake2s();
            b.Init(32);
            b.Update(ck, 0, 32);
            b.Update(identifier, 0, identifier.Length);
            var h = new byte[32];
            b.Final(h, 0);
            Assert.Equal("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3", Hex.Encode(h));
        }

        [Fact]
        public void KeyedWith16ByteOutput_MatchesBouncyCastle()
        {
            // MAC1 = MAC(HASH("mac1----" || S_pub), msg) uses keyed BLAKE2s with a 16-byte output.
            var key = new byte[32];
            var msg = new byte[116];
            for (int i = 0; i < key.Length; i++) key[i] = (byte)(i + 1);
            for (int i = 0; i < msg.Length; i++) msg[i] = (byte)(255 - i);
            var ours = new byte[16];
            new Blake2s().Mac(key, 0, 32, msg, 0, msg.Length, ours, 0, 16);
            var bc = new Org.BouncyCastle.Crypto.Digests.Blake2sDigest(key, 16, null, null);
            bc.BlockUpdate(msg, 0, msg.Length);
            var theirs = new byte[16];
            bc.DoFinal(theirs, 0);
            Assert.Equal(theirs, ours);
        }

        [Fact]
        public void InvalidLengths_Throw()
        {
            var b = new Blake2s();
            Assert.Throws<System.ArgumentOutOfRangeException>(() => b.Init(0));
            Assert.Throws<System.ArgumentOutOfRangeException>(() => b.Init(33));
            Assert.Throws<System.ArgumentOutOfRangeException>(() => b.Init(32, new byte[33], 0, 33));
        }
    }
}

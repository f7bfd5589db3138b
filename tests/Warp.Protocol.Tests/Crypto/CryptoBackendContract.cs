using System;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>
    /// The published vectors and the contract of <see cref="ICryptoBackend"/>, run against every
    /// backend: a test class per backend derives from this one. (This file is also compiled into
    /// the Linux HAL tests.)
    /// </summary>
    public abstract class CryptoBackendContract
    {
        protected abstract ICryptoBackend CreateBackend();

        // RFC 8439 A.5 uses the nonce 00000000 0102030405060708: WireGuard's layout with counter
        // 0x0807060504030201.
        private const ulong A5Counter = 0x0807060504030201UL;

        [Fact]
        public void AeadOpen_Rfc8439_A_5()
        {
            var v = VectorFile.Get("rfc8439-aead.txt", "aead A.5");
            Assert.Equal("00000000" + "0102030405060708", v["nonce"]);
            byte[] input = Hex.Decode(v["ciphertext"] + v["tag"]), aad = v.Bytes("aad");
            var output = new byte[input.Length];
            Assert.True(CreateBackend().AeadOpen(v.Bytes("key"), 0, A5Counter, aad, 0, aad.Length, input, 0, input.Length, output, 0));
            Assert.Equal(v["plaintext"], Hex.Encode(output, 0, input.Length - 16));
        }

        [Fact]
        public void AeadSeal_Rfc8439_A_5_InPlaceAtOffset()
        {
            var v = VectorFile.Get("rfc8439-aead.txt", "aead A.5");
            byte[] plaintext = v.Bytes("plaintext"), aad = v.Bytes("aad");
            var key = new byte[40];
            v.Bytes("key").CopyTo(key, 8);
            var buffer = new byte[16 + plaintext.Length + 16];
            plaintext.CopyTo(buffer, 16);
            CreateBackend().AeadSeal(key, 8, A5Counter, aad, 0, aad.Length, buffer, 16, plaintext.Length, buffer, 16);
            Assert.Equal(v["ciphertext"] + v["tag"], Hex.Encode(buffer, 16, plaintext.Length + 16));
        }

        [Fact]
        public void AeadOpen_InPlace_AndTamperingFails()
        {
            var backend = CreateBackend();
            var key = new byte[32];
            for (int i = 0; i < 32; i++) key[i] = (byte)(i * 5 + 1);
            var message = new byte[16 + 100 + 16];
            for (int i = 0; i < 100; i++) message[16 + i] = (byte)i;
            backend.AeadSeal(key, 0, 42, null, 0, 0, message, 16, 100, message, 16);
            for (int i = 0; i < 116; i++)
            {
                var copy = (byte[])message.Clone();
                copy[16 + i] ^= 0x10;
                Assert.False(backend.AeadOpen(key, 0, 42, null, 0, 0, copy, 16, 116, copy, 16), "byte " + i);
            }
            Assert.False(backend.AeadOpen(key, 0, 43, null, 0, 0, (byte[])message.Clone(), 16, 116, new byte[116], 0));
            Assert.True(backend.AeadOpen(key, 0, 42, null, 0, 0, message, 16, 116, message, 16));
            for (int i = 0; i < 100; i++) Assert.Equal((byte)i, message[16 + i]);
        }

        [Fact]
        public void AeadOpen_ShorterThanTag_Fails()
        {
            Assert.False(CreateBackend().AeadOpen(new byte[32], 0, 0, null, 0, 0, new byte[15], 0, 15, new byte[16], 0));
        }

        [Fact]
        public void Aead_AgreesWithManaged_OnRandomInputs()
        {
            var backend = CreateBackend();
            var managed = new ManagedCryptoBackend();
            const int seed = 8439;
            var rng = new Random(seed);
            for (int n = 0; n < 300; n++)
            {
                var key = new byte[32];
                rng.NextBytes(key);
                ulong counter = (ulong)rng.NextInt64();
                var aad = new byte[rng.Next(0, 40)];
                rng.NextBytes(aad);
                var plaintext = new byte[rng.Next(0, 1500)];
                rng.NextBytes(plaintext);
                var a = new byte[plaintext.Length + 16];
                var b = new byte[plaintext.Length + 16];
                backend.AeadSeal(key, 0, counter, aad, 0, aad.Length, plaintext, 0, plaintext.Length, a, 0);
                managed.AeadSeal(key, 0, counter, aad, 0, aad.Length, plaintext, 0, plaintext.Length, b, 0);
                Assert.True(Hex.Encode(b) == Hex.Encode(a), "seed " + seed + " case " + n);
                var back = new byte[plaintext.Length];
                Assert.True(backend.AeadOpen(key, 0, counter, aad, 0, aad.Length, a, 0, a.Length, back, 0), "seed " + seed + " case " + n);
                Assert.True(Hex.Encode(plaintext) == Hex.Encode(back), "seed " + seed + " case " + n);
            }
        }

        [Fact]
        public void Dh_Rfc7748_6_1()
        {
            var v = VectorFile.Get("rfc7748-x25519.txt", "dh 6.1");
            var backend = CreateBackend();
            var pub = new byte[32];
            backend.DhPublicKey(pub, 0, v.Bytes("alice-private"), 0);
            Assert.Equal(v["alice-public"], Hex.Encode(pub));
            backend.DhPublicKey(pub, 0, v.Bytes("bob-private"), 0);
            Assert.Equal(v["bob-public"], Hex.Encode(pub));
            var shared = new byte[32];
            Assert.True(backend.Dh(shared, 0, v.Bytes("alice-private"), 0, v.Bytes("bob-public"), 0));
            Assert.Equal(v["shared"], Hex.Encode(shared));
        }

        [Theory]
        [InlineData("scalar-mult 5.2 #1")]
        [InlineData("scalar-mult 5.2 #2")]
        public void Dh_Rfc7748_5_2(string name)
        {
            var v = VectorFile.Get("rfc7748-x25519.txt", name);
            var shared = new byte[32];
            Assert.True(CreateBackend().Dh(shared, 0, v.Bytes("scalar"), 0, v.Bytes("u"), 0));
            Assert.Equal(v["output"], Hex.Encode(shared));
        }

        [Fact]
        public void Dh_LowOrderPoint_ReturnsFalse()
        {
            var v = VectorFile.Get("rfc7748-x25519.txt", "dh 6.1");
            var shared = new byte[32];
            Assert.False(CreateBackend().Dh(shared, 0, v.Bytes("alice-private"), 0, new byte[32], 0));
            var one = new byte[32];
            one[0] = 1;
            Assert.False(CreateBackend().Dh(shared, 0, v.Bytes("alice-private"), 0, one, 0));
        }

        [Fact]
        public void Name_IsSet()
        {
            Assert.False(string.IsNullOrEmpty(CreateBackend().Name));
        }
    }
}

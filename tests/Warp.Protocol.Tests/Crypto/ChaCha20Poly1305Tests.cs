using System.Collections.Generic;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>RFC 8439 sections 2.6.2 and 2.8.2, appendices A.4 and A.5; tampering; in place.</summary>
    public class ChaCha20Poly1305Tests
    {
        private const string File = "rfc8439-aead.txt";

        public static IEnumerable<object[]> KeyGen => VectorFile.Names(File, "keygen");

        [Theory]
        [MemberData(nameof(KeyGen))]
        public void Poly1305KeyGeneration_MatchesVector(string name)
        {
            // Section 2.6: the one-time key is the first 32 bytes of block 0.
            var v = VectorFile.Get(File, name);
            var c = new ChaCha20();
            c.Init(v.Bytes("key"), 0, v.Bytes("nonce"), 0, 0);
            var block = new byte[64];
            c.Block(block, 0);
            Assert.Equal(v["output"], Hex.Encode(block, 0, 32));
        }

        [Fact]
        public void Seal_Rfc8439_2_8_2()
        {
            var v = VectorFile.Get(File, "aead 2.8.2");
            byte[] plaintext = v.Bytes("plaintext"), aad = v.Bytes("aad");
            var output = new byte[plaintext.Length + 16];
            new ChaCha20Poly1305().Seal(v.Bytes("key"), 0, v.Bytes("nonce"), 0, aad, 0, aad.Length, plaintext, 0, plaintext.Length, output, 0);
            Assert.Equal(v["ciphertext"] + v["tag"], Hex.Encode(output));
        }

        [Fact]
        public void Open_Rfc8439_2_8_2()
        {
            var v = VectorFile.Get(File, "aead 2.8.2");
            AssertOpens(v);
        }

        [Fact]
        public void Open_Rfc8439_A_5()
        {
            var v = VectorFile.Get(File, "aead A.5");
            AssertOpens(v);
        }

        [Fact]
        public void Seal_Rfc8439_A_5_InPlace()
        {
            var v = VectorFile.Get(File, "aead A.5");
            byte[] plaintext = v.Bytes("plaintext"), aad = v.Bytes("aad");
            var buffer = new byte[3 + plaintext.Length + 16];
            plaintext.CopyTo(buffer, 3);
            new ChaCha20Poly1305().Seal(v.Bytes("key"), 0, v.Bytes("nonce"), 0, aad, 0, aad.Length, buffer, 3, plaintext.Length, buffer, 3);
            Assert.Equal(v["ciphertext"] + v["tag"], Hex.Encode(buffer, 3, plaintext.Length + 16));
        }

        [Theory]
        [InlineData("aead 2.8.2")]
        [InlineData("aead A.5")]
        public void Open_FailsWhenAnyByteOfCiphertextOrTagIsFlipped(string name)
        {
            var v = VectorFile.Get(File, name);
            byte[] sealedMessage = Hex.Decode(v["ciphertext"] + v["tag"]);
            byte[] key = v.Bytes("key"), nonce = v.Bytes("nonce"), aad = v.Bytes("aad");
            var aead = new ChaCha20Poly1305();
            var output = new byte[sealedMessage.Length];
            for (int i = 0; i < sealedMessage.Length; i++)
            {
                for (int bit = 0; bit < 8; bit += 7)
                {
                    sealedMessage[i] ^= (byte)(1 << bit);
                    output[0] = 0xA5;
                    Assert.False(aead.Open(key, 0, nonce, 0, aad, 0, aad.Length, sealedMessage, 0, sealedMessage.Length, output, 0), "byte " + i);
                    Assert.Equal(0xA5, output[0]); // nothing written on failure
                    sealedMessage[i] ^= (byte)(1 << bit);
                }
            }
            for (int i = 0; i < aad.Length; i++)
            {
                aad[i] ^= 1;
                Assert.False(aead.Open(key, 0, nonce, 0, aad, 0, aad.Length, sealedMessage, 0, sealedMessage.Length, output, 0), "aad byte " + i);
                aad[i] ^= 1;
            }
            Assert.True(aead.Open(key, 0, nonce, 0, aad, 0, aad.Length, sealedMessage, 0, sealedMessage.Length, output, 0));
        }

        [Fact]
        public void Open_RejectsInputShorterThanTag()
        {
            var aead = new ChaCha20Poly1305();
            Assert.False(aead.Open(new byte[32], 0, new byte[12], 0, null, 0, 0, new byte[15], 0, 15, new byte[16], 0));
        }

        [Fact]
        public void EmptyPlaintextAndAad_RoundTrip()
        {
            var aead = new ChaCha20Poly1305();
            var key = new byte[32];
            key[3] = 9;
            var tag = new byte[16];
            aead.Seal(key, 0, new byte[12], 0, null, 0, 0, new byte[0], 0, 0, tag, 0);
            Assert.True(aead.Open(key, 0, new byte[12], 0, null, 0, 0, tag, 0, 16, new byte[0], 0));
            tag[15] ^= 0x80;
            Assert.False(aead.Open(key, 0, new byte[12], 0, null, 0, 0, tag, 0, 16, new byte[0], 0));
        }

        private static void AssertOpens(TestVector v)
        {
            byte[] sealedMessage = Hex.Decode(v["ciphertext"] + v["tag"]);
            byte[] aad = v.Bytes("aad");
            var output = new byte[sealedMessage.Length - 16];
            Assert.True(new ChaCha20Poly1305().Open(v.Bytes("key"), 0, v.Bytes("nonce"), 0, aad, 0, aad.Length, sealedMessage, 0, sealedMessage.Length, output, 0));
            Assert.Equal(v["plaintext"], Hex.Encode(output));
        }
    }
}

using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>draft-irtf-cfrg-xchacha-03 appendix A.3.1.</summary>
    public class XChaCha20Poly1305Tests
    {
        private static readonly TestVector V = VectorFile.Get("xchacha20.txt", "aead A.3.1");

        [Fact]
        public void Seal_MatchesDraftVector_A_3_1()
        {
            byte[] plaintext = V.Bytes("plaintext"), aad = V.Bytes("aad");
            var output = new byte[plaintext.Length + 16];
            new XChaCha20Poly1305().Seal(V.Bytes("key"), 0, V.Bytes("nonce"), 0, aad, 0, aad.Length, plaintext, 0, plaintext.Length, output, 0);
            Assert.Equal(V["ciphertext"] + V["tag"], Hex.Encode(output));
        }

        [Fact]
        public void Open_MatchesDraftVector_A_3_1()
        {
            byte[] sealedMessage = Hex.Decode(V["ciphertext"] + V["tag"]), aad = V.Bytes("aad");
            var output = new byte[sealedMessage.Length - 16];
            Assert.True(new XChaCha20Poly1305().Open(V.Bytes("key"), 0, V.Bytes("nonce"), 0, aad, 0, aad.Length, sealedMessage, 0, sealedMessage.Length, output, 0));
            Assert.Equal(V["plaintext"], Hex.Encode(output));
        }

        [Fact]
        public void PolyKey_MatchesDraftVector_A_3_1()
        {
            // The one-time key: block 0 of ChaCha20 under the HChaCha20 subkey.
            var subkey = new byte[32];
            byte[] nonce = V.Bytes("nonce");
            new HChaCha20().DeriveSubkey(V.Bytes("key"), 0, nonce, 0, subkey, 0);
            var chachaNonce = new byte[12];
            System.Array.Copy(nonce, 16, chachaNonce, 4, 8);
            var c = new ChaCha20();
            c.Init(subkey, 0, chachaNonce, 0, 0);
            var block = new byte[64];
            c.Block(block, 0);
            Assert.Equal(V["polykey"], Hex.Encode(block, 0, 32));
        }

        [Fact]
        public void Open_FailsWhenAnyByteIsFlipped()
        {
            byte[] sealedMessage = Hex.Decode(V["ciphertext"] + V["tag"]), aad = V.Bytes("aad");
            byte[] key = V.Bytes("key"), nonce = V.Bytes("nonce");
            var x = new XChaCha20Poly1305();
            var output = new byte[sealedMessage.Length];
            for (int i = 0; i < sealedMessage.Length; i++)
            {
                sealedMessage[i] ^= 0x01;
                Assert.False(x.Open(key, 0, nonce, 0, aad, 0, aad.Length, sealedMessage, 0, sealedMessage.Length, output, 0), "byte " + i);
                sealedMessage[i] ^= 0x01;
            }
            for (int i = 0; i < nonce.Length; i++)
            {
                nonce[i] ^= 0x01;
                Assert.False(x.Open(key, 0, nonce, 0, aad, 0, aad.Length, sealedMessage, 0, sealedMessage.Length, output, 0), "nonce byte " + i);
                nonce[i] ^= 0x01;
            }
        }
    }
}

using System.Text;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>
    /// WireGuard's KDF1/KDF2/KDF3 (whitepaper section 5.4) against the same construction written
    /// out with BouncyCastle's HMAC-BLAKE2s, starting from the real initial chaining key.
    /// </summary>
    public class HkdfTests
    {
        private static byte[] InitialChainingKey()
        {
            byte[] construction = Encoding.ASCII.GetBytes("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s");
            var ck = new byte[32];
            new Blake2s().Hash(construction, 0, construction.Length, ck, 0, 32);
            return ck;
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(32)]
        [InlineData(100)]
        public void Kdf1Kdf2Kdf3_MatchBouncyCastleComposition(int inputLength)
        {
            byte[] ck = InitialChainingKey();
            var input = new byte[inputLength];
            for (int i = 0; i < input.Length; i++) input[i] = (byte)(3 * i + 1);
            byte[][] expected = BouncyCastleOracle.Kdf(3, ck, input);
            var kdf = new Hkdf();

            var t1 = new byte[32];
            kdf.Kdf1(ck, 0, input, 0, inputLength, t1, 0);
            Assert.Equal(expected[0], t1);

            var a = new byte[32];
            var b = new byte[32];
            kdf.Kdf2(ck, 0, input, 0, inputLength, a, 0, b, 0);
            Assert.Equal(expected[0], a);
            Assert.Equal(expected[1], b);

            var out3 = new byte[96];
            kdf.Kdf3(ck, 0, input, 0, inputLength, out3, 0, out3, 32, out3, 64);
            Assert.Equal(Hex.Encode(expected[0]) + Hex.Encode(expected[1]) + Hex.Encode(expected[2]), Hex.Encode(out3));
        }

        [Fact]
        public void Kdf1_OutputMayBeTheKey()
        {
            // C = KDF1(C, e) in the handshake.
            byte[] ck = InitialChainingKey();
            var e = new byte[32];
            e[0] = 0x42;
            byte[] expected = BouncyCastleOracle.Kdf(1, ck, e)[0];
            new Hkdf().Kdf1(ck, 0, e, 0, 32, ck, 0);
            Assert.Equal(expected, ck);
        }

        [Fact]
        public void Kdf2_WithNullEmptyInput_DerivesTransportKeys()
        {
            // (T_send, T_recv) = KDF2(C, ε) at the end of the handshake.
            byte[] ck = InitialChainingKey();
            byte[][] expected = BouncyCastleOracle.Kdf(2, ck, new byte[0]);
            var send = new byte[32];
            var recv = new byte[32];
            new Hkdf().Kdf2(ck, 0, null, 0, 0, send, 0, recv, 0);
            Assert.Equal(expected[0], send);
            Assert.Equal(expected[1], recv);
        }
    }
}

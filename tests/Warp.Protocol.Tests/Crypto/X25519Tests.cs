using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>RFC 7748 sections 5.2 and 6.1; small-order points give an all-zero secret and are refused.</summary>
    public class X25519Tests
    {
        private const string File = "rfc7748-x25519.txt";

        [Theory]
        [InlineData("scalar-mult 5.2 #1")]
        [InlineData("scalar-mult 5.2 #2")]
        public void ScalarMult_Rfc7748_5_2(string name)
        {
            var v = VectorFile.Get(File, name);
            var output = new byte[32];
            Assert.True(new X25519().ScalarMult(output, 0, v.Bytes("scalar"), 0, v.Bytes("u"), 0));
            Assert.Equal(v["output"], Hex.Encode(output));
        }

        [Theory]
        [InlineData("iterate 1")]
        [InlineData("iterate 1000")]
        [InlineData("iterate 1000000", Skip = "RFC 7748 5.2's 1,000,000 iterations take minutes; not run")]
        public void Iterated_Rfc7748_5_2(string name)
        {
            var v = VectorFile.Get(File, name);
            int iterations = int.Parse(v["iterations"]);
            var k = new byte[32];
            var u = new byte[32];
            var r = new byte[32];
            k[0] = 9;
            u[0] = 9;
            var x = new X25519();
            for (int i = 0; i < iterations; i++)
            {
                x.ScalarMult(r, 0, k, 0, u, 0);
                System.Array.Copy(k, u, 32);
                System.Array.Copy(r, k, 32);
            }
            Assert.Equal(v["output"], Hex.Encode(k));
        }

        [Fact]
        public void DiffieHellman_Rfc7748_6_1()
        {
            var v = VectorFile.Get(File, "dh 6.1");
            var x = new X25519();
            var alicePublic = new byte[32];
            var bobPublic = new byte[32];
            Assert.True(x.PublicKey(alicePublic, 0, v.Bytes("alice-private"), 0));
            Assert.True(x.PublicKey(bobPublic, 0, v.Bytes("bob-private"), 0));
            Assert.Equal(v["alice-public"], Hex.Encode(alicePublic));
            Assert.Equal(v["bob-public"], Hex.Encode(bobPublic));

            var k1 = new byte[32];
            var k2 = new byte[32];
            Assert.True(x.ScalarMult(k1, 0, v.Bytes("alice-private"), 0, bobPublic, 0));
            Assert.True(x.ScalarMult(k2, 0, v.Bytes("bob-private"), 0, alicePublic, 0));
            Assert.Equal(v["shared"], Hex.Encode(k1));
            Assert.Equal(v["shared"], Hex.Encode(k2));
        }

        [Theory]
        // u-coordinates of points of small order (they and their non-canonical encodings give 0).
        [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
        [InlineData("0100000000000000000000000000000000000000000000000000000000000000")]
        [InlineData("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // p - 1
        [InlineData("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // p (= 0)
        [InlineData("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")] // p + 1 (= 1)
        [InlineData("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")] // order 8
        [InlineData("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157")] // order 8
        public void SmallOrderPoint_GivesAllZero_AndReturnsFalse(string u)
        {
            var v = VectorFile.Get(File, "dh 6.1");
            var output = new byte[32];
            for (int i = 0; i < 32; i++) output[i] = 0xEE;
            Assert.False(new X25519().ScalarMult(output, 0, v.Bytes("alice-private"), 0, Hex.Decode(u), 0));
            Assert.Equal(new byte[32], output);
        }

        [Fact]
        public void ScalarMult_AtOffsets_AndInPlace()
        {
            var v = VectorFile.Get(File, "scalar-mult 5.2 #1");
            var buffer = new byte[70];
            v.Bytes("scalar").CopyTo(buffer, 1);
            v.Bytes("u").CopyTo(buffer, 37);
            Assert.True(new X25519().ScalarMult(buffer, 37, buffer, 1, buffer, 37));
            Assert.Equal(v["output"], Hex.Encode(buffer, 37, 32));
        }

        [Fact]
        public void ClampPrivateKey_FollowsDecodeScalar25519()
        {
            var key = new byte[32];
            for (int i = 0; i < 32; i++) key[i] = 0xFF;
            X25519.ClampPrivateKey(key, 0);
            Assert.Equal(0xF8, key[0]);
            Assert.Equal(0x7F, key[31]);
            key[31] = 0;
            X25519.ClampPrivateKey(key, 0);
            Assert.Equal(0x40, key[31]);
        }
    }
}

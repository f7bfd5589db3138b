using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>draft-irtf-cfrg-xchacha-03 section 2.2.1.</summary>
    public class HChaCha20Tests
    {
        [Fact]
        public void Subkey_MatchesDraftVector_2_2_1()
        {
            var v = VectorFile.Get("xchacha20.txt", "hchacha20 2.2.1");
            var subkey = new byte[40];
            new HChaCha20().DeriveSubkey(v.Bytes("key"), 0, v.Bytes("nonce"), 0, subkey, 8);
            Assert.Equal(v["output"], Hex.Encode(subkey, 8, 32));
        }

        [Fact]
        public void Subkey_AtOffsets_MatchesDraftVector()
        {
            var v = VectorFile.Get("xchacha20.txt", "hchacha20 2.2.1");
            var key = new byte[35];
            var nonce = new byte[19];
            v.Bytes("key").CopyTo(key, 3);
            v.Bytes("nonce").CopyTo(nonce, 3);
            var subkey = new byte[32];
            new HChaCha20().DeriveSubkey(key, 3, nonce, 3, subkey, 0);
            Assert.Equal(v["output"], Hex.Encode(subkey));
        }
    }
}

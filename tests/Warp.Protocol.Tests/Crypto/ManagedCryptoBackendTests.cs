using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>The backend contract and vectors (see <see cref="CryptoBackendContract"/>) on the managed backend.</summary>
    public class ManagedCryptoBackendTests : CryptoBackendContract
    {
        protected override ICryptoBackend CreateBackend() => new ManagedCryptoBackend();

        [Fact]
        public void AeadSeal_UsesWireGuardNonceLayout()
        {
            // Counter 1 must equal the RFC 8439 AEAD with nonce 00000000 0100000000000000.
            var key = new byte[32];
            key[31] = 0x77;
            var nonce = new byte[12];
            nonce[4] = 1;
            var plaintext = new byte[33];
            var a = new byte[49];
            var b = new byte[49];
            new ManagedCryptoBackend().AeadSeal(key, 0, 1, null, 0, 0, plaintext, 0, 33, a, 0);
            new ChaCha20Poly1305().Seal(key, 0, nonce, 0, null, 0, 0, plaintext, 0, 33, b, 0);
            Assert.Equal(b, a);
        }
    }
}

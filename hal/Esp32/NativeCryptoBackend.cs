using Warp.Native;
using Warp.Protocol.Crypto;

namespace Warp.Hal.Esp32
{
    /// <summary>ChaCha20-Poly1305 and X25519 over mbedTLS through our interop: the device's <see cref="ICryptoBackend"/>.</summary>
    public sealed class NativeCryptoBackend : ICryptoBackend
    {
        public string Name { get { return "mbedtls"; } }

        public void AeadSeal(byte[] key, int keyOffset, ulong counter, byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length, byte[] output, int outputOffset)
        {
            Interop.AeadSeal(key, keyOffset, counter, aad, aadOffset, aadLength, input, inputOffset, length, output, outputOffset);
        }

        public bool AeadOpen(byte[] key, int keyOffset, ulong counter, byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length, byte[] output, int outputOffset)
        {
            return Interop.AeadOpen(key, keyOffset, counter, aad, aadOffset, aadLength, input, inputOffset, length, output, outputOffset);
        }

        public bool Dh(byte[] sharedSecret, int sharedSecretOffset, byte[] privateKey, int privateKeyOffset, byte[] publicKey, int publicKeyOffset)
        {
            return Interop.X25519(sharedSecret, sharedSecretOffset, privateKey, privateKeyOffset, publicKey, publicKeyOffset);
        }

        public void DhPublicKey(byte[] publicKey, int publicKeyOffset, byte[] privateKey, int privateKeyOffset)
        {
            Interop.X25519Base(publicKey, publicKeyOffset, privateKey, privateKeyOffset);
        }
    }
}

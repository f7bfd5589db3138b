using Warp.Protocol.Net;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// The <see cref="ICryptoBackend"/> in managed code: <see cref="ChaCha20Poly1305"/>
    /// (RFC 8439 section 2.8) with WireGuard's counter nonce, and <see cref="X25519"/>
    /// (RFC 7748). It runs everywhere the protocol library runs, including nanoFramework, and is
    /// the reference that native backends are tested against.
    /// </summary>
    /// <remarks>All state is preallocated; nothing is allocated per call. One instance per thread.</remarks>
    public sealed class ManagedCryptoBackend : ICryptoBackend
    {
        readonly ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        readonly X25519 x25519 = new X25519();
        readonly byte[] nonce = new byte[ChaCha20Poly1305.NonceSize];

        /// <inheritdoc />
        public string Name
        {
            get { return "managed"; }
        }

        /// <inheritdoc />
        public void AeadSeal(byte[] key, int keyOffset, ulong counter,
            byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length,
            byte[] output, int outputOffset)
        {
            SetNonce(counter);
            aead.Seal(key, keyOffset, this.nonce, 0, aad, aadOffset, aadLength, input, inputOffset, length, output, outputOffset);
        }

        /// <inheritdoc />
        public bool AeadOpen(byte[] key, int keyOffset, ulong counter,
            byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length,
            byte[] output, int outputOffset)
        {
            SetNonce(counter);
            return aead.Open(key, keyOffset, this.nonce, 0, aad, aadOffset, aadLength, input, inputOffset, length, output, outputOffset);
        }

        /// <inheritdoc />
        public bool Dh(byte[] sharedSecret, int sharedSecretOffset,
            byte[] privateKey, int privateKeyOffset,
            byte[] publicKey, int publicKeyOffset)
        {
            return x25519.ScalarMult(sharedSecret, sharedSecretOffset, privateKey, privateKeyOffset, publicKey, publicKeyOffset);
        }

        /// <inheritdoc />
        public void DhPublicKey(byte[] publicKey, int publicKeyOffset, byte[] privateKey, int privateKeyOffset)
        {
            x25519.PublicKey(publicKey, publicKeyOffset, privateKey, privateKeyOffset);
        }

        // WireGuard's nonce: 32 zero bits, then the counter as 64-bit little-endian.
        void SetNonce(ulong counter)
        {
            Endian.Write32LE(this.nonce, 0, 0);
            Endian.Write64LE(this.nonce, 4, counter);
        }
    }
}

using System;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// AEAD_XChaCha20_Poly1305: draft-irtf-cfrg-xchacha-03 section 2 (and 2.3 for XChaCha20).
    /// HChaCha20 turns the key and the first 16 bytes of the 24-byte nonce into a subkey; then
    /// AEAD_CHACHA20_POLY1305 (RFC 8439 section 2.8) runs with that subkey and the nonce
    /// 0x00000000 || the last 8 bytes of the 24-byte nonce. WireGuard encrypts the cookie in its
    /// cookie reply message with it (whitepaper section 5.4.7).
    /// </summary>
    /// <remarks>Subkey and nonce buffers are preallocated and cleared after use; nothing is allocated per call.</remarks>
    public sealed class XChaCha20Poly1305
    {
        /// <summary>Key size in bytes.</summary>
        public const int KeySize = 32;
        /// <summary>Nonce size in bytes.</summary>
        public const int NonceSize = 24;
        /// <summary>Tag size in bytes.</summary>
        public const int TagSize = 16;

        readonly ChaCha20Poly1305 aead = new ChaCha20Poly1305();
        readonly HChaCha20 hchacha = new HChaCha20();
        readonly byte[] subkey = new byte[KeySize];
        readonly byte[] nonce = new byte[ChaCha20Poly1305.NonceSize];

        /// <summary>
        /// Encrypts <paramref name="length"/> bytes and writes ciphertext and tag (length + 16
        /// bytes) to <paramref name="output"/>; see <see cref="ChaCha20Poly1305.Seal"/>.
        /// </summary>
        public void Seal(byte[] key, int keyOffset, byte[] nonce, int nonceOffset,
            byte[] aad, int aadOffset, int aadLength,
            byte[] plaintext, int plaintextOffset, int length,
            byte[] output, int outputOffset)
        {
            Derive(key, keyOffset, nonce, nonceOffset);
            aead.Seal(this.subkey, 0, this.nonce, 0, aad, aadOffset, aadLength, plaintext, plaintextOffset, length, output, outputOffset);
            Array.Clear(this.subkey, 0, KeySize);
        }

        /// <summary>
        /// Checks and decrypts <paramref name="length"/> bytes of ciphertext-and-tag; returns
        /// false, writing nothing, when the tag does not match. See <see cref="ChaCha20Poly1305.Open"/>.
        /// </summary>
        public bool Open(byte[] key, int keyOffset, byte[] nonce, int nonceOffset,
            byte[] aad, int aadOffset, int aadLength,
            byte[] ciphertext, int ciphertextOffset, int length,
            byte[] output, int outputOffset)
        {
            Derive(key, keyOffset, nonce, nonceOffset);
            bool ok = aead.Open(this.subkey, 0, this.nonce, 0, aad, aadOffset, aadLength, ciphertext, ciphertextOffset, length, output, outputOffset);
            Array.Clear(this.subkey, 0, KeySize);
            return ok;
        }

        // Subkey = HChaCha20(key, nonce[0..16]); ChaCha20 nonce = 4 zero bytes || nonce[16..24].
        void Derive(byte[] key, int keyOffset, byte[] nonce, int nonceOffset)
        {
            hchacha.DeriveSubkey(key, keyOffset, nonce, nonceOffset, this.subkey, 0);
            this.nonce[0] = 0; this.nonce[1] = 0; this.nonce[2] = 0; this.nonce[3] = 0;
            Array.Copy(nonce, nonceOffset + 16, this.nonce, 4, 8);
        }
    }
}

using System;
using Warp.Protocol.Net;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// AEAD_CHACHA20_POLY1305: RFC 8439 section 2.8. The one-time Poly1305 key is the first 32
    /// bytes of the ChaCha20 block with counter 0 (section 2.6); the plaintext is encrypted with
    /// ChaCha20 from counter 1; the tag is Poly1305 over
    /// AAD || pad16 || ciphertext || pad16 || le64(len(AAD)) || le64(len(ciphertext)).
    /// WireGuard's data and handshake messages use it with the 96-bit nonce
    /// 0x00000000 || le64(counter) (whitepaper section 5.4).
    /// </summary>
    /// <remarks>
    /// The ChaCha20 and Poly1305 states and the one-time key live in the instance; nothing is
    /// allocated per call. Seal and Open work in place (same array and offset for input and
    /// output) or between two buffers. Open checks the tag in constant time before decrypting
    /// and leaves the output untouched when it fails.
    /// </remarks>
    public sealed class ChaCha20Poly1305
    {
        /// <summary>Key size in bytes.</summary>
        public const int KeySize = 32;
        /// <summary>Nonce size in bytes.</summary>
        public const int NonceSize = 12;
        /// <summary>Tag size in bytes.</summary>
        public const int TagSize = 16;

        readonly ChaCha20 chacha = new ChaCha20();
        readonly Poly1305 poly = new Poly1305();
        readonly byte[] block = new byte[ChaCha20.BlockSize];
        readonly byte[] lengths = new byte[16];
        readonly byte[] tag = new byte[TagSize];

        /// <summary>
        /// Encrypts <paramref name="length"/> bytes of <paramref name="plaintext"/> and writes the
        /// ciphertext followed by the 16-byte tag (length + 16 bytes) to <paramref name="output"/>.
        /// <paramref name="aad"/> may be null when <paramref name="aadLength"/> is 0.
        /// </summary>
        public void Seal(byte[] key, int keyOffset, byte[] nonce, int nonceOffset,
            byte[] aad, int aadOffset, int aadLength,
            byte[] plaintext, int plaintextOffset, int length,
            byte[] output, int outputOffset)
        {
            Begin(key, keyOffset, nonce, nonceOffset, aad, aadOffset, aadLength);
            chacha.Process(plaintext, plaintextOffset, output, outputOffset, length);
            poly.Update(output, outputOffset, length);
            End(aadLength, length, output, outputOffset + length);
            chacha.Clear();
        }

        /// <summary>
        /// Checks and decrypts <paramref name="length"/> bytes of ciphertext-and-tag (so at least
        /// 16) from <paramref name="ciphertext"/> and writes length - 16 bytes of plaintext to
        /// <paramref name="output"/>. Returns false, writing nothing, when the tag does not match.
        /// </summary>
        public bool Open(byte[] key, int keyOffset, byte[] nonce, int nonceOffset,
            byte[] aad, int aadOffset, int aadLength,
            byte[] ciphertext, int ciphertextOffset, int length,
            byte[] output, int outputOffset)
        {
            if (length < TagSize)
                return false;
            int textLength = length - TagSize;
            Begin(key, keyOffset, nonce, nonceOffset, aad, aadOffset, aadLength);
            poly.Update(ciphertext, ciphertextOffset, textLength);
            End(aadLength, textLength, this.tag, 0);
            bool ok = CryptoUtil.ConstantTimeEquals(this.tag, 0, ciphertext, ciphertextOffset + textLength, TagSize);
            Array.Clear(this.tag, 0, TagSize);
            if (ok)
                chacha.Process(ciphertext, ciphertextOffset, output, outputOffset, textLength);
            chacha.Clear();
            return ok;
        }

        // Key setup (section 2.6: the Poly1305 key from block 0) and the AAD with its padding.
        void Begin(byte[] key, int keyOffset, byte[] nonce, int nonceOffset, byte[] aad, int aadOffset, int aadLength)
        {
            chacha.Init(key, keyOffset, nonce, nonceOffset, 0);
            chacha.Block(this.block, 0);
            poly.Init(this.block, 0);
            Array.Clear(this.block, 0, ChaCha20.BlockSize);
            if (aadLength > 0)
            {
                poly.Update(aad, aadOffset, aadLength);
                poly.PadToBlock();
            }
        }

        // The ciphertext padding, the two lengths and the tag.
        void End(int aadLength, int textLength, byte[] tag, int tagOffset)
        {
            poly.PadToBlock();
            Endian.Write64LE(this.lengths, 0, (ulong)aadLength);
            Endian.Write64LE(this.lengths, 8, (ulong)textLength);
            poly.Update(this.lengths, 0, 16);
            poly.Finish(tag, tagOffset);
        }
    }
}

using System;
using Warp.Protocol.Net;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// HChaCha20: draft-irtf-cfrg-xchacha-03 section 2.2. The ChaCha20 state is set up as in
    /// RFC 8439 section 2.3 but with a 128-bit nonce in words 12-15 (no block counter); after the
    /// 20 rounds the input state is not added back, and words 0-3 and 12-15 form the 256-bit
    /// subkey. XChaCha20 (section 2.3) uses it to turn a key and the first 16 bytes of a 24-byte
    /// nonce into a ChaCha20 key.
    /// </summary>
    /// <remarks>
    /// Computed with <see cref="ChaCha20"/>'s own block function rather than a second copy of the
    /// rounds: a ChaCha20 block with counter = nonce word 0 and nonce = nonce bytes 4-15 has exactly
    /// HChaCha20's input state, and its output is the permuted state plus the input, so
    /// subtracting the known input words (the constants and the nonce) gives words 0-3 and 12-15.
    /// One instance per user; nothing is allocated per call and the block buffer is cleared after.
    /// </remarks>
    public sealed class HChaCha20
    {
        /// <summary>Nonce size in bytes.</summary>
        public const int NonceSize = 16;
        /// <summary>Subkey size in bytes.</summary>
        public const int SubkeySize = 32;

        readonly ChaCha20 chacha = new ChaCha20();
        readonly byte[] block = new byte[ChaCha20.BlockSize];
        readonly byte[] nonce = new byte[ChaCha20.NonceSize];

        /// <summary>
        /// Derives the subkey from a 32-byte key and a 16-byte nonce into
        /// <paramref name="subkey"/> at <paramref name="subkeyOffset"/>.
        /// </summary>
        public void DeriveSubkey(byte[] key, int keyOffset, byte[] nonce, int nonceOffset, byte[] subkey, int subkeyOffset)
        {
            Array.Copy(nonce, nonceOffset + 4, this.nonce, 0, ChaCha20.NonceSize);
            chacha.Init(key, keyOffset, this.nonce, 0, Endian.Read32LE(nonce, nonceOffset));
            chacha.Block(this.block, 0);
            Word(subkey, subkeyOffset, 0, ChaCha20.Sigma0);
            Word(subkey, subkeyOffset, 1, ChaCha20.Sigma1);
            Word(subkey, subkeyOffset, 2, ChaCha20.Sigma2);
            Word(subkey, subkeyOffset, 3, ChaCha20.Sigma3);
            for (int j = 0; j < 4; j++)
                Endian.Write32LE(subkey, subkeyOffset + 16 + 4 * j,
                    Endian.Read32LE(this.block, 48 + 4 * j) - Endian.Read32LE(nonce, nonceOffset + 4 * j));
            Array.Clear(this.block, 0, this.block.Length);
            Array.Clear(this.nonce, 0, this.nonce.Length);
            chacha.Clear();
        }

        // Subkey word i (i < 4) = keystream word i - constant i.
        void Word(byte[] subkey, int subkeyOffset, int i, uint input)
        {
            Endian.Write32LE(subkey, subkeyOffset + 4 * i, Endian.Read32LE(this.block, 4 * i) - input);
        }
    }
}

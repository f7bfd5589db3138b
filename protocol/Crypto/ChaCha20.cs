using System;
using Warp.Protocol.Net;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// The ChaCha20 stream cipher: RFC 8439 section 2.3 (the block function: 16-word state of
    /// constants, 256-bit key, 32-bit block counter and 96-bit nonce; 20 rounds alternating column
    /// and diagonal quarter rounds, section 2.1) and section 2.4 (encryption: the keystream blocks
    /// for counter, counter + 1, ... XORed with the input).
    /// </summary>
    /// <remarks>
    /// An instance keeps the key, counter and nonce in a preallocated state; <see cref="Process"/>
    /// works in place or between two buffers and allocates nothing. The rounds run on local
    /// variables. Holds key material: call <see cref="Clear"/> when done.
    /// </remarks>
    public sealed class ChaCha20
    {
        /// <summary>Key size in bytes.</summary>
        public const int KeySize = 32;
        /// <summary>Nonce size in bytes (RFC 8439's 96-bit nonce).</summary>
        public const int NonceSize = 12;
        /// <summary>Keystream block size in bytes.</summary>
        public const int BlockSize = 64;

        // "expand 32-byte k" as four little-endian words (RFC 8439 section 2.3).
        internal const uint Sigma0 = 0x61707865;
        internal const uint Sigma1 = 0x3320646e;
        internal const uint Sigma2 = 0x79622d32;
        internal const uint Sigma3 = 0x6b206574;

        // Words 4-11 (key), 12 (block counter) and 13-15 (nonce) of the state.
        readonly uint[] state = new uint[16];
        readonly byte[] keystream = new byte[BlockSize];

        /// <summary>Sets the key, nonce and initial block counter.</summary>
        public void Init(byte[] key, int keyOffset, byte[] nonce, int nonceOffset, uint counter)
        {
            uint[] s = this.state;
            for (int i = 0; i < 8; i++)
                s[4 + i] = Endian.Read32LE(key, keyOffset + 4 * i);
            s[12] = counter;
            s[13] = Endian.Read32LE(nonce, nonceOffset);
            s[14] = Endian.Read32LE(nonce, nonceOffset + 4);
            s[15] = Endian.Read32LE(nonce, nonceOffset + 8);
        }

        /// <summary>The block counter of the next keystream block.</summary>
        public uint Counter
        {
            get { return this.state[12]; }
            set { this.state[12] = value; }
        }

        /// <summary>
        /// Writes the next 64-byte keystream block (RFC 8439 section 2.3.2's "serialized block")
        /// and advances the counter.
        /// </summary>
        public void Block(byte[] output, int outputOffset)
        {
            Array.Clear(this.keystream, 0, BlockSize);
            XorBlock(this.keystream, 0, output, outputOffset, BlockSize);
        }

        /// <summary>
        /// XORs <paramref name="length"/> bytes of <paramref name="input"/> with the keystream into
        /// <paramref name="output"/> (which may be the same range). Each call starts at a block
        /// boundary: the unused rest of a last partial block is discarded, as in section 2.4.1.
        /// </summary>
        public void Process(byte[] input, int inputOffset, byte[] output, int outputOffset, int length)
        {
            while (length >= BlockSize)
            {
                XorBlock(input, inputOffset, output, outputOffset, BlockSize);
                inputOffset += BlockSize;
                outputOffset += BlockSize;
                length -= BlockSize;
            }
            if (length > 0)
                XorBlock(input, inputOffset, output, outputOffset, length);
        }

        /// <summary>Clears the key and keystream from memory.</summary>
        public void Clear()
        {
            Array.Clear(this.state, 0, this.state.Length);
            Array.Clear(this.keystream, 0, this.keystream.Length);
        }

        /// <summary>The quarter round of RFC 8439 section 2.1 on words a, b, c, d of a state (section 2.2).</summary>
        internal static void QuarterRound(uint[] x, int a, int b, int c, int d)
        {
            x[a] += x[b]; x[d] ^= x[a]; x[d] = (x[d] << 16) | (x[d] >> 16);
            x[c] += x[d]; x[b] ^= x[c]; x[b] = (x[b] << 12) | (x[b] >> 20);
            x[a] += x[b]; x[d] ^= x[a]; x[d] = (x[d] << 8) | (x[d] >> 24);
            x[c] += x[d]; x[b] ^= x[c]; x[b] = (x[b] << 7) | (x[b] >> 25);
        }

        // One block function call (section 2.3): 20 rounds on locals, add the input state, XOR
        // with up to 64 input bytes; then the counter advances.
        void XorBlock(byte[] input, int inputOffset, byte[] output, int outputOffset, int length)
        {
            // The input words stay in the state array (not in locals) so that the 16 working
            // words have the registers to themselves during the rounds.
            uint[] s = this.state;
            uint x15 = s[15], x14 = s[14], x13 = s[13], x12 = s[12], x11 = s[11], x10 = s[10], x9 = s[9], x8 = s[8];
            uint x7 = s[7], x6 = s[6], x5 = s[5], x4 = s[4];
            uint x0 = Sigma0, x1 = Sigma1, x2 = Sigma2, x3 = Sigma3;
            for (int round = 0; round < 10; round++)
            {
                // column round
                x0 += x4; x12 ^= x0; x12 = (x12 << 16) | (x12 >> 16);
                x8 += x12; x4 ^= x8; x4 = (x4 << 12) | (x4 >> 20);
                x0 += x4; x12 ^= x0; x12 = (x12 << 8) | (x12 >> 24);
                x8 += x12; x4 ^= x8; x4 = (x4 << 7) | (x4 >> 25);
                x1 += x5; x13 ^= x1; x13 = (x13 << 16) | (x13 >> 16);
                x9 += x13; x5 ^= x9; x5 = (x5 << 12) | (x5 >> 20);
                x1 += x5; x13 ^= x1; x13 = (x13 << 8) | (x13 >> 24);
                x9 += x13; x5 ^= x9; x5 = (x5 << 7) | (x5 >> 25);
                x2 += x6; x14 ^= x2; x14 = (x14 << 16) | (x14 >> 16);
                x10 += x14; x6 ^= x10; x6 = (x6 << 12) | (x6 >> 20);
                x2 += x6; x14 ^= x2; x14 = (x14 << 8) | (x14 >> 24);
                x10 += x14; x6 ^= x10; x6 = (x6 << 7) | (x6 >> 25);
                x3 += x7; x15 ^= x3; x15 = (x15 << 16) | (x15 >> 16);
                x11 += x15; x7 ^= x11; x7 = (x7 << 12) | (x7 >> 20);
                x3 += x7; x15 ^= x3; x15 = (x15 << 8) | (x15 >> 24);
                x11 += x15; x7 ^= x11; x7 = (x7 << 7) | (x7 >> 25);
                // diagonal round
                x0 += x5; x15 ^= x0; x15 = (x15 << 16) | (x15 >> 16);
                x10 += x15; x5 ^= x10; x5 = (x5 << 12) | (x5 >> 20);
                x0 += x5; x15 ^= x0; x15 = (x15 << 8) | (x15 >> 24);
                x10 += x15; x5 ^= x10; x5 = (x5 << 7) | (x5 >> 25);
                x1 += x6; x12 ^= x1; x12 = (x12 << 16) | (x12 >> 16);
                x11 += x12; x6 ^= x11; x6 = (x6 << 12) | (x6 >> 20);
                x1 += x6; x12 ^= x1; x12 = (x12 << 8) | (x12 >> 24);
                x11 += x12; x6 ^= x11; x6 = (x6 << 7) | (x6 >> 25);
                x2 += x7; x13 ^= x2; x13 = (x13 << 16) | (x13 >> 16);
                x8 += x13; x7 ^= x8; x7 = (x7 << 12) | (x7 >> 20);
                x2 += x7; x13 ^= x2; x13 = (x13 << 8) | (x13 >> 24);
                x8 += x13; x7 ^= x8; x7 = (x7 << 7) | (x7 >> 25);
                x3 += x4; x14 ^= x3; x14 = (x14 << 16) | (x14 >> 16);
                x9 += x14; x4 ^= x9; x4 = (x4 << 12) | (x4 >> 20);
                x3 += x4; x14 ^= x3; x14 = (x14 << 8) | (x14 >> 24);
                x9 += x14; x4 ^= x9; x4 = (x4 << 7) | (x4 >> 25);
            }
            x0 += Sigma0; x1 += Sigma1; x2 += Sigma2; x3 += Sigma3;
            x15 += s[15]; x14 += s[14]; x13 += s[13]; x12 += s[12]; x11 += s[11]; x10 += s[10]; x9 += s[9]; x8 += s[8];
            x7 += s[7]; x6 += s[6]; x5 += s[5]; x4 += s[4];
            s[12]++;
            if (length == BlockSize)
            {
                XorWord(input, inputOffset + 0, output, outputOffset + 0, x0);
                XorWord(input, inputOffset + 4, output, outputOffset + 4, x1);
                XorWord(input, inputOffset + 8, output, outputOffset + 8, x2);
                XorWord(input, inputOffset + 12, output, outputOffset + 12, x3);
                XorWord(input, inputOffset + 16, output, outputOffset + 16, x4);
                XorWord(input, inputOffset + 20, output, outputOffset + 20, x5);
                XorWord(input, inputOffset + 24, output, outputOffset + 24, x6);
                XorWord(input, inputOffset + 28, output, outputOffset + 28, x7);
                XorWord(input, inputOffset + 32, output, outputOffset + 32, x8);
                XorWord(input, inputOffset + 36, output, outputOffset + 36, x9);
                XorWord(input, inputOffset + 40, output, outputOffset + 40, x10);
                XorWord(input, inputOffset + 44, output, outputOffset + 44, x11);
                XorWord(input, inputOffset + 48, output, outputOffset + 48, x12);
                XorWord(input, inputOffset + 52, output, outputOffset + 52, x13);
                XorWord(input, inputOffset + 56, output, outputOffset + 56, x14);
                XorWord(input, inputOffset + 60, output, outputOffset + 60, x15);
                return;
            }
            byte[] k = this.keystream;
            Endian.Write32LE(k, 0, x0);
            Endian.Write32LE(k, 4, x1);
            Endian.Write32LE(k, 8, x2);
            Endian.Write32LE(k, 12, x3);
            Endian.Write32LE(k, 16, x4);
            Endian.Write32LE(k, 20, x5);
            Endian.Write32LE(k, 24, x6);
            Endian.Write32LE(k, 28, x7);
            Endian.Write32LE(k, 32, x8);
            Endian.Write32LE(k, 36, x9);
            Endian.Write32LE(k, 40, x10);
            Endian.Write32LE(k, 44, x11);
            Endian.Write32LE(k, 48, x12);
            Endian.Write32LE(k, 52, x13);
            Endian.Write32LE(k, 56, x14);
            Endian.Write32LE(k, 60, x15);
            for (int i = 0; i < length; i++)
                output[outputOffset + i] = (byte)(input[inputOffset + i] ^ k[i]);
            Array.Clear(k, 0, BlockSize);
        }

        // XORs one little-endian keystream word into four bytes.
        static void XorWord(byte[] input, int i, byte[] output, int o, uint w)
        {
            output[o] = (byte)(input[i] ^ w);
            output[o + 1] = (byte)(input[i + 1] ^ (w >> 8));
            output[o + 2] = (byte)(input[i + 2] ^ (w >> 16));
            output[o + 3] = (byte)(input[i + 3] ^ (w >> 24));
        }
    }
}

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
    /// <remarks>Runs on local variables only: nothing is allocated and no state is kept.</remarks>
    public static class HChaCha20
    {
        /// <summary>Nonce size in bytes.</summary>
        public const int NonceSize = 16;
        /// <summary>Subkey size in bytes.</summary>
        public const int SubkeySize = 32;

        /// <summary>
        /// Derives the subkey from a 32-byte key and a 16-byte nonce into
        /// <paramref name="subkey"/> at <paramref name="subkeyOffset"/>.
        /// </summary>
        public static void DeriveSubkey(byte[] key, int keyOffset, byte[] nonce, int nonceOffset, byte[] subkey, int subkeyOffset)
        {
            uint x0 = ChaCha20.Sigma0, x1 = ChaCha20.Sigma1, x2 = ChaCha20.Sigma2, x3 = ChaCha20.Sigma3;
            uint x4 = Endian.Read32LE(key, keyOffset);
            uint x5 = Endian.Read32LE(key, keyOffset + 4);
            uint x6 = Endian.Read32LE(key, keyOffset + 8);
            uint x7 = Endian.Read32LE(key, keyOffset + 12);
            uint x8 = Endian.Read32LE(key, keyOffset + 16);
            uint x9 = Endian.Read32LE(key, keyOffset + 20);
            uint x10 = Endian.Read32LE(key, keyOffset + 24);
            uint x11 = Endian.Read32LE(key, keyOffset + 28);
            uint x12 = Endian.Read32LE(nonce, nonceOffset);
            uint x13 = Endian.Read32LE(nonce, nonceOffset + 4);
            uint x14 = Endian.Read32LE(nonce, nonceOffset + 8);
            uint x15 = Endian.Read32LE(nonce, nonceOffset + 12);
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
            Endian.Write32LE(subkey, subkeyOffset, x0);
            Endian.Write32LE(subkey, subkeyOffset + 4, x1);
            Endian.Write32LE(subkey, subkeyOffset + 8, x2);
            Endian.Write32LE(subkey, subkeyOffset + 12, x3);
            Endian.Write32LE(subkey, subkeyOffset + 16, x12);
            Endian.Write32LE(subkey, subkeyOffset + 20, x13);
            Endian.Write32LE(subkey, subkeyOffset + 24, x14);
            Endian.Write32LE(subkey, subkeyOffset + 28, x15);
        }
    }
}

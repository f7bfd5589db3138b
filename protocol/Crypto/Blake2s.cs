using System;
using Warp.Protocol.Net;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// BLAKE2s: RFC 7693 (sections 2 and 3; parameters in section 2.1: 32-bit words, 64-byte
    /// blocks, 10 rounds, rotations 16, 12, 8, 7). Output length 1 to 32 bytes, optional key of
    /// up to 32 bytes (section 3.3: the key, zero-padded to one block, is the first block).
    /// WireGuard uses BLAKE2s-256 as HASH, keyed BLAKE2s with a 16-byte output for MAC1/MAC2,
    /// and BLAKE2s inside HMAC for its KDF (whitepaper section 5.4).
    /// </summary>
    /// <remarks>
    /// Streaming (<see cref="Init(int)"/>, <see cref="Update"/>, <see cref="Final"/>) with the
    /// chaining value, counter and block buffer preallocated in the instance; the compression
    /// function runs on locals, fully unrolled. Nothing is allocated per call.
    /// </remarks>
    public sealed class Blake2s
    {
        /// <summary>Block size in bytes.</summary>
        public const int BlockSize = 64;
        /// <summary>Largest output (and key) size in bytes.</summary>
        public const int MaxOutputSize = 32;
        /// <summary>Largest key size in bytes.</summary>
        public const int MaxKeySize = 32;

        // Initialization vector (RFC 7693 section 2.6), the same as SHA-256's.
        const uint IV0 = 0x6A09E667, IV1 = 0xBB67AE85, IV2 = 0x3C6EF372, IV3 = 0xA54FF53A;
        const uint IV4 = 0x510E527F, IV5 = 0x9B05688C, IV6 = 0x1F83D9AB, IV7 = 0x5BE0CD19;

        readonly uint[] h = new uint[8];
        readonly byte[] buffer = new byte[BlockSize];
        int buffered;
        ulong t;
        int outLength;

        /// <summary>Starts an unkeyed hash with <paramref name="outLength"/> bytes of output (1-32).</summary>
        public void Init(int outLength)
        {
            Init(outLength, null, 0, 0);
        }

        /// <summary>
        /// Starts a hash with <paramref name="outLength"/> bytes of output (1-32), keyed with
        /// <paramref name="keyLength"/> bytes (0-32) of <paramref name="key"/>.
        /// </summary>
        public void Init(int outLength, byte[] key, int keyOffset, int keyLength)
        {
            if (outLength < 1 || outLength > MaxOutputSize)
                throw new ArgumentOutOfRangeException("outLength");
            if (keyLength < 0 || keyLength > MaxKeySize)
                throw new ArgumentOutOfRangeException("keyLength");
            uint[] h = this.h;
            // Parameter block (section 2.5): digest length, key length, fanout 1, depth 1.
            h[0] = IV0 ^ 0x01010000u ^ ((uint)keyLength << 8) ^ (uint)outLength;
            h[1] = IV1; h[2] = IV2; h[3] = IV3; h[4] = IV4; h[5] = IV5; h[6] = IV6; h[7] = IV7;
            t = 0;
            this.outLength = outLength;
            this.buffered = 0;
            Array.Clear(this.buffer, 0, BlockSize);
            if (keyLength > 0)
            {
                Array.Copy(key, keyOffset, this.buffer, 0, keyLength);
                this.buffered = BlockSize;
            }
        }

        /// <summary>Adds input bytes.</summary>
        public void Update(byte[] data, int offset, int length)
        {
            if (length <= 0)
                return;
            // The last block must be compressed with the final flag, so a full buffer is only
            // compressed once more input is known to follow.
            if (this.buffered > 0)
            {
                int take = BlockSize - this.buffered;
                if (take > length)
                    take = length;
                Array.Copy(data, offset, this.buffer, this.buffered, take);
                this.buffered += take;
                offset += take;
                length -= take;
                if (length == 0)
                    return;
                t += BlockSize;
                Compress(this.buffer, 0, false);
                this.buffered = 0;
            }
            while (length > BlockSize)
            {
                t += BlockSize;
                Compress(data, offset, false);
                offset += BlockSize;
                length -= BlockSize;
            }
            Array.Copy(data, offset, this.buffer, 0, length);
            this.buffered = length;
        }

        /// <summary>Writes the hash (the output length given to Init) and clears the state.</summary>
        public void Final(byte[] output, int outputOffset)
        {
            t += (ulong)this.buffered;
            Array.Clear(this.buffer, this.buffered, BlockSize - this.buffered);
            Compress(this.buffer, 0, true);
            uint[] h = this.h;
            for (int i = 0; i < this.outLength; i++)
                output[outputOffset + i] = (byte)(h[i >> 2] >> (8 * (i & 3)));
            Clear();
        }

        /// <summary>One-shot unkeyed hash of a byte range.</summary>
        public void Hash(byte[] data, int offset, int length, byte[] output, int outputOffset, int outLength)
        {
            Init(outLength);
            Update(data, offset, length);
            Final(output, outputOffset);
        }

        /// <summary>One-shot keyed hash (MAC) of a byte range.</summary>
        public void Mac(byte[] key, int keyOffset, int keyLength, byte[] data, int offset, int length, byte[] output, int outputOffset, int outLength)
        {
            Init(outLength, key, keyOffset, keyLength);
            Update(data, offset, length);
            Final(output, outputOffset);
        }

        /// <summary>Clears the chaining value and the buffered (possibly key) bytes.</summary>
        public void Clear()
        {
            Array.Clear(this.h, 0, 8);
            Array.Clear(this.buffer, 0, BlockSize);
            this.buffered = 0;
            t = 0;
        }

        // The compression function F (section 3.2).
        void Compress(byte[] block, int o, bool last)
        {
            uint m0 = Endian.Read32LE(block, o), m1 = Endian.Read32LE(block, o + 4);
            uint m2 = Endian.Read32LE(block, o + 8), m3 = Endian.Read32LE(block, o + 12);
            uint m4 = Endian.Read32LE(block, o + 16), m5 = Endian.Read32LE(block, o + 20);
            uint m6 = Endian.Read32LE(block, o + 24), m7 = Endian.Read32LE(block, o + 28);
            uint m8 = Endian.Read32LE(block, o + 32), m9 = Endian.Read32LE(block, o + 36);
            uint m10 = Endian.Read32LE(block, o + 40), m11 = Endian.Read32LE(block, o + 44);
            uint m12 = Endian.Read32LE(block, o + 48), m13 = Endian.Read32LE(block, o + 52);
            uint m14 = Endian.Read32LE(block, o + 56), m15 = Endian.Read32LE(block, o + 60);
            uint[] h = this.h;
            uint v0 = h[0], v1 = h[1], v2 = h[2], v3 = h[3], v4 = h[4], v5 = h[5], v6 = h[6], v7 = h[7];
            uint v8 = IV0, v9 = IV1, v10 = IV2, v11 = IV3;
            uint v12 = IV4 ^ (uint)t, v13 = IV5 ^ (uint)(t >> 32);
            uint v14 = last ? ~IV6 : IV6, v15 = IV7;
            // round 0
            v0 += v4 + m0; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m1; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m2; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m3; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m4; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m5; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m6; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m7; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m8; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m9; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m10; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m11; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m12; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m13; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m14; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m15; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 1
            v0 += v4 + m14; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m10; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m4; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m8; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m9; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m15; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m13; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m6; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m1; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m12; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m0; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m2; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m11; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m7; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m5; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m3; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 2
            v0 += v4 + m11; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m8; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m12; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m0; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m5; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m2; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m15; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m13; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m10; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m14; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m3; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m6; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m7; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m1; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m9; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m4; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 3
            v0 += v4 + m7; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m9; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m3; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m1; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m13; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m12; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m11; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m14; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m2; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m6; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m5; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m10; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m4; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m0; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m15; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m8; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 4
            v0 += v4 + m9; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m0; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m5; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m7; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m2; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m4; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m10; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m15; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m14; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m1; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m11; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m12; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m6; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m8; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m3; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m13; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 5
            v0 += v4 + m2; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m12; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m6; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m10; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m0; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m11; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m8; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m3; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m4; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m13; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m7; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m5; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m15; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m14; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m1; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m9; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 6
            v0 += v4 + m12; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m5; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m1; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m15; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m14; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m13; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m4; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m10; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m0; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m7; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m6; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m3; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m9; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m2; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m8; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m11; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 7
            v0 += v4 + m13; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m11; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m7; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m14; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m12; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m1; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m3; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m9; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m5; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m0; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m15; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m4; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m8; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m6; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m2; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m10; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 8
            v0 += v4 + m6; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m15; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m14; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m9; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m11; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m3; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m0; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m8; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m12; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m2; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m13; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m7; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m1; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m4; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m10; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m5; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            // round 9
            v0 += v4 + m10; v12 ^= v0; v12 = (v12 >> 16) | (v12 << 16); v8 += v12; v4 ^= v8; v4 = (v4 >> 12) | (v4 << 20);
            v0 += v4 + m2; v12 ^= v0; v12 = (v12 >> 8) | (v12 << 24); v8 += v12; v4 ^= v8; v4 = (v4 >> 7) | (v4 << 25);
            v1 += v5 + m8; v13 ^= v1; v13 = (v13 >> 16) | (v13 << 16); v9 += v13; v5 ^= v9; v5 = (v5 >> 12) | (v5 << 20);
            v1 += v5 + m4; v13 ^= v1; v13 = (v13 >> 8) | (v13 << 24); v9 += v13; v5 ^= v9; v5 = (v5 >> 7) | (v5 << 25);
            v2 += v6 + m7; v14 ^= v2; v14 = (v14 >> 16) | (v14 << 16); v10 += v14; v6 ^= v10; v6 = (v6 >> 12) | (v6 << 20);
            v2 += v6 + m6; v14 ^= v2; v14 = (v14 >> 8) | (v14 << 24); v10 += v14; v6 ^= v10; v6 = (v6 >> 7) | (v6 << 25);
            v3 += v7 + m1; v15 ^= v3; v15 = (v15 >> 16) | (v15 << 16); v11 += v15; v7 ^= v11; v7 = (v7 >> 12) | (v7 << 20);
            v3 += v7 + m5; v15 ^= v3; v15 = (v15 >> 8) | (v15 << 24); v11 += v15; v7 ^= v11; v7 = (v7 >> 7) | (v7 << 25);
            v0 += v5 + m15; v15 ^= v0; v15 = (v15 >> 16) | (v15 << 16); v10 += v15; v5 ^= v10; v5 = (v5 >> 12) | (v5 << 20);
            v0 += v5 + m11; v15 ^= v0; v15 = (v15 >> 8) | (v15 << 24); v10 += v15; v5 ^= v10; v5 = (v5 >> 7) | (v5 << 25);
            v1 += v6 + m9; v12 ^= v1; v12 = (v12 >> 16) | (v12 << 16); v11 += v12; v6 ^= v11; v6 = (v6 >> 12) | (v6 << 20);
            v1 += v6 + m14; v12 ^= v1; v12 = (v12 >> 8) | (v12 << 24); v11 += v12; v6 ^= v11; v6 = (v6 >> 7) | (v6 << 25);
            v2 += v7 + m3; v13 ^= v2; v13 = (v13 >> 16) | (v13 << 16); v8 += v13; v7 ^= v8; v7 = (v7 >> 12) | (v7 << 20);
            v2 += v7 + m12; v13 ^= v2; v13 = (v13 >> 8) | (v13 << 24); v8 += v13; v7 ^= v8; v7 = (v7 >> 7) | (v7 << 25);
            v3 += v4 + m13; v14 ^= v3; v14 = (v14 >> 16) | (v14 << 16); v9 += v14; v4 ^= v9; v4 = (v4 >> 12) | (v4 << 20);
            v3 += v4 + m0; v14 ^= v3; v14 = (v14 >> 8) | (v14 << 24); v9 += v14; v4 ^= v9; v4 = (v4 >> 7) | (v4 << 25);
            h[0] ^= v0 ^ v8; h[1] ^= v1 ^ v9; h[2] ^= v2 ^ v10; h[3] ^= v3 ^ v11;
            h[4] ^= v4 ^ v12; h[5] ^= v5 ^ v13; h[6] ^= v6 ^ v14; h[7] ^= v7 ^ v15;
        }
    }
}

using System;
using Warp.Protocol.Net;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// The Poly1305 one-time authenticator: RFC 8439 section 2.5. The 32-byte one-time key is
    /// (r, s); r is clamped; each 16-byte block (with a 0x01 byte appended, i.e. plus 2^128, or
    /// 2^(8*len) for a short last block) is added to the accumulator, which is then multiplied by
    /// r modulo p = 2^130 - 5; finally s is added and the low 128 bits are the tag.
    /// </summary>
    /// <remarks>
    /// The accumulator and r are held as five 26-bit limbs; products are formed in 64 bits and
    /// reduced with 2^130 = 5 (mod p). There is no secret-dependent branch or table lookup: the
    /// final reduction picks h or h - p with a mask. Nothing is allocated per call. The key stays
    /// in the instance until <see cref="Finish"/> (which clears it) or <see cref="Clear"/>.
    /// </remarks>
    public sealed class Poly1305
    {
        /// <summary>One-time key size in bytes.</summary>
        public const int KeySize = 32;
        /// <summary>Tag size in bytes.</summary>
        public const int TagSize = 16;
        /// <summary>Block size in bytes.</summary>
        public const int BlockSize = 16;

        const uint Mask26 = 0x3ffffff;
        const uint HighBit = 1u << 24; // 2^128 in limb 4 (bits 104..129)

        uint r0, r1, r2, r3, r4;
        uint h0, h1, h2, h3, h4;
        uint pad0, pad1, pad2, pad3;
        readonly byte[] buffer = new byte[BlockSize];
        int buffered;

        /// <summary>Starts a new tag with the 32-byte one-time key at <paramref name="keyOffset"/>.</summary>
        public void Init(byte[] key, int keyOffset)
        {
            // r &= 0x0ffffffc0ffffffc0ffffffc0fffffff (section 2.5), then split into 26-bit limbs.
            uint w0 = Endian.Read32LE(key, keyOffset) & 0x0fffffff;
            uint w1 = Endian.Read32LE(key, keyOffset + 4) & 0x0ffffffc;
            uint w2 = Endian.Read32LE(key, keyOffset + 8) & 0x0ffffffc;
            uint w3 = Endian.Read32LE(key, keyOffset + 12) & 0x0ffffffc;
            this.r0 = w0 & Mask26;
            this.r1 = ((w0 >> 26) | (w1 << 6)) & Mask26;
            this.r2 = ((w1 >> 20) | (w2 << 12)) & Mask26;
            this.r3 = ((w2 >> 14) | (w3 << 18)) & Mask26;
            this.r4 = w3 >> 8;
            pad0 = Endian.Read32LE(key, keyOffset + 16);
            pad1 = Endian.Read32LE(key, keyOffset + 20);
            pad2 = Endian.Read32LE(key, keyOffset + 24);
            pad3 = Endian.Read32LE(key, keyOffset + 28);
            this.h0 = this.h1 = this.h2 = this.h3 = this.h4 = 0;
            this.buffered = 0;
        }

        /// <summary>Adds message bytes.</summary>
        public void Update(byte[] message, int offset, int length)
        {
            if (this.buffered > 0)
            {
                int take = BlockSize - this.buffered;
                if (take > length)
                    take = length;
                Array.Copy(message, offset, buffer, this.buffered, take);
                this.buffered += take;
                offset += take;
                length -= take;
                if (this.buffered < BlockSize)
                    return;
                Blocks(buffer, 0, BlockSize, HighBit);
                this.buffered = 0;
            }
            if (length >= BlockSize)
            {
                int full = length & ~(BlockSize - 1);
                Blocks(message, offset, full, HighBit);
                offset += full;
                length -= full;
            }
            if (length > 0)
            {
                Array.Copy(message, offset, buffer, 0, length);
                this.buffered = length;
            }
        }

        /// <summary>
        /// Pads the message so far with zero bytes to a multiple of 16 (the pad16 of RFC 8439
        /// section 2.8); does nothing when it already is one.
        /// </summary>
        public void PadToBlock()
        {
            if (this.buffered == 0)
                return;
            Array.Clear(buffer, this.buffered, BlockSize - this.buffered);
            Blocks(buffer, 0, BlockSize, HighBit);
            this.buffered = 0;
        }

        /// <summary>Writes the 16-byte tag and clears the key and state.</summary>
        public void Finish(byte[] tag, int tagOffset)
        {
            if (this.buffered > 0)
            {
                // Last short block: append the 0x01 byte, no 2^128 bit.
                buffer[this.buffered] = 1;
                Array.Clear(buffer, this.buffered + 1, BlockSize - this.buffered - 1);
                Blocks(buffer, 0, BlockSize, 0);
                this.buffered = 0;
            }

            uint h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4, c;
            // Full carry (h may be slightly above 2^130 before this).
            c = h1 >> 26; h1 &= Mask26; h2 += c;
            c = h2 >> 26; h2 &= Mask26; h3 += c;
            c = h3 >> 26; h3 &= Mask26; h4 += c;
            c = h4 >> 26; h4 &= Mask26; h0 += c * 5;
            c = h0 >> 26; h0 &= Mask26; h1 += c;

            // g = h + 5 - 2^130; if it does not go negative, h >= p and the result is g.
            uint g0 = h0 + 5; c = g0 >> 26; g0 &= Mask26;
            uint g1 = h1 + c; c = g1 >> 26; g1 &= Mask26;
            uint g2 = h2 + c; c = g2 >> 26; g2 &= Mask26;
            uint g3 = h3 + c; c = g3 >> 26; g3 &= Mask26;
            uint g4 = h4 + c - (1u << 26);
            uint select = (g4 >> 31) - 1; // all ones when g4 >= 0
            uint keep = ~select;
            h0 = (h0 & keep) | (g0 & select);
            h1 = (h1 & keep) | (g1 & select);
            h2 = (h2 & keep) | (g2 & select);
            h3 = (h3 & keep) | (g3 & select);
            h4 = (h4 & keep) | (g4 & select);
            // Canonical limbs (the value is below 2^130 now).
            c = h0 >> 26; h0 &= Mask26; h1 += c;
            c = h1 >> 26; h1 &= Mask26; h2 += c;
            c = h2 >> 26; h2 &= Mask26; h3 += c;
            c = h3 >> 26; h3 &= Mask26; h4 += c;

            // h mod 2^128, plus s.
            uint w0 = h0 | (h1 << 26);
            uint w1 = (h1 >> 6) | (h2 << 20);
            uint w2 = (h2 >> 12) | (h3 << 14);
            uint w3 = (h3 >> 18) | (h4 << 8);
            ulong f = (ulong)w0 + pad0;
            Endian.Write32LE(tag, tagOffset, (uint)f);
            f = (ulong)w1 + pad1 + (f >> 32);
            Endian.Write32LE(tag, tagOffset + 4, (uint)f);
            f = (ulong)w2 + pad2 + (f >> 32);
            Endian.Write32LE(tag, tagOffset + 8, (uint)f);
            f = (ulong)w3 + pad3 + (f >> 32);
            Endian.Write32LE(tag, tagOffset + 12, (uint)f);
            Clear();
        }

        /// <summary>Clears the key, the accumulator and the buffered bytes.</summary>
        public void Clear()
        {
            this.r0 = this.r1 = this.r2 = this.r3 = this.r4 = 0;
            this.h0 = this.h1 = this.h2 = this.h3 = this.h4 = 0;
            pad0 = pad1 = pad2 = pad3 = 0;
            Array.Clear(buffer, 0, BlockSize);
            this.buffered = 0;
        }

        // h = (h + block + hibit) * r mod p for each 16-byte block in [offset, offset + length).
        void Blocks(byte[] m, int offset, int length, uint hibit)
        {
            uint r0 = this.r0, r1 = this.r1, r2 = this.r2, r3 = this.r3, r4 = this.r4;
            uint s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
            uint h0 = this.h0, h1 = this.h1, h2 = this.h2, h3 = this.h3, h4 = this.h4;
            int end = offset + length;
            while (offset < end)
            {
                uint t0 = Endian.Read32LE(m, offset);
                uint t1 = Endian.Read32LE(m, offset + 4);
                uint t2 = Endian.Read32LE(m, offset + 8);
                uint t3 = Endian.Read32LE(m, offset + 12);
                h0 += t0 & Mask26;
                h1 += ((t0 >> 26) | (t1 << 6)) & Mask26;
                h2 += ((t1 >> 20) | (t2 << 12)) & Mask26;
                h3 += ((t2 >> 14) | (t3 << 18)) & Mask26;
                h4 += (t3 >> 8) | hibit;

                ulong d0 = (ulong)h0 * r0 + (ulong)h1 * s4 + (ulong)h2 * s3 + (ulong)h3 * s2 + (ulong)h4 * s1;
                ulong d1 = (ulong)h0 * r1 + (ulong)h1 * r0 + (ulong)h2 * s4 + (ulong)h3 * s3 + (ulong)h4 * s2;
                ulong d2 = (ulong)h0 * r2 + (ulong)h1 * r1 + (ulong)h2 * r0 + (ulong)h3 * s4 + (ulong)h4 * s3;
                ulong d3 = (ulong)h0 * r3 + (ulong)h1 * r2 + (ulong)h2 * r1 + (ulong)h3 * r0 + (ulong)h4 * s4;
                ulong d4 = (ulong)h0 * r4 + (ulong)h1 * r3 + (ulong)h2 * r2 + (ulong)h3 * r1 + (ulong)h4 * r0;

                // Partial reduction: limbs end below 2^26 except h1, which may be slightly above.
                d1 += d0 >> 26; h0 = (uint)d0 & Mask26;
                d2 += d1 >> 26; h1 = (uint)d1 & Mask26;
                d3 += d2 >> 26; h2 = (uint)d2 & Mask26;
                d4 += d3 >> 26; h3 = (uint)d3 & Mask26;
                ulong t = h0 + (d4 >> 26) * 5; h4 = (uint)d4 & Mask26;
                h0 = (uint)t & Mask26;
                h1 += (uint)(t >> 26);
                offset += BlockSize;
            }
            this.h0 = h0; this.h1 = h1; this.h2 = h2; this.h3 = h3; this.h4 = h4;
        }
    }
}

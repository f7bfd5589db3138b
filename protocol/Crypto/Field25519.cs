using System;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// Arithmetic in GF(p), p = 2^255 - 19, the field of Curve25519 (RFC 7748 sections 4.1 and 5).
    /// </summary>
    /// <remarks>
    /// An element is an int[10] of signed limbs in radix 2^25.5: limb i has weight
    /// 2^ceil(25.5 i), i.e. 26 bits for even i and 25 bits for odd i, so the limbs sit at bits
    /// 0, 26, 51, 77, 102, 128, 153, 179, 204, 230. A product f_i g_j lands on limb i + j, doubled
    /// when both i and j are odd (the half bits add up), and a limb at or past 2^255 wraps to
    /// i + j - 10 times 19 (2^255 = 19 mod p). Products are summed in 64 bits, then carried.
    /// Inputs of Mul/Sqr may be sums or differences of two carried elements. Every operation
    /// runs the same instructions whatever the values (no secret-dependent branch or index).
    /// Outputs may be the same array as an input. Nothing here allocates.
    /// </remarks>
    internal static class Field25519
    {
        /// <summary>Number of limbs.</summary>
        public const int Limbs = 10;

        /// <summary>h = 0.</summary>
        public static void Zero(int[] h)
        {
            Array.Clear(h, 0, Limbs);
        }

        /// <summary>h = 1.</summary>
        public static void One(int[] h)
        {
            Array.Clear(h, 0, Limbs);
            h[0] = 1;
        }

        /// <summary>h = f.</summary>
        public static void Copy(int[] h, int[] f)
        {
            Array.Copy(f, 0, h, 0, Limbs);
        }

        /// <summary>h = f + g (no carry).</summary>
        public static void Add(int[] h, int[] f, int[] g)
        {
            for (int i = 0; i < Limbs; i++)
                h[i] = f[i] + g[i];
        }

        /// <summary>h = f - g (no carry; limbs may be negative).</summary>
        public static void Sub(int[] h, int[] f, int[] g)
        {
            for (int i = 0; i < Limbs; i++)
                h[i] = f[i] - g[i];
        }

        /// <summary>Swaps f and g when <paramref name="swap"/> is 1, leaves them when it is 0, in constant time.</summary>
        public static void CSwap(int[] f, int[] g, int swap)
        {
            int mask = -swap;
            for (int i = 0; i < Limbs; i++)
            {
                int x = (f[i] ^ g[i]) & mask;
                f[i] ^= x;
                g[i] ^= x;
            }
        }

        /// <summary>h = f * g mod p.</summary>
        public static void Mul(int[] h, int[] f, int[] g)
        {
            long f0 = f[0];
            long f1 = f[1], f1_2 = 2L * f[1];
            long f2 = f[2];
            long f3 = f[3], f3_2 = 2L * f[3];
            long f4 = f[4];
            long f5 = f[5], f5_2 = 2L * f[5];
            long f6 = f[6];
            long f7 = f[7], f7_2 = 2L * f[7];
            long f8 = f[8];
            long f9 = f[9], f9_2 = 2L * f[9];
            long g0 = g[0];
            long g1 = g[1], g1_19 = 19L * g[1];
            long g2 = g[2], g2_19 = 19L * g[2];
            long g3 = g[3], g3_19 = 19L * g[3];
            long g4 = g[4], g4_19 = 19L * g[4];
            long g5 = g[5], g5_19 = 19L * g[5];
            long g6 = g[6], g6_19 = 19L * g[6];
            long g7 = g[7], g7_19 = 19L * g[7];
            long g8 = g[8], g8_19 = 19L * g[8];
            long g9 = g[9], g9_19 = 19L * g[9];
            long h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
            long h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
            long h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
            long h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
            long h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
            long h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
            long h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
            long h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
            long h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
            long h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
            long c;
            c = h0 >> 26; h1 += c; h0 -= c << 26;
            c = h5 >> 25; h6 += c; h5 -= c << 25;
            c = h1 >> 25; h2 += c; h1 -= c << 25;
            c = h6 >> 26; h7 += c; h6 -= c << 26;
            c = h2 >> 26; h3 += c; h2 -= c << 26;
            c = h7 >> 25; h8 += c; h7 -= c << 25;
            c = h3 >> 25; h4 += c; h3 -= c << 25;
            c = h8 >> 26; h9 += c; h8 -= c << 26;
            c = h4 >> 26; h5 += c; h4 -= c << 26;
            c = h9 >> 25; h0 += c * 19; h9 -= c << 25;
            c = h5 >> 25; h6 += c; h5 -= c << 25;
            c = h0 >> 26; h1 += c; h0 -= c << 26;
            h[0] = (int)h0;
            h[1] = (int)h1;
            h[2] = (int)h2;
            h[3] = (int)h3;
            h[4] = (int)h4;
            h[5] = (int)h5;
            h[6] = (int)h6;
            h[7] = (int)h7;
            h[8] = (int)h8;
            h[9] = (int)h9;
        }

        /// <summary>h = f^2 mod p (the cross products are counted once and doubled).</summary>
        public static void Sqr(int[] h, int[] f)
        {
            long f0 = f[0], f0_2 = 2L * f[0];
            long f1 = f[1], f1_2 = 2L * f[1], f1_4 = 4L * f[1];
            long f2 = f[2], f2_2 = 2L * f[2];
            long f3 = f[3], f3_2 = 2L * f[3], f3_4 = 4L * f[3];
            long f4 = f[4], f4_2 = 2L * f[4];
            long f5 = f[5], f5_2 = 2L * f[5], f5_4 = 4L * f[5], f5_19 = 19L * f[5];
            long f6 = f[6], f6_2 = 2L * f[6], f6_19 = 19L * f[6];
            long f7 = f[7], f7_2 = 2L * f[7], f7_4 = 4L * f[7], f7_19 = 19L * f[7];
            long f8 = f[8], f8_2 = 2L * f[8], f8_19 = 19L * f[8];
            long f9 = f[9], f9_2 = 2L * f[9], f9_19 = 19L * f[9];
            long h0 = f0 * f0 + f1_4 * f9_19 + f2_2 * f8_19 + f3_4 * f7_19 + f4_2 * f6_19 + f5_2 * f5_19;
            long h1 = f0_2 * f1 + f2_2 * f9_19 + f3_2 * f8_19 + f4_2 * f7_19 + f5_2 * f6_19;
            long h2 = f0_2 * f2 + f1_2 * f1 + f3_4 * f9_19 + f4_2 * f8_19 + f5_4 * f7_19 + f6 * f6_19;
            long h3 = f0_2 * f3 + f1_2 * f2 + f4_2 * f9_19 + f5_2 * f8_19 + f6_2 * f7_19;
            long h4 = f0_2 * f4 + f1_4 * f3 + f2 * f2 + f5_4 * f9_19 + f6_2 * f8_19 + f7_2 * f7_19;
            long h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6_2 * f9_19 + f7_2 * f8_19;
            long h6 = f0_2 * f6 + f1_4 * f5 + f2_2 * f4 + f3_2 * f3 + f7_4 * f9_19 + f8 * f8_19;
            long h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8_2 * f9_19;
            long h8 = f0_2 * f8 + f1_4 * f7 + f2_2 * f6 + f3_4 * f5 + f4 * f4 + f9_2 * f9_19;
            long h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;
            long c;
            c = h0 >> 26; h1 += c; h0 -= c << 26;
            c = h5 >> 25; h6 += c; h5 -= c << 25;
            c = h1 >> 25; h2 += c; h1 -= c << 25;
            c = h6 >> 26; h7 += c; h6 -= c << 26;
            c = h2 >> 26; h3 += c; h2 -= c << 26;
            c = h7 >> 25; h8 += c; h7 -= c << 25;
            c = h3 >> 25; h4 += c; h3 -= c << 25;
            c = h8 >> 26; h9 += c; h8 -= c << 26;
            c = h4 >> 26; h5 += c; h4 -= c << 26;
            c = h9 >> 25; h0 += c * 19; h9 -= c << 25;
            c = h5 >> 25; h6 += c; h5 -= c << 25;
            c = h0 >> 26; h1 += c; h0 -= c << 26;
            h[0] = (int)h0;
            h[1] = (int)h1;
            h[2] = (int)h2;
            h[3] = (int)h3;
            h[4] = (int)h4;
            h[5] = (int)h5;
            h[6] = (int)h6;
            h[7] = (int)h7;
            h[8] = (int)h8;
            h[9] = (int)h9;
        }

        /// <summary>h = f * 121665 mod p (a24 of RFC 7748 section 5).</summary>
        public static void Mul121665(int[] h, int[] f)
        {
            long h0 = 121665L * f[0], h1 = 121665L * f[1], h2 = 121665L * f[2], h3 = 121665L * f[3], h4 = 121665L * f[4];
            long h5 = 121665L * f[5], h6 = 121665L * f[6], h7 = 121665L * f[7], h8 = 121665L * f[8], h9 = 121665L * f[9];
            long c;
            c = h0 >> 26; h1 += c; h0 -= c << 26;
            c = h5 >> 25; h6 += c; h5 -= c << 25;
            c = h1 >> 25; h2 += c; h1 -= c << 25;
            c = h6 >> 26; h7 += c; h6 -= c << 26;
            c = h2 >> 26; h3 += c; h2 -= c << 26;
            c = h7 >> 25; h8 += c; h7 -= c << 25;
            c = h3 >> 25; h4 += c; h3 -= c << 25;
            c = h8 >> 26; h9 += c; h8 -= c << 26;
            c = h4 >> 26; h5 += c; h4 -= c << 26;
            c = h9 >> 25; h0 += c * 19; h9 -= c << 25;
            c = h5 >> 25; h6 += c; h5 -= c << 25;
            c = h0 >> 26; h1 += c; h0 -= c << 26;
            h[0] = (int)h0;
            h[1] = (int)h1;
            h[2] = (int)h2;
            h[3] = (int)h3;
            h[4] = (int)h4;
            h[5] = (int)h5;
            h[6] = (int)h6;
            h[7] = (int)h7;
            h[8] = (int)h8;
            h[9] = (int)h9;
        }

        /// <summary>h = f^(2^n) mod p.</summary>
        public static void SqrN(int[] h, int[] f, int n)
        {
            Sqr(h, f);
            for (int i = 1; i < n; i++)
                Sqr(h, h);
        }

        /// <summary>
        /// h = z^(p-2) = 1/z mod p (Fermat), by the addition chain 2, 8, 9, 11, 22, 2^5-1,
        /// 2^10-1, 2^20-1, 2^40-1, 2^50-1, 2^100-1, 2^200-1, 2^250-1, 2^255-21 (11 multiplications,
        /// 254 squarings). t0-t3 are caller-provided temporaries.
        /// </summary>
        public static void Invert(int[] h, int[] z, int[] t0, int[] t1, int[] t2, int[] t3)
        {
            Sqr(t0, z);            // z^2
            SqrN(t1, t0, 2);       // z^8
            Mul(t1, z, t1);        // z^9
            Mul(t0, t0, t1);       // z^11
            Sqr(t2, t0);           // z^22
            Mul(t1, t1, t2);       // z^31 = z^(2^5 - 1)
            SqrN(t2, t1, 5);
            Mul(t1, t2, t1);       // z^(2^10 - 1)
            SqrN(t2, t1, 10);
            Mul(t2, t2, t1);       // z^(2^20 - 1)
            SqrN(t3, t2, 20);
            Mul(t2, t3, t2);       // z^(2^40 - 1)
            SqrN(t2, t2, 10);
            Mul(t1, t2, t1);       // z^(2^50 - 1)
            SqrN(t2, t1, 50);
            Mul(t2, t2, t1);       // z^(2^100 - 1)
            SqrN(t3, t2, 100);
            Mul(t2, t3, t2);       // z^(2^200 - 1)
            SqrN(t2, t2, 50);
            Mul(t1, t2, t1);       // z^(2^250 - 1)
            SqrN(t1, t1, 5);       // z^(2^255 - 32)
            Mul(h, t1, t0);        // z^(2^255 - 21)
        }

        /// <summary>
        /// Decodes 32 little-endian bytes (RFC 7748 section 5, decodeUCoordinate): the top bit is
        /// ignored; values from p to 2^255 - 1 are accepted and reduced by the arithmetic.
        /// </summary>
        public static void FromBytes(int[] h, byte[] s, int offset)
        {
            int bit = 0;
            for (int i = 0; i < Limbs; i++)
            {
                int width = (i & 1) == 0 ? 26 : 25;
                int b = offset + (bit >> 3);
                uint w = s[b] | ((uint)s[b + 1] << 8) | ((uint)s[b + 2] << 16) | ((uint)s[b + 3] << 24);
                h[i] = (int)((w >> (bit & 7)) & ((1u << width) - 1));
                bit += width;
            }
        }

        /// <summary>Encodes f fully reduced (0 to p - 1) as 32 little-endian bytes (encodeUCoordinate).</summary>
        public static void ToBytes(byte[] s, int offset, int[] f)
        {
            long h0 = f[0], h1 = f[1], h2 = f[2], h3 = f[3], h4 = f[4], h5 = f[5], h6 = f[6], h7 = f[7], h8 = f[8], h9 = f[9];
            long c;
            // Three sequential carry passes leave every limb in [0, 2^width) and the value v in [0, 2^255).
            for (int pass = 0; pass < 3; pass++)
            {
                c = h0 >> 26; h1 += c; h0 -= c << 26;
                c = h1 >> 25; h2 += c; h1 -= c << 25;
                c = h2 >> 26; h3 += c; h2 -= c << 26;
                c = h3 >> 25; h4 += c; h3 -= c << 25;
                c = h4 >> 26; h5 += c; h4 -= c << 26;
                c = h5 >> 25; h6 += c; h5 -= c << 25;
                c = h6 >> 26; h7 += c; h6 -= c << 26;
                c = h7 >> 25; h8 += c; h7 -= c << 25;
                c = h8 >> 26; h9 += c; h8 -= c << 26;
                c = h9 >> 25; h0 += c * 19; h9 -= c << 25;
            }
            // q = 1 when v >= p, i.e. when v + 19 reaches 2^255; then v - p = v + 19 - 2^255.
            long q = (h0 + 19) >> 26;
            q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
            q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
            h0 += 19 * q;
            c = h0 >> 26; h1 += c; h0 -= c << 26;
            c = h1 >> 25; h2 += c; h1 -= c << 25;
            c = h2 >> 26; h3 += c; h2 -= c << 26;
            c = h3 >> 25; h4 += c; h3 -= c << 25;
            c = h4 >> 26; h5 += c; h4 -= c << 26;
            c = h5 >> 25; h6 += c; h5 -= c << 25;
            c = h6 >> 26; h7 += c; h6 -= c << 26;
            c = h7 >> 25; h8 += c; h7 -= c << 25;
            c = h8 >> 26; h9 += c; h8 -= c << 26;
            h9 &= (1L << 25) - 1; // drops the 2^255

            // Pack the limbs at bits 0, 26, 51, ... into bytes.
            ulong acc = 0;
            int bits = 0, o = offset;
            for (int i = 0; i < Limbs; i++)
            {
                long limb = i == 0 ? h0 : i == 1 ? h1 : i == 2 ? h2 : i == 3 ? h3 : i == 4 ? h4
                    : i == 5 ? h5 : i == 6 ? h6 : i == 7 ? h7 : i == 8 ? h8 : h9;
                acc |= (ulong)limb << bits;
                bits += (i & 1) == 0 ? 26 : 25;
                while (bits >= 8)
                {
                    s[o++] = (byte)acc;
                    acc >>= 8;
                    bits -= 8;
                }
            }
            s[o] = (byte)acc; // the last 7 bits (255 = 31 * 8 + 7)
        }
    }
}

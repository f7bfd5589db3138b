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
            h[9] = f[9] + g[9];
            h[8] = f[8] + g[8];
            h[7] = f[7] + g[7];
            h[6] = f[6] + g[6];
            h[5] = f[5] + g[5];
            h[4] = f[4] + g[4];
            h[3] = f[3] + g[3];
            h[2] = f[2] + g[2];
            h[1] = f[1] + g[1];
            h[0] = f[0] + g[0];
        }

        /// <summary>h = f - g (no carry; limbs may be negative).</summary>
        public static void Sub(int[] h, int[] f, int[] g)
        {
            h[9] = f[9] - g[9];
            h[8] = f[8] - g[8];
            h[7] = f[7] - g[7];
            h[6] = f[6] - g[6];
            h[5] = f[5] - g[5];
            h[4] = f[4] - g[4];
            h[3] = f[3] - g[3];
            h[2] = f[2] - g[2];
            h[1] = f[1] - g[1];
            h[0] = f[0] - g[0];
        }

        /// <summary>
        /// Swaps f with g and f2 with g2 when <paramref name="swap"/> is 1, leaves them when it
        /// is 0, in constant time (a mask, no branch): the cswap of RFC 7748 section 5 for both
        /// coordinates at once.
        /// </summary>
        public static void CSwap(int[] f, int[] g, int[] f2, int[] g2, int swap)
        {
            int mask = -swap, x;
            x = (f[9] ^ g[9]) & mask; f[9] ^= x; g[9] ^= x;
            x = (f[8] ^ g[8]) & mask; f[8] ^= x; g[8] ^= x;
            x = (f[7] ^ g[7]) & mask; f[7] ^= x; g[7] ^= x;
            x = (f[6] ^ g[6]) & mask; f[6] ^= x; g[6] ^= x;
            x = (f[5] ^ g[5]) & mask; f[5] ^= x; g[5] ^= x;
            x = (f[4] ^ g[4]) & mask; f[4] ^= x; g[4] ^= x;
            x = (f[3] ^ g[3]) & mask; f[3] ^= x; g[3] ^= x;
            x = (f[2] ^ g[2]) & mask; f[2] ^= x; g[2] ^= x;
            x = (f[1] ^ g[1]) & mask; f[1] ^= x; g[1] ^= x;
            x = (f[0] ^ g[0]) & mask; f[0] ^= x; g[0] ^= x;
            x = (f2[9] ^ g2[9]) & mask; f2[9] ^= x; g2[9] ^= x;
            x = (f2[8] ^ g2[8]) & mask; f2[8] ^= x; g2[8] ^= x;
            x = (f2[7] ^ g2[7]) & mask; f2[7] ^= x; g2[7] ^= x;
            x = (f2[6] ^ g2[6]) & mask; f2[6] ^= x; g2[6] ^= x;
            x = (f2[5] ^ g2[5]) & mask; f2[5] ^= x; g2[5] ^= x;
            x = (f2[4] ^ g2[4]) & mask; f2[4] ^= x; g2[4] ^= x;
            x = (f2[3] ^ g2[3]) & mask; f2[3] ^= x; g2[3] ^= x;
            x = (f2[2] ^ g2[2]) & mask; f2[2] ^= x; g2[2] ^= x;
            x = (f2[1] ^ g2[1]) & mask; f2[1] ^= x; g2[1] ^= x;
            x = (f2[0] ^ g2[0]) & mask; f2[0] ^= x; g2[0] ^= x;
        }

        /// <summary>h = f * g mod p.</summary>
        public static void Mul(int[] h, int[] f, int[] g)
        {
            long fi = f[9] + g[9], fi2; // index 9 first: later range checks are dropped
            fi = f[0];
            long h0 = fi * g[0], h1 = fi * g[1], h2 = fi * g[2], h3 = fi * g[3], h4 = fi * g[4], h5 = fi * g[5], h6 = fi * g[6], h7 = fi * g[7], h8 = fi * g[8], h9 = fi * g[9];
            fi = f[1];
            fi2 = fi << 1;
            h1 += fi * g[0];
            h2 += fi2 * g[1];
            h3 += fi * g[2];
            h4 += fi2 * g[3];
            h5 += fi * g[4];
            h6 += fi2 * g[5];
            h7 += fi * g[6];
            h8 += fi2 * g[7];
            h9 += fi * g[8];
            fi *= 19;
            fi2 = fi << 1;
            h0 += fi2 * g[9];
            fi = f[2];
            h2 += fi * g[0];
            h3 += fi * g[1];
            h4 += fi * g[2];
            h5 += fi * g[3];
            h6 += fi * g[4];
            h7 += fi * g[5];
            h8 += fi * g[6];
            h9 += fi * g[7];
            fi *= 19;
            h0 += fi * g[8];
            h1 += fi * g[9];
            fi = f[3];
            fi2 = fi << 1;
            h3 += fi * g[0];
            h4 += fi2 * g[1];
            h5 += fi * g[2];
            h6 += fi2 * g[3];
            h7 += fi * g[4];
            h8 += fi2 * g[5];
            h9 += fi * g[6];
            fi *= 19;
            fi2 = fi << 1;
            h0 += fi2 * g[7];
            h1 += fi * g[8];
            h2 += fi2 * g[9];
            fi = f[4];
            h4 += fi * g[0];
            h5 += fi * g[1];
            h6 += fi * g[2];
            h7 += fi * g[3];
            h8 += fi * g[4];
            h9 += fi * g[5];
            fi *= 19;
            h0 += fi * g[6];
            h1 += fi * g[7];
            h2 += fi * g[8];
            h3 += fi * g[9];
            fi = f[5];
            fi2 = fi << 1;
            h5 += fi * g[0];
            h6 += fi2 * g[1];
            h7 += fi * g[2];
            h8 += fi2 * g[3];
            h9 += fi * g[4];
            fi *= 19;
            fi2 = fi << 1;
            h0 += fi2 * g[5];
            h1 += fi * g[6];
            h2 += fi2 * g[7];
            h3 += fi * g[8];
            h4 += fi2 * g[9];
            fi = f[6];
            h6 += fi * g[0];
            h7 += fi * g[1];
            h8 += fi * g[2];
            h9 += fi * g[3];
            fi *= 19;
            h0 += fi * g[4];
            h1 += fi * g[5];
            h2 += fi * g[6];
            h3 += fi * g[7];
            h4 += fi * g[8];
            h5 += fi * g[9];
            fi = f[7];
            fi2 = fi << 1;
            h7 += fi * g[0];
            h8 += fi2 * g[1];
            h9 += fi * g[2];
            fi *= 19;
            fi2 = fi << 1;
            h0 += fi2 * g[3];
            h1 += fi * g[4];
            h2 += fi2 * g[5];
            h3 += fi * g[6];
            h4 += fi2 * g[7];
            h5 += fi * g[8];
            h6 += fi2 * g[9];
            fi = f[8];
            h8 += fi * g[0];
            h9 += fi * g[1];
            fi *= 19;
            h0 += fi * g[2];
            h1 += fi * g[3];
            h2 += fi * g[4];
            h3 += fi * g[5];
            h4 += fi * g[6];
            h5 += fi * g[7];
            h6 += fi * g[8];
            h7 += fi * g[9];
            fi = f[9];
            fi2 = fi << 1;
            h9 += fi * g[0];
            fi *= 19;
            fi2 = fi << 1;
            h0 += fi2 * g[1];
            h1 += fi * g[2];
            h2 += fi2 * g[3];
            h3 += fi * g[4];
            h4 += fi2 * g[5];
            h5 += fi * g[6];
            h6 += fi2 * g[7];
            h7 += fi * g[8];
            h8 += fi2 * g[9];
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
            h[9] = (int)h9;
            h[8] = (int)h8;
            h[7] = (int)h7;
            h[6] = (int)h6;
            h[5] = (int)h5;
            h[4] = (int)h4;
            h[3] = (int)h3;
            h[2] = (int)h2;
            h[1] = (int)h1;
            h[0] = (int)h0;
        }

        /// <summary>h = f^2 mod p (the cross products are counted once and doubled).</summary>
        public static void Sqr(int[] h, int[] f)
        {
            long fi = f[9] + f[0], fi2, fi4; // index 9 first: later range checks are dropped
            fi = f[0];
            fi2 = fi << 1;
            long h0 = fi * f[0];
            long h1 = fi2 * f[1];
            long h2 = fi2 * f[2];
            long h3 = fi2 * f[3];
            long h4 = fi2 * f[4];
            long h5 = fi2 * f[5];
            long h6 = fi2 * f[6];
            long h7 = fi2 * f[7];
            long h8 = fi2 * f[8];
            long h9 = fi2 * f[9];
            fi = f[1];
            fi2 = fi << 1;
            fi4 = fi << 2;
            h2 += fi2 * f[1];
            h3 += fi2 * f[2];
            h4 += fi4 * f[3];
            h5 += fi2 * f[4];
            h6 += fi4 * f[5];
            h7 += fi2 * f[6];
            h8 += fi4 * f[7];
            h9 += fi2 * f[8];
            fi *= 19;
            fi2 = fi << 1;
            fi4 = fi << 2;
            h0 += fi4 * f[9];
            fi = f[2];
            fi2 = fi << 1;
            h4 += fi * f[2];
            h5 += fi2 * f[3];
            h6 += fi2 * f[4];
            h7 += fi2 * f[5];
            h8 += fi2 * f[6];
            h9 += fi2 * f[7];
            fi *= 19;
            fi2 = fi << 1;
            h0 += fi2 * f[8];
            h1 += fi2 * f[9];
            fi = f[3];
            fi2 = fi << 1;
            fi4 = fi << 2;
            h6 += fi2 * f[3];
            h7 += fi2 * f[4];
            h8 += fi4 * f[5];
            h9 += fi2 * f[6];
            fi *= 19;
            fi2 = fi << 1;
            fi4 = fi << 2;
            h0 += fi4 * f[7];
            h1 += fi2 * f[8];
            h2 += fi4 * f[9];
            fi = f[4];
            fi2 = fi << 1;
            h8 += fi * f[4];
            h9 += fi2 * f[5];
            fi *= 19;
            fi2 = fi << 1;
            h0 += fi2 * f[6];
            h1 += fi2 * f[7];
            h2 += fi2 * f[8];
            h3 += fi2 * f[9];
            fi = f[5];
            fi2 = fi << 1;
            fi4 = fi << 2;
            fi *= 19;
            fi2 = fi << 1;
            fi4 = fi << 2;
            h0 += fi2 * f[5];
            h1 += fi2 * f[6];
            h2 += fi4 * f[7];
            h3 += fi2 * f[8];
            h4 += fi4 * f[9];
            fi = f[6];
            fi2 = fi << 1;
            fi *= 19;
            fi2 = fi << 1;
            h2 += fi * f[6];
            h3 += fi2 * f[7];
            h4 += fi2 * f[8];
            h5 += fi2 * f[9];
            fi = f[7];
            fi2 = fi << 1;
            fi4 = fi << 2;
            fi *= 19;
            fi2 = fi << 1;
            fi4 = fi << 2;
            h4 += fi2 * f[7];
            h5 += fi2 * f[8];
            h6 += fi4 * f[9];
            fi = f[8];
            fi2 = fi << 1;
            fi *= 19;
            fi2 = fi << 1;
            h6 += fi * f[8];
            h7 += fi2 * f[9];
            fi = f[9];
            fi2 = fi << 1;
            fi4 = fi << 2;
            fi *= 19;
            fi2 = fi << 1;
            fi4 = fi << 2;
            h8 += fi2 * f[9];
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
            h[9] = (int)h9;
            h[8] = (int)h8;
            h[7] = (int)h7;
            h[6] = (int)h6;
            h[5] = (int)h5;
            h[4] = (int)h4;
            h[3] = (int)h3;
            h[2] = (int)h2;
            h[1] = (int)h1;
            h[0] = (int)h0;
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
            h[9] = (int)h9;
            h[8] = (int)h8;
            h[7] = (int)h7;
            h[6] = (int)h6;
            h[5] = (int)h5;
            h[4] = (int)h4;
            h[3] = (int)h3;
            h[2] = (int)h2;
            h[1] = (int)h1;
            h[0] = (int)h0;
        }

        /// <summary>s = f + g and d = f - g (no carry); s and d must be distinct from f and g.</summary>
        public static void AddSub(int[] s, int[] d, int[] f, int[] g)
        {
            int f9 = f[9], g9 = g[9]; s[9] = f9 + g9; d[9] = f9 - g9;
            int f8 = f[8], g8 = g[8]; s[8] = f8 + g8; d[8] = f8 - g8;
            int f7 = f[7], g7 = g[7]; s[7] = f7 + g7; d[7] = f7 - g7;
            int f6 = f[6], g6 = g[6]; s[6] = f6 + g6; d[6] = f6 - g6;
            int f5 = f[5], g5 = g[5]; s[5] = f5 + g5; d[5] = f5 - g5;
            int f4 = f[4], g4 = g[4]; s[4] = f4 + g4; d[4] = f4 - g4;
            int f3 = f[3], g3 = g[3]; s[3] = f3 + g3; d[3] = f3 - g3;
            int f2 = f[2], g2 = g[2]; s[2] = f2 + g2; d[2] = f2 - g2;
            int f1 = f[1], g1 = g[1]; s[1] = f1 + g1; d[1] = f1 - g1;
            int f0 = f[0], g0 = g[0]; s[0] = f0 + g0; d[0] = f0 - g0;
        }

        /// <summary>h = f * 121665 + g mod p (the a24 * E + AA of the ladder, RFC 7748 section 5).</summary>
        public static void Mul121665Add(int[] h, int[] f, int[] g)
        {
            long h9 = 121665L * f[9] + g[9], h8 = 121665L * f[8] + g[8], h7 = 121665L * f[7] + g[7], h6 = 121665L * f[6] + g[6], h5 = 121665L * f[5] + g[5];
            long h4 = 121665L * f[4] + g[4], h3 = 121665L * f[3] + g[3], h2 = 121665L * f[2] + g[2], h1 = 121665L * f[1] + g[1], h0 = 121665L * f[0] + g[0];
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
            h[9] = (int)h9;
            h[8] = (int)h8;
            h[7] = (int)h7;
            h[6] = (int)h6;
            h[5] = (int)h5;
            h[4] = (int)h4;
            h[3] = (int)h3;
            h[2] = (int)h2;
            h[1] = (int)h1;
            h[0] = (int)h0;
        }

        /// <summary>h = f * n mod p for a small non-negative n (below 2^15).</summary>
        public static void MulSmall(int[] h, int[] f, int n)
        {
            long h9 = (long)n * f[9], h8 = (long)n * f[8], h7 = (long)n * f[7], h6 = (long)n * f[6], h5 = (long)n * f[5];
            long h4 = (long)n * f[4], h3 = (long)n * f[3], h2 = (long)n * f[2], h1 = (long)n * f[1], h0 = (long)n * f[0];
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
            h[9] = (int)h9;
            h[8] = (int)h8;
            h[7] = (int)h7;
            h[6] = (int)h6;
            h[5] = (int)h5;
            h[4] = (int)h4;
            h[3] = (int)h3;
            h[2] = (int)h2;
            h[1] = (int)h1;
            h[0] = (int)h0;
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

using System;
using System.Numerics;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>
    /// GF(2^255 - 19) arithmetic against System.Numerics.BigInteger, including limbs at the
    /// largest magnitudes the ladder can feed in (sums and differences of two carried elements),
    /// where a 64-bit overflow would show.
    /// </summary>
    public class Field25519Tests
    {
        private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
        private static readonly int[] Shift = { 0, 26, 51, 77, 102, 128, 153, 179, 204, 230 };

        private static BigInteger Value(int[] f)
        {
            BigInteger v = 0;
            for (int i = 0; i < 10; i++)
                v += new BigInteger(f[i]) << Shift[i];
            return Mod(v);
        }

        private static BigInteger Mod(BigInteger v) => ((v % P) + P) % P;

        private static int[] RandomElement(Random rng, bool extreme)
        {
            var f = new int[10];
            for (int i = 0; i < 10; i++)
            {
                int bits = (i & 1) == 0 ? 27 : 26; // one bit more than a carried limb: f + g or f - g
                int max = (1 << bits) - 1;
                f[i] = extreme ? (rng.Next(2) == 0 ? max : -max) : rng.Next(-max, max + 1);
            }
            return f;
        }

        private static void AssertCarried(int[] h)
        {
            for (int i = 0; i < 10; i++)
                Assert.True(Math.Abs((long)h[i]) < (1L << ((i & 1) == 0 ? 26 : 25)) + (1L << 16), "limb " + i + " = " + h[i]);
        }

        [Fact]
        public void MulAndSqr_MatchBigInteger_AtLargestLimbs()
        {
            const int seed = 25519;
            var rng = new Random(seed);
            var h = new int[10];
            for (int n = 0; n < 3000; n++)
            {
                int[] f = RandomElement(rng, n % 3 == 0), g = RandomElement(rng, n % 5 == 0);
                Field25519.Mul(h, f, g);
                Assert.True(Value(h) == Mod(Value(f) * Value(g)), "seed " + seed + " case " + n);
                AssertCarried(h);
                Field25519.Sqr(h, f);
                Assert.True(Value(h) == Mod(Value(f) * Value(f)), "seed " + seed + " case " + n);
                AssertCarried(h);
                Field25519.MulSmall(h, f, 9);
                Assert.True(Value(h) == Mod(9 * Value(f)), "seed " + seed + " case " + n);
                Field25519.Mul121665Add(h, f, g);
                Assert.True(Value(h) == Mod(121665 * Value(f) + Value(g)), "seed " + seed + " case " + n);
            }
        }

        [Fact]
        public void Invert_MatchesBigInteger()
        {
            var rng = new Random(7748);
            var z = new int[10];
            var h = new int[10];
            int[] t0 = new int[10], t1 = new int[10], t2 = new int[10], t3 = new int[10];
            for (int n = 0; n < 50; n++)
            {
                var bytes = new byte[32];
                rng.NextBytes(bytes);
                Field25519.FromBytes(z, bytes, 0);
                Field25519.Invert(h, z, t0, t1, t2, t3);
                Assert.Equal(BigInteger.ModPow(Value(z), P - 2, P), Value(h));
                Field25519.Mul(h, h, z);
                Assert.Equal(BigInteger.One, Value(h));
            }
        }

        [Theory]
        [InlineData("0")]
        [InlineData("1")]
        [InlineData("p-1")]
        [InlineData("p")]
        [InlineData("p+1")]
        [InlineData("2^255-1")]
        public void ToBytes_IsCanonical(string which)
        {
            BigInteger v = which switch
            {
                "0" => 0,
                "1" => 1,
                "p-1" => P - 1,
                "p" => P,
                "p+1" => P + 1,
                _ => BigInteger.Pow(2, 255) - 1,
            };
            byte[] le = v.ToByteArray(isUnsigned: true, isBigEndian: false);
            var input = new byte[32];
            Array.Copy(le, input, Math.Min(32, le.Length));
            var f = new int[10];
            Field25519.FromBytes(f, input, 0);
            var output = new byte[32];
            Field25519.ToBytes(output, 0, f);
            var expected = new byte[32];
            byte[] canonical = Mod(v).ToByteArray(isUnsigned: true, isBigEndian: false);
            Array.Copy(canonical, expected, Math.Min(32, canonical.Length));
            Assert.Equal(expected, output);
        }

        [Fact]
        public void ToBytes_OfUnreducedSignedLimbs_IsCanonical()
        {
            var rng = new Random(1);
            var output = new byte[32];
            for (int n = 0; n < 2000; n++)
            {
                int[] f = RandomElement(rng, n % 4 == 0);
                Field25519.ToBytes(output, 0, f);
                Assert.Equal(Value(f), new BigInteger(output, isUnsigned: true, isBigEndian: false));
            }
        }

        [Fact]
        public void CSwap_SwapsOnlyOnOne()
        {
            int[] a = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, b = { 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
            int[] c = { -1, -2, -3, -4, -5, -6, -7, -8, -9, -10 }, d = new int[10];
            Field25519.CSwap(a, b, c, d, 0);
            Assert.Equal(1, a[0]);
            Assert.Equal(-10, c[9]);
            Field25519.CSwap(a, b, c, d, 1);
            Assert.Equal(new[] { 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }, a);
            Assert.Equal(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, b);
            Assert.Equal(new int[10], c);
            Assert.Equal(-10, d[9]);
        }
    }
}

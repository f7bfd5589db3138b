using System;
using System.Threading.Tasks;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>
    /// Differential tests against BouncyCastle.Cryptography 2.7.0: 10,000 random cases per
    /// primitive, message lengths 0 to 2,048 bytes, from a seeded System.Random. A failure names
    /// the seed and the case index, so it can be replayed.
    /// </summary>
    public class CryptoDifferentialTests
    {
        private const int Cases = 10000;
        private const int MaxLength = 2048;
        private const int Seed = 20261124;

        private static byte[] RandomBytes(Random rng, int length)
        {
            var b = new byte[length];
            rng.NextBytes(b);
            return b;
        }

        private static string Where(int seed, int i) => "seed " + seed + ", case " + i;

        [Fact]
        public void ChaCha20_MatchesBouncyCastle()
        {
            var rng = new Random(Seed);
            var c = new ChaCha20();
            for (int i = 0; i < Cases; i++)
            {
                byte[] key = RandomBytes(rng, 32), nonce = RandomBytes(rng, 12), input = RandomBytes(rng, rng.Next(MaxLength + 1));
                int offset = rng.Next(4);
                var output = new byte[input.Length + offset];
                c.Init(key, 0, nonce, 0, 0);
                c.Process(input, 0, output, offset, input.Length);
                byte[] expected = BouncyCastleOracle.ChaCha20(key, nonce, input);
                Assert.True(Hex.Encode(expected) == Hex.Encode(output, offset, input.Length), Where(Seed, i));
            }
        }

        [Fact]
        public void Poly1305_MatchesBouncyCastle()
        {
            var rng = new Random(Seed + 1);
            var p = new Poly1305();
            var tag = new byte[16];
            for (int i = 0; i < Cases; i++)
            {
                byte[] key = RandomBytes(rng, 32), message = RandomBytes(rng, rng.Next(MaxLength + 1));
                if (i % 10 == 0)
                    for (int j = 0; j < message.Length; j++) message[j] = 0xFF; // carry-heavy input
                p.Init(key, 0);
                int split = rng.Next(message.Length + 1);
                p.Update(message, 0, split);
                p.Update(message, split, message.Length - split);
                p.Finish(tag, 0);
                Assert.True(Hex.Encode(BouncyCastleOracle.Poly1305(key, message)) == Hex.Encode(tag), Where(Seed + 1, i));
            }
        }

        [Fact]
        public void ChaCha20Poly1305_SealAndOpen_MatchBouncyCastle()
        {
            var rng = new Random(Seed + 2);
            var aead = new ChaCha20Poly1305();
            for (int i = 0; i < Cases; i++)
            {
                byte[] key = RandomBytes(rng, 32), nonce = RandomBytes(rng, 12);
                byte[] aad = RandomBytes(rng, rng.Next(0, i % 4 == 0 ? 0 : 64));
                byte[] plaintext = RandomBytes(rng, rng.Next(MaxLength + 1));
                var output = new byte[plaintext.Length + 16];
                aead.Seal(key, 0, nonce, 0, aad, 0, aad.Length, plaintext, 0, plaintext.Length, output, 0);
                byte[] expected = BouncyCastleOracle.AeadSeal(key, nonce, aad, plaintext);
                Assert.True(Hex.Encode(expected) == Hex.Encode(output), Where(Seed + 2, i));
                var back = new byte[plaintext.Length];
                Assert.True(aead.Open(key, 0, nonce, 0, aad, 0, aad.Length, expected, 0, expected.Length, back, 0), Where(Seed + 2, i));
                Assert.True(Hex.Encode(plaintext) == Hex.Encode(back), Where(Seed + 2, i));
                expected[rng.Next(expected.Length)] ^= (byte)(1 << rng.Next(8));
                Assert.False(aead.Open(key, 0, nonce, 0, aad, 0, aad.Length, expected, 0, expected.Length, back, 0), Where(Seed + 2, i));
            }
        }

        [Fact]
        public void XChaCha20Poly1305_MatchesHChaCha20ThenBouncyCastleAead()
        {
            // BouncyCastle has no XChaCha20-Poly1305: compare with the draft's composition,
            // HChaCha20 subkey (checked by the draft vector) and BouncyCastle's RFC 8439 AEAD.
            var rng = new Random(Seed + 3);
            var x = new XChaCha20Poly1305();
            var subkey = new byte[32];
            for (int i = 0; i < Cases; i++)
            {
                byte[] key = RandomBytes(rng, 32), nonce = RandomBytes(rng, 24);
                byte[] aad = RandomBytes(rng, rng.Next(0, 48));
                byte[] plaintext = RandomBytes(rng, rng.Next(MaxLength + 1));
                var output = new byte[plaintext.Length + 16];
                x.Seal(key, 0, nonce, 0, aad, 0, aad.Length, plaintext, 0, plaintext.Length, output, 0);
                new HChaCha20().DeriveSubkey(key, 0, nonce, 0, subkey, 0);
                var chachaNonce = new byte[12];
                Array.Copy(nonce, 16, chachaNonce, 4, 8);
                byte[] expected = BouncyCastleOracle.AeadSeal(subkey, chachaNonce, aad, plaintext);
                Assert.True(Hex.Encode(expected) == Hex.Encode(output), Where(Seed + 3, i));
                var back = new byte[plaintext.Length];
                Assert.True(x.Open(key, 0, nonce, 0, aad, 0, aad.Length, output, 0, output.Length, back, 0), Where(Seed + 3, i));
            }
        }

        [Fact]
        public void Blake2s_HashAndKeyed_MatchBouncyCastle()
        {
            var rng = new Random(Seed + 4);
            var b = new Blake2s();
            var output = new byte[32];
            for (int i = 0; i < Cases; i++)
            {
                byte[] data = RandomBytes(rng, rng.Next(MaxLength + 1));
                int outLength = i % 3 == 0 ? 16 : i % 3 == 1 ? 32 : rng.Next(1, 33);
                byte[] key = i % 2 == 0 ? null : RandomBytes(rng, rng.Next(1, 33));
                if (key == null)
                    b.Hash(data, 0, data.Length, output, 0, outLength);
                else
                    b.Mac(key, 0, key.Length, data, 0, data.Length, output, 0, outLength);
                Assert.True(Hex.Encode(BouncyCastleOracle.Blake2s(key, outLength, data)) == Hex.Encode(output, 0, outLength), Where(Seed + 4, i));
            }
        }

        [Fact]
        public void HmacBlake2s_MatchesBouncyCastle()
        {
            var rng = new Random(Seed + 5);
            var h = new HmacBlake2s();
            var output = new byte[32];
            for (int i = 0; i < Cases; i++)
            {
                byte[] key = RandomBytes(rng, i % 2 == 0 ? 32 : rng.Next(0, 100));
                byte[] data = RandomBytes(rng, rng.Next(MaxLength + 1));
                h.Compute(key, 0, key.Length, data, 0, data.Length, output, 0);
                Assert.True(Hex.Encode(BouncyCastleOracle.Hmac(key, data)) == Hex.Encode(output), Where(Seed + 5, i));
            }
        }

        [Fact]
        public void X25519_MatchesBouncyCastle()
        {
            // Inputs are drawn up front from the seed; the work is split over the cores with one
            // X25519 instance per worker.
            var rng = new Random(Seed + 6);
            var scalars = new byte[Cases][];
            var points = new byte[Cases][];
            for (int i = 0; i < Cases; i++)
            {
                scalars[i] = RandomBytes(rng, 32);
                points[i] = RandomBytes(rng, 32);
                if (i % 100 == 0)
                    points[i][31] |= 0x80;          // top bit set: must be ignored
                if (i % 250 == 1)
                    for (int j = 0; j < 32; j++) points[i][j] = 0xFF; // non-canonical u >= p
            }
            var failures = new string[Cases];
            Parallel.For(0, Cases, () => new X25519(), (i, _, x) =>
            {
                var ours = new byte[32];
                bool nonZero = x.ScalarMult(ours, 0, scalars[i], 0, points[i], 0);
                byte[] theirs = BouncyCastleOracle.X25519(scalars[i], points[i]);
                if (Hex.Encode(theirs) != Hex.Encode(ours))
                    failures[i] = Where(Seed + 6, i);
                else if (!nonZero)
                    failures[i] = Where(Seed + 6, i) + ": unexpected all-zero result";
                if (i % 4 == 1)
                {
                    // Public keys: X25519(k, 9) against BouncyCastle's fixed-base path.
                    x.PublicKey(ours, 0, scalars[i], 0);
                    if (Hex.Encode(BouncyCastleOracle.X25519Base(scalars[i])) != Hex.Encode(ours))
                        failures[i] = Where(Seed + 6, i) + " (public key)";
                }
                return x;
            }, _ => { });
            foreach (string f in failures)
                Assert.True(f == null, f);
        }
    }
}

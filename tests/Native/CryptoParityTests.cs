using System;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The device's crypto backend (warp_aead_*, warp_x25519*: mbedTLS, what NativeCryptoBackend calls
    /// through the interop) against the managed backend on seeded random inputs: the same ciphertexts
    /// and tags with WireGuard's nonce, the same opens and refusals, the same X25519 results (the RFC
    /// vectors themselves run in CTest).
    /// </summary>
    public class CryptoParityTests
    {
        public CryptoParityTests() { NativeBuild.Ensure(); }

        [Fact]
        public void AeadAgreesWithTheManagedBackend()
        {
            var rnd = new Random(8439);
            var managed = new ManagedCryptoBackend();
            for (int i = 0; i < 2000; i++)
            {
                var key = new byte[32];
                rnd.NextBytes(key);
                ulong counter = (ulong)rnd.NextInt64() ^ ((ulong)rnd.Next() << 40);
                var aad = new byte[rnd.Next(3) == 0 ? 0 : rnd.Next(1, 64)];
                rnd.NextBytes(aad);
                var plain = new byte[rnd.Next(0, 1500)];
                rnd.NextBytes(plain);
                var m = new byte[plain.Length + 16];
                var n = new byte[plain.Length + 16];
                managed.AeadSeal(key, 0, counter, aad, 0, aad.Length, plain, 0, plain.Length, m, 0);
                Native.warp_aead_seal(key, counter, aad, aad.Length, plain, plain.Length, n);
                Assert.Equal(Convert.ToHexString(m), Convert.ToHexString(n));
                var back = new byte[plain.Length];
                Assert.True(Native.warp_aead_open(key, counter, aad, aad.Length, m, m.Length, back));
                Assert.Equal(plain, back);
                m[rnd.Next(m.Length)] ^= (byte)(1 << rnd.Next(8));
                bool managedOpens = managed.AeadOpen(key, 0, counter, aad, 0, aad.Length, m, 0, m.Length, back, 0);
                Assert.False(managedOpens);
                Assert.Equal(managedOpens, Native.warp_aead_open(key, counter, aad, aad.Length, m, m.Length, back));
            }
        }

        /// <summary>The portable ChaCha20-Poly1305 (core/wn_chachapoly.c, WARP_NATIVE_PORTABLE_AEAD) against the managed backend, as above.</summary>
        [Fact]
        public void ThePortableAeadAgreesWithTheManagedBackend()
        {
            var rnd = new Random(8440);
            var managed = new ManagedCryptoBackend();
            for (int i = 0; i < 2000; i++)
            {
                var key = new byte[32];
                rnd.NextBytes(key);
                ulong counter = (ulong)rnd.NextInt64() ^ ((ulong)rnd.Next() << 40);
                var aad = new byte[rnd.Next(3) == 0 ? 0 : rnd.Next(1, 64)];
                rnd.NextBytes(aad);
                var plain = new byte[i < 100 ? i : rnd.Next(0, 1500)];
                rnd.NextBytes(plain);
                var m = new byte[plain.Length + 16];
                var n = new byte[plain.Length + 16];
                managed.AeadSeal(key, 0, counter, aad, 0, aad.Length, plain, 0, plain.Length, m, 0);
                Native.wn_host_portable_seal(key, counter, aad, aad.Length, plain, plain.Length, n);
                Assert.Equal(Convert.ToHexString(m), Convert.ToHexString(n));
                var back = new byte[plain.Length];
                Assert.True(Native.wn_host_portable_open(key, counter, aad, aad.Length, m, m.Length, back));
                Assert.Equal(plain, back);
                m[rnd.Next(m.Length)] ^= (byte)(1 << rnd.Next(8));
                Assert.False(managed.AeadOpen(key, 0, counter, aad, 0, aad.Length, m, 0, m.Length, back, 0));
                Assert.False(Native.wn_host_portable_open(key, counter, aad, aad.Length, m, m.Length, back));
            }
        }

        [Fact]
        public void X25519AgreesWithTheManagedBackend()
        {
            var rnd = new Random(7748);
            var managed = new ManagedCryptoBackend();
            for (int i = 0; i < 100; i++)
            {
                var a = new byte[32];
                var point = new byte[32];
                rnd.NextBytes(a);
                rnd.NextBytes(point); // any 32 bytes: the top bit is masked, values above p reduced (RFC 7748 section 5)
                var m = new byte[32];
                var n = new byte[32];
                bool mok = managed.Dh(m, 0, a, 0, point, 0);
                bool nok = Native.warp_x25519(n, a, point);
                Assert.Equal(mok, nok);
                if (mok)
                    Assert.Equal(Convert.ToHexString(m), Convert.ToHexString(n));
                var pm = new byte[32];
                managed.DhPublicKey(pm, 0, a, 0);
                var nine = new byte[32];
                nine[0] = 9;
                Assert.True(Native.warp_x25519(n, a, nine));
                Assert.Equal(Convert.ToHexString(pm), Convert.ToHexString(n));
            }
        }
    }
}

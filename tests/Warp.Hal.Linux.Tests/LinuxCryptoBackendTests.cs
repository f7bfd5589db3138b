using System;
using ChaCha20Poly1305 = System.Security.Cryptography.ChaCha20Poly1305;
using Warp.Hal.Linux;
using Warp.Protocol.Crypto;
using Warp.Protocol.Tests.Crypto;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>The backend contract and vectors on the platform (System.Security.Cryptography) AEAD.</summary>
    public class LinuxCryptoBackendTests : CryptoBackendContract
    {
        protected override ICryptoBackend CreateBackend() => new LinuxCryptoBackend();

        [Fact]
        public void UsesPlatformAead_WhereSupported()
        {
            using var backend = new LinuxCryptoBackend();
            Assert.Equal(ChaCha20Poly1305.IsSupported, backend.UsesPlatformAead);
            Assert.Equal(ChaCha20Poly1305.IsSupported ? "system" : "managed", backend.Name);
        }

        [Fact]
        public void ManyKeys_CycleThroughTheCache_AndStayCorrect()
        {
            using var backend = new LinuxCryptoBackend();
            var managed = new ManagedCryptoBackend();
            var keys = new byte[LinuxCryptoBackend.CacheSize * 2 + 1][];
            for (int k = 0; k < keys.Length; k++)
            {
                keys[k] = new byte[32];
                keys[k][0] = (byte)k;
            }
            var plaintext = new byte[64];
            var a = new byte[80];
            var b = new byte[80];
            for (int round = 0; round < 3; round++)
            {
                for (int k = 0; k < keys.Length; k++)
                {
                    backend.AeadSeal(keys[k], 0, (ulong)round, null, 0, 0, plaintext, 0, 64, a, 0);
                    managed.AeadSeal(keys[k], 0, (ulong)round, null, 0, 0, plaintext, 0, 64, b, 0);
                    Assert.Equal(b, a);
                }
            }
        }

        [Fact]
        public void SealAndOpen_WithACachedKey_AllocateNothing()
        {
            using var backend = new LinuxCryptoBackend();
            var sendKey = new byte[32];
            var receiveKey = new byte[32];
            receiveKey[0] = 1;
            var packet = new byte[1420 + 16];
            var output = new byte[1420 + 16];
            var aad = new byte[8];
            void Round(ulong counter)
            {
                backend.AeadSeal(sendKey, 0, counter, aad, 0, 8, packet, 0, 1420, output, 0);
                backend.AeadOpen(sendKey, 0, counter, aad, 0, 8, output, 0, 1436, output, 0);
                backend.AeadSeal(receiveKey, 0, counter, null, 0, 0, packet, 0, 1420, output, 0);
            }
            Round(0);
            Round(1);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (ulong i = 2; i < 200; i++)
                Round(i);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    /// <summary>The same contract on the managed fallback inside the Linux backend.</summary>
    public class LinuxCryptoBackendFallbackTests : CryptoBackendContract
    {
        protected override ICryptoBackend CreateBackend() => new LinuxCryptoBackend(preferManaged: true);

        [Fact]
        public void Fallback_IsManaged()
        {
            using var backend = new LinuxCryptoBackend(preferManaged: true);
            Assert.False(backend.UsesPlatformAead);
            Assert.Equal("managed", backend.Name);
        }
    }
}

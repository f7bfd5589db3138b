using System;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>After a warm-up, no primitive allocates on the calling thread.</summary>
    public class ZeroAllocationTests
    {
        private const int Calls = 200;

        private static long AllocatedBy(Action action)
        {
            action(); // warm-up (JIT, static initialisation)
            action();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Calls; i++)
                action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        private static readonly byte[] Key = new byte[32];
        private static readonly byte[] Nonce = new byte[24];
        private static readonly byte[] Aad = new byte[20];
        private static readonly byte[] Packet = new byte[1420 + 16];
        private static readonly byte[] Output = new byte[1420 + 16];

        [Fact]
        public void ChaCha20() 
        {
            var c = new Warp.Protocol.Crypto.ChaCha20();
            Assert.Equal(0, AllocatedBy(() => { c.Init(Key, 0, Nonce, 0, 1); c.Process(Packet, 0, Output, 0, 1420); c.Block(Output, 0); }));
        }

        [Fact]
        public void Poly1305()
        {
            var p = new Warp.Protocol.Crypto.Poly1305();
            Assert.Equal(0, AllocatedBy(() => { p.Init(Key, 0); p.Update(Packet, 0, 1001); p.PadToBlock(); p.Update(Packet, 3, 17); p.Finish(Output, 0); }));
        }

        [Fact]
        public void ChaCha20Poly1305SealAndOpen()
        {
            var a = new Warp.Protocol.Crypto.ChaCha20Poly1305();
            Assert.Equal(0, AllocatedBy(() =>
            {
                a.Seal(Key, 0, Nonce, 0, Aad, 0, Aad.Length, Packet, 0, 1420, Output, 0);
                a.Open(Key, 0, Nonce, 0, Aad, 0, Aad.Length, Output, 0, 1436, Output, 0);
                a.Open(Key, 0, Nonce, 0, Aad, 0, Aad.Length, Packet, 0, 1436, Output, 0); // failing tag
            }));
        }

        [Fact]
        public void XChaCha20Poly1305SealAndOpen()
        {
            var x = new Warp.Protocol.Crypto.XChaCha20Poly1305();
            Assert.Equal(0, AllocatedBy(() =>
            {
                x.Seal(Key, 0, Nonce, 0, Aad, 0, Aad.Length, Packet, 0, 16, Output, 0);
                x.Open(Key, 0, Nonce, 0, Aad, 0, Aad.Length, Output, 0, 32, Output, 0);
            }));
        }

        [Fact]
        public void Blake2sHashAndMac()
        {
            var b = new Blake2s();
            Assert.Equal(0, AllocatedBy(() =>
            {
                b.Hash(Packet, 0, 1000, Output, 0, 32);
                b.Mac(Key, 0, 32, Packet, 0, 148, Output, 0, 16);
            }));
        }

        [Fact]
        public void HmacAndKdf()
        {
            var h = new HmacBlake2s();
            var k = new Hkdf();
            Assert.Equal(0, AllocatedBy(() =>
            {
                h.Compute(Key, 0, 32, Packet, 0, 100, Output, 0);
                k.Kdf3(Key, 0, Packet, 0, 32, Output, 0, Output, 32, Output, 64);
            }));
        }

        [Fact]
        public void X25519()
        {
            var x = new Warp.Protocol.Crypto.X25519();
            var pub = new byte[32];
            var priv = new byte[32];
            priv[0] = 7;
            Assert.Equal(0, AllocatedBy(() =>
            {
                x.PublicKey(pub, 0, priv, 0);
                x.ScalarMult(Output, 0, priv, 0, pub, 0);
            }));
        }

        [Fact]
        public void ManagedBackend()
        {
            var m = new ManagedCryptoBackend();
            Assert.Equal(0, AllocatedBy(() =>
            {
                m.AeadSeal(Key, 0, 5, null, 0, 0, Packet, 0, 1420, Output, 0);
                m.AeadOpen(Key, 0, 5, null, 0, 0, Output, 0, 1436, Output, 0);
            }));
        }

        [Fact]
        public void Tai64nAndCompare()
        {
            Assert.Equal(0, AllocatedBy(() =>
            {
                Tai64n.Write(Output, 0, 1700000000, 5);
                Tai64n.Write(Output, 12, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
                Tai64n.Compare(Output, 0, Output, 12);
                CryptoUtil.ConstantTimeEquals(Output, 0, Packet, 0, 16);
            }));
        }
    }
}

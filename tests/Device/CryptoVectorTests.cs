using nanoFramework.TestFramework;
using Warp.Protocol.Crypto;

namespace Warp.Device.Tests
{
    /// <summary>Published vectors through the managed crypto (on a board: the interpreter's arithmetic).</summary>
    [TestClass]
    public static class CryptoVectorTests
    {
        /// <summary>RFC 8439 section 2.8.2: AEAD_CHACHA20_POLY1305 of "Ladies and Gentlemen of the class of '99...".</summary>
        [TestMethod]
        public static void ChaCha20Poly1305Rfc8439Section282()
        {
            byte[] key = Bytes.FromHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
            byte[] nonce = Bytes.FromHex("070000004041424344454647");
            byte[] aad = Bytes.FromHex("50515253c0c1c2c3c4c5c6c7");
            byte[] plain = Bytes.FromHex(
                "4c616469657320616e642047656e746c656d656e206f662074686520636c6173" +
                "73206f66202739393a204966204920636f756c64206f6666657220796f75206f" +
                "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73" +
                "637265656e20776f756c642062652069742e");
            byte[] expected = Bytes.FromHex(
                "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6" +
                "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36" +
                "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc" +
                "3ff4def08e4b7a9de576d26586cec64b6116" +
                "1ae10b594f09e26a7e902ecbd0600691");
            var aead = new ChaCha20Poly1305();
            byte[] sealedOut = new byte[plain.Length + 16];
            aead.Seal(key, 0, nonce, 0, aad, 0, aad.Length, plain, 0, plain.Length, sealedOut, 0);
            Assert.AreEqual(Bytes.ToHex(expected, 0, expected.Length), Bytes.ToHex(sealedOut, 0, sealedOut.Length));
            byte[] opened = new byte[plain.Length];
            Assert.IsTrue(aead.Open(key, 0, nonce, 0, aad, 0, aad.Length, sealedOut, 0, sealedOut.Length, opened, 0));
            Assert.AreEqual(Bytes.ToHex(plain, 0, plain.Length), Bytes.ToHex(opened, 0, opened.Length));
            sealedOut[3] ^= 1;
            Assert.IsFalse(aead.Open(key, 0, nonce, 0, aad, 0, aad.Length, sealedOut, 0, sealedOut.Length, opened, 0), "a flipped ciphertext bit must fail the tag");
        }

        /// <summary>
        /// The backend's WireGuard form (a 64-bit counter behind 4 zero bytes, little-endian) against
        /// the RFC construction with that 12-byte nonce written out.
        /// </summary>
        [TestMethod]
        public static void BackendCounterNonceIsTheWireGuardNonce()
        {
            byte[] key = Bytes.FromHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
            byte[] nonce = Bytes.FromHex("000000000102030405060708");
            byte[] plain = new byte[100];
            for (int i = 0; i < plain.Length; i++) plain[i] = (byte)(i * 7);
            byte[] a = new byte[116], b = new byte[116];
            new ManagedCryptoBackend().AeadSeal(key, 0, 0x0807060504030201UL, null, 0, 0, plain, 0, plain.Length, a, 0);
            new ChaCha20Poly1305().Seal(key, 0, nonce, 0, null, 0, 0, plain, 0, plain.Length, b, 0);
            Assert.AreEqual(Bytes.ToHex(b, 0, b.Length), Bytes.ToHex(a, 0, a.Length));
            byte[] back = new byte[100];
            Assert.IsTrue(new ManagedCryptoBackend().AeadOpen(key, 0, 0x0807060504030201UL, null, 0, 0, a, 0, a.Length, back, 0));
            Assert.IsFalse(new ManagedCryptoBackend().AeadOpen(key, 0, 0x0807060504030202UL, null, 0, 0, a, 0, a.Length, back, 0), "another counter must fail the tag");
        }

        /// <summary>RFC 7748 section 5.2, the first X25519 test vector.</summary>
        [TestMethod]
        public static void X25519Rfc7748Section52()
        {
            byte[] scalar = Bytes.FromHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
            byte[] u = Bytes.FromHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
            byte[] shared = new byte[32];
            Assert.IsTrue(new ManagedCryptoBackend().Dh(shared, 0, scalar, 0, u, 0));
            Assert.AreEqual("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", Bytes.ToHex(shared, 0, 32));
        }

        /// <summary>RFC 7748 section 6.1: Alice's and Bob's public keys and their shared secret.</summary>
        [TestMethod]
        public static void X25519DiffieHellmanRfc7748Section61()
        {
            var c = new ManagedCryptoBackend();
            byte[] alice = Bytes.FromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
            byte[] bob = Bytes.FromHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
            byte[] alicePub = new byte[32], bobPub = new byte[32], k1 = new byte[32], k2 = new byte[32];
            c.DhPublicKey(alicePub, 0, alice, 0);
            c.DhPublicKey(bobPub, 0, bob, 0);
            Assert.AreEqual("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Bytes.ToHex(alicePub, 0, 32));
            Assert.AreEqual("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Bytes.ToHex(bobPub, 0, 32));
            Assert.IsTrue(c.Dh(k1, 0, alice, 0, bobPub, 0));
            Assert.IsTrue(c.Dh(k2, 0, bob, 0, alicePub, 0));
            Assert.AreEqual("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Bytes.ToHex(k1, 0, 32));
            Assert.AreEqual(Bytes.ToHex(k1, 0, 32), Bytes.ToHex(k2, 0, 32));
        }

        /// <summary>A small-order public key (all zeros) gives an all-zero secret, which Dh refuses.</summary>
        [TestMethod]
        public static void X25519RefusesASmallOrderPoint()
        {
            byte[] shared = new byte[32];
            byte[] priv = Bytes.FromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
            Assert.IsFalse(new ManagedCryptoBackend().Dh(shared, 0, priv, 0, new byte[32], 0));
        }

        /// <summary>RFC 7693 appendix B: BLAKE2s-256("abc").</summary>
        [TestMethod]
        public static void Blake2sRfc7693AppendixB()
        {
            byte[] abc = { 0x61, 0x62, 0x63 };
            byte[] digest = new byte[32];
            new Blake2s().Hash(abc, 0, 3, digest, 0, 32);
            Assert.AreEqual("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982", Bytes.ToHex(digest, 0, 32));
        }

        /// <summary>The BLAKE2s reference keyed vector (blake2s-kat.txt): key 00..1f, empty input.</summary>
        [TestMethod]
        public static void Blake2sKeyedEmptyInput()
        {
            byte[] key = new byte[32];
            for (int i = 0; i < 32; i++) key[i] = (byte)i;
            byte[] digest = new byte[32];
            new Blake2s().Mac(key, 0, 32, new byte[0], 0, 0, digest, 0, 32);
            Assert.AreEqual("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49", Bytes.ToHex(digest, 0, 32));
        }
    }
}

using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>BouncyCastle.Cryptography as an independent implementation to compare against.</summary>
    public static class BouncyCastleOracle
    {
        public static byte[] Hmac(byte[] key, byte[] data)
        {
            var hmac = new HMac(new Blake2sDigest(256));
            hmac.Init(new KeyParameter(key));
            hmac.BlockUpdate(data, 0, data.Length);
            var output = new byte[32];
            hmac.DoFinal(output, 0);
            return output;
        }

        /// <summary>The whitepaper's KDF written out with BouncyCastle's HMAC.</summary>
        public static byte[][] Kdf(int n, byte[] key, byte[] input)
        {
            byte[] t0 = Hmac(key, input);
            var result = new byte[n][];
            byte[] previous = new byte[0];
            for (int i = 1; i <= n; i++)
            {
                var data = new byte[previous.Length + 1];
                previous.CopyTo(data, 0);
                data[previous.Length] = (byte)i;
                previous = Hmac(t0, data);
                result[i - 1] = previous;
            }
            return result;
        }

        public static byte[] Blake2s(byte[] key, int outLength, byte[] data)
        {
            var d = key == null ? new Blake2sDigest(outLength * 8) : new Blake2sDigest(key, outLength, null, null);
            d.BlockUpdate(data, 0, data.Length);
            var output = new byte[outLength];
            d.DoFinal(output, 0);
            return output;
        }

        public static byte[] ChaCha20(byte[] key, byte[] nonce, byte[] input)
        {
            var engine = new ChaCha7539Engine();
            engine.Init(true, new ParametersWithIV(new KeyParameter(key), nonce));
            var output = new byte[input.Length];
            engine.ProcessBytes(input, 0, input.Length, output, 0);
            return output;
        }

        public static byte[] Poly1305(byte[] key, byte[] message)
        {
            var mac = new Poly1305();
            mac.Init(new KeyParameter(key));
            mac.BlockUpdate(message, 0, message.Length);
            var tag = new byte[16];
            mac.DoFinal(tag, 0);
            return tag;
        }

        public static byte[] AeadSeal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext)
        {
            var aead = new ChaCha20Poly1305();
            aead.Init(true, new AeadParameters(new KeyParameter(key), 128, nonce, aad));
            var output = new byte[aead.GetOutputSize(plaintext.Length)];
            int n = aead.ProcessBytes(plaintext, 0, plaintext.Length, output, 0);
            aead.DoFinal(output, n);
            return output;
        }

        public static byte[] X25519(byte[] scalar, byte[] u)
        {
            var r = new byte[32];
            Org.BouncyCastle.Math.EC.Rfc7748.X25519.ScalarMult(scalar, 0, u, 0, r, 0);
            return r;
        }

        public static byte[] X25519Base(byte[] scalar)
        {
            var r = new byte[32];
            Org.BouncyCastle.Math.EC.Rfc7748.X25519.ScalarMultBase(scalar, 0, r, 0);
            return r;
        }
    }
}

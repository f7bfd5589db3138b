using System;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// WireGuard's HKDF (whitepaper section 5.4, after RFC 5869 with HMAC-BLAKE2s and an empty
    /// info): with τ0 = HMAC(key, input), τ1 = HMAC(τ0, 0x1) and τi = HMAC(τ0, τ(i-1) || i),
    /// KDF1 returns τ1, KDF2 returns (τ1, τ2) and KDF3 returns (τ1, τ2, τ3).
    /// </summary>
    /// <remarks>
    /// Keys and outputs are 32 bytes. An output may be the same range as the key or the input
    /// (as in the handshake's C = KDF1(C, e)). τ0 and the intermediate values live in
    /// preallocated buffers and are cleared after each call; nothing is allocated per call.
    /// </remarks>
    public sealed class Hkdf
    {
        /// <summary>Size of the key and of each output in bytes.</summary>
        public const int KeySize = HmacBlake2s.HashSize;

        readonly HmacBlake2s hmac = new HmacBlake2s();
        readonly byte[] t0 = new byte[KeySize];
        readonly byte[] t = new byte[KeySize + 1];

        /// <summary>KDF1(key, input) = τ1.</summary>
        public void Kdf1(byte[] key, int keyOffset, byte[] input, int inputOffset, int inputLength,
            byte[] t1, int t1Offset)
        {
            Derive(1, key, keyOffset, input, inputOffset, inputLength, t1, t1Offset, null, 0, null, 0);
        }

        /// <summary>KDF2(key, input) = (τ1, τ2).</summary>
        public void Kdf2(byte[] key, int keyOffset, byte[] input, int inputOffset, int inputLength,
            byte[] t1, int t1Offset, byte[] t2, int t2Offset)
        {
            Derive(2, key, keyOffset, input, inputOffset, inputLength, t1, t1Offset, t2, t2Offset, null, 0);
        }

        /// <summary>KDF3(key, input) = (τ1, τ2, τ3).</summary>
        public void Kdf3(byte[] key, int keyOffset, byte[] input, int inputOffset, int inputLength,
            byte[] t1, int t1Offset, byte[] t2, int t2Offset, byte[] t3, int t3Offset)
        {
            Derive(3, key, keyOffset, input, inputOffset, inputLength, t1, t1Offset, t2, t2Offset, t3, t3Offset);
        }

        void Derive(int n, byte[] key, int keyOffset, byte[] input, int inputOffset, int inputLength,
            byte[] t1, int t1Offset, byte[] t2, int t2Offset, byte[] t3, int t3Offset)
        {
            byte[] t = this.t;
            hmac.Compute(key, keyOffset, KeySize, input, inputOffset, inputLength, t0, 0);
            t[0] = 1;
            hmac.Compute(t0, 0, KeySize, t, 0, 1, t, 0);
            Array.Copy(t, 0, t1, t1Offset, KeySize);
            if (n >= 2)
            {
                t[KeySize] = 2;
                hmac.Compute(t0, 0, KeySize, t, 0, KeySize + 1, t, 0);
                Array.Copy(t, 0, t2, t2Offset, KeySize);
            }
            if (n >= 3)
            {
                t[KeySize] = 3;
                hmac.Compute(t0, 0, KeySize, t, 0, KeySize + 1, t, 0);
                Array.Copy(t, 0, t3, t3Offset, KeySize);
            }
            Array.Clear(t0, 0, KeySize);
            Array.Clear(t, 0, KeySize + 1);
        }
    }
}

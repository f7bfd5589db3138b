using System;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// HMAC (RFC 2104 section 2) over BLAKE2s-256 (RFC 7693): HMAC(K, m) =
    /// H((K' XOR opad) || H((K' XOR ipad) || m)), with K' the key zero-padded to the 64-byte
    /// block (or hashed first when longer), ipad = 0x36 and opad = 0x5c repeated. This is the
    /// HMAC of the WireGuard whitepaper (section 5.4), from which its KDF is built.
    /// </summary>
    /// <remarks>Both hash states and all pads are preallocated; nothing is allocated per call.</remarks>
    public sealed class HmacBlake2s
    {
        /// <summary>Output size in bytes.</summary>
        public const int HashSize = 32;
        /// <summary>Block size of the hash in bytes.</summary>
        public const int BlockSize = Blake2s.BlockSize;

        const byte InnerPad = 0x36;
        const byte OuterPad = 0x5c;

        readonly Blake2s hash = new Blake2s();
        readonly byte[] innerKey = new byte[BlockSize];
        readonly byte[] outerKey = new byte[BlockSize];
        readonly byte[] innerHash = new byte[HashSize];

        /// <summary>Starts a MAC with <paramref name="keyLength"/> bytes of key.</summary>
        public void Init(byte[] key, int keyOffset, int keyLength)
        {
            byte[] k = innerKey;
            Array.Clear(k, 0, BlockSize);
            if (keyLength > BlockSize)
                this.hash.Hash(key, keyOffset, keyLength, k, 0, HashSize);
            else
                Array.Copy(key, keyOffset, k, 0, keyLength);
            for (int i = 0; i < BlockSize; i++)
            {
                outerKey[i] = (byte)(k[i] ^ OuterPad);
                k[i] ^= InnerPad;
            }
            this.hash.Init(HashSize);
            this.hash.Update(k, 0, BlockSize);
            Array.Clear(k, 0, BlockSize);
        }

        /// <summary>Adds message bytes.</summary>
        public void Update(byte[] data, int offset, int length)
        {
            this.hash.Update(data, offset, length);
        }

        /// <summary>Writes the 32-byte MAC and clears the key material.</summary>
        public void Final(byte[] output, int outputOffset)
        {
            this.hash.Final(innerHash, 0);
            this.hash.Init(HashSize);
            this.hash.Update(outerKey, 0, BlockSize);
            this.hash.Update(innerHash, 0, HashSize);
            this.hash.Final(output, outputOffset);
            Array.Clear(outerKey, 0, BlockSize);
            Array.Clear(innerHash, 0, HashSize);
        }

        /// <summary>One-shot HMAC of a byte range. The output may overlap the inputs.</summary>
        public void Compute(byte[] key, int keyOffset, int keyLength, byte[] data, int offset, int length, byte[] output, int outputOffset)
        {
            Init(key, keyOffset, keyLength);
            Update(data, offset, length);
            Final(output, outputOffset);
        }
    }
}

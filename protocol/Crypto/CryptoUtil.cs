using System;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// Helpers for handling secrets: constant-time comparison (so that checking a tag or a MAC
    /// does not reveal, by its running time, how many leading bytes were right) and clearing of
    /// key material once it is no longer needed (DESIGN.md, style rule 9).
    /// </summary>
    public static class CryptoUtil
    {
        /// <summary>
        /// Compares two byte ranges of the same length in time that depends only on the length.
        /// </summary>
        public static bool ConstantTimeEquals(byte[] a, int aOffset, byte[] b, int bOffset, int length)
        {
            int diff = 0;
            for (int i = 0; i < length; i++)
                diff |= a[aOffset + i] ^ b[bOffset + i];
            // Map 0 to 1 and 1..255 to 0 without a data-dependent branch.
            return ((diff - 1) >> 8 & 1) == 1;
        }

        /// <summary>True when every byte of the range is zero, in time that depends only on the length.</summary>
        public static bool IsZero(byte[] a, int offset, int length)
        {
            int acc = 0;
            for (int i = 0; i < length; i++)
                acc |= a[offset + i];
            return ((acc - 1) >> 8 & 1) == 1;
        }

        /// <summary>Overwrites a byte range that held a secret with zeros.</summary>
        public static void Clear(byte[] secret, int offset, int length)
        {
            Array.Clear(secret, offset, length);
        }

        /// <summary>Overwrites a whole byte array that held a secret with zeros.</summary>
        public static void Clear(byte[] secret)
        {
            if (secret != null)
                Array.Clear(secret, 0, secret.Length);
        }

        /// <summary>Overwrites a whole word array that held a secret with zeros.</summary>
        public static void Clear(uint[] secret)
        {
            if (secret != null)
                Array.Clear(secret, 0, secret.Length);
        }
    }
}

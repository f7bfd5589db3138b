namespace Warp.Protocol.Web
{
    /// <summary>
    /// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash, here the MAC inside the
    /// web server's SYN cookies. 128-bit key as two little-endian words; the message is read in
    /// little-endian 8-byte words, the last word carries the length in its top byte.
    /// Allocates nothing.
    /// </summary>
    public static class SipHash
    {
        /// <summary>SipHash-2-4 of (data, offset, length) under the key (k0, k1).</summary>
        public static ulong Compute(ulong k0, ulong k1, byte[] data, int offset, int length)
        {
            ulong v0 = k0 ^ 0x736f6d6570736575UL;
            ulong v1 = k1 ^ 0x646f72616e646f6dUL;
            ulong v2 = k0 ^ 0x6c7967656e657261UL;
            ulong v3 = k1 ^ 0x7465646279746573UL;
            int end = offset + length - (length & 7);
            for (int i = offset; i < end; i += 8)
            {
                ulong m = 0;
                for (int k = 7; k >= 0; k--)
                    m = (m << 8) | data[i + k];
                v3 ^= m;
                Round(ref v0, ref v1, ref v2, ref v3);
                Round(ref v0, ref v1, ref v2, ref v3);
                v0 ^= m;
            }
            ulong last = ((ulong)(length & 0xFF)) << 56;
            for (int k = (length & 7) - 1; k >= 0; k--)
                last |= ((ulong)data[end + k]) << (8 * k);
            v3 ^= last;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= last;
            v2 ^= 0xFF;
            for (int r = 0; r < 4; r++)
                Round(ref v0, ref v1, ref v2, ref v3);
            return v0 ^ v1 ^ v2 ^ v3;
        }

        static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
        {
            v0 += v1; v1 = (v1 << 13) | (v1 >> 51); v1 ^= v0; v0 = (v0 << 32) | (v0 >> 32);
            v2 += v3; v3 = (v3 << 16) | (v3 >> 48); v3 ^= v2;
            v0 += v3; v3 = (v3 << 21) | (v3 >> 43); v3 ^= v0;
            v2 += v1; v1 = (v1 << 17) | (v1 >> 47); v1 ^= v2; v2 = (v2 << 32) | (v2 >> 32);
        }
    }
}

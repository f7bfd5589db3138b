namespace Warp.Protocol.Net
{
    /// <summary>128-bit IPv6 addresses stored in byte arrays (RFC 4291).</summary>
    public static class Ipv6Address
    {
        public const int Length = 16;

        public static bool Equal(byte[] a, int aOffset, byte[] b, int bOffset)
        {
            for (int i = 0; i < Length; i++)
                if (a[aOffset + i] != b[bOffset + i])
                    return false;
            return true;
        }

        /// <summary>ff00::/8 (RFC 4291 section 2.7).</summary>
        public static bool IsMulticast(byte[] a, int offset) { return a[offset] == 0xFF; }

        /// <summary>fe80::/10 (RFC 4291 section 2.5.6).</summary>
        public static bool IsLinkLocal(byte[] a, int offset) { return a[offset] == 0xFE && (a[offset + 1] & 0xC0) == 0x80; }

        /// <summary>:: (RFC 4291 section 2.5.2).</summary>
        public static bool IsUnspecified(byte[] a, int offset)
        {
            for (int i = 0; i < Length; i++)
                if (a[offset + i] != 0)
                    return false;
            return true;
        }
    }
}

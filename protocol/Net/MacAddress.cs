namespace Warp.Protocol.Net
{
    /// <summary>48-bit IEEE 802 MAC addresses stored in byte arrays.</summary>
    public static class MacAddress
    {
        public const int Length = 6;

        public static bool IsBroadcast(byte[] b, int offset)
        {
            return (b[offset] & b[offset + 1] & b[offset + 2] & b[offset + 3] & b[offset + 4] & b[offset + 5]) == 0xFF;
        }

        public static bool Equal(byte[] a, int aOffset, byte[] b, int bOffset)
        {
            for (int i = 0; i < Length; i++)
                if (a[aOffset + i] != b[bOffset + i])
                    return false;
            return true;
        }

        /// <summary>
        /// The Ethernet multicast address for an IPv6 multicast address (RFC 2464 section 7):
        /// 33:33 followed by the last four bytes of the IPv6 address.
        /// </summary>
        public static void FromIpv6Multicast(byte[] ipv6, int ipOffset, byte[] mac, int macOffset)
        {
            mac[macOffset] = 0x33;
            mac[macOffset + 1] = 0x33;
            mac[macOffset + 2] = ipv6[ipOffset + 12];
            mac[macOffset + 3] = ipv6[ipOffset + 13];
            mac[macOffset + 4] = ipv6[ipOffset + 14];
            mac[macOffset + 5] = ipv6[ipOffset + 15];
        }

        /// <summary>Formats as aa:bb:cc:dd:ee:ff (for the console; not on the packet path).</summary>
        public static string Format(byte[] b, int offset)
        {
            const string hex = "0123456789abcdef";
            char[] c = new char[17];
            for (int i = 0; i < Length; i++)
            {
                c[i * 3] = hex[b[offset + i] >> 4];
                c[i * 3 + 1] = hex[b[offset + i] & 15];
                if (i < 5)
                    c[i * 3 + 2] = ':';
            }
            return new string(c);
        }
    }
}

namespace Warp.Protocol.Net
{
    /// <summary>
    /// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum
    /// of 16-bit big-endian words, and its incremental update (RFC 1624, equation 3:
    /// HC' = ~(~HC + ~m + m')). Pseudo-headers for TCP/UDP/ICMPv6 over IPv4 (RFC 768, RFC 793)
    /// and over IPv6 (RFC 8200 section 8.1).
    ///
    /// Sums are carried as 32-bit partial sums (uint) so they can be chained; <see cref="Finish"/>
    /// folds and complements. Nothing here allocates.
    /// </summary>
    public static class InternetChecksum
    {
        /// <summary>
        /// Adds the bytes [offset, offset+length) to a partial sum. An odd final byte is padded
        /// with a zero byte on the right, as RFC 1071 says.
        /// </summary>
        public static uint Add(uint sum, byte[] b, int offset, int length)
        {
            ulong acc = sum;
            int i = offset;
            int end = offset + length;
            // Four bytes a step: two big-endian words summed at once; carries stay in the upper bits.
            int end4 = offset + (length & ~3);
            while (i < end4)
            {
                acc += ((uint)b[i] << 24) | ((uint)b[i + 1] << 16) | ((uint)b[i + 2] << 8) | b[i + 3];
                i += 4;
            }
            if (end - i >= 2)
            {
                acc += (uint)((b[i] << 8) | b[i + 1]);
                i += 2;
            }
            if (i < end)
                acc += (uint)(b[i] << 8);
            return Fold64(acc);
        }

        /// <summary>Adds one 16-bit word to a partial sum.</summary>
        public static uint AddWord(uint sum, ushort word)
        {
            return Fold64((ulong)sum + word);
        }

        /// <summary>Folds a partial sum to 16 bits and complements it: the value to put on the wire.</summary>
        public static ushort Finish(uint sum)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
            sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)~sum;
        }

        /// <summary>The checksum of a buffer: Finish(Add(0, ...)).</summary>
        public static ushort Compute(byte[] b, int offset, int length)
        {
            return Finish(Add(0, b, offset, length));
        }

        /// <summary>
        /// True when a region that contains its own checksum field sums to all ones, that is,
        /// when the stored checksum is correct.
        /// </summary>
        public static bool Verify(uint pseudoHeaderSum, byte[] b, int offset, int length)
        {
            return Finish(Add(pseudoHeaderSum, b, offset, length)) == 0;
        }

        /// <summary>
        /// IPv4 pseudo-header (RFC 768 / RFC 793 section 3.1): source, destination, zero,
        /// protocol, upper-layer length. The addresses are read from an IPv4 header.
        /// </summary>
        public static uint PseudoHeaderV4(byte[] b, int ipHeaderOffset, byte protocol, int upperLength)
        {
            uint sum = Add(0, b, ipHeaderOffset + 12, 8);
            sum = AddWord(sum, protocol);
            return AddWord(sum, (ushort)upperLength);
        }

        /// <summary>
        /// IPv6 pseudo-header (RFC 8200 section 8.1): source, destination, 32-bit upper-layer
        /// length, 24 zero bits, next header. The destination is passed separately because with
        /// a Routing header it is the final destination, not the one in the IPv6 header.
        /// </summary>
        public static uint PseudoHeaderV6(byte[] b, int sourceOffset, int destinationOffset, byte nextHeader, int upperLength)
        {
            uint sum = Add(0, b, sourceOffset, 16);
            sum = Add(sum, b, destinationOffset, 16);
            sum = AddWord(sum, (ushort)(upperLength >> 16));
            sum = AddWord(sum, (ushort)upperLength);
            return AddWord(sum, nextHeader);
        }

        /// <summary>
        /// RFC 1624 equation 3: the new checksum after one 16-bit word of the covered data
        /// changed from <paramref name="oldWord"/> to <paramref name="newWord"/>.
        /// </summary>
        public static ushort Update(ushort checksum, ushort oldWord, ushort newWord)
        {
            uint sum = (uint)(ushort)~checksum + (ushort)~oldWord + newWord;
            sum = (sum & 0xFFFF) + (sum >> 16);
            sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)~sum;
        }

        /// <summary>RFC 1624 update for a 32-bit field (an IPv4 address or a TCP sequence number).</summary>
        public static ushort Update32(ushort checksum, uint oldValue, uint newValue)
        {
            checksum = Update(checksum, (ushort)(oldValue >> 16), (ushort)(newValue >> 16));
            return Update(checksum, (ushort)oldValue, (ushort)newValue);
        }

        /// <summary>
        /// RFC 1624 update for an even-length field that changes from the bytes at
        /// (oldBytes, oldOffset) to the bytes at (newBytes, newOffset), for example an IPv6
        /// address. Both regions must be <paramref name="length"/> bytes, an even number.
        /// </summary>
        public static ushort UpdateBytes(ushort checksum, byte[] oldBytes, int oldOffset, byte[] newBytes, int newOffset, int length)
        {
            uint sum = (ushort)~checksum;
            for (int i = 0; i < length; i += 2)
            {
                sum += (ushort)~((oldBytes[oldOffset + i] << 8) | oldBytes[oldOffset + i + 1]);
                sum += (uint)((newBytes[newOffset + i] << 8) | newBytes[newOffset + i + 1]);
            }
            sum = (sum & 0xFFFF) + (sum >> 16);
            sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)~sum;
        }

        static uint Fold64(ulong acc)
        {
            acc = (acc & 0xFFFFFFFF) + (acc >> 32);
            acc = (acc & 0xFFFFFFFF) + (acc >> 32);
            return (uint)acc;
        }
    }
}

namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of a UDP datagram (RFC 768).
    /// <code>
    ///  0      7 8     15 16    23 24    31
    /// +--------+--------+--------+--------+
    /// |     Source      |   Destination   |
    /// |      Port       |      Port       |
    /// +--------+--------+--------+--------+
    /// |     Length      |    Checksum     |
    /// +--------+--------+--------+--------+
    /// |          data octets ...
    /// +---------------- ...
    /// </code>
    /// TryCreate checks 8 ≤ Length field ≤ the bytes given; the view's Length is the field.
    /// Over IPv4 a zero checksum means none was sent (RFC 768); over IPv6 it is mandatory
    /// (RFC 8200 section 8.1). A computed zero is sent as 0xFFFF.
    /// </summary>
    public struct UdpDatagram
    {
        public const int HeaderLength = 8;
        const int SourcePortOffset = 0;
        const int DestinationPortOffset = 2;
        const int LengthOffset = 4;
        const int ChecksumOffset = 6;

        byte[] buffer;
        int offset;
        int length;

        public static bool TryCreate(byte[] buffer, int offset, int length, out UdpDatagram datagram)
        {
            datagram = default(UdpDatagram);
            if (!Bounds.Fits(buffer, offset, length) || length < HeaderLength)
                return false;
            int field = Endian.Read16(buffer, offset + LengthOffset);
            if (field < HeaderLength || field > length)
                return false;
            datagram.buffer = buffer;
            datagram.offset = offset;
            datagram.length = field;
            return true;
        }

        /// <summary>
        /// A view over the 8-byte header of a first fragment, whose length field counts the whole
        /// datagram beyond what this piece holds: ports and the checksum (for NAT's incremental
        /// updates) are usable; <see cref="Length"/> is what the piece holds.
        /// </summary>
        public static bool TryCreateFirstFragment(byte[] buffer, int offset, int length, out UdpDatagram datagram)
        {
            datagram = default(UdpDatagram);
            if (!Bounds.Fits(buffer, offset, length) || length < HeaderLength)
                return false;
            if (Endian.Read16(buffer, offset + LengthOffset) < HeaderLength)
                return false;
            datagram.buffer = buffer;
            datagram.offset = offset;
            datagram.length = length;
            return true;
        }

        public byte[] Buffer { get { return buffer; } }
        public int Offset { get { return offset; } }
        public int Length { get { return length; } }
        public int PayloadOffset { get { return offset + HeaderLength; } }
        public int PayloadLength { get { return length - HeaderLength; } }

        public ushort SourcePort
        {
            get { return Endian.Read16(buffer, offset + SourcePortOffset); }
            set { SetCoveredWord(SourcePortOffset, value); }
        }

        public ushort DestinationPort
        {
            get { return Endian.Read16(buffer, offset + DestinationPortOffset); }
            set { SetCoveredWord(DestinationPortOffset, value); }
        }

        public ushort Checksum
        {
            get { return Endian.Read16(buffer, offset + ChecksumOffset); }
            set { Endian.Write16(buffer, offset + ChecksumOffset, value); }
        }

        public int ChecksumOffsetInBuffer { get { return offset + ChecksumOffset; } }

        /// <summary>True when the checksum is right, or absent (zero) and <paramref name="zeroAllowed"/> (IPv4).</summary>
        public bool VerifyChecksum(uint pseudoHeaderSum, bool zeroAllowed)
        {
            if (Checksum == 0)
                return zeroAllowed;
            return InternetChecksum.Verify(pseudoHeaderSum, buffer, offset, length);
        }

        /// <summary>Computes the checksum from scratch over the pseudo-header and the datagram, and stores it.</summary>
        public void UpdateChecksum(uint pseudoHeaderSum)
        {
            Checksum = 0;
            ushort sum = InternetChecksum.Finish(InternetChecksum.Add(pseudoHeaderSum, buffer, offset, length));
            Checksum = sum == 0 ? (ushort)0xFFFF : sum;
        }

        /// <summary>
        /// Adjusts the checksum for a change in the pseudo-header (an address rewritten by NAT),
        /// per RFC 1624. An absent checksum (zero, IPv4) stays absent.
        /// </summary>
        public void AdjustChecksum32(uint oldValue, uint newValue)
        {
            ushort c = Checksum;
            if (c == 0)
                return;
            c = InternetChecksum.Update32(c, oldValue, newValue);
            Checksum = c == 0 ? (ushort)0xFFFF : c;
        }

        /// <summary>
        /// Adjusts the checksum for a pseudo-header field that changes from the bytes at
        /// (oldBytes, oldOffset) to those at (newBytes, newOffset), e.g. an IPv6 address (RFC 1624).
        /// Call it before the address is overwritten, or with a saved copy of the old bytes.
        /// </summary>
        public void AdjustChecksumBytes(byte[] oldBytes, int oldOffset, byte[] newBytes, int newOffset, int fieldLength)
        {
            ushort c = Checksum;
            if (c == 0)
                return;
            c = InternetChecksum.UpdateBytes(c, oldBytes, oldOffset, newBytes, newOffset, fieldLength);
            Checksum = c == 0 ? (ushort)0xFFFF : c;
        }

        void SetCoveredWord(int fieldOffset, ushort value)
        {
            ushort old = Endian.Read16(buffer, offset + fieldOffset);
            Endian.Write16(buffer, offset + fieldOffset, value);
            ushort c = Checksum;
            if (c == 0)
                return;
            c = InternetChecksum.Update(c, old, value);
            Checksum = c == 0 ? (ushort)0xFFFF : c;
        }

        /// <summary>Writes an 8-byte UDP header with a zero checksum. Returns false when it does not fit.</summary>
        public static bool WriteHeader(byte[] buffer, int offset, ushort sourcePort, ushort destinationPort, int udpLength)
        {
            if (!Bounds.Fits(buffer, offset, HeaderLength) || udpLength < HeaderLength || udpLength > 0xFFFF)
                return false;
            Endian.Write16(buffer, offset + SourcePortOffset, sourcePort);
            Endian.Write16(buffer, offset + DestinationPortOffset, destinationPort);
            Endian.Write16(buffer, offset + LengthOffset, (ushort)udpLength);
            Endian.Write16(buffer, offset + ChecksumOffset, 0);
            return true;
        }
    }
}

namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of an ICMP message (RFC 792).
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |     Type      |     Code      |          Checksum             |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Echo: Identifier             |  Echo: Sequence Number        |
    /// |  Errors: unused, or next-hop MTU (type 3 code 4, RFC 1191)    |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Echo: data ...   Errors: the offending IP header + 8 bytes   |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// </code>
    /// The checksum covers the whole ICMP message, with no pseudo-header.
    /// </summary>
    public struct Icmpv4Packet
    {
        public const int HeaderLength = 8;
        public const byte TypeEchoReply = 0;
        public const byte TypeDestinationUnreachable = 3;
        public const byte TypeRedirect = 5;
        public const byte TypeEchoRequest = 8;
        public const byte TypeTimeExceeded = 11;
        public const byte TypeParameterProblem = 12;
        public const byte CodePortUnreachable = 3;
        public const byte CodeFragmentationNeeded = 4;
        public const byte CodeAdministrativelyProhibited = 13;
        const int TypeOffset = 0;
        const int CodeOffset = 1;
        const int ChecksumOffset = 2;
        const int IdentifierOffset = 4;
        const int SequenceOffset = 6;

        byte[] buffer;
        int offset;
        int length;

        public static bool TryCreate(byte[] buffer, int offset, int length, out Icmpv4Packet packet)
        {
            packet = default(Icmpv4Packet);
            if (!Bounds.Fits(buffer, offset, length) || length < HeaderLength)
                return false;
            packet.buffer = buffer;
            packet.offset = offset;
            packet.length = length;
            return true;
        }

        public byte[] Buffer { get { return buffer; } }
        public int Offset { get { return offset; } }
        public int Length { get { return length; } }
        public byte Type { get { return buffer[offset + TypeOffset]; } }
        public byte Code { get { return buffer[offset + CodeOffset]; } }

        public ushort Checksum
        {
            get { return Endian.Read16(buffer, offset + ChecksumOffset); }
            set { Endian.Write16(buffer, offset + ChecksumOffset, value); }
        }

        public bool IsEcho { get { return Type == TypeEchoRequest || Type == TypeEchoReply; } }

        /// <summary>Error messages that quote the offending datagram (RFC 792; RFC 5508 section 3).</summary>
        public bool IsError
        {
            get
            {
                byte t = Type;
                return t == TypeDestinationUnreachable || t == TypeTimeExceeded || t == TypeParameterProblem || t == TypeRedirect || t == 4;
            }
        }

        public ushort Identifier
        {
            get { return Endian.Read16(buffer, offset + IdentifierOffset); }
            set { SetCoveredWord(IdentifierOffset, value); }
        }

        public ushort SequenceNumber { get { return Endian.Read16(buffer, offset + SequenceOffset); } }

        /// <summary>Next-hop MTU of a "fragmentation needed" error (RFC 1191 section 4).</summary>
        public ushort NextHopMtu { get { return Endian.Read16(buffer, offset + SequenceOffset); } }

        /// <summary>Start of the echo data, or of the quoted datagram in an error.</summary>
        public int PayloadOffset { get { return offset + HeaderLength; } }
        public int PayloadLength { get { return length - HeaderLength; } }

        public bool VerifyChecksum() { return InternetChecksum.Verify(0, buffer, offset, length); }

        public void UpdateChecksum()
        {
            Checksum = 0;
            Checksum = InternetChecksum.Compute(buffer, offset, length);
        }

        /// <summary>Adjusts the checksum for a change of one 16-bit word of the message (RFC 1624).</summary>
        public void AdjustChecksum(ushort oldWord, ushort newWord)
        {
            Checksum = InternetChecksum.Update(Checksum, oldWord, newWord);
        }

        /// <summary>Adjusts the checksum for a change of bytes inside the message (e.g. a quoted header).</summary>
        public void AdjustChecksumBytes(byte[] oldBytes, int oldOffset, byte[] newBytes, int newOffset, int fieldLength)
        {
            Checksum = InternetChecksum.UpdateBytes(Checksum, oldBytes, oldOffset, newBytes, newOffset, fieldLength);
        }

        void SetCoveredWord(int fieldOffset, ushort value)
        {
            ushort old = Endian.Read16(buffer, offset + fieldOffset);
            Endian.Write16(buffer, offset + fieldOffset, value);
            Checksum = InternetChecksum.Update(Checksum, old, value);
        }
    }
}

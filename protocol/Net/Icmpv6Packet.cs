namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of an ICMPv6 message (RFC 4443 section 2.1).
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |     Type      |     Code      |          Checksum             |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Echo (128/129): Identifier   |  Sequence Number              |
    /// |  Errors (type &lt; 128): unused, MTU (type 2) or pointer (type 4)|
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Echo data, or as much of the invoking packet as fits 1280    |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// </code>
    /// The checksum includes the IPv6 pseudo-header (RFC 4443 section 2.3). Neighbour Discovery
    /// messages (RFC 4861, types 133-137) share this header; their bodies start at offset 4.
    /// </summary>
    public struct Icmpv6Packet
    {
        public const int MinLength = 4;
        public const int HeaderLength = 8;
        public const byte TypeDestinationUnreachable = 1;
        public const byte TypePacketTooBig = 2;
        public const byte TypeTimeExceeded = 3;
        public const byte TypeParameterProblem = 4;
        public const byte TypeEchoRequest = 128;
        public const byte TypeEchoReply = 129;
        public const byte TypeRouterSolicitation = 133;
        public const byte TypeRouterAdvertisement = 134;
        public const byte TypeNeighborSolicitation = 135;
        public const byte TypeNeighborAdvertisement = 136;
        const int TypeOffset = 0;
        const int CodeOffset = 1;
        const int ChecksumOffset = 2;
        const int IdentifierOffset = 4;
        const int SequenceOffset = 6;

        byte[] buffer;
        int offset;
        int length;

        /// <summary>
        /// Needs the 4-byte common header; echo and error messages need the full 8
        /// (see <see cref="HasFullHeader"/> before reading <see cref="Identifier"/> and the like).
        /// </summary>
        public static bool TryCreate(byte[] buffer, int offset, int length, out Icmpv6Packet packet)
        {
            packet = default(Icmpv6Packet);
            if (!Bounds.Fits(buffer, offset, length) || length < MinLength)
                return false;
            byte type = buffer[offset + TypeOffset];
            if ((type < 128 || type == TypeEchoRequest || type == TypeEchoReply) && length < HeaderLength)
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
        public bool HasFullHeader { get { return length >= HeaderLength; } }

        public ushort Checksum
        {
            get { return Endian.Read16(buffer, offset + ChecksumOffset); }
            set { Endian.Write16(buffer, offset + ChecksumOffset, value); }
        }

        /// <summary>Error messages have types 0-127 (RFC 4443 section 2.1).</summary>
        public bool IsError { get { return Type < 128; } }
        public bool IsEcho { get { return Type == TypeEchoRequest || Type == TypeEchoReply; } }

        /// <summary>Echo identifier; 0 when the message is shorter than 8 bytes.</summary>
        public ushort Identifier
        {
            get { return HasFullHeader ? Endian.Read16(buffer, offset + IdentifierOffset) : (ushort)0; }
            set
            {
                if (!HasFullHeader)
                    return;
                ushort old = Endian.Read16(buffer, offset + IdentifierOffset);
                Endian.Write16(buffer, offset + IdentifierOffset, value);
                Checksum = InternetChecksum.Update(Checksum, old, value);
            }
        }

        public ushort SequenceNumber { get { return HasFullHeader ? Endian.Read16(buffer, offset + SequenceOffset) : (ushort)0; } }

        /// <summary>MTU of a Packet Too Big message (RFC 4443 section 3.2); 0 when too short.</summary>
        public uint Mtu { get { return HasFullHeader ? Endian.Read32(buffer, offset + IdentifierOffset) : 0; } }

        /// <summary>Start of the echo data or quoted packet (offset 8), or of an ND body's options after 8.</summary>
        public int PayloadOffset { get { return offset + (HasFullHeader ? HeaderLength : length); } }
        public int PayloadLength { get { return HasFullHeader ? length - HeaderLength : 0; } }

        public bool VerifyChecksum(uint pseudoHeaderSum) { return InternetChecksum.Verify(pseudoHeaderSum, buffer, offset, length); }

        public void UpdateChecksum(uint pseudoHeaderSum)
        {
            Checksum = 0;
            Checksum = InternetChecksum.Finish(InternetChecksum.Add(pseudoHeaderSum, buffer, offset, length));
        }

        /// <summary>Adjusts the checksum for a change of bytes in the message or its pseudo-header (RFC 1624).</summary>
        public void AdjustChecksumBytes(byte[] oldBytes, int oldOffset, byte[] newBytes, int newOffset, int fieldLength)
        {
            Checksum = InternetChecksum.UpdateBytes(Checksum, oldBytes, oldOffset, newBytes, newOffset, fieldLength);
        }
    }
}

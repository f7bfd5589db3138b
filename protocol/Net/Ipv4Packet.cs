namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of an IPv4 packet (RFC 791 section 3.1).
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |Version|  IHL  |   DSCP    |ECN|          Total Length         |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |         Identification        |Flags|      Fragment Offset    |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Time to Live |    Protocol   |         Header Checksum       |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                       Source Address                          |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                    Destination Address                        |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                    Options (IHL > 5)                          |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// </code>
    /// TryCreate checks version 4, IHL ≥ 5, IHL·4 ≤ Total Length ≤ the bytes given. The view's
    /// Length is Total Length, so Ethernet padding after the datagram is not part of it.
    /// Setters that change covered fields keep the header checksum right by the RFC 1624 update.
    /// </summary>
    public struct Ipv4Packet
    {
        public const int MinHeaderLength = 20;
        public const int MaxHeaderLength = 60;
        public const byte ProtocolIcmp = 1;
        public const byte ProtocolTcp = 6;
        public const byte ProtocolUdp = 17;
        const int VersionIhlOffset = 0;
        const int TosOffset = 1;
        const int TotalLengthOffset = 2;
        const int IdentificationOffset = 4;
        const int FragmentOffset = 6;
        const int TtlOffset = 8;
        const int ProtocolOffset = 9;
        const int ChecksumOffset = 10;
        const int SourceOffset = 12;
        const int DestinationOffset = 16;
        const ushort FlagDontFragment = 0x4000;
        const ushort FlagMoreFragments = 0x2000;
        const ushort FragmentOffsetMask = 0x1FFF;

        byte[] buffer;
        int offset;
        int length;
        int headerLength;

        /// <summary>Validates a whole datagram: Total Length must fit in the bytes given.</summary>
        public static bool TryCreate(byte[] buffer, int offset, int length, out Ipv4Packet packet)
        {
            return Create(buffer, offset, length, false, out packet);
        }

        /// <summary>
        /// Validates a datagram quoted inside an ICMP error (RFC 792: the header plus at least
        /// 8 bytes of payload). Total Length may exceed the bytes given; the view then covers
        /// only what is there, which must include the whole IP header.
        /// </summary>
        public static bool TryCreateQuoted(byte[] buffer, int offset, int length, out Ipv4Packet packet)
        {
            return Create(buffer, offset, length, true, out packet);
        }

        static bool Create(byte[] buffer, int offset, int length, bool quoted, out Ipv4Packet packet)
        {
            packet = default(Ipv4Packet);
            if (!Bounds.Fits(buffer, offset, length) || length < MinHeaderLength)
                return false;
            int versionIhl = buffer[offset + VersionIhlOffset];
            if ((versionIhl >> 4) != 4)
                return false;
            int header = (versionIhl & 0x0F) * 4;
            int total = Endian.Read16(buffer, offset + TotalLengthOffset);
            if (header < MinHeaderLength || total < header || header > length)
                return false;
            if (total > length)
            {
                if (!quoted)
                    return false;
                total = length;
            }
            packet.buffer = buffer;
            packet.offset = offset;
            packet.length = total;
            packet.headerLength = header;
            return true;
        }

        public byte[] Buffer { get { return buffer; } }
        public int Offset { get { return offset; } }
        /// <summary>Total Length: header and payload.</summary>
        public int Length { get { return length; } }
        public int HeaderLength { get { return headerLength; } }
        public int OptionsOffset { get { return offset + MinHeaderLength; } }
        public int OptionsLength { get { return headerLength - MinHeaderLength; } }
        public int PayloadOffset { get { return offset + headerLength; } }
        public int PayloadLength { get { return length - headerLength; } }

        public byte Dscp { get { return (byte)(buffer[offset + TosOffset] >> 2); } }
        public byte Ecn { get { return (byte)(buffer[offset + TosOffset] & 3); } }
        public ushort Identification { get { return Endian.Read16(buffer, offset + IdentificationOffset); } }

        ushort FlagsAndOffset { get { return Endian.Read16(buffer, offset + FragmentOffset); } }
        public bool DontFragment { get { return (FlagsAndOffset & FlagDontFragment) != 0; } }
        public bool MoreFragments { get { return (FlagsAndOffset & FlagMoreFragments) != 0; } }
        /// <summary>Fragment offset in bytes (the field counts 8-byte units).</summary>
        public int FragmentOffsetBytes { get { return (FlagsAndOffset & FragmentOffsetMask) * 8; } }
        /// <summary>True for any fragment: More Fragments set or a non-zero offset.</summary>
        public bool IsFragment { get { return (FlagsAndOffset & (FlagMoreFragments | FragmentOffsetMask)) != 0; } }
        /// <summary>True when the payload starts with the upper-layer header (offset 0).</summary>
        public bool IsFirstFragment { get { return (FlagsAndOffset & FragmentOffsetMask) == 0; } }

        public byte Ttl
        {
            get { return buffer[offset + TtlOffset]; }
            set { SetWordAt(TtlOffset & ~1, (ushort)((value << 8) | buffer[offset + ProtocolOffset])); }
        }

        public byte Protocol { get { return buffer[offset + ProtocolOffset]; } }
        public ushort HeaderChecksum { get { return Endian.Read16(buffer, offset + ChecksumOffset); } }

        public uint Source
        {
            get { return Endian.Read32(buffer, offset + SourceOffset); }
            set { SetAddress(SourceOffset, value); }
        }

        public uint Destination
        {
            get { return Endian.Read32(buffer, offset + DestinationOffset); }
            set { SetAddress(DestinationOffset, value); }
        }

        public int SourceOffsetInBuffer { get { return offset + SourceOffset; } }
        public int DestinationOffsetInBuffer { get { return offset + DestinationOffset; } }

        /// <summary>True when the header checksum is correct.</summary>
        public bool VerifyHeaderChecksum()
        {
            return InternetChecksum.Verify(0, buffer, offset, headerLength);
        }

        /// <summary>Computes the header checksum from scratch and stores it.</summary>
        public void UpdateHeaderChecksum()
        {
            Endian.Write16(buffer, offset + ChecksumOffset, 0);
            Endian.Write16(buffer, offset + ChecksumOffset, InternetChecksum.Compute(buffer, offset, headerLength));
        }

        /// <summary>The pseudo-header partial sum for this packet's upper layer (RFC 793 section 3.1).</summary>
        public uint PseudoHeaderSum()
        {
            return InternetChecksum.PseudoHeaderV4(buffer, offset, Protocol, PayloadLength);
        }

        /// <summary>Decrements TTL with an incremental checksum update (RFC 1624 section 5). Returns the new TTL.</summary>
        public byte DecrementTtl()
        {
            byte ttl = Ttl;
            if (ttl > 0)
                Ttl = (byte)(ttl - 1);
            return Ttl;
        }

        void SetAddress(int fieldOffset, uint value)
        {
            uint old = Endian.Read32(buffer, offset + fieldOffset);
            Endian.Write32(buffer, offset + fieldOffset, value);
            Endian.Write16(buffer, offset + ChecksumOffset, InternetChecksum.Update32(HeaderChecksum, old, value));
        }

        void SetWordAt(int fieldOffset, ushort value)
        {
            ushort old = Endian.Read16(buffer, offset + fieldOffset);
            Endian.Write16(buffer, offset + fieldOffset, value);
            Endian.Write16(buffer, offset + ChecksumOffset, InternetChecksum.Update(HeaderChecksum, old, value));
        }

        /// <summary>
        /// Writes a 20-byte IPv4 header with no options and a correct checksum at (buffer, offset).
        /// Returns false, writing nothing, when the buffer is too small or the length does not fit.
        /// </summary>
        public static bool WriteHeader(byte[] buffer, int offset, int totalLength, ushort identification,
            bool dontFragment, byte ttl, byte protocol, uint source, uint destination)
        {
            if (!Bounds.Fits(buffer, offset, MinHeaderLength) || totalLength < MinHeaderLength || totalLength > 0xFFFF)
                return false;
            buffer[offset + VersionIhlOffset] = 0x45;
            buffer[offset + TosOffset] = 0;
            Endian.Write16(buffer, offset + TotalLengthOffset, (ushort)totalLength);
            Endian.Write16(buffer, offset + IdentificationOffset, identification);
            Endian.Write16(buffer, offset + FragmentOffset, dontFragment ? FlagDontFragment : (ushort)0);
            buffer[offset + TtlOffset] = ttl;
            buffer[offset + ProtocolOffset] = protocol;
            Endian.Write16(buffer, offset + ChecksumOffset, 0);
            Endian.Write32(buffer, offset + SourceOffset, source);
            Endian.Write32(buffer, offset + DestinationOffset, destination);
            Endian.Write16(buffer, offset + ChecksumOffset, InternetChecksum.Compute(buffer, offset, MinHeaderLength));
            return true;
        }
    }
}

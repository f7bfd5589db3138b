namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of an IPv6 packet (RFC 8200 section 3), with its extension headers
    /// (section 4) walked once, in TryCreate, to the upper-layer header.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |Version| Traffic Class |           Flow Label                  |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |         Payload Length        |  Next Header  |   Hop Limit   |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                    Source Address (128 bits)                  |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                 Destination Address (128 bits)                |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// Extension headers walked (RFC 8200 section 4.1 order is not enforced beyond Hop-by-Hop first):
    ///   Hop-by-Hop Options (0), Routing (43), Destination Options (60): Next Header, Hdr Ext Len
    ///     in 8-octet units not counting the first 8; Fragment (44): 8 bytes,
    ///     | Next Header | Reserved | Fragment Offset (13) |Res|M| Identification (32) |;
    ///   Authentication Header (51, RFC 4302): Payload Len in 4-octet units minus 2.
    /// </code>
    /// Jumbograms (Payload Length 0 with a Jumbo option) are refused. A non-first fragment has
    /// no upper-layer header: <see cref="HasUpperLayerHeader"/> is false for it.
    /// </summary>
    public struct Ipv6Packet
    {
        public const int HeaderLength = 40;
        public const int AddressLength = 16;
        public const byte NextHeaderHopByHop = 0;
        public const byte NextHeaderTcp = 6;
        public const byte NextHeaderUdp = 17;
        public const byte NextHeaderRouting = 43;
        public const byte NextHeaderFragment = 44;
        public const byte NextHeaderAuthentication = 51;
        public const byte NextHeaderIcmpv6 = 58;
        public const byte NextHeaderNone = 59;
        public const byte NextHeaderDestinationOptions = 60;
        /// <summary>More extension headers than this make the packet malformed (a bound on the walk).</summary>
        public const int MaxExtensionHeaders = 8;
        const int PayloadLengthOffset = 4;
        const int NextHeaderOffset = 6;
        const int HopLimitOffset = 7;
        const int SourceOffset = 8;
        const int DestinationOffset = 24;

        byte[] buffer;
        int offset;
        int length;
        int upperOffset;
        byte upperProtocol;
        byte extensionCount;
        int fragmentHeaderOffset;
        int routingHeaderOffset;

        /// <summary>Validates a whole packet: Payload Length must fit in the bytes given.</summary>
        public static bool TryCreate(byte[] buffer, int offset, int length, out Ipv6Packet packet)
        {
            return Create(buffer, offset, length, false, out packet);
        }

        /// <summary>
        /// Validates a packet quoted inside an ICMPv6 error, which may be cut short: Payload
        /// Length may exceed the bytes given; the view then covers only what is there, and the
        /// walk must still reach the upper-layer header inside it.
        /// </summary>
        public static bool TryCreateQuoted(byte[] buffer, int offset, int length, out Ipv6Packet packet)
        {
            return Create(buffer, offset, length, true, out packet);
        }

        static bool Create(byte[] buffer, int offset, int length, bool quoted, out Ipv6Packet packet)
        {
            packet = default(Ipv6Packet);
            if (!Bounds.Fits(buffer, offset, length) || length < HeaderLength)
                return false;
            if ((buffer[offset] >> 4) != 6)
                return false;
            int payload = Endian.Read16(buffer, offset + PayloadLengthOffset);
            int total = HeaderLength + payload;
            if (total > length)
            {
                if (!quoted)
                    return false;
                total = length;
            }

            int pos = HeaderLength;
            byte next = buffer[offset + NextHeaderOffset];
            int count = 0;
            int fragment = -1;
            int routing = -1;
            while (true)
            {
                int extLength;
                if (next == NextHeaderHopByHop || next == NextHeaderRouting || next == NextHeaderDestinationOptions)
                {
                    if (next == NextHeaderHopByHop && pos != HeaderLength)
                        return false; // Hop-by-Hop only directly after the IPv6 header (RFC 8200 section 4.1)
                    if (total - pos < 8)
                        return false;
                    extLength = (buffer[offset + pos + 1] + 1) * 8;
                    if (next == NextHeaderRouting)
                        routing = pos;
                }
                else if (next == NextHeaderFragment)
                {
                    if (total - pos < 8 || fragment >= 0)
                        return false;
                    extLength = 8;
                    fragment = pos;
                }
                else if (next == NextHeaderAuthentication)
                {
                    if (total - pos < 12)
                        return false;
                    extLength = (buffer[offset + pos + 1] + 2) * 4;
                }
                else
                {
                    break; // an upper-layer protocol, or No Next Header (59)
                }
                if (extLength > total - pos || ++count > MaxExtensionHeaders)
                    return false;
                next = buffer[offset + pos];
                pos += extLength;
                if (fragment >= 0 && (Endian.Read16(buffer, offset + fragment + 2) & 0xFFF8) != 0)
                    break; // a non-first fragment: what follows is the middle of the fragmentable part
            }

            packet.buffer = buffer;
            packet.offset = offset;
            packet.length = total;
            packet.upperOffset = pos;
            packet.upperProtocol = next;
            packet.extensionCount = (byte)count;
            packet.fragmentHeaderOffset = fragment;
            packet.routingHeaderOffset = routing;
            return true;
        }

        public byte[] Buffer { get { return buffer; } }
        public int Offset { get { return offset; } }
        /// <summary>40 + Payload Length (or fewer, for a quoted packet that was cut short).</summary>
        public int Length { get { return length; } }

        public byte TrafficClass { get { return (byte)((Endian.Read16(buffer, offset) >> 4) & 0xFF); } }
        public uint FlowLabel { get { return Endian.Read32(buffer, offset) & 0xFFFFF; } }
        public int PayloadLengthField { get { return Endian.Read16(buffer, offset + PayloadLengthOffset); } }
        /// <summary>The Next Header field of the fixed header.</summary>
        public byte NextHeader { get { return buffer[offset + NextHeaderOffset]; } }

        public byte HopLimit
        {
            get { return buffer[offset + HopLimitOffset]; }
            set { buffer[offset + HopLimitOffset] = value; }
        }

        public int SourceOffsetInBuffer { get { return offset + SourceOffset; } }
        public int DestinationOffsetInBuffer { get { return offset + DestinationOffset; } }

        /// <summary>Number of extension headers walked.</summary>
        public int ExtensionHeaderCount { get { return extensionCount; } }
        /// <summary>The protocol of the upper-layer header (6, 17, 58, ...; 59 for none).</summary>
        public byte UpperLayerProtocol { get { return upperProtocol; } }
        /// <summary>Offset in the buffer of the upper-layer header (after all extension headers).</summary>
        public int UpperLayerOffset { get { return offset + upperOffset; } }
        public int UpperLayerLength { get { return length - upperOffset; } }

        public bool HasFragmentHeader { get { return fragmentHeaderOffset >= 0; } }
        public bool HasRoutingHeader { get { return routingHeaderOffset >= 0; } }
        /// <summary>Buffer offset of the Routing header, or -1.</summary>
        public int RoutingHeaderOffset { get { return routingHeaderOffset < 0 ? -1 : offset + routingHeaderOffset; } }
        /// <summary>Routing Type of the Routing header (4 = segment routing, RFC 8754), or -1.</summary>
        public int RoutingType { get { return routingHeaderOffset < 0 ? -1 : buffer[offset + routingHeaderOffset + 2]; } }
        /// <summary>Fragment offset in bytes, 0 when unfragmented.</summary>
        public int FragmentOffsetBytes { get { return fragmentHeaderOffset < 0 ? 0 : Endian.Read16(buffer, offset + fragmentHeaderOffset + 2) & 0xFFF8; } }
        /// <summary>Buffer offset of the Fragment header, or -1; the fragment's data starts 8 bytes after it.</summary>
        public int FragmentHeaderOffset { get { return fragmentHeaderOffset < 0 ? -1 : offset + fragmentHeaderOffset; } }
        public bool MoreFragments { get { return fragmentHeaderOffset >= 0 && (buffer[offset + fragmentHeaderOffset + 3] & 1) != 0; } }
        public uint FragmentIdentification { get { return fragmentHeaderOffset < 0 ? 0 : Endian.Read32(buffer, offset + fragmentHeaderOffset + 4); } }
        /// <summary>True unless this is a non-first fragment.</summary>
        public bool HasUpperLayerHeader { get { return FragmentOffsetBytes == 0 && upperProtocol != NextHeaderNone; } }

        /// <summary>
        /// Buffer offset of the destination the upper layer's checksum covers (RFC 8200
        /// section 8.1): the final destination. With a Routing header whose Segments Left is not
        /// zero that is an address inside the Routing header: type 0 (RFC 2460, deprecated) the
        /// last address, type 2 (RFC 6275) its one address, type 4 (RFC 8754) Segment List[0].
        /// Otherwise, and for types whose final address is compressed (RPL, type 3), the header's.
        /// </summary>
        public int FinalDestinationOffsetInBuffer
        {
            get
            {
                if (routingHeaderOffset < 0)
                    return offset + DestinationOffset;
                int rh = offset + routingHeaderOffset;
                int extLength = (buffer[rh + 1] + 1) * 8;
                int type = buffer[rh + 2];
                int segmentsLeft = buffer[rh + 3];
                if (segmentsLeft == 0 || extLength < 8 + AddressLength)
                    return offset + DestinationOffset;
                if (type == 2 || type == 4)
                    return rh + 8;
                if (type == 0)
                    return rh + 8 + ((extLength - 8) / AddressLength - 1) * AddressLength;
                return offset + DestinationOffset;
            }
        }

        /// <summary>The pseudo-header partial sum for the upper layer (RFC 8200 section 8.1).</summary>
        public uint PseudoHeaderSum()
        {
            return InternetChecksum.PseudoHeaderV6(buffer, offset + SourceOffset, FinalDestinationOffsetInBuffer, upperProtocol, UpperLayerLength);
        }

        public bool SourceEquals(byte[] address, int addressOffset) { return Ipv6Address.Equal(buffer, offset + SourceOffset, address, addressOffset); }
        public bool DestinationEquals(byte[] address, int addressOffset) { return Ipv6Address.Equal(buffer, offset + DestinationOffset, address, addressOffset); }

        /// <summary>
        /// Writes a 40-byte IPv6 header at (buffer, offset). Returns false, writing nothing,
        /// when the buffer is too small or the payload length does not fit the field.
        /// </summary>
        public static bool WriteHeader(byte[] buffer, int offset, int payloadLength, byte nextHeader, byte hopLimit,
            byte[] source, int sourceOffset, byte[] destination, int destinationOffset)
        {
            if (!Bounds.Fits(buffer, offset, HeaderLength) || payloadLength < 0 || payloadLength > 0xFFFF)
                return false;
            Endian.Write32(buffer, offset, 0x60000000);
            Endian.Write16(buffer, offset + PayloadLengthOffset, (ushort)payloadLength);
            buffer[offset + NextHeaderOffset] = nextHeader;
            buffer[offset + HopLimitOffset] = hopLimit;
            System.Array.Copy(source, sourceOffset, buffer, offset + SourceOffset, AddressLength);
            System.Array.Copy(destination, destinationOffset, buffer, offset + DestinationOffset, AddressLength);
            return true;
        }
    }
}

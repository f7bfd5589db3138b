namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of an Ethernet II frame (IEEE 802.3 clause 3, RFC 894), with up to two
    /// IEEE 802.1Q VLAN tags (a single C-tag 0x8100, or an 802.1ad S-tag 0x88A8 followed by a C-tag).
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                  Destination MAC (6 bytes)                    |
    /// +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                               |                               |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
    /// |                    Source MAC (6 bytes)                       |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  TPID 0x8100 (optional tag)   | PCP |D|        VLAN ID        |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |          EtherType            |  Payload ...
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// </code>
    /// A length field (value below 0x0600, IEEE 802.3 framing) is not Ethernet II and is refused.
    /// </summary>
    public struct EthernetFrame
    {
        public const int MacLength = 6;
        public const int HeaderLength = 14;
        public const int VlanTagLength = 4;
        public const ushort EtherTypeIpv4 = 0x0800;
        public const ushort EtherTypeArp = 0x0806;
        public const ushort EtherTypeIpv6 = 0x86DD;
        public const ushort EtherTypeVlan = 0x8100;
        public const ushort EtherTypeQinQ = 0x88A8;
        const int DestinationOffset = 0;
        const int SourceOffset = 6;
        const int TypeOffset = 12;

        byte[] buffer;
        int offset;
        int length;
        int headerLength;

        /// <summary>Validates the header (and any VLAN tags) once; after success no accessor reads outside the frame.</summary>
        public static bool TryCreate(byte[] buffer, int offset, int length, out EthernetFrame frame)
        {
            frame = default(EthernetFrame);
            if (!Bounds.Fits(buffer, offset, length) || length < HeaderLength)
                return false;
            int header = HeaderLength;
            ushort type = Endian.Read16(buffer, offset + TypeOffset);
            if (type == EtherTypeQinQ || type == EtherTypeVlan)
            {
                if (length < header + VlanTagLength)
                    return false;
                header += VlanTagLength;
                if (type == EtherTypeQinQ)
                {
                    if (length < header + VlanTagLength || Endian.Read16(buffer, offset + header - 2) != EtherTypeVlan)
                        return false;
                    header += VlanTagLength;
                }
                type = Endian.Read16(buffer, offset + header - 2);
            }
            if (type < 0x0600)
                return false;
            frame.buffer = buffer;
            frame.offset = offset;
            frame.length = length;
            frame.headerLength = header;
            return true;
        }

        public byte[] Buffer { get { return buffer; } }
        public int Offset { get { return offset; } }
        public int Length { get { return length; } }

        /// <summary>14, 18 with one VLAN tag, 22 with two.</summary>
        public int HeaderLengthWithTags { get { return headerLength; } }
        public int DestinationOffsetInBuffer { get { return offset + DestinationOffset; } }
        public int SourceOffsetInBuffer { get { return offset + SourceOffset; } }

        /// <summary>The EtherType of the payload, after any VLAN tags.</summary>
        public ushort EtherType
        {
            get { return Endian.Read16(buffer, offset + headerLength - 2); }
            set { Endian.Write16(buffer, offset + headerLength - 2, value); }
        }

        /// <summary>True when the frame carries at least one 802.1Q tag.</summary>
        public bool HasVlanTag { get { return headerLength > HeaderLength; } }

        /// <summary>The VLAN ID (12 bits) of the innermost tag, or 0 when untagged.</summary>
        public int VlanId { get { return HasVlanTag ? Endian.Read16(buffer, offset + headerLength - 4) & 0x0FFF : 0; } }

        /// <summary>The priority code point of the innermost tag, or 0 when untagged.</summary>
        public int VlanPriority { get { return HasVlanTag ? buffer[offset + headerLength - 4] >> 5 : 0; } }

        /// <summary>The VLAN ID of the outer 802.1ad tag, or -1 when there is none.</summary>
        public int OuterVlanId { get { return headerLength == HeaderLength + 2 * VlanTagLength ? Endian.Read16(buffer, offset + 14) & 0x0FFF : -1; } }

        public int PayloadOffset { get { return offset + headerLength; } }
        public int PayloadLength { get { return length - headerLength; } }

        public bool IsBroadcast { get { return MacAddress.IsBroadcast(buffer, offset + DestinationOffset); } }
        public bool IsMulticast { get { return (buffer[offset + DestinationOffset] & 1) != 0; } }

        public void CopyDestination(byte[] dst, int dstOffset) { System.Array.Copy(buffer, offset + DestinationOffset, dst, dstOffset, MacLength); }
        public void CopySource(byte[] dst, int dstOffset) { System.Array.Copy(buffer, offset + SourceOffset, dst, dstOffset, MacLength); }
        public void SetDestination(byte[] mac, int macOffset) { System.Array.Copy(mac, macOffset, buffer, offset + DestinationOffset, MacLength); }
        public void SetSource(byte[] mac, int macOffset) { System.Array.Copy(mac, macOffset, buffer, offset + SourceOffset, MacLength); }

        /// <summary>
        /// Writes an untagged Ethernet II header at (buffer, offset), which needs 14 bytes.
        /// Returns false, writing nothing, when the buffer is too small.
        /// </summary>
        public static bool WriteHeader(byte[] buffer, int offset, byte[] dstMac, int dstOffset, byte[] srcMac, int srcOffset, ushort etherType)
        {
            if (!Bounds.Fits(buffer, offset, HeaderLength))
                return false;
            System.Array.Copy(dstMac, dstOffset, buffer, offset + DestinationOffset, MacLength);
            System.Array.Copy(srcMac, srcOffset, buffer, offset + SourceOffset, MacLength);
            Endian.Write16(buffer, offset + TypeOffset, etherType);
            return true;
        }
    }
}

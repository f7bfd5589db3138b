namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of an ARP packet for IPv4 over Ethernet (RFC 826).
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Hardware type (1 = Ethernet) |  Protocol type (0x0800)       |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  HLEN (6)     |  PLEN (4)     |  Operation (1 req, 2 reply)   |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Sender hardware address (6)  ...  Sender protocol address (4)|
    /// |  Target hardware address (6)  ...  Target protocol address (4)|
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// </code>
    /// Only Ethernet/IPv4 ARP is accepted; anything else fails TryCreate.
    /// </summary>
    public struct ArpPacket
    {
        public const int PacketLength = 28;
        public const ushort OperationRequest = 1;
        public const ushort OperationReply = 2;
        const int HardwareTypeOffset = 0;
        const int ProtocolTypeOffset = 2;
        const int HardwareLengthOffset = 4;
        const int ProtocolLengthOffset = 5;
        const int OperationOffset = 6;
        const int SenderHardwareOffset = 8;
        const int SenderProtocolOffset = 14;
        const int TargetHardwareOffset = 18;
        const int TargetProtocolOffset = 24;

        byte[] buffer;
        int offset;

        public static bool TryCreate(byte[] buffer, int offset, int length, out ArpPacket packet)
        {
            packet = default(ArpPacket);
            if (!Bounds.Fits(buffer, offset, length) || length < PacketLength)
                return false;
            if (Endian.Read16(buffer, offset + HardwareTypeOffset) != 1
                || Endian.Read16(buffer, offset + ProtocolTypeOffset) != EthernetFrame.EtherTypeIpv4
                || buffer[offset + HardwareLengthOffset] != 6
                || buffer[offset + ProtocolLengthOffset] != 4)
                return false;
            packet.buffer = buffer;
            packet.offset = offset;
            return true;
        }

        public byte[] Buffer { get { return buffer; } }
        public int Offset { get { return offset; } }
        public int Length { get { return PacketLength; } }

        public ushort Operation
        {
            get { return Endian.Read16(buffer, offset + OperationOffset); }
            set { Endian.Write16(buffer, offset + OperationOffset, value); }
        }

        public int SenderHardwareOffsetInBuffer { get { return offset + SenderHardwareOffset; } }
        public int TargetHardwareOffsetInBuffer { get { return offset + TargetHardwareOffset; } }

        public uint SenderAddress
        {
            get { return Endian.Read32(buffer, offset + SenderProtocolOffset); }
            set { Endian.Write32(buffer, offset + SenderProtocolOffset, value); }
        }

        public uint TargetAddress
        {
            get { return Endian.Read32(buffer, offset + TargetProtocolOffset); }
            set { Endian.Write32(buffer, offset + TargetProtocolOffset, value); }
        }

        /// <summary>Gratuitous ARP: sender and target protocol addresses are the same (RFC 5227 section 3).</summary>
        public bool IsGratuitous { get { return SenderAddress == TargetAddress; } }

        /// <summary>
        /// Writes a complete Ethernet/IPv4 ARP packet (28 bytes) at (buffer, offset).
        /// Returns false, writing nothing, when the buffer is too small.
        /// </summary>
        public static bool Write(byte[] buffer, int offset, ushort operation,
            byte[] senderMac, int senderMacOffset, uint senderIp,
            byte[] targetMac, int targetMacOffset, uint targetIp)
        {
            if (!Bounds.Fits(buffer, offset, PacketLength))
                return false;
            Endian.Write16(buffer, offset + HardwareTypeOffset, 1);
            Endian.Write16(buffer, offset + ProtocolTypeOffset, EthernetFrame.EtherTypeIpv4);
            buffer[offset + HardwareLengthOffset] = 6;
            buffer[offset + ProtocolLengthOffset] = 4;
            Endian.Write16(buffer, offset + OperationOffset, operation);
            System.Array.Copy(senderMac, senderMacOffset, buffer, offset + SenderHardwareOffset, 6);
            Endian.Write32(buffer, offset + SenderProtocolOffset, senderIp);
            System.Array.Copy(targetMac, targetMacOffset, buffer, offset + TargetHardwareOffset, 6);
            Endian.Write32(buffer, offset + TargetProtocolOffset, targetIp);
            return true;
        }
    }
}

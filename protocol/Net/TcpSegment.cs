namespace Warp.Protocol.Net
{
    /// <summary>
    /// A zero-copy view of a TCP segment (RFC 9293 section 3.1).
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |          Source Port          |       Destination Port        |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                        Sequence Number                        |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                    Acknowledgment Number                      |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Data |       |C|E|U|A|P|R|S|F|                               |
    /// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
    /// |       |       |R|E|G|K|H|T|N|N|                               |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |           Checksum            |         Urgent Pointer        |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                    Options (Data Offset > 5)                  |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// </code>
    /// Options (section 3.2): kind 0 ends the list, kind 1 is one byte of padding, every other
    /// kind has a length byte counting kind and length. MSS is kind 2, length 4.
    /// TryCreate checks 20 ≤ Data Offset·4 ≤ the bytes given. The segment's length comes from
    /// the IP layer: pass exactly the upper-layer bytes.
    /// </summary>
    public struct TcpSegment
    {
        public const int MinHeaderLength = 20;
        public const byte FlagFin = 0x01;
        public const byte FlagSyn = 0x02;
        public const byte FlagRst = 0x04;
        public const byte FlagPsh = 0x08;
        public const byte FlagAck = 0x10;
        public const byte FlagUrg = 0x20;
        public const byte FlagEce = 0x40;
        public const byte FlagCwr = 0x80;
        public const byte OptionEnd = 0;
        public const byte OptionNop = 1;
        public const byte OptionMss = 2;
        const int SourcePortOffset = 0;
        const int DestinationPortOffset = 2;
        const int SequenceOffset = 4;
        const int AcknowledgmentOffset = 8;
        const int DataOffsetOffset = 12;
        const int FlagsOffset = 13;
        const int WindowOffset = 14;
        const int ChecksumOffset = 16;
        const int UrgentOffset = 18;

        byte[] buffer;
        int offset;
        int length;
        int headerLength;

        public static bool TryCreate(byte[] buffer, int offset, int length, out TcpSegment segment)
        {
            segment = default(TcpSegment);
            if (!Bounds.Fits(buffer, offset, length) || length < MinHeaderLength)
                return false;
            int header = (buffer[offset + DataOffsetOffset] >> 4) * 4;
            if (header < MinHeaderLength || header > length)
                return false;
            segment.buffer = buffer;
            segment.offset = offset;
            segment.length = length;
            segment.headerLength = header;
            return true;
        }

        public byte[] Buffer { get { return buffer; } }
        public int Offset { get { return offset; } }
        public int Length { get { return length; } }
        public int HeaderLength { get { return headerLength; } }
        public int OptionsOffset { get { return offset + MinHeaderLength; } }
        public int OptionsLength { get { return headerLength - MinHeaderLength; } }
        public int PayloadOffset { get { return offset + headerLength; } }
        public int PayloadLength { get { return length - headerLength; } }

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

        public uint SequenceNumber { get { return Endian.Read32(buffer, offset + SequenceOffset); } }
        public uint AcknowledgmentNumber { get { return Endian.Read32(buffer, offset + AcknowledgmentOffset); } }
        public byte Flags { get { return buffer[offset + FlagsOffset]; } }
        public bool Syn { get { return (Flags & FlagSyn) != 0; } }
        public bool Ack { get { return (Flags & FlagAck) != 0; } }
        public bool Fin { get { return (Flags & FlagFin) != 0; } }
        public bool Rst { get { return (Flags & FlagRst) != 0; } }
        public ushort Window { get { return Endian.Read16(buffer, offset + WindowOffset); } }
        public ushort UrgentPointer { get { return Endian.Read16(buffer, offset + UrgentOffset); } }

        public ushort Checksum
        {
            get { return Endian.Read16(buffer, offset + ChecksumOffset); }
            set { Endian.Write16(buffer, offset + ChecksumOffset, value); }
        }

        public bool VerifyChecksum(uint pseudoHeaderSum)
        {
            return InternetChecksum.Verify(pseudoHeaderSum, buffer, offset, length);
        }

        public void UpdateChecksum(uint pseudoHeaderSum)
        {
            Checksum = 0;
            Checksum = InternetChecksum.Finish(InternetChecksum.Add(pseudoHeaderSum, buffer, offset, length));
        }

        /// <summary>Adjusts the checksum for a 32-bit pseudo-header change (an IPv4 address), per RFC 1624.</summary>
        public void AdjustChecksum32(uint oldValue, uint newValue)
        {
            Checksum = InternetChecksum.Update32(Checksum, oldValue, newValue);
        }

        /// <summary>Adjusts the checksum for an even-length pseudo-header field change (an IPv6 address).</summary>
        public void AdjustChecksumBytes(byte[] oldBytes, int oldOffset, byte[] newBytes, int newOffset, int fieldLength)
        {
            Checksum = InternetChecksum.UpdateBytes(Checksum, oldBytes, oldOffset, newBytes, newOffset, fieldLength);
        }

        /// <summary>
        /// Finds the MSS option (kind 2, length 4). Returns the buffer offset of its value, or -1.
        /// The walk is bounded by the options area; a malformed option list ends it.
        /// </summary>
        public int FindMssOption()
        {
            int i = offset + MinHeaderLength;
            int end = offset + headerLength;
            while (i < end)
            {
                byte kind = buffer[i];
                if (kind == OptionEnd)
                    return -1;
                if (kind == OptionNop)
                {
                    i++;
                    continue;
                }
                if (end - i < 2)
                    return -1;
                int len = buffer[i + 1];
                if (len < 2 || len > end - i)
                    return -1;
                if (kind == OptionMss)
                    return len == 4 ? i + 2 : -1;
                i += len;
            }
            return -1;
        }

        /// <summary>The MSS option's value, or 0 when absent.</summary>
        public ushort MaximumSegmentSize
        {
            get
            {
                int at = FindMssOption();
                return at < 0 ? (ushort)0 : Endian.Read16(buffer, at);
            }
        }

        /// <summary>
        /// Lowers the MSS option to at most <paramref name="limit"/>, with an incremental
        /// checksum update. Returns true when the option was changed.
        /// </summary>
        public bool ClampMss(ushort limit)
        {
            int at = FindMssOption();
            if (at < 0)
                return false;
            ushort mss = Endian.Read16(buffer, at);
            if (mss <= limit)
                return false;
            // The option value may sit at an odd offset from the segment start; the one's
            // complement sum is byte-order sensitive, so update over the aligned words it covers.
            int rel = at - offset;
            if ((rel & 1) == 0)
            {
                Endian.Write16(buffer, at, limit);
                Checksum = InternetChecksum.Update(Checksum, mss, limit);
            }
            else
            {
                ushort old1 = Endian.Read16(buffer, at - 1);
                ushort old2 = Endian.Read16(buffer, at + 1);
                Endian.Write16(buffer, at, limit);
                ushort c = InternetChecksum.Update(Checksum, old1, Endian.Read16(buffer, at - 1));
                Checksum = InternetChecksum.Update(c, old2, Endian.Read16(buffer, at + 1));
            }
            return true;
        }

        void SetCoveredWord(int fieldOffset, ushort value)
        {
            ushort old = Endian.Read16(buffer, offset + fieldOffset);
            Endian.Write16(buffer, offset + fieldOffset, value);
            Checksum = InternetChecksum.Update(Checksum, old, value);
        }
    }
}

using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// A zero-copy view of a DHCP message (RFC 2131 section 2, figure 1) with the options the
    /// server reads found in one walk (RFC 2132), and writers for the server's replies.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +---------------+---------------+---------------+---------------+
    /// |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
    /// +---------------+---------------+---------------+---------------+
    /// |                            xid (4)                            |
    /// +-------------------------------+-------------------------------+
    /// |           secs (2)            |           flags (2)           |  flags: B (0x8000) = broadcast
    /// +-------------------------------+-------------------------------+
    /// |                          ciaddr  (4)                          |  client's address (RENEWING, ...)
    /// |                          yiaddr  (4)                          |  'your' address (server fills)
    /// |                          siaddr  (4)                          |  next server (not used)
    /// |                          giaddr  (4)                          |  relay agent (not supported)
    /// +---------------------------------------------------------------+
    /// |                          chaddr  (16)                         |  client MAC in the first 6
    /// |                          sname   (64)                         |
    /// |                          file    (128)                        |
    /// +---------------------------------------------------------------+
    /// |            magic cookie 99.130.83.99 (RFC 2132 section 2)     |  offset 236
    /// |                          options (variable)                   |  offset 240
    /// +---------------------------------------------------------------+
    ///  option: | code (1) | len (1) | data (len) |; Pad (0) and End (255) are one byte.
    /// </code>
    /// TryParse checks, in this order, and returns the counter of the first failure: at least 240
    /// bytes, op BOOTREQUEST, htype 1 / hlen 6 (Ethernet), the magic cookie, every option inside
    /// the message, the lengths of the options read (53: 1; 50 and 54: 4; 52: 1; 61: at least 2),
    /// and a message type. Option Overload (52, RFC 2132 section 9.3) is honoured: with 1 the
    /// options continue in <c>file</c>, with 2 in <c>sname</c>, with 3 in both, read in that order
    /// (RFC 2131 section 4.1); an End there ends that field only.
    /// </summary>
    public struct DhcpMessage
    {
        public const int FixedLength = 236;
        public const int OptionsOffset = 240;
        /// <summary>The shortest reply: BOOTP's 300-byte minimum (RFC 951), which some clients still expect.</summary>
        public const int MinReplyLength = 300;
        public const uint MagicCookie = 0x63825363;
        public const byte OpBootRequest = 1;
        public const byte OpBootReply = 2;
        public const ushort FlagBroadcast = 0x8000;
        public const ushort ServerPort = 67;
        public const ushort ClientPort = 68;

        // Message types, option 53 (RFC 2132 section 9.6)
        public const byte Discover = 1;
        public const byte Offer = 2;
        public const byte Request = 3;
        public const byte Decline = 4;
        public const byte Ack = 5;
        public const byte Nak = 6;
        public const byte Release = 7;
        public const byte Inform = 8;

        // Option codes (RFC 2132)
        public const byte OptionPad = 0;
        public const byte OptionSubnetMask = 1;
        public const byte OptionRouter = 3;
        public const byte OptionDnsServer = 6;
        public const byte OptionInterfaceMtu = 26;
        public const byte OptionBroadcastAddress = 28;
        public const byte OptionRequestedIp = 50;
        public const byte OptionLeaseTime = 51;
        public const byte OptionMessageType = 53;
        public const byte OptionServerId = 54;
        public const byte OptionParameterList = 55;
        public const byte OptionRenewalTime = 58;
        public const byte OptionRebindingTime = 59;
        public const byte OptionOverload = 52;
        public const byte OptionClientId = 61;
        public const byte OptionEnd = 255;

        const int OpOffset = 0;
        const int HtypeOffset = 1;
        const int HlenOffset = 2;
        const int XidOffset = 4;
        const int FlagsOffset = 10;
        const int CiaddrOffset = 12;
        const int YiaddrOffset = 16;
        const int SiaddrOffset = 20;
        const int GiaddrOffset = 24;
        const int ChaddrOffset = 28;
        const int SnameOffset = 44;
        const int SnameLength = 64;
        const int FileOffset = 108;
        const int FileLength = 128;
        const int CookieOffset = 236;

        byte[] buffer;
        int offset;
        int length;
        byte messageType;
        int requestedIpOffset;
        int serverIdOffset;
        int parameterListOffset;
        int parameterListLength;
        int clientIdOffset;
        int clientIdLength;
        int overload;

        /// <summary>
        /// Validates and walks the options. Returns <see cref="LanCounter.Count"/> on success,
        /// otherwise the drop reason. Never throws, whatever the bytes.
        /// </summary>
        public static LanCounter TryParse(byte[] buffer, int offset, int length, out DhcpMessage message)
        {
            message = default(DhcpMessage);
            if (!Bounds.Fits(buffer, offset, length) || length < OptionsOffset)
                return LanCounter.DropDhcpTruncated;
            if (buffer[offset + OpOffset] != OpBootRequest)
                return LanCounter.DropDhcpBadOp;
            if (buffer[offset + HtypeOffset] != 1 || buffer[offset + HlenOffset] != 6)
                return LanCounter.DropDhcpBadHardware;
            if (Endian.Read32(buffer, offset + CookieOffset) != MagicCookie)
                return LanCounter.DropDhcpBadMagicCookie;
            message.requestedIpOffset = -1;
            message.serverIdOffset = -1;
            message.parameterListOffset = -1;
            message.clientIdOffset = -1;
            LanCounter r = Walk(buffer, offset + OptionsOffset, offset + length, true, ref message);
            if (r != LanCounter.Count)
                return r;
            if ((message.overload & 1) != 0)
            {
                r = Walk(buffer, offset + FileOffset, offset + FileOffset + FileLength, false, ref message);
                if (r != LanCounter.Count)
                    return r;
            }
            if ((message.overload & 2) != 0)
            {
                r = Walk(buffer, offset + SnameOffset, offset + SnameOffset + SnameLength, false, ref message);
                if (r != LanCounter.Count)
                    return r;
            }
            if (message.messageType == 0)
                return LanCounter.DropDhcpNoMessageType;
            message.buffer = buffer;
            message.offset = offset;
            message.length = length;
            return LanCounter.Count;
        }

        /// <summary>Walks the options in [pos, end): the options field, or file/sname when overloaded (52 only allowed in the first).</summary>
        static LanCounter Walk(byte[] buffer, int pos, int end, bool optionsField, ref DhcpMessage message)
        {
            while (pos < end)
            {
                byte code = buffer[pos];
                if (code == OptionEnd)
                    break;
                if (code == OptionPad)
                {
                    pos++;
                    continue;
                }
                if (end - pos < 2)
                    return LanCounter.DropDhcpOptionsOverrun;
                int len = buffer[pos + 1];
                if (len > end - pos - 2)
                    return LanCounter.DropDhcpOptionsOverrun;
                int data = pos + 2;
                switch (code)
                {
                    case OptionMessageType:
                        if (len != 1)
                            return LanCounter.DropDhcpBadOption;
                        message.messageType = buffer[data];
                        break;
                    case OptionRequestedIp:
                        if (len != 4)
                            return LanCounter.DropDhcpBadOption;
                        message.requestedIpOffset = data;
                        break;
                    case OptionServerId:
                        if (len != 4)
                            return LanCounter.DropDhcpBadOption;
                        message.serverIdOffset = data;
                        break;
                    case OptionParameterList:
                        message.parameterListOffset = data;
                        message.parameterListLength = len;
                        break;
                    case OptionClientId:
                        if (len < 2) // RFC 2132 section 9.14: type and at least one byte
                            return LanCounter.DropDhcpBadOption;
                        message.clientIdOffset = data;
                        message.clientIdLength = len;
                        break;
                    case OptionOverload:
                        if (len != 1 || !optionsField || buffer[data] < 1 || buffer[data] > 3)
                            return LanCounter.DropDhcpBadOption;
                        message.overload = buffer[data];
                        break;
                }
                pos = data + len;
            }
            return LanCounter.Count;
        }

        public byte[] Buffer { get { return buffer; } }
        /// <summary>Option 61's data (type byte first), or -1 when absent.</summary>
        public int ClientIdOffset { get { return clientIdOffset; } }
        /// <summary>Option 61's length (0 when absent).</summary>
        public int ClientIdLength { get { return clientIdOffset < 0 ? 0 : clientIdLength; } }
        /// <summary>Option 52's value (0: none; 1 file, 2 sname, 3 both).</summary>
        public int Overload { get { return overload; } }
        public int Offset { get { return offset; } }
        public int Length { get { return length; } }
        /// <summary>Option 53.</summary>
        public byte MessageType { get { return messageType; } }
        public uint Xid { get { return Endian.Read32(buffer, offset + XidOffset); } }
        public ushort Flags { get { return Endian.Read16(buffer, offset + FlagsOffset); } }
        public bool BroadcastFlag { get { return (Flags & FlagBroadcast) != 0; } }
        public uint Ciaddr { get { return Endian.Read32(buffer, offset + CiaddrOffset); } }
        public uint Giaddr { get { return Endian.Read32(buffer, offset + GiaddrOffset); } }
        /// <summary>Buffer offset of the client's MAC (the first 6 bytes of chaddr).</summary>
        public int ChaddrOffsetInBuffer { get { return offset + ChaddrOffset; } }

        public bool HasRequestedIp { get { return requestedIpOffset >= 0; } }
        /// <summary>Option 50, or 0 when absent.</summary>
        public uint RequestedIp { get { return requestedIpOffset < 0 ? 0 : Endian.Read32(buffer, requestedIpOffset); } }
        public bool HasServerId { get { return serverIdOffset >= 0; } }
        /// <summary>Option 54, or 0 when absent.</summary>
        public uint ServerId { get { return serverIdOffset < 0 ? 0 : Endian.Read32(buffer, serverIdOffset); } }
        public bool HasParameterList { get { return parameterListOffset >= 0; } }

        /// <summary>True when option 55 lists <paramref name="code"/>.</summary>
        public bool Requests(byte code)
        {
            for (int i = 0; i < parameterListLength; i++)
                if (buffer[parameterListOffset + i] == code)
                    return true;
            return false;
        }

        /// <summary>The i-th code of option 55 (0 ≤ i &lt; ParameterListLength).</summary>
        public byte ParameterAt(int i) { return buffer[parameterListOffset + i]; }
        public int ParameterListLength { get { return parameterListLength; } }

        /// <summary>
        /// Writes the fixed part of a BOOTREPLY for this request at (output, at), 240 bytes with
        /// the cookie (RFC 2131 section 4.3.1 table 3): xid, flags, giaddr and chaddr copied,
        /// hops, secs, siaddr, sname and file zero. The caller has checked the space.
        /// </summary>
        public void WriteReplyHeader(byte[] output, int at, uint ciaddr, uint yiaddr)
        {
            System.Array.Clear(output, at, OptionsOffset);
            output[at + OpOffset] = OpBootReply;
            output[at + HtypeOffset] = 1;
            output[at + HlenOffset] = 6;
            System.Array.Copy(buffer, offset + XidOffset, output, at + XidOffset, 4);
            System.Array.Copy(buffer, offset + FlagsOffset, output, at + FlagsOffset, 2);
            Endian.Write32(output, at + CiaddrOffset, ciaddr);
            Endian.Write32(output, at + YiaddrOffset, yiaddr);
            Endian.Write32(output, at + SiaddrOffset, 0);
            System.Array.Copy(buffer, offset + GiaddrOffset, output, at + GiaddrOffset, 4);
            System.Array.Copy(buffer, offset + ChaddrOffset, output, at + ChaddrOffset, 16);
            Endian.Write32(output, at + CookieOffset, MagicCookie);
        }

        /// <summary>Writes a one-byte option; returns the position after it.</summary>
        public static int PutOption8(byte[] b, int pos, byte code, byte value)
        {
            b[pos] = code;
            b[pos + 1] = 1;
            b[pos + 2] = value;
            return pos + 3;
        }

        /// <summary>Writes a two-byte option; returns the position after it.</summary>
        public static int PutOption16(byte[] b, int pos, byte code, ushort value)
        {
            b[pos] = code;
            b[pos + 1] = 2;
            Endian.Write16(b, pos + 2, value);
            return pos + 4;
        }

        /// <summary>Writes a four-byte option (an address or a time); returns the position after it.</summary>
        public static int PutOption32(byte[] b, int pos, byte code, uint value)
        {
            b[pos] = code;
            b[pos + 1] = 4;
            Endian.Write32(b, pos + 2, value);
            return pos + 6;
        }
    }
}

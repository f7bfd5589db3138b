using Warp.Protocol.Net;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// WireGuard message layouts (whitepaper section 5.4; Linux messages.h). Every message starts
    /// with a little-endian 32-bit type whose upper three bytes are "reserved zero"; WARP uses
    /// those three bytes for its client id (see <see cref="ClientId"/>).
    /// <code>
    /// Handshake initiation, 148 bytes          Handshake response, 92 bytes
    ///   0  type = 1, reserved (4)                0  type = 2, reserved (4)
    ///   4  sender index (4)                      4  sender index (4)
    ///   8  unencrypted ephemeral (32)            8  receiver index (4)
    ///  40  encrypted static (32 + 16)           12  unencrypted ephemeral (32)
    ///  88  encrypted timestamp (12 + 16)        44  encrypted nothing (0 + 16)
    /// 116  mac1 (16)                            60  mac1 (16)
    /// 132  mac2 (16)                            76  mac2 (16)
    ///
    /// Cookie reply, 64 bytes                   Transport data, 32 bytes and more
    ///   0  type = 3, reserved (4)                0  type = 4, reserved (4)
    ///   4  receiver index (4)                    4  receiver index (4)
    ///   8  nonce (24)                            8  counter (8, little-endian)
    ///  32  encrypted cookie (16 + 16)           16  encrypted packet (padded to 16) + tag (16)
    /// </code>
    /// </summary>
    public static class Message
    {
        public const byte TypeInitiation = 1;
        public const byte TypeResponse = 2;
        public const byte TypeCookieReply = 3;
        public const byte TypeData = 4;

        public const int InitiationSize = 148;
        public const int ResponseSize = 92;
        public const int CookieReplySize = 64;
        public const int DataHeaderSize = 16;
        public const int TagSize = 16;
        /// <summary>A keepalive: header and tag around an empty packet.</summary>
        public const int DataMinSize = DataHeaderSize + TagSize;
        /// <summary>Plaintext is padded with zeros to a multiple of this (whitepaper section 5.4.6).</summary>
        public const int PaddingMultiple = 16;

        public const int InitiationSender = 4;
        public const int InitiationEphemeral = 8;
        public const int InitiationStatic = 40;
        public const int InitiationTimestamp = 88;
        public const int InitiationMac1 = 116;
        public const int InitiationMac2 = 132;

        public const int ResponseSender = 4;
        public const int ResponseReceiver = 8;
        public const int ResponseEphemeral = 12;
        public const int ResponseEmpty = 44;
        public const int ResponseMac1 = 60;
        public const int ResponseMac2 = 76;

        public const int CookieReceiver = 4;
        public const int CookieNonce = 8;
        public const int CookieEncrypted = 32;
        public const int CookieNonceSize = 24;

        public const int DataReceiver = 4;
        public const int DataCounter = 8;
        public const int DataPayload = 16;

        public const int MacSize = 16;

        /// <summary>
        /// Clears the three reserved bytes (a WARP client id, or zeros) and returns the message
        /// type, or 0 when the buffer holds fewer than 4 bytes. Called before anything else reads
        /// the message, so messages with and without a client id are handled alike; MACs are
        /// computed by every WARP-aware sender over the message with these bytes zero.
        /// </summary>
        public static byte ClearReservedAndReadType(byte[] b, int offset, int length)
        {
            if (!Bounds.Fits(b, offset, length) || length < 4)
                return 0;
            b[offset + 1] = 0;
            b[offset + 2] = 0;
            b[offset + 3] = 0;
            return b[offset];
        }

        /// <summary>The exact size a handshake message of this type must have, 0 for data, -1 for unknown types.</summary>
        public static int ExpectedSize(byte type)
        {
            switch (type)
            {
                case TypeInitiation: return InitiationSize;
                case TypeResponse: return ResponseSize;
                case TypeCookieReply: return CookieReplySize;
                case TypeData: return 0;
                default: return -1;
            }
        }

        /// <summary>Writes the type with zero reserved bytes.</summary>
        public static void WriteType(byte[] b, int offset, byte type)
        {
            Endian.Write32LE(b, offset, type);
        }

        /// <summary>Size of a data message carrying <paramref name="plaintextLength"/> bytes, with padding.</summary>
        public static int DataSize(int plaintextLength)
        {
            return DataHeaderSize + PaddedLength(plaintextLength) + TagSize;
        }

        /// <summary>The plaintext length rounded up to a multiple of 16.</summary>
        public static int PaddedLength(int plaintextLength)
        {
            return (plaintextLength + PaddingMultiple - 1) & ~(PaddingMultiple - 1);
        }
    }
}

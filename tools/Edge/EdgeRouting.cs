using System;
using System.Net;

namespace Warp.Edge
{
    /// <summary>How the front picks a backend.</summary>
    public enum EdgeMode
    {
        /// <summary>A hash of the 4-tuple (source address and port, destination address and port), as a router's ECMP does.</summary>
        Ecmp,
        /// <summary>A hash of WARP's 24-bit client id (bytes 1-3); the 4-tuple when the id is 0 (a standard WireGuard client).</summary>
        ClientId,
    }

    /// <summary>The WireGuard message kinds the front tells apart (a keepalive is a data message with no payload).</summary>
    public enum MessageKind
    {
        None = 0,
        Initiation = 1,
        Response = 2,
        Cookie = 3,
        Data = 4,
        Keepalive = 5,
    }

    /// <summary>Why the front dropped a datagram or could not deliver it.</summary>
    public enum FrontDrop
    {
        None = 0,
        /// <summary>Shorter than the shortest WireGuard message (a 32-byte keepalive).</summary>
        Short,
        /// <summary>Byte 0 is not 1-4.</summary>
        UnknownType,
        /// <summary>A known type whose length is wrong (148, 92, 64 bytes; data 32 + a multiple of 16).</summary>
        BadLength,
        /// <summary>No room for a new flow and no unconfirmed flow to evict.</summary>
        FlowTableFull,
        /// <summary>A datagram on a backend socket from someone else than that backend.</summary>
        ForeignReply,
        /// <summary>A datagram from a backend that is not a WireGuard message.</summary>
        BadReply,
        /// <summary>The socket refused to send (towards a backend or a client).</summary>
        SendFailed,
    }

    /// <summary>
    /// What the front reads of a datagram (the type, the length rule, the client id) and the two
    /// hashes it routes by. No cryptography: like a real edge's load balancer, the front never
    /// holds a key; it only reads the unencrypted header.
    /// </summary>
    public static class EdgeRouting
    {
        public const int InitiationLength = 148, ResponseLength = 92, CookieLength = 64, KeepaliveLength = 32;

        /// <summary>Classifies a datagram; <paramref name="clientId"/> is bytes 1-3 (0 for a standard client).</summary>
        public static FrontDrop Classify(byte[] b, int length, out MessageKind kind, out int clientId)
        {
            kind = MessageKind.None;
            clientId = 0;
            if (length < KeepaliveLength)
                return FrontDrop.Short;
            switch (b[0])
            {
                case 1:
                    if (length != InitiationLength) return FrontDrop.BadLength;
                    kind = MessageKind.Initiation;
                    break;
                case 2:
                    if (length != ResponseLength) return FrontDrop.BadLength;
                    kind = MessageKind.Response;
                    break;
                case 3:
                    if (length != CookieLength) return FrontDrop.BadLength;
                    kind = MessageKind.Cookie;
                    break;
                case 4:
                    if ((length - KeepaliveLength) % 16 != 0) return FrontDrop.BadLength;
                    kind = length == KeepaliveLength ? MessageKind.Keepalive : MessageKind.Data;
                    break;
                default:
                    return FrontDrop.UnknownType;
            }
            clientId = (b[1] << 16) | (b[2] << 8) | b[3];
            return FrontDrop.None;
        }

        /// <summary>Clears bytes 1-3, as a standard WireGuard backend (wireguard-go) requires them zero.</summary>
        public static void ClearReserved(byte[] b)
        {
            b[1] = 0;
            b[2] = 0;
            b[3] = 0;
        }

        /// <summary>The backend for a client id: FNV-1a over its three bytes, finished with murmur3's mixer, modulo the count.</summary>
        public static int ForClientId(int clientId, int backends)
        {
            uint h = Fnv.Offset;
            h = Fnv.Add(h, (byte)(clientId >> 16));
            h = Fnv.Add(h, (byte)(clientId >> 8));
            h = Fnv.Add(h, (byte)clientId);
            return (int)(Fnv.Finish(h) % (uint)backends);
        }

        /// <summary>The backend for a UDP 4-tuple: the same hash over source address, source port, destination address, destination port and protocol 17.</summary>
        public static int ForTuple(IPEndPoint source, IPEndPoint destination, int backends)
        {
            uint h = Fnv.Offset;
            h = AddEndpoint(h, source);
            h = AddEndpoint(h, destination);
            h = Fnv.Add(h, 17);
            return (int)(Fnv.Finish(h) % (uint)backends);
        }

        static uint AddEndpoint(uint h, IPEndPoint ep)
        {
            IPAddress a = ep.Address.IsIPv4MappedToIPv6 ? ep.Address.MapToIPv4() : ep.Address;
            Span<byte> bytes = stackalloc byte[16];
            a.TryWriteBytes(bytes, out int n);
            for (int i = 0; i < n; i++)
                h = Fnv.Add(h, bytes[i]);
            h = Fnv.Add(h, (byte)(ep.Port >> 8));
            return Fnv.Add(h, (byte)ep.Port);
        }

        static class Fnv
        {
            public const uint Offset = 2166136261;
            public static uint Add(uint h, byte b) { return unchecked((h ^ b) * 16777619); }
            public static uint Finish(uint h)
            {
                unchecked
                {
                    h ^= h >> 16;
                    h *= 0x85EBCA6B;
                    h ^= h >> 13;
                    h *= 0xC2B2AE35;
                    h ^= h >> 16;
                    return h;
                }
            }
        }

        public static string Name(MessageKind k)
        {
            switch (k)
            {
                case MessageKind.Initiation: return "initiation";
                case MessageKind.Response: return "response";
                case MessageKind.Cookie: return "cookie";
                case MessageKind.Data: return "data";
                case MessageKind.Keepalive: return "keepalive";
                default: return "none";
            }
        }

        public static string Name(FrontDrop d)
        {
            switch (d)
            {
                case FrontDrop.Short: return "drop.short";
                case FrontDrop.UnknownType: return "drop.unknown_type";
                case FrontDrop.BadLength: return "drop.bad_length";
                case FrontDrop.FlowTableFull: return "drop.flow_table_full";
                case FrontDrop.ForeignReply: return "drop.foreign_reply";
                case FrontDrop.BadReply: return "drop.bad_reply";
                case FrontDrop.SendFailed: return "drop.send_failed";
                default: return "none";
            }
        }
    }
}

using System;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// Frames read from a TAP device opened with IFF_VNET_HDR: each begins with a
    /// struct virtio_net_hdr (linux/virtio_net.h, 10 bytes, host byte order):
    /// <code>
    /// u8 flags (NEEDS_CSUM 1, DATA_VALID 2); u8 gso_type (NONE 0, TCPV4 1, UDP 3, TCPV6 4, UDP_L4 5; | ECN 0x80);
    /// u16 hdr_len; u16 gso_size; u16 csum_start; u16 csum_offset
    /// </code>
    /// <see cref="Load"/> checks a frame's header and <see cref="Next"/> gives the frames the router
    /// may see: a plain frame as it is, once its partial checksum (NEEDS_CSUM: the kernel left the
    /// pseudo-header's sum at csum_start + csum_offset) is finished; a TCP super-frame (TSO, gso_size
    /// the MSS) cut into segments of at most gso_size bytes of payload, each with its own IPv4 total
    /// length, identification (the first one's + i) and header checksum or IPv6 payload length,
    /// sequence number, flags (FIN and PSH only on the last, CWR only on the first) and a full TCP
    /// checksum, as the kernel's own tcp_gso_segment would make them. A super-frame gives its
    /// segments over several calls when the caller has fewer slots. hdr_len is the length of the
    /// super-frame's linear part (the kernel's skb_headlen) and only a hint: the headers' length is
    /// taken from the IP and TCP headers themselves, and hdr_len must not exceed the frame. gso_size
    /// of a frame without GSO is ignored, as virtio says. Anything else is a counted drop:
    /// <see cref="BadHeaders"/> (unknown flags or gso_type, a checksum position outside the frame,
    /// GSO without NEEDS_CSUM or with a checksum position that is not TCP's, IP or TCP headers that do
    /// not match the frame's length, IPv4 fragments, IPv6 extension headers, gso_size under 8 or
    /// no payload) and <see cref="UnsupportedGso"/> (UDP GSO, which this port never offers).
    /// Nothing allocates; the frame stays in the caller's buffer until its last segment is taken.
    /// </summary>
    public sealed class VnetHdr
    {
        public const int Length = 10;
        public const byte FlagNeedsCsum = 1, FlagDataValid = 2;
        public const byte GsoNone = 0, GsoTcpV4 = 1, GsoUdp = 3, GsoTcpV6 = 4, GsoUdpL4 = 5, GsoEcn = 0x80;
        const int Eth = 14;
        const int MinGsoSize = 8;

        byte[] frame;
        int start, length;              // the Ethernet frame within frame[]
        bool gso, v6;
        int l4, headers, payload, gsoSize, segments, index;
        uint seq;
        int ipId;

        /// <summary>Frames refused for their virtio_net_hdr or headers, and UDP super-frames (never offered).</summary>
        public long BadHeaders, UnsupportedGso;
        /// <summary>Super-frames cut, the segments they gave, and partial checksums finished.</summary>
        public long SuperFrames, Segments, ChecksumsFinished;

        /// <summary>True while a loaded frame still has segments (or itself) to give.</summary>
        public bool Pending { get { return frame != null; } }

        /// <summary>
        /// Takes the virtio_net_hdr and frame at buffer[0, n). False (counted) when it is refused;
        /// a plain frame's partial checksum is finished in place here.
        /// </summary>
        public bool Load(byte[] buffer, int n)
        {
            frame = null;
            if (n < Length + Eth)
                return Bad();
            byte flags = buffer[0];
            byte type = buffer[1];
            int hdrLen = U16(buffer, 2), size = U16(buffer, 4), csumStart = U16(buffer, 6), csumOffset = U16(buffer, 8);
            int len = n - Length;
            if ((flags & ~(FlagNeedsCsum | FlagDataValid)) != 0)
                return Bad();
            int kind = type & ~GsoEcn;
            if (kind == GsoUdp || kind == GsoUdpL4)
            {
                UnsupportedGso++;
                return false;
            }
            if (kind != GsoNone && kind != GsoTcpV4 && kind != GsoTcpV6)
                return Bad();
            if (kind == GsoNone && (type & GsoEcn) != 0)
                return Bad();
            if (hdrLen > len)
                return Bad();
            bool needsCsum = (flags & FlagNeedsCsum) != 0;
            if (needsCsum && (csumStart < Eth || csumStart + csumOffset + 2 > len))
                return Bad();
            if (kind == GsoNone)
            {
                if (needsCsum)
                {
                    FinishChecksum(buffer, Length, Length + csumStart, len - csumStart, Length + csumStart + csumOffset);
                    ChecksumsFinished++;
                }
                frame = buffer;
                start = Length;
                length = len;
                gso = false;
                return true;
            }
            // A TCP super-frame.
            if (!needsCsum || csumOffset != 16 || size < MinGsoSize)
                return Bad();
            int b = Length;
            int etherType = (buffer[b + 12] << 8) | buffer[b + 13];
            int l3 = b + Eth;
            int ipHeader;
            if (kind == GsoTcpV4)
            {
                if (etherType != 0x0800 || len < Eth + 20 || (buffer[l3] >> 4) != 4)
                    return Bad();
                ipHeader = (buffer[l3] & 15) * 4;
                if (ipHeader < 20 || Eth + ipHeader + 20 > len || buffer[l3 + 9] != 6)
                    return Bad();
                if (U16Be(buffer, l3 + 2) != len - Eth || (U16Be(buffer, l3 + 6) & 0x3FFF) != 0)
                    return Bad(); // the total length must be the frame's; no fragments
                ipId = U16Be(buffer, l3 + 4);
            }
            else
            {
                if (etherType != 0x86DD || len < Eth + 40 + 20 || (buffer[l3] >> 4) != 6)
                    return Bad();
                ipHeader = 40;
                if (buffer[l3 + 6] != 6 || U16Be(buffer, l3 + 4) != len - Eth - 40)
                    return Bad(); // TCP right after the fixed header; the payload length must be the frame's
            }
            int t = l3 + ipHeader;
            if (csumStart != t - b)
                return Bad();
            int tcpHeader = (buffer[t + 12] >> 4) * 4;
            if (tcpHeader < 20 || t - b + tcpHeader > len)
                return Bad();
            int pay = len - (t - b) - tcpHeader;
            if (pay <= 0)
                return Bad();
            frame = buffer;
            start = b;
            length = len;
            gso = true;
            v6 = kind == GsoTcpV6;
            l4 = t - b;
            headers = l4 + tcpHeader;
            payload = pay;
            gsoSize = size;
            segments = (pay + size - 1) / size;
            index = 0;
            seq = (uint)((buffer[t + 4] << 24) | (buffer[t + 5] << 16) | (buffer[t + 6] << 8) | buffer[t + 7]);
            SuperFrames++;
            return true;
        }

        bool Bad()
        {
            BadHeaders++;
            frame = null;
            return false;
        }

        /// <summary>
        /// Copies the next frame (a plain frame, or the next segment) to (dst, offset), at most
        /// <paramref name="count"/> bytes, and returns its real length (more than count: cut); -1 when none is pending.
        /// </summary>
        public int Next(byte[] dst, int offset, int count)
        {
            if (frame == null)
                return -1;
            if (!gso)
            {
                int n = length < count ? length : count;
                Buffer.BlockCopy(frame, start, dst, offset, n);
                frame = null;
                return length;
            }
            byte[] src = frame;
            int i = index++;
            int chunk = payload - i * gsoSize;
            if (chunk > gsoSize) chunk = gsoSize;
            bool last = index == segments;
            int total = headers + chunk;
            Segments++;
            if (last)
                frame = null;
            if (total > count || offset < 0 || offset + total > dst.Length)
                return total; // does not fit the caller's slot: cut, and the caller counts it
            Buffer.BlockCopy(src, start, dst, offset, headers);
            Buffer.BlockCopy(src, start + headers + i * gsoSize, dst, offset + headers, chunk);
            int l3 = offset + Eth, t = offset + l4;
            int tcpLength = headers - l4 + chunk;
            uint pseudo;
            if (v6)
            {
                Be16(dst, l3 + 4, tcpLength);
                pseudo = Sum(dst, l3 + 8, 32, 0);
            }
            else
            {
                Be16(dst, l3 + 2, total - Eth);
                Be16(dst, l3 + 4, (ipId + i) & 0xFFFF);
                Be16(dst, l3 + 10, 0);
                Be16(dst, l3 + 10, (ushort)~Fold(Sum(dst, l3, l4 - Eth, 0)));
                pseudo = Sum(dst, l3 + 12, 8, 0);
            }
            uint sq = seq + (uint)(i * gsoSize);
            dst[t + 4] = (byte)(sq >> 24);
            dst[t + 5] = (byte)(sq >> 16);
            dst[t + 6] = (byte)(sq >> 8);
            dst[t + 7] = (byte)sq;
            if (!last)
                dst[t + 13] &= unchecked((byte)~0x09); // FIN and PSH only on the last segment
            if (i > 0)
                dst[t + 13] &= unchecked((byte)~0x80); // CWR only on the first
            Be16(dst, t + 16, 0);
            pseudo += 6u + (uint)tcpLength;
            Be16(dst, t + 16, (ushort)~Fold(Sum(dst, t, tcpLength, pseudo)));
            return total;
        }

        static void Be16(byte[] b, int at, int v)
        {
            b[at] = (byte)(v >> 8);
            b[at + 1] = (byte)v;
        }

        static int U16(byte[] b, int at) { return BitConverter.IsLittleEndian ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1]; }
        static int U16Be(byte[] b, int at) { return (b[at] << 8) | b[at + 1]; }

        /// <summary>
        /// The ones' complement sum of bytes [at, at + n) added to <paramref name="sum"/> (16-bit big-endian
        /// words, not folded beyond 32 bits). RFC 1071's byte-order independence lets the loop add 32-bit
        /// words in host order into 64 bits and swap once at the end.
        /// </summary>
        public static unsafe uint Sum(byte[] b, int at, int n, uint sum)
        {
            if (n <= 0)
                return sum;
            ulong acc = 0;
            fixed (byte* p0 = &b[at])
            {
                byte* p = p0;
                byte* end = p0 + n;
                while (end - p >= 32)
                {
                    acc += (ulong)*(uint*)p + *(uint*)(p + 4) + *(uint*)(p + 8) + *(uint*)(p + 12)
                         + *(uint*)(p + 16) + *(uint*)(p + 20) + *(uint*)(p + 24) + *(uint*)(p + 28);
                    p += 32;
                }
                while (end - p >= 4)
                {
                    acc += *(uint*)p;
                    p += 4;
                }
                if (end - p >= 2)
                {
                    acc += *(ushort*)p;
                    p += 2;
                }
                if (p < end)
                    acc += BitConverter.IsLittleEndian ? *p : (uint)(*p << 8); // the odd last byte is the high half of its word
            }
            while ((acc >> 16) != 0)
                acc = (acc & 0xFFFF) + (acc >> 16);
            uint folded = (uint)acc;
            if (BitConverter.IsLittleEndian)
                folded = ((folded & 0xFF) << 8) | (folded >> 8);
            return sum + folded;
        }

        public static ushort Fold(uint sum)
        {
            while ((sum >> 16) != 0)
                sum = (sum & 0xFFFF) + (sum >> 16);
            return (ushort)sum;
        }

        /// <summary>Finishes a partial checksum: the sum of [from, from + n) (the field holds the pseudo-header's sum), complemented, at field; 0 goes as 0xFFFF (the kernel's CSUM_MANGLED_0).</summary>
        static void FinishChecksum(byte[] b, int frameStart, int from, int n, int field)
        {
            ushort c = (ushort)~Fold(Sum(b, from, n, 0));
            if (c == 0) c = 0xFFFF;
            b[field] = (byte)(c >> 8);
            b[field + 1] = (byte)c;
        }
    }
}

using System;
using Warp.Protocol.Net;

namespace Warp.Protocol.Crypto
{
    /// <summary>
    /// TAI64N timestamps (D. J. Bernstein's libtai format, used by the WireGuard handshake
    /// initiation, whitepaper section 5.4.2): 12 bytes, an 8-byte big-endian count of seconds
    /// offset by 2^62 + 10, then a 4-byte big-endian count of nanoseconds. Responders keep the
    /// greatest timestamp seen per peer and drop initiations that do not exceed it.
    /// </summary>
    /// <remarks>
    /// The time is always a parameter: nothing here reads a clock (DESIGN.md, "time and
    /// randomness are parameters"). Seconds are taken as Unix seconds without a leap-second
    /// correction; only the ordering between timestamps from one sender matters to WireGuard.
    /// </remarks>
    public static class Tai64n
    {
        /// <summary>Size of a timestamp in bytes.</summary>
        public const int Size = 12;

        /// <summary>
        /// The label added to Unix seconds: 2^62 + 10, TAI64's label of 1970-01-01 00:00:10 TAI (TAI ran
        /// 10 s ahead of UTC in 1972), as wireguard-go (tai64n.go, base 0x400000000000000a) and the Linux
        /// driver write it. With 2^62 alone our timestamps were 10 s behind theirs for the same
        /// instant, so after wireguard-go or the kernel used the same key a peer refused ours for 10 s.
        /// </summary>
        public const ulong SecondsBase = 0x400000000000000AUL;

        const long UnixEpochTicks = 621355968000000000L; // DateTime ticks at 1970-01-01
        const long TicksPerSecond = 10000000L;

        /// <summary>
        /// Writes the timestamp for <paramref name="unixSeconds"/> seconds and
        /// <paramref name="nanoseconds"/> (0 to 999,999,999) after 1970-01-01 UTC.
        /// </summary>
        public static void Write(byte[] output, int offset, long unixSeconds, int nanoseconds)
        {
            if (nanoseconds < 0 || nanoseconds > 999999999)
                throw new ArgumentOutOfRangeException("nanoseconds");
            ulong label = SecondsBase + (ulong)unixSeconds;
            Endian.Write32(output, offset, (uint)(label >> 32));
            Endian.Write32(output, offset + 4, (uint)label);
            Endian.Write32(output, offset + 8, (uint)nanoseconds);
        }

        /// <summary>Writes the timestamp of a UTC <see cref="DateTime"/> (100 ns resolution).</summary>
        public static void Write(byte[] output, int offset, DateTime utc)
        {
            long ticks = utc.Ticks - UnixEpochTicks;
            long seconds = ticks / TicksPerSecond;
            long rest = ticks - seconds * TicksPerSecond;
            if (rest < 0)
            {
                seconds--;
                rest += TicksPerSecond;
            }
            Write(output, offset, seconds, (int)(rest * 100));
        }

        /// <summary>Reads the Unix seconds of a timestamp.</summary>
        public static long ReadUnixSeconds(byte[] input, int offset)
        {
            ulong label = ((ulong)Endian.Read32(input, offset) << 32) | Endian.Read32(input, offset + 4);
            return (long)(label - SecondsBase);
        }

        /// <summary>Reads the nanoseconds of a timestamp.</summary>
        public static int ReadNanoseconds(byte[] input, int offset)
        {
            return (int)Endian.Read32(input, offset + 8);
        }

        /// <summary>
        /// Compares two timestamps: negative when a is earlier than b, 0 when equal, positive
        /// when later (big-endian byte order is time order).
        /// </summary>
        public static int Compare(byte[] a, int aOffset, byte[] b, int bOffset)
        {
            for (int i = 0; i < Size; i++)
            {
                int d = a[aOffset + i] - b[bOffset + i];
                if (d != 0)
                    return d;
            }
            return 0;
        }
    }
}

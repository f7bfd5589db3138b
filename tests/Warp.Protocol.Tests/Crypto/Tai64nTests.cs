using System;
using Warp.Protocol.Crypto;
using Xunit;

namespace Warp.Protocol.Tests.Crypto
{
    /// <summary>TAI64N: 8-byte big-endian seconds + 2^62 + 10 (as wireguard-go and Linux), then 4-byte big-endian nanoseconds.</summary>
    public class Tai64nTests
    {
        [Fact]
        public void Write_Epoch()
        {
            var b = new byte[12];
            Tai64n.Write(b, 0, 0, 0);
            Assert.Equal("40000000000000 0a 00000000".Replace(" ", ""), Hex.Encode(b));
        }

        [Fact]
        public void Write_KnownTime()
        {
            // 2020-01-01T00:00:00Z = 1577836800 = 0x5E0BE100 seconds; 123456789 ns = 0x075BCD15.
            var b = new byte[14];
            Tai64n.Write(b, 2, 1577836800, 123456789);
            Assert.Equal("400000005e0be10a075bcd15", Hex.Encode(b, 2, 12));
            Assert.Equal(1577836800, Tai64n.ReadUnixSeconds(b, 2));
            Assert.Equal(123456789, Tai64n.ReadNanoseconds(b, 2));
        }

        [Fact]
        public void Write_DateTime_MatchesSecondsAndNanoseconds()
        {
            var t = new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
            var a = new byte[12];
            var b = new byte[12];
            Tai64n.Write(a, 0, t);
            Tai64n.Write(b, 0, 1577836800, 123456700);
            Assert.Equal(b, a);
        }

        [Fact]
        public void Write_BeforeEpoch_BorrowsASecond()
        {
            var t = new DateTime(1969, 12, 31, 23, 59, 59, DateTimeKind.Utc).AddTicks(5000000);
            var a = new byte[12];
            Tai64n.Write(a, 0, t);
            Assert.Equal(-1, Tai64n.ReadUnixSeconds(a, 0));
            Assert.Equal(500000000, Tai64n.ReadNanoseconds(a, 0));
        }

        [Fact]
        public void Compare_OrdersByTime()
        {
            var a = new byte[12];
            var b = new byte[12];
            Tai64n.Write(a, 0, 1000, 999999999);
            Tai64n.Write(b, 0, 1001, 0);
            Assert.True(Tai64n.Compare(a, 0, b, 0) < 0);
            Assert.True(Tai64n.Compare(b, 0, a, 0) > 0);
            Assert.Equal(0, Tai64n.Compare(a, 0, a, 0));
        }

        [Fact]
        public void Write_RejectsBadNanoseconds()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Tai64n.Write(new byte[12], 0, 0, 1000000000));
            Assert.Throws<ArgumentOutOfRangeException>(() => Tai64n.Write(new byte[12], 0, 0, -1));
        }
    }
}

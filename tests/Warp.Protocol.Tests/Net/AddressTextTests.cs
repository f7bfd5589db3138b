using System;
using System.Net;
using Warp.Protocol.Net;
using Xunit;

namespace Warp.Protocol.Tests.Net
{
    public class AddressTextTests
    {
        [Theory]
        [InlineData("0.0.0.0")]
        [InlineData("255.255.255.255")]
        [InlineData("162.159.192.1")]
        public void Ipv4RoundTrips(string text)
        {
            var b = new byte[4];
            Assert.True(AddressText.TryParseIpv4(text, b, 0));
            Assert.Equal(IPAddress.Parse(text).GetAddressBytes(), b);
            Assert.Equal(text, AddressText.FormatIpv4(b, 0));
        }

        [Theory]
        [InlineData("")]
        [InlineData("1.2.3")]
        [InlineData("1.2.3.4.5")]
        [InlineData("1.2.3.256")]
        [InlineData("01.2.3.4")]     // leading zero: octal to inet_aton, refused
        [InlineData("1.2.3.4 ")]
        [InlineData("1..3.4")]
        [InlineData("1.2.3.-4")]
        [InlineData("1234.2.3.4")]
        [InlineData("0x1.2.3.4")]
        public void Ipv4Refuses(string text)
        {
            Assert.False(AddressText.TryParseIpv4(text, new byte[4], 0));
        }

        [Theory]
        // RFC 5952 section 4 examples and WARP's addresses.
        [InlineData("2001:db8:0:0:0:0:2:1", "2001:db8::2:1")]
        [InlineData("2001:0db8::0001", "2001:db8::1")]
        [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")]     // 4.2.2: one zero group is not compressed
        [InlineData("2001:0:0:1:0:0:0:1", "2001:0:0:1::1")]              // 4.2.3: the longest run
        [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]        // 4.2.3: the first of equal runs
        [InlineData("2001:DB8::AAAA", "2001:db8::aaaa")]                 // 4.3: lower case
        [InlineData("0:0:0:0:0:0:0:0", "::")]
        [InlineData("0:0:0:0:0:0:0:1", "::1")]
        [InlineData("1:0:0:0:0:0:0:0", "1::")]
        [InlineData("::ffff:1.2.3.4", "::ffff:1.2.3.4")]                 // section 5: mapped keeps dotted form
        [InlineData("::ffff:0102:0304", "::ffff:1.2.3.4")]
        [InlineData("2606:4700:d0::a29f:c001", "2606:4700:d0::a29f:c001")]
        [InlineData("2606:4700:110:8a5c:0:0:0:2", "2606:4700:110:8a5c::2")]
        [InlineData("64:ff9b::192.0.2.33", "64:ff9b::c000:221")]
        [InlineData("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0")]
        [InlineData("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8")]
        public void Ipv6Canonical(string text, string canonical)
        {
            var b = new byte[16];
            Assert.True(AddressText.TryParseIpv6(text, b, 0));
            Assert.Equal(IPAddress.Parse(text).GetAddressBytes(), b);
            Assert.Equal(canonical, AddressText.FormatIpv6(b, 0));
        }

        [Theory]
        [InlineData(":")]
        [InlineData(":::")]
        [InlineData("1::2::3")]
        [InlineData("1:2:3:4:5:6:7:8:9")]
        [InlineData("1:2:3:4:5:6:7")]
        [InlineData("1::2:3:4:5:6:7:8")]
        [InlineData("12345::")]
        [InlineData("1:")]
        [InlineData(":1")]
        [InlineData("fe80::1%eth0")]
        [InlineData("::1.2.3")]
        [InlineData("::1.2.3.4:5")]
        [InlineData("1:2:3:4:5:6:7:1.2.3.4")]
        [InlineData("g::1")]
        public void Ipv6Refuses(string text)
        {
            Assert.False(AddressText.TryParseIpv6(text, new byte[16], 0));
        }

        [Fact]
        public void Ipv6RandomAgreesWithDotNet()
        {
            // Random addresses with zero runs; .NET's parser is the oracle for bytes, and its
            // formatter for the text wherever .NET follows RFC 5952 (everything but ::/96 forms).
            var rng = new Random(5952);
            var b = new byte[16];
            var parsed = new byte[16];
            for (int i = 0; i < 20000; i++)
            {
                for (int k = 0; k < 8; k++)
                {
                    int v = rng.Next(4) == 0 ? rng.Next(0x10000) : rng.Next(3) == 0 ? rng.Next(16) : 0;
                    b[2 * k] = (byte)(v >> 8);
                    b[2 * k + 1] = (byte)v;
                }
                string text = AddressText.FormatIpv6(b, 0);
                Assert.True(AddressText.TryParseIpv6(text, parsed, 0), text);
                Assert.Equal(b, parsed);
                var ip = new IPAddress(b);
                Assert.Equal(b, IPAddress.Parse(text).GetAddressBytes());
                bool firstSixZero = true;
                for (int k = 0; k < 12; k++)
                    if (b[k] != 0) firstSixZero = false;
                if (!firstSixZero && !ip.IsIPv4MappedToIPv6)
                    Assert.Equal(ip.ToString(), text);
                // The uncompressed, zero-padded form parses to the same bytes.
                string full = "";
                for (int k = 0; k < 8; k++)
                    full += (k > 0 ? ":" : "") + ((b[2 * k] << 8) | b[2 * k + 1]).ToString("X4");
                Assert.True(AddressText.TryParseIpv6(full, parsed, 0), full);
                Assert.Equal(b, parsed);
            }
        }

        [Theory]
        [InlineData("aa:bb:cc:dd:ee:ff", new byte[] { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff })]
        [InlineData("02-00-5E-10-00-01", new byte[] { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 })]
        public void MacParses(string text, byte[] expected)
        {
            var b = new byte[6];
            Assert.True(AddressText.TryParseMac(text, b, 0));
            Assert.Equal(expected, b);
        }

        [Theory]
        [InlineData("aa:bb:cc:dd:ee")]
        [InlineData("aa:bb:cc:dd:ee:fg")]
        [InlineData("aa:bb-cc:dd:ee:ff")]
        [InlineData("aabb.ccdd.eeff")]
        [InlineData("aa:bb:cc:dd:ee:ff:")]
        public void MacRefuses(string text)
        {
            Assert.False(AddressText.TryParseMac(text, new byte[6], 0));
        }
    }
}

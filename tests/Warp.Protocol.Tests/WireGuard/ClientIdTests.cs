using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    public class ClientIdTests
    {
        [Theory]
        [InlineData("AQID", 0x010203)]          // base64 of 01 02 03
        [InlineData("q83vAAAA", 0xabcdef)]       // longer client_id: the first three bytes count
        [InlineData("1,2,3", 0x010203)]
        [InlineData(" 171, 205, 239 ", 0xabcdef)]
        public void Parses(string text, int expected)
        {
            Assert.True(ClientId.TryParse(text, out int id));
            Assert.Equal(expected, id);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("AQ==")]       // one byte only
        [InlineData("not base64!")]
        [InlineData("1,2")]
        [InlineData("1,2,256")]
        [InlineData("1,x,3")]
        public void RefusesBadText(string text)
        {
            Assert.False(ClientId.TryParse(text, out int id));
            Assert.Equal(0, id);
        }

        [Fact]
        public void WritesBytesOneToThree()
        {
            var m = new byte[] { 4, 0, 0, 0, 9 };
            ClientId.Write(m, 0, 0xabcdef);
            Assert.Equal(new byte[] { 4, 0xab, 0xcd, 0xef, 9 }, m);
            Assert.Equal(4, Message.ClearReservedAndReadType(m, 0, m.Length));
            Assert.Equal(new byte[] { 4, 0, 0, 0, 9 }, m);
        }
    }
}

using System.Text;
using Warp.Protocol.Web;
using Xunit;

namespace Warp.Protocol.Tests.Web
{
    public class HttpResponseTests
    {
        [Fact]
        public void HeadFollowsBodyWithItsLengthAndCrlfLines()
        {
            var r = new HttpResponse();
            var b = new byte[2000];
            r.Begin(b, 10, 1500);
            r.Write("<p>").Text("a<b & \"c\" 'd'").Write(" é</p>").Number(-42).Hex(new byte[] { 0xab, 0x01 }, 0, 2);
            r.Status(200, "OK");
            r.Header("X-Test", "v\r\nInjected: 1");
            int n = r.Finish();
            string text = Encoding.UTF8.GetString(b, 10, n);
            string body = "<p>a&lt;b &amp; &quot;c&quot; &#39;d&#39; é</p>-42ab01";
            Assert.Equal("HTTP/1.1 200 OK\r\nX-Test: v??Injected: 1\r\nContent-Length: " + Encoding.UTF8.GetByteCount(body) + "\r\nConnection: close\r\n\r\n" + body, text);
        }

        [Fact]
        public void AResponseOverTheBufferReportsOverflow()
        {
            var r = new HttpResponse();
            var b = new byte[1000];
            r.Begin(b, 0, 1000);
            r.Write(new string('x', 300)); // the body starts after the 640 bytes kept for the head
            Assert.False(r.Overflow);
            r.Write(new string('x', 100));
            Assert.True(r.Overflow);
            r.Status(200, "OK");
            Assert.Equal(-1, r.Finish());
        }
    }
}

using System;
using System.Text;
using Warp.Protocol.Web;
using Xunit;

namespace Warp.Protocol.Tests.Web
{
    public class HttpRequestTests
    {
        static readonly HttpRequest Parser = new HttpRequest(768, 1024, 256);

        static (HttpParse, HttpRequest) Parse(string text)
        {
            var b = Encoding.ASCII.GetBytes("xx" + text);
            var q = new HttpRequest(768, 1024, 256);
            return (q.Parse(b, 2, b.Length - 2), q);
        }

        static int StatusOf(string text)
        {
            var (r, q) = Parse(text);
            Assert.Equal(HttpParse.Error, r);
            return q.Status;
        }

        [Fact]
        public void AGetWithCookiesParses()
        {
            var (r, q) = Parse("GET /wifi?x=1 HTTP/1.1\r\nHost: 192.168.42.1\r\nCookie: a=b; warp_session=00ff\r\nOrigin: http://192.168.42.1\r\n\r\n");
            Assert.Equal(HttpParse.Complete, r);
            Assert.Equal(HttpRequest.MethodGet, q.Method);
            Assert.True(q.PathIs("/wifi"));
            Assert.Equal("x=1", Encoding.ASCII.GetString(q.Buffer, q.QueryOffset, q.QueryLength));
            Assert.Equal(4, q.FindCookie("warp_session", out int at));
            Assert.Equal("00ff", Encoding.ASCII.GetString(q.Buffer, at, 4));
            Assert.Equal(-1, q.FindCookie("warp", out _));
            Assert.Equal("http://192.168.42.1", Encoding.ASCII.GetString(q.Buffer, q.OriginOffset, q.OriginLength));
        }

        [Fact]
        public void APostBodyWaitsForContentLengthAndDecodesFormFields()
        {
            string body = "csrf=ab%2Fc&password=a+b%26c%3D%C3%A9";
            string head = "POST /login HTTP/1.1\r\nHost: r\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.Length + "\r\n\r\n";
            var (r, _) = Parse(head + body.Substring(0, 20));
            Assert.Equal(HttpParse.Incomplete, r);
            var (r2, q) = Parse(head + body);
            Assert.Equal(HttpParse.Complete, r2);
            Assert.True(q.IsFormBody);
            var out_ = new byte[64];
            int n = q.FormField("password", out_, 0, 64);
            Assert.Equal("a b&c=é", Encoding.UTF8.GetString(out_, 0, n));
            Assert.Equal("ab/c", Encoding.ASCII.GetString(out_, 0, q.FormField("csrf", out_, 0, 64)));
            Assert.Equal(-1, q.FormField("missing", out_, 0, 64));
            Assert.Equal(-1, q.FormField("password", out_, 0, 3)); // longer than the room given
        }

        [Fact]
        public void LineFeedsAloneAreAccepted()
        {
            var (r, q) = Parse("GET / HTTP/1.0\n\n");
            Assert.Equal(HttpParse.Complete, r);
            Assert.True(q.Http10);
        }

        [Theory]
        [InlineData("GET / HTTP/1.1\r\n\r\n", 400)]                                   // no Host
        [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 400)]
        [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400)]
        [InlineData("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400)]                // absolute-form
        [InlineData("GET / HTTP/1.1\r\nHost: a\rX: y\r\n\r\n", 400)]                  // bare CR
        [InlineData("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400)]            // obs-fold
        [InlineData("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400)]                       // space before the colon
        [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400)]
        [InlineData("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 400)]
        [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400)]
        [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", 400)]
        [InlineData("POST / HTTP/1.1\r\nHost: a\r\n\r\n", 411)]
        [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n", 413)]
        [InlineData("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", 413)]
        [InlineData("PUT / HTTP/1.1\r\nHost: a\r\n\r\n", 405)]
        [InlineData("DELETE /x", 405)]                                               // refused before the line ends
        [InlineData("G\u00c9T / HTTP/1.1\r\n", 400)]
        public void HostileOrUnsupportedRequestsGetTheirStatus(string text, int status)
        {
            Assert.Equal(status, StatusOf(text));
        }

        [Fact]
        public void OversizedHeadersGet431AndALongTarget414()
        {
            Assert.Equal(431, StatusOf("GET / HTTP/1.1\r\nHost: a\r\nX: " + new string('a', 800)));
            var sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
            for (int i = 0; i < 60; i++) sb.Append("X" + i + ": 1\r\n");
            Assert.Equal(431, StatusOf(sb + "\r\n"));
            Assert.Equal(414, StatusOf("GET /" + new string('a', 300) + " HTTP/1.1\r\n"));
            Assert.Equal(414, StatusOf("GET /" + new string('a', 900)));
        }

        [Fact]
        public void SlowlyArrivingRequestsStayIncompleteByteByByte()
        {
            string text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
            for (int i = 1; i < text.Length; i++)
            {
                var (r, _) = Parse(text.Substring(0, i));
                Assert.Equal(HttpParse.Incomplete, r);
            }
            Assert.Equal(HttpParse.Complete, Parse(text).Item1);
        }

        [Fact]
        public void RandomBytesNeverThrow()
        {
            var rnd = new Random(4);
            var b = new byte[1200];
            var q = new HttpRequest(768, 1024, 256);
            var scratch = new byte[256];
            string[] seeds = { "GET / HTTP/1.1\r\nHost: a\r\nCookie: x=y\r\n\r\n", "POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\ncsrf=%zz&a" };
            for (int i = 0; i < 100000; i++)
            {
                int n = rnd.Next(0, b.Length);
                if ((i & 1) == 0)
                {
                    var s = Encoding.ASCII.GetBytes(seeds[i / 2 % 2]);
                    Array.Copy(s, b, Math.Min(s.Length, b.Length));
                    for (int k = 0; k < 3; k++) b[rnd.Next(0, s.Length)] = (byte)rnd.Next(256);
                    n = rnd.Next(0, s.Length + 1);
                }
                else rnd.NextBytes(b);
                if (q.Parse(b, 0, n) == HttpParse.Complete)
                {
                    q.FindCookie("x", out _);
                    q.FormField("csrf", scratch, 0, scratch.Length);
                    _ = q.IsFormBody;
                }
            }
        }
    }
}

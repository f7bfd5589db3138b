using System.Text;
using System.Text.RegularExpressions;
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
        public void AHeadOverItsRoomReportsOverflow()
        {
            var r = new HttpResponse();
            var b = new byte[2000];
            r.Begin(b, 0, 2000);
            r.Write("x");
            r.Status(200, "OK");
            r.Header("X-Long", new string('v', HttpResponse.HeaderRoom));
            Assert.True(r.Overflow);
            Assert.Equal(-1, r.Finish());
            r.Begin(b, 0, HttpResponse.HeaderRoom); // no room for any body
            Assert.True(r.Overflow);
        }

        /// <summary>A page of parts (a fixed structure), its values from the render count: "v" + render in each.</summary>
        static void Page(HttpResponse r, int render, int parts, int partLength)
        {
            for (int p = 0; p < parts; p++)
            {
                r.Part();
                // The render number at both ends (its length changes at 10, 100): a part cut between renders shows two.
                r.Write("<p>").Number(p).Write(":").Number(render * 7).Write(new string((char)('a' + p % 26), partLength)).Number(render * 7).Write("</p>");
            }
        }

        /// <summary>Renders a page in chunks of at most chunk bytes (the first after the head); the bytes, and the renders it took.</summary>
        static string Stream(int parts, int partLength, int chunk, bool changing, out int renders, out string head)
        {
            var r = new HttpResponse();
            var b = new byte[HttpResponse.HeaderRoom + chunk];
            var all = new StringBuilder();
            r.Begin(b, 0, HttpResponse.HeaderRoom + chunk);
            Page(r, 0, parts, partLength);
            r.Status(200, "OK");
            int n = r.Finish();
            Assert.True(n > 0);
            all.Append(Encoding.UTF8.GetString(b, 0, n));
            renders = 1;
            while (!r.Complete)
            {
                Assert.True(renders < 1000);
                r.BeginContinue(b, 0, chunk, r.NextPart, r.NextOffset);
                Page(r, changing ? renders : 0, parts, partLength);
                r.Status(200, "OK"); // ignored when continuing
                n = r.Finish();
                Assert.True(n > 0, "no progress");
                all.Append(Encoding.UTF8.GetString(b, 0, n));
                renders++;
            }
            string text = all.ToString();
            int at = text.IndexOf("\r\n\r\n", System.StringComparison.Ordinal);
            head = text.Substring(0, at + 4);
            return text.Substring(at + 4);
        }

        [Fact]
        public void ABodyLargerThanTheRoomStreamsInChunksAndArrivesWhole()
        {
            var whole = new HttpResponse();
            var big = new byte[HttpResponse.HeaderRoom + 100000];
            whole.Begin(big, 0, big.Length);
            Page(whole, 0, 40, 150);
            whole.Status(200, "OK");
            int n = whole.Finish();
            Assert.True(whole.Complete);
            string wholeText = Encoding.UTF8.GetString(big, 0, n);
            string wholeBody = wholeText.Substring(wholeText.IndexOf("\r\n\r\n", System.StringComparison.Ordinal) + 4);
            Assert.Contains("Content-Length: " + wholeBody.Length + "\r\n", wholeText);
            // Chunks smaller than a part (split inside parts), about one part, several parts.
            foreach (int chunk in new[] { 37, 100, 171, 500, 1024 })
            {
                string body = Stream(40, 150, chunk, false, out int renders, out string head);
                Assert.Equal(wholeBody, body);
                Assert.DoesNotContain("Content-Length", head);
                Assert.EndsWith("Connection: close\r\n\r\n", head);
                Assert.True(renders >= wholeBody.Length / chunk, chunk + ": " + renders + " renders");
            }
        }

        [Fact]
        public void APageWhoseValuesChangeBetweenChunksArrivesAsWholeParts()
        {
            // Parts of 160-170 B in chunks of 500 B: each chunk ends at a part boundary, each part is one render's.
            string body = Stream(30, 150, 500, true, out int renders, out _);
            var parts = Regex.Matches(body, "<p>([0-9]+):([0-9]+)([a-z]+)([0-9]+)</p>");
            Assert.Equal(30, parts.Count);
            int length = 0;
            for (int p = 0; p < 30; p++)
            {
                Assert.Equal(p.ToString(), parts[p].Groups[1].Value);
                Assert.Equal(new string((char)('a' + p % 26), 150), parts[p].Groups[3].Value);
                Assert.Equal(parts[p].Groups[2].Value, parts[p].Groups[4].Value); // one render's part
                length += parts[p].Length;
            }
            Assert.Equal(body.Length, length); // nothing between the parts: no cut part, no part twice
            Assert.True(renders > 5);
            Assert.NotEqual(parts[0].Groups[2].Value, parts[29].Groups[2].Value); // later parts came from later renders
        }
    }
}

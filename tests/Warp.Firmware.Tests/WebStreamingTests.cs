using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Warp.Firmware;
using Warp.Hal;
using Warp.Protocol.Net;
using Warp.Protocol.Web;
using Warp.TestKit;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// The setup page on a board whose send buffer is smaller than the page: the response is
    /// written in chunks as the client acknowledges, through the whole router, with a client that
    /// advertises a small window and loses segments. The bytes are compared with what a router with
    /// a send buffer large enough for the whole page sends (the same random sequence, so the same tokens).
    /// </summary>
    public class WebStreamingTests
    {
        readonly Xunit.Abstractions.ITestOutputHelper output;
        public WebStreamingTests(Xunit.Abstractions.ITestOutputHelper output) { this.output = output; }

        /// <summary>A fixed uplink page source: 12 scan results and 6 saved networks with long names (a page of about 8 KB).</summary>
        sealed class ManyNetworks : IUplinkSetup
        {
            public string Current { get { return "hotel-guest-5GHz (joined)"; } }
            public bool CanScan { get { return true; } }
            public int Scan(string[] names, int[] signal)
            {
                int n = Math.Min(12, names.Length);
                for (int i = 0; i < n; i++)
                {
                    names[i] = "Grand Hotel Floor " + i + " <guest> & \"visitors\" network";
                    signal[i] = -40 - 3 * i;
                }
                return n;
            }
            public int SavedCount { get { return 6; } }
            public string SavedName(int index) { return "saved network number " + index + " at the airport lounge"; }
            public string Join(string name, string password) { return "not in this test"; }
            public bool Forget(string name) { return false; }
            public bool MoveUp(string name) { return false; }
        }

        static RouterSizes Sizes(int connections, int receive, int send)
        {
            var s = RouterSizes.LinuxHost();
            s.WebConnections = connections;
            s.WebReceiveBuffer = receive;
            s.WebSendBuffer = send;
            s.WebKdfIterations = 50;
            return s;
        }

        static RouterHarness Harness(RouterSizes sizes)
        {
            var platform = new RouterPlatform();
            platform.UplinkSetup = new ManyNetworks();
            return new RouterHarness(sizes: sizes, platform: platform);
        }

        static byte[] Frame(RouterHarness h, ushort sport, uint seq, uint ack, byte flags, ushort window, byte[] data)
        {
            int n = data?.Length ?? 0;
            var f = new byte[14 + 40 + n];
            EthernetFrame.WriteHeader(f, 0, h.Lan.Mac, 0, RouterHarness.ClientMac, 0, EthernetFrame.EtherTypeIpv4);
            Ipv4Packet.WriteHeader(f, 14, 40 + n, 1, true, 64, Ipv4Packet.ProtocolTcp, RouterHarness.ClientIp, RouterHarness.RouterIp);
            Endian.Write16(f, 34, sport);
            Endian.Write16(f, 36, 80);
            Endian.Write32(f, 38, seq);
            Endian.Write32(f, 42, ack);
            f[46] = 0x50;
            f[47] = flags;
            Endian.Write16(f, 48, window);
            if (n > 0) Array.Copy(data, 0, f, 54, n);
            Ipv4Packet.TryCreate(f, 14, 40 + n, out var ip);
            TcpSegment.TryCreate(f, 34, 20 + n, out var seg);
            seg.UpdateChecksum(ip.PseudoHeaderSum());
            return f;
        }

        /// <summary>What the client saw: the in-order bytes, whether the FIN came, segments lost on purpose, segments received.</summary>
        sealed class Received
        {
            public byte[] Bytes;
            public bool Fin;
            public int Lost, Segments, Duplicates;
            public long Idle, Elapsed;
            public string Text { get { return Encoding.UTF8.GetString(Bytes); } }
        }

        /// <summary>
        /// One request on a new connection, then a client that acknowledges what arrived in order
        /// with the given window; every lossEvery-th data segment is lost the first time (0: none);
        /// time moves 20 ms a round, and past the router's RTO when nothing arrives.
        /// </summary>
        static Received Fetch(RouterHarness h, ushort port, string request, ushort window, int lossEvery, Action eachRound = null)
        {
            h.Lan.Sent.Clear();
            h.Lan.Inbox.Enqueue(Frame(h, port, 100, 0, TcpSegment.FlagSyn, window, null));
            h.Router.Poll(h.Now);
            var synAck = h.Lan.Sent.Find(f => f.Length >= 54 && f[23] == 6 && f[47] == (TcpSegment.FlagSyn | TcpSegment.FlagAck));
            Assert.NotNull(synAck);
            uint isn = Endian.Read32(synAck, 38);
            h.Lan.Sent.Clear();
            var req = Encoding.ASCII.GetBytes(request);
            uint rcvNxt = isn + 1;
            h.Lan.Inbox.Enqueue(Frame(h, port, 101, rcvNxt, TcpSegment.FlagAck, window, null));
            h.Lan.Inbox.Enqueue(Frame(h, port, 101, rcvNxt, TcpSegment.FlagAck | TcpSegment.FlagPsh, window, req));
            uint mySeq = 101 + (uint)req.Length;
            var got = new List<byte>();
            var r = new Received();
            var lostOnce = new HashSet<uint>();
            int dataSeen = 0;
            long idle = 0, started = h.Now;
            for (int round = 0; round < 2000 && !r.Fin; round++)
            {
                eachRound?.Invoke();
                h.Router.Poll(h.Now);
                var sent = new List<byte[]>(h.Lan.Sent);
                h.Lan.Sent.Clear();
                bool any = false;
                foreach (var f in sent)
                {
                    if (f.Length < 54 || f[23] != 6 || Endian.Read16(f, 36) != port)
                        continue;
                    int ihl = (f[14] & 15) * 4;
                    int total = Endian.Read16(f, 16);
                    int t = 14 + ihl;
                    int off = (f[t + 12] >> 4) * 4;
                    int len = total - ihl - off;
                    uint seq = Endian.Read32(f, t + 4);
                    bool fin = (f[t + 13] & TcpSegment.FlagFin) != 0;
                    if ((f[t + 13] & TcpSegment.FlagRst) != 0)
                    {
                        var cs = h.Router.Web.Counters;
                        var dbg = new StringBuilder();
                        for (int i = 1; i < cs.Length; i++) if (cs.ValueAt(i) != 0) dbg.Append(cs.NameAt(i) + "=" + cs.ValueAt(i) + " ");
                        Assert.Fail("a RST after " + got.Count + " B, round " + round + ", now " + h.Now + ": " + dbg);
                    }
                    if (len == 0 && !fin)
                        continue;
                    Assert.True(len <= window, "a segment of " + len + " B beyond the client's window of " + window);
                    r.Segments++;
                    if (len > 0 && lossEvery > 0 && (++dataSeen % lossEvery) == 0 && lostOnce.Add(seq))
                    {
                        r.Lost++;
                        continue; // lost on the way
                    }
                    any = true;
                    if (seq != rcvNxt)
                    {
                        r.Duplicates++;
                        continue; // out of order or a retransmission of what we have: the ACK below says where we are
                    }
                    for (int i = 0; i < len; i++) got.Add(f[t + off + i]);
                    rcvNxt += (uint)len;
                    if (fin)
                    {
                        rcvNxt++;
                        r.Fin = true;
                    }
                }
                if (any)
                    h.Lan.Inbox.Enqueue(Frame(h, port, mySeq, rcvNxt, (byte)(TcpSegment.FlagAck | (r.Fin ? TcpSegment.FlagFin : 0)), window, null));
                if (any)
                    h.Now += 20;
                else
                {
                    idle += Math.Max(1, h.Router.NextDeadline(h.Now) - h.Now);
                    h.Now = Math.Max(h.Now + 1, h.Router.NextDeadline(h.Now)); // nothing came: the router's next timer (the RTO)
                }
            }
            if (r.Fin)
            {
                h.Router.Poll(h.Now);
                h.Lan.Sent.Clear();
            }
            r.Bytes = got.ToArray();
            r.Idle = idle;
            r.Elapsed = h.Now - started;
            return r;
        }

        /// <summary>Sets the password and logs in (a session cookie) on the harness.</summary>
        static string Session(RouterHarness h)
        {
            var first = Fetch(h, 41000, "GET / HTTP/1.1\r\nHost: 192.168.42.1\r\n\r\n", 65535, 0);
            string pre = Regex.Match(first.Text, "warp_pre=([0-9a-f]{32})").Groups[1].Value;
            Assert.Equal(32, pre.Length);
            string body = "csrf=" + pre + "&password=hotel-secret-1&confirm=hotel-secret-1";
            string post = "POST /setup HTTP/1.1\r\nHost: 192.168.42.1\r\nOrigin: http://192.168.42.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
                "Content-Length: " + body.Length + "\r\nCookie: warp_pre=" + pre + "\r\n\r\n" + body;
            var answer = Fetch(h, 41001, post, 65535, 0);
            Assert.StartsWith("HTTP/1.1 303 See Other\r\n", answer.Text, StringComparison.Ordinal);
            return Regex.Match(answer.Text, "warp_session=([0-9a-f]{32})").Groups[1].Value;
        }

        static string Body(string response, out string head)
        {
            int at = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            Assert.True(at > 0, "no end of head in " + response.Substring(0, Math.Min(200, response.Length)));
            head = response.Substring(0, at + 4);
            return response.Substring(at + 4);
        }

        [Fact]
        public void APageSeveralTimesTheSendBufferArrivesByteIdenticalThroughASmallWindowWithLoss()
        {
            // The reference: a send buffer that holds the whole page (the PSRAM boards' 8 KB is too small for this one: 16 KB).
            var big = Harness(Sizes(2, 4096, 16384));
            string cookieBig = Session(big);
            var whole = Fetch(big, 41002, "GET /wifi HTTP/1.1\r\nHost: 192.168.42.1\r\nCookie: warp_session=" + cookieBig + "\r\n\r\n", 65535, 0);
            Assert.True(whole.Fin);
            string wholeBody = Body(whole.Text, out string wholeHead);
            Assert.Matches("\r\nContent-Length: " + Encoding.UTF8.GetByteCount(wholeBody) + "\r\n", wholeHead);
            Assert.Equal(0, big.Router.Web.Counters[WebCounter.HttpStreamed]);

            // The no-PSRAM board's page: one connection, a 1 KB send buffer; the client's window 600 B, every 3rd data segment lost once.
            var small = Harness(Sizes(1, 1024, 1024));
            string cookieSmall = Session(small);
            Assert.Equal(cookieBig, cookieSmall); // the same random sequence: the same session and CSRF tokens in the forms
            long streamedBefore = small.Router.Web.Counters[WebCounter.HttpStreamed];
            var streamed = Fetch(small, 41002, "GET /wifi HTTP/1.1\r\nHost: 192.168.42.1\r\nCookie: warp_session=" + cookieSmall + "\r\n\r\n", 600, 5);
            Assert.True(streamed.Fin, "the FIN never came; " + streamed.Bytes.Length + " B so far");
            string streamedBody = Body(streamed.Text, out string streamedHead);
            output.WriteLine($"page {Encoding.UTF8.GetByteCount(wholeBody)} B (send buffer 1024 B), {streamed.Segments} segments, {streamed.Lost} lost, " +
                $"{small.Router.Web.Counters[WebCounter.Retransmissions]} retransmissions, {streamed.Elapsed} ms simulated ({streamed.Idle} ms waiting for RTOs)");
            Assert.True(Encoding.UTF8.GetByteCount(wholeBody) > 6 * 1024, "the page is not several times the send buffer");
            Assert.Equal(wholeBody, streamedBody);
            Assert.DoesNotContain("Content-Length", streamedHead);
            Assert.Equal(wholeHead.Replace("\r\nContent-Length: " + Encoding.UTF8.GetByteCount(wholeBody), ""), streamedHead);
            Assert.True(streamed.Lost > 0);
            Assert.True(small.Router.Web.Counters[WebCounter.Retransmissions] > 0);
            Assert.Equal(streamedBefore + 1, small.Router.Web.Counters[WebCounter.HttpStreamed]);
            Assert.Equal(0, small.Router.Web.Counters[WebCounter.ConnectionsAborted]);
        }

        [Fact]
        public void TheStatusPageStreamsWholeOnANoPsramSizedServerWhileCountersMove()
        {
            var h = Harness(Sizes(1, 1024, 1024));
            string cookie = Session(h);
            long streamedBefore = h.Router.Web.Counters[WebCounter.HttpStreamed];
            // Meanwhile the client sends a datagram into the tunnel every round: the page's counters change between its chunks.
            long before = h.Router.Counters[RouterCounter.PacketsToTunnel];
            var r = Fetch(h, 41003, "GET / HTTP/1.1\r\nHost: 192.168.42.1\r\nCookie: warp_session=" + cookie + "\r\n\r\n", 536, 4,
                () => h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5000, 53, new byte[40])));
            output.WriteLine($"status page {r.Bytes.Length} B streamed through a 1024 B send buffer, {h.Router.Counters[RouterCounter.PacketsToTunnel] - before} packets into the tunnel meanwhile");
            Assert.True(h.Router.Counters[RouterCounter.PacketsToTunnel] - before >= 3);
            Assert.True(r.Fin, "no FIN after " + r.Bytes.Length + " B: " + r.Text);
            string body = Body(r.Text, out string head);
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
            Assert.StartsWith("<!doctype html>", body, StringComparison.Ordinal);
            Assert.EndsWith("</main></html>", body, StringComparison.Ordinal);
            foreach (string part in new[] { "<h2>Tunnel</h2>", "<h2>Devices</h2>", "<h2>Counters</h2>", "id=logout", "<th>Uptime<td>" })
                Assert.True(Regex.Matches(body, Regex.Escape(part)).Count == 1, part + " not exactly once");
            Assert.Contains("<td>192.168.42.100<td>", body); // the client's lease row
            Assert.True(Encoding.UTF8.GetByteCount(body) > 1024);
            Assert.Equal(streamedBefore + 1, h.Router.Web.Counters[WebCounter.HttpStreamed]);
        }

        [Fact]
        public void APageThatFitsIsSentAsBeforeWithItsContentLength()
        {
            // The PSRAM boards' sizes: the login form and the status page fit 8 KB and nothing streams.
            var s = RouterSizes.Esp32Psram();
            var sizes = Sizes(s.WebConnections, s.WebReceiveBuffer, s.WebSendBuffer);
            var h = Harness(sizes);
            string cookie = Session(h);
            var r = Fetch(h, 41004, "GET / HTTP/1.1\r\nHost: 192.168.42.1\r\nCookie: warp_session=" + cookie + "\r\n\r\n", 65535, 0);
            string body = Body(r.Text, out string head);
            Assert.Matches("\r\nContent-Length: " + Encoding.UTF8.GetByteCount(body) + "\r\nConnection: close\r\n", head);
            Assert.Equal(0, h.Router.Web.Counters[WebCounter.HttpStreamed]);
        }

        [Fact]
        public void TheNoPsramProfilesPageIsOnAndItsMemoryIsCounted()
        {
            var sizes = RouterSizes.Esp32NoPsram();
            Assert.Equal(1, sizes.WebConnections);
            var h = new RouterHarness(sizes: sizes);
            Assert.NotNull(h.Router.Web);
            int web = h.Router.Web.MemoryBytes;
            output.WriteLine($"no-PSRAM page: WebAdmin.MemoryBytes {web} B (receive {sizes.WebReceiveBuffer} + send {sizes.WebSendBuffer}), router {h.Router.MemoryBytes} B");
            Assert.True(web >= sizes.WebReceiveBuffer + sizes.WebSendBuffer);
            Assert.True(web < 4500, web + " B");
            // The router's total holds it: the same router without the page is that much smaller.
            var off = RouterSizes.Esp32NoPsram();
            off.WebConnections = 0;
            var h0 = new RouterHarness(sizes: off);
            Assert.Null(h0.Router.Web);
            Assert.Equal(web, h.Router.MemoryBytes - h0.Router.MemoryBytes);
        }

        /// <summary>
        /// The no-PSRAM board's login (200 iterations): the derivation runs 2 iterations a poll, so
        /// the router forwards the LAN's packets between its slices; the answer comes after the last.
        /// A client that goes away mid-way leaves nothing behind: the derivation stops and the scratch
        /// holding the password is cleared.
        /// </summary>
        [Fact]
        public void ALoginOnTheNoPsramBoardRunsInSlicesBetweenPollsAndForwardingGoesOn()
        {
            var sizes = RouterSizes.Esp32NoPsram();
            Assert.Equal(200, sizes.WebKdfIterations);
            var h = new RouterHarness(sizes: sizes);
            var web = h.Router.Web;
            // The password is set (sliced too; the helper polls until the answer).
            string cookie = Session(h);
            Assert.Equal(32, cookie.Length);
            Assert.False(web.KdfPending);

            var first = Fetch(h, 41010, "GET / HTTP/1.1\r\nHost: 192.168.42.1\r\n\r\n", 65535, 0);
            Assert.True(first.Fin);
            string pre = Regex.Match(first.Text, "warp_pre=([0-9a-f]{32})").Groups[1].Value;
            string body = "csrf=" + pre + "&password=hotel-secret-1";
            string post = "POST /login HTTP/1.1\r\nHost: 192.168.42.1\r\nOrigin: http://192.168.42.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
                "Content-Length: " + body.Length + "\r\nCookie: warp_pre=" + pre + "\r\n\r\n" + body;
            h.Lan.Sent.Clear();
            h.Lan.Inbox.Enqueue(Frame(h, 41011, 100, 0, TcpSegment.FlagSyn, 65535, null));
            h.Router.Poll(h.Now);
            uint isn = Endian.Read32(h.Lan.Sent[0], 38);
            h.Lan.Sent.Clear();
            h.Lan.Inbox.Enqueue(Frame(h, 41011, 101, isn + 1, TcpSegment.FlagAck, 65535, null));
            h.Lan.Inbox.Enqueue(Frame(h, 41011, 101, isn + 1, TcpSegment.FlagAck | TcpSegment.FlagPsh, 65535, Encoding.ASCII.GetBytes(post)));
            h.Router.Poll(h.Now);
            Assert.True(web.KdfPending);
            Assert.Equal(2, web.Password.SliceIterations);
            long before = h.Router.Counters[RouterCounter.PacketsToTunnel];
            int polls = 1;
            string answer = "";
            var slice = new System.Diagnostics.Stopwatch();
            long longest = 0;
            var times = new List<long>();
            while (web.KdfPending && polls < 1000)
            {
                // A LAN device keeps sending meanwhile: each poll forwards its datagram into the tunnel.
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5001, 53, new byte[40]));
                h.Now += 1;
                slice.Restart();
                h.Router.Poll(h.Now);
                slice.Stop();
                longest = Math.Max(longest, slice.ElapsedTicks);
                times.Add(slice.ElapsedTicks);
                polls++;
            }
            foreach (var f in h.Lan.Sent)
                if (f.Length > 54 && f[23] == 6 && Endian.Read16(f, 36) == 41011) answer += Encoding.ASCII.GetString(f, 54, f.Length - 54);
            long forwarded = h.Router.Counters[RouterCounter.PacketsToTunnel] - before;
            output.WriteLine($"login: {polls} polls (200 iterations, {web.Password.SliceIterations} a slice), {forwarded} datagrams forwarded meanwhile, " +
                $"median poll {Median(times) * 1000.0 / System.Diagnostics.Stopwatch.Frequency:F3} ms, longest {longest * 1000.0 / System.Diagnostics.Stopwatch.Frequency:F2} ms on .NET (the first and last include the JIT)");
            Assert.Equal(101, polls); // the request's poll (U1), then 199 iterations, 2 a poll
            Assert.Equal(polls - 1, forwarded);
            Assert.StartsWith("HTTP/1.1 303 See Other\r\n", answer, StringComparison.Ordinal);
            Assert.Equal(1, web.Counters[WebCounter.LoginsSucceeded]);

            // The client leaves the answered connection (RST), then starts another login and leaves
            // mid-way: the derivation stops, the send buffer (the scratch) holds no password.
            h.Lan.Inbox.Enqueue(Frame(h, 41011, 101 + (uint)post.Length, 0, TcpSegment.FlagRst, 0, null));
            h.Router.Poll(h.Now);
            Assert.Equal(0, web.Tcp.OpenCount);
            pre = "00112233445566778899aabbccddeeff"; // double-submit: any token the cookie repeats
            body = "csrf=" + pre + "&password=hotel-secret-1";
            post = "POST /login HTTP/1.1\r\nHost: 192.168.42.1\r\nOrigin: http://192.168.42.1\r\nContent-Type: application/x-www-form-urlencoded\r\n" +
                "Content-Length: " + body.Length + "\r\nCookie: warp_pre=" + pre + "\r\n\r\n" + body;
            h.Lan.Sent.Clear();
            h.Lan.Inbox.Enqueue(Frame(h, 41013, 100, 0, TcpSegment.FlagSyn, 65535, null));
            h.Router.Poll(h.Now);
            isn = Endian.Read32(h.Lan.Sent[0], 38);
            var postBytes = Encoding.ASCII.GetBytes(post);
            h.Lan.Inbox.Enqueue(Frame(h, 41013, 101, isn + 1, TcpSegment.FlagAck, 65535, null));
            h.Lan.Inbox.Enqueue(Frame(h, 41013, 101, isn + 1, TcpSegment.FlagAck | TcpSegment.FlagPsh, 65535, postBytes));
            h.Router.Poll(h.Now);
            Assert.True(web.KdfPending);
            Assert.Contains("hotel-secret-1", Encoding.ASCII.GetString(web.Tcp.SendBuffer)); // the scratch, while it runs
            h.Lan.Inbox.Enqueue(Frame(h, 41013, 101 + (uint)postBytes.Length, isn + 1, TcpSegment.FlagRst | TcpSegment.FlagAck, 0, null));
            h.Router.Poll(h.Now);
            h.Router.Poll(h.Now);
            Assert.False(web.KdfPending);
            Assert.False(web.Password.Busy);
            Assert.DoesNotContain("hotel-secret-1", Encoding.ASCII.GetString(web.Tcp.SendBuffer));
            Assert.Equal(1, web.Counters[WebCounter.LoginsSucceeded]);
        }

        static long Median(List<long> v) { v.Sort(); return v[v.Count / 2]; }

        [Fact]
        public void TheDevicesDerivationCostIsMeasuredOnDotNet()
        {
            // 200 iterations (the ESP32 boards): 200 HMACs of 4 BLAKE2s compressions each (RFC 2104: ipad block + message, opad block + inner hash).
            var p = new WebPassword(new MemoryStore());
            var pw = Encoding.ASCII.GetBytes("hotel-secret-1");
            var dk = new byte[32];
            p.Derive(pw, 0, pw.Length, new byte[16], 0, 200, dk, 0); // warm up
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < 100; i++)
                p.Derive(pw, 0, pw.Length, new byte[16], 0, 200, dk, 0);
            watch.Stop();
            double ms = watch.Elapsed.TotalMilliseconds / 100;
            output.WriteLine($"PBKDF2-HMAC-BLAKE2s, 200 iterations, managed on .NET: {ms:F3} ms ({ms * 1000 / 800:F2} us a compression, 800 compressions)");
            // The same key as Python's hashlib, sliced: 2 iterations a step.
            var store = new MemoryStore();
            var r = new WebPassword(store);
            Assert.True(r.Set(pw, 0, pw.Length, 200, new SeededRandom(3)));
            var check = new WebPassword(store);
            Assert.True(check.BeginVerify(pw, 0, pw.Length));
            int steps = 0;
            while (!check.Step()) steps++;
            Assert.Equal(99, steps);
            Assert.True(check.FinishVerify());
            var wrong = Encoding.ASCII.GetBytes("hotel-secret-2");
            Assert.True(check.BeginVerify(wrong, 0, wrong.Length));
            while (!check.Step()) { }
            Assert.False(check.FinishVerify());
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warp.Firmware;
using Warp.Hal;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>The probe answer's parser: verdicts, the Location, and untrusted input that never throws.</summary>
    public class PortalResponseTests
    {
        static PortalVerdict Parse(string text, out PortalResponse r)
        {
            r = new PortalResponse();
            byte[] b = Encoding.ASCII.GetBytes(text);
            return r.Parse(b, 0, b.Length);
        }

        static string Location(PortalResponse r, string text)
        {
            return Encoding.Latin1.GetString(Encoding.Latin1.GetBytes(text), r.LocationOffset, r.LocationLength);
        }

        [Theory]
        [InlineData("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\n\r\n", PortalVerdict.Clear, 204)]
        [InlineData("HTTP/1.0 204 No Content\r\n\r\n", PortalVerdict.Clear, 204)]
        [InlineData("HTTP/1.1 204\r\n\r\n", PortalVerdict.Clear, 204)] // the reason phrase may be absent (RFC 9112 4)
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", PortalVerdict.Clear, 200)]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>Welcome to the hotel</html>", PortalVerdict.Portal, 200)]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", PortalVerdict.Portal, 200)]
        [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n", PortalVerdict.Portal, 200)] // head cut off by the bound: a page
        [InlineData("HTTP/1.1 511 Network Authentication Required\r\n\r\n", PortalVerdict.Portal, 511)]
        [InlineData("HTTP/1.1 307 Temporary Redirect\r\nLocation: /login\r\n\r\n", PortalVerdict.Portal, 307)]
        [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found", PortalVerdict.OtherStatus, 404)]
        [InlineData("HTTP/1.1 500 Internal Server Error\r\n\r\n", PortalVerdict.OtherStatus, 500)]
        public void StatusDecidesTheVerdict(string answer, PortalVerdict verdict, int status)
        {
            Assert.Equal(verdict, Parse(answer, out var r));
            Assert.Equal(status, r.Status);
        }

        [Fact]
        public void ARedirectKeepsItsLocation()
        {
            string text = "HTTP/1.1 302 Found\r\nServer: hotel\r\nlocation:  http://198.51.100.1:8080/login?from=x \r\nContent-Length: 0\r\n\r\n";
            Assert.Equal(PortalVerdict.Portal, Parse(text, out var r));
            Assert.Equal("http://198.51.100.1:8080/login?from=x", Location(r, text));
            Assert.Equal(0, r.ContentLength);
            Assert.Equal(0, r.BodyBytes);
        }

        [Fact]
        public void BareLineFeedsAreAccepted()
        {
            string text = "HTTP/1.1 302 Found\nLOCATION: http://portal.example/\n\n";
            Assert.Equal(PortalVerdict.Portal, Parse(text, out var r));
            Assert.Equal("http://portal.example/", Location(r, text));
        }

        [Fact]
        public void ALocationCutOffByTheReadBoundIsDropped()
        {
            Assert.Equal(PortalVerdict.Portal, Parse("HTTP/1.1 302 Found\r\nLocation: http://portal.example/lo", out var r));
            Assert.Equal(0, r.LocationLength);
        }

        [Fact]
        public void ALongLocationIsCutAtTheCapacityAndFlagged()
        {
            string url = "http://portal.example/" + new string('a', 400);
            string text = "HTTP/1.1 302 Found\r\nLocation: " + url + "\r\n\r\n";
            Assert.Equal(PortalVerdict.Portal, Parse(text, out var r));
            Assert.Equal(PortalResponse.LocationCapacity, r.LocationLength);
            Assert.True(r.LocationTruncated);
            Assert.Equal(url.Substring(0, PortalResponse.LocationCapacity), Location(r, text));
        }

        [Theory]
        [InlineData("Location: http://a/\u0001b")]
        [InlineData("Location: http://a/ b")]
        [InlineData("Location: http://a/\u00e9")]
        public void ALocationWithControlBytesOrSpacesIsNotKept(string field)
        {
            var r = new PortalResponse();
            byte[] b = Encoding.Latin1.GetBytes("HTTP/1.1 302 Found\r\n" + field + "\r\n\r\n");
            Assert.Equal(PortalVerdict.Portal, r.Parse(b, 0, b.Length));
            Assert.Equal(0, r.LocationLength);
        }

        [Theory]
        [InlineData("")]
        [InlineData("HTTP/1.1")]
        [InlineData("HTTP/1.1 204")] // nothing after the code: not a full status line
        [InlineData("HTTP/2 204\r\n\r\n")]
        [InlineData("HTTP/1.1 20 No\r\n\r\n")]
        [InlineData("HTTP/1.1 2x4 No\r\n\r\n")]
        [InlineData("HTTP/1.1 2045 No\r\n\r\n")]
        [InlineData("HTTP/1.1 099 Low\r\n\r\n")]
        [InlineData("http/1.1 204 No Content\r\n\r\n")]
        [InlineData("SSH-2.0-OpenSSH_9.2\r\n")]
        [InlineData("\r\n\r\n")]
        public void NotAStatusLineIsMalformed(string answer)
        {
            Assert.Equal(PortalVerdict.Malformed, Parse(answer, out var r));
            Assert.Equal(-1, r.Status);
        }

        [Theory]
        [InlineData("Content-Length: 99999999999999999999")]
        [InlineData("Content-Length: -5")]
        [InlineData("Content-Length: 12abc")]
        [InlineData("Content-Length:")]
        public void ANonsenseContentLengthReadsAsAbsent(string field)
        {
            Assert.Equal(PortalVerdict.Clear, Parse("HTTP/1.1 200 OK\r\n" + field + "\r\n\r\n", out var r));
            Assert.Equal(-1, r.ContentLength);
        }

        [Fact]
        public void BadBoundsReadAsMalformed()
        {
            var r = new PortalResponse();
            byte[] b = Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\n\r\n");
            Assert.Equal(PortalVerdict.Malformed, r.Parse(null, 0, 10));
            Assert.Equal(PortalVerdict.Malformed, r.Parse(b, -1, 10));
            Assert.Equal(PortalVerdict.Malformed, r.Parse(b, 0, b.Length + 1));
            Assert.Equal(PortalVerdict.Malformed, r.Parse(b, b.Length, 1));
            Assert.Equal(PortalVerdict.Malformed, r.Parse(b, 5, int.MaxValue));
            Assert.Equal(PortalVerdict.Clear, r.Parse(b, 0, b.Length));
            Assert.Equal(0, r.LocationLength);
        }

        /// <summary>
        /// Random bytes, and real answers with bytes flipped, cut or spliced: the parser never throws,
        /// never reads outside its slice (the slice sits inside a larger buffer of sentinels that would
        /// change the verdict if read), and any Location it keeps is printable ASCII within the capacity.
        /// </summary>
        [Fact]
        public void UntrustedBytesNeverThrowOrReadOutsideTheSlice()
        {
            var rng = new Random(19);
            string[] seeds =
            {
                "HTTP/1.1 302 Found\r\nLocation: http://198.51.100.1:8080/login\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            };
            var r = new PortalResponse();
            int[] seen = new int[4];
            for (int i = 0; i < 200000; i++)
            {
                byte[] input;
                if (i % 4 == 0)
                {
                    input = new byte[rng.Next(0, 64)];
                    rng.NextBytes(input);
                }
                else
                {
                    input = Encoding.ASCII.GetBytes(seeds[rng.Next(seeds.Length)]);
                    int flips = rng.Next(1, 4);
                    for (int k = 0; k < flips; k++)
                        input[rng.Next(input.Length)] = (byte)rng.Next(256);
                    if (rng.Next(3) == 0)
                        Array.Resize(ref input, rng.Next(input.Length + 1));
                }
                // The slice in the middle of a buffer full of "\n" bytes: reading past it would find an end of head.
                var buffer = new byte[input.Length + 32];
                buffer.AsSpan().Fill((byte)'\n');
                Array.Copy(input, 0, buffer, 16, input.Length);
                PortalVerdict v = r.Parse(buffer, 16, input.Length);
                var alone = new PortalResponse();
                Assert.Equal(alone.Parse(input, 0, input.Length), v);
                Assert.Equal(alone.BodyBytes, r.BodyBytes);
                seen[(int)v]++;
                Assert.InRange(r.LocationLength, 0, PortalResponse.LocationCapacity);
                if (r.LocationLength > 0)
                {
                    Assert.InRange(r.LocationOffset, 16, 16 + input.Length - r.LocationLength); // inside the slice
                    Assert.Equal(alone.LocationOffset + 16, r.LocationOffset);
                    for (int k = 0; k < r.LocationLength; k++)
                        Assert.InRange(buffer[r.LocationOffset + k], (byte)0x21, (byte)0x7E);
                }
            }
            foreach (int count in seen)
                Assert.True(count > 0, "every verdict is reached: " + string.Join(",", seen));
        }
    }

    /// <summary>When the detector probes, how it backs off, and what each answer makes of the state, on a fake clock.</summary>
    public class PortalDetectorTests
    {
        const string Redirect = "HTTP/1.1 302 Found\r\nLocation: http://198.51.100.1:8080/login\r\n\r\n";
        const string NoContent = "HTTP/1.1 204 No Content\r\n\r\n";
        readonly FakeClock clock = new FakeClock(1000);
        readonly MemoryPortalProbe probe = new MemoryPortalProbe();
        readonly PortalDetector d;

        public PortalDetectorTests()
        {
            d = new PortalDetector(probe, null, null);
            d.OnUplinkChanged(clock.Now);
        }

        /// <summary>Ticks every 100 ms for <paramref name="ms"/> with the tunnel silent (never heard) and the uplink up.</summary>
        void Run(long ms, bool tunnelUp = false, bool uplinkUp = true, long lastHeard = -1)
        {
            for (long end = clock.Now + ms; clock.Now < end;)
            {
                clock.Advance(100);
                d.Tick(clock.Now, uplinkUp, tunnelUp, lastHeard);
            }
        }

        [Fact]
        public void TheFirstProbeWaitsForTenSecondsOfSilence()
        {
            Run(PortalDetector.QuietBeforeProbeMs - 100);
            Assert.Empty(probe.Starts);
            Run(100);
            var s = Assert.Single(probe.Starts);
            Assert.Equal(("connectivitycheck.gstatic.com", 80, "/generate_204"), (s.Host, s.Port, s.Path));
            Assert.Equal(1000 + PortalDetector.QuietBeforeProbeMs, s.At);
            Assert.True(d.Running);
        }

        [Fact]
        public void NoProbeWhileTheTunnelIsUpOrTheUplinkIsDown()
        {
            Run(60000, tunnelUp: true);
            Assert.Empty(probe.Starts);
            Run(60000, uplinkUp: false);
            Assert.Empty(probe.Starts);
            Assert.Equal(long.MaxValue, d.NextDeadline(clock.Now));
        }

        [Fact]
        public void SilenceCountsFromTheLastAnswerOfThePeer()
        {
            Run(30000, lastHeard: 25000); // heard 25 s in: quiet only from then
            Assert.Empty(probe.Starts);
            Run(5000, lastHeard: 25000);
            Assert.Single(probe.Starts);
            Assert.Equal(25000 + PortalDetector.QuietBeforeProbeMs, probe.Starts[0].At);
        }

        [Fact]
        public void ARedirectIsAPortalWithItsLocation()
        {
            probe.AutoAnswer = Encoding.ASCII.GetBytes(Redirect);
            Run(PortalDetector.QuietBeforeProbeMs + 100);
            Assert.Equal(PortalState.Detected, d.State);
            Assert.Equal("http://198.51.100.1:8080/login", d.Location);
            Assert.Equal(302, d.LastStatus);
            Assert.Equal(1, d.Counters[PortalCounter.AnswersPortal]);
        }

        [Fact]
        public void NoContentIsClearAndTheBackoffDoublesUpToTenMinutes()
        {
            probe.AutoAnswer = Encoding.ASCII.GetBytes(NoContent);
            Run(60 * 60 * 1000);
            Assert.Equal(PortalState.Clear, d.State);
            var gaps = new List<long>();
            for (int i = 1; i < probe.Starts.Count; i++)
                gaps.Add(probe.Starts[i].At - probe.Starts[i - 1].At);
            // Answered at the first poll (100 ms after the start), then the backoff from there.
            Assert.Equal(new long[] { 30100, 60100, 120100, 240100, 480100, 600100, 600100, 600100 }, gaps.Take(8).ToArray());
            Assert.Equal(probe.Starts.Count, d.Counters[PortalCounter.AnswersClear]);
        }

        [Fact]
        public void WhileAPortalIsShownTheBackoffStopsAtTwoMinutes()
        {
            probe.AutoAnswer = Encoding.ASCII.GetBytes(Redirect);
            Run(30 * 60 * 1000);
            long last = probe.Starts[probe.Starts.Count - 1].At - probe.Starts[probe.Starts.Count - 2].At;
            Assert.Equal(PortalDetector.MaxPortalBackoffMs + 100, last);
        }

        [Fact]
        public void AProbeWithoutAnAnswerTimesOutAndIsCancelled()
        {
            Run(PortalDetector.QuietBeforeProbeMs);
            Assert.Single(probe.Starts);
            Run(PortalDetector.ProbeTimeoutMs - 100);
            Assert.True(d.Running);
            Run(100);
            Assert.False(d.Running);
            Assert.Equal(1, probe.Cancels);
            Assert.Equal(1, d.Counters[PortalCounter.ProbesTimedOut]);
            Assert.Equal(PortalState.Unknown, d.State);
            Run(PortalDetector.FirstBackoffMs - 100);
            Assert.Single(probe.Starts);
            Run(100);
            Assert.Equal(2, probe.Starts.Count);
        }

        [Fact]
        public void FailuresAndOddAnswersTellNothing()
        {
            Run(PortalDetector.QuietBeforeProbeMs);
            probe.Fail();
            Run(100);
            Assert.Equal(1, d.Counters[PortalCounter.ProbesFailed]);
            Assert.Equal(PortalState.Unknown, d.State);
            Run(PortalDetector.FirstBackoffMs);
            probe.Answer("HTTP/1.1 404 Not Found\r\n\r\n");
            Run(100);
            Assert.Equal(1, d.Counters[PortalCounter.AnswersOtherStatus]);
            Assert.Equal(PortalState.Unknown, d.State);
            Run(2 * PortalDetector.FirstBackoffMs);
            probe.Answer(new byte[] { 0x16, 0x03, 0x01, 0x00 }); // a TLS record where HTTP was expected
            Run(100);
            Assert.Equal(1, d.Counters[PortalCounter.DropMalformedAnswer]);
            Assert.Equal(PortalState.Unknown, d.State);
            Assert.Equal(3, probe.Starts.Count);
        }

        [Fact]
        public void AStartTheAdapterRefusesIsCountedAndRetriedLater()
        {
            probe.CanStart = false;
            Run(PortalDetector.QuietBeforeProbeMs + PortalDetector.FirstBackoffMs - 100);
            Assert.Equal(1, d.Counters[PortalCounter.ProbesNotStarted]);
            probe.CanStart = true;
            Run(200);
            Assert.Single(probe.Starts);
        }

        [Fact]
        public void TheTunnelComingUpClearsAPortalAndAProbeAskedForStillRuns()
        {
            probe.AutoAnswer = Encoding.ASCII.GetBytes(Redirect);
            Run(PortalDetector.QuietBeforeProbeMs + 100);
            Assert.Equal(PortalState.Detected, d.State);
            Run(100, tunnelUp: true);
            Assert.Equal(PortalState.Clear, d.State);
            Assert.Equal("", d.Location);
            Run(30 * 60 * 1000, tunnelUp: true);
            Assert.Single(probe.Starts);
            d.ProbeNow();
            Assert.Equal(clock.Now, d.NextDeadline(clock.Now));
            Run(200, tunnelUp: true);
            Assert.Equal(2, probe.Starts.Count);
            Assert.Equal(PortalState.Detected, d.State); // the answer is the answer, tunnel or not
        }

        [Fact]
        public void AnUplinkChangeForgetsTheVerdictAndStartsOver()
        {
            probe.AutoAnswer = Encoding.ASCII.GetBytes(NoContent);
            Run(10 * 60 * 1000); // backoff grown to minutes
            int before = probe.Starts.Count;
            d.OnUplinkChanged(clock.Now);
            Assert.Equal(PortalState.Unknown, d.State);
            Run(PortalDetector.QuietBeforeProbeMs - 100);
            Assert.Equal(before, probe.Starts.Count);
            Run(100);
            Assert.Equal(before + 1, probe.Starts.Count);
        }

        [Fact]
        public void AProbeInFlightWhenTheUplinkChangesIsCancelledAndItsAnswerNeverCounts()
        {
            Run(PortalDetector.QuietBeforeProbeMs);
            Assert.True(d.Running);
            d.OnUplinkChanged(clock.Now); // e.g. a MAC clone while the old MAC's probe is out
            Assert.False(d.Running);
            Assert.Equal(1, probe.Cancels);
            probe.Answer("HTTP/1.1 302 Found\r\nLocation: http://old.example/\r\n\r\n"); // too late: the adapter dropped it
            Run(100);
            Assert.Equal(PortalState.Unknown, d.State);
            Assert.Equal(0, d.Counters[PortalCounter.AnswersPortal]);
        }

        [Fact]
        public void NextDeadlineIsWhenTheNextProbeStarts()
        {
            probe.AutoAnswer = Encoding.ASCII.GetBytes(NoContent);
            Assert.Equal(1000 + PortalDetector.QuietBeforeProbeMs, d.NextDeadline(clock.Now));
            Run(PortalDetector.QuietBeforeProbeMs + 100);
            long next = d.NextDeadline(clock.Now);
            Assert.Equal(clock.Now + PortalDetector.FirstBackoffMs, next);
            clock.Now = next - 1;
            d.Tick(clock.Now, true, false, -1);
            Assert.Single(probe.Starts);
            clock.Now = next;
            d.Tick(clock.Now, true, false, -1);
            Assert.Equal(2, probe.Starts.Count);
        }

        [Fact]
        public void WithoutAProbeNothingHappens()
        {
            var off = new PortalDetector(null, null, null);
            for (long t = 0; t < 600000; t += 1000)
                off.Tick(t, true, false, -1);
            Assert.False(off.Enabled);
            Assert.Equal(PortalState.Unknown, off.State);
            Assert.Equal(long.MaxValue, off.NextDeadline(0));
        }

        [Theory]
        [InlineData("http://connectivitycheck.gstatic.com/generate_204", "connectivitycheck.gstatic.com", 80, "/generate_204")]
        [InlineData("http://198.51.100.204/generate_204", "198.51.100.204", 80, "/generate_204")]
        [InlineData("http://captive.example:8080", "captive.example", 8080, "/")]
        [InlineData("http://[2001:db8::1]:81/x?y=1", "2001:db8::1", 81, "/x?y=1")]
        [InlineData("http://[2001:db8::1]/", "2001:db8::1", 80, "/")]
        public void UrlsGiveHostPortAndPath(string url, string host, int port, string path)
        {
            Assert.True(d.SetUrl(url));
            Assert.Equal(url, d.Url);
            Run(PortalDetector.QuietBeforeProbeMs + 100);
            Assert.Equal((host, port, path), (probe.Starts[0].Host, probe.Starts[0].Port, probe.Starts[0].Path));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("https://example.com/")]
        [InlineData("http://")]
        [InlineData("http://:80/")]
        [InlineData("http://host:0/")]
        [InlineData("http://host:65536/")]
        [InlineData("http://host:8x/")]
        [InlineData("http://ho st/")]
        [InlineData("http://user@host/")]
        [InlineData("http://host/a b")]
        public void BadUrlsAreRefusedAndTheOldOneStays(string url)
        {
            Assert.False(d.SetUrl(url));
            Assert.Equal(PortalDetector.DefaultUrl, d.Url);
        }
    }

    /// <summary>The router's part: detection fed from the tunnel, the MAC clone and restore, the stored clone, the console, and the kill switch throughout.</summary>
    public class RouterPortalTests
    {
        static readonly byte[] PhoneMac = { 0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30 };
        readonly MemoryPortalProbe probe = new MemoryPortalProbe();
        readonly MemoryUplinkMac mac = new MemoryUplinkMac();

        RouterHarness Harness(MemoryStore store = null)
        {
            return new RouterHarness(store: store, platform: new RouterPlatform { PortalProbe = probe, UplinkMac = mac });
        }

        static Dictionary<string, string> Record(RouterHarness h, string command)
        {
            var o = new LinesOutput();
            RouterConsole.Execute(h.Router, command + " -m", h.Now, o);
            Assert.Equal(2, o.All.Count);
            Assert.Equal("end records=1", o.All[1]);
            var fields = new Dictionary<string, string>();
            foreach (var part in o.All[0].Split(' ').Skip(1))
            {
                int eq = part.IndexOf('=');
                fields[part.Substring(0, eq)] = Uri.UnescapeDataString(part.Substring(eq + 1));
            }
            return fields;
        }

        static void Advance(RouterHarness h, long ms)
        {
            for (long end = h.Now + ms; h.Now < end;)
            {
                h.Now += 100;
                h.Router.Poll(h.Now);
            }
        }

        [Fact]
        public void TheRouterProbesWhenThePeerIsSilentAndReportsThePortal()
        {
            var h = Harness();
            h.Router.Start(h.Now);
            probe.AutoAnswer = Encoding.ASCII.GetBytes("HTTP/1.1 302 Found\r\nLocation: http://198.51.100.1:8080/login\r\n\r\n");
            Advance(h, PortalDetector.QuietBeforeProbeMs + 200); // the peer never answers (its datagrams are not delivered)
            Assert.Single(probe.Starts);
            var s = Record(h, "status");
            Assert.Equal("handshaking", s["tunnel"]);
            Assert.Equal("detected", s["portal"]);
            Assert.Equal("http://198.51.100.1:8080/login", s["portal_location"]);
            Assert.Equal("302", s["portal_http_status"]);
            Assert.Equal("0", s["mac_clone"]);
            Assert.Equal("02:0a:0b:0c:0d:0e", s["uplink_mac"]);
            var p = Record(h, "portal");
            Assert.Equal(PortalDetector.DefaultUrl, p["probe_url"]);
            Assert.Equal("1", p["clone_supported"]);
            var o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "status", h.Now, o));
            Assert.Contains("portal: detected (http://198.51.100.1:8080/login), last probe 0 s ago (HTTP 302)", o.All);
            var c = new LinesOutput();
            RouterConsole.Execute(h.Router, "counters", h.Now, c);
            Assert.Contains("portal.answers_portal 1", c.All);
        }

        [Fact]
        public void NoProbeWhileTheTunnelAnswers()
        {
            var h = Harness();
            h.Router.Start(h.Now);
            for (int i = 0; i < 600; i++)
            {
                h.Now += 100;
                h.Router.Poll(h.Now);
                h.ExchangeWithPeer(); // the peer answers handshakes and keepalives
            }
            Assert.Equal("up", Record(h, "status")["tunnel"]);
            Assert.Empty(probe.Starts);
            Assert.Equal("clear", Record(h, "status")["portal"]);
        }

        [Fact]
        public void ACloneGivesTheUplinkThePhonesMacRacesAndIsRestored()
        {
            var h = Harness();
            h.Router.Start(h.Now);
            Advance(h, 6000);
            h.Uplink.Sent.Clear();
            var o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "portal clone 3C:22:FB:10:20:30", h.Now, o));
            Assert.Equal("uplink: cloned 3c:22:fb:10:20:30 (own 02:0a:0b:0c:0d:0e); racing the paths", o.All[0]);
            Assert.Equal(PhoneMac, mac.Mac);
            Assert.True(h.Router.MacCloneActive);
            Assert.Equal(1, h.Router.Portal.Counters[PortalCounter.MacClones]);
            // The race resends the initiation at once on the new identity.
            Assert.Contains(h.Uplink.Sent, d => d.Length == 148 && d[0] == 1);
            Assert.Equal(new byte[] { 2, 10, 11, 12, 13, 14, 0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30 }, h.Store.Records[StoredRecords.UplinkMacClone]);
            var s = Record(h, "status");
            Assert.Equal(("1", "3c:22:fb:10:20:30", "02:0a:0b:0c:0d:0e"), (s["mac_clone"], s["uplink_mac"], s["own_uplink_mac"]));
            Assert.Equal("unknown", s["portal"]);

            // Now the portal lets us through: the tunnel comes up.
            h.ExchangeWithPeer();
            Assert.Equal("up", Record(h, "status")["tunnel"]);

            o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "portal restore", h.Now, o));
            Assert.Equal("uplink: own MAC restored 02:0a:0b:0c:0d:0e", o.All[0]);
            Assert.Equal(new byte[] { 2, 10, 11, 12, 13, 14 }, mac.Mac);
            Assert.False(h.Router.MacCloneActive);
            Assert.False(h.Store.Records.ContainsKey(StoredRecords.UplinkMacClone));
            Assert.Equal("0", Record(h, "status")["mac_clone"]);
            o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "portal restore", h.Now, o));
            Assert.StartsWith("uplink: no clone active", o.All[0]);
        }

        [Theory]
        [InlineData("portal clone 01:00:5e:00:00:01", "uplink: clone failed: invalid_mac")] // multicast
        [InlineData("portal clone 00:00:00:00:00:00", "uplink: clone failed: invalid_mac")]
        [InlineData("portal clone 02:57:00:00:00:01", "uplink: clone failed: invalid_mac")] // the router's own LAN MAC
        [InlineData("portal clone 3c:22:fb:10:20", "usage: portal clone XX:XX:XX:XX:XX:XX (the MAC of the device that logged in to the portal)")]
        [InlineData("portal clone", "usage: portal clone XX:XX:XX:XX:XX:XX (the MAC of the device that logged in to the portal)")]
        [InlineData("portal frobnicate", "usage: portal | portal probe | portal clone MAC | portal restore")]
        public void BadClonesAreRefusedAndNothingChanges(string command, string answer)
        {
            var h = Harness();
            var o = new LinesOutput();
            Assert.False(RouterConsole.Execute(h.Router, command, h.Now, o));
            Assert.Equal(answer, o.All[0]);
            Assert.Empty(mac.Writes);
            Assert.False(h.Router.MacCloneActive);
            Assert.False(h.Store.Records.ContainsKey(StoredRecords.UplinkMacClone));
        }

        [Fact]
        public void ThePagesClientIsClonedByItsLease()
        {
            var h = Harness(); // the client holds a lease on 192.168.42.100
            Assert.Equal(MacChange.InvalidMac, h.Router.CloneUplinkMacOf(RouterHarness.ClientIp + 1, h.Now)); // bound to nobody
            Assert.Empty(mac.Writes);
            Assert.Equal(MacChange.Done, h.Router.CloneUplinkMacOf(RouterHarness.ClientIp, h.Now));
            Assert.Equal(RouterHarness.ClientMac, mac.Mac);
            Assert.True(h.Router.MacCloneActive);
        }

        [Fact]
        public void AMacThePlatformRefusesLeavesTheOwnOne()
        {
            var h = Harness();
            mac.Refuse = true;
            Assert.Equal(MacChange.Refused, h.Router.CloneUplinkMac(PhoneMac, 0, h.Now));
            Assert.False(h.Router.MacCloneActive);
            Assert.Equal(new byte[] { 2, 10, 11, 12, 13, 14 }, mac.Mac);
            Assert.Equal(1, h.Router.Portal.Counters[PortalCounter.MacChangesRefused]);
        }

        [Fact]
        public void WithoutAnAdapterACloneIsNotSupported()
        {
            var h = new RouterHarness();
            Assert.Equal(MacChange.NotSupported, h.Router.CloneUplinkMac(PhoneMac, 0, h.Now));
            var o = new LinesOutput();
            RouterConsole.Execute(h.Router, "portal", h.Now, o);
            Assert.Equal("portal: unknown (no probe on this platform), last probe never", o.All[0]);
            Assert.Equal("uplink mac: unknown (clone not supported)", o.All[1]);
        }

        [Fact]
        public void AStoredCloneIsPutBackAtStartAndACleanStopReturnsTheOwnMac()
        {
            var store = new MemoryStore();
            var h = Harness(store);
            Assert.Equal(MacChange.Done, h.Router.CloneUplinkMac(PhoneMac, 0, h.Now));
            // A crash: the interface still carries the clone, the new router must not take it for its own.
            var again = new MemoryUplinkMac();
            Array.Copy(PhoneMac, again.Mac, 6);
            var h2 = new RouterHarness(store: store, platform: new RouterPlatform { PortalProbe = new MemoryPortalProbe(), UplinkMac = again }, lease: false);
            Assert.True(h2.Router.MacCloneActive);
            var own = new byte[6];
            Assert.True(h2.Router.CopyOwnUplinkMac(own, 0));
            Assert.Equal(new byte[] { 2, 10, 11, 12, 13, 14 }, own);
            h2.Router.Shutdown(h2.Now);
            Assert.Equal(new byte[] { 2, 10, 11, 12, 13, 14 }, again.Mac);
            Assert.True(store.Records.ContainsKey(StoredRecords.UplinkMacClone)); // put back at the next start
            Assert.True(StoredRecords.FactoryReset(store));
            Assert.False(store.Records.ContainsKey(StoredRecords.UplinkMacClone));
        }

        /// <summary>
        /// Kill switch with a clone: a LAN device's packets while the tunnel is down leave as nothing
        /// (only handshake initiations go out), and once it is up only as tunnel data messages; the
        /// payload never appears in clear in any datagram, and the probe never carries it.
        /// </summary>
        [Fact]
        public void NoLanPacketLeavesInClearWhileCloned()
        {
            var h = Harness();
            h.Router.Start(h.Now);
            Assert.Equal(MacChange.Done, h.Router.CloneUplinkMac(PhoneMac, 0, h.Now));
            byte[] secret = Encoding.ASCII.GetBytes("LAN-SECRET-PAYLOAD-0123456789");
            var sent = new List<byte[]>();
            for (int i = 0; i < 50; i++)
            {
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 40000, 53, secret));
                h.Now += 300;
                h.Router.Poll(h.Now);
                sent.AddRange(h.Uplink.Sent);
                h.Uplink.Sent.Clear();
            }
            Assert.NotEmpty(sent);
            Assert.All(sent, d => Assert.True(d.Length == 148 && d[0] == 1, "only initiations while down: type " + d[0] + ", " + d.Length + " bytes"));
            Assert.True(probe.Starts.Count >= 1);
            h.Uplink.Sent.Add(sent.Last()); // the portal lets the clone through: the latest initiation reaches the peer
            h.ExchangeWithPeer();
            for (int i = 0; i < 20; i++)
            {
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 40000, 53, secret));
                h.Now += 50;
                h.Router.Poll(h.Now);
                sent.AddRange(h.Uplink.Sent);
                h.Uplink.Sent.Clear();
            }
            Assert.Contains(sent, d => d[0] == 4);
            Assert.All(sent, d => Assert.True(d[0] >= 1 && d[0] <= 4, "a WireGuard message"));
            Assert.DoesNotContain(sent, d => d.AsSpan().IndexOf(secret) >= 0);
        }
    }
}

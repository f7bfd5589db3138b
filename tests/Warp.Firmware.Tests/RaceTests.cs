using System;
using System.Collections.Generic;
using System.Linq;
using Warp.Hal;
using Warp.Protocol.Uplink;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// The racer inside the router against a real responder <see cref="Tunnel"/> (the WARP edge's
    /// part) reachable over IPv4 and IPv6, on a fake clock: one initiation on several paths, one
    /// session; fast reconnect on injected send failures; the winner cache across a reboot.
    /// </summary>
    public class RaceTests
    {
        const string BothFamilies = "10.250.2.2:51820, [fd10:250:2::2]:51820";
        readonly byte[] peerOut = new byte[2048];

        static Endpoint Parse(string text)
        {
            var e = new Endpoint();
            if (text.StartsWith("["))
            {
                var b = new byte[16];
                Warp.Protocol.Net.AddressText.TryParseIpv6(text.Substring(1, text.IndexOf(']') - 1), b, 0);
                e.Set(Endpoint.FamilyIpv6, b, 0, int.Parse(text.Substring(text.LastIndexOf(':') + 1)));
            }
            else
            {
                var p = text.Split(':')[0].Split('.').Select(byte.Parse).ToArray();
                e.Set(Endpoint.FamilyIpv4, p, 0, int.Parse(text.Split(':')[1]));
            }
            return e;
        }

        /// <summary>Hands the router's datagrams to <paramref name="to"/> paths that are delivered (others are black holes) after the clock reaches their arrival; answers come back from that path.</summary>
        sealed class Network
        {
            public readonly List<(long At, int Uplink, string To, byte[] Data)> InFlight = new List<(long, int, string, byte[])>();
            public readonly Dictionary<string, long> Delay = new Dictionary<string, long>();
            public int Delivered;
        }

        void Run(RouterHarness h, FaultyUplink up, Network net, long until, Endpoint routerSide)
        {
            for (; h.Now <= until; h.Now++)
            {
                foreach (var f in net.InFlight.Where(x => x.At <= h.Now).ToList())
                {
                    net.InFlight.Remove(f);
                    net.Delivered++;
                    var r = h.Peer.Decapsulate(routerSide, f.Data, 0, f.Data.Length, peerOut, 0, h.Now);
                    long back = net.Delay[f.To];
                    if (r.Action == TunnelAction.WriteToNetwork)
                        Later(h, up, f.Uplink, f.To, MemoryLan.Copy(peerOut, 0, r.Length), back);
                    TunnelResult t;
                    while ((t = h.Peer.Tick(h.Now, peerOut, 0)).Action == TunnelAction.WriteToNetwork)
                        Later(h, up, f.Uplink, f.To, MemoryLan.Copy(peerOut, 0, t.Length), back);
                }
                foreach (var a in answers.Where(x => x.At <= h.Now).ToList())
                {
                    answers.Remove(a);
                    up.Inbox.Enqueue((a.Uplink, Parse(a.From), a.Data));
                }
                if (h.Router.NextDeadline(h.Now) <= h.Now || up.Inbox.Count > 0 || h.Now % 10 == 0)
                    h.Router.Poll(h.Now);
                foreach (var s in up.Sent)
                {
                    if (!net.Delay.TryGetValue(s.To, out long d)) continue; // black-holed path
                    net.InFlight.Add((h.Now + d, s.Uplink, s.To, s.Data));
                }
                up.Sent.Clear();
            }
            h.Now = until;
        }

        readonly List<(long At, int Uplink, string From, byte[] Data)> answers = new List<(long, int, string, byte[])>();
        void Later(RouterHarness h, FaultyUplink up, int uplink, string from, byte[] d, long delay) { answers.Add((h.Now + delay, uplink, from, d)); }

        (RouterHarness, FaultyUplink) Make(string endpoints = BothFamilies, MemoryStore store = null, string routerLines = "")
        {
            var up = new FaultyUplink("wan0");
            var platform = new RouterPlatform();
            var h = new RouterHarness(endpoints: endpoints, platform: platform, store: store, routerLines: routerLines, uplinkOverride: up);
            return (h, up);
        }

        [Fact]
        public void OneInitiationOnBothPathsGivesOneSessionAtTheResponder()
        {
            var (h, up) = Make();
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 20;        // IPv4: 20 ms each way
            net.Delay["[fd10:250:2::2]:51820"] = 300;   // IPv6: 300 ms slower
            h.Router.Start(h.Now);
            long start = h.Now;
            Run(h, up, net, start + 1500, Parse("10.250.1.2:40000"));
            // Both copies of the one initiation reached the responder; it accepted one and refused the other as a replay.
            Assert.Equal(1, h.Router.Tunnel.Counters[TunnelCounter.InitiationsSent]);
            Assert.Equal(1, h.Peer.Counters[TunnelCounter.ResponsesSent]);
            Assert.Equal(1, h.Peer.Counters[TunnelCounter.DropReplayedInitiation]);
            Assert.Equal(1, h.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);
            Assert.Equal(0, h.Router.Tunnel.Counters[TunnelCounter.DropResponseUnexpected]);
            // IPv6 went first, IPv4 250 ms later and answered first: IPv4 wins with its RTT.
            Assert.Equal("10.250.2.2:51820", h.Router.Paths.Current.ToString());
            Assert.Equal(40, h.Router.Paths.Rtt);
            Assert.Equal(290, h.Router.Paths.LastRaceDuration);
            Assert.Equal(1, h.Router.Paths.Counters[UplinkCounter.WinsIpv4]);
            Assert.True(h.Router.Tunnel.GetPeer(0).HasSession(h.Now));
        }

        [Fact]
        public void IPv6BlackHoledComesUpOverIPv4WithinTheDelayPlusOneRtt()
        {
            var (h, up) = Make();
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 15;
            h.Router.Start(h.Now);
            long start = h.Now;
            Run(h, up, net, start + 1000, Parse("10.250.1.2:40000"));
            Assert.True(h.Router.Tunnel.GetPeer(0).HasSession(h.Now));
            Assert.Equal(4, h.Router.Paths.Current.Family);
            Assert.Equal(start + 250 + 30, h.Router.Tunnel.GetPeer(0).LastHandshakeCompleted);
        }

        [Fact]
        public void EqualPathsIPv6Wins()
        {
            var (h, up) = Make();
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 10;
            net.Delay["[fd10:250:2::2]:51820"] = 10;
            h.Router.Start(h.Now);
            Run(h, up, net, h.Now + 1000, Parse("[fd10:250:1::2]:40000"));
            Assert.Equal(6, h.Router.Paths.Current.Family);
            Assert.Equal(1, h.Router.Paths.Counters[UplinkCounter.AttemptsSent]); // answered before IPv4's turn
        }

        [Fact]
        public void WithoutRacingIPv4ComesOnlyAfterRekeyTimeout()
        {
            var (h, up) = Make(routerLines: "Race = off\n");
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 15;
            h.Router.Start(h.Now);
            long start = h.Now;
            Run(h, up, net, start + 7000, Parse("10.250.1.2:40000"));
            long up4 = h.Router.Tunnel.GetPeer(0).LastHandshakeCompleted - start;
            Assert.InRange(up4, 5000 + 30, 5000 + 333 + 30 + 10);   // REKEY_TIMEOUT plus jitter, then one RTT
            Assert.Equal(1, h.Router.Paths.Counters[UplinkCounter.SequentialMoves]);
        }

        [Fact]
        public void AnInjectedSendFailureReconnectsWithoutARace()
        {
            var (h, up) = Make("10.250.2.2:51820");
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 5;
            h.Router.Start(h.Now);
            Run(h, up, net, h.Now + 500, Parse("10.250.1.2:40000"));
            Assert.True(h.Router.Tunnel.GetPeer(0).HasSession(h.Now));
            long races = h.Router.Paths.Counters[UplinkCounter.Races];
            up.Results.Enqueue(UplinkSendResult.NoBuffers);  // ENOBUFS on the next datagram
            h.Router.Tunnel.RequestKeepalive(0);
            h.Router.Poll(h.Now);
            Assert.Equal(new[] { (0, 4) }, up.Reconnects);
            // At once, on the new socket: a keepalive so the peer learns our new source.
            var last = up.Sent.Last();
            Assert.Equal(4, last.Data[0]);
            Assert.Equal(32, last.Data.Length);
            Assert.Equal(races, h.Router.Paths.Counters[UplinkCounter.Races]);
            Assert.Equal(1, h.Router.Paths.Counters[UplinkCounter.Reconnects]);
            Assert.Equal(1, h.Router.Counters[RouterCounter.DropUplinkNoBuffers]);
        }

        [Fact]
        public void ASendFailureThatPersistsFallsBackToARace()
        {
            var (h, up) = Make();
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 5;
            net.Delay["[fd10:250:2::2]:51820"] = 5;
            h.Router.Start(h.Now);
            Run(h, up, net, h.Now + 500, Parse("[fd10:250:1::2]:40000"));
            up.Broken = UplinkSendResult.NoRoute;
            for (int i = 0; i < 40; i++)
            {
                h.Now += 100;
                h.Router.Tunnel.RequestKeepalive(0);
                h.Router.Poll(h.Now);
            }
            Assert.Equal(PathSelector.MaxReconnects, h.Router.Paths.Counters[UplinkCounter.Reconnects]);
            Assert.Equal(1, h.Router.Paths.Counters[UplinkCounter.Fallbacks]);
            Assert.Equal(RaceReason.SendFailures, h.Router.Paths.LastRaceReason);
        }

        [Fact]
        public void TheWinnerIsStoredAndTriedFirstAfterAReboot()
        {
            var store = new MemoryStore();
            var (h, up) = Make(store: store);
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 5;   // IPv6 is black-holed here: IPv4 wins
            h.Router.Start(h.Now);
            Run(h, up, net, h.Now + 600, Parse("10.250.1.2:40000"));
            Assert.Equal(4, h.Router.Paths.Current.Family);
            var (again, up2) = Make(store: store);
            again.Router.Start(again.Now);
            Assert.Equal("10.250.2.2:51820", up2.Sent[0].To);   // the cached winner first
            Assert.Equal(148, up2.Sent[0].Data.Length);
            Assert.Equal(1, again.Router.Paths.Counters[UplinkCounter.CachedWinnerFirst]);
        }

        [Fact]
        public void AnAddressChangeSendsAKeepaliveAtOnceAndRaces()
        {
            var monitor = new ScriptedUplinkMonitor();
            var up = new FaultyUplink("wan0");
            var h = new RouterHarness(endpoints: BothFamilies, platform: new RouterPlatform { Monitor = monitor }, uplinkOverride: up);
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 5;
            net.Delay["[fd10:250:2::2]:51820"] = 5;
            h.Router.Start(h.Now);
            Run(h, up, net, h.Now + 6000, Parse("[fd10:250:1::2]:40000"));
            up.Sent.Clear();
            monitor.Changes.Enqueue((UplinkChange.AddressChanged, Endpoint.FamilyIpv6));
            h.Router.Poll(h.Now);
            Assert.Contains(up.Sent, s => s.Data[0] == 4 && s.Data.Length == 32 && s.To == "[fd10:250:2::2]:51820"); // a keepalive at once, on the path in use
            Assert.Equal(RaceReason.UplinkChange, h.Router.Paths.LastRaceReason);
            Assert.Equal(2, h.Router.Paths.Counters[UplinkCounter.Races]);
            Run(h, up, net, h.Now + 1000, Parse("[fd10:250:1::3]:40000"));
            Assert.False(h.Router.Paths.Racing);
            Assert.Equal(2, h.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);
        }

        [Fact]
        public void TheRaceCommandRacesAgain()
        {
            var (h, up) = Make();
            var net = new Network();
            net.Delay["10.250.2.2:51820"] = 5;
            net.Delay["[fd10:250:2::2]:51820"] = 5;
            h.Router.Start(h.Now);
            Run(h, up, net, h.Now + 6000, Parse("[fd10:250:1::2]:40000"));
            var o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "race", h.Now, o));
            Assert.Equal(RaceReason.Command, h.Router.Paths.LastRaceReason);
            Run(h, up, net, h.Now + 500, Parse("[fd10:250:1::2]:40000"));
            Assert.Equal(2, h.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);
            Assert.Equal(2, h.Router.Paths.Counters[UplinkCounter.WinsIpv6]);
        }
    }
}

using System.Collections.Generic;
using Warp.Protocol.Uplink;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Protocol.Tests.Uplink
{
    /// <summary>Every timing rule of the racer on a fake clock (RFC 8305 as the router applies it to handshakes).</summary>
    public class PathRaceTests
    {
        static Endpoint V4(uint a) { var e = new Endpoint(); e.SetIpv4(a, 2408); return e; }
        static Endpoint V6(byte last)
        {
            var b = new byte[16]; b[0] = 0x26; b[1] = 0x06; b[15] = last;
            var e = new Endpoint(); e.Set(Endpoint.FamilyIpv6, b, 0, 2408); return e;
        }

        /// <summary>Runs the racer's sends from <paramref name="from"/> to <paramref name="to"/> in 1 ms steps: (time, endpoint) of each.</summary>
        static List<(long At, string To)> Drive(PathSelector p, FakeClock clock, long to)
        {
            var sent = new List<(long, string)>();
            for (; clock.Now <= to; clock.Advance(1))
                while (p.NextSend(clock.Now))
                    sent.Add((clock.Now, p.SendTo.ToString()));
            clock.Now = to;
            return sent;
        }

        static PathSelector WarpDefaults()
        {
            var p = new PathSelector(8);
            p.Add(V4(0xA29FC001));   // the file lists IPv4 first...
            p.Add(V6(1));
            return p;
        }

        [Fact]
        public void IPv6GoesFirstThenIPv4AfterTheAttemptDelay()
        {
            var clock = new FakeClock(1000);
            var p = WarpDefaults();
            p.StartRace(clock.Now, RaceReason.Start);
            Assert.True(p.Racing);
            Assert.Equal(long.MaxValue, p.NextDeadline(clock.Now)); // nothing until an initiation exists
            p.OnInitiation(clock.Now);
            var sent = Drive(p, clock, 3000);
            Assert.Equal(new[] { (1000L, "[2606::1]:2408"), (1250L, "162.159.192.1:2408") }, sent);
        }

        [Fact]
        public void TheAttemptDelayIsConfigurableWithin100MsAnd2s()
        {
            var p = WarpDefaults();
            p.AttemptDelay = 50; Assert.Equal(100, p.AttemptDelay);
            p.AttemptDelay = 5000; Assert.Equal(2000, p.AttemptDelay);
            p.AttemptDelay = 400;
            var clock = new FakeClock();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            Assert.True(p.NextSend(0));
            Assert.False(p.NextSend(399));
            Assert.Equal(400, p.NextDeadline(1));
            Assert.True(p.NextSend(400));
            Assert.Equal("162.159.192.1:2408", p.SendTo.ToString());
        }

        [Fact]
        public void FamiliesInterleaveWhenThereAreSeveralAddresses()
        {
            var p = new PathSelector(8);
            p.Add(V4(0x0A000001)); p.Add(V4(0x0A000002)); p.Add(V4(0x0A000003));
            p.Add(V6(1)); p.Add(V6(2));
            var clock = new FakeClock();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            var sent = Drive(p, clock, 2000);
            Assert.Equal(new[] { (0L, "[2606::1]:2408"), (250L, "10.0.0.1:2408"), (500L, "[2606::2]:2408"), (750L, "10.0.0.2:2408"), (1000L, "10.0.0.3:2408") }, sent);
        }

        [Fact]
        public void TheFirstResponseWinsWithItsRttAndLateResponsesAreDropped()
        {
            var clock = new FakeClock(0);
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            Drive(p, clock, 260);                        // v6 at 0, v4 at 250
            p.OnHandshakeComplete(V4(0xA29FC001), 0, 262); // v4 answered 12 ms after its attempt
            Assert.False(p.Racing);
            Assert.Equal("162.159.192.1:2408", p.Current.ToString());
            Assert.Equal(12, p.Rtt);
            Assert.Equal(262, p.LastRaceDuration);
            Assert.Equal(4, p.LastWinnerFamily);
            Assert.Equal(1, p.Counters[UplinkCounter.WinsIpv4]);
            Assert.False(p.NextSend(5000));              // the loser gets nothing more
            var response = new byte[Message.ResponseSize];
            response[0] = Message.TypeResponse;
            Assert.True(p.IsLateResponse(response, 0, response.Length));   // v6's answer, after the race
            Assert.Equal(1, p.Counters[UplinkCounter.DropLateResponse]);
            var data = new byte[32]; data[0] = Message.TypeData;
            Assert.False(p.IsLateResponse(data, 0, data.Length));
        }

        [Fact]
        public void AnEqualRaceIsWonByIPv6()
        {
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            Assert.True(p.NextSend(0));
            p.OnHandshakeComplete(V6(1), 0, 3); // answered before IPv4's turn: IPv4 is never tried
            Assert.False(p.NextSend(250));
            Assert.Equal(6, p.Current.Family);
            Assert.Equal(3, p.Rtt);
            Assert.Equal(1, p.Counters[UplinkCounter.AttemptsSent]);
        }

        [Fact]
        public void ARetransmittedInitiationRestartsTheSchedule()
        {
            var clock = new FakeClock();
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            Drive(p, clock, 5100);
            p.OnInitiation(5100);               // the tunnel's retransmission: new bytes
            var sent = Drive(p, clock, 6000);
            Assert.Equal(new[] { (5100L, "[2606::1]:2408"), (5350L, "162.159.192.1:2408") }, sent);
        }

        [Fact]
        public void AnUnsendablePathIsSkippedAtOnce()
        {
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            Assert.True(p.NextSend(0));
            p.OnAttemptNotSent(0);      // no IPv6 route here
            Assert.True(p.NextSend(1));  // IPv4 without waiting for the delay
            Assert.Equal(4, p.SendTo.Family);
        }

        [Fact]
        public void RekeysAndKeepalivesStayOnTheWinnerAndAnUnansweredOneStartsARace()
        {
            var clock = new FakeClock();
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            Assert.True(p.NextSend(0));
            p.OnHandshakeComplete(V6(1), 0, 5);
            // A rekey 120 s later: the winner only, no race.
            p.OnInitiation(120000);
            Assert.True(p.NextSend(120000));
            Assert.Equal("[2606::1]:2408", p.SendTo.ToString());
            Assert.False(p.NextSend(120300));
            p.OnHandshakeComplete(V6(1), 0, 120007);
            Assert.Equal(7, p.Rtt);
            Assert.Equal(1, p.Counters[UplinkCounter.Races]);
            // The next rekey goes unanswered: the tunnel retransmits after REKEY_TIMEOUT, and that races.
            p.OnInitiation(240000);
            Assert.True(p.NextSend(240000));
            p.OnInitiation(245000);
            Assert.True(p.Racing);
            Assert.Equal(RaceReason.HandshakeFailed, p.LastRaceReason);
            clock.Now = 245000;
            var sent = Drive(p, clock, 245300);
            Assert.Equal(new[] { (245000L, "[2606::1]:2408"), (245250L, "162.159.192.1:2408") }, sent);
        }

        [Fact]
        public void WithoutRacingThePathsAreTriedOneAtATimeAfterRekeyTimeout()
        {
            var p = WarpDefaults();
            p.RaceEnabled = false;
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            Assert.True(p.NextSend(0));
            Assert.Equal(6, p.SendTo.Family);
            Assert.False(p.NextSend(250));        // no second attempt
            Assert.Equal(long.MaxValue, p.NextDeadline(1));
            p.OnInitiation(5000);                 // retransmission: the next path
            Assert.True(p.NextSend(5000));
            Assert.Equal(4, p.SendTo.Family);
            Assert.Equal(1, p.Counters[UplinkCounter.SequentialMoves]);
        }

        [Fact]
        public void SilenceOnTheWinnerStartsARaceAfterRekeyTimeout()
        {
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            p.NextSend(0);
            p.OnHandshakeComplete(V6(1), 0, 2);
            p.OnDataSent(1000);
            p.OnDataSent(1500);
            Assert.Equal(1000 + PathSelector.SilenceTimeout, p.NextDeadline(1500));
            p.OnReceived(2000);                    // an answer: the timer stops
            Assert.Equal(long.MaxValue, p.NextDeadline(2000));
            p.OnDataSent(3000);
            Assert.Equal(PathAction.None, p.Tick(7999));
            Assert.Equal(PathAction.Race, p.Tick(8000));
            Assert.True(p.Racing);
            Assert.Equal(RaceReason.Silence, p.LastRaceReason);
        }

        [Fact]
        public void SendFailuresReconnectWithBackoffAndOnlyRepeatedFailureRaces()
        {
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            p.NextSend(0);
            p.OnHandshakeComplete(V6(1), 0, 2);
            Assert.Equal(PathAction.Reconnect, p.OnSendFailed(1000));   // at once
            Assert.Equal(PathAction.None, p.OnSendFailed(1199));       // backoff 200 ms
            Assert.Equal(PathAction.Reconnect, p.OnSendFailed(1200));
            Assert.Equal(PathAction.None, p.OnSendFailed(1599));       // 400 ms
            Assert.Equal(PathAction.Reconnect, p.OnSendFailed(1600));
            p.OnReceived(1700);                                         // it worked: the streak resets
            Assert.Equal(PathAction.Reconnect, p.OnSendFailed(1800));
            Assert.Equal(PathAction.Reconnect, p.OnSendFailed(2000));
            Assert.Equal(PathAction.Reconnect, p.OnSendFailed(2400));
            Assert.Equal(PathAction.Reconnect, p.OnSendFailed(3200));   // the 4th in a row
            Assert.Equal(PathAction.None, p.OnSendFailed(4799));        // 1,600 ms
            Assert.Equal(PathAction.Race, p.OnSendFailed(4800));        // a 5th failure: fall back to a race
            Assert.Equal(7, p.Counters[UplinkCounter.Reconnects]);
            Assert.Equal(1, p.Counters[UplinkCounter.Fallbacks]);
            Assert.Equal(RaceReason.SendFailures, p.LastRaceReason);
            Assert.Equal(2, p.Counters[UplinkCounter.Races]);
        }

        [Fact]
        public void TheCachedWinnerIsTriedFirstAfterAReboot()
        {
            var p = WarpDefaults();
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            p.NextSend(0); p.NextSend(250);
            p.OnHandshakeComplete(V4(0xA29FC001), 0, 260);
            Assert.True(p.CacheDirty);
            var record = new byte[p.CacheLength];
            p.SaveCache(record, 0);
            Assert.False(p.CacheDirty);

            var rebooted = WarpDefaults();
            rebooted.LoadCache(record, 0, record.Length);
            rebooted.StartRace(0, RaceReason.Start);
            rebooted.OnInitiation(0);
            Assert.True(rebooted.NextSend(0));
            Assert.Equal("162.159.192.1:2408", rebooted.SendTo.ToString());
            Assert.True(rebooted.NextSend(250));
            Assert.Equal("[2606::1]:2408", rebooted.SendTo.ToString());
            Assert.Equal(1, rebooted.Counters[UplinkCounter.CachedWinnerFirst]);
        }

        [Fact]
        public void EachUplinkIsAPathAndKeepsItsOwnWinner()
        {
            var p = new PathSelector(8);
            p.Add(V6(1), 0, 0); p.Add(V4(0xA29FC001), 0, 1);
            p.Add(V6(1), 1, 0); p.Add(V4(0xA29FC001), 1, 1);
            Assert.Equal(4, p.Count);
            p.StartRace(0, RaceReason.Start);
            p.OnInitiation(0);
            var ups = new List<int>();
            for (long t = 0; t <= 1000; t++)
                while (p.NextSend(t)) ups.Add(p.SendToUplink);
            Assert.Equal(new[] { 0, 0, 1, 1 }, ups);
            p.OnHandshakeComplete(V6(1), 1, 800);
            Assert.Equal(1, p.CurrentUplink);
        }

        [Fact]
        public void ARefreshKeepsTheLastGoodAnswerOfANameThatFails()
        {
            var p = new PathSelector(8);
            p.Add(V4(0x0A000001), 0, 0);    // a literal
            p.Add(V4(0x0A000009), 0, 1);    // resolved from the name at index 1
            p.BeginRefresh();
            p.Add(V4(0x0A000001), 0, 0);
            p.KeepOrigin(1);                 // the name failed this time
            p.EndRefresh();
            Assert.Equal(2, p.Count);
            p.BeginRefresh();
            p.Add(V4(0x0A000001), 0, 0);
            p.Add(V4(0x0A00000A), 0, 1);     // it resolved to a new address
            p.EndRefresh();
            Assert.Equal(2, p.Count);
            Assert.Equal("10.0.0.10:2408", p.CandidateAt(1).ToString());
        }

        [Fact]
        public void TheSameEventsGiveTheSameSchedule()
        {
            string Run()
            {
                var clock = new FakeClock(77);
                var p = new PathSelector(8);
                p.Add(V4(1)); p.Add(V6(1)); p.Add(V4(2)); p.Add(V6(2));
                p.AttemptDelay = 300;
                p.StartRace(77, RaceReason.Command);
                p.OnInitiation(77);
                var s = Drive(p, clock, 2000);
                return string.Join(";", s);
            }
            Assert.Equal(Run(), Run());
        }
    }
}

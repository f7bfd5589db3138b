using System;
using System.Linq;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    /// <summary>Two tunnels in memory with a fake clock and seeded randomness.</summary>
    public class TunnelTests
    {
        static byte[] Deliver(TunnelPair t, byte[] datagram, bool toB, TunnelAction expect)
        {
            var r = toB ? t.ToB(datagram, out var output) : t.ToA(datagram, out output);
            Assert.True(r.Action == expect, "expected " + expect + ", got " + r);
            return output;
        }

        [Fact]
        public void HandshakeThenDataBothWays()
        {
            var t = new TunnelPair();
            var p1 = TunnelPair.Ipv4Packet(100, 0x11);
            var data = t.Handshake(p1);
            Assert.Equal(4, data[0]);
            Assert.Equal(16 + 128 + 16, data.Length); // 128 = 128-byte packet, already a multiple of 16
            Assert.Equal(p1, Deliver(t, data, true, TunnelAction.WriteToLan));
            var p2 = TunnelPair.Ipv4Packet(37, 0x22);
            var back = t.SealB(p2);
            Assert.NotNull(back);
            Assert.Equal(16 + 80 + 16, back.Length); // 65 bytes padded to 80
            Assert.Equal(p2, Deliver(t, back, false, TunnelAction.WriteToLan));
            Assert.Equal(1, t.A.Counters[TunnelCounter.HandshakesCompleted]);
            Assert.Equal(1, t.B.Counters[TunnelCounter.HandshakesCompleted]);
            Assert.Equal(0, t.A.Counters.TotalDrops + t.B.Counters.TotalDrops);
            Assert.Equal(148, t.WireFromA[0].Length);
            Assert.Equal(92, t.WireFromB[0].Length);
        }

        [Fact]
        public void HandshakeWithPresharedKey()
        {
            var psk = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
            var t = new TunnelPair(psk: psk);
            var p = TunnelPair.Ipv4Packet(10);
            Assert.Equal(p, Deliver(t, t.Handshake(p), true, TunnelAction.WriteToLan));
        }

        [Fact]
        public void MismatchedPresharedKeyFailsTheResponse()
        {
            var t = new TunnelPair(psk: new byte[32]);
            var other = new TunnelPair(psk: Enumerable.Repeat((byte)7, 32).ToArray());
            // A of one pair (psk zeros) against B of the other pair would be a different key; instead flip B's psk via a second pair with same keys.
            var a = t.A;
            a.Encapsulate(0, TunnelPair.Ipv4Packet(1), 0, 29, t.Out, 0, t.Now);
            var init = t.TickA();
            var r = other.B.Decapsulate(t.AddrA, init, 0, init.Length, other.Out, 0, t.Now);
            Assert.Equal(TunnelAction.WriteToNetwork, r.Action); // same static keys (same seed), psk only enters the response
            var response = TunnelPair.Copy(other.Out, 0, r.Length);
            Assert.Equal(TunnelCounter.DropResponseUndecryptable, t.ToA(response, out _).Reason);
        }

        [Fact]
        public void SameSeedsGiveTheSameBytes()
        {
            var x = new TunnelPair(seed: 42);
            var y = new TunnelPair(seed: 42);
            var dx = x.Handshake(TunnelPair.Ipv4Packet(64));
            var dy = y.Handshake(TunnelPair.Ipv4Packet(64));
            // The TAI64N timestamp comes from the persisted ceiling (no wall clock), the same in both.
            Assert.Equal(x.WireFromA[0], y.WireFromA[0]);
            Assert.Equal(x.WireFromB[0], y.WireFromB[0]);
            Assert.Equal(dx, dy);
        }

        [Fact]
        public void ResponderMayNotSendBeforeTheInitiatorConfirms()
        {
            var t = new TunnelPair();
            t.A.Encapsulate(0, TunnelPair.Ipv4Packet(5), 0, 33, t.Out, 0, t.Now);
            var init = t.TickA();
            var response = Deliver(t, init, true, TunnelAction.WriteToNetwork);
            // B holds the session as "next": its own data is staged, not sent.
            Assert.Equal(TunnelAction.Staged, t.B.Encapsulate(0, TunnelPair.Ipv4Packet(5), 0, 33, t.Out, 0, t.Now).Action);
            Deliver(t, response, false, TunnelAction.HandshakeComplete);
            var data = t.TickA();
            Deliver(t, data, true, TunnelAction.WriteToLan);
            // Confirmed: B's staged packet goes out on its next Tick.
            var staged = t.TickB();
            Assert.NotNull(staged);
            Deliver(t, staged, false, TunnelAction.WriteToLan);
        }

        [Fact]
        public void InitiatorSendsAKeepaliveWhenItHasNothingStaged()
        {
            var t = new TunnelPair();
            t.A.Connect(0, t.Now);
            var init = t.TickA();
            var response = Deliver(t, init, true, TunnelAction.WriteToNetwork);
            Deliver(t, response, false, TunnelAction.HandshakeComplete);
            var keepalive = t.TickA();
            Assert.Equal(32, keepalive.Length);
            Deliver(t, keepalive, true, TunnelAction.Done);
            Assert.Equal(1, t.B.Counters[TunnelCounter.KeepalivesReceived]);
            Assert.Equal(1, t.B.Counters[TunnelCounter.HandshakesCompleted]);
        }

        // ---------------------------------------------------------------- timer rules

        [Fact]
        public void RekeyAfterTime()
        {
            var t = new TunnelPair();
            t.Establish();
            t.Now += Limits.RekeyAfterTime - 1;
            Assert.NotNull(t.SealA(TunnelPair.Ipv4Packet(1)));
            Assert.DoesNotContain(Message.TypeInitiation, t.DrainA());
            t.Now += 1;
            Assert.NotNull(t.SealA(TunnelPair.Ipv4Packet(1)));
            Assert.Contains(Message.TypeInitiation, t.DrainA());
        }

        [Fact]
        public void RekeyAfterMessages()
        {
            var t = new TunnelPair();
            t.Establish();
            t.A.GetPeer(0).Current.SendCounter = Limits.RekeyAfterMessages - 2;
            Assert.NotNull(t.SealA(TunnelPair.Ipv4Packet(1)));
            Assert.DoesNotContain(Message.TypeInitiation, t.DrainA());
            t.Now += Limits.RekeyTimeout; // no new initiation within RekeyTimeout of the last one
            Assert.NotNull(t.SealA(TunnelPair.Ipv4Packet(1))); // counter reaches RekeyAfterMessages
            Assert.Contains(Message.TypeInitiation, t.DrainA());
        }

        [Fact]
        public void RejectAfterTime()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            var late = t.SealA(TunnelPair.Ipv4Packet(2));
            t.Now += Limits.RejectAfterTime;
            // Sending: no usable session, the packet is staged behind a new handshake.
            Assert.Equal(TunnelAction.Staged, t.A.Encapsulate(0, TunnelPair.Ipv4Packet(3), 0, 31, t.Out, 0, t.Now).Action);
            // Receiving on the expired session is refused.
            Assert.Equal(TunnelCounter.DropDataExpiredKeypair, t.ToB(late, out _).Reason);
        }

        [Fact]
        public void RejectAfterMessages()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            t.A.GetPeer(0).Current.SendCounter = Limits.RejectAfterMessages;
            Assert.Equal(TunnelAction.Staged, t.A.Encapsulate(0, TunnelPair.Ipv4Packet(3), 0, 31, t.Out, 0, t.Now).Action);
        }

        [Fact]
        public void PassiveKeepaliveAfterKeepaliveTimeout()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            // B received data and sent nothing back.
            Assert.Equal(t.Now + Limits.KeepaliveTimeout, t.B.NextDeadline(t.Now));
            t.Now += Limits.KeepaliveTimeout - 1;
            Assert.Null(t.TickB());
            t.Now += 1;
            var keepalive = t.TickB();
            Assert.Equal(Message.DataMinSize, keepalive.Length);
            Deliver(t, keepalive, false, TunnelAction.Done);
            Assert.Equal(1, t.A.Counters[TunnelCounter.KeepalivesReceived]);
            // A keepalive is not data: A does not answer it with another keepalive.
            t.Now += Limits.KeepaliveTimeout;
            Assert.Null(t.TickA());
        }

        [Fact]
        public void NoPassiveKeepaliveWhenDataWentBack()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            Assert.NotNull(t.SealB(TunnelPair.Ipv4Packet(1)));
            t.Now += Limits.KeepaliveTimeout;
            Assert.Null(t.TickB());
        }

        [Fact]
        public void PersistentKeepalive()
        {
            var t = new TunnelPair(persistentKeepaliveA: 25);
            t.A.Connect(0, t.Now);
            Deliver(t, Deliver(t, t.TickA(), true, TunnelAction.WriteToNetwork), false, TunnelAction.HandshakeComplete);
            Assert.Equal(32, t.TickA().Length); // the initiator's confirming keepalive
            Assert.Equal(t.Now + 25_000, t.A.NextDeadline(t.Now));
            t.Now += 24_999;
            Assert.Null(t.TickA());
            t.Now += 1;
            Assert.Equal(32, t.TickA().Length);
            t.Now += 25_000;
            Assert.Equal(32, t.TickA().Length);
            Assert.Equal(3, t.A.Counters[TunnelCounter.KeepalivesSent]);
        }

        [Fact]
        public void NewHandshakeWhenSentDataGetsNoAnswer()
        {
            var t = new TunnelPair();
            t.Establish();
            t.Now += 1000;
            Assert.NotNull(t.SealA(TunnelPair.Ipv4Packet(1))); // lost
            t.Now += Limits.KeepaliveTimeout + Limits.RekeyTimeout - 1;
            Assert.Null(t.TickA());
            t.Now += Limits.RekeyTimeoutJitterMax; // 15 s plus the largest jitter
            Assert.Equal(Message.TypeInitiation, t.TickA()[0]);
        }

        /// <summary>The time from a lost data packet to the new-handshake initiation, with one seed.</summary>
        static long NewHandshakeDelay(int seed)
        {
            var t = new TunnelPair(seed: seed);
            t.Establish();
            t.Now += 1000;
            long sent = t.Now;
            Assert.NotNull(t.SealA(TunnelPair.Ipv4Packet(1))); // lost
            long due = t.A.NextDeadline(t.Now);
            t.Now = due - 1;
            Assert.Null(t.TickA());
            t.Now = due;
            var init = t.TickA();
            Assert.NotNull(init);
            Assert.Equal(Message.TypeInitiation, init[0]);
            return due - sent;
        }

        [Fact]
        public void NewHandshakeTimerCarriesJitter()
        {
            // wireguard-go: KeepaliveTimeout + RekeyTimeout + a random [0, 334) ms.
            long baseDelay = Limits.KeepaliveTimeout + Limits.RekeyTimeout;
            long one = NewHandshakeDelay(1), two = NewHandshakeDelay(2);
            Assert.InRange(one, baseDelay + 1, baseDelay + Limits.RekeyTimeoutJitterMax - 1);
            Assert.InRange(two, baseDelay + 1, baseDelay + Limits.RekeyTimeoutJitterMax - 1);
            Assert.NotEqual(one, two);
            Assert.Equal(one, NewHandshakeDelay(1)); // seeded: reproducible
            var delays = Enumerable.Range(3, 8).Select(NewHandshakeDelay).ToArray();
            Assert.All(delays, d => Assert.InRange(d, baseDelay, baseDelay + Limits.RekeyTimeoutJitterMax - 1));
            Assert.True(delays.Distinct().Count() > 3, "the new-handshake timer carries no jitter");
        }

        [Fact]
        public void RetransmitWithJitterThenGiveUp()
        {
            var t = new TunnelPair();
            t.A.Encapsulate(0, TunnelPair.Ipv4Packet(1), 0, 29, t.Out, 0, t.Now);
            long last = t.Now;
            Assert.NotNull(t.TickA()); // attempt 1, lost
            var gaps = new System.Collections.Generic.List<long>();
            int initiations = 1;
            while (true)
            {
                long next = t.A.NextDeadline(t.Now);
                if (next == long.MaxValue) break;
                t.Now = next;
                var d = t.TickA();
                if (d == null) continue;
                Assert.Equal(Message.TypeInitiation, d[0]);
                gaps.Add(t.Now - last);
                last = t.Now;
                initiations++;
                Assert.True(initiations <= 30, "never gave up");
            }
            Assert.All(gaps, g => Assert.InRange(g, Limits.RekeyTimeout, Limits.RekeyTimeout + Limits.RekeyTimeoutJitterMax - 1));
            Assert.True(gaps.Distinct().Count() > 3, "retransmissions carry no jitter");
            Assert.Equal(1 + Limits.MaxHandshakeAttempts, initiations); // the first plus 18 retries: 90 s
            Assert.Equal(1, t.A.Counters[TunnelCounter.HandshakesGivenUp]);
            Assert.Equal(1, t.A.Counters[TunnelCounter.DropStagedOnGiveUp]);
            Assert.Equal(0u, t.A.GetPeer(0).Handshake.LocalIndex);
        }

        [Fact]
        public void KeysAreClearedAfterThreeTimesRejectAfterTime()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            var peer = t.A.GetPeer(0);
            Assert.Contains(peer.Current.SendKey, b => b != 0);
            t.Now += Limits.RejectAfterTime * 3 - 1;
            t.TickA();
            Assert.True(peer.Current.Valid);
            t.Now += 1;
            t.TickA();
            Assert.False(peer.Current.Valid);
            Assert.All(peer.Current.SendKey, b => Assert.Equal(0, b));
            Assert.All(peer.Current.ReceiveKey, b => Assert.Equal(0, b));
            Assert.Equal(1, t.A.Counters[TunnelCounter.KeysZeroed]);
        }

        [Fact]
        public void PreviousSessionStillDecryptsInFlightPacketsAfterARekey()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            t.Now += Limits.RekeyAfterTime;
            var inFlight = t.SealA(TunnelPair.Ipv4Packet(50, 0x33)); // old session; also asks for a rekey
            var init = t.TickA();
            Assert.Equal(Message.TypeInitiation, init[0]);
            var response = Deliver(t, init, true, TunnelAction.WriteToNetwork);
            Deliver(t, response, false, TunnelAction.HandshakeComplete);
            var confirm = t.TickA(); // keepalive on the new session
            Deliver(t, confirm, true, TunnelAction.Done);
            Assert.Equal(2, t.B.Counters[TunnelCounter.HandshakesCompleted]);
            // The packet sent on the old session arrives late and still decrypts (B's "previous").
            Assert.Equal(TunnelPair.Ipv4Packet(50, 0x33), Deliver(t, inFlight, true, TunnelAction.WriteToLan));
            // And B's answer uses the new session.
            var back = t.SealB(TunnelPair.Ipv4Packet(3));
            Assert.Equal(t.A.GetPeer(0).Current.LocalIndex, (uint)BitConverter.ToInt32(back, 4));
        }

        // ---------------------------------------------------------------- roaming, load, client id

        [Fact]
        public void EndpointFollowsTheLatestAuthenticatedSource()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            var roamed = new Endpoint();
            roamed.SetIpv4(0xC0A80164, 40000); // the hotel NAT rebound A's port and address
            var data = t.SealA(TunnelPair.Ipv4Packet(2));
            Assert.Equal(TunnelAction.WriteToLan, t.ToB(data, out _, roamed).Action);
            Assert.True(t.B.GetPeer(0).Endpoint.SameAs(roamed));
            // An unauthenticated datagram from elsewhere does not move it.
            var bogus = (byte[])t.SealA(TunnelPair.Ipv4Packet(2)).Clone();
            bogus[20] ^= 1;
            var other = new Endpoint();
            other.SetIpv4(0x01020304, 9);
            Assert.Equal(TunnelCounter.DropDataUndecryptable, t.ToB(bogus, out _, other).Reason);
            Assert.True(t.B.GetPeer(0).Endpoint.SameAs(roamed));
        }

        [Fact]
        public void UnderLoadTheResponderAsksForACookieAndAcceptsMac2()
        {
            var t = new TunnelPair(loadB: 0);
            t.A.Encapsulate(0, TunnelPair.Ipv4Packet(1), 0, 29, t.Out, 0, t.Now);
            var init = t.TickA();
            Assert.True(init.Skip(Message.InitiationMac2).Take(16).All(b => b == 0));
            var cookieReply = Deliver(t, init, true, TunnelAction.WriteToNetwork);
            Assert.Equal(Message.CookieReplySize, cookieReply.Length);
            Assert.Equal(Message.TypeCookieReply, cookieReply[0]);
            Deliver(t, cookieReply, false, TunnelAction.Done);
            Assert.Equal(1, t.A.Counters[TunnelCounter.CookiesReceived]);
            // No immediate retry: the retransmission carries mac2 and is accepted.
            Assert.Null(t.TickA());
            t.Now = t.A.NextDeadline(t.Now);
            var retry = t.TickA();
            Assert.Contains(retry.Skip(Message.InitiationMac2).Take(16), b => b != 0);
            var response = Deliver(t, retry, true, TunnelAction.WriteToNetwork);
            Assert.Equal(Message.ResponseSize, response.Length);
            Deliver(t, response, false, TunnelAction.HandshakeComplete);
            Assert.Equal(TunnelPair.Ipv4Packet(1), Deliver(t, t.TickA(), true, TunnelAction.WriteToLan));
            // A cookie for A's address does not validate the same message from another source.
            var other = new Endpoint();
            other.SetIpv4(0x0A000009, 51820);
            t.Now += 30;
            var r = t.ToB(retry, out var again, other);
            Assert.Equal(TunnelAction.WriteToNetwork, r.Action);
            Assert.Equal(Message.TypeCookieReply, again[0]);
        }

        [Fact]
        public void ClientIdIsWrittenIntoEveryMessageTypeAndAccepted()
        {
            const int id = 0xA1B2C3;
            var t = new TunnelPair(clientIdAtoB: id, clientIdBtoA: id, loadB: 0);
            t.A.Encapsulate(0, TunnelPair.Ipv4Packet(1), 0, 29, t.Out, 0, t.Now);
            var init = t.TickA();                                  // initiation from A
            var cookie = Deliver(t, init, true, TunnelAction.WriteToNetwork); // cookie reply from B (A's endpoint is known to B? no: by index)
            Deliver(t, cookie, false, TunnelAction.Done);
            t.Now = t.A.NextDeadline(t.Now);
            var retry = t.TickA();
            var response = Deliver(t, retry, true, TunnelAction.WriteToNetwork); // response from B
            Deliver(t, response, false, TunnelAction.HandshakeComplete);
            var data = t.TickA();                                   // data from A
            Deliver(t, data, true, TunnelAction.WriteToLan);
            var back = t.SealB(TunnelPair.Ipv4Packet(9));          // data from B
            Deliver(t, back, false, TunnelAction.WriteToLan);
            t.Now += Limits.KeepaliveTimeout;
            var keepalive = t.TickA();                              // keepalive from A
            Assert.Equal(32, keepalive.Length);
            Deliver(t, keepalive, true, TunnelAction.Done);
            var types = t.WireFromA.Concat(t.WireFromB).Select(m => m[0]).Distinct().OrderBy(x => x).ToArray();
            Assert.Equal(new byte[] { 1, 2, 4 }, types.Where(x => x != 3).ToArray());
            Assert.Contains((byte)3, t.WireFromB.Select(m => m[0]));
            foreach (var m in t.WireFromA.Concat(t.WireFromB))
                Assert.True(m[1] == 0xA1 && m[2] == 0xB2 && m[3] == 0xC3, "type " + m[0] + " lacks the client id");
            Assert.Equal(0, t.A.Counters.TotalDrops + t.B.Counters.TotalDrops);
        }

        [Fact]
        public void StandardPeerSeesZeroReservedBytes()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            foreach (var m in t.WireFromA.Concat(t.WireFromB))
                Assert.True(m[1] == 0 && m[2] == 0 && m[3] == 0);
        }

        // ---------------------------------------------------------------- allocation

        [Fact]
        public void DataPathAllocatesNothingAfterTheHandshake()
        {
            var t = new TunnelPair();
            Deliver(t, t.Handshake(TunnelPair.Ipv4Packet(1)), true, TunnelAction.WriteToLan);
            var packet = TunnelPair.Ipv4Packet(1372);
            var wire = new byte[2048];
            var plain = new byte[2048];
            long sink = 0;
            for (int i = 0; i < 10; i++) sink += RoundTrip(t, packet, wire, plain);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++) sink += RoundTrip(t, packet, wire, plain);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.Equal(1010L * 1400, sink);
        }

        static long RoundTrip(TunnelPair t, byte[] packet, byte[] wire, byte[] plain)
        {
            var e = t.A.Encapsulate(0, packet, 0, packet.Length, wire, 0, t.Now);
            var d = t.B.Decapsulate(t.AddrA, wire, 0, e.Length, plain, 0, t.Now);
            return d.Action == TunnelAction.WriteToLan ? d.Length : -1;
        }
    }
}

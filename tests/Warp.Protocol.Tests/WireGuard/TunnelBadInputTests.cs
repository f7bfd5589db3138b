using System;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    /// <summary>Bad input: each case dropped with its reason and counted, never thrown.</summary>
    public class TunnelBadInputTests
    {
        static void AssertDrop(TunnelPair t, Tunnel to, byte[] datagram, TunnelCounter reason, Endpoint from = null)
        {
            long before = to.Counters[reason];
            var buf = (byte[])datagram.Clone();
            var r = to.Decapsulate(from ?? t.AddrA, buf, 0, buf.Length, t.Out, 0, t.Now);
            Assert.Equal(TunnelAction.Dropped, r.Action);
            Assert.Equal(reason, r.Reason);
            Assert.Equal(before + 1, to.Counters[reason]);
        }

        static byte[] Initiation(TunnelPair t)
        {
            t.A.Connect(0, t.Now);
            return t.TickA();
        }

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(3)]
        public void Truncated(int length)
        {
            var t = new TunnelPair();
            AssertDrop(t, t.B, new byte[length], TunnelCounter.DropTruncated);
        }

        [Fact]
        public void TruncatedHandshakeAndDataMessages()
        {
            var t = new TunnelPair();
            var init = Initiation(t);
            AssertDrop(t, t.B, TunnelPair.Copy(init, 0, 147), TunnelCounter.DropTruncated);
            var longer = new byte[149];
            Array.Copy(init, longer, 148);
            AssertDrop(t, t.B, longer, TunnelCounter.DropWrongSize);
            AssertDrop(t, t.B, new byte[] { 2, 0, 0, 0, 1, 2, 3 }, TunnelCounter.DropTruncated);
            AssertDrop(t, t.B, new byte[] { 3, 0, 0, 0 }, TunnelCounter.DropTruncated);
            AssertDrop(t, t.B, new byte[31] { 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, TunnelCounter.DropTruncated);
        }

        [Theory]
        [InlineData(0)]
        [InlineData(5)]
        [InlineData(255)]
        public void UnknownType(byte type)
        {
            var t = new TunnelPair();
            AssertDrop(t, t.B, new byte[] { type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, TunnelCounter.DropUnknownType);
        }

        [Fact]
        public void BadMac1()
        {
            var t = new TunnelPair();
            var init = Initiation(t);
            init[Message.InitiationMac1] ^= 1;
            AssertDrop(t, t.B, init, TunnelCounter.DropBadMac1);
            init = Initiation(new TunnelPair());
            init[20] ^= 1; // any covered byte breaks mac1
            AssertDrop(t, t.B, init, TunnelCounter.DropBadMac1);
        }

        [Fact]
        public void WrongStaticKey()
        {
            // C is a stranger: B does not know its public key, though C addressed B correctly.
            var t = new TunnelPair();
            var strangerKey = new byte[32];
            new SeededRandom(99).GetBytes(strangerKey, 0, 32);
            var c = new Tunnel(new TunnelConfig { PrivateKey = strangerKey }, new Warp.Protocol.Crypto.ManagedCryptoBackend(), new SeededRandom(5), null);
            c.AddPeer(new PeerConfig { PublicKey = t.B.PublicKey, Endpoint = t.AddrB });
            c.Connect(0, t.Now);
            var r = c.Tick(t.Now, t.Out, 0);
            AssertDrop(t, t.B, TunnelPair.Copy(t.Out, 0, r.Length), TunnelCounter.DropUnknownPeer);
            // An initiation meant for someone else (mac1 keyed to another public key) fails mac1.
            var d = new TunnelPair(seed: 77);
            AssertDrop(t, t.B, Initiation(d), TunnelCounter.DropBadMac1);
        }

        [Fact]
        public void ReplayedInitiation()
        {
            var t = new TunnelPair();
            var init = Initiation(t);
            Assert.Equal(TunnelAction.WriteToNetwork, t.ToB(init, out _).Action);
            t.Now += 1000;
            AssertDrop(t, t.B, init, TunnelCounter.DropReplayedInitiation);
        }

        [Fact]
        public void InitiationFlood()
        {
            var t = new TunnelPair();
            var first = Initiation(t);
            // A second instance of A (same key, same timestamp store, so a newer timestamp) 10 ms later.
            var a2 = new Tunnel(new TunnelConfig { PrivateKey = t.PrivA }, new Warp.Protocol.Crypto.ManagedCryptoBackend(), new SeededRandom(3), t.StoreA);
            a2.AddPeer(new PeerConfig { PublicKey = t.B.PublicKey, Endpoint = t.AddrB });
            a2.Connect(0, t.Now);
            var r = a2.Tick(t.Now + 10, t.Out, 0);
            var second = TunnelPair.Copy(t.Out, 0, r.Length);
            Assert.Equal(TunnelAction.WriteToNetwork, t.ToB(first, out _).Action);
            t.Now += 10;
            AssertDrop(t, t.B, second, TunnelCounter.DropInitiationFlood);
            t.Now += Limits.HandshakeInitiationRate;
            Assert.Equal(TunnelAction.WriteToNetwork, t.ToB(second, out _).Action);
        }

        [Fact]
        public void ReplayedAndTooOldDataCounters()
        {
            var t = new TunnelPair();
            t.Establish();
            var first = t.SealA(TunnelPair.Ipv4Packet(1));
            Assert.Equal(TunnelAction.WriteToLan, t.ToB(first, out _).Action);
            AssertDrop(t, t.B, first, TunnelCounter.DropDataReplayed);
            // Jump the sender past the window: the old counter is now too old even though unseen.
            var unseen = t.SealA(TunnelPair.Ipv4Packet(1));
            t.A.GetPeer(0).Current.SendCounter += 9000;
            Assert.Equal(TunnelAction.WriteToLan, t.ToB(t.SealA(TunnelPair.Ipv4Packet(1)), out _).Action);
            AssertDrop(t, t.B, unseen, TunnelCounter.DropDataReplayed);
        }

        [Fact]
        public void DataForAnUnknownIndex()
        {
            var t = new TunnelPair();
            t.Establish();
            var d = t.SealA(TunnelPair.Ipv4Packet(1));
            d[4] ^= 0xFF;
            AssertDrop(t, t.B, d, TunnelCounter.DropDataUnknownIndex);
        }

        [Fact]
        public void TamperedData()
        {
            var t = new TunnelPair();
            t.Establish();
            var d = t.SealA(TunnelPair.Ipv4Packet(1));
            d[d.Length - 1] ^= 0x80;
            AssertDrop(t, t.B, d, TunnelCounter.DropDataUndecryptable);
            // The counter of a packet that failed authentication is not burned: the genuine one still passes.
            d[d.Length - 1] ^= 0x80;
            Assert.Equal(TunnelAction.WriteToLan, t.ToB(d, out _).Action);
        }

        [Fact]
        public void DataThatIsNotAnIpPacket()
        {
            var t = new TunnelPair();
            t.Establish();
            var junk = new byte[40];
            junk[0] = 0x45;
            junk[3] = 200; // total length 200 > 40
            var d = t.SealA(junk);
            AssertDrop(t, t.B, d, TunnelCounter.DropDataBadInnerPacket);
        }

        [Fact]
        public void CookieReplyThatDoesNotDecrypt()
        {
            var t = new TunnelPair(loadB: 0);
            var init = Initiation(t);
            Assert.Equal(TunnelAction.WriteToNetwork, t.ToB(init, out var cookie).Action);
            cookie[40] ^= 1;
            AssertDrop(t, t.A, cookie, TunnelCounter.DropCookieUndecryptable, t.AddrB);
            cookie[40] ^= 1;
            cookie[4] ^= 1; // unknown receiver index
            AssertDrop(t, t.A, cookie, TunnelCounter.DropCookieUnknownIndex, t.AddrB);
        }

        [Fact]
        public void ResponseForNoInitiationOrTampered()
        {
            var t = new TunnelPair();
            var init = Initiation(t);
            Assert.Equal(TunnelAction.WriteToNetwork, t.ToB(init, out var response).Action);
            var tampered = (byte[])response.Clone();
            tampered[Message.ResponseEmpty] ^= 1;
            // mac1 covers the body, so recompute is impossible for an attacker: it fails mac1 first.
            AssertDrop(t, t.A, tampered, TunnelCounter.DropBadMac1, t.AddrB);
            Assert.Equal(TunnelAction.HandshakeComplete, t.ToA(response, out _).Action);
            AssertDrop(t, t.A, response, TunnelCounter.DropResponseUnexpected, t.AddrB);
        }

        [Fact]
        public void SendingToAnUnknownPeerOrTooLargeOrIntoASmallBuffer()
        {
            var t = new TunnelPair();
            t.Establish();
            var p = TunnelPair.Ipv4Packet(100);
            Assert.Equal(TunnelCounter.DropSendUnknownPeer, t.A.Encapsulate(5, p, 0, p.Length, t.Out, 0, t.Now).Reason);
            var big = new byte[1421];
            Assert.Equal(TunnelCounter.DropSendPacketTooLarge, t.A.Encapsulate(0, big, 0, big.Length, new byte[2000], 0, t.Now).Reason);
            Assert.Equal(TunnelCounter.DropOutputTooSmall, t.A.Encapsulate(0, p, 0, p.Length, new byte[100], 0, t.Now).Reason);
            Assert.Equal(TunnelCounter.DropSendPacketTooLarge, t.A.Encapsulate(0, p, 100, p.Length, t.Out, 0, t.Now).Reason);
        }

        [Fact]
        public void RandomDatagramsNeverThrow()
        {
            int seed = Environment.TickCount;
            var rng = new Random(seed);
            var t = new TunnelPair(loadB: 2);
            t.Establish();
            var genuine = new[] { t.SealA(TunnelPair.Ipv4Packet(60)), Initiation(new TunnelPair(seed: 3)), t.WireFromB[0], t.WireFromA[0] };
            long drops = t.B.Counters.TotalDrops;
            for (int i = 0; i < 20000; i++)
            {
                byte[] d;
                if (rng.Next(2) == 0)
                {
                    d = new byte[rng.Next(0, 200)];
                    rng.NextBytes(d);
                    if (d.Length > 0) d[0] = (byte)rng.Next(0, 6);
                }
                else
                {
                    var g = genuine[rng.Next(genuine.Length)];
                    d = (byte[])g.Clone();
                    int flips = rng.Next(1, 4);
                    for (int k = 0; k < flips; k++) d[rng.Next(d.Length)] ^= (byte)(1 << rng.Next(8));
                    if (rng.Next(4) == 0) Array.Resize(ref d, rng.Next(d.Length + 1));
                }
                t.Now += rng.Next(0, 50);
                try
                {
                    var r = t.B.Decapsulate(t.AddrA, d, 0, d.Length, t.Out, 0, t.Now);
                    Assert.True(r.Action == TunnelAction.Dropped || r.Action == TunnelAction.WriteToNetwork || r.Action == TunnelAction.Done || r.Action == TunnelAction.WriteToLan || r.Action == TunnelAction.HandshakeComplete);
                    t.B.Tick(t.Now, t.Out, 0);
                }
                catch (Exception e)
                {
                    Assert.Fail("seed " + seed + " case " + i + " input " + Convert.ToHexString(d) + ": " + e);
                }
            }
            Assert.True(t.B.Counters.TotalDrops > drops + 15000, "seed " + seed);
        }
    }
}

using System.Linq;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    public class CookieCheckerTests
    {
        const long T0 = 1_000_000;

        static Endpoint V4(uint address, int port)
        {
            var e = new Endpoint();
            e.SetIpv4(address, port);
            return e;
        }

        static byte[] Cookie(CookieChecker c, Endpoint from, long now, SeededRandom entropy)
        {
            var cookie = new byte[16];
            c.MakeCookie(from, now, entropy, cookie);
            return cookie;
        }

        /// <summary>An initiation-sized message whose mac2 is MAC(cookie, msg_beta), as a peer holding that cookie writes it.</summary>
        static byte[] MessageWithMac2(byte[] cookie)
        {
            var msg = Enumerable.Range(0, Message.InitiationSize).Select(i => (byte)(i * 7)).ToArray();
            new Blake2s().Mac(cookie, 0, 16, msg, 0, Message.InitiationMac2, msg, Message.InitiationMac2, Message.MacSize);
            return msg;
        }

        [Fact]
        public void UnderLoadAboveTheRatePerSecondAndForTheSecondAfter()
        {
            var c = new CookieChecker(3);
            Assert.False(c.CountAndCheckLoad(T0));
            Assert.False(c.CountAndCheckLoad(T0 + 10));
            Assert.False(c.CountAndCheckLoad(T0 + 20)); // exactly the rate: not under load
            Assert.True(c.CountAndCheckLoad(T0 + 30));
            Assert.True(c.CountAndCheckLoad(T0 + 999));
            // The next window remembers the busy one.
            Assert.True(c.CountAndCheckLoad(T0 + 1000));
            // The window after that saw one message: calm again.
            Assert.False(c.CountAndCheckLoad(T0 + 2000));
            Assert.False(c.CountAndCheckLoad(T0 + 2001));
        }

        [Fact]
        public void LoadIsForgottenAfterAQuietGap()
        {
            var c = new CookieChecker(2);
            for (int i = 0; i < 10; i++)
                c.CountAndCheckLoad(T0 + i);
            Assert.True(c.CountAndCheckLoad(T0 + 500));
            // Two seconds of silence: the busy window is not the previous one any more.
            Assert.False(c.CountAndCheckLoad(T0 + 2500));
        }

        [Fact]
        public void ZeroRateMeansAlwaysUnderLoad()
        {
            var c = new CookieChecker(0);
            Assert.True(c.CountAndCheckLoad(T0));
            Assert.True(c.CountAndCheckLoad(T0 + 60_000));
        }

        [Fact]
        public void CookieHoldsForCookieRefreshTimeThenChanges()
        {
            var c = new CookieChecker(64);
            var rng = new SeededRandom(3);
            var from = V4(0x0A000001, 51820);
            var first = Cookie(c, from, T0, rng);
            Assert.Contains(first, b => b != 0);
            Assert.Equal(first, Cookie(c, from, T0 + Limits.CookieRefreshTime - 1, rng));
            var next = Cookie(c, from, T0 + Limits.CookieRefreshTime, rng);
            Assert.NotEqual(first, next);
            Assert.Equal(next, Cookie(c, from, T0 + Limits.CookieRefreshTime + 1000, rng));
        }

        [Fact]
        public void Mac2IsAcceptedWithinCookieRefreshTimeAndRefusedAfter()
        {
            var c = new CookieChecker(0);
            var rng = new SeededRandom(4);
            var noise = new Noise(new ManagedCryptoBackend(), Enumerable.Repeat((byte)9, 32).ToArray());
            var from = V4(0x0A000001, 51820);
            var msg = MessageWithMac2(Cookie(c, from, T0, rng));
            Assert.True(noise.VerifyMac2(msg, 0, Message.InitiationMac2, c, from, T0, rng));
            Assert.True(noise.VerifyMac2(msg, 0, Message.InitiationMac2, c, from, T0 + Limits.CookieRefreshTime - 1, rng));
            Assert.False(noise.VerifyMac2(msg, 0, Message.InitiationMac2, c, from, T0 + Limits.CookieRefreshTime, rng));
        }

        [Fact]
        public void CookieIsBoundToTheSourceAddressAndPort()
        {
            var c = new CookieChecker(64);
            var rng = new SeededRandom(5);
            var from = V4(0x0A000001, 51820);
            var cookie = Cookie(c, from, T0, rng);
            Assert.Equal(cookie, Cookie(c, V4(0x0A000001, 51820), T0 + 1, rng)); // same endpoint, another object
            Assert.NotEqual(cookie, Cookie(c, V4(0x0A000002, 51820), T0 + 1, rng));
            Assert.NotEqual(cookie, Cookie(c, V4(0x0A000001, 51821), T0 + 1, rng));
            var v6 = new Endpoint();
            var address = new byte[16];
            address[0] = 0x0A; // starts like the IPv4 address: the family's length still tells them apart
            v6.Set(Endpoint.FamilyIpv6, address, 0, 51820);
            Assert.NotEqual(cookie, Cookie(c, v6, T0 + 1, rng));

            // And a mac2 made with A's cookie does not pass for a datagram from elsewhere.
            var noise = new Noise(new ManagedCryptoBackend(), Enumerable.Repeat((byte)9, 32).ToArray());
            var msg = MessageWithMac2(cookie);
            Assert.True(noise.VerifyMac2(msg, 0, Message.InitiationMac2, c, from, T0 + 2, rng));
            Assert.False(noise.VerifyMac2(msg, 0, Message.InitiationMac2, c, V4(0x0A000001, 40000), T0 + 2, rng));
        }

        [Fact]
        public void ClearForgetsTheSecret()
        {
            var c = new CookieChecker(64);
            var rng = new SeededRandom(6);
            var from = V4(0x0A000001, 51820);
            var before = Cookie(c, from, T0, rng);
            c.Clear();
            Assert.NotEqual(before, Cookie(c, from, T0 + 1, rng));
        }
    }
}

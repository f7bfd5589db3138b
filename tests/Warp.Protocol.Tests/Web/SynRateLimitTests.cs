using System;
using Warp.Protocol.Web;
using Xunit;

namespace Warp.Protocol.Tests.Web
{
    public class SynRateLimitTests
    {
        static readonly byte[] A4 = { 10, 98, 0, 2 }, B4 = { 10, 98, 0, 3 };

        static int Allowed(SynRateLimit l, byte v, byte[] address, long now, int tries)
        {
            int n = 0;
            for (int i = 0; i < tries; i++)
                if (l.Allow(v, address, 0, now)) n++;
            return n;
        }

        [Fact]
        public void OneSourceGetsItsBurstThenItsRateAndAnotherSourceIsUntouched()
        {
            var l = new SynRateLimit();
            Assert.Equal(SynRateLimit.SourceBurst, Allowed(l, 4, A4, 5000, 1000));
            Assert.Equal(SynRateLimit.SourceBurst, Allowed(l, 4, B4, 5000, 1000));
            Assert.Equal(0, Allowed(l, 4, A4, 5000, 10));
            Assert.Equal(SynRateLimit.SourcePerSecond / 2, Allowed(l, 4, A4, 5500, 1000)); // half a second refills half the rate
            Assert.Equal(SynRateLimit.SourceBurst, Allowed(l, 4, A4, 60000, 1000)); // idle: full again, never more than the burst
        }

        [Fact]
        public void TheSameBytesAsIpv4AndAsTheStartOfAnIpv6AddressAreDifferentSources()
        {
            var l = new SynRateLimit();
            var six = new byte[16];
            Array.Copy(A4, six, 4);
            Assert.Equal(SynRateLimit.SourceBurst, Allowed(l, 4, A4, 0, 1000));
            Assert.Equal(SynRateLimit.SourceBurst, Allowed(l, 6, six, 0, 1000));
        }

        [Fact]
        public void ManySourcesTogetherAreHeldByTheSharedBucket()
        {
            var l = new SynRateLimit();
            var a = new byte[16];
            a[0] = 0xfd;
            int allowed = 0;
            for (int i = 0; i < 10000; i++)
            {
                a[14] = (byte)(i >> 8); a[15] = (byte)i; // a device rotating through IPv6 addresses
                if (l.Allow(6, a, 0, 1000)) allowed++;
            }
            Assert.Equal(SynRateLimit.SharedBurst, allowed);
            allowed = 0;
            for (int i = 0; i < 10000; i++)
            {
                a[14] = (byte)(i >> 8); a[15] = (byte)(i + 7);
                if (l.Allow(6, a, 0, 1250)) allowed++;
            }
            Assert.Equal(SynRateLimit.SharedPerSecond / 4, allowed); // a quarter of a second later: a quarter of the shared rate
        }

        [Fact]
        public void ARefusalTakesNoTokenFromTheSharedBucket()
        {
            var l = new SynRateLimit();
            Allowed(l, 4, A4, 0, 100000); // one source's flood: its own bucket empties, the shared one keeps the rest
            var a = new byte[4] { 10, 98, 1, 0 };
            int others = 0;
            for (int i = 0; i < SynRateLimit.Sources - 1; i++)
            {
                a[3] = (byte)i;
                others += Allowed(l, 4, a, 0, 10);
            }
            Assert.Equal((SynRateLimit.Sources - 1) * 10, others);
        }
    }
}

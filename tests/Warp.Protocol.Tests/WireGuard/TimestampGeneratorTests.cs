using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    public class TimestampGeneratorTests
    {
        static byte[] Next(TimestampGenerator g, long now)
        {
            var b = new byte[12];
            g.Next(now, b, 0);
            return b;
        }

        [Fact]
        public void NeverGoesBackwardsAcrossReboots()
        {
            var store = new MemoryStore();
            byte[] last = new byte[12];
            for (int boot = 0; boot < 5; boot++)
            {
                // No wall clock on this device; the monotonic clock restarts at 0 on each boot.
                var g = new TimestampGenerator(store);
                for (int i = 0; i < 100; i++)
                {
                    var t = Next(g, i * 7);
                    Assert.True(Tai64n.Compare(t, 0, last, 0) > 0, "boot " + boot + " step " + i);
                    last = t;
                }
            }
            Assert.Equal(5, store.CeilingWrites); // one ceiling write per boot, not one per handshake
        }

        [Fact]
        public void FollowsTheWallClockButNeverBackwards()
        {
            var g = new TimestampGenerator(new MemoryStore());
            g.SetWallClock(1_700_000_000_000, 0);
            var a = Next(g, 1000);
            Assert.Equal(1_700_000_001L, Tai64n.ReadUnixSeconds(a, 0));
            // The wall clock is stepped back by an hour (a bad SNTP answer): timestamps keep increasing.
            g.SetWallClock(1_699_996_400_000, 2000);
            var b = Next(g, 2000);
            Assert.True(Tai64n.Compare(b, 0, a, 0) > 0);
            // Two timestamps in the same millisecond still differ.
            var c = Next(g, 2000);
            Assert.True(Tai64n.Compare(c, 0, b, 0) > 0);
        }

        [Fact]
        public void CeilingIsStoredBeforeUse()
        {
            var store = new MemoryStore();
            var g = new TimestampGenerator(store);
            g.SetWallClock(1_700_000_000_000, 0);
            var t = Next(g, 0);
            long issued = Tai64n.ReadUnixSeconds(t, 0) * 1_000_000_000L + Tai64n.ReadNanoseconds(t, 0);
            Assert.True(store.Ceiling > issued);
            Assert.Equal(issued + TimestampGenerator.Reserve, store.Ceiling);
        }

        static long Nanos(byte[] t) { return Tai64n.ReadUnixSeconds(t, 0) * 1_000_000_000L + Tai64n.ReadNanoseconds(t, 0); }

        [Fact]
        public void WritesHappenWhenTheHostFlushesNotInsideNext()
        {
            var store = new MemoryStore();
            var g = new TimestampGenerator(store);
            g.SetWallClock(1_700_000_000_000, 0);
            g.Prepare(0);
            Assert.True(g.CeilingDirty);
            Assert.Equal(0, store.CeilingWrites);
            g.FlushCeiling();                       // the host, idle at start
            Assert.Equal(1, store.CeilingWrites);
            Assert.False(g.CeilingDirty);
            long hour = TimestampGenerator.Reserve / 1_000_000; // ms
            // Handshakes every 2 minutes for three hours, the host flushing after each poll.
            for (long now = 0; now < 3 * hour; now += 120_000)
            {
                var t = Next(g, now);
                Assert.True(Nanos(t) < store.Ceiling, "issued at or above the persisted ceiling");
                g.FlushCeiling();
            }
            Assert.Equal(0, g.SynchronousWrites);
            Assert.InRange(store.CeilingWrites, 6, 8);     // one per half reserve: about 6 in 3 hours, never one per handshake
        }

        [Fact]
        public void AHostThatNeverFlushesStillNeverIssuesPastTheCeiling()
        {
            var store = new MemoryStore();
            var g = new TimestampGenerator(store);
            g.SetWallClock(1_700_000_000_000, 0);
            long hour = TimestampGenerator.Reserve / 1_000_000;
            for (long now = 0; now < 3 * hour; now += 120_000)
            {
                var t = Next(g, now);
                Assert.True(Nanos(t) < store.Ceiling);
            }
            Assert.Equal(store.CeilingWrites, g.SynchronousWrites);
            Assert.InRange(store.CeilingWrites, 3, 4);
        }
    }
}

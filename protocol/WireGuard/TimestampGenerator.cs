using Warp.Protocol.Crypto;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Our TAI64N timestamps for handshake initiations (whitepaper section 5.1: a responder
    /// rejects an initiation whose timestamp is not greater than the last it accepted from us).
    /// They must never go backwards, also across a reboot of a device that has no wall clock.
    /// <para>The rule: a timestamp is the larger of the wall clock (when the host has set one)
    /// and the last timestamp plus the monotonic time since, and always at least one microsecond
    /// past the last. A ceiling is persisted through <see cref="ITimestampStore"/> ahead of use:
    /// when a timestamp would reach it, the ceiling moves <see cref="Reserve"/> further and is
    /// stored first. After a reboot the generator starts at the stored ceiling, which lies above
    /// every timestamp issued before, so the sequence stays increasing with one flash write per
    /// hour of handshakes at most.</para>
    /// </summary>
    public sealed class TimestampGenerator
    {
        /// <summary>How far ahead of use the persisted ceiling is kept: one hour, in nanoseconds.</summary>
        public const long Reserve = 3600L * 1000000000L;
        const long Microsecond = 1000;

        readonly ITimestampStore store;
        long last;            // nanoseconds since 1970 of the last timestamp issued
        long lastAt;          // monotonic ms when it was issued
        bool issued;
        long ceiling;
        bool wallClockKnown;
        long wallAtSet;       // unix ms at monotonic wallSetAt
        long wallSetAt;

        public TimestampGenerator(ITimestampStore store)
        {
            this.store = store;
            ceiling = store == null ? 0 : store.LoadCeiling();
            if (ceiling < 0)
                ceiling = 0;
            last = ceiling;
        }

        /// <summary>The persisted ceiling (for tests and the status view).</summary>
        public long Ceiling { get { return ceiling; } }

        /// <summary>Tells the generator the wall clock: <paramref name="unixMilliseconds"/> at monotonic <paramref name="now"/>.</summary>
        public void SetWallClock(long unixMilliseconds, long now)
        {
            wallClockKnown = true;
            wallAtSet = unixMilliseconds;
            wallSetAt = now;
        }

        /// <summary>Writes the next 12-byte TAI64N timestamp at (output, offset).</summary>
        public void Next(long now, byte[] output, int offset)
        {
            long t = issued ? last + (now - lastAt) * 1000000L : last;
            if (wallClockKnown)
            {
                long wall = (wallAtSet + (now - wallSetAt)) * 1000000L;
                if (wall > t)
                    t = wall;
            }
            if (issued && t < last + Microsecond)
                t = last + Microsecond;
            if (t >= ceiling)
            {
                ceiling = t + Reserve;
                if (store != null)
                    store.StoreCeiling(ceiling);
            }
            last = t;
            lastAt = now;
            issued = true;
            long seconds = t / 1000000000L;
            Tai64n.Write(output, offset, seconds, (int)(t - seconds * 1000000000L));
        }
    }
}

using Warp.Protocol.Crypto;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Our TAI64N timestamps for handshake initiations (whitepaper section 5.1: a responder
    /// rejects an initiation whose timestamp is not greater than the last it accepted from us).
    /// They must never go backwards, also across a reboot of a device that has no wall clock.
    /// <para>The rule: a timestamp is the larger of the wall clock (when the host has set one)
    /// and the last timestamp plus the monotonic time since, and always at least one microsecond
    /// past the last. A ceiling is persisted through <see cref="ITimestampStore"/> ahead of use,
    /// and no timestamp at or above the persisted ceiling is ever issued. After a reboot the
    /// generator starts at the stored ceiling, which lies above every timestamp issued before, so
    /// the sequence stays increasing, with one flash write per half <see cref="Reserve"/> of
    /// handshakes at most.</para>
    /// <para>The write stays off the packet path: once less than half the reserve is left, a
    /// new ceiling is asked for (<see cref="CeilingDirty"/>) and the host writes it when idle
    /// (<see cref="FlushCeiling"/>). Only a timestamp that would reach the persisted ceiling before
    /// that write writes at once (<see cref="SynchronousWrites"/>); <see cref="Prepare"/> at start
    /// makes the first handshake's write an idle one too.</para>
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
        long ceiling;         // persisted: no timestamp at or above it is issued
        long wanted;          // the ceiling asked for; above ceiling while a write is pending
        int synchronousWrites;
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

        /// <summary>True when a higher ceiling waits to be written (<see cref="FlushCeiling"/>).</summary>
        public bool CeilingDirty { get { return wanted > ceiling; } }

        /// <summary>Writes that had to happen inside <see cref="Next"/> because the host had not flushed in time.</summary>
        public int SynchronousWrites { get { return synchronousWrites; } }

        /// <summary>Writes the ceiling asked for, if any. The host calls it when idle.</summary>
        public void FlushCeiling()
        {
            if (wanted <= ceiling)
                return;
            if (store != null)
                store.StoreCeiling(wanted);
            ceiling = wanted;
        }

        /// <summary>Asks for the ceiling the next timestamp needs (at start, after the wall clock is set), so the host can write it before the first handshake.</summary>
        public void Prepare(long now)
        {
            Want(Candidate(now));
        }

        void Want(long t)
        {
            if (t + Reserve / 2 >= ceiling && t + Reserve > wanted)
                wanted = t + Reserve;
        }

        long Candidate(long now)
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
            return t;
        }

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
            long t = Candidate(now);
            Want(t);
            if (t >= ceiling)
            {
                // Not persisted yet: it must be before this timestamp leaves (crash safety).
                synchronousWrites++;
                FlushCeiling();
            }
            last = t;
            lastAt = now;
            issued = true;
            long seconds = t / 1000000000L;
            Tai64n.Write(output, offset, seconds, (int)(t - seconds * 1000000000L));
        }
    }
}

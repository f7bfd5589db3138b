using Warp.Protocol.Crypto;

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Our TAI64N timestamps for handshake initiations (whitepaper section 5.1: a responder
    /// rejects an initiation whose timestamp is not greater than the last it accepted from us).
    /// <para>The rules:</para>
    /// <list type="bullet">
    /// <item>A new handshake's timestamp is real time: the wall clock when the host has set one,
    /// else the last timestamp plus the monotonic time since. It is never below the last one
    /// plus a microsecond, nor below the stored ceiling of an earlier run.</item>
    /// <item>A retransmission of the same handshake (whitepaper 6.4) takes the last timestamp
    /// plus a microsecond while that stays below the stored ceiling: it repeats a message the
    /// peer may not have seen, so it need not follow real time, and it costs no write.</item>
    /// <item>Every timestamp that has left the router lies below the ceiling persisted through
    /// <see cref="ITimestampStore"/>. A timestamp at or above it raises the wanted ceiling to the
    /// timestamp plus <see cref="Margin"/> (1 ms), and the message that carries it may leave only
    /// after <see cref="FlushCeiling"/> has written that ceiling. After a restart (or a SIGKILL
    /// at any moment) the generator starts at the stored ceiling, which is above every timestamp
    /// that ever left and at most a millisecond past the last one: no repeat, no runaway.</item>
    /// </list>
    /// <para>Writes: at most one per new handshake (none for retransmissions, one for all the
    /// handshakes of the same millisecond). With <see cref="DeferWrites"/> the host writes at its
    /// idle point and holds the initiation until then (the router's "held until written"); without
    /// it (a bare <see cref="Tunnel"/>) <see cref="Next(long, bool, byte[], int)"/> writes at
    /// once and counts it in <see cref="SynchronousWrites"/>.</para>
    /// </summary>
    public sealed class TimestampGenerator
    {
        /// <summary>How far past the timestamp that needs it the ceiling is written: 1 ms, in nanoseconds.
        /// It bounds the drift of a restart without a wall clock (and the lead over a wall clock).</summary>
        public const long Margin = 1000000L;
        /// <summary>How long retransmissions may reuse the ceiling's room instead of following real time:
        /// past it, a retransmission follows real time again (and costs a write), so one a peer refused
        /// as a replay (another instance with our key ran ahead) is not refused for the whole 90 s.</summary>
        public const long RetransmissionSpanMs = 15000;
        const long Microsecond = 1000;

        readonly ITimestampStore store;
        long last;            // nanoseconds since 1970 of the last timestamp issued
        long lastAt;          // monotonic ms of the last real-time timestamp (not a retransmission's)
        long anchor;          // that timestamp: the monotonic track runs from it
        bool issued;
        readonly long floor;  // the ceiling loaded at start: every earlier timestamp lies below it
        long ceiling;         // persisted: no timestamp that has left lies at or above it
        long wanted;          // the ceiling asked for; above ceiling while a write is pending
        int synchronousWrites;
        int writes;
        int failedWrites;
        bool wallClockKnown;
        long wallAtSet;       // unix ms at monotonic wallSetAt
        long wallSetAt;

        public TimestampGenerator(ITimestampStore store)
        {
            this.store = store;
            ceiling = store == null ? 0 : store.LoadCeiling();
            if (ceiling < 0)
                ceiling = 0;
            floor = ceiling;
            wanted = ceiling;
        }

        /// <summary>The persisted ceiling (for tests and the status view).</summary>
        public long Ceiling { get { return ceiling; } }

        /// <summary>The last timestamp issued, in nanoseconds since 1970 (0 before the first).</summary>
        public long Last { get { return issued ? last : 0; } }

        /// <summary>
        /// True when a timestamp was issued at or above the persisted ceiling and the higher ceiling
        /// is not written yet: the message carrying it must wait for <see cref="FlushCeiling"/>.
        /// </summary>
        public bool CeilingDirty { get { return wanted > ceiling; } }

        /// <summary>
        /// When true, <see cref="Next(long, bool, byte[], int)"/> never writes: the host holds the
        /// initiation while <see cref="CeilingDirty"/> and writes at its idle point. When false
        /// (the default), a timestamp that needs a higher ceiling writes it at once.
        /// </summary>
        public bool DeferWrites { get; set; }

        /// <summary>Writes that happened inside Next (no deferring host).</summary>
        public int SynchronousWrites { get { return synchronousWrites; } }

        /// <summary>Ceiling writes, successful ones.</summary>
        public int Writes { get { return writes; } }

        /// <summary>Ceiling writes the store refused.</summary>
        public int FailedWrites { get { return failedWrites; } }

        /// <summary>
        /// Writes the ceiling asked for, if any. The host calls it when idle and then sends what it
        /// held. False when the store refused the write: the ceiling stays where it was (the held
        /// message may still go, as a DHCP ACK does when the flash fails; the next handshake asks again).
        /// </summary>
        public bool FlushCeiling()
        {
            if (wanted <= ceiling)
                return true;
            if (store != null && !store.StoreCeiling(wanted))
            {
                failedWrites++;
                wanted = ceiling;
                return false;
            }
            writes++;
            ceiling = wanted;
            return true;
        }

        long RealTime(long now)
        {
            long t = issued ? anchor + (now - lastAt) * 1000000L : floor;
            if (wallClockKnown)
            {
                long wall = (wallAtSet + (now - wallSetAt)) * 1000000L;
                if (wall > t)
                    t = wall;
            }
            if (t < floor)
                t = floor;
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

        /// <summary>True once <see cref="SetWallClock"/> was called.</summary>
        public bool WallClockKnown { get { return wallClockKnown; } }

        /// <summary>Writes the next 12-byte TAI64N timestamp for a new handshake at (output, offset).</summary>
        public void Next(long now, byte[] output, int offset)
        {
            Next(now, false, output, offset);
        }

        /// <summary>
        /// Writes the next 12-byte TAI64N timestamp at (output, offset); <paramref name="retransmission"/>
        /// for a retransmitted initiation of the handshake in flight.
        /// </summary>
        public void Next(long now, bool retransmission, byte[] output, int offset)
        {
            long t;
            bool reuse = retransmission && issued && last + Microsecond < ceiling && now - lastAt < RetransmissionSpanMs;
            if (reuse)
                t = last + Microsecond;
            else
                t = RealTime(now);
            if (t >= ceiling && t + Margin > wanted)
                wanted = t + Margin;
            if (t >= ceiling && !DeferWrites)
            {
                synchronousWrites++;
                FlushCeiling();
            }
            if (!reuse)
            {
                lastAt = now; // a retransmission's reused room leaves the real-time track where it was
                anchor = t;
            }
            last = t;
            issued = true;
            long seconds = t / 1000000000L;
            Tai64n.Write(output, offset, seconds, (int)(t - seconds * 1000000000L));
        }
    }
}

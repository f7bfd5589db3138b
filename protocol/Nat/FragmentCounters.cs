namespace Warp.Protocol.Nat
{
    /// <summary>
    /// What happened to fragments (<see cref="NatFragments"/>): each drop by its reason, then the
    /// normal events. The NAT's own <c>drop.fragment</c> counts every fragment it drops; these say why.
    /// </summary>
    public enum FragmentCounter
    {
        None = 0,
        /// <summary>A fragment overlapped (or repeated) one already seen: the datagram is dropped whole (RFC 5722).</summary>
        DropOverlap,
        /// <summary>A datagram came in more non-adjacent pieces than a slot tracks.</summary>
        DropTooManyPieces,
        /// <summary>A fragment of a datagram that timed out before it was complete, or held fragments thrown away at the timeout.</summary>
        DropTimeout,
        /// <summary>Every datagram slot was in use by live datagrams.</summary>
        DropTableFull,
        /// <summary>A fragment that came before its first fragment found no free hold slot.</summary>
        DropHoldFull,
        /// <summary>Bad fragment fields: a non-last fragment not a multiple of 8 bytes, an end beyond 65,535, a first fragment too short for its transport header.</summary>
        DropMalformed,
        /// <summary>The first fragment was not forwarded (no session, filtered, ...): the rest of its datagram follows it.</summary>
        DropFirstRefused,
        /// <summary>A packet above the tunnel MTU that could not be split (the MTU leaves no room, or the offset would overflow).</summary>
        DropCannotSplit,
        /// <summary>Datagrams whose fragments are tracked.</summary>
        DatagramsTracked,
        /// <summary>Fragments translated and forwarded (the first included).</summary>
        Forwarded,
        /// <summary>Fragments held until their first fragment came.</summary>
        Held,
        /// <summary>Held fragments released after their first fragment.</summary>
        Released,
        /// <summary>Datagrams seen complete.</summary>
        Completed,
        /// <summary>Fragments made by splitting a packet for a smaller MTU (IPv4, DF clear).</summary>
        Created,
        /// <summary>Fragments of an echo request to the router answered piece by piece.</summary>
        EchoReflected,
        Count,
    }

    /// <summary>The fragment counters (<see cref="CounterSet"/>, module "frag").</summary>
    public sealed class FragmentCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none", "drop.overlap", "drop.too_many_pieces", "drop.timeout", "drop.table_full", "drop.hold_full",
            "drop.malformed", "drop.first_refused", "drop.cannot_split",
            "datagrams_tracked", "forwarded", "held", "released", "completed", "created", "echo_reflected",
        };

        public FragmentCounters() : base("frag", names, (int)FragmentCounter.DropCannotSplit + 1) { }
        public long this[FragmentCounter c] { get { return Get((int)c); } }
        public void Increment(FragmentCounter c) { Add((int)c); }
    }
}

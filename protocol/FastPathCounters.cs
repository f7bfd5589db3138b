namespace Warp.Protocol
{
    /// <summary>
    /// What the native fast path (hal/Esp32/native) did with the packets it saw, in the order its
    /// FastPathCounters interop call reports them (core/wn_fastpath.h; tests/Native keeps the two in
    /// step): the datagrams it dropped, by the same reasons the tunnel would, then what it carried
    /// and what it handed up to the managed core.
    /// </summary>
    public enum FastPathCounter
    {
        None = 0,
        /// <summary>A data message whose counter was seen already or is too old (the tunnel's drop.data_replayed).</summary>
        DropReplayed,
        /// <summary>A data message that did not authenticate (the tunnel's drop.data_undecryptable).</summary>
        DropUndecryptable,
        /// <summary>An authenticated plaintext that is not an IP packet that fits (the tunnel's drop.data_bad_inner_packet).</summary>
        DropBadInnerPacket,
        /// <summary>LAN frames carried into the tunnel.</summary>
        PacketsOut,
        /// <summary>Bytes of the data messages those became.</summary>
        BytesOut,
        /// <summary>Data messages carried to the LAN.</summary>
        PacketsIn,
        /// <summary>Bytes of those data messages.</summary>
        BytesIn,
        /// <summary>LAN frames handed up unchanged (no offloaded flow, or not a plain packet).</summary>
        PuntedFromLan,
        /// <summary>Datagrams handed up unchanged (handshakes, other keypairs, no keypair).</summary>
        PuntedFromUplink,
        /// <summary>Authenticated packets of no offloaded flow, handed to the managed NAT decrypted.</summary>
        DecryptedToCore,
        /// <summary>Authenticated keepalives.</summary>
        KeepalivesIn,
        Count,
    }

    /// <summary>
    /// The fast path's counters (<see cref="CounterSet"/>, module "fastpath"): the device copies the
    /// native values in with <see cref="Absorb"/>, so they list beside the tunnel's and the NAT's.
    /// </summary>
    public sealed class FastPathCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none", "drop.replayed", "drop.undecryptable", "drop.bad_inner_packet",
            "packets_out", "bytes_out", "packets_in", "bytes_in", "punted_from_lan", "punted_from_uplink",
            "decrypted_to_core", "keepalives_in",
        };

        readonly long[] last = new long[(int)FastPathCounter.Count];

        public FastPathCounters() : base("fastpath", names, (int)FastPathCounter.DropBadInnerPacket + 1) { }
        public long this[FastPathCounter c] { get { return Get((int)c); } }
        public void Increment(FastPathCounter c) { Add((int)c); }

        /// <summary>
        /// Adds what the native counters (<paramref name="count"/> values, in enum order) grew by since
        /// the last call; a value below the last one (the fast path was started again) counts whole.
        /// </summary>
        public void Absorb(long[] snapshot, int count)
        {
            if (snapshot == null)
                return;
            if (count > last.Length)
                count = last.Length;
            if (count > snapshot.Length)
                count = snapshot.Length;
            for (int i = 1; i < count; i++)
            {
                long v = snapshot[i];
                Add(i, v >= last[i] ? v - last[i] : v);
                last[i] = v;
            }
        }
    }
}

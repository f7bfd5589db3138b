namespace Warp.Protocol.Nat
{
    /// <summary>
    /// An optional side table of IPv6 remote addresses, one 16-byte row per session slot, so a
    /// host with memory to spare (the Linux host) can list IPv6 sessions by address. The session
    /// table itself keeps only a keyed 32-bit fingerprint of an IPv6 remote (26 bytes a session);
    /// this adds 16 bytes a session, so the device profiles leave it off and show the fingerprint.
    /// <para>The translator writes a row whenever an outbound IPv6 packet finds or sets up its
    /// session (a 16-byte copy, no allocation). A row is shown only while the fingerprint of the
    /// address it holds equals the session's: a slot reused by another flow never shows a stale
    /// address.</para>
    /// </summary>
    public sealed class NatRemoteAddresses
    {
        readonly byte[] rows;
        readonly NatTable table;

        /// <param name="table">The session table whose slots the rows follow.</param>
        public NatRemoteAddresses(NatTable table)
        {
            if (table == null)
                throw new System.ArgumentNullException("table");
            this.table = table;
            rows = new byte[table.Capacity * 16];
        }

        /// <summary>Bytes held: 16 per session slot.</summary>
        public int MemoryBytes { get { return rows.Length; } }

        /// <summary>Records the remote address of an IPv6 session (bounds are the caller's: a live slot, 16 bytes at offset).</summary>
        internal void Set(int slot, byte[] address, int offset)
        {
            if (slot < 0 || slot * 16 + 16 > rows.Length || address == null || offset < 0 || offset + 16 > address.Length)
                return;
            System.Array.Copy(address, offset, rows, slot * 16, 16);
        }

        /// <summary>
        /// Copies the session's remote address into <paramref name="into"/> when the row holds it
        /// (its fingerprint matches <paramref name="fingerprint"/>); false otherwise.
        /// </summary>
        public bool TryGet(int slot, uint fingerprint, byte[] into, int offset)
        {
            if (slot < 0 || slot * 16 + 16 > rows.Length || into == null || offset < 0 || offset + 16 > into.Length)
                return false;
            if (table.FingerprintV6(rows, slot * 16) != fingerprint)
                return false;
            System.Array.Copy(rows, slot * 16, into, offset, 16);
            return true;
        }
    }
}

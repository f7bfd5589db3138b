namespace Warp.Protocol
{
    /// <summary>
    /// One set of 64-bit counters indexed by a counter enum, with a name for each, shared by the
    /// tunnel, the NAT, the LAN services and the router core (one vocabulary, DESIGN.md rule 5).
    /// <para>Every counter enum follows the same layout:</para>
    /// <code>
    /// 0                     None: the "no reason" sentinel of every result's Reason; never counted
    /// 1 .. DropsEnd-1       drop reasons, named "drop.xxx" (a Dropped result carries one of them)
    /// DropsEnd .. Length-1  everything else: ignored frames ("ignored.xxx") and events ("xxx")
    /// </code>
    /// A typed subclass per module (<c>TunnelCounters</c>, <c>NatCounters</c>, ...) adds only an
    /// indexer and Increment taking its enum, so call sites stay type-checked; the storage, the
    /// names and the console listing live here once. Incrementing allocates nothing.
    /// nanoFramework has no generics, hence the subclasses rather than <c>CounterSet&lt;TEnum&gt;</c>.
    /// </summary>
    public abstract class CounterSet
    {
        readonly string module;
        readonly string[] names;
        readonly long[] values;
        readonly int dropsEnd;

        /// <param name="module">The prefix the console prints before each name ("tunnel", "nat", ...).</param>
        /// <param name="names">One name per enum value, index 0 (None) included.</param>
        /// <param name="dropsEnd">The first enum value after the drop reasons.</param>
        protected CounterSet(string module, string[] names, int dropsEnd)
        {
            if (names == null || names.Length < 1 || dropsEnd < 1 || dropsEnd > names.Length)
                throw new System.ArgumentException("bad counter names");
            this.module = module;
            this.names = names;
            this.dropsEnd = dropsEnd;
            values = new long[names.Length];
        }

        /// <summary>The console prefix of this set.</summary>
        public string Module { get { return module; } }

        /// <summary>Number of counters, None (index 0) included.</summary>
        public int Length { get { return values.Length; } }

        /// <summary>The counter's name, e.g. "drop.bad_mac1"; index 0 is "none".</summary>
        public string NameAt(int index) { return names[index]; }

        public long ValueAt(int index) { return values[index]; }

        /// <summary>True for the drop reasons (index 1 up to the first non-drop).</summary>
        public bool IsDropAt(int index) { return index >= 1 && index < dropsEnd; }

        /// <summary>Sum of every drop counter.</summary>
        public long TotalDrops
        {
            get
            {
                long sum = 0;
                for (int i = 1; i < dropsEnd; i++)
                    sum += values[i];
                return sum;
            }
        }

        /// <summary>Bytes of the value array (for the router's memory budget).</summary>
        public int MemoryBytes { get { return values.Length * 8; } }

        /// <summary>Counts one event. None (0) and out-of-range values count nothing, so a bad reason never throws.</summary>
        protected void Add(int index)
        {
            if (index > 0 && index < values.Length)
                values[index]++;
        }

        /// <summary>Counts <paramref name="n"/> events at once (n ≤ 0 counts nothing).</summary>
        protected void Add(int index, long n)
        {
            if (index > 0 && index < values.Length && n > 0)
                values[index] += n;
        }

        protected long Get(int index)
        {
            return index >= 0 && index < values.Length ? values[index] : 0;
        }
    }
}

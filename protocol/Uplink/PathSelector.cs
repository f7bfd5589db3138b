using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Uplink
{
    /// <summary>
    /// Where the tunnel's datagrams go: the candidate paths to the peer (endpoint addresses from
    /// the configuration's literals and the host's resolution of its names) and the one in use.
    /// The router sends every datagram it originates (initiations, data, keepalives) to
    /// <see cref="Current"/>, and replies to the source they answer.
    /// <para>Today it holds the first candidate, in file order, and follows roaming: when an
    /// authenticated packet arrives from elsewhere (whitepaper 2.1) that source becomes current.
    /// A family that goes down moves the choice to the first candidate of another family. The
    /// dual-stack race (RFC 8305) replaces the choice, not this seam.</para>
    /// Sans-I/O and device-compatible; fixed capacity, nothing allocated after construction.
    /// </summary>
    public sealed class PathSelector
    {
        readonly Endpoint[] candidates;
        readonly Endpoint current = new Endpoint();
        int count;
        int changes;

        public PathSelector(int capacity)
        {
            if (capacity < 1)
                throw new System.ArgumentException("at least one path");
            candidates = new Endpoint[capacity];
            for (int i = 0; i < capacity; i++)
                candidates[i] = new Endpoint();
        }

        public int Capacity { get { return candidates.Length; } }
        public int Count { get { return count; } }
        public Endpoint CandidateAt(int index) { return candidates[index]; }
        /// <summary>Where datagrams go now; unset (IsSet false) when there is no candidate.</summary>
        public Endpoint Current { get { return current; } }
        /// <summary>How often the current path changed (roaming, a family down).</summary>
        public int Changes { get { return changes; } }
        /// <summary>Bytes held: 16-byte address, family and port per candidate and the current one.</summary>
        public int MemoryBytes { get { return (candidates.Length + 1) * 24; } }

        /// <summary>Adds a candidate; the first one becomes current. False when full, unset, or already held.</summary>
        public bool Add(Endpoint e)
        {
            if (e == null || !e.IsSet || count == candidates.Length)
                return false;
            for (int i = 0; i < count; i++)
                if (candidates[i].SameAs(e))
                    return false;
            candidates[count++].CopyFrom(e);
            if (!current.IsSet)
                current.CopyFrom(e);
            return true;
        }

        /// <summary>Forgets every candidate and the current path (before the host resolves again).</summary>
        public void Clear()
        {
            for (int i = 0; i < count; i++)
                candidates[i].Clear();
            count = 0;
            current.Clear();
        }

        /// <summary>An authenticated packet came from <paramref name="source"/>: the peer is there now.</summary>
        public void OnAuthenticated(Endpoint source)
        {
            if (source == null || !source.IsSet || current.SameAs(source))
                return;
            current.CopyFrom(source);
            changes++;
        }

        /// <summary>
        /// The uplink lost <paramref name="family"/>: when the current path is of that family, the
        /// first candidate of another family becomes current. True when the path changed.
        /// </summary>
        public bool OnFamilyDown(int family)
        {
            if (!current.IsSet || current.Family != family)
                return false;
            for (int i = 0; i < count; i++)
            {
                if (candidates[i].Family != family)
                {
                    current.CopyFrom(candidates[i]);
                    changes++;
                    return true;
                }
            }
            return false;
        }
    }
}

using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// Fixed maxima for repeated configuration items, so that no file can make the parser (or the
    /// tables sized from its result) grow without bound on an ~80 KB heap, and the append helpers
    /// for the model's arrays (mscorlib has no List&lt;T&gt;; the model keeps exact-length arrays so
    /// the router core can walk them with .Length).
    /// </summary>
    public static class ConfigLimits
    {
        /// <summary>Longest line accepted (a wg-quick PostUp can be long; ours are short).</summary>
        public const int MaxLineLength = 1024;
        /// <summary>Largest file accepted, in characters.</summary>
        public const int MaxFileLength = 32768;
        public const int MaxInterfaceAddresses = 4;
        public const int MaxDnsServers = 4;
        public const int MaxPeers = 4;
        public const int MaxEndpointsPerPeer = 8;
        public const int MaxAllowedIps = 16;
        public const int MaxStaticLeases = 32;
        public const int MaxResolvers = 4;

        public static IpPrefix[] Append(IpPrefix[] items, IpPrefix item)
        {
            IpPrefix[] grown = new IpPrefix[items.Length + 1];
            System.Array.Copy(items, grown, items.Length);
            grown[items.Length] = item;
            return grown;
        }

        public static PeerEndpoint[] Append(PeerEndpoint[] items, PeerEndpoint item)
        {
            PeerEndpoint[] grown = new PeerEndpoint[items.Length + 1];
            System.Array.Copy(items, grown, items.Length);
            grown[items.Length] = item;
            return grown;
        }

        public static StaticLease[] Append(StaticLease[] items, StaticLease item)
        {
            StaticLease[] grown = new StaticLease[items.Length + 1];
            System.Array.Copy(items, grown, items.Length);
            grown[items.Length] = item;
            return grown;
        }

        public static PeerSettings[] Append(PeerSettings[] items, PeerSettings item)
        {
            PeerSettings[] grown = new PeerSettings[items.Length + 1];
            System.Array.Copy(items, grown, items.Length);
            grown[items.Length] = item;
            return grown;
        }

        /// <summary>A copy of an endpoint (the model's endpoints are never handed out to be mutated).</summary>
        public static Endpoint Copy(Endpoint endpoint)
        {
            Endpoint copy = new Endpoint();
            if (endpoint != null)
                copy.CopyFrom(endpoint);
            return copy;
        }
    }
}

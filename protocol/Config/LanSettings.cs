namespace Warp.Protocol.Config
{
    /// <summary>
    /// The LAN side from the [Router] section: the router's own address and subnet, the IPv6 ULA
    /// prefix it announces, the DHCPv4 pool and leases, and which resolvers its DNS forwarder asks
    /// through the tunnel.
    /// </summary>
    public sealed class LanSettings
    {
        public const string DefaultLanAddress = "192.168.42.1/24";
        public const string DefaultLanInterface = "warp-lan";
        /// <summary>12 hours, dnsmasq's default lease.</summary>
        public const int DefaultLeaseSeconds = 43200;
        public const int MinLeaseSeconds = 120;
        /// <summary>7 days.</summary>
        public const int MaxLeaseSeconds = 604800;
        /// <summary>Shortest and longest LAN prefix: a /30 still leaves one client.</summary>
        public const int MinPrefixLength = 8;
        public const int MaxPrefixLength = 30;

        /// <summary>The router's LAN address with the subnet's prefix length ("192.168.42.1/24").</summary>
        public IpPrefix Address = IpPrefix.TryParse(DefaultLanAddress, true);
        /// <summary>The /64 announced on the LAN by router advertisements (an fd00::/8 ULA), or null for an IPv4-only LAN.</summary>
        public IpPrefix UlaPrefix;
        /// <summary>First and last address the DHCP server hands out (inclusive); filled from the subnet when not given.</summary>
        public IpPrefix DhcpPoolStart;
        public IpPrefix DhcpPoolEnd;
        public int DhcpLeaseSeconds = DefaultLeaseSeconds;
        public StaticLease[] StaticLeases = new StaticLease[0];
        /// <summary>Upstream resolvers for the router's DNS forwarder, asked through the tunnel.</summary>
        public IpPrefix[] Resolvers = new IpPrefix[0];
        /// <summary>Answer LAN DNS queries sent to any address at the router, so a device with a hard-coded resolver still gets tunnelled DNS.</summary>
        public bool DnsRedirect = true;
        /// <summary>Linux host only: the interface (TAP or bridge) that is the LAN.</summary>
        public string LanInterface = DefaultLanInterface;

        /// <summary>The subnet's first address (host order).</summary>
        public uint Network { get { return Address.Ipv4Value & Mask; } }
        /// <summary>The subnet's broadcast address (host order).</summary>
        public uint Broadcast { get { return Network | ~Mask; } }
        public uint Mask { get { return Address.PrefixLength == 0 ? 0u : 0xFFFFFFFFu << (32 - Address.PrefixLength); } }

        /// <summary>True when <paramref name="value"/> is a host address of the subnet (not its network or broadcast address).</summary>
        public bool IsHostInSubnet(uint value)
        {
            return (value & Mask) == Network && value != Network && value != Broadcast;
        }

        /// <summary>
        /// The pool used when the file names none: up to 100 addresses on the larger side of the
        /// router's address (192.168.42.1/24 gives .2 to .101), never the router itself.
        /// </summary>
        public void SetDefaultPool()
        {
            uint router = Address.Ipv4Value;
            uint first = Network + 1;
            uint last = Broadcast - 1;
            uint below = router > first ? router - first : 0;
            uint above = last > router ? last - router : 0;
            uint start, end;
            if (above >= below)
            {
                start = router + 1;
                end = last;
            }
            else
            {
                start = first;
                end = router - 1;
            }
            if (end - start > 99)
                end = start + 99;
            DhcpPoolStart = IpPrefix.FromIpv4(start);
            DhcpPoolEnd = IpPrefix.FromIpv4(end);
        }

        /// <summary>Cloudflare's resolvers (REFERENCES.md, WARP): 1.1.1.1 and 2606:4700:4700::1111.</summary>
        public static IpPrefix[] DefaultResolvers()
        {
            IpPrefix[] r = new IpPrefix[2];
            r[0] = IpPrefix.TryParse("1.1.1.1", false);
            r[1] = IpPrefix.TryParse("2606:4700:4700::1111", false);
            return r;
        }
    }
}

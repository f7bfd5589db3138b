using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// The LAN side of the router: its MAC, its IPv4 address and subnet, the DHCP pool (RFC 2131),
    /// static leases, the lease time, the MTU it advertises (DHCP option 26, RFC 2132 section 5.1;
    /// RA MTU option, RFC 4861 section 4.6.4) and the ULA /64 (RFC 4193) it advertises for SLAAC.
    ///
    /// Derived addresses:
    /// <code>
    ///   link-local  fe80::/64 + modified EUI-64 of the MAC (RFC 4291 section 2.5.6, appendix A):
    ///               MAC aa:bb:cc:dd:ee:ff  ->  interface id (aa^02)bb:ccff:fedd:eeff
    ///   ULA         prefix (8 bytes) + ::1
    ///   subnet mask the first PrefixLength bits set
    /// </code>
    /// Built once, off the packet path; the setters throw on programming errors (an invalid
    /// configuration), never on traffic. <see cref="Validate"/> checks the whole configuration and
    /// is called by <see cref="LanServices"/> before it starts.
    /// </summary>
    public sealed class LanConfig
    {
        /// <summary>Static leases the configuration can hold (each 10 bytes: MAC and IPv4 address).</summary>
        public const int MaxStaticLeases = 8;
        /// <summary>The tunnel MTU (WARP): what the LAN is told by default.</summary>
        public const int DefaultMtu = 1280;
        /// <summary>12 hours.</summary>
        public const int DefaultLeaseTimeSeconds = 43200;

        readonly byte[] routerMac = new byte[6];
        readonly byte[] ulaPrefix = new byte[8];
        readonly byte[] linkLocal = new byte[16];
        readonly byte[] ula = new byte[16];
        readonly byte[] staticMacs = new byte[MaxStaticLeases * 6];
        readonly uint[] staticIps = new uint[MaxStaticLeases];
        int staticCount;
        bool hasUla;

        /// <param name="routerMac">The router's LAN MAC (6 bytes, unicast).</param>
        /// <param name="routerIp">The router's LAN IPv4 address, e.g. 192.168.4.1 as 0xC0A80401.</param>
        /// <param name="prefixLength">The LAN subnet's prefix length, 8 to 30.</param>
        /// <param name="poolStart">First address the DHCP server hands out.</param>
        /// <param name="poolEnd">Last address the DHCP server hands out (inclusive).</param>
        public LanConfig(byte[] routerMac, uint routerIp, int prefixLength, uint poolStart, uint poolEnd)
        {
            if (routerMac == null || routerMac.Length != 6 || (routerMac[0] & 1) != 0)
                throw new System.ArgumentException("router MAC must be 6 bytes, unicast", "routerMac");
            if (prefixLength < 8 || prefixLength > 30)
                throw new System.ArgumentOutOfRangeException("prefixLength");
            System.Array.Copy(routerMac, 0, this.routerMac, 0, 6);
            RouterIp = routerIp;
            PrefixLength = prefixLength;
            SubnetMask = 0xFFFFFFFFu << (32 - prefixLength);
            PoolStart = poolStart;
            PoolEnd = poolEnd;
            LeaseTimeSeconds = DefaultLeaseTimeSeconds;
            Mtu = DefaultMtu;
            // fe80::/64 + modified EUI-64 (RFC 4291 appendix A: invert the universal/local bit, insert ff:fe).
            linkLocal[0] = 0xFE;
            linkLocal[1] = 0x80;
            WriteInterfaceId(linkLocal, 8);
            Validate();
        }

        public uint RouterIp { get; private set; }
        public int PrefixLength { get; private set; }
        public uint SubnetMask { get; private set; }
        public uint NetworkAddress { get { return RouterIp & SubnetMask; } }
        public uint BroadcastAddress { get { return RouterIp | ~SubnetMask; } }
        public uint PoolStart { get; private set; }
        public uint PoolEnd { get; private set; }
        /// <summary>Number of addresses from PoolStart to PoolEnd inclusive.</summary>
        public int PoolSize { get { return (int)(PoolEnd - PoolStart) + 1; } }

        /// <summary>Lease time in seconds (option 51); T1 is half of it and T2 seven eighths (RFC 2131 section 4.4.5).</summary>
        public int LeaseTimeSeconds { get; set; }

        /// <summary>The MTU to advertise (DHCP option 26, RA MTU option); 576 to 1500 (IPv6 needs at least 1280, RFC 8200 section 5).</summary>
        public int Mtu { get; set; }

        /// <summary>The router's MAC. Do not modify the array.</summary>
        public byte[] RouterMac { get { return routerMac; } }

        /// <summary>fe80:: + modified EUI-64 of the MAC. Do not modify the array.</summary>
        public byte[] RouterLinkLocal { get { return linkLocal; } }

        /// <summary>prefix::1, valid when <see cref="HasUla"/>. Do not modify the array.</summary>
        public byte[] RouterUla { get { return ula; } }

        /// <summary>The ULA /64 prefix (8 bytes), valid when <see cref="HasUla"/>.</summary>
        public byte[] UlaPrefix { get { return ulaPrefix; } }

        /// <summary>True once a ULA prefix is set: IPv6 router advertisements and the ULA address are on.</summary>
        public bool HasUla { get { return hasUla; } }

        /// <summary>Sets the ULA /64 (RFC 4193: fd00::/8 + 40-bit global id + 16-bit subnet id).</summary>
        public void SetUlaPrefix(byte[] prefix, int offset)
        {
            if (prefix == null || offset < 0 || offset + 8 > prefix.Length)
                throw new System.ArgumentException("the ULA prefix is 8 bytes", "prefix");
            if ((prefix[offset] & 0xFE) != 0xFC)
                throw new System.ArgumentException("a ULA prefix is in fc00::/7", "prefix");
            System.Array.Copy(prefix, offset, ulaPrefix, 0, 8);
            System.Array.Copy(prefix, offset, ula, 0, 8);
            System.Array.Clear(ula, 8, 8);
            ula[15] = 1;
            hasUla = true;
        }

        public int StaticLeaseCount { get { return staticCount; } }

        /// <summary>Binds a MAC to an address inside the subnet (outside the pool or inside it: the pool skips it).</summary>
        public void AddStaticLease(byte[] mac, int macOffset, uint ip)
        {
            if (staticCount == MaxStaticLeases)
                throw new System.InvalidOperationException("at most " + MaxStaticLeases + " static leases");
            if (mac == null || macOffset < 0 || macOffset + 6 > mac.Length)
                throw new System.ArgumentException("a MAC is 6 bytes", "mac");
            if (!IsHostAddress(ip) || ip == RouterIp)
                throw new System.ArgumentException("a static lease needs a host address of the LAN subnet", "ip");
            for (int i = 0; i < staticCount; i++)
                if (staticIps[i] == ip || MacAddress.Equal(staticMacs, i * 6, mac, macOffset))
                    throw new System.ArgumentException("duplicate static lease", "ip");
            System.Array.Copy(mac, macOffset, staticMacs, staticCount * 6, 6);
            staticIps[staticCount++] = ip;
        }

        /// <summary>The static address for a MAC, or 0 when it has none.</summary>
        public uint StaticAddressFor(byte[] mac, int macOffset)
        {
            for (int i = 0; i < staticCount; i++)
                if (MacAddress.Equal(staticMacs, i * 6, mac, macOffset))
                    return staticIps[i];
            return 0;
        }

        /// <summary>Copies the MAC of the static lease for an address to (mac, macOffset); false when none names it.</summary>
        public bool TryGetStaticMac(uint ip, byte[] mac, int macOffset)
        {
            for (int i = 0; i < staticCount; i++)
                if (staticIps[i] == ip)
                {
                    System.Array.Copy(staticMacs, i * 6, mac, macOffset, 6);
                    return true;
                }
            return false;
        }

        /// <summary>True when some static lease names this address.</summary>
        public bool IsStaticAddress(uint ip)
        {
            for (int i = 0; i < staticCount; i++)
                if (staticIps[i] == ip)
                    return true;
            return false;
        }

        /// <summary>True for an address of the LAN subnet that is neither the network nor the broadcast address.</summary>
        public bool IsHostAddress(uint ip)
        {
            return (ip & SubnetMask) == NetworkAddress && ip != NetworkAddress && ip != BroadcastAddress;
        }

        public bool InPool(uint ip) { return ip >= PoolStart && ip <= PoolEnd; }

        /// <summary>True for the router's link-local address or (when set) its ULA address.</summary>
        public bool IsRouterIpv6(byte[] address, int offset)
        {
            return Ipv6Address.Equal(address, offset, linkLocal, 0) || (hasUla && Ipv6Address.Equal(address, offset, ula, 0));
        }

        /// <summary>True when the address is in fe80::/64 or the ULA /64: a LAN host's address.</summary>
        public bool IsLanIpv6(byte[] address, int offset)
        {
            if (address[offset] == 0xFE && address[offset + 1] == 0x80)
                return true;
            if (!hasUla)
                return false;
            for (int i = 0; i < 8; i++)
                if (address[offset + i] != ulaPrefix[i])
                    return false;
            return true;
        }

        /// <summary>Throws when the configuration cannot work (a programming or settings error).</summary>
        public void Validate()
        {
            if (!IsHostAddress(RouterIp))
                throw new System.ArgumentException("the router address is not a host address of its subnet");
            if (PoolStart > PoolEnd || !IsHostAddress(PoolStart) || !IsHostAddress(PoolEnd))
                throw new System.ArgumentException("the DHCP pool must lie inside the subnet");
            if (LeaseTimeSeconds < 60 || LeaseTimeSeconds > 0x7FFFFFFF / 1000)
                throw new System.ArgumentOutOfRangeException("LeaseTimeSeconds");
            if (Mtu < 576 || Mtu > 1500)
                throw new System.ArgumentOutOfRangeException("Mtu");
        }

        void WriteInterfaceId(byte[] b, int offset)
        {
            b[offset] = (byte)(routerMac[0] ^ 0x02);
            b[offset + 1] = routerMac[1];
            b[offset + 2] = routerMac[2];
            b[offset + 3] = 0xFF;
            b[offset + 4] = 0xFE;
            b[offset + 5] = routerMac[3];
            b[offset + 6] = routerMac[4];
            b[offset + 7] = routerMac[5];
        }
    }
}

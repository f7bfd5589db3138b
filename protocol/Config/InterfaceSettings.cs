using System;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// The [Interface] section: our key and the tunnel's own addresses. WARP hands out one IPv4
    /// /32 and one IPv6 /128; the router NATs every LAN device into the first address of each
    /// family (<see cref="FirstAddress"/>).
    /// </summary>
    public sealed class InterfaceSettings
    {
        /// <summary>The WARP apps' tunnel MTU (and IPv6's minimum link MTU, RFC 8200 section 5).</summary>
        public const int DefaultMtu = 1280;
        /// <summary>Smallest MTU when the tunnel carries IPv6.</summary>
        public const int MinMtuIpv6 = 1280;
        /// <summary>Smallest MTU for an IPv4-only tunnel (RFC 791's datagram every host must accept; the Tunnel refuses less).</summary>
        public const int MinMtuIpv4 = 576;
        /// <summary>Largest MTU: an Ethernet payload (the uplink's own MTU bounds the tunnel's).</summary>
        public const int MaxMtu = 1500;

        /// <summary>Our X25519 private key (32 bytes). Secret: never logged; cleared by <see cref="ClearSecrets"/>.</summary>
        public byte[] PrivateKey;
        /// <summary>Tunnel addresses with prefix ("172.16.0.2/32", "2606:4700:110:8a5c::2/128"), in file order.</summary>
        public IpPrefix[] Addresses = new IpPrefix[0];
        /// <summary>DNS servers reached through the tunnel (full-length prefixes), in file order.</summary>
        public IpPrefix[] Dns = new IpPrefix[0];
        /// <summary>Tunnel MTU: the largest inner IP packet.</summary>
        public int Mtu = DefaultMtu;
        /// <summary>Local UDP port; 0 lets the uplink choose (the usual case for a client).</summary>
        public int ListenPort;

        /// <summary>The first tunnel address of a family (4 or 6), or null.</summary>
        public IpPrefix FirstAddress(int family)
        {
            for (int i = 0; i < Addresses.Length; i++)
                if (Addresses[i].Family == family)
                    return Addresses[i];
            return null;
        }

        /// <summary>True when any tunnel address is IPv6 (then the MTU must be at least 1280).</summary>
        public bool CarriesIpv6
        {
            get { return FirstAddress(IpPrefix.FamilyIpv6) != null; }
        }

        /// <summary>Zeroes the private key and drops it.</summary>
        public void ClearSecrets()
        {
            if (PrivateKey != null)
                Array.Clear(PrivateKey, 0, PrivateKey.Length);
            PrivateKey = null;
        }
    }
}

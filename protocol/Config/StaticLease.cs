using Warp.Protocol.Net;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// A fixed DHCP lease: "StaticLease = aa:bb:cc:dd:ee:ff, 192.168.42.50". The address must be
    /// in the LAN subnet and not the router's; no MAC or address may appear twice. It may lie
    /// inside or outside the dynamic pool (the DHCP server never hands it to anyone else).
    /// </summary>
    public sealed class StaticLease
    {
        /// <summary>The client's Ethernet address (6 bytes).</summary>
        public readonly byte[] Mac;
        /// <summary>The IPv4 address it always gets.</summary>
        public readonly IpPrefix Address;

        public StaticLease(byte[] mac, IpPrefix address)
        {
            Mac = mac;
            Address = address;
        }

        /// <summary>
        /// Parses "mac, address". Returns null and sets <paramref name="error"/> to the reason on bad text.
        /// </summary>
        public static StaticLease TryParse(string text, out string error)
        {
            error = null;
            string[] parts = ConfigValues.SplitList(text);
            if (parts.Length != 2)
            {
                error = "expected \"aa:bb:cc:dd:ee:ff, a.b.c.d\"";
                return null;
            }
            byte[] mac = new byte[6];
            if (!AddressText.TryParseMac(parts[0], mac, 0))
            {
                error = "not a MAC address (aa:bb:cc:dd:ee:ff)";
                return null;
            }
            if ((mac[0] & 1) != 0)
            {
                error = "a multicast MAC address cannot hold a lease";
                return null;
            }
            IpPrefix address = IpPrefix.TryParse(parts[1], false);
            if (address == null || !address.IsIpv4)
            {
                error = "not an IPv4 address";
                return null;
            }
            return new StaticLease(mac, address);
        }

        public bool SameMac(StaticLease other)
        {
            return MacAddress.Equal(Mac, 0, other.Mac, 0);
        }

        /// <summary>"aa:bb:cc:dd:ee:ff, a.b.c.d", the form the parser reads back.</summary>
        public override string ToString()
        {
            return MacAddress.Format(Mac, 0) + ", " + Address.AddressToString();
        }
    }
}

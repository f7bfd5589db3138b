namespace Warp.Hal
{
    /// <summary>A change in the uplink's state, per address family.</summary>
    public enum UplinkChange
    {
        /// <summary>Nothing changed since the last poll.</summary>
        None = 0,
        /// <summary>The family has a usable local address again (link up, DHCP or SLAAC done).</summary>
        Up,
        /// <summary>The family lost its last usable address or its link (the station left the hotel network).</summary>
        Down,
        /// <summary>The family's local address changed while it stayed up (a new DHCP lease, another network).</summary>
        AddressChanged,
    }

    /// <summary>
    /// The uplink's link and address state, as events: Wi-Fi and network-change events on the
    /// ESP32, netlink or a periodic look at the interfaces on Linux. The router drains it once per
    /// poll: an address change sends a keepalive at once (so the peer roams to our new address,
    /// DESIGN.md "Paths, not endpoints"), a family going down tells the path selector.
    /// </summary>
    public interface IUplinkMonitor
    {
        /// <summary>
        /// The next change since the last call, with its family in <paramref name="family"/>
        /// (Endpoint.FamilyIpv4 or FamilyIpv6); None when there is nothing new. Never blocks.
        /// </summary>
        UplinkChange Poll(long now, out int family);
    }
}

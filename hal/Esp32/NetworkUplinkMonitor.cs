using System;
using System.Net.NetworkInformation;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The uplink's state from nanoFramework's network events: NetworkAvailabilityChanged (the
    /// station's association or the Ethernet link) and NetworkAddressChanged (DHCP, SLAAC). The
    /// events arrive on nanoFramework's event thread; they are queued in a small fixed ring and
    /// the router drains them in its poll. The IPv4 address is read from the uplink interface to
    /// tell an address change from a family coming up. nanoFramework does not expose the
    /// interface's IPv6 addresses, so on a firmware with IPv6 that family follows the link.
    /// </summary>
    public sealed class NetworkUplinkMonitor : IUplinkMonitor
    {
        const int RingSize = 8;
        readonly UplinkChange[] changes = new UplinkChange[RingSize];
        readonly int[] families = new int[RingSize];
        int head, count;
        readonly object sync = new object();
        readonly NetworkInterfaceType uplinkType;
        readonly bool ipv6;
        string lastIpv4 = "";
        bool linkUp;

        /// <param name="uplinkType">Wireless80211 (the station) or Ethernet, as the board's uplink is.</param>
        /// <param name="ipv6">The firmware has IPv6: report that family too.</param>
        public NetworkUplinkMonitor(NetworkInterfaceType uplinkType, bool ipv6)
        {
            this.uplinkType = uplinkType;
            this.ipv6 = ipv6;
            lastIpv4 = CurrentIpv4();
            linkUp = lastIpv4.Length > 0;
            NetworkChange.NetworkAvailabilityChanged += OnAvailability;
            NetworkChange.NetworkAddressChanged += OnAddress;
        }

        /// <summary>True while the uplink has an IPv4 address.</summary>
        public bool HasAddress { get { return CurrentIpv4().Length > 0; } }

        string CurrentIpv4()
        {
            NetworkInterface[] all = NetworkInterface.GetAllNetworkInterfaces();
            for (int i = 0; i < all.Length; i++)
            {
                if (all[i].NetworkInterfaceType != uplinkType)
                    continue;
                string a = all[i].IPv4Address;
                return a == null || a == "0.0.0.0" ? "" : a;
            }
            return "";
        }

        void OnAvailability(object sender, NetworkAvailabilityEventArgs e)
        {
            lock (sync)
            {
                linkUp = e.IsAvailable;
                UplinkChange c = e.IsAvailable ? UplinkChange.Up : UplinkChange.Down;
                Add(c, Endpoint.FamilyIpv4);
                if (ipv6)
                    Add(c, Endpoint.FamilyIpv6);
                if (!e.IsAvailable)
                    lastIpv4 = "";
            }
        }

        void OnAddress(object sender, EventArgs e)
        {
            lock (sync)
            {
                string now = CurrentIpv4();
                if (now == lastIpv4)
                    return;
                UplinkChange c = now.Length == 0 ? UplinkChange.Down : lastIpv4.Length == 0 ? UplinkChange.Up : UplinkChange.AddressChanged;
                lastIpv4 = now;
                Add(c, Endpoint.FamilyIpv4);
                if (ipv6 && linkUp && c == UplinkChange.AddressChanged)
                    Add(c, Endpoint.FamilyIpv6);
            }
        }

        void Add(UplinkChange c, int family)
        {
            if (count == RingSize)
            {
                // Full: the oldest change is the least useful one.
                head = (head + 1) % RingSize;
                count--;
            }
            int i = (head + count) % RingSize;
            changes[i] = c;
            families[i] = family;
            count++;
        }

        public UplinkChange Poll(long now, out int family)
        {
            lock (sync)
            {
                if (count == 0)
                {
                    family = 0;
                    return UplinkChange.None;
                }
                UplinkChange c = changes[head];
                family = families[head];
                head = (head + 1) % RingSize;
                count--;
                return c;
            }
        }
    }
}

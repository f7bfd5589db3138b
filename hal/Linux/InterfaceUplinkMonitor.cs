using System;
using System.Collections.Generic;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The uplink's state on Linux by looking at the host's interfaces every
    /// <see cref="Interval"/> ms: for each family, the set of global (non-loopback,
    /// non-link-local) unicast addresses on interfaces that are up, leaving out the LAN
    /// interface. A set that becomes empty is Down, one that stops being empty is Up, and one
    /// that changes otherwise is AddressChanged. A change counts only when a second look
    /// <see cref="Settle"/> ms later still sees it: a link that bounces for less than that is a
    /// flap, which the router's fast reconnect handles without a race. Off the packet path: the
    /// look allocates, at most once per interval.
    /// <para>Why polling rather than netlink: the interface listing is the truth the monitor
    /// compares either way, and a netlink socket would only say "look now"; with the settle
    /// look a genuine change is reported within Interval + Settle (2.5 s), which the racer's own
    /// liveness rule (silence after REKEY_TIMEOUT) bounds anyway. A netlink wake-up is a small
    /// addition to this class when faster reporting matters.</para>
    /// </summary>
    public sealed class InterfaceUplinkMonitor : IUplinkMonitor
    {
        public const int Interval = 2000;
        /// <summary>The confirming look after a change was seen.</summary>
        public const int Settle = 500;
        readonly string excluded;
        readonly Func<IEnumerable<(string Interface, System.Net.IPAddress Address)>> source;
        readonly Queue<(UplinkChange Change, int Family)> pending = new Queue<(UplinkChange, int)>();
        string last4 = null, last6 = null, seen4 = null, seen6 = null;
        long nextLook = long.MinValue;

        /// <param name="excludedInterface">The LAN interface (its addresses are not the uplink's).</param>
        /// <param name="source">The addresses to look at (tests pass their own); null reads the host's interfaces.</param>
        public InterfaceUplinkMonitor(string excludedInterface, Func<IEnumerable<(string, System.Net.IPAddress)>> source = null)
        {
            excluded = excludedInterface;
            this.source = source ?? HostAddresses;
        }

        static IEnumerable<(string, System.Net.IPAddress)> HostAddresses()
        {
            foreach (NetworkInterface ni in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (ni.OperationalStatus == OperationalStatus.Down || ni.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                    continue;
                foreach (UnicastIPAddressInformation a in ni.GetIPProperties().UnicastAddresses)
                    yield return (ni.Name, a.Address);
            }
        }

        public UplinkChange Poll(long now, out int family)
        {
            if (pending.Count == 0 && now >= nextLook)
            {
                nextLook = now + Interval;
                if (Look())
                    nextLook = now + Settle;
            }
            if (pending.Count == 0)
            {
                family = 0;
                return UplinkChange.None;
            }
            var (change, f) = pending.Dequeue();
            family = f;
            return change;
        }

        /// <summary>True when a change was seen once and awaits its confirming look.</summary>
        bool Look()
        {
            var v4 = new SortedSet<string>(StringComparer.Ordinal);
            var v6 = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (name, address) in source())
            {
                if (name == excluded || System.Net.IPAddress.IsLoopback(address))
                    continue;
                if (address.AddressFamily == AddressFamily.InterNetwork)
                    v4.Add(address.ToString());
                else if (address.AddressFamily == AddressFamily.InterNetworkV6 && !address.IsIPv6LinkLocal && !address.IsIPv6Multicast)
                    v6.Add(address.ToString());
            }
            bool a = Compare(ref last4, ref seen4, string.Join(",", v4), Endpoint.FamilyIpv4);
            bool b = Compare(ref last6, ref seen6, string.Join(",", v6), Endpoint.FamilyIpv6);
            return a || b;
        }

        /// <summary>Reports a change seen on two looks in a row; true when one was seen for the first time.</summary>
        bool Compare(ref string last, ref string seen, string now, int family)
        {
            string before = last;
            if (before != null && before != now && seen != now)
            {
                seen = now; // first sighting: confirm on the next look
                return true;
            }
            seen = null;
            last = now;
            if (before == null)
            {
                // The first look reports only what is up; "down" at start is the default state.
                if (now.Length > 0)
                    pending.Enqueue((UplinkChange.Up, family));
                return false;
            }
            if (before == now)
                return false;
            if (now.Length == 0)
                pending.Enqueue((UplinkChange.Down, family));
            else if (before.Length == 0)
                pending.Enqueue((UplinkChange.Up, family));
            else
                pending.Enqueue((UplinkChange.AddressChanged, family));
            return false;
        }
    }
}

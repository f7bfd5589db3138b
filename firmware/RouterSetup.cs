using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>Turns the parsed settings and the board's sizes into the LAN services', the NAT's and the tunnel's configurations.</summary>
    public static class RouterSetup
    {

        /// <summary>The tunnel's configuration: the key and MTU from the settings, the sizes from the board.</summary>
        public static TunnelConfig TunnelConfigFrom(RouterSettings s, RouterSizes sizes)
        {
            TunnelConfig tc = s.ToTunnelConfig();
            tc.ReplayWindowWords = sizes.ReplayWindowWords;
            tc.StagedPacketsPerPeer = sizes.StagedPackets;
            return tc;
        }

        public static LanConfig LanConfigFrom(RouterSettings s, byte[] routerMac, IRandomSource random, ISettingsStore store)
        {
            LanSettings l = s.Lan;
            if (l.DhcpPoolStart == null || l.DhcpPoolEnd == null)
                l.SetDefaultPool();
            var c = new LanConfig(routerMac, l.Address.Ipv4Value, l.Address.PrefixLength, l.DhcpPoolStart.Ipv4Value, l.DhcpPoolEnd.Ipv4Value);
            c.LeaseTimeSeconds = l.DhcpLeaseSeconds;
            c.Mtu = s.Interface.Mtu;
            for (int i = 0; i < l.StaticLeases.Length && i < LanConfig.MaxStaticLeases; i++)
                c.AddStaticLease(l.StaticLeases[i].Mac, 0, l.StaticLeases[i].Address.Ipv4Value);
            byte[] ula = new byte[8];
            if (l.UlaPrefix != null)
                System.Array.Copy(l.UlaPrefix.Address, ula, 8);
            else
                LoadOrCreateUla(random, store, ula);
            c.SetUlaPrefix(ula, 0);
            return c;
        }

        /// <summary>RFC 4193 section 3.2: fd00::/8, a random 40-bit global id, subnet 0; stored once made.</summary>
        static void LoadOrCreateUla(IRandomSource random, ISettingsStore store, byte[] ula)
        {
            if (store != null && store.Read(StoredRecords.UlaPrefix, ula, 0, 8) == 8 && ula[0] == 0xFD)
                return;
            RandomBytes.Fill(random, ula, 0, 8);
            ula[0] = 0xFD;
            ula[6] = 0;
            ula[7] = 0;
            if (store != null)
                store.Write(StoredRecords.UlaPrefix, ula, 0, 8);
        }

        /// <summary>Lease slots: the pool and the static leases, at most the board's.</summary>
        public static int LeaseCapacity(LanConfig c, RouterSizes sizes)
        {
            int n = c.PoolSize + c.StaticLeaseCount;
            return n > sizes.DhcpLeases ? sizes.DhcpLeases : n;
        }

        /// <summary>
        /// Sessions held free for each present device: the board's figure, lowered so that the
        /// reserves of all devices together take at most half the table, and never below 4.
        /// </summary>
        public static int DeviceReserve(int natEntries, RouterSizes sizes)
        {
            int fit = natEntries / (2 * sizes.Devices);
            int r = fit < sizes.NatReservePerDevice ? fit : sizes.NatReservePerDevice;
            return r < 4 ? 4 : r;
        }

        public static NatConfig NatConfigFrom(RouterSettings s, LanConfig lan, RouterSizes sizes)
        {
            var n = new NatConfig();
            IpPrefix v4 = s.Interface.FirstAddress(IpPrefix.FamilyIpv4);
            IpPrefix v6 = s.Interface.FirstAddress(IpPrefix.FamilyIpv6);
            n.ExternalAddressV4 = v4 == null ? 0 : v4.Ipv4Value;
            n.ExternalAddressV6 = v6 == null ? null : (byte[])v6.Address.Clone();
            n.RouterAddressV4 = lan.RouterIp;
            n.RouterAddressV6 = lan.HasUla ? (byte[])lan.RouterUla.Clone() : null;
            if (s.Lan.DnsRedirect)
            {
                for (int i = 0; i < s.Lan.Resolvers.Length; i++)
                {
                    IpPrefix r = s.Lan.Resolvers[i];
                    if (r.IsIpv4 && n.ResolverV4 == 0)
                        n.ResolverV4 = r.Ipv4Value;
                    else if (r.IsIpv6 && n.ResolverV6 == null)
                        n.ResolverV6 = (byte[])r.Address.Clone();
                }
            }
            NatSettings t = s.Nat;
            n.Capacity = t.Entries < sizes.NatEntries ? t.Entries : sizes.NatEntries;
            // A NAT host is one address: a dual-stack device holds an IPv4 lease and one or more
            // SLAAC addresses, so allow about three per lease, up to the board's host slots.
            int hosts = 3 * LeaseCapacity(lan, sizes) + 8;
            n.HostCapacity = hosts > sizes.NatHosts ? sizes.NatHosts : hosts;
            n.HostSharePercent = t.HostShare;
            n.DeviceCapacity = sizes.Devices;
            n.DeviceReserve = DeviceReserve(n.Capacity, sizes);
            n.UdpTimeout = t.UdpTimeout * 1000L;
            n.DnsTimeout = t.DnsTimeout * 1000L;
            n.TcpEstablishedTimeout = t.TcpEstablishedTimeout * 1000L;
            n.TcpTransitoryTimeout = t.TcpTransitoryTimeout * 1000L;
            n.IcmpTimeout = t.IcmpTimeout * 1000L;
            n.TunnelMtu = s.Interface.Mtu;
            n.FragmentDatagrams = sizes.FragmentDatagrams;
            n.FragmentHoldSlots = sizes.FragmentHoldSlots;
            n.KeepRemoteV6Addresses = sizes.NatRemoteV6Addresses;
            return n;
        }
    }
}

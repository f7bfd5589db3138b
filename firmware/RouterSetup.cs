using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;

namespace Warp.Firmware
{
    /// <summary>Turns the parsed settings into the LAN services' and the NAT's configurations.</summary>
    public static class RouterSetup
    {
        /// <summary>Record holding a generated ULA prefix, so the LAN's IPv6 addresses survive a reboot.</summary>
        public const string UlaRecord = "ula-prefix";
        /// <summary>At most this many DHCP lease slots, whatever the pool size (RAM).</summary>
        public const int MaxLeases = 64;

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
            if (store != null && store.Read(UlaRecord, ula, 0, 8) == 8 && ula[0] == 0xFD)
                return;
            RandomBytes.Fill(random, ula, 0, 8);
            ula[0] = 0xFD;
            ula[6] = 0;
            ula[7] = 0;
            if (store != null)
                store.Write(UlaRecord, ula, 0, 8);
        }

        public static int LeaseCapacity(LanConfig c)
        {
            int n = c.PoolSize + c.StaticLeaseCount;
            return n > MaxLeases ? MaxLeases : n;
        }

        public static NatConfig NatConfigFrom(RouterSettings s, LanConfig lan)
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
            n.Capacity = t.Entries;
            // A NAT host is one address: a dual-stack device holds an IPv4 lease and one or more
            // SLAAC addresses, so allow about three per lease (the host table's limit is 255).
            int hosts = 3 * LeaseCapacity(lan) + 8;
            n.HostCapacity = hosts > 255 ? 255 : hosts;
            n.HostSharePercent = t.HostShare;
            n.UdpTimeout = t.UdpTimeout * 1000L;
            n.DnsTimeout = t.DnsTimeout * 1000L;
            n.TcpEstablishedTimeout = t.TcpEstablishedTimeout * 1000L;
            n.TcpTransitoryTimeout = t.TcpTransitoryTimeout * 1000L;
            n.IcmpTimeout = t.IcmpTimeout * 1000L;
            n.TunnelMtu = s.Interface.Mtu;
            return n;
        }
    }

    /// <summary>The DHCP leases as one record "dhcp-leases" in the settings store.</summary>
    public sealed class StoredLeases : ILeaseStore
    {
        public const string RecordName = "dhcp-leases";
        readonly ISettingsStore store;

        public StoredLeases(ISettingsStore store) { this.store = store; }

        public int Load(byte[] buffer)
        {
            if (store == null)
                return 0;
            int n = store.Read(RecordName, buffer, 0, buffer.Length);
            return n < 0 ? 0 : n;
        }

        public void Save(byte[] buffer, int length)
        {
            if (store != null)
                store.Write(RecordName, buffer, 0, length);
        }
    }
}

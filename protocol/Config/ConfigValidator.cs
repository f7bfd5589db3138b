namespace Warp.Protocol.Config
{
    /// <summary>Where things were in the file, for the checks that need the whole file (filled by the parser).</summary>
    internal sealed class ConfigLines
    {
        /// <summary>Header lines of [Interface] and [Router] (0: absent).</summary>
        public int Interface;
        public int Router;
        /// <summary>Header line of each [Peer].</summary>
        public readonly int[] Peer = new int[ConfigLimits.MaxPeers];
        /// <summary>First line each key was given on, by key id (for peer keys, in any peer).</summary>
        public readonly int[] Key = new int[WgQuickKeys.Count];
        /// <summary>Keys whose value was refused (already reported; not to be called missing or checked again).</summary>
        public readonly bool[] Bad = new bool[WgQuickKeys.Count];
        /// <summary>Per peer, a bit (1 &lt;&lt; key id) for each of its keys whose value was refused.</summary>
        public readonly int[] PeerBad = new int[ConfigLimits.MaxPeers];
        /// <summary>Line of each static lease, in order.</summary>
        public readonly int[] Lease = new int[ConfigLimits.MaxStaticLeases];
        /// <summary>The first line that gave an IPv6 tunnel address.</summary>
        public int FirstIpv6Address;
    }

    /// <summary>
    /// Checks that need more than one line: required keys, the MTU against IPv6, the DHCP pool and
    /// static leases against the LAN subnet, duplicates across sections. Also fills defaults that
    /// depend on other keys (the pool from the subnet, the resolvers from DNS). Errors name the
    /// line at fault; a value already refused by the parser is not reported again.
    /// </summary>
    internal static class ConfigValidator
    {
        public static void Validate(RouterSettings s, ConfigLines lines, ConfigDiagnostics d)
        {
            CheckInterface(s.Interface, lines, d);
            CheckPeers(s, lines, d);
            CheckLan(s, lines, d);
        }

        static void CheckInterface(InterfaceSettings i, ConfigLines lines, ConfigDiagnostics d)
        {
            if (lines.Interface == 0)
            {
                d.AddError(0, "no [Interface] section (it holds PrivateKey and Address)");
                return;
            }
            if (i.PrivateKey == null && !lines.Bad[WgQuickKeys.PrivateKey])
                d.AddError(lines.Interface, "[Interface]: PrivateKey is missing");
            if (i.Addresses.Length == 0 && !lines.Bad[WgQuickKeys.Address])
                d.AddError(lines.Interface, "[Interface]: Address is missing (the tunnel's own address, e.g. 172.16.0.2/32)");
            else if (i.Addresses.Length > 0 && i.FirstAddress(IpPrefix.FamilyIpv4) == null)
                d.AddWarning(lines.Key[WgQuickKeys.Address], "Address: no IPv4 address, so LAN devices get no IPv4 through the tunnel");
            if (i.Mtu < InterfaceSettings.MinMtuIpv6 && i.CarriesIpv6 && !lines.Bad[WgQuickKeys.Mtu])
                d.AddError(lines.Key[WgQuickKeys.Mtu], "MTU: " + i.Mtu.ToString() + " is below 1280, the minimum for IPv6 (line "
                    + lines.FirstIpv6Address.ToString() + " gives an IPv6 Address)");
        }

        static void CheckPeers(RouterSettings s, ConfigLines lines, ConfigDiagnostics d)
        {
            if (s.Peers.Length == 0)
            {
                d.AddError(0, "no [Peer] section (the router needs the edge's PublicKey and Endpoint)");
                return;
            }
            for (int p = 0; p < s.Peers.Length; p++)
            {
                PeerSettings peer = s.Peers[p];
                int bad = lines.PeerBad[p];
                if (peer.PublicKey == null)
                {
                    if ((bad & (1 << WgQuickKeys.PublicKey)) == 0)
                        d.AddError(lines.Peer[p], "[Peer]: PublicKey is missing");
                }
                else
                {
                    for (int q = 0; q < p; q++)
                        if (s.Peers[q].PublicKey != null && SameBytes(s.Peers[q].PublicKey, peer.PublicKey))
                            d.AddError(lines.Peer[p], "[Peer]: the same PublicKey as the [Peer] on line " + lines.Peer[q].ToString());
                }
                if (p == 0 && peer.Endpoints.Length == 0 && (bad & (1 << WgQuickKeys.Endpoint)) == 0)
                    d.AddError(lines.Peer[p], "[Peer]: Endpoint is missing (the router starts the handshake, so it needs the edge's address)");
            }
        }

        static void CheckLan(RouterSettings s, ConfigLines lines, ConfigDiagnostics d)
        {
            LanSettings lan = s.Lan;
            bool lanKnown = !lines.Bad[WgQuickKeys.LanAddress];
            int startLine = lines.Key[WgQuickKeys.DhcpPoolStart];
            int endLine = lines.Key[WgQuickKeys.DhcpPoolEnd];
            bool startBad = lines.Bad[WgQuickKeys.DhcpPoolStart];
            bool endBad = lines.Bad[WgQuickKeys.DhcpPoolEnd];
            if (startLine == 0 && endLine == 0)
            {
                if (lanKnown)
                    lan.SetDefaultPool();
            }
            else if (startLine == 0 || endLine == 0)
            {
                if (startLine != 0 && !startBad)
                    d.AddError(startLine, "DhcpPoolStart: given without DhcpPoolEnd");
                if (endLine != 0 && !endBad)
                    d.AddError(endLine, "DhcpPoolEnd: given without DhcpPoolStart");
            }
            else if (lanKnown && !startBad && !endBad)
            {
                CheckPool(lan, startLine, endLine, d);
            }

            StaticLease[] leases = lan.StaticLeases;
            for (int k = 0; k < leases.Length; k++)
            {
                int line = lines.Lease[k];
                uint v = leases[k].Address.Ipv4Value;
                if (lanKnown && !lan.IsHostInSubnet(v))
                    d.AddError(line, "StaticLease: " + leases[k].Address.AddressToString() + OutsideLan(lan, v));
                else if (lanKnown && v == lan.Address.Ipv4Value)
                    d.AddError(line, "StaticLease: " + leases[k].Address.AddressToString() + " is the router's own address");
                for (int j = 0; j < k; j++)
                {
                    if (leases[j].SameMac(leases[k]))
                        d.AddError(line, "StaticLease: " + Net.MacAddress.Format(leases[k].Mac, 0) + " already has a lease on line " + lines.Lease[j].ToString());
                    if (leases[j].Address.Ipv4Value == v)
                        d.AddError(line, "StaticLease: " + leases[k].Address.AddressToString() + " is already leased on line " + lines.Lease[j].ToString());
                }
            }

            if (lan.Resolvers.Length == 0 && !lines.Bad[WgQuickKeys.Resolver])
            {
                if (s.Interface.Dns.Length > 0)
                {
                    lan.Resolvers = new IpPrefix[s.Interface.Dns.Length];
                    System.Array.Copy(s.Interface.Dns, lan.Resolvers, lan.Resolvers.Length);
                }
                else
                {
                    lan.Resolvers = LanSettings.DefaultResolvers();
                }
            }

            if (lan.UlaPrefix != null && lines.Interface != 0 && s.Interface.Addresses.Length > 0 && !s.Interface.CarriesIpv6)
                d.AddWarning(lines.Key[WgQuickKeys.UlaPrefix], "UlaPrefix: the tunnel has no IPv6 Address, so LAN devices get IPv6 addresses but no IPv6 route");
        }

        static void CheckPool(LanSettings lan, int startLine, int endLine, ConfigDiagnostics d)
        {
            uint start = lan.DhcpPoolStart.Ipv4Value;
            uint end = lan.DhcpPoolEnd.Ipv4Value;
            bool ok = true;
            if (!lan.IsHostInSubnet(start))
            {
                d.AddError(startLine, "DhcpPoolStart: " + lan.DhcpPoolStart.AddressToString() + OutsideLan(lan, start));
                ok = false;
            }
            if (!lan.IsHostInSubnet(end))
            {
                d.AddError(endLine, "DhcpPoolEnd: " + lan.DhcpPoolEnd.AddressToString() + OutsideLan(lan, end));
                ok = false;
            }
            if (!ok)
                return;
            uint router = lan.Address.Ipv4Value;
            if (start > end)
                d.AddError(endLine, "DhcpPoolEnd: " + lan.DhcpPoolEnd.AddressToString() + " comes before DhcpPoolStart " + lan.DhcpPoolStart.AddressToString()
                    + " (line " + startLine.ToString() + ")");
            else if (router >= start && router <= end)
                d.AddError(startLine, "DhcpPoolStart: the pool " + lan.DhcpPoolStart.AddressToString() + "-" + lan.DhcpPoolEnd.AddressToString()
                    + " contains the router's address " + lan.Address.AddressToString());
        }

        /// <summary>" is outside the LAN 192.168.42.0/24" or " is the LAN's network/broadcast address".</summary>
        static string OutsideLan(LanSettings lan, uint value)
        {
            IpPrefix net = IpPrefix.FromIpv4(lan.Network);
            string subnet = net.AddressToString() + "/" + lan.Address.PrefixLength.ToString();
            if (value == lan.Network)
                return " is the network address of the LAN " + subnet;
            if (value == lan.Broadcast)
                return " is the broadcast address of the LAN " + subnet;
            return " is outside the LAN " + subnet;
        }

        static bool SameBytes(byte[] a, byte[] b)
        {
            if (a.Length != b.Length)
                return false;
            int diff = 0;
            for (int i = 0; i < a.Length; i++)
                diff |= a[i] ^ b[i];
            return diff == 0;
        }
    }
}

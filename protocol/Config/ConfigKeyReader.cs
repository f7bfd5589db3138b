using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// Reads one key's value into the settings model. Each method checks the value's syntax and
    /// range only; checks that need the whole file (the pool inside the LAN, MTU against IPv6,
    /// duplicate leases) are <see cref="ConfigValidator"/>'s. Returns null on success or the reason
    /// a value is refused, which the parser prefixes with the line and key name. Reasons never
    /// quote a key's value.
    /// </summary>
    internal static class ConfigKeyReader
    {
        public static string Read(int key, string value, RouterSettings s, PeerSettings peer, ConfigLines lines,
            int peerIndex, int line, ConfigDiagnostics diagnostics)
        {
            if (lines.Key[key] == 0)
                lines.Key[key] = line;
            InterfaceSettings i = s.Interface;
            LanSettings lan = s.Lan;
            NatSettings nat = s.Nat;
            switch (key)
            {
                case WgQuickKeys.PrivateKey:
                    i.PrivateKey = ConfigValues.TryDecodeKey(value);
                    return i.PrivateKey == null ? "not 32 bytes of base64" : null;
                case WgQuickKeys.Address:
                    return ReadAddresses(value, i, lines, line);
                case WgQuickKeys.Dns:
                    return ReadAddressList(value, false, ConfigLimits.MaxDnsServers, ref i.Dns,
                        "not an IP address (host names and search domains are not supported)");
                case WgQuickKeys.Mtu:
                    return ConfigValues.TryParseRange(value, InterfaceSettings.MinMtuIpv4, InterfaceSettings.MaxMtu, out i.Mtu)
                        ? null : "not a number from " + InterfaceSettings.MinMtuIpv4.ToString() + " to " + InterfaceSettings.MaxMtu.ToString();
                case WgQuickKeys.ListenPort:
                    return ConfigValues.TryParseRange(value, 0, 65535, out i.ListenPort) ? null : "not a port number (0-65535)";

                case WgQuickKeys.PublicKey:
                    peer.PublicKey = ConfigValues.TryDecodeKey(value);
                    return peer.PublicKey == null ? "not 32 bytes of base64" : null;
                case WgQuickKeys.PresharedKey:
                    peer.PresharedKey = ConfigValues.TryDecodeKey(value);
                    return peer.PresharedKey == null ? "not 32 bytes of base64" : null;
                case WgQuickKeys.Endpoint:
                    return ReadEndpoints(value, peer);
                case WgQuickKeys.AllowedIps:
                    return ReadAddressList(value, true, ConfigLimits.MaxAllowedIps, ref peer.AllowedIps, "not an address/prefix");
                case WgQuickKeys.PersistentKeepalive:
                    if (value.ToLower() == "off")
                    {
                        peer.PersistentKeepalive = 0;
                        return null;
                    }
                    return ConfigValues.TryParseRange(value, 0, 65535, out peer.PersistentKeepalive) ? null : "not 0-65535 seconds or \"off\"";
                case WgQuickKeys.ClientId:
                    return ReadClientId(value, peer);

                case WgQuickKeys.LanAddress:
                    return ReadLanAddress(value, lan);
                case WgQuickKeys.UlaPrefix:
                    return ReadUlaPrefix(value, lan);
                case WgQuickKeys.DhcpPoolStart:
                    lan.DhcpPoolStart = IpPrefix.TryParse(value, false);
                    return lan.DhcpPoolStart != null && lan.DhcpPoolStart.IsIpv4 ? null : "not an IPv4 address";
                case WgQuickKeys.DhcpPoolEnd:
                    lan.DhcpPoolEnd = IpPrefix.TryParse(value, false);
                    return lan.DhcpPoolEnd != null && lan.DhcpPoolEnd.IsIpv4 ? null : "not an IPv4 address";
                case WgQuickKeys.DhcpLeaseTime:
                    return ConfigValues.TryParseDuration(value, LanSettings.MaxLeaseSeconds, out lan.DhcpLeaseSeconds)
                        && lan.DhcpLeaseSeconds >= LanSettings.MinLeaseSeconds
                        ? null : "not a duration from 2m to 7d (seconds, or a number with s, m, h or d)";
                case WgQuickKeys.StaticLease:
                    return ReadStaticLease(value, lan, lines, line);
                case WgQuickKeys.NatEntries:
                    return ConfigValues.TryParseRange(value, NatSettings.MinEntries, NatSettings.MaxEntries, out nat.Entries)
                        ? null : "not a number from " + NatSettings.MinEntries.ToString() + " to " + NatSettings.MaxEntries.ToString();
                case WgQuickKeys.NatUdpTimeout:
                    return ReadTimeout(value, NatSettings.RfcMinUdpTimeout, "RFC 4787 REQ-5 asks for at least 2 minutes", out nat.UdpTimeout, line, diagnostics);
                case WgQuickKeys.NatTcpEstablishedTimeout:
                    return ReadTimeout(value, NatSettings.DefaultTcpEstablishedTimeout, "RFC 5382 asks for at least 2 h 4 min", out nat.TcpEstablishedTimeout, line, diagnostics);
                case WgQuickKeys.NatTcpTransitoryTimeout:
                    return ReadTimeout(value, NatSettings.DefaultTcpTransitoryTimeout, "RFC 5382 asks for at least 4 minutes", out nat.TcpTransitoryTimeout, line, diagnostics);
                case WgQuickKeys.NatIcmpTimeout:
                    return ReadTimeout(value, NatSettings.DefaultIcmpTimeout, "RFC 5508 asks for at least 60 seconds", out nat.IcmpTimeout, line, diagnostics);
                case WgQuickKeys.NatDnsTimeout:
                    return ReadTimeout(value, 0, null, out nat.DnsTimeout, line, diagnostics);
                case WgQuickKeys.NatHostShare:
                    string percent = value.EndsWith("%") ? value.Substring(0, value.Length - 1).TrimEnd() : value;
                    return ConfigValues.TryParseRange(percent, 1, 100, out nat.HostShare) ? null : "not a percentage from 1 to 100";
                case WgQuickKeys.Resolver:
                    return ReadAddressList(value, false, ConfigLimits.MaxResolvers, ref lan.Resolvers, "not an IP address");
                case WgQuickKeys.DnsRedirect:
                    return ConfigValues.TryParseBool(value, out lan.DnsRedirect) ? null : "not on/off (true/false, yes/no, 1/0)";
                case WgQuickKeys.LanInterface:
                    if (!IsInterfaceName(value))
                        return "not a Linux interface name (1-15 letters, digits, '-', '_' or '.')";
                    lan.LanInterface = value;
                    return null;
                case WgQuickKeys.Race:
                    return ConfigValues.TryParseBool(value, out s.Uplink.Race) ? null : "not on/off (true/false, yes/no, 1/0)";
                case WgQuickKeys.ConnectionAttemptDelay:
                    return UplinkSettings.TryParseDelay(value, out s.Uplink.ConnectionAttemptDelay)
                        ? null : "not a delay from 100ms to 2s (milliseconds, or a number with ms or s)";
            }
            return "not handled"; // every key id has a case above
        }

        static string ReadAddresses(string value, InterfaceSettings i, ConfigLines lines, int line)
        {
            string problem = ReadAddressList(value, true, ConfigLimits.MaxInterfaceAddresses, ref i.Addresses, "not an IPv4 or IPv6 address with an optional /prefix");
            if (problem == null && lines.FirstIpv6Address == 0 && i.CarriesIpv6)
                lines.FirstIpv6Address = line;
            return problem;
        }

        /// <summary>Appends each comma-separated address (with a /prefix when <paramref name="allowPrefix"/>) to <paramref name="list"/>.</summary>
        static string ReadAddressList(string value, bool allowPrefix, int max, ref IpPrefix[] list, string what)
        {
            string[] items = ConfigValues.SplitList(value);
            for (int k = 0; k < items.Length; k++)
            {
                if (items[k].Length == 0)
                    return "an empty item in the list";
                IpPrefix p = IpPrefix.TryParse(items[k], allowPrefix);
                if (p == null)
                    return Item(items[k]) + " is " + what;
                if (list.Length == max)
                    return "more than " + max.ToString() + " addresses";
                list = ConfigLimits.Append(list, p);
            }
            return null;
        }

        static string ReadEndpoints(string value, PeerSettings peer)
        {
            string[] items = ConfigValues.SplitList(value);
            for (int k = 0; k < items.Length; k++)
            {
                if (items[k].Length == 0)
                    return "an empty item in the list";
                string reason;
                PeerEndpoint e = PeerEndpoint.TryParse(items[k], out reason);
                if (e == null)
                    return Item(items[k]) + ": " + reason;
                if (peer.Endpoints.Length == ConfigLimits.MaxEndpointsPerPeer)
                    return "more than " + ConfigLimits.MaxEndpointsPerPeer.ToString() + " endpoints";
                peer.Endpoints = ConfigLimits.Append(peer.Endpoints, e);
            }
            return null;
        }

        static string ReadClientId(string value, PeerSettings peer)
        {
            // sing-box and some WARP tools write the reserved bytes as a JSON-style list: [1, 2, 3].
            if (value.Length >= 2 && value[0] == '[' && value[value.Length - 1] == ']')
                value = value.Substring(1, value.Length - 2);
            int id;
            if (!ClientId.TryParse(value, out id))
                return "not base64 (WARP's client_id) or three decimal bytes \"b1,b2,b3\"";
            peer.ClientId = id;
            return null;
        }

        static string ReadLanAddress(string value, LanSettings lan)
        {
            IpPrefix p = IpPrefix.TryParse(value, true);
            if (p == null || !p.IsIpv4 || value.IndexOf('/') < 0)
                return "not an IPv4 address with a prefix length (e.g. 192.168.42.1/24)";
            if (p.PrefixLength < LanSettings.MinPrefixLength || p.PrefixLength > LanSettings.MaxPrefixLength)
                return "the prefix length must be /" + LanSettings.MinPrefixLength.ToString() + " to /" + LanSettings.MaxPrefixLength.ToString();
            IpPrefix old = lan.Address;
            lan.Address = p;
            if (!lan.IsHostInSubnet(p.Ipv4Value))
            {
                lan.Address = old;
                return "the router needs a host address, not the subnet's network or broadcast address";
            }
            return null;
        }

        static string ReadUlaPrefix(string value, LanSettings lan)
        {
            IpPrefix p = IpPrefix.TryParse(value, true);
            if (p == null || !p.IsIpv6 || value.IndexOf('/') < 0)
                return "not an IPv6 prefix (e.g. fd12:3456:789a:1::/64)";
            if (p.PrefixLength != 64)
                return "must be a /64 (SLAAC needs 64-bit interface ids)";
            if (p.Address[0] != 0xFD)
                return "not a unique local prefix (fd00::/8, RFC 4193)";
            if (!p.HostBitsZero)
                return "the bits after /64 must be zero";
            lan.UlaPrefix = p;
            return null;
        }

        static string ReadStaticLease(string value, LanSettings lan, ConfigLines lines, int line)
        {
            string reason;
            StaticLease lease = StaticLease.TryParse(value, out reason);
            if (lease == null)
                return reason;
            if (lan.StaticLeases.Length == ConfigLimits.MaxStaticLeases)
                return "more than " + ConfigLimits.MaxStaticLeases.ToString() + " static leases";
            lines.Lease[lan.StaticLeases.Length] = line;
            lan.StaticLeases = ConfigLimits.Append(lan.StaticLeases, lease);
            return null;
        }

        /// <summary>A NAT timer; below <paramref name="rfcMinimum"/> it is accepted with a warning that quotes the requirement.</summary>
        static string ReadTimeout(string value, int rfcMinimum, string requirement, out int seconds, int line, ConfigDiagnostics diagnostics)
        {
            if (!ConfigValues.TryParseDuration(value, NatSettings.MaxTimeout, out seconds) || seconds < NatSettings.MinTimeout)
            {
                seconds = 0;
                return "not a duration from " + NatSettings.MinTimeout.ToString() + "s to 7d (seconds, or a number with s, m, h or d)";
            }
            if (seconds < rfcMinimum)
                diagnostics.AddWarning(line, "NAT timer of " + seconds.ToString() + " s is short: " + requirement);
            return null;
        }

        /// <summary>Linux IFNAMSIZ allows 15 characters; we allow the safe subset.</summary>
        static bool IsInterfaceName(string value)
        {
            if (value.Length < 1 || value.Length > 15 || value == "." || value == "..")
                return false;
            for (int k = 0; k < value.Length; k++)
            {
                char c = value[k];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
                    return false;
            }
            return true;
        }

        /// <summary>"\"item\"" when it is safe to quote (see <see cref="ConfigValues.Quotable"/>), else "an item".</summary>
        static string Item(string text)
        {
            string shown = ConfigValues.Quotable(text, false);
            return shown == text ? "\"" + text + "\"" : "an item " + shown;
        }
    }
}

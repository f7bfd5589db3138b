namespace Warp.Protocol.Config
{
    /// <summary>
    /// The sections and keys a configuration file may hold: wg-quick's [Interface] and [Peer] keys
    /// plus our [Router] section. Key names are matched without regard to case, as wg-quick does.
    /// Each key has an id, a canonical spelling (used in messages and on export), the section it
    /// belongs to and whether it may be repeated.
    /// </summary>
    public static class WgQuickKeys
    {
        public const int SectionNone = 0;
        public const int SectionInterface = 1;
        public const int SectionPeer = 2;
        public const int SectionRouter = 3;

        // [Interface]
        public const int PrivateKey = 0;
        public const int Address = 1;
        public const int Dns = 2;
        public const int Mtu = 3;
        public const int ListenPort = 4;
        // [Peer]
        public const int PublicKey = 5;
        public const int PresharedKey = 6;
        public const int Endpoint = 7;
        public const int AllowedIps = 8;
        public const int PersistentKeepalive = 9;
        public const int ClientId = 10;
        // [Router]
        public const int LanAddress = 11;
        public const int UlaPrefix = 12;
        public const int DhcpPoolStart = 13;
        public const int DhcpPoolEnd = 14;
        public const int DhcpLeaseTime = 15;
        public const int StaticLease = 16;
        public const int NatEntries = 17;
        public const int NatUdpTimeout = 18;
        public const int NatTcpEstablishedTimeout = 19;
        public const int NatTcpTransitoryTimeout = 20;
        public const int NatIcmpTimeout = 21;
        public const int NatDnsTimeout = 22;
        public const int NatHostShare = 23;
        public const int Resolver = 24;
        public const int DnsRedirect = 25;
        public const int LanInterface = 26;
        public const int Race = 27;
        public const int ConnectionAttemptDelay = 28;

        public const int Count = 29;
        public const int None = -1;

        /// <summary>Canonical spellings, indexed by key id.</summary>
        static readonly string[] names =
        {
            "PrivateKey", "Address", "DNS", "MTU", "ListenPort",
            "PublicKey", "PresharedKey", "Endpoint", "AllowedIPs", "PersistentKeepalive", "ClientId",
            "LanAddress", "UlaPrefix", "DhcpPoolStart", "DhcpPoolEnd", "DhcpLeaseTime", "StaticLease",
            "NatEntries", "NatUdpTimeout", "NatTcpEstablishedTimeout", "NatTcpTransitoryTimeout",
            "NatIcmpTimeout", "NatDnsTimeout", "NatHostShare", "Resolver", "DnsRedirect", "LanInterface",
            "Race", "ConnectionAttemptDelay",
        };

        /// <summary>Lower-case spellings for matching, indexed by key id.</summary>
        static readonly string[] lower =
        {
            "privatekey", "address", "dns", "mtu", "listenport",
            "publickey", "presharedkey", "endpoint", "allowedips", "persistentkeepalive", "clientid",
            "lanaddress", "ulaprefix", "dhcppoolstart", "dhcppoolend", "dhcpleasetime", "staticlease",
            "natentries", "natudptimeout", "nattcpestablishedtimeout", "nattcptransitorytimeout",
            "naticmptimeout", "natdnstimeout", "nathostshare", "resolver", "dnsredirect", "laninterface",
            "race", "connectionattemptdelay",
        };

        /// <summary>
        /// wg-quick keys that only matter to Linux (routing table, hooks, saving, firewall mark):
        /// accepted in [Interface] and ignored with a warning.
        /// </summary>
        static readonly string[] linuxOnly = { "table", "preup", "postup", "predown", "postdown", "saveconfig", "fwmark" };

        public static string Name(int key) { return names[key]; }

        /// <summary>The section a key belongs to.</summary>
        public static int SectionOf(int key)
        {
            if (key <= ListenPort) return SectionInterface;
            if (key <= ClientId) return SectionPeer;
            return SectionRouter;
        }

        /// <summary>Keys that may appear more than once (their values accumulate).</summary>
        public static bool IsRepeatable(int key)
        {
            return key == Address || key == Dns || key == Endpoint || key == AllowedIps || key == StaticLease || key == Resolver;
        }

        /// <summary>The key id for a name in any case, or <see cref="None"/>. "Reserved" (used by some WARP tools) is ClientId.</summary>
        public static int Find(string name)
        {
            for (int i = 0; i < Count; i++)
                if (SameIgnoringCase(name, lower[i]))
                    return i;
            if (SameIgnoringCase(name, "reserved"))
                return ClientId;
            return None;
        }

        /// <summary>True when <paramref name="text"/> equals <paramref name="lower"/> (ASCII lower case) in any case; allocates nothing.</summary>
        public static bool SameIgnoringCase(string text, string lower)
        {
            if (text.Length != lower.Length)
                return false;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c >= 'A' && c <= 'Z')
                    c = (char)(c + 32);
                if (c != lower[i])
                    return false;
            }
            return true;
        }

        /// <summary>True for a wg-quick key that only Linux uses (see <see cref="linuxOnly"/>).</summary>
        public static bool IsLinuxOnly(string name)
        {
            for (int i = 0; i < linuxOnly.Length; i++)
                if (SameIgnoringCase(name, linuxOnly[i]))
                    return true;
            return false;
        }

        /// <summary>The section id for a header's name in any case ("Interface", "Peer", "Router"), or <see cref="SectionNone"/>.</summary>
        public static int FindSection(string name)
        {
            if (SameIgnoringCase(name, "interface")) return SectionInterface;
            if (SameIgnoringCase(name, "peer")) return SectionPeer;
            if (SameIgnoringCase(name, "router")) return SectionRouter;
            return SectionNone;
        }

        public static string SectionName(int section)
        {
            if (section == SectionInterface) return "[Interface]";
            if (section == SectionPeer) return "[Peer]";
            if (section == SectionRouter) return "[Router]";
            return "(no section)";
        }
    }
}

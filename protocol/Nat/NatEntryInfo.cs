namespace Warp.Protocol.Nat
{
    /// <summary>
    /// One session as the status view shows it, filled by <see cref="NatTable.TryGetEntry"/>.
    /// A value type the caller owns; <see cref="Format"/> builds a line and allocates, so it is for
    /// the console, never the packet path.
    /// </summary>
    public struct NatEntryInfo
    {
        /// <summary>The slot in the session table.</summary>
        public int Slot;
        /// <summary>True for an IPv6 session.</summary>
        public bool IsV6;
        /// <summary>IP protocol number: 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6.</summary>
        public byte Protocol;
        /// <summary>Index of the LAN host in <see cref="NatHostTable"/>.</summary>
        public int Host;
        /// <summary>LAN source port, or the LAN's ICMP echo identifier.</summary>
        public ushort LanPort;
        /// <summary>External port (or identifier) on the tunnel address.</summary>
        public ushort ExternalPort;
        /// <summary>Remote IPv4 address; for IPv6 the keyed fingerprint of the remote address.</summary>
        public uint RemoteAddress;
        /// <summary>Remote port; 0 for ICMP.</summary>
        public ushort RemotePort;
        /// <summary>TCP state (<see cref="NatTcpState"/>), 0 for UDP and ICMP.</summary>
        public byte TcpState;
        /// <summary>True for a DNS query redirected from the router's address to the resolver.</summary>
        public bool Redirected;
        /// <summary>Milliseconds until the session expires; ≤ 0 when it is dead but not yet reclaimed.</summary>
        public long Remaining;

        /// <summary>
        /// A line such as <c>udp 192.168.4.2:5353 -> :5353 -> 1.1.1.1:53 dns 29s</c>.
        /// IPv6 remotes show their fingerprint (the table does not keep the address).
        /// </summary>
        public string Format(NatHostTable hosts)
        {
            return Format(hosts, null);
        }

        /// <summary>
        /// The same, with IPv6 remotes shown by address where <paramref name="remotes"/> (the
        /// Linux host's side table; null on the device) holds it, else by fingerprint.
        /// </summary>
        public string Format(NatHostTable hosts, NatRemoteAddresses remotes)
        {
            string lan = FormatLanAddress(hosts);
            if (hosts != null && hosts.IsUsed(Host) && hosts.IsV6(Host))
                lan = "[" + lan + "]";
            string remote = IsV6 ? "[" + FormatRemoteAddress(remotes) + "]" : FormatRemoteAddress();
            string line = ProtocolName(Protocol) + " " + lan + ":" + LanPort.ToString() + " -> :" + ExternalPort.ToString()
                + " -> " + remote + ":" + RemotePort.ToString();
            if (Protocol == 6)
                line = line + " " + NatTcpState.Name(TcpState);
            if (Redirected)
                line = line + " dns";
            return line + " " + (Remaining / 1000).ToString() + "s";
        }

        /// <summary>"tcp", "udp", "icmp6" or "icmp" (console only).</summary>
        public static string ProtocolName(byte protocol)
        {
            return protocol == 6 ? "tcp" : protocol == 17 ? "udp" : protocol == 58 ? "icmp6" : "icmp";
        }

        /// <summary>
        /// The LAN host's address without brackets ("192.168.4.2", "fd42:0:0:0:0:0:0:2"), or
        /// "host" and the index when the host slot is gone (console only; allocates).
        /// </summary>
        public string FormatLanAddress(NatHostTable hosts)
        {
            if (hosts == null || !hosts.IsUsed(Host))
                return "host" + Host.ToString();
            if (hosts.IsV6(Host))
                return FormatV6(hosts.AddressV6Bytes, hosts.AddressV6Offset(Host));
            return FormatV4(hosts.AddressV4(Host));
        }

        /// <summary>The remote IPv4 address, or for IPv6 "#" and the 8-hex-digit fingerprint (console only; allocates).</summary>
        public string FormatRemoteAddress()
        {
            return IsV6 ? "#" + RemoteAddress.ToString("x8") : FormatV4(RemoteAddress);
        }

        /// <summary>
        /// The remote address; an IPv6 one in RFC 5952 form when <paramref name="remotes"/> holds
        /// it for this session, else "#" and its fingerprint (console only; allocates).
        /// </summary>
        public string FormatRemoteAddress(NatRemoteAddresses remotes)
        {
            if (IsV6 && remotes != null)
            {
                byte[] a = new byte[16];
                if (remotes.TryGet(Slot, RemoteAddress, a, 0))
                    return Warp.Protocol.Net.AddressText.FormatIpv6(a, 0);
            }
            return FormatRemoteAddress();
        }

        static string FormatV4(uint a)
        {
            return (a >> 24).ToString() + "." + ((a >> 16) & 255).ToString() + "." + ((a >> 8) & 255).ToString() + "." + (a & 255).ToString();
        }

        static string FormatV6(byte[] b, int offset)
        {
            string s = "";
            for (int i = 0; i < 16; i += 2)
            {
                if (i > 0)
                    s = s + ":";
                s = s + ((b[offset + i] << 8) | b[offset + i + 1]).ToString("x");
            }
            return s;
        }
    }
}

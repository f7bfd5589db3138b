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
            string proto = Protocol == 6 ? "tcp" : Protocol == 17 ? "udp" : Protocol == 58 ? "icmp6" : "icmp";
            string lan;
            if (hosts == null || !hosts.IsUsed(Host))
                lan = "host" + Host.ToString();
            else if (hosts.IsV6(Host))
                lan = "[" + FormatV6(hosts.AddressV6Bytes, hosts.AddressV6Offset(Host)) + "]";
            else
                lan = FormatV4(hosts.AddressV4(Host));
            string remote = IsV6 ? "[#" + RemoteAddress.ToString("x8") + "]" : FormatV4(RemoteAddress);
            string line = proto + " " + lan + ":" + LanPort.ToString() + " -> :" + ExternalPort.ToString()
                + " -> " + remote + ":" + RemotePort.ToString();
            if (Protocol == 6)
                line = line + " " + NatTcpState.Name(TcpState);
            if (Redirected)
                line = line + " dns";
            return line + " " + (Remaining / 1000).ToString() + "s";
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

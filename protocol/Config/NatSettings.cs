namespace Warp.Protocol.Config
{
    /// <summary>
    /// NAT table size and timers from the [Router] section (Nat* keys). The defaults follow the
    /// RFCs in REFERENCES.md; shorter timers are accepted (a small table may need them) with a
    /// warning that names the requirement they break.
    /// </summary>
    public sealed class NatSettings
    {
        public const int DefaultEntries = 256;
        public const int MinEntries = 16;
        public const int MaxEntries = 16384;

        /// <summary>RFC 4787 REQ-5: at least 2 min, 5 min recommended.</summary>
        public const int DefaultUdpTimeout = 300;
        public const int RfcMinUdpTimeout = 120;
        /// <summary>RFC 5382: established TCP idle at least 2 h 4 min.</summary>
        public const int DefaultTcpEstablishedTimeout = 7440;
        /// <summary>RFC 5382: transitory TCP at least 4 min.</summary>
        public const int DefaultTcpTransitoryTimeout = 240;
        /// <summary>RFC 5508: ICMP query mappings at least 60 s.</summary>
        public const int DefaultIcmpTimeout = 60;
        /// <summary>RFC 4787 REQ-5a lets a mapping to port 53 expire sooner; one query and its answer need seconds.</summary>
        public const int DefaultDnsTimeout = 30;
        /// <summary>The share of the table one LAN host may hold, in percent.</summary>
        public const int DefaultHostShare = 50;

        public const int MinTimeout = 5;
        /// <summary>7 days.</summary>
        public const int MaxTimeout = 604800;

        /// <summary>Table capacity (mappings).</summary>
        public int Entries = DefaultEntries;
        public int UdpTimeout = DefaultUdpTimeout;
        public int TcpEstablishedTimeout = DefaultTcpEstablishedTimeout;
        public int TcpTransitoryTimeout = DefaultTcpTransitoryTimeout;
        public int IcmpTimeout = DefaultIcmpTimeout;
        public int DnsTimeout = DefaultDnsTimeout;
        /// <summary>Percent of <see cref="Entries"/> that one LAN host may hold (1-100), so one device cannot starve the rest.</summary>
        public int HostShare = DefaultHostShare;
    }
}

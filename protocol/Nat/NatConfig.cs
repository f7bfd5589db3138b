using System;

namespace Warp.Protocol.Nat
{
    /// <summary>Inbound filtering (RFC 4787 section 5, REQ-8).</summary>
    public enum NatFiltering : byte
    {
        /// <summary>
        /// Address-dependent filtering: an inbound packet passes only from a remote address that
        /// the LAN endpoint has sent to (any port). RFC 4787 REQ-8 recommends it where security
        /// matters more than transparency; the default.
        /// </summary>
        AddressDependent = 0,
        /// <summary>Endpoint-independent filtering: any remote may use a live mapping (RFC 4787 REQ-8, for transparency).</summary>
        EndpointIndependent = 1,
    }

    /// <summary>
    /// Settings of the NAT. The board profile supplies the sizes; the tunnel configuration
    /// supplies the addresses. <see cref="Validate"/> refuses values that would break a MUST of
    /// RFC 4787, 5382, 5508 or 7857, so a misconfigured router fails at start, not on the air.
    /// Times are in the units of the caller's monotonic clock, taken to be milliseconds.
    /// </summary>
    public sealed class NatConfig
    {
        /// <summary>RFC 4787 REQ-5: a UDP mapping timer MUST NOT expire in less than two minutes.</summary>
        public const long MinUdpTimeout = 120000;
        /// <summary>RFC 5382 REQ-5: established connection idle-timeout at least 2 hours 4 minutes.</summary>
        public const long MinTcpEstablishedTimeout = 7440000;
        /// <summary>RFC 5382 REQ-5: transitory connection idle-timeout at least 4 minutes.</summary>
        public const long MinTcpTransitoryTimeout = 240000;
        /// <summary>RFC 5508 REQ-1: an ICMP query mapping lives at least 60 seconds.</summary>
        public const long MinIcmpTimeout = 60000;
        /// <summary>Timers are kept as 32-bit serial numbers of milliseconds (RFC 1982 style); a timeout must stay well below 2^31.</summary>
        public const long MaxTimeout = 0x40000000;
        /// <summary>First port outside the well-known range (RFC 4787 REQ-3, RFC 6335 section 6).</summary>
        public const int FirstNonWellKnownPort = 1024;

        /// <summary>The tunnel's IPv4 address (WARP: e.g. 172.16.0.2/32), host byte order; 0 disables IPv4.</summary>
        public uint ExternalAddressV4;
        /// <summary>The tunnel's IPv6 /128, 16 bytes; null disables IPv6.</summary>
        public byte[] ExternalAddressV6;
        /// <summary>The router's own LAN IPv4 address: DNS redirect target and source of generated ICMP errors.</summary>
        public uint RouterAddressV4;
        /// <summary>The router's own LAN IPv6 address (ULA or global), 16 bytes, or null.</summary>
        public byte[] RouterAddressV6;
        /// <summary>DNS queries to the router's IPv4 address go here through the tunnel (e.g. 1.1.1.1); 0 turns the redirect off.</summary>
        public uint ResolverV4;
        /// <summary>DNS queries to the router's IPv6 address go here (e.g. 2606:4700:4700::1111); null turns the redirect off.</summary>
        public byte[] ResolverV6;

        /// <summary>Sessions the table holds, IPv4 and IPv6 together (1..65534).</summary>
        public int Capacity = 512;
        /// <summary>LAN hosts the host table holds (1..255).</summary>
        public int HostCapacity = 32;
        /// <summary>
        /// The share of <see cref="Capacity"/> one LAN device may hold (all its addresses together
        /// when the caller names devices, else one address), in percent (1..100); default half.
        /// </summary>
        public int HostSharePercent = 50;
        /// <summary>LAN devices the router names (0..DeviceCapacity-1) for per-device accounting (1..255).</summary>
        public int DeviceCapacity = 32;
        /// <summary>
        /// Sessions kept for every present device that holds fewer: the free slots a device may take
        /// beyond its own reserve leave this many for each present device (0: no reserve).
        /// </summary>
        public int DeviceReserve;

        /// <summary>Lowest dynamic external port (≥ 1024: the well-known range stays out of it, RFC 4787 REQ-3).</summary>
        public int MinPort = 1024;
        /// <summary>Highest dynamic external port.</summary>
        public int MaxPort = 65535;
        /// <summary>RFC 4787 REQ-4 recommends keeping port parity; RFC 7857 section 7 lets it be turned off. Off by default.</summary>
        public bool PreservePortParity;
        /// <summary>Inbound filtering behaviour; address-dependent by default.</summary>
        public NatFiltering Filtering = NatFiltering.AddressDependent;

        /// <summary>UDP session timeout; default 5 minutes (RFC 4787 REQ-5 recommends it).</summary>
        public long UdpTimeout = 300000;
        /// <summary>UDP to destination port 53: RFC 4787 REQ-5a permits a shorter timer for DNS. Default 30 s.</summary>
        public long DnsTimeout = 30000;
        /// <summary>TCP established idle timeout; default 2 h 4 min (RFC 5382 REQ-5).</summary>
        public long TcpEstablishedTimeout = 7440000;
        /// <summary>TCP transitory (SYN only, FIN seen, after RST) idle timeout; default 4 min (RFC 5382 REQ-5, RFC 7857 section 2.2).</summary>
        public long TcpTransitoryTimeout = 240000;
        /// <summary>ICMP query (echo) timeout; default 60 s (RFC 5508 REQ-1).</summary>
        public long IcmpTimeout = 60000;
        /// <summary>
        /// RFC 4787 section 4.3 makes outbound refresh a MUST (REQ-6) and inbound refresh a MAY.
        /// When true, inbound UDP and ICMP echo replies also refresh their session. Off by default.
        /// TCP sessions are refreshed by both directions (RFC 5382 section 5: the timeouts are idle timeouts of the connection).
        /// </summary>
        public bool InboundRefresh;

        /// <summary>The tunnel MTU; WARP uses 1280. TCP MSS is clamped to MTU − 40 (IPv4) or MTU − 60 (IPv6).</summary>
        public int TunnelMtu = 1280;
        /// <summary>Slots Tick examines per call (bounded work).</summary>
        public int TickSlots = 128;
        /// <summary>How often the caller should call Tick; see <see cref="NatTable.NextDeadline"/>.</summary>
        public long TickInterval = 1000;
        /// <summary>Slots examined for a victim when the table is full (bounded work on the packet path).</summary>
        public int EvictionScanLimit = 64;
        /// <summary>ICMP errors the NAT generates per second at most (RFC 4443 section 2.4 (f) asks for a limit; RFC 1812 section 4.3.2.8 too).</summary>
        public int RepliesPerSecond = 20;
        /// <summary>
        /// Keep each IPv6 session's remote address beside the table (16 bytes a session,
        /// <see cref="NatRemoteAddresses"/>) so the console can show it; off on the device, where
        /// the fingerprint is shown instead.
        /// </summary>
        public bool KeepRemoteV6Addresses;
        /// <summary>Fragmented datagrams tracked at once (<see cref="NatFragments"/>); 0 drops every fragment.</summary>
        public int FragmentDatagrams = 16;
        /// <summary>Fragments held until their first fragment arrives (out of order).</summary>
        public int FragmentHoldSlots = 4;
        /// <summary>Largest fragment a hold slot takes, in bytes (a LAN frame's IP packet).</summary>
        public int FragmentHoldBytes = 1500;
        /// <summary>How long an incomplete datagram's fragments are remembered (Linux: 30 s).</summary>
        public long FragmentTimeout = 30000;

        /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range or below an RFC minimum.</summary>
        public void Validate()
        {
            if (Capacity < 1 || Capacity > 65534)
                throw new ArgumentException("Capacity must be 1..65534");
            if (HostCapacity < 1 || HostCapacity > 255)
                throw new ArgumentException("HostCapacity must be 1..255");
            if (HostSharePercent < 1 || HostSharePercent > 100)
                throw new ArgumentException("HostSharePercent must be 1..100");
            if (DeviceCapacity < 1 || DeviceCapacity > 255)
                throw new ArgumentException("DeviceCapacity must be 1..255");
            if (DeviceReserve < 0 || DeviceReserve > Capacity)
                throw new ArgumentException("DeviceReserve must be 0..Capacity");
            if (MinPort < FirstNonWellKnownPort || MaxPort > 65535 || MinPort > MaxPort)
                throw new ArgumentException("the dynamic port range must lie in 1024..65535 (RFC 4787 REQ-3)");
            if (PreservePortParity && MaxPort - MinPort < 1)
                throw new ArgumentException("parity preservation needs at least two ports");
            if (UdpTimeout < MinUdpTimeout || UdpTimeout > MaxTimeout)
                throw new ArgumentException("UdpTimeout must be at least 2 minutes (RFC 4787 REQ-5)");
            if (DnsTimeout < 1000 || DnsTimeout > UdpTimeout)
                throw new ArgumentException("DnsTimeout must be 1 s..UdpTimeout (RFC 4787 REQ-5a)");
            if (TcpEstablishedTimeout < MinTcpEstablishedTimeout || TcpEstablishedTimeout > MaxTimeout)
                throw new ArgumentException("TcpEstablishedTimeout must be at least 2 h 4 min (RFC 5382 REQ-5)");
            if (TcpTransitoryTimeout < MinTcpTransitoryTimeout || TcpTransitoryTimeout > MaxTimeout)
                throw new ArgumentException("TcpTransitoryTimeout must be at least 4 min (RFC 5382 REQ-5)");
            if (IcmpTimeout < MinIcmpTimeout || IcmpTimeout > MaxTimeout)
                throw new ArgumentException("IcmpTimeout must be at least 60 s (RFC 5508 REQ-1)");
            if (TunnelMtu < 576 || TunnelMtu > 65535)
                throw new ArgumentException("TunnelMtu must be 576..65535");
            if (TickSlots < 1 || TickInterval < 1 || EvictionScanLimit < 1 || RepliesPerSecond < 0)
                throw new ArgumentException("TickSlots, TickInterval and EvictionScanLimit must be positive");
            if (FragmentDatagrams < 0 || FragmentDatagrams > 4096 || FragmentHoldSlots < 0 || FragmentHoldSlots > 4096
                || FragmentHoldBytes < 68 || FragmentTimeout < 1 || FragmentTimeout > MaxTimeout)
                throw new ArgumentException("fragment limits out of range");
            CheckAddress(ExternalAddressV6, "ExternalAddressV6");
            CheckAddress(RouterAddressV6, "RouterAddressV6");
            CheckAddress(ResolverV6, "ResolverV6");
            if (ExternalAddressV4 == 0 && ExternalAddressV6 == null)
                throw new ArgumentException("at least one external address is needed");
        }

        static void CheckAddress(byte[] address, string name)
        {
            if (address != null && address.Length != 16)
                throw new ArgumentException(name + " must be 16 bytes");
        }
    }
}

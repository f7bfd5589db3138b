namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Every event the NAT counts: each drop by its reason (a Dropped or Reply result carries one
    /// of the Drop* values, DESIGN.md rule 5), then the normal traffic. Value 0 is the "no reason" sentinel.
    /// </summary>
    public enum NatCounter
    {
        /// <summary>Not dropped (the sentinel of <see cref="NatResult.Reason"/>).</summary>
        None = 0,
        /// <summary>The IP header is truncated or its length fields disagree with the bytes given.</summary>
        DropMalformedIp,
        /// <summary>The TCP, UDP or ICMP header is truncated or its length field is inconsistent.</summary>
        DropMalformedTransport,
        /// <summary>An ICMP error whose quoted packet cannot be parsed (RFC 5508 section 3.3).</summary>
        DropMalformedQuotedPacket,
        /// <summary>A protocol other than TCP, UDP, ICMP echo and ICMP errors.</summary>
        DropUnsupportedProtocol,
        /// <summary>An ICMP or ICMPv6 type that is neither an echo message nor an error.</summary>
        DropUnsupportedIcmpType,
        /// <summary>An IPv4 or IPv6 fragment: no reassembly is done, fragments are dropped.</summary>
        DropFragment,
        /// <summary>Outbound with a source the NAT must not translate (unspecified, multicast, link-local, the external address).</summary>
        DropBadSourceAddress,
        /// <summary>Outbound to a destination that must not enter the tunnel (multicast, broadcast, unspecified).</summary>
        DropBadDestinationAddress,
        /// <summary>Inbound to an address other than the tunnel's external address.</summary>
        DropNotExternalAddress,
        /// <summary>Inbound with no mapping for the destination port or identifier (RFC 4787 section 5).</summary>
        DropNoMapping,
        /// <summary>Inbound refused by address-dependent filtering (RFC 4787 REQ-8).</summary>
        DropFiltered,
        /// <summary>An ICMP error whose quoted packet matches no mapping (RFC 5508 REQ-3 and REQ-4).</summary>
        DropIcmpErrorNoMapping,
        /// <summary>No free slot and nothing that may be evicted (RFC 5508 REQ-8 answers with ICMP type 3 code 13).</summary>
        DropTableFull,
        /// <summary>The LAN host already holds its configured share of the table.</summary>
        DropHostQuotaExceeded,
        /// <summary>The table of LAN hosts is full.</summary>
        DropHostTableFull,
        /// <summary>No free external port in the configured range (RFC 4787 REQ-3: ports are never overloaded).</summary>
        DropPortsExhausted,
        /// <summary>Larger than the tunnel MTU (RFC 4787 REQ-13; the "too big" ICMP error is produced when DF is set or for IPv6).</summary>
        DropTooBig,
        /// <summary>Outbound in a family the tunnel has no address for (an IPv4-only WARP account and an IPv6 packet).</summary>
        DropNoTunnelAddress,
        /// <summary>The free slots left are the reserve of other present devices (one device may not lock the rest out).</summary>
        DropTableReserved,
        // Events
        /// <summary>Packets translated into the tunnel.</summary>
        Outbound,
        /// <summary>Packets translated to the LAN.</summary>
        Inbound,
        /// <summary>Outbound packets turned back to the LAN (RFC 4787 REQ-9).</summary>
        Hairpinned,
        /// <summary>ICMP errors translated through their quoted header (RFC 5508 section 3.3).</summary>
        IcmpErrorsTranslated,
        /// <summary>ICMP errors produced for LAN hosts (table full, too big).</summary>
        RepliesGenerated,
        /// <summary>ICMP errors that were due but not produced: no reply buffer, too small, or over the rate limit.</summary>
        RepliesSuppressed,
        /// <summary>TCP SYNs whose MSS option was lowered to fit the tunnel.</summary>
        MssClamped,
        /// <summary>DNS queries to the router sent to the configured resolver.</summary>
        DnsRedirected,
        /// <summary>Sessions set up.</summary>
        SessionsCreated,
        /// <summary>Sessions that reached their timeout (reclaimed by Tick, on lookup or by eviction).</summary>
        SessionsExpired,
        /// <summary>Sessions removed to make room (closed or expired ones).</summary>
        Evictions,
        Count,
    }

    /// <summary>The NAT's counters (<see cref="CounterSet"/>), typed by <see cref="NatCounter"/>. The packet path only increments.</summary>
    public sealed class NatCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none", "drop.malformed_ip", "drop.malformed_transport", "drop.malformed_quoted_packet",
            "drop.unsupported_protocol", "drop.unsupported_icmp_type", "drop.fragment",
            "drop.bad_source_address", "drop.bad_destination_address", "drop.not_external_address",
            "drop.no_mapping", "drop.filtered", "drop.icmp_error_no_mapping", "drop.table_full",
            "drop.host_quota_exceeded", "drop.host_table_full", "drop.ports_exhausted", "drop.too_big",
            "drop.no_tunnel_address", "drop.table_reserved",
            "outbound", "inbound", "hairpinned", "icmp_errors_translated", "replies_generated",
            "replies_suppressed", "mss_clamped", "dns_redirected", "sessions_created", "sessions_expired",
            "evictions",
        };

        public NatCounters() : base("nat", names, (int)NatCounter.DropTableReserved + 1) { }
        public long this[NatCounter c] { get { return Get((int)c); } }
        public void Increment(NatCounter c) { Add((int)c); }
    }
}

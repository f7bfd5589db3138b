namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Why the NAT dropped a packet. Every drop is counted under one of these in
    /// <see cref="NatCounters"/> (DESIGN.md rule 5: a counter for every drop reason).
    /// </summary>
    public enum NatDropReason : byte
    {
        /// <summary>Not dropped.</summary>
        None = 0,
        /// <summary>The IP header is truncated or its length fields disagree with the bytes given.</summary>
        MalformedIp,
        /// <summary>The TCP, UDP or ICMP header is truncated or its length field is inconsistent.</summary>
        MalformedTransport,
        /// <summary>An ICMP error whose quoted packet cannot be parsed (RFC 5508 section 3.3).</summary>
        MalformedQuotedPacket,
        /// <summary>A protocol other than TCP, UDP, ICMP echo and ICMP errors.</summary>
        UnsupportedProtocol,
        /// <summary>An ICMP or ICMPv6 type that is neither an echo message nor an error.</summary>
        UnsupportedIcmpType,
        /// <summary>An IPv4 or IPv6 fragment: no reassembly is done, fragments are dropped.</summary>
        Fragment,
        /// <summary>Outbound with a source the NAT must not translate (unspecified, multicast, link-local, the external address).</summary>
        BadSourceAddress,
        /// <summary>Outbound to a destination that must not enter the tunnel (multicast, broadcast, unspecified).</summary>
        BadDestinationAddress,
        /// <summary>Inbound to an address other than the tunnel's external address.</summary>
        NotExternalAddress,
        /// <summary>Inbound with no mapping for the destination port or identifier (RFC 4787 section 5).</summary>
        NoMapping,
        /// <summary>Inbound refused by address-dependent filtering (RFC 4787 REQ-8).</summary>
        Filtered,
        /// <summary>An ICMP error whose quoted packet matches no mapping (RFC 5508 REQ-3 and REQ-4).</summary>
        IcmpErrorNoMapping,
        /// <summary>No free slot and nothing that may be evicted (RFC 5508 REQ-8 answers with ICMP type 3 code 13).</summary>
        TableFull,
        /// <summary>The LAN host already holds its configured share of the table.</summary>
        HostQuotaExceeded,
        /// <summary>The table of LAN hosts is full.</summary>
        HostTableFull,
        /// <summary>No free external port in the configured range (RFC 4787 REQ-3: ports are never overloaded).</summary>
        PortsExhausted,
        /// <summary>Larger than the tunnel MTU (RFC 4787 REQ-13; the "too big" ICMP error is produced when DF is set or for IPv6).</summary>
        TooBig,
    }
}

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// What the caller does with a packet after <see cref="NatTranslator"/> has seen it (the
    /// boringtun-style action of DESIGN.md's "Sans-I/O core").
    /// </summary>
    public enum NatAction : byte
    {
        /// <summary>Drop the packet; <see cref="NatResult.Reason"/> says why and it was counted.</summary>
        Drop = 0,
        /// <summary>The packet was rewritten in place and goes into the tunnel.</summary>
        ToTunnel,
        /// <summary>
        /// The packet was rewritten in place and goes to the LAN host <see cref="NatResult.Host"/>
        /// (inbound, or hairpinned outbound per RFC 4787 REQ-9).
        /// </summary>
        ToLan,
        /// <summary>
        /// The packet was not forwarded; an ICMP error for the LAN host of
        /// <see cref="NatResult.ReplyLength"/> bytes was written to the reply buffer
        /// (destination unreachable code 13 when the table is full, "too big" beyond the MTU).
        /// The original is dropped and counted under <see cref="NatResult.Reason"/>.
        /// </summary>
        Reply,
    }

    /// <summary>The outcome of one translation: a small value type, so nothing is allocated.</summary>
    public struct NatResult
    {
        /// <summary>What to do with the packet.</summary>
        public NatAction Action;
        /// <summary>Why it was dropped (Drop and Reply); None otherwise.</summary>
        public NatDropReason Reason;
        /// <summary>Index of the LAN host in the host table (ToLan, ToTunnel); -1 when unknown.</summary>
        public int Host;
        /// <summary>Bytes written to the reply buffer (Reply).</summary>
        public int ReplyLength;

        internal static NatResult Dropped(NatDropReason reason)
        {
            NatResult r;
            r.Action = NatAction.Drop;
            r.Reason = reason;
            r.Host = -1;
            r.ReplyLength = 0;
            return r;
        }

        internal static NatResult Forward(NatAction action, int host)
        {
            NatResult r;
            r.Action = action;
            r.Reason = NatDropReason.None;
            r.Host = host;
            r.ReplyLength = 0;
            return r;
        }

        internal static NatResult Replied(NatDropReason reason, int host, int length)
        {
            NatResult r;
            r.Action = NatAction.Reply;
            r.Reason = reason;
            r.Host = host;
            r.ReplyLength = length;
            return r;
        }
    }

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

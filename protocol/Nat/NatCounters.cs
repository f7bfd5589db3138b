namespace Warp.Protocol.Nat
{
    /// <summary>
    /// The NAT's counters: one field per drop reason (<see cref="NatDropReason"/>) and one per
    /// event worth watching. The console lists them by name through <see cref="Count"/>,
    /// <see cref="Name"/> and <see cref="Value"/>; the packet path only increments fields.
    /// Each dropped packet is counted exactly once, under its reason.
    /// </summary>
    public sealed class NatCounters
    {
        /// <summary>Number of drop reasons; the first <see cref="DropReasonCount"/> counters are drops.</summary>
        public const int DropReasonCount = 17;

        // Drops, one per NatDropReason (see there for what each means).
        public long MalformedIp;
        public long MalformedTransport;
        public long MalformedQuotedPacket;
        public long UnsupportedProtocol;
        public long UnsupportedIcmpType;
        public long Fragment;
        public long BadSourceAddress;
        public long BadDestinationAddress;
        public long NotExternalAddress;
        public long NoMapping;
        public long Filtered;
        public long IcmpErrorNoMapping;
        public long TableFull;
        public long HostQuotaExceeded;
        public long HostTableFull;
        public long PortsExhausted;
        public long TooBig;

        // Events.
        /// <summary>Packets translated into the tunnel.</summary>
        public long Outbound;
        /// <summary>Packets translated to the LAN.</summary>
        public long Inbound;
        /// <summary>Outbound packets turned back to the LAN (RFC 4787 REQ-9).</summary>
        public long Hairpinned;
        /// <summary>ICMP errors translated through their quoted header (RFC 5508 section 3.3).</summary>
        public long IcmpErrorsTranslated;
        /// <summary>ICMP errors produced for LAN hosts (table full, too big).</summary>
        public long RepliesGenerated;
        /// <summary>ICMP errors that were due but not produced: no reply buffer, too small, or over the rate limit.</summary>
        public long RepliesSuppressed;
        /// <summary>TCP SYNs whose MSS option was lowered to fit the tunnel.</summary>
        public long MssClamped;
        /// <summary>DNS queries to the router sent to the configured resolver.</summary>
        public long DnsRedirected;
        /// <summary>Sessions set up.</summary>
        public long SessionsCreated;
        /// <summary>Sessions that reached their timeout (reclaimed by Tick, on lookup or by eviction).</summary>
        public long SessionsExpired;
        /// <summary>Sessions removed to make room (closed or expired ones).</summary>
        public long Evictions;

        static readonly string[] Names =
        {
            "drop.MalformedIp",
            "drop.MalformedTransport",
            "drop.MalformedQuotedPacket",
            "drop.UnsupportedProtocol",
            "drop.UnsupportedIcmpType",
            "drop.Fragment",
            "drop.BadSourceAddress",
            "drop.BadDestinationAddress",
            "drop.NotExternalAddress",
            "drop.NoMapping",
            "drop.Filtered",
            "drop.IcmpErrorNoMapping",
            "drop.TableFull",
            "drop.HostQuotaExceeded",
            "drop.HostTableFull",
            "drop.PortsExhausted",
            "drop.TooBig",
            "Outbound",
            "Inbound",
            "Hairpinned",
            "IcmpErrorsTranslated",
            "RepliesGenerated",
            "RepliesSuppressed",
            "MssClamped",
            "DnsRedirected",
            "SessionsCreated",
            "SessionsExpired",
            "Evictions",
        };

        /// <summary>How many counters <see cref="Name"/> and <see cref="Value"/> list.</summary>
        public int Count { get { return Names.Length; } }

        /// <summary>The counter's name: drop reasons read "drop.Reason". Off the packet path.</summary>
        public string Name(int index) { return index >= 0 && index < Names.Length ? Names[index] : null; }

        /// <summary>The counter's value, or 0 for an index out of range.</summary>
        public long Value(int index)
        {
            switch (index)
            {
                case 0: return MalformedIp;
                case 1: return MalformedTransport;
                case 2: return MalformedQuotedPacket;
                case 3: return UnsupportedProtocol;
                case 4: return UnsupportedIcmpType;
                case 5: return Fragment;
                case 6: return BadSourceAddress;
                case 7: return BadDestinationAddress;
                case 8: return NotExternalAddress;
                case 9: return NoMapping;
                case 10: return Filtered;
                case 11: return IcmpErrorNoMapping;
                case 12: return TableFull;
                case 13: return HostQuotaExceeded;
                case 14: return HostTableFull;
                case 15: return PortsExhausted;
                case 16: return TooBig;
                case 17: return Outbound;
                case 18: return Inbound;
                case 19: return Hairpinned;
                case 20: return IcmpErrorsTranslated;
                case 21: return RepliesGenerated;
                case 22: return RepliesSuppressed;
                case 23: return MssClamped;
                case 24: return DnsRedirected;
                case 25: return SessionsCreated;
                case 26: return SessionsExpired;
                case 27: return Evictions;
                default: return 0;
            }
        }

        /// <summary>The value of the drop counter for <paramref name="reason"/>.</summary>
        public long Dropped(NatDropReason reason) { return reason == NatDropReason.None ? 0 : Value((int)reason - 1); }

        /// <summary>The sum of every drop counter.</summary>
        public long TotalDropped
        {
            get
            {
                long sum = 0;
                for (int i = 0; i < DropReasonCount; i++)
                    sum += Value(i);
                return sum;
            }
        }

        /// <summary>Counts one drop. An unknown reason is counted as malformed so none goes uncounted.</summary>
        public void CountDrop(NatDropReason reason)
        {
            switch (reason)
            {
                case NatDropReason.MalformedIp: MalformedIp++; break;
                case NatDropReason.MalformedTransport: MalformedTransport++; break;
                case NatDropReason.MalformedQuotedPacket: MalformedQuotedPacket++; break;
                case NatDropReason.UnsupportedProtocol: UnsupportedProtocol++; break;
                case NatDropReason.UnsupportedIcmpType: UnsupportedIcmpType++; break;
                case NatDropReason.Fragment: Fragment++; break;
                case NatDropReason.BadSourceAddress: BadSourceAddress++; break;
                case NatDropReason.BadDestinationAddress: BadDestinationAddress++; break;
                case NatDropReason.NotExternalAddress: NotExternalAddress++; break;
                case NatDropReason.NoMapping: NoMapping++; break;
                case NatDropReason.Filtered: Filtered++; break;
                case NatDropReason.IcmpErrorNoMapping: IcmpErrorNoMapping++; break;
                case NatDropReason.TableFull: TableFull++; break;
                case NatDropReason.HostQuotaExceeded: HostQuotaExceeded++; break;
                case NatDropReason.HostTableFull: HostTableFull++; break;
                case NatDropReason.PortsExhausted: PortsExhausted++; break;
                case NatDropReason.TooBig: TooBig++; break;
                case NatDropReason.None: break;
                default: MalformedIp++; break;
            }
        }
    }
}

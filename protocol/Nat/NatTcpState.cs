namespace Warp.Protocol.Nat
{
    /// <summary>
    /// The TCP session state a NAT keeps to choose between the established and the transitory
    /// idle timeouts (RFC 5382 section 5, REQ-5; RFC 7857 section 2.1, "TCP Session Tracking";
    /// section 2.2, "TCP RST"). It follows the flags seen in each direction, not sequence numbers:
    /// <code>
    ///   SYN from the LAN                      → SynOut        (transitory)
    ///   SYN from the remote                   → SynIn         (transitory)
    ///   SYN seen both ways (or LAN SYN+ACK)   → Established   (established idle-timeout)
    ///   FIN one way                           → FinOut/FinIn  (partially closed: transitory)
    ///   FIN both ways                         → FinBoth       (closed: transitory, first to evict)
    ///   RST either way                        → Reset         (kept 4 minutes, RFC 7857 section 2.2)
    ///   first packet from the LAN mid-stream  → Pickup        (transitory until the remote answers)
    /// </code>
    /// A new SYN from the LAN on a closed session (the same 4-tuple reused) starts over.
    /// Simultaneous open (RFC 5382 REQ-2) is SYN out then SYN in, which reaches Established.
    /// </summary>
    public static class NatTcpState
    {
        public const byte None = 0;
        public const byte SynOut = 1;
        public const byte SynIn = 2;
        public const byte Established = 3;
        public const byte FinOut = 4;
        public const byte FinIn = 5;
        public const byte FinBoth = 6;
        public const byte Reset = 7;
        public const byte Pickup = 8;

        /// <summary>The state a session starts in for its first (outbound) segment.</summary>
        public static byte Initial(byte flags)
        {
            if ((flags & Net.TcpSegment.FlagRst) != 0)
                return Reset;
            if ((flags & Net.TcpSegment.FlagSyn) != 0)
                return (flags & Net.TcpSegment.FlagAck) != 0 ? Established : SynOut;
            if ((flags & Net.TcpSegment.FlagFin) != 0)
                return FinOut;
            return Pickup;
        }

        /// <summary>The state after a segment with <paramref name="flags"/> in the given direction.</summary>
        public static byte Next(byte state, byte flags, bool outbound)
        {
            if ((flags & Net.TcpSegment.FlagRst) != 0)
                return Reset;
            if ((flags & Net.TcpSegment.FlagSyn) != 0)
            {
                if (state == Established)
                    return Established;
                if (outbound)
                {
                    if ((flags & Net.TcpSegment.FlagAck) != 0 || state == SynIn)
                        return Established;
                    return SynOut;
                }
                return state == SynOut ? Established : SynIn;
            }
            if ((flags & Net.TcpSegment.FlagFin) != 0)
            {
                if (outbound)
                    return state == FinIn || state == FinBoth ? FinBoth : FinOut;
                return state == FinOut || state == FinBoth ? FinBoth : FinIn;
            }
            if (state == Pickup && !outbound)
                return Established;
            return state;
        }

        /// <summary>True when the established idle-timeout applies (RFC 5382 REQ-5).</summary>
        public static bool IsEstablished(byte state) { return state == Established; }

        /// <summary>Closed sessions (FIN both ways, or RST) are evicted before any other when the table is full.</summary>
        public static bool IsClosed(byte state) { return state == FinBoth || state == Reset; }

        /// <summary>A short name for the status view.</summary>
        public static string Name(byte state)
        {
            switch (state)
            {
                case SynOut: return "SYN_OUT";
                case SynIn: return "SYN_IN";
                case Established: return "ESTABLISHED";
                case FinOut: return "FIN_OUT";
                case FinIn: return "FIN_IN";
                case FinBoth: return "CLOSED";
                case Reset: return "RESET";
                case Pickup: return "PICKUP";
                default: return "-";
            }
        }
    }
}

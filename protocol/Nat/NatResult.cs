namespace Warp.Protocol.Nat
{
    /// <summary>
    /// What the caller does with a packet after <see cref="NatTranslator"/> has seen it (the
    /// boringtun-style action of DESIGN.md's "Sans-I/O core").
    /// </summary>
    public enum NatAction : byte
    {
        /// <summary>Drop the packet; <see cref="NatResult.Reason"/> says why and it was counted.</summary>
        Dropped = 0,
        /// <summary>The packet was rewritten in place and goes into the tunnel.</summary>
        WriteToTunnel,
        /// <summary>
        /// The packet was rewritten in place and goes to the LAN host <see cref="NatResult.Host"/>
        /// (inbound, or hairpinned outbound per RFC 4787 REQ-9).
        /// </summary>
        WriteToLan,
        /// <summary>
        /// The packet was not forwarded; an ICMP error for the LAN host of
        /// <see cref="NatResult.ReplyLength"/> bytes was written to the reply buffer
        /// (destination unreachable code 13 when the table is full, "too big" beyond the MTU).
        /// The original is dropped and counted under <see cref="NatResult.Reason"/>.
        /// </summary>
        Reply,
        /// <summary>
        /// A fragment that came before its datagram's first fragment was copied aside; it comes
        /// back through <see cref="NatTranslator.TakeReleasedFragment"/> once the first is through.
        /// </summary>
        Held,
    }

    /// <summary>The outcome of one translation: a small value type, so nothing is allocated.</summary>
    public struct NatResult
    {
        /// <summary>What to do with the packet.</summary>
        public NatAction Action;
        /// <summary>Why it was dropped (Dropped and Reply); None otherwise.</summary>
        public NatCounter Reason;
        /// <summary>Index of the LAN host in the host table (WriteToLan, WriteToTunnel); -1 when unknown.</summary>
        public int Host;
        /// <summary>Bytes written to the reply buffer (Reply).</summary>
        public int ReplyLength;

        internal static NatResult Dropped(NatCounter reason)
        {
            NatResult r;
            r.Action = NatAction.Dropped;
            r.Reason = reason;
            r.Host = -1;
            r.ReplyLength = 0;
            return r;
        }

        internal static NatResult Forward(NatAction action, int host)
        {
            NatResult r;
            r.Action = action;
            r.Reason = NatCounter.None;
            r.Host = host;
            r.ReplyLength = 0;
            return r;
        }

        internal static NatResult Replied(NatCounter reason, int host, int length)
        {
            NatResult r;
            r.Action = NatAction.Reply;
            r.Reason = reason;
            r.Host = host;
            r.ReplyLength = length;
            return r;
        }
    }
}

namespace Warp.Protocol.Lan
{
    /// <summary>What the router core does with a frame after <see cref="LanServices.Handle"/>.</summary>
    public enum LanAction
    {
        /// <summary>Not a LAN service's: the core passes it on (to the NAT and the tunnel).</summary>
        NotForUs = 0,
        /// <summary>Handled or ignored on purpose (counted); nothing to send.</summary>
        Consumed,
        /// <summary>A complete Ethernet frame of <see cref="LanResult.Length"/> bytes is in the output buffer: send it on the LAN.</summary>
        Reply,
        /// <summary>Refused; <see cref="LanResult.Reason"/> says why (and was counted).</summary>
        Dropped,
    }

    /// <summary>
    /// The outcome of one call into the LAN services (boringtun's TunnResult style): an action,
    /// the length of the frame written for Reply, and the drop reason for Dropped. A value type:
    /// returning it allocates nothing.
    /// </summary>
    public struct LanResult
    {
        public LanAction Action;
        /// <summary>Bytes written at the output offset (Reply only).</summary>
        public int Length;
        /// <summary>Why the frame was dropped (Dropped only); <see cref="LanCounter.None"/> otherwise.</summary>
        public LanCounter Reason;

        public static LanResult NotForUs { get { return Make(LanAction.NotForUs, 0, LanCounter.None); } }
        public static LanResult Consumed { get { return Make(LanAction.Consumed, 0, LanCounter.None); } }
        public static LanResult Reply(int length) { return Make(LanAction.Reply, length, LanCounter.None); }
        public static LanResult Dropped(LanCounter reason) { return Make(LanAction.Dropped, 0, reason); }

        static LanResult Make(LanAction action, int length, LanCounter reason)
        {
            LanResult r;
            r.Action = action;
            r.Length = length;
            r.Reason = reason;
            return r;
        }

        public override string ToString()
        {
            if (Action == LanAction.Reply)
                return "Reply(" + Length.ToString() + ")";
            if (Action == LanAction.Dropped)
                return "Dropped(" + Reason.ToString() + ")";
            return Action == LanAction.Consumed ? "Consumed" : "NotForUs";
        }
    }
}

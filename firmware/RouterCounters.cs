using Warp.Protocol;

namespace Warp.Firmware
{
    /// <summary>What the router core itself counts (the LAN services, the NAT and the tunnel count their own).</summary>
    public enum RouterCounter
    {
        /// <summary>No reason (the shared sentinel, never counted).</summary>
        None = 0,
        DropMalformedFrame,
        DropNotAddressedToRouter,
        DropUnsupportedEtherType,
        DropTtlExpired,
        DropUnboundDestination,
        DropLanSendFailed,
        DropUplinkSendFailed,
        DropUplinkWouldBlock,
        DropUplinkNoBuffers,
        DropUplinkNoRoute,
        DropUplinkFamilyDown,
        DropNoPeerEndpoint,
        LanFramesReceived,
        LanFramesSent,
        DatagramsReceived,
        DatagramsSent,
        PacketsToTunnel,
        PacketsFromTunnel,
        RepliesHeldForStore,
        UplinkChanges,
        InitiationsHeldForStore,
        Count,
    }

    /// <summary>The router core's counters (<see cref="CounterSet"/>), typed by <see cref="RouterCounter"/>.</summary>
    public sealed class RouterCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none", "drop.malformed_frame", "drop.not_addressed_to_router", "drop.unsupported_ether_type",
            "drop.ttl_expired", "drop.unbound_destination", "drop.lan_send_failed", "drop.uplink_send_failed", "drop.uplink_would_block",
            "drop.uplink_no_buffers", "drop.uplink_no_route", "drop.uplink_family_down", "drop.no_peer_endpoint",
            "lan_frames_received", "lan_frames_sent", "datagrams_received", "datagrams_sent", "packets_to_tunnel", "packets_from_tunnel",
            "replies_held_for_store", "uplink_changes", "initiations_held_for_store",
        };

        public RouterCounters() : base("router", names, (int)RouterCounter.DropNoPeerEndpoint + 1) { }
        public long this[RouterCounter c] { get { return Get((int)c); } }
        public void Increment(RouterCounter c) { Add((int)c); }
        /// <summary>Counts <paramref name="n"/> at once (a batch's sends).</summary>
        public void Add(RouterCounter c, long n) { Add((int)c, n); }
    }
}

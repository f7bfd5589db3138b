namespace Warp.Firmware
{
    /// <summary>What the router core itself counts (the LAN services, the NAT and the tunnel count their own).</summary>
    public enum RouterCounter
    {
        DropMalformedFrame = 0,
        DropNotAddressedToRouter,
        DropUnsupportedEtherType,
        DropMalformedIp,
        DropTtlExpired,
        DropNoNeighbor,
        DropLanSendFailed,
        DropUplinkSendFailed,
        DropNoPeerEndpoint,
        LanFramesReceived,
        LanFramesSent,
        DatagramsReceived,
        DatagramsSent,
        PacketsToTunnel,
        PacketsFromTunnel,
        Count,
    }

    public sealed class RouterCounters
    {
        static readonly string[] names =
        {
            "drop.malformed_frame", "drop.not_addressed_to_router", "drop.unsupported_ethertype", "drop.malformed_ip",
            "drop.ttl_expired", "drop.no_neighbor", "drop.lan_send_failed", "drop.uplink_send_failed", "drop.no_peer_endpoint",
            "lan_frames_received", "lan_frames_sent", "datagrams_received", "datagrams_sent", "packets_to_tunnel", "packets_from_tunnel",
        };

        readonly long[] values = new long[(int)RouterCounter.Count];

        public long this[RouterCounter c] { get { return values[(int)c]; } }
        public void Increment(RouterCounter c) { values[(int)c]++; }
        public static int Length { get { return (int)RouterCounter.Count; } }
        public static string NameOf(int i) { return names[i]; }
        public long ValueAt(int i) { return values[i]; }
    }
}

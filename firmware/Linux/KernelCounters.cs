using Warp.Hal.Linux;
using Warp.Protocol;

namespace Warp.Router.Linux
{
    /// <summary>The kernel's counters of the Linux host's sockets (module <c>kernel</c> in <c>counters</c>).</summary>
    public enum KernelCounter
    {
        None = 0,
        /// <summary>Frames the kernel dropped at the raw LAN socket (PACKET_STATISTICS tp_drops: its queue was full).</summary>
        DropLanSocket,
        /// <summary>Frames a TAP device could not queue to the router (the interface's tx_dropped).</summary>
        DropLanTapQueue,
        /// <summary>Datagrams dropped at the uplink's UDP sockets (sk_drops in /proc/net/udp, udp6).</summary>
        DropUplinkSocket,
        /// <summary>UDP receive-buffer errors in the router's network namespace since it started (Udp RcvbufErrors + Udp6RcvbufErrors).</summary>
        DropUdpReceiveBuffer,
        /// <summary>UDP send-buffer errors in the namespace since start (SndbufErrors, IPv4 and IPv6).</summary>
        DropUdpSendBuffer,
        /// <summary>TAP frames (IFF_VNET_HDR) refused for their virtio_net_hdr or headers (hal/Linux/VnetHdr.cs).</summary>
        DropTapBadVnetHdr,
        /// <summary>TAP super-frames of a GSO type never offered (UDP).</summary>
        DropTapUnsupportedGso,
        /// <summary>Frames the kernel handed to the raw LAN socket (PACKET_STATISTICS tp_packets, drops included).</summary>
        LanSocketPackets,
        /// <summary>Coalesced buffers the uplink received with UDP GRO, and the datagrams cut from them (hal/Linux/UdpUplink.Gro.cs).</summary>
        UplinkGroBuffers,
        UplinkGroDatagrams,
        /// <summary>TAP super-frames (TSO) cut, the segments they gave, and partial checksums finished (hal/Linux/VnetHdr.cs).</summary>
        TapSuperFrames,
        TapSegments,
        TapChecksumsFinished,
        Count,
    }

    /// <summary>
    /// The kernel's drops around the router, read from the kernel each time the console asks
    /// (<see cref="Refresh"/>), so <c>counters</c> lists them and <c>status</c> sums them
    /// (the issue that brought them: 13% of the frames lost at the raw socket while every
    /// counter of ours stayed 0).
    /// </summary>
    public sealed class KernelCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none", "drop.lan_socket", "drop.lan_tap_queue", "drop.uplink_socket", "drop.udp_receive_buffer", "drop.udp_send_buffer",
            "drop.tap_bad_vnet_hdr", "drop.tap_unsupported_gso", "lan_socket_packets",
            "uplink_gro_buffers", "uplink_gro_datagrams", "tap_super_frames", "tap_segments", "tap_checksums_finished",
        };

        readonly PacketSocketLanPort packetPort;
        readonly string tap;
        readonly TapLanPort tapPort;
        readonly UdpUplink uplink;
        readonly long udpReceiveAtStart, udpSendAtStart, tapAtStart;

        public KernelCounters(PacketSocketLanPort packetPort, string tap, UdpUplink uplink, TapLanPort tapPort = null)
            : base("kernel", names, (int)KernelCounter.DropTapUnsupportedGso + 1)
        {
            this.packetPort = packetPort;
            this.tap = tap;
            this.tapPort = tapPort;
            this.uplink = uplink;
            KernelStats.UdpBufferErrors(out udpReceiveAtStart, out udpSendAtStart);
            tapAtStart = tap != null ? KernelStats.InterfaceStatistic(tap, "tx_dropped") : 0;
        }

        public long this[KernelCounter c] { get { return Get((int)c); } }

        void SetTo(KernelCounter c, long value)
        {
            Add((int)c, value - Get((int)c)); // the kernel's counts only grow; a smaller reading changes nothing
        }

        /// <summary>Reads every counter from the kernel now.</summary>
        public void Refresh()
        {
            if (packetPort != null)
            {
                SetTo(KernelCounter.DropLanSocket, packetPort.KernelDrops);
                SetTo(KernelCounter.LanSocketPackets, packetPort.KernelPackets);
            }
            if (tap != null && tapAtStart >= 0)
                SetTo(KernelCounter.DropLanTapQueue, KernelStats.InterfaceStatistic(tap, "tx_dropped") - tapAtStart);
            if (tapPort != null && tapPort.Vnet != null)
            {
                SetTo(KernelCounter.DropTapBadVnetHdr, tapPort.Vnet.BadHeaders);
                SetTo(KernelCounter.DropTapUnsupportedGso, tapPort.Vnet.UnsupportedGso);
                SetTo(KernelCounter.TapSuperFrames, tapPort.Vnet.SuperFrames);
                SetTo(KernelCounter.TapSegments, tapPort.Vnet.Segments);
                SetTo(KernelCounter.TapChecksumsFinished, tapPort.Vnet.ChecksumsFinished);
            }
            if (uplink != null)
            {
                SetTo(KernelCounter.DropUplinkSocket, uplink.SocketDrops());
                SetTo(KernelCounter.UplinkGroBuffers, uplink.GroBuffers);
                SetTo(KernelCounter.UplinkGroDatagrams, uplink.GroDatagrams);
            }
            KernelStats.UdpBufferErrors(out long r, out long s);
            SetTo(KernelCounter.DropUdpReceiveBuffer, r - udpReceiveAtStart);
            SetTo(KernelCounter.DropUdpSendBuffer, s - udpSendAtStart);
        }
    }
}

using Warp.Protocol;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.Protocol.Web;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The router's setup page (<see cref="WebAdmin"/>): TCP segments to the router's own LAN
    /// address and port 80, from a source that passed validation, go to its TCP server instead of
    /// the NAT; its segments go back to the MAC the client's address is bound to. Everything
    /// else to port 80 (any other address) is forwarded through the tunnel as before.
    /// </summary>
    public sealed partial class Router
    {
        WebAdmin web;
        bool restartRequested;

        /// <summary>The setup page, or null on a board without one (WebConnections 0).</summary>
        public WebAdmin Web { get { return web; } }

        /// <summary>True once the page imported a new configuration (stored as the "config" record): the host restarts the router with it.</summary>
        public bool RestartRequested { get { return restartRequested; } }

        /// <summary>The configuration the page imported last (its bytes, secrets included; the host clears them after use), or null.</summary>
        public byte[] ImportedConfig { get; private set; }

        void StartWeb(RouterPlatform platform, long now)
        {
            if (sizes.WebConnections <= 0)
                return;
            web = platform.Web ?? new WebAdmin(sizes, store, platform.Random);
            web.Attach(this);
            if (platform.UplinkSetup != null)
                web.UplinkSetup = platform.UplinkSetup;
            lan.WebPort = WebAdmin.Port;
            AddCounterSet(web.Counters); // "web.*" on the console, after the others
        }

        /// <summary>True when the validated packet is TCP to the router's own address and the web port.</summary>
        bool IsForWeb(LanPacket pk)
        {
            if (web == null)
                return false;
            if (pk.Version == 4)
            {
                Ipv4Packet p = pk.Ip4;
                return p.Protocol == Ipv4Packet.ProtocolTcp && p.Destination == lan.Config.RouterIp && !p.IsFragment && p.PayloadLength >= 4
                    && Endian.Read16(p.Buffer, p.PayloadOffset + 2) == WebAdmin.Port;
            }
            if (pk.Version == 6)
            {
                Ipv6Packet p = pk.Ip6;
                return p.UpperLayerProtocol == Ipv6Packet.NextHeaderTcp && p.HasUpperLayerHeader && !p.HasFragmentHeader && p.UpperLayerLength >= 4
                    && lan.Config.IsRouterIpv6(p.Buffer, p.DestinationOffsetInBuffer) && Endian.Read16(p.Buffer, p.UpperLayerOffset + 2) == WebAdmin.Port;
            }
            return false;
        }

        void HandleWeb(LanPacket pk, long now)
        {
            int n = pk.Version == 4 ? web.Tcp.HandleV4(pk.Ip4, now, outBuffer, EthernetFrame.HeaderLength)
                : web.Tcp.HandleV6(pk.Ip6, now, outBuffer, EthernetFrame.HeaderLength);
            if (n > 0)
                DeliverToLan(outBuffer, EthernetFrame.HeaderLength, n, now);
        }

        /// <summary>Answers complete requests and sends what the TCP server has due (bounded per call).</summary>
        void ServiceWeb(long now)
        {
            if (web == null)
                return;
            web.Service(now);
            for (int i = 0; i < PollBudget; i++)
            {
                int n = web.Tcp.Poll(now, outBuffer, EthernetFrame.HeaderLength, outBuffer.Length - EthernetFrame.HeaderLength);
                if (n <= 0)
                    break;
                DeliverToLan(outBuffer, EthernetFrame.HeaderLength, n, now);
            }
        }

        /// <summary>
        /// Stores an imported configuration as the "config" record and asks the host for a restart
        /// with it (<see cref="RestartRequested"/>). False when the store refused it.
        /// </summary>
        public bool ImportConfig(byte[] config, long now)
        {
            if (store != null && !store.Write(StoredRecords.Config, config, 0, config.Length))
                return false;
            ImportedConfig = (byte[])config.Clone();
            restartRequested = true;
            return true;
        }

        /// <summary>True while some uplink family has a link.</summary>
        public bool UplinkUp { get { return familyUp4 || familyUp6; } }

        /// <summary>Why the tunnel is in its state, for the page.</summary>
        public string TunnelReason(long now)
        {
            Peer p = tunnel.GetPeer(0);
            int state = p.State(now);
            if (state == Peer.StateUp)
                return "Handshake done; data flows through the tunnel.";
            if (!familyUp4 && !familyUp6)
                return "No uplink: join a network on the Uplink Wi-Fi page.";
            if (p.LastGaveUp >= 0 && p.LastGaveUp > p.LastHandshakeCompleted)
                return "The peer did not answer the handshake (unreachable, a captive portal, or a wrong key); still trying.";
            if (state == Peer.StateHandshaking)
                return "Waiting for the peer's handshake response.";
            return "No session yet.";
        }
    }
}

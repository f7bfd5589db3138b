using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The router: LAN port, LAN services, NAT, tunnel and uplink wired along DESIGN.md's flow.
    /// <code>
    /// LAN frame -> LanServices (ARP, DHCP, ND/RA, echo to the router) -> NAT outbound
    ///           -> Tunnel.Encapsulate -> uplink datagram to the peer
    /// uplink datagram -> Tunnel.Decapsulate -> (handshake reply | IP packet -> NAT inbound
    ///           -> Ethernet frame to the LAN host)
    /// </code>
    /// One <see cref="Poll"/> drains both ports and runs every timer; <see cref="NextDeadline"/>
    /// says when it must run again if no I/O arrives. Kill switch: a LAN packet can reach the
    /// uplink only as the payload of a tunnel data message; without a session it is staged
    /// (bounded) or dropped and counted, never sent in clear.
    /// Buffers are allocated once here; the packet path allocates nothing.
    /// </summary>
    public sealed class Router
    {
        /// <summary>LAN frames are read at this offset so an untagged frame's IP packet lands at 16, where
        /// a WireGuard data message carries its payload: encapsulation then needs no copy.</summary>
        const int LanReadOffset = Message.DataPayload - EthernetFrame.HeaderLength;
        const int PollBudget = 64;

        readonly RouterSettings settings;
        readonly ILanPort lanPort;
        readonly IUplink uplink;
        readonly Tunnel tunnel;
        readonly NatTranslator nat;
        readonly LanServices lan;
        readonly RouterCounters counters = new RouterCounters();
        readonly byte[] routerMac = new byte[6];
        readonly byte[] hostMac;
        readonly bool[] hostMacKnown;
        readonly Endpoint source = new Endpoint();
        readonly byte[] lanBuffer = new byte[2048];
        readonly byte[] uplinkBuffer = new byte[2048];
        readonly byte[] inBuffer = new byte[2048];
        readonly byte[] outBuffer = new byte[2048];
        readonly long startedAt;

        /// <summary>
        /// Builds the router from validated settings. The settings' secrets are copied into the
        /// tunnel and then cleared from <paramref name="settings"/>.
        /// </summary>
        public Router(RouterSettings settings, ILanPort lanPort, IUplink uplink, ICryptoBackend crypto,
            IRandomSource random, ISettingsStore store, long now)
        {
            if (settings == null || settings.Peer == null)
                throw new System.ArgumentException("settings with a [Peer] are required");
            this.settings = settings;
            this.lanPort = lanPort;
            this.uplink = uplink;
            startedAt = now;
            lanPort.GetMacAddress(routerMac, 0);

            tunnel = new Tunnel(settings.ToTunnelConfig(), crypto, random, new StoredTimestampCeiling(store));
            if (tunnel.AddPeer(settings.ToPeerConfig(0)) != 0)
                throw new System.ArgumentException("the peer's public key is not usable");
            MaskedConfig = WgQuickWriter.RenderMasked(settings); // for the console, before the keys go
            settings.ClearSecrets();

            LanConfig lanConfig = RouterSetup.LanConfigFrom(settings, routerMac, random, store);
            lan = new LanServices(lanConfig, RouterSetup.LeaseCapacity(lanConfig), 64, 128, new StoredLeases(store), random, now);

            NatConfig natConfig = RouterSetup.NatConfigFrom(settings, lanConfig);
            nat = new NatTranslator(new NatTable(natConfig, random, new NatCounters()));
            hostMac = new byte[natConfig.HostCapacity * 6];
            hostMacKnown = new bool[natConfig.HostCapacity];
        }

        public Tunnel Tunnel { get { return tunnel; } }
        public NatTranslator Nat { get { return nat; } }
        public LanServices Lan { get { return lan; } }
        public RouterCounters Counters { get { return counters; } }
        public RouterSettings Settings { get { return settings; } }
        public long StartedAt { get { return startedAt; } }
        /// <summary>The configuration as the console shows it: keys "(hidden)".</summary>
        public string MaskedConfig { get; private set; }

        /// <summary>Starts the tunnel: a handshake now, and a gratuitous ARP on the LAN.</summary>
        public void Start(long now)
        {
            int n = lan.Arp.WriteAnnouncement(outBuffer, 0);
            if (n > 0)
                SendLan(outBuffer, 0, n);
            tunnel.Connect(0, now);
            Tick(now);
        }

        /// <summary>Where the tunnel's datagrams go; the host sets it after resolving or racing endpoints.</summary>
        public void SetPeerEndpoint(Endpoint endpoint)
        {
            tunnel.GetPeer(0).Endpoint.CopyFrom(endpoint);
        }

        /// <summary>Reads and handles what both ports have waiting (bounded), then runs the timers.</summary>
        public void Poll(long now)
        {
            for (int i = 0; i < PollBudget; i++)
            {
                int n = lanPort.Receive(lanBuffer, LanReadOffset, lanBuffer.Length - LanReadOffset);
                if (n <= 0)
                    break;
                counters.Increment(RouterCounter.LanFramesReceived);
                HandleLanFrame(LanReadOffset, n, now);
            }
            for (int i = 0; i < PollBudget; i++)
            {
                int n = uplink.Receive(uplinkBuffer, 0, uplinkBuffer.Length, source);
                if (n <= 0)
                    break;
                counters.Increment(RouterCounter.DatagramsReceived);
                HandleDatagram(n, now);
            }
            Tick(now);
        }

        /// <summary>The earliest time <see cref="Poll"/> has timer work, if no I/O comes first.</summary>
        public long NextDeadline(long now)
        {
            long next = tunnel.NextDeadline(now);
            long n = nat.NextDeadline(now);
            if (n < next) next = n;
            n = lan.NextDeadline(now);
            if (n < next) next = n;
            return next;
        }

        /// <summary>Runs the tunnel's, the NAT's and the LAN services' timers.</summary>
        public void Tick(long now)
        {
            RunTunnelTimers(now);
            nat.Tick(now);
            for (int i = 0; i < PollBudget; i++)
            {
                LanResult r = lan.Tick(now, outBuffer, 0);
                if (r.Action != LanAction.Reply)
                    break;
                SendLan(outBuffer, 0, r.Length);
            }
        }

        // ------------------------------------------------------------------ LAN -> tunnel

        internal void HandleLanFrame(int offset, int length, long now)
        {
            byte[] b = lanBuffer;
            LanResult lr = lan.Handle(b, offset, length, outBuffer, 0, now);
            if (lr.Action == LanAction.Reply)
            {
                SendLan(outBuffer, 0, lr.Length);
                return;
            }
            if (lr.Action != LanAction.NotForUs)
                return; // consumed or dropped, and counted, by the LAN services
            EthernetFrame eth;
            if (!EthernetFrame.TryCreate(b, offset, length, out eth))
            {
                counters.Increment(RouterCounter.DropMalformedFrame);
                return;
            }
            if (!MacAddress.Equal(b, eth.DestinationOffsetInBuffer, routerMac, 0))
            {
                counters.Increment(RouterCounter.DropNotAddressedToRouter);
                return;
            }
            if (eth.HasVlanTag)
            {
                // The LAN is one untagged segment; a tagged frame's answer could not go back tagged.
                counters.Increment(RouterCounter.DropUnsupportedEtherType);
                return;
            }
            int ip = eth.PayloadOffset;
            int ipLength;
            ushort type = eth.EtherType;
            if (type == EthernetFrame.EtherTypeIpv4)
            {
                Ipv4Packet p4;
                if (!Ipv4Packet.TryCreate(b, ip, eth.PayloadLength, out p4))
                {
                    counters.Increment(RouterCounter.DropMalformedIp);
                    return;
                }
                if (p4.Ttl <= 1)
                {
                    counters.Increment(RouterCounter.DropTtlExpired);
                    return;
                }
                p4.DecrementTtl();
                ipLength = p4.Length;
            }
            else if (type == EthernetFrame.EtherTypeIpv6)
            {
                Ipv6Packet p6;
                if (!Ipv6Packet.TryCreate(b, ip, eth.PayloadLength, out p6))
                {
                    counters.Increment(RouterCounter.DropMalformedIp);
                    return;
                }
                if (p6.HopLimit <= 1)
                {
                    counters.Increment(RouterCounter.DropTtlExpired);
                    return;
                }
                p6.HopLimit = (byte)(p6.HopLimit - 1);
                ipLength = p6.Length;
            }
            else
            {
                counters.Increment(RouterCounter.DropUnsupportedEtherType);
                return;
            }

            NatResult nr = nat.TranslateOutbound(b, ip, ipLength, now, outBuffer, EthernetFrame.HeaderLength);
            switch (nr.Action)
            {
                case NatAction.ToTunnel:
                    RememberMac(nr.Host, b, eth.SourceOffsetInBuffer);
                    SendToTunnel(b, ip, ipLength, now);
                    break;
                case NatAction.ToLan:
                    RememberMac(nr.Host, b, eth.SourceOffsetInBuffer);
                    DeliverToLan(b, ip, ipLength, nr.Host);
                    break;
                case NatAction.Reply:
                    // An ICMP error for the sender (table full, too big): back to the frame's source.
                    EthernetFrame.WriteHeader(outBuffer, 0, b, eth.SourceOffsetInBuffer, routerMac, 0, type);
                    SendLan(outBuffer, 0, EthernetFrame.HeaderLength + nr.ReplyLength);
                    break;
            }
        }

        void SendToTunnel(byte[] b, int ip, int length, long now)
        {
            counters.Increment(RouterCounter.PacketsToTunnel);
            // The data message is written in place: its 16-byte header goes just before the packet.
            TunnelResult r = tunnel.Encapsulate(0, b, ip, length, b, ip - Message.DataPayload, now);
            if (r.Action == TunnelAction.WriteToNetwork)
                SendUplink(b, ip - Message.DataPayload, r.Length, tunnel.GetPeer(0).Endpoint);
            else if (r.Action == TunnelAction.Staged)
                RunTunnelTimers(now);
        }

        void RememberMac(int host, byte[] b, int macOffset)
        {
            if (host < 0 || host >= hostMacKnown.Length)
                return;
            System.Array.Copy(b, macOffset, hostMac, host * 6, 6);
            hostMacKnown[host] = true;
        }

        // ------------------------------------------------------------------ tunnel -> LAN

        internal void HandleDatagram(int length, long now)
        {
            const int ip = EthernetFrame.HeaderLength; // room for the Ethernet header in front
            TunnelResult r = tunnel.Decapsulate(source, uplinkBuffer, 0, length, inBuffer, ip, now);
            if (r.Action == TunnelAction.WriteToNetwork)
            {
                SendUplink(inBuffer, ip, r.Length, source);
            }
            else if (r.Action == TunnelAction.WriteToLan)
            {
                counters.Increment(RouterCounter.PacketsFromTunnel);
                NatResult nr = nat.TranslateInbound(inBuffer, ip, r.Length, now);
                if (nr.Action == NatAction.ToLan)
                    DeliverToLan(inBuffer, ip, r.Length, nr.Host);
            }
            RunTunnelTimers(now);
        }

        /// <summary>Frames an IP packet at (b, ip) for its LAN host: the MAC it last sent from, else the neighbour caches.</summary>
        void DeliverToLan(byte[] b, int ip, int length, int host)
        {
            int frame = ip - EthernetFrame.HeaderLength;
            bool v6 = (b[ip] >> 4) == 6;
            bool found;
            if (host >= 0 && host < hostMacKnown.Length && hostMacKnown[host])
            {
                System.Array.Copy(hostMac, host * 6, b, frame, 6);
                found = true;
            }
            else if (v6)
            {
                found = lan.TryGetMac(b, ip + 24, b, frame);
            }
            else
            {
                found = lan.TryGetMac(Endian.Read32(b, ip + 16), b, frame);
            }
            if (!found)
            {
                counters.Increment(RouterCounter.DropNoNeighbor);
                return;
            }
            System.Array.Copy(routerMac, 0, b, frame + 6, 6);
            Endian.Write16(b, frame + 12, v6 ? EthernetFrame.EtherTypeIpv6 : EthernetFrame.EtherTypeIpv4);
            SendLan(b, frame, EthernetFrame.HeaderLength + length);
        }

        // ------------------------------------------------------------------ I/O

        void RunTunnelTimers(long now)
        {
            for (int i = 0; i < PollBudget; i++)
            {
                TunnelResult r = tunnel.Tick(now, outBuffer, 0);
                if (r.Action == TunnelAction.Done || r.Action == TunnelAction.HandshakeComplete)
                    return;
                if (r.Action == TunnelAction.WriteToNetwork)
                    SendUplink(outBuffer, 0, r.Length, tunnel.GetPeer(r.Peer).Endpoint);
            }
        }

        void SendUplink(byte[] b, int offset, int length, Endpoint to)
        {
            if (!to.IsSet)
            {
                counters.Increment(RouterCounter.DropNoPeerEndpoint);
                return;
            }
            if (uplink.Send(b, offset, length, to))
                counters.Increment(RouterCounter.DatagramsSent);
            else
                counters.Increment(RouterCounter.DropUplinkSendFailed);
        }

        void SendLan(byte[] b, int offset, int length)
        {
            if (lanPort.Send(b, offset, length))
                counters.Increment(RouterCounter.LanFramesSent);
            else
                counters.Increment(RouterCounter.DropLanSendFailed);
        }

        /// <summary>Clears the secrets the router holds (at shutdown).</summary>
        public void Shutdown()
        {
            tunnel.ClearSecrets();
        }
    }
}

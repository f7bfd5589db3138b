using System;
using Warp.Firmware;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Device.Tests
{
    /// <summary>
    /// A Router built from a wg-quick text on in-memory LAN and uplink ports, with a real Tunnel as the
    /// peer (the edge's part), on one fake clock: LAN client 02:c1:00:00:00:07, router 192.168.42.1,
    /// tunnel address 172.16.0.2, peer endpoint 10.250.2.2:51820, the router at 10.250.1.2:40000.
    /// </summary>
    public sealed class RouterRig
    {
        public static readonly byte[] ClientMac = { 0x02, 0xC1, 0, 0, 0, 7 };
        public const uint RouterIp = 0xC0A82A01;   // 192.168.42.1
        public const uint TunnelIp = 0xAC100002;   // 172.16.0.2
        public const uint Origin = 0xC6120050;     // 198.18.0.80
        public readonly MemoryLan Lan = new MemoryLan();
        public readonly MemoryUplink Uplink = new MemoryUplink();
        public readonly MemoryStore Store;
        public readonly Warp.Firmware.Router Router;
        public readonly Tunnel Peer;
        public readonly Endpoint RouterEndpoint = new Endpoint();
        public readonly string ConfigText;
        public long Now = 10000;
        readonly byte[] peerOut = new byte[2048];

        public RouterRig(RouterSizes sizes, MemoryStore store)
        {
            Store = store != null ? store : new MemoryStore();
            var rng = new SeededRandom(11);
            byte[] routerKey = new byte[32], peerKey = new byte[32], routerPublic = new byte[32];
            RandomBytes.Fill(rng, routerKey, 0, 32);
            RandomBytes.Fill(rng, peerKey, 0, 32);
            var crypto = new ManagedCryptoBackend();
            var tc = new TunnelConfig();
            tc.PrivateKey = peerKey;
            Peer = new Tunnel(tc, crypto, new SeededRandom(12), null);
            crypto.DhPublicKey(routerPublic, 0, routerKey, 0);
            var pc = new PeerConfig();
            pc.PublicKey = routerPublic;
            Peer.AddPeer(pc);
            ConfigText =
                "[Interface]\nPrivateKey = " + Convert.ToBase64String(routerKey) + "\nAddress = 172.16.0.2/32, fd01:5ca1::2/128\nDNS = 198.18.0.53\n" +
                "[Peer]\nPublicKey = " + Convert.ToBase64String(Peer.PublicKey) + "\nEndpoint = 10.250.2.2:51820\n" +
                "[Router]\nLanAddress = 192.168.42.1/24\nUlaPrefix = fd42:4242:4242::/64\nDhcpPoolStart = 192.168.42.100\nDhcpPoolEnd = 192.168.42.120\n";
            var d = new ConfigDiagnostics();
            RouterSettings settings = WgQuickParser.Parse(ConfigText, d);
            if (settings == null) throw new InvalidOperationException(d.ToString());
            var platform = new RouterPlatform();
            platform.Lan = Lan;
            platform.Uplink = Uplink;
            platform.Crypto = new ManagedCryptoBackend();
            platform.Random = new SeededRandom(13);
            platform.Store = Store;
            Router = new Warp.Firmware.Router(settings, sizes != null ? sizes : RouterSizes.LinuxHost(), platform, Now);
            Uplink.From.SetIpv4(0x0AFA0202, 51820);
            RouterEndpoint.SetIpv4(0x0AFA0102, 40000);
        }

        /// <summary>Delivers what the router sent to the peer and the peer's answers back, until quiet; returns the packets the peer took (or null).</summary>
        public FrameQueue ExchangeWithPeer()
        {
            var delivered = new FrameQueue();
            for (int round = 0; round < 10 && Uplink.Sent.Count > 0; round++)
            {
                int n = Uplink.Sent.Count;
                for (int i = 0; i < n; i++)
                {
                    byte[] d = Uplink.Sent.Take();
                    TunnelResult r = Peer.Decapsulate(RouterEndpoint, d, 0, d.Length, peerOut, 0, Now);
                    if (r.Action == TunnelAction.WriteToNetwork) Uplink.Inbox.Add(Bytes.Copy(peerOut, 0, r.Length));
                    if (r.Action == TunnelAction.WriteToLan) delivered.Add(Bytes.Copy(peerOut, 0, r.Length));
                    TunnelResult t;
                    while ((t = Peer.Tick(Now, peerOut, 0)).Action == TunnelAction.WriteToNetwork)
                        Uplink.Inbox.Add(Bytes.Copy(peerOut, 0, t.Length));
                }
                Router.Poll(Now);
            }
            return delivered;
        }

        /// <summary>The peer sends an IP packet into the tunnel towards the router.</summary>
        public void PeerSends(byte[] packet)
        {
            TunnelResult r = Peer.Encapsulate(0, packet, 0, packet.Length, peerOut, 0, Now);
            if (r.Action != TunnelAction.WriteToNetwork) throw new InvalidOperationException("peer: " + r.ToString());
            Uplink.Inbox.Add(Bytes.Copy(peerOut, 0, r.Length));
            Router.Poll(Now);
        }

        /// <summary>An IPv4/UDP packet (no Ethernet header) with its checksums.</summary>
        public static byte[] UdpPacket(uint src, uint dst, ushort sport, ushort dport, byte[] payload)
        {
            var p = new byte[28 + payload.Length];
            Ipv4Packet.WriteHeader(p, 0, p.Length, 1, true, 64, Ipv4Packet.ProtocolUdp, src, dst);
            UdpDatagram.WriteHeader(p, 20, sport, dport, 8 + payload.Length);
            Array.Copy(payload, 0, p, 28, payload.Length);
            Ipv4Packet ip;
            UdpDatagram udp;
            Ipv4Packet.TryCreate(p, 0, p.Length, out ip);
            UdpDatagram.TryCreate(p, 20, 8 + payload.Length, out udp);
            udp.UpdateChecksum(ip.PseudoHeaderSum());
            return p;
        }

        /// <summary>The packet in an Ethernet frame from the LAN client to the router.</summary>
        public byte[] ClientFrame(byte[] packet)
        {
            var f = new byte[14 + packet.Length];
            EthernetFrame.WriteHeader(f, 0, Lan.Mac, 0, ClientMac, 0, EthernetFrame.EtherTypeIpv4);
            Array.Copy(packet, 0, f, 14, packet.Length);
            return f;
        }

        /// <summary>A DHCP message from the client (broadcast from 0.0.0.0): 1 DISCOVER, 3 REQUEST.</summary>
        public byte[] ClientDhcpFrame(byte type, uint requested, uint server)
        {
            var dhcp = new byte[240 + 3 + (requested != 0 ? 6 : 0) + (server != 0 ? 6 : 0) + 1];
            dhcp[0] = 1; dhcp[1] = 1; dhcp[2] = 6;
            dhcp[4] = 0x12; dhcp[5] = 0x34; dhcp[6] = 0x56; dhcp[7] = 0x78;
            Array.Copy(ClientMac, 0, dhcp, 28, 6);
            dhcp[236] = 0x63; dhcp[237] = 0x82; dhcp[238] = 0x53; dhcp[239] = 0x63;
            int o = 240;
            dhcp[o++] = 53; dhcp[o++] = 1; dhcp[o++] = type;
            if (requested != 0) { dhcp[o++] = 50; dhcp[o++] = 4; Endian.Write32(dhcp, o, requested); o += 4; }
            if (server != 0) { dhcp[o++] = 54; dhcp[o++] = 4; Endian.Write32(dhcp, o, server); o += 4; }
            dhcp[o] = 255;
            byte[] p = UdpPacket(0, 0xFFFFFFFF, 68, 67, dhcp);
            var f = new byte[14 + p.Length];
            byte[] broadcast = { 255, 255, 255, 255, 255, 255 };
            EthernetFrame.WriteHeader(f, 0, broadcast, 0, ClientMac, 0, EthernetFrame.EtherTypeIpv4);
            Array.Copy(p, 0, f, 14, p.Length);
            return f;
        }

        /// <summary>The DHCP message type (option 53) of a frame the router sent, or 0.</summary>
        public static int DhcpType(byte[] f)
        {
            if (f.Length < 14 + 28 + 240 || f[12] != 0x08 || f[13] != 0 || f[14 + 9] != 17 || f[34 + 2] != 0 || f[34 + 3] != 68)
                return 0;
            for (int o = 42 + 240; o + 2 < f.Length && f[o] != 255; o += 2 + f[o + 1])
                if (f[o] == 53) return f[o + 2];
            return 0;
        }

        /// <summary>The first frame the router sent to the LAN with this DHCP type, or null.</summary>
        public byte[] SentDhcp(int type)
        {
            for (int i = 0; i < Lan.Sent.Count; i++)
                if (DhcpType(Lan.Sent.Get(i)) == type) return Lan.Sent.Get(i);
            return null;
        }

        /// <summary>DISCOVER, OFFER (after the ARP probe), REQUEST, ACK; returns the leased address, 0 when any step fails.</summary>
        public uint LeaseClient()
        {
            Lan.Sent.Clear();
            Lan.Inbox.Add(ClientDhcpFrame(1, 0, 0));
            Router.Poll(Now);
            Now += Warp.Protocol.Lan.DhcpServer.ProbeWaitMs;
            Router.Poll(Now);
            byte[] offer = SentDhcp(2);
            if (offer == null) return 0;
            uint ip = Endian.Read32(offer, 42 + 16);
            Lan.Sent.Clear();
            Lan.Inbox.Add(ClientDhcpFrame(3, ip, RouterIp));
            Router.Poll(Now);
            byte[] ack = SentDhcp(5);
            Lan.Sent.Clear();
            return ack != null ? Endian.Read32(ack, 42 + 16) : 0;
        }
    }
}

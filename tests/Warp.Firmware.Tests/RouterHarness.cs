using System;
using System.Collections.Generic;
using Warp.Firmware;
using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;

namespace Warp.Firmware.Tests
{
    /// <summary>Console output kept as lines.</summary>
    sealed class LinesOutput : IConsoleOutput
    {
        public readonly List<string> All = new List<string>();
        public void WriteLine(string line) { All.Add(line); }
        public string Text { get { return string.Join("\n", All); } }
    }

    /// <summary>
    /// A Router with in-memory LAN and uplink ports, and a real <see cref="Tunnel"/> as its peer
    /// (the WARP edge's part), on one fake clock.
    /// </summary>
    sealed class RouterHarness
    {
        public static readonly byte[] ClientMac = { 0x02, 0xC1, 0, 0, 0, 7 };
        public const uint ClientIp = 0xC0A82A64;   // 192.168.42.100
        public const uint RouterIp = 0xC0A82A01;   // 192.168.42.1
        public const uint TunnelIp = 0xAC100002;   // 172.16.0.2
        public const uint Origin = 0xC6120050;     // 198.18.0.80
        public readonly MemoryLan Lan = new MemoryLan();
        public readonly MemoryUplink Uplink = new MemoryUplink();
        public readonly MemoryStore Store = new MemoryStore();
        public readonly Router Router;
        public readonly Tunnel Peer;
        public readonly Endpoint RouterEndpoint = new Endpoint();
        public long Now = 10_000;
        readonly byte[] peerOut = new byte[2048];

        public readonly RouterPlatform Platform;
        /// <summary>The ports with batches (batches: true), else null.</summary>
        public readonly BatchMemoryLan BatchLan;
        public readonly BatchMemoryUplink BatchUplink;

        /// <summary>The configuration file the router was built from.</summary>
        public readonly string ConfigText;
        /// <summary>What the boot sequence printed (boot: true).</summary>
        public readonly LinesOutput BootLog = new LinesOutput();

        /// <param name="boot">Build through <see cref="RouterBoot"/> from the config's bytes, as the hosts do (and Start it).</param>
        /// <param name="routerLines">More [Router] lines, appended to the section.</param>
        public RouterHarness(int clientId = 0, MemoryStore store = null, RouterSizes sizes = null, bool boot = false,
            string routerLines = "", RouterPlatform platform = null, string endpoints = "10.250.2.2:51820", bool lease = true,
            IUplink uplinkOverride = null, bool batches = false)
        {
            if (store != null) Store = store;
            var rng = new SeededRandom(11);
            var routerKey = new byte[32];
            var peerKey = new byte[32];
            RandomBytes.Fill(rng, routerKey, 0, 32);
            RandomBytes.Fill(rng, peerKey, 0, 32);
            Peer = new Tunnel(new TunnelConfig { PrivateKey = peerKey, MaxPacketSize = 1420 } /* wireguard-go's default MTU */, new ManagedCryptoBackend(), new SeededRandom(12), null);
            var routerPublic = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(routerPublic, 0, routerKey, 0);
            Peer.AddPeer(new PeerConfig { PublicKey = routerPublic, ClientId = clientId });
            string conf =
                "[Interface]\nPrivateKey = " + Convert.ToBase64String(routerKey) + "\nAddress = 172.16.0.2/32, fd01:5ca1::2/128\nDNS = 198.18.0.53\n" +
                "[Peer]\nPublicKey = " + Convert.ToBase64String(Peer.PublicKey) + "\nEndpoint = " + endpoints + "\n" + (clientId != 0 ? "ClientId = " + ((clientId >> 16) & 255) + "," + ((clientId >> 8) & 255) + "," + (clientId & 255) + "\n" : "") +
                "[Router]\nLanAddress = 192.168.42.1/24\nUlaPrefix = fd42:4242:4242::/64\nDhcpPoolStart = 192.168.42.100\nDhcpPoolEnd = 192.168.42.120\n" + routerLines;
            ConfigText = conf;
            Platform = platform ?? new RouterPlatform();
            Platform.Lan = Lan;
            Platform.Uplink = uplinkOverride ?? (IUplink)Uplink;
            if (batches)
            {
                // Both ports with batches (ILanBatch, IUplinkBatch) over the same memory ports.
                Platform.Lan = BatchLan = new BatchMemoryLan(Lan);
                Platform.Uplink = BatchUplink = new BatchMemoryUplink(Uplink);
            }
            Platform.Crypto = new ManagedCryptoBackend();
            Platform.Random = new SeededRandom(13);
            Platform.Store = Store;
            if (boot)
            {
                byte[] bytes = System.Text.Encoding.UTF8.GetBytes(conf);
                var settings = RouterBoot.LoadConfig(bytes, 0, bytes.Length, "config", sizes, BootLog, Platform.Indicator);
                if (settings == null) throw new InvalidOperationException(string.Join("\n", BootLog.All));
                Router = RouterBoot.Start(settings, sizes, Platform, BootLog, Now, RouterBoot.NoWallClock);
                if (Router == null) throw new InvalidOperationException(string.Join("\n", BootLog.All));
            }
            else
            {
                var d = new ConfigDiagnostics();
                var settings = WgQuickParser.Parse(conf, d);
                if (settings == null) throw new InvalidOperationException(d.ToString());
                Router = new Router(settings, sizes ?? RouterSizes.LinuxHost(), Platform, Now);
            }
            Uplink.From.SetIpv4(0x0AFA0202, 51820); // datagrams come from the peer's endpoint
            RouterEndpoint.SetIpv4(0x0AFA0102, 40000);
            if (lease)
            {
                // The client's source must be leased to its MAC (source validation): it asks the router first.
                if (LeaseClient() != ClientIp) throw new InvalidOperationException("the client did not get " + ClientIp.ToString("x8"));
                Lan.Sent.Clear();
            }
        }

        /// <summary>Delivers everything the router sent to the peer tunnel, and the peer's answers back to the router.</summary>
        public List<byte[]> ExchangeWithPeer()
        {
            var delivered = new List<byte[]>();
            for (int round = 0; round < 10 && Uplink.Sent.Count > 0; round++)
            {
                var batch = Uplink.Sent.ToArray();
                Uplink.Sent.Clear();
                foreach (var d in batch)
                {
                    var r = Peer.Decapsulate(RouterEndpoint, d, 0, d.Length, peerOut, 0, Now);
                    if (r.Action == TunnelAction.WriteToNetwork) Uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, r.Length));
                    if (r.Action == TunnelAction.WriteToLan) delivered.Add(MemoryLan.Copy(peerOut, 0, r.Length));
                    TunnelResult t;
                    while ((t = Peer.Tick(Now, peerOut, 0)).Action == TunnelAction.WriteToNetwork)
                        Uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, t.Length));
                }
                Router.Poll(Now);
            }
            return delivered;
        }

        /// <summary>The peer sends an IP packet into the tunnel towards the router.</summary>
        public void PeerSends(byte[] packet)
        {
            var r = Peer.Encapsulate(0, packet, 0, packet.Length, peerOut, 0, Now);
            if (r.Action != TunnelAction.WriteToNetwork) throw new InvalidOperationException("peer: " + r);
            Uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, r.Length));
            Router.Poll(Now);
        }

        /// <summary>An Ethernet frame from the LAN client to the router carrying an IPv4/UDP packet.</summary>
        public byte[] ClientUdpFrame(uint dst, ushort sport, ushort dport, byte[] payload, byte ttl = 64)
        {
            var f = new byte[14 + 28 + payload.Length];
            EthernetFrame.WriteHeader(f, 0, Lan.Mac, 0, ClientMac, 0, EthernetFrame.EtherTypeIpv4);
            Ipv4Packet.WriteHeader(f, 14, 28 + payload.Length, 1, true, ttl, Ipv4Packet.ProtocolUdp, ClientIp, dst);
            UdpDatagram.WriteHeader(f, 34, sport, dport, 8 + payload.Length);
            Array.Copy(payload, 0, f, 42, payload.Length);
            Ipv4Packet.TryCreate(f, 14, 28 + payload.Length, out var ip);
            UdpDatagram.TryCreate(f, 34, 8 + payload.Length, out var udp);
            udp.UpdateChecksum(ip.PseudoHeaderSum());
            return f;
        }

        /// <summary>A DHCP message from the LAN client (broadcast, source 0.0.0.0): type 1 DISCOVER or 3 REQUEST.</summary>
        public byte[] ClientDhcpFrame(byte type, uint requested = 0, uint server = 0)
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
            var f = new byte[14 + 28 + dhcp.Length];
            var broadcast = new byte[] { 255, 255, 255, 255, 255, 255 };
            EthernetFrame.WriteHeader(f, 0, broadcast, 0, ClientMac, 0, EthernetFrame.EtherTypeIpv4);
            Ipv4Packet.WriteHeader(f, 14, 28 + dhcp.Length, 1, false, 64, Ipv4Packet.ProtocolUdp, 0, 0xFFFFFFFF);
            UdpDatagram.WriteHeader(f, 34, 68, 67, 8 + dhcp.Length);
            Array.Copy(dhcp, 0, f, 42, dhcp.Length);
            Ipv4Packet.TryCreate(f, 14, 28 + dhcp.Length, out var ip);
            UdpDatagram.TryCreate(f, 34, 8 + dhcp.Length, out var udp);
            udp.UpdateChecksum(ip.PseudoHeaderSum());
            return f;
        }

        /// <summary>The DHCP message type (option 53) of a frame the router sent, or 0 when it is not a DHCP reply.</summary>
        public static int DhcpType(byte[] f)
        {
            if (f.Length < 14 + 28 + 240 || f[12] != 0x08 || f[13] != 0 || f[14 + 9] != 17 || f[34 + 2] != 0 || f[34 + 3] != 68)
                return 0;
            for (int o = 42 + 240; o + 2 < f.Length && f[o] != 255; o += 2 + f[o + 1])
                if (f[o] == 53) return f[o + 2];
            return 0;
        }

        /// <summary>Leases the client an address through the router (DISCOVER, OFFER, REQUEST, ACK), one Poll each.</summary>
        public uint LeaseClient()
        {
            Lan.Sent.Clear();
            Lan.Inbox.Enqueue(ClientDhcpFrame(1));
            Router.Poll(Now);
            Now += Warp.Protocol.Lan.DhcpServer.ProbeWaitMs; // the address is probed (ARP) before it is offered
            Router.Poll(Now);
            byte[] offer = Lan.Sent.Find(x => DhcpType(x) == 2) ?? throw new InvalidOperationException("no OFFER");
            uint ip = Endian.Read32(offer, 42 + 16);
            Lan.Sent.Clear();
            Lan.Inbox.Enqueue(ClientDhcpFrame(3, ip, RouterIp));
            Router.Poll(Now);
            if (Lan.Sent.Find(x => DhcpType(x) == 5) == null) throw new InvalidOperationException("no ACK");
            return ip;
        }
    }
}

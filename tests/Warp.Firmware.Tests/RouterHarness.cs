using System;
using System.Collections.Generic;
using Warp.Firmware;
using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware.Tests
{
    sealed class SeededRandom : IRandomSource
    {
        readonly Random rng;
        public SeededRandom(int seed) { rng = new Random(seed); }
        public uint NextUInt32() { return (uint)rng.NextInt64(0, 1L << 32); }
    }

    sealed class MemoryLan : ILanPort
    {
        public readonly byte[] Mac = { 0x02, 0x57, 0, 0, 0, 1 };
        public readonly Queue<byte[]> Inbox = new Queue<byte[]>();
        public readonly List<byte[]> Sent = new List<byte[]>();
        public void GetMacAddress(byte[] mac, int offset) { Array.Copy(Mac, 0, mac, offset, 6); }
        public int Receive(byte[] buffer, int offset, int count)
        {
            if (Inbox.Count == 0) return 0;
            var f = Inbox.Dequeue();
            Array.Copy(f, 0, buffer, offset, f.Length);
            return f.Length;
        }
        /// <summary>False: sends are only counted (for allocation measurements).</summary>
        public bool Record = true;
        public int SendCount;
        public bool Send(byte[] buffer, int offset, int count) { SendCount++; if (Record) Sent.Add(Copy(buffer, offset, count)); return true; }
        public static byte[] Copy(byte[] b, int o, int n) { var c = new byte[n]; Array.Copy(b, o, c, 0, n); return c; }
    }

    sealed class MemoryUplink : IUplink
    {
        public readonly Queue<byte[]> Inbox = new Queue<byte[]>();
        public readonly Endpoint From = new Endpoint();
        public readonly List<byte[]> Sent = new List<byte[]>();
        public readonly List<string> SentTo = new List<string>();
        public int Receive(byte[] buffer, int offset, int count, Endpoint source)
        {
            if (Inbox.Count == 0) return 0;
            var d = Inbox.Dequeue();
            Array.Copy(d, 0, buffer, offset, d.Length);
            source.CopyFrom(From);
            return d.Length;
        }
        public bool Record = true;
        public int SendCount;
        /// <summary>What every Send returns (tests of the send-result counters set it).</summary>
        public UplinkSendResult Result = UplinkSendResult.Sent;
        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination)
        {
            SendCount++;
            if (Result != UplinkSendResult.Sent) return Result;
            if (!Record) return Result;
            Sent.Add(MemoryLan.Copy(buffer, offset, count));
            SentTo.Add(destination.ToString());
            return Result;
        }
    }

    sealed class MemoryStore : ISettingsStore
    {
        public readonly Dictionary<string, byte[]> Records = new Dictionary<string, byte[]>();
        public int Read(string name, byte[] buffer, int offset, int count)
        {
            if (!Records.TryGetValue(name, out var r) || r.Length > count) return -1;
            Array.Copy(r, 0, buffer, offset, r.Length);
            return r.Length;
        }
        /// <summary>Every write and delete in order ("w name" / "d name"), for tests of what is written when.</summary>
        public readonly List<string> Log = new List<string>();
        public bool Write(string name, byte[] buffer, int offset, int count) { Records[name] = MemoryLan.Copy(buffer, offset, count); Log.Add("w " + name); return true; }
        public bool Delete(string name) { Records.Remove(name); Log.Add("d " + name); return true; }
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

        public RouterHarness(int clientId = 0, MemoryStore store = null, RouterSizes sizes = null)
        {
            if (store != null) Store = store;
            var rng = new SeededRandom(11);
            var routerKey = new byte[32];
            var peerKey = new byte[32];
            RandomBytes.Fill(rng, routerKey, 0, 32);
            RandomBytes.Fill(rng, peerKey, 0, 32);
            Peer = new Tunnel(new TunnelConfig { PrivateKey = peerKey, MaxPacketSize = 1280 }, new ManagedCryptoBackend(), new SeededRandom(12), null);
            var routerPublic = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(routerPublic, 0, routerKey, 0);
            Peer.AddPeer(new PeerConfig { PublicKey = routerPublic, ClientId = clientId });
            string conf =
                "[Interface]\nPrivateKey = " + Convert.ToBase64String(routerKey) + "\nAddress = 172.16.0.2/32, fd01:5ca1::2/128\nDNS = 198.18.0.53\n" +
                "[Peer]\nPublicKey = " + Convert.ToBase64String(Peer.PublicKey) + "\nEndpoint = 10.250.2.2:51820\n" + (clientId != 0 ? "ClientId = " + ((clientId >> 16) & 255) + "," + ((clientId >> 8) & 255) + "," + (clientId & 255) + "\n" : "") +
                "[Router]\nLanAddress = 192.168.42.1/24\nUlaPrefix = fd42:4242:4242::/64\nDhcpPoolStart = 192.168.42.100\nDhcpPoolEnd = 192.168.42.120\n";
            var d = new ConfigDiagnostics();
            var settings = WgQuickParser.Parse(conf, d);
            if (settings == null) throw new InvalidOperationException(d.ToString());
            Platform = new RouterPlatform { Lan = Lan, Uplink = Uplink, Crypto = new ManagedCryptoBackend(), Random = new SeededRandom(13), Store = Store };
            Router = new Router(settings, sizes ?? RouterSizes.LinuxHost(), Platform, Now);
            Uplink.From.SetIpv4(0x0AFA0202, 51820); // datagrams come from the peer's endpoint
            RouterEndpoint.SetIpv4(0x0AFA0102, 40000);
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
    }
}

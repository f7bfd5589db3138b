using System;
using System.Collections.Generic;
using System.Text;
using Warp.Firmware;
using Warp.Protocol;
using Warp.Protocol.Crypto;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.Router.Esp32;
using Warp.TestKit;

namespace Warp.Esp32.Tests
{
    /// <summary>
    /// The lab's scenario in memory around the ESP32 program: a LAN client (DHCP, DNS, a TCP
    /// connection carrying an HTTP request), the program on doubles of hal/Esp32's seams, and
    /// beyond its uplink a real WireGuard <see cref="Tunnel"/> as the peer with a small "internet"
    /// behind it: a DNS server that answers A queries and a web server on 198.18.0.80:80.
    /// </summary>
    sealed class DeviceLab
    {
        public static readonly byte[] ClientMac = { 0x02, 0xC1, 0, 0, 0, 9 };
        public const uint Origin = 0xC6120050;      // 198.18.0.80
        public const uint TunnelIp = 0xAC100002;    // 172.16.0.2
        public const string Page = "<html>warp through an esp32</html>";

        public readonly FakeSystem System = new FakeSystem();
        public readonly MemoryConsole Console = new MemoryConsole();
        public readonly MemoryStore Store = new MemoryStore();
        public readonly MemoryAccessPoint AccessPoint = new MemoryAccessPoint();
        public readonly ScriptedStation Station = new ScriptedStation();
        public readonly MemoryFactory Factory = new MemoryFactory();
        public readonly RecordingIndicator Light = new RecordingIndicator();
        public readonly TestButton Button = new TestButton();
        public readonly Tunnel Peer;
        public readonly string ConfigText;
        public readonly string PrivateKeyText;
        public readonly DevicePorts Ports;
        public readonly BoardProfile Board;
        public DeviceProgram Program;
        readonly Endpoint routerEndpoint = new Endpoint();
        readonly byte[] peerOut = new byte[4096];
        public uint ClientIp, DnsServer;
        public int DnsQueriesAnswered, HttpRequestsServed;

        public DeviceLab(BoardProfile board = null, bool storeConfig = true)
        {
            Board = board ?? Boards.Esp32Devkitc();
            var rng = new SeededRandom(21);
            var routerKey = new byte[32];
            var peerKey = new byte[32];
            RandomBytes.Fill(rng, routerKey, 0, 32);
            RandomBytes.Fill(rng, peerKey, 0, 32);
            Peer = new Tunnel(new TunnelConfig { PrivateKey = peerKey, MaxPacketSize = 1280 }, new ManagedCryptoBackend(), new SeededRandom(22), null);
            var routerPublic = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(routerPublic, 0, routerKey, 0);
            Peer.AddPeer(new PeerConfig { PublicKey = routerPublic });
            PrivateKeyText = Convert.ToBase64String(routerKey);
            ConfigText = "[Interface]\nPrivateKey = " + PrivateKeyText + "\nAddress = 172.16.0.2/32\nDNS = 198.18.0.53\nListenPort = 40000\n" +
                "[Peer]\nPublicKey = " + Convert.ToBase64String(Peer.PublicKey) + "\nEndpoint = 10.250.2.2:51820\n" +
                "[Router]\nLanAddress = 192.168.42.1/24\nDhcpPoolStart = 192.168.42.100\nDhcpPoolEnd = 192.168.42.120\n";
            if (storeConfig)
                Put(StoredRecords.Config, ConfigText);
            Factory.Uplink.From.SetIpv4(0x0AFA0202, 51820);
            routerEndpoint.SetIpv4(0x0AFA0102, 40000);
            Ports = new DevicePorts
            {
                System = System, Console = Console, Store = Store, AccessPoint = AccessPoint, Station = Station,
                Indicator = Light, Button = Button, Crypto = new ManagedCryptoBackend(), Random = new SeededRandom(23), Factory = Factory,
            };
        }

        public void Put(string record, string text)
        {
            var b = Encoding.UTF8.GetBytes(text);
            Store.Write(record, b, 0, b.Length);
        }

        public string Get(string record)
        {
            return Store.Records.TryGetValue(record, out var b) ? Encoding.UTF8.GetString(b) : null;
        }

        public DeviceProgram Boot()
        {
            Program = new DeviceProgram(Board, Ports);
            Program.Boot();
            return Program;
        }

        /// <summary>Runs loop turns, carrying the router's datagrams to the peer and the peer's answers back.</summary>
        public void Run(int turns)
        {
            for (int i = 0; i < turns; i++)
            {
                Program.Step();
                Exchange();
            }
        }

        void Exchange()
        {
            var uplink = Factory.Uplink;
            var batch = uplink.Sent.ToArray();
            uplink.Sent.Clear();
            foreach (var d in batch)
            {
                var r = Peer.Decapsulate(routerEndpoint, d, 0, d.Length, peerOut, 0, System.Now);
                if (r.Action == TunnelAction.WriteToNetwork)
                    uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, r.Length));
                else if (r.Action == TunnelAction.WriteToLan)
                {
                    byte[] answer = Internet(MemoryLan.Copy(peerOut, 0, r.Length));
                    if (answer != null)
                    {
                        var e = Peer.Encapsulate(0, answer, 0, answer.Length, peerOut, 0, System.Now);
                        if (e.Action == TunnelAction.WriteToNetwork)
                            uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, e.Length));
                    }
                }
                TunnelResult t;
                while ((t = Peer.Tick(System.Now, peerOut, 0)).Action == TunnelAction.WriteToNetwork)
                    uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, t.Length));
            }
        }

        // ------------------------------------------------------------------ the internet behind the peer

        uint serverSeq = 0x10000000;

        /// <summary>Answers a packet that came out of the tunnel: DNS on port 53, HTTP on 198.18.0.80:80.</summary>
        byte[] Internet(byte[] p)
        {
            if (!Ipv4Packet.TryCreate(p, 0, p.Length, out var ip) || ip.Source != TunnelIp)
                return null;
            int h = ip.HeaderLength;
            if (ip.Protocol == Ipv4Packet.ProtocolUdp && Endian.Read16(p, h + 2) == 53)
            {
                DnsQueriesAnswered++;
                int q = h + 8, qlen = p.Length - q;
                var dns = new byte[qlen + 16];
                Array.Copy(p, q, dns, 0, qlen);
                dns[2] = 0x81; dns[3] = 0x80; dns[7] = 1; // response, recursion available, one answer
                int o = qlen;
                dns[o++] = 0xC0; dns[o++] = 12; dns[o++] = 0; dns[o++] = 1; dns[o++] = 0; dns[o++] = 1;
                dns[o++] = 0; dns[o++] = 0; dns[o++] = 0; dns[o++] = 60; dns[o++] = 0; dns[o++] = 4;
                Endian.Write32(dns, o, Origin);
                return Udp(ip.Destination, TunnelIp, 53, Endian.Read16(p, h), dns);
            }
            if (ip.Protocol == Ipv4Packet.ProtocolTcp && ip.Destination == Origin && Endian.Read16(p, h + 2) == 80)
            {
                if (!TcpSegment.TryCreate(p, h, p.Length - h, out var tcp))
                    return null;
                int payload = p.Length - h - tcp.HeaderLength;
                if (tcp.Syn)
                    return Tcp(Origin, TunnelIp, 80, Endian.Read16(p, h), serverSeq++, tcp.SequenceNumber + 1, 0x12, new byte[0]);
                if (payload > 0)
                {
                    string request = Encoding.ASCII.GetString(p, h + tcp.HeaderLength, payload);
                    if (!request.StartsWith("GET / HTTP/1.1\r\n", StringComparison.Ordinal))
                        return null;
                    HttpRequestsServed++;
                    byte[] body = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: " + Page.Length + "\r\nConnection: close\r\n\r\n" + Page);
                    var answer = Tcp(Origin, TunnelIp, 80, Endian.Read16(p, h), serverSeq, tcp.SequenceNumber + (uint)payload, 0x19, body); // PSH|ACK|FIN
                    serverSeq += (uint)body.Length + 1;
                    return answer;
                }
            }
            return null;
        }

        // ------------------------------------------------------------------ the LAN client

        static byte[] Ip(uint src, uint dst, byte protocol, byte[] l4)
        {
            var p = new byte[20 + l4.Length];
            Ipv4Packet.WriteHeader(p, 0, p.Length, 7, true, 64, protocol, src, dst);
            Array.Copy(l4, 0, p, 20, l4.Length);
            return p;
        }

        public static byte[] Udp(uint src, uint dst, ushort sport, ushort dport, byte[] payload)
        {
            var p = Ip(src, dst, Ipv4Packet.ProtocolUdp, new byte[8 + payload.Length]);
            UdpDatagram.WriteHeader(p, 20, sport, dport, 8 + payload.Length);
            Array.Copy(payload, 0, p, 28, payload.Length);
            Ipv4Packet.TryCreate(p, 0, p.Length, out var ip);
            UdpDatagram.TryCreate(p, 20, p.Length - 20, out var udp);
            udp.UpdateChecksum(ip.PseudoHeaderSum());
            return p;
        }

        public static byte[] Tcp(uint src, uint dst, ushort sport, ushort dport, uint seq, uint ack, byte flags, byte[] payload)
        {
            var p = Ip(src, dst, Ipv4Packet.ProtocolTcp, new byte[20 + payload.Length]);
            Endian.Write16(p, 20, sport);
            Endian.Write16(p, 22, dport);
            Endian.Write32(p, 24, seq);
            Endian.Write32(p, 28, ack);
            p[32] = 5 << 4;
            p[33] = flags;
            Endian.Write16(p, 34, 65535);
            Array.Copy(payload, 0, p, 40, payload.Length);
            Ipv4Packet.TryCreate(p, 0, p.Length, out var ip);
            TcpSegment.TryCreate(p, 20, p.Length - 20, out var tcp);
            tcp.UpdateChecksum(ip.PseudoHeaderSum());
            return p;
        }

        /// <summary>The client sends an IPv4 packet to the router's MAC.</summary>
        public void ClientSends(byte[] packet)
        {
            var f = new byte[14 + packet.Length];
            EthernetFrame.WriteHeader(f, 0, Factory.Lan.Mac, 0, ClientMac, 0, EthernetFrame.EtherTypeIpv4);
            Array.Copy(packet, 0, f, 14, packet.Length);
            Factory.Lan.Inbox.Enqueue(f);
        }

        /// <summary>The IPv4 packets the router sent to the client since the last call (ARP and others skipped).</summary>
        public List<byte[]> ClientReceives()
        {
            var got = new List<byte[]>();
            foreach (var f in Factory.Lan.Sent)
            {
                if (f.Length < 34 || f[12] != 8 || f[13] != 0)
                    continue;
                bool toClient = true;
                for (int i = 0; i < 6; i++)
                    toClient &= f[i] == ClientMac[i] || f[i] == 0xFF;
                if (toClient)
                    got.Add(MemoryLan.Copy(f, 14, f.Length - 14));
            }
            Factory.Lan.Sent.Clear();
            return got;
        }

        static byte[] Dhcp(byte type, uint requested, uint server)
        {
            var d = new byte[240 + 3 + (requested != 0 ? 6 : 0) + (server != 0 ? 6 : 0) + 4 + 1];
            d[0] = 1; d[1] = 1; d[2] = 6; d[4] = 0x31; d[5] = 0x41; d[6] = 0x59; d[7] = 0x26;
            Array.Copy(ClientMac, 0, d, 28, 6);
            d[236] = 0x63; d[237] = 0x82; d[238] = 0x53; d[239] = 0x63;
            int o = 240;
            d[o++] = 53; d[o++] = 1; d[o++] = type;
            if (requested != 0) { d[o++] = 50; d[o++] = 4; Endian.Write32(d, o, requested); o += 4; }
            if (server != 0) { d[o++] = 54; d[o++] = 4; Endian.Write32(d, o, server); o += 4; }
            d[o++] = 55; d[o++] = 2; d[o++] = 3; d[o++] = 6; // router, DNS
            d[o] = 255;
            return d;
        }

        static int Option(byte[] p, int code, out int at)
        {
            for (int o = 28 + 240; o + 1 < p.Length && p[o] != 255; o += 2 + p[o + 1])
                if (p[o] == code) { at = o + 2; return p[o + 1]; }
            at = -1;
            return 0;
        }

        static void Broadcast(DeviceLab lab, byte[] dhcp)
        {
            var p = Udp(0, 0xFFFFFFFF, 68, 67, dhcp);
            var f = new byte[14 + p.Length];
            EthernetFrame.WriteHeader(f, 0, new byte[] { 255, 255, 255, 255, 255, 255 }, 0, ClientMac, 0, EthernetFrame.EtherTypeIpv4);
            Array.Copy(p, 0, f, 14, p.Length);
            lab.Factory.Lan.Inbox.Enqueue(f);
        }

        static byte[] DhcpReply(List<byte[]> packets, byte type)
        {
            foreach (var p in packets)
                if (p.Length > 28 + 240 && p[9] == 17 && Endian.Read16(p, 22) == 68 && Option(p, 53, out int at) == 1 && p[at] == type)
                    return p;
            return null;
        }

        /// <summary>DISCOVER, OFFER, REQUEST, ACK through the program's loop; keeps the address and the DNS server the ACK gives.</summary>
        public bool Lease()
        {
            Broadcast(this, Dhcp(1, 0, 0));
            byte[] offer = null;
            for (int i = 0; i < 40 && offer == null; i++) // the server probes the address (ARP) before it offers it
            {
                Run(1);
                offer = DhcpReply(ClientReceives(), 2);
            }
            if (offer == null) return false;
            uint yiaddr = Endian.Read32(offer, 28 + 16);
            Option(offer, 54, out int s);
            uint server = Endian.Read32(offer, s);
            Broadcast(this, Dhcp(3, yiaddr, server));
            byte[] ack = null;
            for (int i = 0; i < 10 && ack == null; i++)
            {
                Run(1);
                ack = DhcpReply(ClientReceives(), 5);
            }
            if (ack == null) return false;
            ClientIp = Endian.Read32(ack, 28 + 16);
            if (Option(ack, 6, out int dnsAt) >= 4)
                DnsServer = Endian.Read32(ack, dnsAt);
            return ClientIp == yiaddr;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Threading;
using Warp.Protocol.Crypto;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.Router.Linux;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The WARP client id on the wire: two of our tunnels talk over real UDP sockets on loopback
    /// while tcpdump captures; every captured WireGuard message of every type carries the id in
    /// bytes 1-3, and the responder accepted all of it. wireguard-go, a standard peer, drops them.
    /// </summary>
    [Collection("lab")]
    public class ClientIdCaptureTests
    {
        const int ClientIdValue = 0x5A17C3;

        [SkippableFact]
        public void EveryMessageTypeCarriesTheClientIdOnTheWire()
        {
            LabRequirements.RequireLab("tcpdump");
            var keyA = new byte[32];
            var keyB = new byte[32];
            RandomNumberGenerator.Fill(keyA);
            RandomNumberGenerator.Fill(keyB);
            using var a = new TunnelHost(keyA, new IPEndPoint(IPAddress.Loopback, 0));
            // B is "under load" from the first message, so it answers with a cookie reply first.
            var b = new Tunnel(new TunnelConfig { PrivateKey = keyB, HandshakeLoadPerSecond = 0 }, new ManagedCryptoBackend(), new Warp.Hal.Linux.SystemRandomSource(), null);
            using var bHost = new TunnelHostFor(b, new IPEndPoint(IPAddress.Loopback, 0));
            var epB = new Endpoint();
            epB.SetIpv4(0x7F000001, bHost.Host.LocalPort);
            Assert.Equal(0, a.Tunnel.AddPeer(new PeerConfig { PublicKey = b.PublicKey, Endpoint = epB, ClientId = ClientIdValue }));
            Assert.Equal(0, b.AddPeer(new PeerConfig { PublicKey = a.Tunnel.PublicKey, ClientId = ClientIdValue }));

            string pcap = Path.Combine(Path.GetTempPath(), "warp-clientid-" + Guid.NewGuid().ToString("N") + ".pcap");
            var dump = Shell.Start($"tcpdump -i lo -U -s 0 -w {pcap} udp port {bHost.Host.LocalPort}");
            try
            {
                Thread.Sleep(1000);
                var ping = Packets.IcmpEcho(0x0A4D0002, 0x0A4D0001, 7, 1, 24);
                a.Send(ping);
                // Both hosts pumped in turn: A sends, B answers, until B delivers A's packet and A gets B's reply.
                bool bGotData = false, aGotData = false;
                long end = a.Now + 15000;
                while (!(bGotData && aGotData) && a.Now < end)
                {
                    a.Pump(20, () => false, (p, n) => aGotData = true);
                    bHost.Host.Pump(20, () => false, (p, n) =>
                    {
                        bGotData = true;
                        bHost.Host.Send(Packets.ReplyTo(p, n));
                    });
                }
                Assert.True(bGotData && aGotData, "no data exchanged");
                // A keepalive from A: after 10 s of receiving without sending... too slow; ask for one through persistent keepalive.
                a.Tunnel.GetPeer(0).PersistentKeepalive = 1;
                a.Tunnel.Connect(0, a.Now);
                a.Pump(1500, () => false);
                bHost.Host.Pump(300, () => false);
                Thread.Sleep(500);
            }
            finally
            {
                Shell.Stop(dump, interrupt: true);
            }
            var seen = new HashSet<int>();
            int messages = 0;
            foreach (var frame in Pcap.ReadFrames(pcap))
            {
                Assert.True(EthernetFrame.TryCreate(frame, 0, frame.Length, out var eth));
                Assert.True(Ipv4Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out var ip));
                Assert.True(UdpDatagram.TryCreate(frame, ip.PayloadOffset, ip.PayloadLength, out var udp));
                int o = udp.PayloadOffset;
                int type = frame[o];
                int id = (frame[o + 1] << 16) | (frame[o + 2] << 8) | frame[o + 3];
                Assert.True(id == ClientIdValue, $"message type {type} carries {id:x6}");
                seen.Add(type == 4 && udp.PayloadLength == 32 ? 5 : type); // 5: keepalive
                messages++;
            }
            File.Delete(pcap);
            Assert.Equal(new[] { 1, 2, 3, 4, 5 }, new SortedSet<int>(seen));
            Assert.Equal(0, b.Counters.TotalDrops);
            Assert.Equal(0, a.Tunnel.Counters.TotalDrops);
            Assert.True(b.Counters[TunnelCounter.KeepalivesReceived] >= 1);
        }

        [SkippableFact]
        public void AStandardPeerDropsMessagesThatCarryAClientId()
        {
            LabRequirements.RequireLab("wireguard-go", "wg", "ip");
            using var wg = new WireGuardGoPeer();
            var key = new byte[32];
            RandomNumberGenerator.Fill(key);
            using var host = new TunnelHost(key, new IPEndPoint(IPAddress.Parse(WireGuardGoPeer.HostIp), 0));
            var ep = new Endpoint();
            ep.SetIpv4(Packets.V4(WireGuardGoPeer.PeerIp), WireGuardGoPeer.ListenPort);
            host.Tunnel.AddPeer(new PeerConfig { PublicKey = wg.PublicKey, Endpoint = ep, ClientId = ClientIdValue });
            wg.AddPeer(host.Tunnel.PublicKey);
            host.Tunnel.Connect(0, host.Now);
            host.Pump(3000, () => false);
            Assert.True(host.Tunnel.Counters[TunnelCounter.InitiationsSent] >= 1);
            Assert.Equal(0, host.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);
            Assert.Equal(0, wg.Show(host.Tunnel.PublicKey).Handshake);
        }
    }

    /// <summary>A <see cref="TunnelHost"/> around a tunnel built by the test.</summary>
    public sealed class TunnelHostFor : IDisposable
    {
        public readonly TunnelHost Host;
        public TunnelHostFor(Tunnel t, IPEndPoint bind) { Host = new TunnelHost(t, bind); }
        public void Dispose() { Host.Dispose(); }
    }
}

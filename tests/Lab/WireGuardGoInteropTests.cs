using System;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.Router.Linux;
using Xunit;

namespace Warp.Lab.Tests
{
    [CollectionDefinition("lab", DisableParallelization = true)]
    public class LabCollection { }

    /// <summary>Our tunnel against wireguard-go, a real WireGuard peer, in a network namespace (client id 0).</summary>
    [Collection("lab")]
    public class WireGuardGoInteropTests
    {
        static readonly uint Us = Packets.V4(WireGuardGoPeer.OurTunnelIp);
        static readonly uint Them = Packets.V4(WireGuardGoPeer.PeerTunnelIp);

        static byte[] NewKey()
        {
            var k = new byte[32];
            RandomNumberGenerator.Fill(k);
            return k;
        }

        static TunnelHost Host(WireGuardGoPeer wg, bool withEndpoint, int persistentKeepalive = 0)
        {
            var host = new TunnelHost(NewKey(), new IPEndPoint(IPAddress.Parse(WireGuardGoPeer.HostIp), 0));
            Endpoint ep = null;
            if (withEndpoint)
            {
                ep = new Endpoint();
                ep.SetIpv4(Packets.V4(WireGuardGoPeer.PeerIp), WireGuardGoPeer.ListenPort);
            }
            Assert.Equal(0, host.Tunnel.AddPeer(new PeerConfig { PublicKey = wg.PublicKey, Endpoint = ep, PersistentKeepaliveSeconds = persistentKeepalive }));
            return host;
        }

        [SkippableFact]
        public void AsInitiator_HandshakeIcmpAndUdpBothWays()
        {
            LabRequirements.RequireLab("wireguard-go", "wg", "ip", "python3");
            using var wg = new WireGuardGoPeer();
            using var host = Host(wg, withEndpoint: true);
            wg.AddPeer(host.Tunnel.PublicKey);
            var echo = Shell.Start($"ip netns exec {WireGuardGoPeer.Ns} python3 -c \"import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('{WireGuardGoPeer.PeerTunnelIp}',7777))\nwhile True:\n d,a=s.recvfrom(2048)\n s.sendto(d.upper(),a)\"");
            try
            {
                // ICMP: our echo request, answered by wireguard-go's kernel.
                Assert.Equal(TunnelAction.Staged, host.Send(Packets.IcmpEcho(Us, Them, 0x4242, 1, 56)).Action);
                bool gotReply = false;
                Assert.True(host.Pump(10000, () => gotReply, (p, n) =>
                {
                    Assert.True(Ipv4Packet.TryCreate(p, 0, n, out var ip));
                    Assert.True(ip.VerifyHeaderChecksum());
                    Assert.Equal(Them, ip.Source);
                    Assert.True(Icmpv4Packet.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out var icmp));
                    if (icmp.Type == Icmpv4Packet.TypeEchoReply && icmp.Identifier == 0x4242)
                    {
                        Assert.True(icmp.VerifyChecksum());
                        gotReply = true;
                    }
                }), "no echo reply through wireguard-go");
                Assert.Equal(1, host.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);

                // UDP: a datagram to the echo server behind wireguard-go comes back upper-cased.
                byte[] answer = null;
                var payload = Encoding.ASCII.GetBytes("hello through wireguard-go");
                for (int attempt = 0; attempt < 5 && answer == null; attempt++)
                {
                    Assert.Equal(TunnelAction.WriteToNetwork, host.Send(Packets.Udp(Us, Them, 40000, 7777, payload)).Action);
                    host.Pump(2000, () => answer != null, (p, n) =>
                    {
                        Ipv4Packet.TryCreate(p, 0, n, out var ip);
                        if (ip.Protocol != 17) return;
                        Assert.True(UdpDatagram.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out var udp));
                        Assert.True(udp.VerifyChecksum(ip.PseudoHeaderSum(), false));
                        answer = new byte[udp.PayloadLength];
                        Array.Copy(p, udp.PayloadOffset, answer, 0, answer.Length);
                    });
                }
                Assert.Equal("HELLO THROUGH WIREGUARD-GO", answer == null ? null : Encoding.ASCII.GetString(answer));

                // wireguard-go's own view: a handshake and bytes both ways.
                var (hs, rx, tx) = wg.Show(host.Tunnel.PublicKey);
                Assert.True(hs > 0, "wg show reports no handshake");
                Assert.True(rx > 0 && tx > 0, $"wg show transfer rx {rx} tx {tx}");
                Assert.Equal(0, host.Tunnel.Counters.TotalDrops);
            }
            finally
            {
                Shell.Stop(echo);
            }
        }

        [SkippableFact]
        public void AsResponder_PingFromWireGuardGoIsAnswered()
        {
            LabRequirements.RequireLab("wireguard-go", "wg", "ip", "ping");
            using var wg = new WireGuardGoPeer();
            using var host = Host(wg, withEndpoint: false);
            wg.AddPeer(host.Tunnel.PublicKey, host.LocalPort);
            // ping runs in the peer's namespace; wireguard-go initiates the handshake to us.
            var ping = Task.Run(() => wg.Exec($"ping -c 3 -i 0.3 -W 5 {WireGuardGoPeer.OurTunnelIp}", 20000, false));
            int requests = 0;
            host.Pump(15000, () => ping.IsCompleted, (p, n) =>
            {
                Assert.True(Ipv4Packet.TryCreate(p, 0, n, out var ip));
                if (ip.Protocol == Ipv4Packet.ProtocolIcmp && p[ip.PayloadOffset] == Icmpv4Packet.TypeEchoRequest)
                {
                    requests++;
                    var r = host.Send(Packets.ReplyTo(p, n));
                    Assert.Equal(TunnelAction.WriteToNetwork, r.Action);
                }
            });
            string output = ping.Result;
            Assert.Contains("3 received", output);
            Assert.True(requests >= 3);
            Assert.True(host.Tunnel.Counters[TunnelCounter.ResponsesSent] >= 1);
            Assert.True(host.Tunnel.GetPeer(0).Endpoint.IsSet, "the responder learned the initiator's endpoint");
            var (hs, rx, tx) = wg.Show(host.Tunnel.PublicKey);
            Assert.True(hs > 0 && rx > 0 && tx > 0);
        }

        [SkippableFact]
        public void KeepalivesAreAcceptedBothWays()
        {
            LabRequirements.RequireLab("wireguard-go", "wg", "ip");
            using var wg = new WireGuardGoPeer();
            using var host = Host(wg, withEndpoint: true, persistentKeepalive: 1);
            wg.AddPeer(host.Tunnel.PublicKey, host.LocalPort);
            host.Tunnel.Connect(0, host.Now);
            Assert.True(host.Pump(10000, () => host.Tunnel.Counters[TunnelCounter.HandshakesCompleted] > 0), "no handshake");

            // Ours: persistent keepalive every second; wireguard-go counts 32 bytes for each one it accepts.
            var before = wg.Show(host.Tunnel.PublicKey);
            long sentBefore = host.Tunnel.Counters[TunnelCounter.KeepalivesSent];
            host.Pump(3500, () => false);
            // Ours off (any authenticated packet would postpone it anyway), and let the last one land.
            host.Tunnel.GetPeer(0).PersistentKeepalive = 0;
            host.Pump(300, () => false);
            var after = wg.Show(host.Tunnel.PublicKey);
            long ours = host.Tunnel.Counters[TunnelCounter.KeepalivesSent] - sentBefore;
            Assert.True(ours >= 2, "we sent " + ours + " keepalives");
            Assert.Equal(32 * ours, after.Rx - before.Rx);

            // Theirs: wireguard-go's persistent keepalive.
            wg.AddPeer(host.Tunnel.PublicKey, host.LocalPort, persistentKeepalive: 1);
            long receivedBefore = host.Tunnel.Counters[TunnelCounter.KeepalivesReceived];
            host.Pump(3500, () => false);
            Assert.True(host.Tunnel.Counters[TunnelCounter.KeepalivesReceived] - receivedBefore >= 2, "wireguard-go's keepalives were not accepted");
            Assert.Equal(0, host.Tunnel.Counters.TotalDrops);
        }
    }
}

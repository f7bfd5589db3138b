using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warp.Firmware;
using Warp.Hal;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>The router core in memory: LAN frames in, WireGuard datagrams to a real peer tunnel, and back.</summary>
    public class RouterTests
    {
        static (RouterHarness h, byte[] delivered, ushort externalPort) SendOneUdpPacket(int clientId = 0)
        {
            var h = new RouterHarness(clientId);
            h.Router.Start(h.Now);
            h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, Encoding.ASCII.GetBytes("hello origin")));
            h.Router.Poll(h.Now);
            var delivered = h.ExchangeWithPeer();
            Assert.Single(delivered);
            var p = delivered[0];
            Assert.True(Ipv4Packet.TryCreate(p, 0, p.Length, out var ip));
            Assert.True(UdpDatagram.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out var udp));
            return (h, p, udp.SourcePort);
        }

        [Fact]
        public void LeaseStoreDamageFoundWhileTheRouterIsBuiltIsInItsEventLog()
        {
            // Found with real clients (tests/Lab/DhcpRealClientTests): the leases are loaded while the
            // LAN services are built, before the router attaches its event log, so the damage was
            // counted but never logged.
            var first = new RouterHarness();
            first.Router.Start(first.Now);
            first.Router.Poll(first.Now);
            byte[] d = first.Store.LeaseData;
            Assert.True(d != null && d.Length > 16, "the lease was not written");
            d[0] ^= 0xFF; // the header
            first.Store.LeaseData = d;
            var again = new RouterHarness(store: first.Store, lease: false);
            var log = again.Router.Events;
            int at = Enumerable.Range(0, log.Count).Single(i => log.KindAt(i) == Warp.Protocol.EventKind.LeaseStoreDamaged);
            Assert.Equal(1, log.ValueAAt(at)); // kept: the client's record
            Assert.Equal(0, log.ValueBAt(at));
            Assert.Equal(1, again.Router.Lan.LeaseCount);
        }

        [Fact]
        public void LanPacketLeavesThroughTheTunnelTranslated()
        {
            var (h, p, _) = SendOneUdpPacket();
            Assert.True(Ipv4Packet.TryCreate(p, 0, p.Length, out var ip));
            Assert.Equal(RouterHarness.TunnelIp, ip.Source);   // NAT: the tunnel's address
            Assert.Equal(RouterHarness.Origin, ip.Destination);
            Assert.Equal(63, ip.Ttl);                          // forwarded: TTL decremented
            Assert.True(ip.VerifyHeaderChecksum());
            Assert.True(UdpDatagram.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out var udp));
            Assert.True(udp.VerifyChecksum(ip.PseudoHeaderSum(), false));
            Assert.Equal("hello origin", Encoding.ASCII.GetString(p, udp.PayloadOffset, udp.PayloadLength));
            Assert.Equal(1, h.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);
        }

        [Fact]
        public void AnswerFromTheTunnelReachesTheLanHost()
        {
            var (h, _, port) = SendOneUdpPacket();
            var reply = new byte[28 + 5];
            Ipv4Packet.WriteHeader(reply, 0, reply.Length, 9, true, 60, Ipv4Packet.ProtocolUdp, RouterHarness.Origin, RouterHarness.TunnelIp);
            UdpDatagram.WriteHeader(reply, 20, 7777, port, 13);
            Encoding.ASCII.GetBytes("howdy").CopyTo(reply, 28);
            Ipv4Packet.TryCreate(reply, 0, reply.Length, out var rip);
            UdpDatagram.TryCreate(reply, 20, 13, out var rudp);
            rudp.UpdateChecksum(rip.PseudoHeaderSum());
            h.Lan.Sent.Clear();
            h.PeerSends(reply);
            var frame = h.Lan.Sent.Single();
            Assert.True(EthernetFrame.TryCreate(frame, 0, frame.Length, out var eth));
            Assert.True(MacAddress.Equal(frame, eth.DestinationOffsetInBuffer, RouterHarness.ClientMac, 0));
            Assert.True(MacAddress.Equal(frame, eth.SourceOffsetInBuffer, h.Lan.Mac, 0));
            Assert.True(Ipv4Packet.TryCreate(frame, eth.PayloadOffset, eth.PayloadLength, out var ip));
            Assert.Equal(RouterHarness.ClientIp, ip.Destination);
            Assert.True(ip.VerifyHeaderChecksum());
            Assert.True(UdpDatagram.TryCreate(frame, ip.PayloadOffset, ip.PayloadLength, out var udp));
            Assert.Equal(5555, udp.DestinationPort);
            Assert.True(udp.VerifyChecksum(ip.PseudoHeaderSum(), false));
            Assert.Equal("howdy", Encoding.ASCII.GetString(frame, udp.PayloadOffset, udp.PayloadLength));
        }

        /// <summary>
        /// The hijack of the hostile-LAN field test: another device sends from the client's address
        /// at a high rate. Its frames are dropped and counted, and the client's return traffic still
        /// goes to the client's MAC, never to the attacker's.
        /// </summary>
        [Fact]
        public void ASpoofedSourceCannotHijackTheClientsReturnTraffic()
        {
            var (h, _, port) = SendOneUdpPacket();
            var attacker = new byte[] { 0x02, 0x66, 0x66, 0x66, 0x66, 0x66 };
            for (int i = 0; i < 100; i++)
            {
                var f = h.ClientUdpFrame(RouterHarness.Origin, port, 7777, new byte[] { 1 });
                Array.Copy(attacker, 0, f, 6, 6);
                h.Lan.Inbox.Enqueue(f);
            }
            h.Uplink.Sent.Clear();
            while (h.Lan.Inbox.Count > 0)
                h.Router.Poll(h.Now); // 64 frames a poll
            Assert.Empty(h.Uplink.Sent);
            Assert.Equal(100, h.Router.Lan.Counters[LanCounter.DropSourceLeasedElsewhere]);
            var reply = new byte[28 + 5];
            Ipv4Packet.WriteHeader(reply, 0, reply.Length, 9, true, 60, Ipv4Packet.ProtocolUdp, RouterHarness.Origin, RouterHarness.TunnelIp);
            UdpDatagram.WriteHeader(reply, 20, 7777, port, 13);
            Ipv4Packet.TryCreate(reply, 0, reply.Length, out var rip);
            UdpDatagram.TryCreate(reply, 20, 13, out var rudp);
            rudp.UpdateChecksum(rip.PseudoHeaderSum());
            h.Lan.Sent.Clear();
            h.PeerSends(reply);
            var frame = h.Lan.Sent.Single();
            Assert.True(MacAddress.Equal(frame, 0, RouterHarness.ClientMac, 0), "return traffic went to " + BitConverter.ToString(frame, 0, 6));
        }

        [Fact]
        public void KillSwitchOnlyHandshakesLeaveWithoutASession()
        {
            var h = new RouterHarness();
            h.Router.Start(h.Now);
            for (int i = 0; i < 20; i++)
            {
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, (ushort)(6000 + i), 53, new byte[40]));
                h.Now += 1000;
                h.Router.Poll(h.Now);
            }
            Assert.NotEmpty(h.Uplink.Sent);
            Assert.All(h.Uplink.Sent, d => { Assert.Equal(148, d.Length); Assert.Equal(1, d[0]); });
            Assert.All(h.Uplink.SentTo, to => Assert.Equal("10.250.2.2:51820", to));
            // The staged packets were bounded; the rest were dropped and counted, none sent.
            Assert.True(h.Router.Tunnel.Counters[TunnelCounter.DropSendNoSession] > 0);
        }

        [Fact]
        public void ClientIdIsOnEverythingTheRouterSendsToTheEdge()
        {
            var (h, _, _) = SendOneUdpPacket(clientId: 0x0A0B0C);
            h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, new byte[3]));
            h.Router.Poll(h.Now);
            Assert.NotEmpty(h.Uplink.Sent);
            Assert.All(h.Uplink.Sent, d => Assert.True(d[1] == 0x0A && d[2] == 0x0B && d[3] == 0x0C));
        }

        [Fact]
        public void RouterAnswersArpAndDropsWhatIsNotForIt()
        {
            var h = new RouterHarness();
            var arp = new byte[42];
            EthernetFrame.WriteHeader(arp, 0, new byte[] { 255, 255, 255, 255, 255, 255 }, 0, RouterHarness.ClientMac, 0, EthernetFrame.EtherTypeArp);
            ArpPacket.Write(arp, 14, ArpPacket.OperationRequest, RouterHarness.ClientMac, 0, RouterHarness.ClientIp, new byte[6], 0, RouterHarness.RouterIp);
            h.Lan.Inbox.Enqueue(arp);
            var ttl1 = h.ClientUdpFrame(RouterHarness.Origin, 1, 2, new byte[1], ttl: 1);
            h.Lan.Inbox.Enqueue(ttl1);
            var notOurs = h.ClientUdpFrame(RouterHarness.Origin, 1, 2, new byte[1]);
            notOurs[5] ^= 1; // another MAC
            h.Lan.Inbox.Enqueue(notOurs);
            h.Router.Poll(h.Now);
            var reply = h.Lan.Sent.Single(f => f.Length >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2);
            Assert.True(ArpPacket.TryCreate(reply, 14, reply.Length - 14, out var a));
            Assert.Equal(ArpPacket.OperationReply, a.Operation);
            Assert.Equal(RouterHarness.RouterIp, a.SenderAddress);
            Assert.Equal(1, h.Router.Counters[RouterCounter.DropTtlExpired]);
            Assert.Equal(1, h.Router.Counters[RouterCounter.DropNotAddressedToRouter]);
        }

        [Fact]
        public void ConsoleCommands()
        {
            var (h, _, _) = SendOneUdpPacket();
            var o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "status", h.Now, o));
            Assert.Contains("tunnel: up", o.Text);
            Assert.Contains("endpoint: 10.250.2.2:51820", o.Text);
            o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "nat", h.Now, o));
            Assert.Contains("192.168.42.100:5555", o.Text);
            Assert.Contains("1 session(s)", o.Text);
            o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "counters", h.Now, o));
            Assert.Contains("router.packets_to_tunnel 1", o.All);
            Assert.Contains(o.All, l => l.StartsWith("nat.") && l.Length > 4);
            Assert.Contains(o.All, l => l.StartsWith("lan."));
            o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "config", h.Now, o));
            Assert.Contains(o.All, l => l.StartsWith("PrivateKey") && l.Contains("(hidden)"));
            o = new LinesOutput();
            Assert.True(RouterConsole.Execute(h.Router, "leases", h.Now, o));
            Assert.Contains("1 lease(s)", o.All);
            o = new LinesOutput();
            Assert.False(RouterConsole.Execute(h.Router, "reboot now", h.Now, o));
            Assert.Contains("unknown command", o.Text);
            Assert.Contains("status", o.Text);
        }

        [Fact]
        public void SecretsAreNotKeptInTheSettings()
        {
            var (h, _, _) = SendOneUdpPacket();
            Assert.True(h.Router.Settings.Interface.PrivateKey == null || h.Router.Settings.Interface.PrivateKey.All(b => b == 0));
        }

        [Fact]
        public void ThePacketPathAllocatesNothing()
        {
            var (h, _, port) = SendOneUdpPacket();
            var frame = h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, new byte[1000]);
            var reply = new byte[28 + 100];
            Ipv4Packet.WriteHeader(reply, 0, reply.Length, 9, true, 60, Ipv4Packet.ProtocolUdp, RouterHarness.Origin, RouterHarness.TunnelIp);
            UdpDatagram.WriteHeader(reply, 20, 7777, port, 108);
            var datagram = new byte[16 + 128 + 16];
            h.Lan.Record = false;
            h.Uplink.Record = false;
            long before = 0, allocated = 0;
            for (int round = 0; round < 2; round++)
            {
                if (round == 1) before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 200; i++)
                {
                    h.Lan.Inbox.Enqueue(frame);
                    h.Router.Poll(h.Now);
                    // A fresh counter for each datagram from the peer (replay protection drops repeats).
                    var r = h.Peer.Encapsulate(0, reply, 0, reply.Length, datagram, 0, h.Now);
                    if (r.Length != datagram.Length) throw new InvalidOperationException("peer: " + r);
                    h.Uplink.Inbox.Enqueue(datagram);
                    h.Router.Poll(h.Now);
                }
                if (round == 1) allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
            Assert.Equal(401, h.Router.Counters[RouterCounter.PacketsToTunnel]);
            Assert.Equal(400, h.Router.Counters[RouterCounter.PacketsFromTunnel]);
            Assert.True(h.Uplink.SendCount >= 400 && h.Lan.SendCount >= 400);
        }
    }
}

using nanoFramework.TestFramework;
using Warp.Firmware;
using Warp.Protocol.Net;

namespace Warp.Device.Tests
{
    /// <summary>The router's DHCP server and NAT through its LAN and uplink ports, with the smallest board's tables.</summary>
    [TestClass]
    public static class RouterNatDhcpTests
    {
        [TestMethod]
        public static void DhcpDiscoverOfferRequestAckLeasesAnAddressInThePool()
        {
            var rig = new RouterRig(RouterSizes.Esp32NoPsram(), null);
            rig.Lan.Inbox.Add(rig.ClientDhcpFrame(1, 0, 0));
            rig.Router.Poll(rig.Now);
            Assert.IsNull(rig.SentDhcp(2), "no OFFER before the ARP probe has had its wait");
            rig.Now += Warp.Protocol.Lan.DhcpServer.ProbeWaitMs;
            rig.Router.Poll(rig.Now);
            byte[] offer = rig.SentDhcp(2);
            Assert.IsNotNull(offer, "OFFER after the probe wait");
            uint offered = Endian.Read32(offer, 42 + 16);
            Assert.IsTrue(offered >= 0xC0A82A64 && offered <= 0xC0A82A78, "offered " + offered.ToString("x8") + " is in 192.168.42.100-120");
            Assert.AreEqual(RouterRig.RouterIp, Endian.Read32(offer, 26), "the OFFER comes from the router's address");
            rig.Lan.Sent.Clear();
            rig.Lan.Inbox.Add(rig.ClientDhcpFrame(3, offered, RouterRig.RouterIp));
            rig.Router.Poll(rig.Now);
            byte[] ack = rig.SentDhcp(5);
            Assert.IsNotNull(ack, "ACK for the offered address");
            Assert.AreEqual(offered, Endian.Read32(ack, 42 + 16));
        }

        [TestMethod]
        public static void DhcpRequestForAnotherServerGetsNoAck()
        {
            var rig = new RouterRig(RouterSizes.Esp32NoPsram(), null);
            rig.Lan.Inbox.Add(rig.ClientDhcpFrame(3, 0xC0A82A65, 0xC0A82AFE));
            rig.Router.Poll(rig.Now);
            Assert.IsNull(rig.SentDhcp(5), "a REQUEST naming another server is not ours to ACK");
        }

        [TestMethod]
        public static void LeaseKeptByTheStoreAcrossARestart()
        {
            var store = new MemoryStore();
            var first = new RouterRig(RouterSizes.Esp32NoPsram(), store);
            uint ip = first.LeaseClient();
            Assert.AreNotEqual(0u, ip, "first lease");
            first.Router.SaveRecords(first.Now + 60000);
            first.Router.Shutdown(first.Now + 60000);
            var second = new RouterRig(RouterSizes.Esp32NoPsram(), store);
            Assert.AreEqual(ip, second.LeaseClient(), "the same client gets the same address after the restart");
        }

        [TestMethod]
        public static void UdpIsTranslatedIntoTheTunnelAndTheReplyBackToTheClient()
        {
            var rig = new RouterRig(RouterSizes.Esp32NoPsram(), null);
            uint client = rig.LeaseClient();
            Assert.AreNotEqual(0u, client);
            byte[] query = { 1, 2, 3, 4, 5, 6, 7, 8 };
            rig.Lan.Inbox.Add(rig.ClientFrame(RouterRig.UdpPacket(client, RouterRig.Origin, 40001, 7, query)));
            rig.Router.Poll(rig.Now);
            FrameQueue atPeer = rig.ExchangeWithPeer();
            Assert.AreEqual(1, atPeer.Count, "the peer receives the client's datagram after the handshake");
            byte[] outbound = atPeer.Take();
            Ipv4Packet ip;
            UdpDatagram udp;
            Assert.IsTrue(Ipv4Packet.TryCreate(outbound, 0, outbound.Length, out ip));
            Assert.AreEqual(RouterRig.TunnelIp, ip.Source, "source rewritten to the tunnel address");
            Assert.AreEqual(RouterRig.Origin, ip.Destination);
            Assert.IsTrue(UdpDatagram.TryCreate(outbound, 20, outbound.Length - 20, out udp));
            ushort mapped = udp.SourcePort;
            Assert.AreEqual(7, (int)udp.DestinationPort);

            byte[] answer = { 9, 9, 9 };
            rig.Lan.Sent.Clear();
            rig.PeerSends(RouterRig.UdpPacket(RouterRig.Origin, RouterRig.TunnelIp, 7, mapped, answer));
            Assert.AreEqual(1, rig.Lan.Sent.Count, "the reply reaches the LAN");
            byte[] f = rig.Lan.Sent.Take();
            Assert.IsTrue(Bytes.Equal(f, 0, RouterRig.ClientMac, 0, 6), "to the client's MAC");
            Assert.IsTrue(Ipv4Packet.TryCreate(f, 14, f.Length - 14, out ip));
            Assert.AreEqual(client, ip.Destination, "destination restored to the client");
            Assert.IsTrue(UdpDatagram.TryCreate(f, 34, f.Length - 34, out udp));
            Assert.AreEqual(40001, (int)udp.DestinationPort, "port restored");
        }

        [TestMethod]
        public static void AnUnsolicitedInboundDatagramIsDroppedAndCounted()
        {
            var rig = new RouterRig(RouterSizes.Esp32NoPsram(), null);
            uint client = rig.LeaseClient();
            rig.Lan.Inbox.Add(rig.ClientFrame(RouterRig.UdpPacket(client, RouterRig.Origin, 40001, 7, new byte[4])));
            rig.Router.Poll(rig.Now);
            rig.ExchangeWithPeer();
            rig.Lan.Sent.Clear();
            long drops = rig.Router.Nat.Counters.TotalDrops;
            rig.PeerSends(RouterRig.UdpPacket(RouterRig.Origin, RouterRig.TunnelIp, 7, 5555, new byte[4]));
            Assert.AreEqual(0, rig.Lan.Sent.Count, "no mapping, nothing to the LAN");
            Assert.AreEqual(drops + 1, rig.Router.Nat.Counters.TotalDrops);
        }
    }
}

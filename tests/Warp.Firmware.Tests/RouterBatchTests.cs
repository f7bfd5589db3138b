using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Warp.Firmware;
using Warp.Hal;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// The router's batches (RouterBatch.cs): a poll takes up to RouterSizes.Batch packets from a
    /// side in one call and flushes what they caused once per batch; the bytes on the wire are the
    /// same as one at a time; failures are counted as single sends are; without batch ports or
    /// with Batch 1 the single path is used.
    /// </summary>
    public class RouterBatchTests
    {
        /// <summary>A router (with or without batch ports) whose tunnel is up after one packet went through.</summary>
        static RouterHarness Connected(bool batches, RouterSizes sizes = null)
        {
            var h = new RouterHarness(batches: batches, sizes: sizes);
            h.Router.Start(h.Now);
            h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, Encoding.ASCII.GetBytes("first")));
            h.Router.Poll(h.Now);
            Assert.Single(h.ExchangeWithPeer());
            h.Lan.Sent.Clear();
            h.Uplink.Sent.Clear();
            h.BatchLan?.Receives.Clear();
            h.BatchLan?.Flushes.Clear();
            h.BatchUplink?.Receives.Clear();
            h.BatchUplink?.Flushes.Clear();
            return h;
        }

        static byte[] Payload(int i) { return Encoding.ASCII.GetBytes("packet " + i.ToString("D3") + new string('x', i * 7)); }

        /// <summary>The origin's reply to the client's port: an IPv4/UDP packet for the peer to send into the tunnel.</summary>
        static byte[] Reply(ushort port, int i)
        {
            byte[] text = Payload(i);
            var reply = new byte[28 + text.Length];
            Ipv4Packet.WriteHeader(reply, 0, reply.Length, (ushort)(100 + i), true, 60, Ipv4Packet.ProtocolUdp, RouterHarness.Origin, RouterHarness.TunnelIp);
            UdpDatagram.WriteHeader(reply, 20, 7777, port, 8 + text.Length);
            text.CopyTo(reply, 28);
            Ipv4Packet.TryCreate(reply, 0, reply.Length, out var ip);
            UdpDatagram.TryCreate(reply, 20, 8 + text.Length, out var udp);
            udp.UpdateChecksum(ip.PseudoHeaderSum());
            return reply;
        }

        [Fact]
        public void FortyLanFramesAreTakenInTwoBatchesAndSentInTwoFlushes()
        {
            var h = Connected(true);
            for (int i = 0; i < 40; i++)
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, Payload(i)));
            long sentBefore = h.Router.Counters[RouterCounter.DatagramsSent];
            h.Router.Poll(h.Now);
            Assert.Equal(new[] { 32, 8 }, h.BatchLan.Receives);
            Assert.Equal(new[] { 32, 8 }, h.BatchUplink.Flushes);
            Assert.Equal(40, h.Uplink.Sent.Count);
            Assert.Equal(sentBefore + 40, h.Router.Counters[RouterCounter.DatagramsSent]);
            // Every one decrypts at the peer, in order, with its payload.
            var peerOut = new byte[2048];
            for (int i = 0; i < 40; i++)
            {
                var d = h.Uplink.Sent[i];
                var r = h.Peer.Decapsulate(h.RouterEndpoint, d, 0, d.Length, peerOut, 0, h.Now);
                Assert.Equal(TunnelAction.WriteToLan, r.Action);
                Assert.True(Ipv4Packet.TryCreate(peerOut, 0, r.Length, out var ip));
                Assert.True(UdpDatagram.TryCreate(peerOut, ip.PayloadOffset, ip.PayloadLength, out var udp));
                Assert.Equal(Encoding.ASCII.GetString(Payload(i)), Encoding.ASCII.GetString(peerOut, udp.PayloadOffset, udp.PayloadLength));
            }
        }

        [Fact]
        public void FortyDatagramsFromThePeerReachTheLanInTwoFlushes()
        {
            var h = Connected(true);
            var datagram = new byte[2048];
            ushort port = 5555; // the NAT kept the client's port (README: NAT)
            for (int i = 0; i < 40; i++)
            {
                byte[] reply = Reply(port, i);
                var r = h.Peer.Encapsulate(0, reply, 0, reply.Length, datagram, 0, h.Now);
                Assert.Equal(TunnelAction.WriteToNetwork, r.Action);
                h.Uplink.Inbox.Enqueue(MemoryLan.Copy(datagram, 0, r.Length));
            }
            h.Router.Poll(h.Now);
            Assert.Equal(new[] { 32, 8 }, h.BatchUplink.Receives);
            Assert.Equal(new[] { 32, 8 }, h.BatchLan.Flushes);
            Assert.Equal(40, h.Lan.Sent.Count);
            for (int i = 0; i < 40; i++)
            {
                var f = h.Lan.Sent[i];
                Assert.True(MacAddress.Equal(f, 0, RouterHarness.ClientMac, 0));
                Assert.True(Ipv4Packet.TryCreate(f, 14, f.Length - 14, out var ip));
                Assert.True(UdpDatagram.TryCreate(f, ip.PayloadOffset, ip.PayloadLength, out var udp));
                Assert.True(udp.VerifyChecksum(ip.PseudoHeaderSum(), false));
                Assert.Equal(Encoding.ASCII.GetString(Payload(i)), Encoding.ASCII.GetString(f, udp.PayloadOffset, udp.PayloadLength));
            }
        }

        [Fact]
        public void BatchesPutTheSameBytesOnTheWireAsOneAtATime()
        {
            // Seeded keys and randomness: two routers built alike make the same handshake and counters.
            var one = Connected(false);
            var batch = Connected(true);
            foreach (var h in new[] { one, batch })
            {
                for (int i = 0; i < 45; i++)
                    h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, Payload(i)));
                h.Router.Poll(h.Now);
                var datagram = new byte[2048];
                for (int i = 0; i < 45; i++)
                {
                    byte[] reply = Reply(5555, i);
                    var r = h.Peer.Encapsulate(0, reply, 0, reply.Length, datagram, 0, h.Now);
                    h.Uplink.Inbox.Enqueue(MemoryLan.Copy(datagram, 0, r.Length));
                }
                h.Router.Poll(h.Now);
            }
            Assert.Equal(45, one.Uplink.Sent.Count);
            Assert.Equal(one.Uplink.Sent.Select(Convert.ToHexString), batch.Uplink.Sent.Select(Convert.ToHexString));
            Assert.Equal(45, one.Lan.Sent.Count);
            Assert.Equal(one.Lan.Sent.Select(Convert.ToHexString), batch.Lan.Sent.Select(Convert.ToHexString));
            Assert.Null(one.BatchLan);
            Assert.Equal(1, one.Router.BatchSize);
            Assert.Equal(32, batch.Router.BatchSize);
        }

        [Fact]
        public void ABatchSizeOfOneUsesTheSinglePathEvenWithBatchPorts()
        {
            var sizes = RouterSizes.LinuxHost();
            sizes.Batch = 1;
            var h = Connected(true, sizes);
            for (int i = 0; i < 5; i++)
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, Payload(i)));
            h.Router.Poll(h.Now);
            Assert.Empty(h.BatchLan.Receives);
            Assert.Empty(h.BatchUplink.Flushes);
            Assert.Equal(5, h.Uplink.Sent.Count);
            Assert.Equal(1, h.Router.BatchSize);
        }

        [Fact]
        public void FailedSendsOfABatchAreCountedByKind()
        {
            var h = Connected(true);
            h.Uplink.Result = UplinkSendResult.NoBuffers;
            h.BatchLan.FailPerFlush = 2;
            long failed = h.Router.Counters[RouterCounter.DropUplinkNoBuffers], sent = h.Router.Counters[RouterCounter.DatagramsSent];
            for (int i = 0; i < 6; i++)
                h.Lan.Inbox.Enqueue(h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, Payload(i)));
            h.Router.Poll(h.Now);
            // The six data messages, and the keepalive the fast reconnect asks for (sent alone, failing too).
            Assert.Equal(failed + 7, h.Router.Counters[RouterCounter.DropUplinkNoBuffers]);
            Assert.Equal(sent, h.Router.Counters[RouterCounter.DatagramsSent]);
            // The fast reconnect's answer to ENOBUFS: the racer saw the failure (once for the flush).
            var u = h.Router.Paths.Counters;
            Assert.True(u[Warp.Protocol.Uplink.UplinkCounter.Reconnects] + u[Warp.Protocol.Uplink.UplinkCounter.Fallbacks] >= 1);

            h.Uplink.Result = UplinkSendResult.Sent;
            long lanFailed = h.Router.Counters[RouterCounter.DropLanSendFailed], lanSent = h.Router.Counters[RouterCounter.LanFramesSent];
            var datagram = new byte[2048];
            for (int i = 0; i < 5; i++)
            {
                byte[] reply = Reply(5555, i);
                var r = h.Peer.Encapsulate(0, reply, 0, reply.Length, datagram, 0, h.Now);
                h.Uplink.Inbox.Enqueue(MemoryLan.Copy(datagram, 0, r.Length));
            }
            h.Router.Poll(h.Now);
            Assert.Equal(lanFailed + 2, h.Router.Counters[RouterCounter.DropLanSendFailed]);
            Assert.Equal(lanSent + 3, h.Router.Counters[RouterCounter.LanFramesSent]);
        }

        [Fact]
        public void TheBatchPathAllocatesNothing()
        {
            var h = Connected(true);
            var frame = h.ClientUdpFrame(RouterHarness.Origin, 5555, 7777, new byte[1000]);
            var reply = Reply(5555, 3);
            var datagram = new byte[2048];
            h.Lan.Record = false;
            h.Uplink.Record = false;
            h.BatchLan.Record = false;
            h.BatchUplink.Record = false;
            int size = h.Peer.Encapsulate(0, reply, 0, reply.Length, datagram, 0, h.Now).Length;
            var datagrams = new byte[64][];
            for (int i = 0; i < datagrams.Length; i++) datagrams[i] = new byte[size];
            long before = 0, allocated = 0;
            for (int round = 0; round < 2; round++)
            {
                // Fresh counters from the peer for each datagram, made before the measurement.
                for (int i = 0; i < datagrams.Length; i++)
                    h.Peer.Encapsulate(0, reply, 0, reply.Length, datagrams[i], 0, h.Now);
                if (round == 1) before = GC.GetAllocatedBytesForCurrentThread();
                for (int k = 0; k < 2; k++)
                {
                    for (int i = 0; i < 32; i++)
                    {
                        h.Lan.Inbox.Enqueue(frame);
                        h.Uplink.Inbox.Enqueue(datagrams[k * 32 + i]);
                    }
                    h.Router.Poll(h.Now);
                }
                if (round == 1) allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
            Assert.Equal(1 + 128, h.Router.Counters[RouterCounter.PacketsToTunnel]);
            Assert.Equal(128, h.Router.Counters[RouterCounter.PacketsFromTunnel]);
        }

        [Fact]
        public void TheSlotsAreInTheMemoryBudget()
        {
            var one = new RouterHarness(lease: false);
            var batch = new RouterHarness(lease: false, batches: true);
            int slots = RouterSizes.LinuxHost().Batch - 1;
            int packet = RouterSizes.LinuxHost().PacketBuffer;
            // Each extra slot: a LAN and an uplink buffer, and the uplink's endpoint address; plus the lengths.
            int expected = slots * packet + 32 * 4 + slots * (packet + 16) + 32 * 8;
            Assert.Equal(expected, batch.Router.MemoryBytes - one.Router.MemoryBytes);
        }
    }
}

using System;
using nanoFramework.TestFramework;
using Warp.Protocol;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;

namespace Warp.Device.Tests
{
    /// <summary>Two tunnels in memory on one fake clock: handshake, data both ways, replay and tamper drops.</summary>
    [TestClass]
    public static class TunnelTests
    {
        static Tunnel a, b;
        static Endpoint addrA, addrB;
        static readonly byte[] output = new byte[2048];
        static long now;

        static void Build()
        {
            var keys = new SeededRandom(7919);
            byte[] privA = new byte[32], privB = new byte[32];
            RandomBytes.Fill(keys, privA, 0, 32);
            RandomBytes.Fill(keys, privB, 0, 32);
            addrA = new Endpoint(); addrA.SetIpv4(0x0A000001, 51820);
            addrB = new Endpoint(); addrB.SetIpv4(0x0A000002, 51820);
            var ca = new TunnelConfig(); ca.PrivateKey = privA;
            var cb = new TunnelConfig(); cb.PrivateKey = privB;
            a = new Tunnel(ca, new ManagedCryptoBackend(), new SeededRandom(1), new MemoryStore());
            b = new Tunnel(cb, new ManagedCryptoBackend(), new SeededRandom(2), new MemoryStore());
            var pa = new PeerConfig(); pa.PublicKey = b.PublicKey; pa.Endpoint = addrB;
            var pb = new PeerConfig(); pb.PublicKey = a.PublicKey;
            Assert.AreEqual(0, a.AddPeer(pa));
            Assert.AreEqual(0, b.AddPeer(pb));
            now = 1000000;
        }

        static byte[] Packet(int payload, byte fill)
        {
            var p = new byte[payload];
            for (int i = 0; i < p.Length; i++) p[i] = fill;
            return RouterRig.UdpPacket(0x0A4D0002, 0x0A4D0001, 1234, 5678, p);
        }

        static byte[] TickA()
        {
            TunnelResult r = a.Tick(now, output, 0);
            return r.Action == TunnelAction.WriteToNetwork ? Bytes.Copy(output, 0, r.Length) : null;
        }

        /// <summary>A stages a packet, sends an initiation (148 bytes), B answers (92), A completes and sends the packet.</summary>
        static byte[] Handshake(byte[] first)
        {
            Assert.IsTrue(a.Encapsulate(0, first, 0, first.Length, output, 0, now).Action == TunnelAction.Staged, "no session yet: staged");
            byte[] init = TickA();
            Assert.IsNotNull(init);
            Assert.AreEqual(148, init.Length);
            Assert.AreEqual(1, (int)init[0]);
            TunnelResult r = b.Decapsulate(addrA, init, 0, init.Length, output, 0, now);
            Assert.IsTrue(r.Action == TunnelAction.WriteToNetwork, "B answers the initiation: " + r.ToString());
            byte[] response = Bytes.Copy(output, 0, r.Length);
            Assert.AreEqual(92, response.Length);
            Assert.IsTrue(a.Decapsulate(addrB, response, 0, response.Length, output, 0, now).Action == TunnelAction.HandshakeComplete);
            byte[] data = TickA();
            Assert.IsNotNull(data, "the staged packet follows the handshake");
            return data;
        }

        [TestMethod]
        public static void HandshakeThenDataBothWays()
        {
            Build();
            byte[] p1 = Packet(100, 0x11);
            byte[] data = Handshake(p1);
            Assert.AreEqual(4, (int)data[0]);
            Assert.AreEqual(16 + 128 + 16, data.Length, "128-byte packet, a multiple of 16, behind a 16-byte header and before a 16-byte tag");
            TunnelResult r = b.Decapsulate(addrA, data, 0, data.Length, output, 0, now);
            Assert.IsTrue(r.Action == TunnelAction.WriteToLan);
            Assert.AreEqual(Bytes.ToHex(p1, 0, p1.Length), Bytes.ToHex(output, 0, r.Length));

            byte[] p2 = Packet(37, 0x22);
            r = b.Encapsulate(0, p2, 0, p2.Length, output, 0, now);
            Assert.IsTrue(r.Action == TunnelAction.WriteToNetwork);
            byte[] back = Bytes.Copy(output, 0, r.Length);
            Assert.AreEqual(16 + 80 + 16, back.Length, "65 bytes padded to 80");
            r = a.Decapsulate(addrB, back, 0, back.Length, output, 0, now);
            Assert.IsTrue(r.Action == TunnelAction.WriteToLan);
            Assert.AreEqual(Bytes.ToHex(p2, 0, p2.Length), Bytes.ToHex(output, 0, r.Length));
            Assert.AreEqual(1L, (long)a.Counters[TunnelCounter.HandshakesCompleted]);
            Assert.AreEqual(1L, (long)b.Counters[TunnelCounter.HandshakesCompleted]);
        }

        [TestMethod]
        public static void AReplayedDataMessageIsDroppedAndCounted()
        {
            Build();
            byte[] data = Handshake(Packet(20, 0x33));
            byte[] copy = Bytes.Copy(data, 0, data.Length);
            Assert.IsTrue(b.Decapsulate(addrA, data, 0, data.Length, output, 0, now).Action == TunnelAction.WriteToLan);
            long before = (long)b.Counters.TotalDrops;
            TunnelResult r = b.Decapsulate(addrA, copy, 0, copy.Length, output, 0, now);
            Assert.IsFalse(r.Action == TunnelAction.WriteToLan, "a replay must not reach the LAN");
            Assert.AreEqual(before + 1, (long)b.Counters.TotalDrops);
        }

        [TestMethod]
        public static void ATamperedDataMessageIsDroppedAndCounted()
        {
            Build();
            byte[] data = Handshake(Packet(20, 0x44));
            data[data.Length - 20] ^= 0x80;
            TunnelResult r = b.Decapsulate(addrA, data, 0, data.Length, output, 0, now);
            Assert.IsFalse(r.Action == TunnelAction.WriteToLan, "a flipped bit must fail the tag");
            Assert.AreEqual(1L, (long)b.Counters.TotalDrops);
        }

        [TestMethod]
        public static void AShortOrUnknownMessageIsDroppedWithoutThrowing()
        {
            Build();
            byte[] junk = new byte[31];
            junk[0] = 4;
            Assert.IsFalse(b.Decapsulate(addrA, junk, 0, junk.Length, output, 0, now).Action == TunnelAction.WriteToLan);
            byte[] unknown = new byte[64];
            unknown[0] = 9;
            Assert.IsFalse(b.Decapsulate(addrA, unknown, 0, unknown.Length, output, 0, now).Action == TunnelAction.WriteToLan);
            Assert.AreEqual(2L, (long)b.Counters.TotalDrops);
        }
    }
}

using System;
using System.Collections.Generic;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;
using Warp.TestKit;

namespace Warp.Protocol.Tests.WireGuard
{
    /// <summary>Two tunnels wired back to back in memory with one fake clock: A (10.0.0.1:51820) and B (10.0.0.2:51820).</summary>
    public sealed class TunnelPair
    {
        public readonly Tunnel A, B;
        public readonly Endpoint AddrA = new Endpoint(), AddrB = new Endpoint();
        public long Now = 1_000_000;
        public readonly byte[] Out = new byte[2048];
        public readonly byte[] PrivA = new byte[32], PrivB = new byte[32];
        public readonly MemoryStore StoreA = new MemoryStore(), StoreB = new MemoryStore();
        /// <summary>Every datagram each side put on the "wire", in order.</summary>
        public readonly List<byte[]> WireFromA = new List<byte[]>(), WireFromB = new List<byte[]>();

        public TunnelPair(int seed = 1, int clientIdAtoB = 0, int clientIdBtoA = 0, int loadB = 64, byte[] psk = null,
            int persistentKeepaliveA = 0, ICryptoBackend cryptoA = null, ICryptoBackend cryptoB = null, int staged = 4)
        {
            var keys = new SeededRandom(seed * 7919);
            keys.GetBytes(PrivA, 0, 32);
            keys.GetBytes(PrivB, 0, 32);
            AddrA.SetIpv4(0x0A000001, 51820);
            AddrB.SetIpv4(0x0A000002, 51820);
            A = new Tunnel(new TunnelConfig { PrivateKey = PrivA, StagedPacketsPerPeer = staged }, cryptoA ?? new ManagedCryptoBackend(), new SeededRandom(seed), StoreA);
            B = new Tunnel(new TunnelConfig { PrivateKey = PrivB, HandshakeLoadPerSecond = loadB, StagedPacketsPerPeer = staged }, cryptoB ?? new ManagedCryptoBackend(), new SeededRandom(seed + 1), StoreB);
            Assert(A.AddPeer(new PeerConfig { PublicKey = B.PublicKey, Endpoint = AddrB, ClientId = clientIdAtoB, PresharedKey = psk, PersistentKeepaliveSeconds = persistentKeepaliveA }) == 0);
            Assert(B.AddPeer(new PeerConfig { PublicKey = A.PublicKey, ClientId = clientIdBtoA, PresharedKey = psk }) == 0);
        }

        static void Assert(bool ok) { if (!ok) throw new InvalidOperationException("set-up failed"); }

        public static byte[] Copy(byte[] b, int offset, int length) { var c = new byte[length]; Array.Copy(b, offset, c, 0, length); return c; }

        /// <summary>Runs A's timers once; returns the datagram it sent, or null.</summary>
        public byte[] TickA() { return Tick(A, WireFromA); }
        public byte[] TickB() { return Tick(B, WireFromB); }

        byte[] Tick(Tunnel t, List<byte[]> wire)
        {
            var r = t.Tick(Now, Out, 0);
            if (r.Action != TunnelAction.WriteToNetwork) return null;
            var d = Copy(Out, 0, r.Length);
            wire.Add(d);
            return d;
        }

        /// <summary>Delivers a datagram to B (from A's address unless given); a reply B sends back is recorded and returned.</summary>
        public TunnelResult ToB(byte[] datagram, out byte[] output, Endpoint from = null)
        {
            var buf = (byte[])datagram.Clone();
            var r = B.Decapsulate(from ?? AddrA, buf, 0, buf.Length, Out, 0, Now);
            output = r.Length > 0 ? Copy(Out, 0, r.Length) : null;
            if (r.Action == TunnelAction.WriteToNetwork) WireFromB.Add(output);
            return r;
        }

        public TunnelResult ToA(byte[] datagram, out byte[] output, Endpoint from = null)
        {
            var buf = (byte[])datagram.Clone();
            var r = A.Decapsulate(from ?? AddrB, buf, 0, buf.Length, Out, 0, Now);
            output = r.Length > 0 ? Copy(Out, 0, r.Length) : null;
            if (r.Action == TunnelAction.WriteToNetwork) WireFromA.Add(output);
            return r;
        }

        public byte[] SealA(byte[] packet) { return Seal(A, packet, WireFromA); }
        public byte[] SealB(byte[] packet) { return Seal(B, packet, WireFromB); }

        byte[] Seal(Tunnel t, byte[] packet, List<byte[]> wire)
        {
            var r = t.Encapsulate(0, packet, 0, packet.Length, Out, 0, Now);
            if (r.Action != TunnelAction.WriteToNetwork) return null;
            var d = Copy(Out, 0, r.Length);
            wire.Add(d);
            return d;
        }

        /// <summary>A sends a packet with no session: staged, initiation, response, then the staged packet. Returns the data datagram.</summary>
        public byte[] Handshake(byte[] firstPacket)
        {
            var staged = A.Encapsulate(0, firstPacket, 0, firstPacket.Length, Out, 0, Now);
            if (staged.Action != TunnelAction.Staged) throw new InvalidOperationException("expected Staged, got " + staged);
            var init = TickA() ?? throw new InvalidOperationException("no initiation");
            var r = ToB(init, out var response);
            if (r.Action != TunnelAction.WriteToNetwork) throw new InvalidOperationException("B: " + r);
            var r2 = ToA(response, out _);
            if (r2.Action != TunnelAction.HandshakeComplete) throw new InvalidOperationException("A: " + r2);
            return TickA() ?? throw new InvalidOperationException("no staged data after the handshake");
        }

        /// <summary>Handshake, then data both ways, so neither side has an unanswered packet.</summary>
        public void Establish()
        {
            var data = Handshake(Ipv4Packet(1));
            if (ToB(data, out _).Action != TunnelAction.WriteToLan) throw new InvalidOperationException("B did not take A's data");
            var back = SealB(Ipv4Packet(2));
            if (ToA(back, out _).Action != TunnelAction.WriteToLan) throw new InvalidOperationException("A did not take B's data");
        }

        /// <summary>Runs A's Tick until Done; returns the message types it sent.</summary>
        public List<byte> DrainA()
        {
            var types = new List<byte>();
            byte[] d;
            while ((d = TickA()) != null) types.Add(d[0]);
            return types;
        }

        /// <summary>A minimal IPv4/UDP packet with a given payload size (valid lengths, so the tunnel's inner-length check passes).</summary>
        public static byte[] Ipv4Packet(int payload, byte fill = 0x5a)
        {
            var p = new byte[28 + payload];
            Warp.Protocol.Net.Ipv4Packet.WriteHeader(p, 0, p.Length, 1, false, 64, 17, 0x0A4D0002, 0x0A4D0001);
            Warp.Protocol.Net.UdpDatagram.WriteHeader(p, 20, 1234, 5678, 8 + payload);
            for (int i = 28; i < p.Length; i++) p[i] = fill;
            return p;
        }
    }
}

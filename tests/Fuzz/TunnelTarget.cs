using System;
using System.Collections.Generic;
using Warp.Protocol.Crypto;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;

namespace Warp.Fuzz
{
    /// <summary>
    /// The tunnel's Decapsulate. The target tunnel T (the router's, client id set) has one peer P
    /// (a real <see cref="Tunnel"/> in memory, the edge's part); both built fresh for every input
    /// from fixed keys and seeded randomness, on one fake clock, so an input always runs the same.
    /// Steps:
    /// <code>
    ///  0  raw       the body is a datagram to T from P's endpoint
    ///  1  mac1      the same, with a correct mac1 written into a body of initiation or response
    ///               size (afl-fuzz cannot forge a BLAKE2s MAC; this lets it past the first check)
    ///  2  peer      P sends the body as an IP packet; datagrams go back and forth until quiet
    ///               (P's handshake with T first when P has no session)
    ///  3  target    T sends the body as an IP packet (T's handshake first), then the exchange
    ///  4  time      the clock moves by the body's first two bytes × 10 ms; both tick; exchange
    ///  5  stranger  as 1, from another endpoint (roaming, cookies)
    /// </code>
    /// A finding: anything thrown, or a Dropped result whose reason is not a drop counter or that
    /// is not counted exactly once.
    /// </summary>
    sealed class TunnelTarget : ITarget
    {
        const int Kinds = 6;
        public const int ClientIdValue = 0x0A0B0C;
        static readonly byte[] KeyT = Key(1), KeyP = Key(2);
        static readonly byte[] PublicT = Public(KeyT), PublicP = Public(KeyP);
        static readonly byte[] Mac1KeyT = Mac1Key(PublicT);

        public string Name { get { return "tunnel"; } }

        static byte[] Key(int seed)
        {
            var k = new byte[32];
            new SeededRandom(seed * 7919).GetBytes(k, 0, 32);
            return k;
        }

        static byte[] Public(byte[] priv)
        {
            var p = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(p, 0, priv, 0);
            return p;
        }

        static byte[] Mac1Key(byte[] publicKey)
        {
            var b = new Blake2s();
            b.Init(32);
            b.Update(new byte[] { 0x6d, 0x61, 0x63, 0x31, 0x2d, 0x2d, 0x2d, 0x2d }, 0, 8); // "mac1----"
            b.Update(publicKey, 0, 32);
            var key = new byte[32];
            b.Final(key, 0);
            return key;
        }

        /// <summary>One input's world: T, P and what travels between them.</summary>
        sealed class Session
        {
            public readonly Tunnel T, P;
            public readonly Endpoint AddrT = new Endpoint(), AddrP = new Endpoint(), Stranger = new Endpoint();
            public long Now = 1_000_000;
            readonly byte[] outT = new byte[2048], outP = new byte[2048];
            readonly Queue<byte[]> toT = new Queue<byte[]>(), toP = new Queue<byte[]>();
            /// <summary>When set, every datagram P sends is kept here (seed making).</summary>
            public List<byte[]> FromP;

            public Session()
            {
                AddrT.SetIpv4(0x0A000001, 40000);
                AddrP.SetIpv4(0x0A000002, 2408);
                Stranger.Set(Endpoint.FamilyIpv6, new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 }, 0, 2408);
                T = new Tunnel(new TunnelConfig { PrivateKey = KeyT, HandshakeLoadPerSecond = 4, MaxPacketSize = 1280 }, new ManagedCryptoBackend(), new SeededRandom(3), null);
                P = new Tunnel(new TunnelConfig { PrivateKey = KeyP }, new ManagedCryptoBackend(), new SeededRandom(4), null);
                T.AddPeer(new PeerConfig { PublicKey = PublicP, Endpoint = AddrP, ClientId = ClientIdValue, PersistentKeepaliveSeconds = 25 });
                P.AddPeer(new PeerConfig { PublicKey = PublicT, ClientId = ClientIdValue });
            }

            /// <summary>A datagram to T: the body at offset 16 of a buffer with guard bytes either side.</summary>
            public void ToT(byte[] data, int offset, int length, Endpoint from, bool fixMac1)
            {
                var buf = new byte[length + 32];
                for (int i = 0; i < buf.Length; i++) buf[i] = 0xA5;
                Array.Copy(data, offset, buf, 16, length);
                if (fixMac1)
                    FixMac1(buf, 16, length);
                DeliverToT(from, buf, 16, length);
                for (int i = 0; i < 16; i++)
                    Check.That(buf[i] == 0xA5 && buf[16 + length + i] == 0xA5, "Decapsulate wrote outside the datagram");
                Exchange();
            }

            void DeliverToT(Endpoint from, byte[] buf, int offset, int length)
            {
                long drops = T.Counters.TotalDrops;
                var r = T.Decapsulate(from, buf, offset, length, outT, 0, Now);
                long counted = T.Counters.TotalDrops - drops;
                if (r.Action == TunnelAction.Dropped)
                {
                    Check.That(T.Counters.IsDropAt((int)r.Reason), "dropped with reason " + r.Reason + ", not a drop counter");
                    Check.That(counted == 1, "a drop counted " + counted + " times (" + r.Reason + ")");
                }
                else
                    Check.That(counted == 0, r.Action + " counted a drop");
                if (r.Action == TunnelAction.WriteToNetwork)
                {
                    Check.That(r.Length > 0 && r.Length <= outT.Length, "reply length " + r.Length);
                    toP.Enqueue(Check.Slice(outT, 0, r.Length));
                }
                else if (r.Action == TunnelAction.WriteToLan)
                    Check.That(r.Length >= 0 && r.Length <= length, "inner packet length " + r.Length + " of a " + length + "-byte datagram");
                DrainT();
            }

            void DrainT()
            {
                for (int i = 0; i < 8; i++)
                {
                    var t = T.Tick(Now, outT, 0);
                    if (t.Action != TunnelAction.WriteToNetwork) break;
                    toP.Enqueue(Check.Slice(outT, 0, t.Length));
                }
            }

            void DrainP()
            {
                for (int i = 0; i < 8; i++)
                {
                    var t = P.Tick(Now, outP, 0);
                    if (t.Action != TunnelAction.WriteToNetwork) break;
                    SendFromP(Check.Slice(outP, 0, t.Length));
                }
            }

            void SendFromP(byte[] d)
            {
                if (FromP != null) FromP.Add((byte[])d.Clone());
                toT.Enqueue(d);
            }

            /// <summary>Carries datagrams both ways until neither side has anything to say (bounded).</summary>
            public void Exchange()
            {
                for (int round = 0; round < 32 && (toT.Count > 0 || toP.Count > 0); round++)
                {
                    if (toP.Count > 0)
                    {
                        var d = toP.Dequeue();
                        var r = P.Decapsulate(AddrT, d, 0, d.Length, outP, 0, Now);
                        if (r.Action == TunnelAction.WriteToNetwork) SendFromP(Check.Slice(outP, 0, r.Length));
                        DrainP();
                    }
                    if (toT.Count > 0)
                    {
                        var d = toT.Dequeue();
                        DeliverToT(AddrP, d, 0, d.Length);
                    }
                }
                toT.Clear();
                toP.Clear();
            }

            public void PeerSends(byte[] data, int offset, int length)
            {
                var r = P.Encapsulate(0, data, offset, length, outP, 0, Now);
                if (r.Action == TunnelAction.WriteToNetwork) SendFromP(Check.Slice(outP, 0, r.Length));
                DrainP();
                Exchange();
            }

            public void TargetSends(byte[] data, int offset, int length)
            {
                long drops = T.Counters.TotalDrops;
                var r = T.Encapsulate(0, data, offset, length, outT, 0, Now);
                if (r.Action == TunnelAction.Dropped)
                    Check.That(T.Counters.IsDropAt((int)r.Reason) && T.Counters.TotalDrops == drops + 1, "send drop " + r.Reason + " not counted once");
                if (r.Action == TunnelAction.WriteToNetwork) toP.Enqueue(Check.Slice(outT, 0, r.Length));
                DrainT();
                Exchange();
            }

            public void Advance(byte[] data, int offset, int length)
            {
                int step = length >= 2 ? (data[offset] << 8) | data[offset + 1] : length == 1 ? data[offset] : 1;
                Now += step * 10L;
                DrainT();
                DrainP();
                Exchange();
            }
        }

        /// <summary>Writes a correct mac1 (keyed by T's public key) into an initiation- or response-sized message.</summary>
        static void FixMac1(byte[] b, int o, int length)
        {
            int macOffset = length == Message.InitiationSize ? Message.InitiationMac1 : length == Message.ResponseSize ? Message.ResponseMac1 : -1;
            if (macOffset < 0) return;
            // The receiver clears the reserved bytes (WARP's client id) before it checks the MAC.
            byte r1 = b[o + 1], r2 = b[o + 2], r3 = b[o + 3];
            b[o + 1] = 0; b[o + 2] = 0; b[o + 3] = 0;
            new Blake2s().Mac(Mac1KeyT, 0, 32, b, o, macOffset, b, o + macOffset, 16);
            b[o + 1] = r1; b[o + 2] = r2; b[o + 3] = r3;
        }

        public void Run(byte[] input)
        {
            var s = new Session();
            Check.Last = new Warp.Protocol.CounterSet[] { s.T.Counters };
            Run(s, input);
        }

        static void Run(Session s, byte[] input)
        {
            var r = new RecordReader(input);
            byte[] data = r.Data;
            while (r.Next(Kinds, out int kind, out int offset, out int length))
            {
                switch (kind)
                {
                    case 0: s.ToT(data, offset, length, s.AddrP, false); break;
                    case 1: s.ToT(data, offset, length, s.AddrP, true); break;
                    case 2: s.PeerSends(data, offset, length); break;
                    case 3: s.TargetSends(data, offset, length); break;
                    case 4: s.Advance(data, offset, length); break;
                    default: s.ToT(data, offset, length, s.Stranger, true); break;
                }
            }
        }

        public IEnumerable<KeyValuePair<string, byte[]>> Seeds()
        {
            var packets = SeedPackets.IpPackets(1280);
            int n = 0;
            // Each side starts the handshake with a captured packet, the other answers with another.
            for (int i = 0; i + 1 < packets.Count && n < 12; i += 2, n++)
            {
                var a = new RecordWriter().Add(3, packets[i]).Add(2, packets[i + 1]).Add(4, new byte[] { 0x0B, 0xB8 }).Add(3, packets[i + 1]);
                yield return Seed("t-first-" + n, a.ToArray());
                var b = new RecordWriter().Add(2, packets[i]).Add(3, packets[i + 1]).Add(2, new byte[0]);
                yield return Seed("p-first-" + n, b.ToArray());
            }
            // Genuine datagrams from P as raw steps (the same in every run of the input): an
            // initiation, and data after a handshake, for afl-fuzz to mutate.
            var s = new Session { FromP = new List<byte[]>() };
            s.PeerSends(packets[0], 0, packets[0].Length);
            s.PeerSends(packets[1], 0, packets[1].Length);
            var raw = new RecordWriter();
            foreach (var d in s.FromP) raw.Add(0, d);
            yield return Seed("p-raw-session", raw.ToArray());
            yield return Seed("p-raw-initiation", new RecordWriter().Add(1, s.FromP[0]).ToArray());
            yield return Seed("p-raw-initiation-stranger", new RecordWriter().Add(5, s.FromP[0]).Add(5, s.FromP[0]).Add(5, s.FromP[0]).Add(5, s.FromP[0]).Add(5, s.FromP[0]).ToArray());
            var data = new RecordWriter().Add(2, packets[2]);
            for (int i = 2; i < s.FromP.Count; i++) data.Add(0, s.FromP[i]);
            data.Add(4, new byte[] { 0x4E, 0x20 }).Add(3, packets[3]).Add(4, new byte[] { 0xFF, 0xFF });
            yield return Seed("p-data-replay-and-timers", data.ToArray());
        }

        static KeyValuePair<string, byte[]> Seed(string name, byte[] bytes) { return new KeyValuePair<string, byte[]>(name, bytes); }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading;
using Warp.Edge;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The edge's front (tools/Edge) in this process on loopback, without root: real WireGuard
    /// tunnels (ours) as the client and as three backends sharing one key, or plain UDP sockets
    /// where the test needs to see the bytes a backend gets.
    /// </summary>
    public class EdgeFrontTests
    {
        const int Id = 0x5A17C3;

        sealed class Running : IDisposable
        {
            public readonly EdgeFront Front;
            readonly Thread thread;
            public Running(FrontOptions o)
            {
                Front = new EdgeFront(o, null);
                thread = new Thread(() => Front.Run()) { IsBackground = true };
                thread.Start();
            }
            public bool Alive { get { return thread.IsAlive; } }
            public IPEndPoint Listen(int i) { return Front.ListenAddress(i); }
            public void Dispose()
            {
                Front.Stop();
                Assert.True(thread.Join(5000), "the front did not stop");
                Front.Dispose();
            }
        }

        static Socket Udp(IPAddress address)
        {
            var s = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(address, 0));
            s.ReceiveTimeout = 2000;
            return s;
        }

        static IPEndPoint Local(Socket s) { return (IPEndPoint)s.LocalEndPoint; }

        /// <summary>A data message of <paramref name="length"/> bytes (32: a keepalive) with the client id in bytes 1-3.</summary>
        static byte[] Message(int type, int length, int clientId, byte fill = 0x55)
        {
            var b = new byte[length];
            for (int i = 4; i < length; i++) b[i] = fill;
            b[0] = (byte)type;
            b[1] = (byte)(clientId >> 16);
            b[2] = (byte)(clientId >> 8);
            b[3] = (byte)clientId;
            return b;
        }

        static (int Length, IPEndPoint From, byte[] Bytes) Receive(Socket s)
        {
            var buf = new byte[2048];
            EndPoint from = new IPEndPoint(s.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
            int n = s.ReceiveFrom(buf, ref from);
            return (n, (IPEndPoint)from, buf.Take(n).ToArray());
        }

        static bool Pending(Socket s, int ms) { return s.Poll(ms * 1000, SelectMode.SelectRead); }

        /// <summary>
        /// Our tunnel with the client id talks through the front to three of our tunnels sharing one
        /// key: the initiation, data and keepalives of the client, then (the backend initiating, the
        /// client under load) its cookie reply and its response are all routed by the same client id,
        /// all to one backend; the other two get nothing.
        /// </summary>
        [Fact]
        public void EveryMessageTypeOfTheClientIsRoutedByItsClientIdToOneBackend()
        {
            var serverKey = RandomKey();
            var backends = Enumerable.Range(0, 3).Select(_ => new TunnelHost(serverKey, new IPEndPoint(IPAddress.Loopback, 0))).ToList();
            var o = new FrontOptions { Mode = EdgeMode.ClientId };
            o.Listen.Add(new IPEndPoint(IPAddress.Loopback, 0));
            foreach (var b in backends) o.Backends.Add(new IPEndPoint(IPAddress.Loopback, b.LocalPort));
            using var front = new Running(o);
            // The client is "under load" from the first initiation it gets, so it answers the backend's initiation with a cookie reply first.
            var clientTunnel = new Tunnel(new TunnelConfig { PrivateKey = RandomKey(), HandshakeLoadPerSecond = 0 }, new ManagedCryptoBackend(), new Warp.Hal.Linux.SystemRandomSource(), null);
            using var client = new TunnelHostFor(clientTunnel, new IPEndPoint(IPAddress.Loopback, 0));
            try
            {
                Assert.Equal(0, clientTunnel.AddPeer(new PeerConfig { PublicKey = backends[0].Tunnel.PublicKey, Endpoint = TunnelHost.ToEndpoint(front.Listen(0)), ClientId = Id, PersistentKeepaliveSeconds = 1 }));
                foreach (var b in backends)
                    Assert.Equal(0, b.Tunnel.AddPeer(new PeerConfig { PublicKey = clientTunnel.PublicKey }));

                int delivered = 0;
                void PumpAll(int rounds, Func<bool> done)
                {
                    for (int r = 0; r < rounds && !done(); r++)
                    {
                        client.Host.Pump(5, () => false, (p, n) => delivered++);
                        foreach (var b in backends)
                            b.Pump(5, () => false, (p, n) => b.Send(Packets.ReplyTo(p, n)));
                    }
                }

                // 1. The client initiates, sends data (echo requests answered by whichever backend has it) and keepalives.
                client.Host.Send(Packets.IcmpEcho(0x0A4D0002, 0x0A4D0001, 7, 1, 24));
                PumpAll(400, () => delivered >= 1);
                Assert.True(delivered >= 1, "no answer through the front");
                int chosen = backends.FindIndex(b => b.Tunnel.Counters[TunnelCounter.HandshakesCompleted] == 1);
                Assert.True(chosen >= 0, "no backend completed a handshake");
                client.Host.Send(Packets.IcmpEcho(0x0A4D0002, 0x0A4D0001, 7, 2, 24));
                PumpAll(300, () => false); // about 1.5 s: a persistent keepalive

                // 2. The backend initiates towards the client (through the flow it roamed to): cookie reply, then a response after the retry.
                backends[chosen].Tunnel.Connect(0, backends[chosen].Now);
                PumpAll(2000, () => backends[chosen].Tunnel.Counters[TunnelCounter.HandshakesCompleted] >= 2);
                Assert.True(backends[chosen].Tunnel.Counters[TunnelCounter.HandshakesCompleted] >= 2, "the backend's handshake did not complete");
                Thread.Sleep(1100); // the front's counters are read below; nothing more is in flight

                var idLines = front.Front.Render().Split('\n').Where(l => l.StartsWith("clientid ")).ToList();
                Assert.Single(idLines); // the only id the front routed on is the client's
                string st = idLines[0];
                Assert.StartsWith("clientid id=5a17c3 ", st);
                long total = 0;
                foreach (var kind in new[] { "initiation", "response", "cookie", "data", "keepalive" })
                {
                    Assert.True(Field(st, kind) >= 1, "no " + kind + " routed by the client id: " + st);
                    total += Field(st, kind);
                }
                var perBackend = st.Substring(st.IndexOf("backends=") + 9).Split(',').Select(long.Parse).ToArray();
                for (int i = 0; i < 3; i++)
                    Assert.Equal(i == chosen ? total : 0, perBackend[i]);
                Assert.Equal(EdgeRouting.ForClientId(Id, 3), chosen);
                for (int i = 0; i < 3; i++)
                    if (i != chosen)
                        Assert.Equal(0, backends[i].Tunnel.Counters[TunnelCounter.HandshakesCompleted] + backends[i].Tunnel.Counters.TotalDrops);
                Assert.Equal(0, backends[chosen].Tunnel.Counters.TotalDrops); // reserved bytes cleared: a standard backend takes every message
                Assert.True(clientTunnel.Counters[TunnelCounter.CookieRepliesSent] >= 1);
            }
            finally
            {
                foreach (var b in backends) b.Dispose();
            }
        }

        /// <summary>
        /// ECMP: each 4-tuple sticks to one backend, 4-tuples spread over all of them, the reserved
        /// bytes reach the backend cleared, and the answer comes back from the front's address, over
        /// IPv4 and IPv6. Mode clientid treats a client without an id (0) the same way.
        /// </summary>
        [Theory]
        [InlineData(EdgeMode.Ecmp, Id)]
        [InlineData(EdgeMode.ClientId, 0)]
        public void FourTuplesSpreadAndStickAndAnswersComeFromTheFront(EdgeMode mode, int clientId)
        {
            var backends = Enumerable.Range(0, 3).Select(_ => Udp(IPAddress.Loopback)).ToList();
            var o = new FrontOptions { Mode = mode };
            o.Listen.Add(new IPEndPoint(IPAddress.Loopback, 0));
            o.Listen.Add(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            foreach (var b in backends) o.Backends.Add(Local(b));
            using var front = new Running(o);
            var hit = new int[3];
            try
            {
                for (int c = 0; c < 24; c++)
                {
                    bool v6 = c % 2 == 1;
                    using var client = Udp(v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback);
                    var to = front.Listen(v6 ? 1 : 0);
                    int where = -1;
                    for (int k = 0; k < 3; k++)
                    {
                        client.SendTo(Message(4, 48, clientId, (byte)c), to);
                        int got = -1;
                        var ready = new List<Socket>(backends);
                        Socket.Select(ready, null, null, 1000000);
                        Thread.Sleep(5); // a second copy, if any, would be there too
                        for (int i = 0; i < 3; i++)
                            if (backends[i].Available > 0)
                            {
                                var (n, from, bytes) = Receive(backends[i]);
                                Assert.Equal(48, n);
                                Assert.Equal(new byte[] { 4, 0, 0, 0 }, bytes.Take(4).ToArray()); // reserved bytes cleared
                                Assert.Equal((byte)c, bytes[20]);
                                Assert.True(got < 0, "one datagram reached two backends");
                                got = i;
                                backends[i].SendTo(Message(4, 32, 0), from); // the backend's keepalive back
                            }
                        Assert.True(got >= 0, "the datagram reached no backend");
                        Assert.True(where < 0 || where == got, "a 4-tuple moved between backends");
                        where = got;
                        var (rn, rfrom, _) = Receive(client);
                        Assert.Equal(32, rn);
                        Assert.Equal(to, rfrom); // from the front's (anycast) address, not the backend's
                    }
                    Assert.Equal(EdgeRouting.ForTuple(Local(client), to, 3), where);
                    hit[where]++;
                }
                Assert.All(hit, h => Assert.True(h > 0, "a backend got no 4-tuple of 24: " + string.Join(",", hit)));
                Assert.Equal(24, front.Front.FlowCount);
            }
            finally
            {
                foreach (var b in backends) b.Dispose();
            }
        }

        /// <summary>
        /// Short datagrams, garbage, wrong lengths and a flood of initiations from 400 4-tuples (more
        /// than the flow table holds, on 127.0.0.0/8's many addresses): each dropped or evicted and
        /// counted, the front stays up, and a client whose backend answers keeps its flow and is served.
        /// </summary>
        [Fact]
        public void BadInputAndAFloodAreDroppedAndCountedAndTheFrontStaysUp()
        {
            using var backend = Udp(IPAddress.Loopback);
            var o = new FrontOptions { Mode = EdgeMode.ClientId, MaxFlows = 64 };
            o.Listen.Add(new IPEndPoint(IPAddress.Loopback, 0));
            o.Backends.Add(Local(backend));
            o.Backends.Add(new IPEndPoint(IPAddress.Loopback, 9)); // discard: nothing answers
            o.Backends.Add(new IPEndPoint(IPAddress.Loopback, 9));
            using var front = new Running(o);
            var to = front.Listen(0);
            // A client whose id routes to backend 0, the one that answers.
            int legitId = Enumerable.Range(1, 1000).First(i => EdgeRouting.ForClientId(i, 3) == 0);
            using var legit = Udp(IPAddress.Loopback);
            bool Served()
            {
                legit.SendTo(Message(4, 32, legitId, 0xEE), to);
                var deadline = DateTime.UtcNow.AddSeconds(3);
                while (DateTime.UtcNow < deadline)
                {
                    if (!Pending(backend, 200)) continue;
                    var (n, from, bytes) = Receive(backend);
                    if (n == 32 && bytes[31] == 0xEE)
                    {
                        backend.SendTo(Message(4, 32, 0), from);
                        return Pending(legit, 2000) && Receive(legit).Length == 32;
                    }
                }
                return false;
            }
            Assert.True(Served(), "the client was not served before the flood");

            var rng = new Random(11);
            using var bad = Udp(IPAddress.Loopback);
            for (int n = 0; n < 32; n++) bad.SendTo(new byte[n], to);                                // 32 short (0-31 bytes)
            for (int k = 0; k < 50; k++)
            {
                var g = new byte[rng.Next(32, 1400)];
                rng.NextBytes(g);
                g[0] = (byte)rng.Next(5, 256);                                                      // 50 of unknown type
                bad.SendTo(g, to);
            }
            foreach (int len in new[] { 147, 149, 91, 93, 63, 65, 33, 47 })                         // 8 of a wrong length
                bad.SendTo(Message(len switch { 147 or 149 => 1, 91 or 93 => 2, 63 or 65 => 3, _ => 4 }, len, 7), to);
            var flood = new List<Socket>();
            try
            {
                for (int i = 0; i < 400; i++)
                {
                    var s = Udp(new IPAddress(new byte[] { 127, 0, (byte)(1 + i / 200), (byte)(1 + i % 200) }));
                    flood.Add(s);
                    s.SendTo(Message(1, 148, rng.Next(1, 1 << 24)), to);
                    if (i % 50 == 49) Thread.Sleep(20);
                }
                // Drain what the flood sent to the answering backend, unanswered.
                var end = DateTime.UtcNow.AddSeconds(2);
                while (DateTime.UtcNow < end && Pending(backend, 300)) Receive(backend);
            }
            finally
            {
                foreach (var s in flood) s.Dispose();
            }
            Assert.True(front.Alive, "the front died");
            string stats = front.Front.Render();
            string line = stats.Split('\n')[0];
            Assert.Equal(32, Field(line, "drop.short"));
            Assert.Equal(50, Field(line, "drop.unknown_type"));
            Assert.Equal(8, Field(line, "drop.bad_length"));
            Assert.True(front.Front.FlowCount <= 64);
            Assert.True(Field(line, "flows_evicted") >= 400 - 64 + 1, line); // unanswered flows make room; the answered one stays
            Assert.Equal(0, Field(line, "drop.flow_table_full"));
            Assert.Equal(401, Field(line, "to_backends")); // the client's first keepalive and the 400 initiations
            Assert.True(Served(), "the client was not served after the flood");
            Assert.True(Field(stats.Split('\n')[0], "ids_untracked") > 0); // 401 ids, 256 tracked
            Assert.True(stats.Split('\n').Count(l => l.StartsWith("clientid ")) <= o.MaxTrackedIds);
        }

        static long Field(string line, string key) { return Warp.Router.Linux.Lab.Field(line, key); }

        static byte[] RandomKey()
        {
            var k = new byte[32];
            RandomNumberGenerator.Fill(k);
            return k;
        }
    }
}

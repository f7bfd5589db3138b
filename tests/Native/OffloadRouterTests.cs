using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Warp.Firmware;
using Warp.Hal.Linux;
using Warp.Protocol;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The Router with the native fast path (the C core over P/Invoke, as warp-router run --fast-path native
    /// uses it) against the Router without one: the same scripted run (DHCP, UDP flows both ways, new flows
    /// while others are offloaded, rekeys, idle keepalives) must give the LAN client and the peer the same
    /// packets, the fast path must have carried most of them, and no (receiver index, counter) may repeat.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public class OffloadRouterTests
    {
        readonly ITestOutputHelper output;
        public OffloadRouterTests(ITestOutputHelper output) { this.output = output; }

        internal static readonly byte[] ClientMac = { 0x02, 0xC1, 0, 0, 0, 7 };
        /// <summary>The router's LAN MAC (MemoryLan's), for frames addressed to it.</summary>
        internal static readonly byte[] RouterMacOf = new MemoryLan().Mac;
        const uint RouterIp = 0xC0A82A01, TunnelIp = 0xAC100002, Origin = 0xC6120050;

        internal sealed class Run : IDisposable
        {
            public readonly MemoryLan Lan = new MemoryLan();
            /// <summary>The ports with batches over Lan and Uplink (batch above 1), else null.</summary>
            public readonly BatchMemoryLan BatchLan;
            public readonly BatchMemoryUplink BatchUplink;
            public readonly MemoryUplink Uplink = new MemoryUplink();
            public readonly Router Router;
            public readonly Tunnel Peer;
            public readonly NativeLibraryFastPath Fast;
            public readonly Endpoint RouterEndpoint = new Endpoint();
            public long Now = 10_000;
            public uint ClientIp;
            /// <summary>When the last lease was granted (its ACK): a lease of T seconds ends T s later.</summary>
            public long LeasedAt;
            readonly byte[] peerOut = new byte[2048];
            /// <summary>What the LAN client received (frames) and the peer decapsulated (IP packets), in order.</summary>
            public readonly List<byte[]> ToClient = new List<byte[]>(), ToPeer = new List<byte[]>();
            /// <summary>Every data message the router sent: (receiver index, counter).</summary>
            public readonly List<(uint, ulong)> Nonces = new List<(uint, ulong)>();

            /// <param name="native">With the native fast path (8 flows).</param>
            /// <param name="batch">RouterSizes.Batch, with ports that take batches when above 1.</param>
            /// <param name="routerLines">More [Router] lines (a lease time, static leases).</param>
            /// <param name="ipv6">The tunnel has an IPv6 address too (fd01:5ca1::2), so IPv6 flows are translated and offloaded.</param>
            public Run(bool native, int batch = 1, string routerLines = "", bool ipv6 = false)
            {
                var rng = new SeededRandom(11);
                var routerKey = new byte[32];
                var peerKey = new byte[32];
                RandomBytes.Fill(rng, routerKey, 0, 32);
                RandomBytes.Fill(rng, peerKey, 0, 32);
                Peer = new Tunnel(new TunnelConfig { PrivateKey = peerKey, MaxPacketSize = 1420 }, new ManagedCryptoBackend(), new SeededRandom(12), null);
                var routerPublic = new byte[32];
                new ManagedCryptoBackend().DhPublicKey(routerPublic, 0, routerKey, 0);
                Peer.AddPeer(new PeerConfig { PublicKey = routerPublic });
                string conf =
                    "[Interface]\nPrivateKey = " + Convert.ToBase64String(routerKey) + "\nAddress = 172.16.0.2/32" + (ipv6 ? ", fd01:5ca1::2/128" : "") + "\nDNS = 198.18.0.53\n" +
                    "[Peer]\nPublicKey = " + Convert.ToBase64String(Peer.PublicKey) + "\nEndpoint = 10.250.2.2:51820\n" +
                    "[Router]\nLanAddress = 192.168.42.1/24\nUlaPrefix = fd42:4242:4242::/64\nDhcpPoolStart = 192.168.42.100\nDhcpPoolEnd = 192.168.42.120\n" + routerLines;
                var platform = new RouterPlatform { Lan = Lan, Uplink = Uplink, Crypto = new ManagedCryptoBackend(), Random = new SeededRandom(13), Store = new MemoryStore() };
                if (native)
                {
                    NativeLibraryFastPath.Load(NativeBuild.Ensure());
                    Fast = new NativeLibraryFastPath(8, 77); // small, so the table fills
                    platform.FastPath = Fast;
                }
                var d = new ConfigDiagnostics();
                var settings = WgQuickParser.Parse(conf, d) ?? throw new InvalidOperationException(d.ToString());
                if (batch > 1)
                {
                    platform.Lan = BatchLan = new BatchMemoryLan(Lan);
                    platform.Uplink = BatchUplink = new BatchMemoryUplink(Uplink);
                }
                var sizes = RouterSizes.LinuxHost();
                sizes.FastPathFlows = 8;
                sizes.Batch = batch;
                Router = new Router(settings, sizes, platform, Now);
                Uplink.From.SetIpv4(0x0AFA0202, 51820);
                RouterEndpoint.SetIpv4(0x0AFA0102, 40000);
                Router.Start(Now);
                ClientIp = Lease(ClientMac);
            }

            public void Dispose() { Fast?.Dispose(); }

            /// <summary>A DHCP lease for the device with this MAC (DISCOVER, the probe wait, REQUEST); its address.</summary>
            public uint Lease(byte[] mac)
            {
                Lan.Inbox.Enqueue(DhcpFrame(1, 0, mac));
                Router.Poll(Now);
                Now += Warp.Protocol.Lan.DhcpServer.ProbeWaitMs;
                Router.Poll(Now);
                byte[] offer = Lan.Sent.Find(x => DhcpType(x) == 2) ?? throw new InvalidOperationException("no OFFER");
                uint ip = Endian.Read32(offer, 42 + 16);
                Lan.Inbox.Enqueue(DhcpFrame(3, ip, mac));
                Router.Poll(Now);
                if (Lan.Sent.Find(x => DhcpType(x) == 5) == null) throw new InvalidOperationException("no ACK");
                Lan.Sent.Clear();
                LeasedAt = Now;
                return ip;
            }

            /// <summary>A DHCP REQUEST renewing the lease of (mac, ip) (RFC 2131 4.3.2, RENEWING: ciaddr set); queued.</summary>
            public void Renew(byte[] mac, uint ip) { Lan.Inbox.Enqueue(DhcpFrame(3, 0, mac, ip)); }

            /// <summary>A DHCP RELEASE of (mac, ip) (ciaddr, server identifier); queued.</summary>
            public void Release(byte[] mac, uint ip) { Lan.Inbox.Enqueue(DhcpFrame(7, 0, mac, ip)); }

            /// <summary>Moves the clock, polls, and carries everything between the router and the peer until both are quiet.</summary>
            public void Step(long ms)
            {
                Now += ms;
                Router.Poll(Now);
                for (int round = 0; round < 20; round++)
                {
                    TunnelResult t;
                    while ((t = Peer.Tick(Now, peerOut, 0)).Action == TunnelAction.WriteToNetwork)
                        Uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, t.Length));
                    if (Uplink.Sent.Count == 0 && Uplink.Inbox.Count == 0)
                        break;
                    var batch = Uplink.Sent.ToArray();
                    Uplink.Sent.Clear();
                    foreach (var dg in batch)
                    {
                        if (dg[0] == Message.TypeData)
                            Nonces.Add((Endian.Read32LE(dg, Message.DataReceiver), Endian.Read64LE(dg, Message.DataCounter)));
                        var r = Peer.Decapsulate(RouterEndpoint, dg, 0, dg.Length, peerOut, 0, Now);
                        if (r.Action == TunnelAction.WriteToNetwork) Uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, r.Length));
                        if (r.Action == TunnelAction.WriteToLan) ToPeer.Add(MemoryLan.Copy(peerOut, 0, r.Length));
                    }
                    Router.Poll(Now);
                }
                ToClient.AddRange(Lan.Sent);
                Lan.Sent.Clear();
            }

            public void ClientSends(ushort sport, ushort dport, int size, byte fill) { Lan.Inbox.Enqueue(Frame(ClientMac, Lan.Mac, ClientIp, sport, dport, size, fill)); }

            /// <summary>A UDP frame to the origin from (mac, ip), to the Ethernet destination given.</summary>
            public static byte[] Frame(byte[] mac, byte[] to, uint ip, ushort sport, ushort dport, int size, byte fill)
            {
                var payload = Enumerable.Repeat(fill, size).ToArray();
                var f = new byte[14 + 28 + size];
                EthernetFrame.WriteHeader(f, 0, to, 0, mac, 0, EthernetFrame.EtherTypeIpv4);
                Ipv4Packet.WriteHeader(f, 14, 28 + size, 1, true, 64, Ipv4Packet.ProtocolUdp, ip, Origin);
                UdpDatagram.WriteHeader(f, 34, sport, dport, 8 + size);
                Array.Copy(payload, 0, f, 42, size);
                Ipv4Packet.TryCreate(f, 14, 28 + size, out var ip4);
                UdpDatagram.TryCreate(f, 34, 8 + size, out var udp);
                udp.UpdateChecksum(ip4.PseudoHeaderSum());
                return f;
            }

            /// <summary>The origin answers to the tunnel address and external port the peer saw.</summary>
            public void OriginSends(ushort sport, ushort externalPort, int size, byte fill)
            {
                var p = new byte[28 + size];
                Ipv4Packet.WriteHeader(p, 0, p.Length, 1, true, 60, Ipv4Packet.ProtocolUdp, Origin, TunnelIp);
                UdpDatagram.WriteHeader(p, 20, sport, externalPort, 8 + size);
                for (int i = 0; i < size; i++) p[28 + i] = fill;
                Ipv4Packet.TryCreate(p, 0, p.Length, out var ip);
                UdpDatagram.TryCreate(p, 20, 8 + size, out var udp);
                udp.UpdateChecksum(ip.PseudoHeaderSum());
                var r = Peer.Encapsulate(0, p, 0, p.Length, peerOut, 0, Now);
                if (r.Action == TunnelAction.WriteToNetwork) Uplink.Inbox.Enqueue(MemoryLan.Copy(peerOut, 0, r.Length));
            }

            static byte[] DhcpFrame(byte type, uint requested, byte[] mac, uint ciaddr = 0)
            {
                bool server = requested != 0 || type == 7;
                var dhcp = new byte[240 + 3 + (requested != 0 ? 6 : 0) + (server ? 6 : 0) + 1];
                dhcp[0] = 1; dhcp[1] = 1; dhcp[2] = 6;
                dhcp[4] = 0x12; dhcp[5] = mac[5];
                Endian.Write32(dhcp, 12, ciaddr);
                Array.Copy(mac, 0, dhcp, 28, 6);
                dhcp[236] = 0x63; dhcp[237] = 0x82; dhcp[238] = 0x53; dhcp[239] = 0x63;
                int o = 240;
                dhcp[o++] = 53; dhcp[o++] = 1; dhcp[o++] = type;
                if (requested != 0)
                {
                    dhcp[o++] = 50; dhcp[o++] = 4; Endian.Write32(dhcp, o, requested); o += 4;
                }
                if (server)
                {
                    dhcp[o++] = 54; dhcp[o++] = 4; Endian.Write32(dhcp, o, RouterIp); o += 4;
                }
                dhcp[o] = 255;
                var f = new byte[14 + 28 + dhcp.Length];
                // RENEWING and RELEASE are unicast from the client's address to the server (RFC 2131 4.3.2, 4.4.4).
                byte[] to = ciaddr != 0 ? RouterMacOf : new byte[] { 255, 255, 255, 255, 255, 255 };
                EthernetFrame.WriteHeader(f, 0, to, 0, mac, 0, EthernetFrame.EtherTypeIpv4);
                Ipv4Packet.WriteHeader(f, 14, 28 + dhcp.Length, 1, false, 64, Ipv4Packet.ProtocolUdp, ciaddr, ciaddr != 0 ? RouterIp : 0xFFFFFFFF);
                UdpDatagram.WriteHeader(f, 34, 68, 67, 8 + dhcp.Length);
                Array.Copy(dhcp, 0, f, 42, dhcp.Length);
                Ipv4Packet.TryCreate(f, 14, 28 + dhcp.Length, out var ip);
                UdpDatagram.TryCreate(f, 34, 8 + dhcp.Length, out var udp);
                udp.UpdateChecksum(ip.PseudoHeaderSum());
                return f;
            }

            static int DhcpType(byte[] f)
            {
                if (f.Length < 14 + 28 + 240 || f[12] != 0x08 || f[13] != 0 || f[14 + 9] != 17 || f[34 + 3] != 68)
                    return 0;
                for (int o = 42 + 240; o + 2 < f.Length && f[o] != 255; o += 2 + f[o + 1])
                    if (f[o] == 53) return f[o + 2];
                return 0;
            }
        }

        /// <summary>
        /// The script: 12 UDP flows (more than the 8-flow table) opened at different times, each answered,
        /// then traffic both ways for 400 simulated seconds: three rekeys (RekeyAfterTime 120 s), idle gaps
        /// with keepalives, a new flow every 20 s while others are offloaded.
        /// </summary>
        static void Script(Run r)
        {
            var external = new Dictionary<ushort, ushort>();
            void Exchange(ushort sport, int size, byte fill)
            {
                int before = r.ToPeer.Count;
                r.ClientSends(sport, 443, size, fill);
                r.Step(1);
                foreach (var p in r.ToPeer.Skip(before))
                    if (p[9] == 17 && Endian.Read16(p, 22) == 443)
                        external[Endian.Read16(p, 20) == 0 ? sport : sport] = Endian.Read16(p, 20);
                if (external.TryGetValue(sport, out ushort ext))
                {
                    r.OriginSends(443, ext, size / 2 + 1, (byte)(fill + 1));
                    r.Step(1);
                }
            }
            r.Step(0);
            ushort next = 50000;
            for (int i = 0; i < 4; i++)
                Exchange(next++, 100 + i, (byte)i);
            for (int t = 0; t < 400; t++)
            {
                if (t % 20 == 0 && next < 50012)
                    Exchange(next++, 200, (byte)t);
                if (t % 50 < 40) // busy, then ten quiet seconds (keepalives, no data)
                {
                    for (ushort s = 50000; s < next; s += 3)
                        Exchange(s, 60 + (t * 7 + s) % 1300, (byte)(t + s));
                }
                r.Step(1000);
            }
        }

        [Fact]
        public void TheRouterGivesTheSameOutputWithAndWithoutTheNativeFastPath()
        {
            using var managed = new Run(false);
            using var native = new Run(true);
            Script(managed);
            Script(native);

            Assert.True(managed.ToPeer.Count > 1000, "the script carried " + managed.ToPeer.Count + " packets to the peer");
            Assert.Equal(managed.ToPeer.Count, native.ToPeer.Count);
            for (int i = 0; i < managed.ToPeer.Count; i++)
                Assert.True(managed.ToPeer[i].AsSpan().SequenceEqual(native.ToPeer[i]), "packet " + i + " to the peer differs");
            var mc = managed.ToClient.Where(f => f[12] == 0x08 && f[13] == 0 && f[14 + 9] == 17).ToList();
            var nc = native.ToClient.Where(f => f[12] == 0x08 && f[13] == 0 && f[14 + 9] == 17).ToList();
            Assert.True(mc.Count > 1000);
            Assert.Equal(mc.Count, nc.Count);
            for (int i = 0; i < mc.Count; i++)
                Assert.True(mc[i].AsSpan().SequenceEqual(nc[i]), "frame " + i + " to the client differs");

            var fp = native.Router.FastPathCounters;
            long outs = fp[FastPathCounter.PacketsOut], ins = fp[FastPathCounter.PacketsIn];
            output.WriteLine($"managed: {managed.ToPeer.Count} packets to the peer, {mc.Count} to the client; native fast path carried {outs} out, {ins} in; " +
                $"{fp[FastPathCounter.PuntedFromLan]} punted from the LAN, {fp[FastPathCounter.PuntedFromUplink]} from the uplink, {native.Fast.Reserved} counters reserved by the managed tunnel; " +
                $"handshakes {managed.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]} / {native.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]}");
            Assert.True(outs > native.ToPeer.Count / 2, "the fast path carried " + outs + " of " + native.ToPeer.Count + " packets out");
            Assert.True(ins > nc.Count / 2, "the fast path carried " + ins + " of " + nc.Count + " packets in");
            Assert.True(native.Fast.Reserved > 0, "the managed tunnel sent on the offloaded keypair (new flows, keepalives)");
            Assert.True(native.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted] >= 3, "rekeys happened");
            Assert.Equal(0, native.Router.Tunnel.Counters[TunnelCounter.DropSendCounterNotReserved]);

            // No nonce twice, in either run, across offload, sync, flush and rekey; the peer replayed nothing.
            foreach (var run in new[] { managed, native })
            {
                Assert.Equal(run.Nonces.Count, run.Nonces.Distinct().Count());
                Assert.Equal(0, run.Peer.Counters[TunnelCounter.DropDataReplayed]);
            }
        }

        /// <summary>
        /// Packets per second through the whole Router (LAN frame in, datagram out; datagram in, frame out) for one
        /// established UDP flow of 1,280-byte IP packets, with and without the native fast path. A measurement, printed;
        /// the assertion is only that the fast path carried the packets.
        /// </summary>
        [Fact]
        public void RouterPacketsPerSecondWithAndWithoutTheFastPath()
        {
            const int N = 20000;
            foreach (bool nativePath in new[] { false, true })
            {
                using var r = new Run(nativePath);
                r.Step(0);
                r.ClientSends(40000, 443, 100, 1);
                r.Step(1);
                ushort ext = Endian.Read16(r.ToPeer.Last(), 20);
                r.OriginSends(443, ext, 100, 2);
                r.Step(1);
                r.ClientSends(40000, 443, 100, 3); // the reply came: offloaded now (with the fast path)
                r.Step(1);
                r.Lan.Record = false;
                r.Uplink.Record = false;
                var frames = new List<byte[]>();
                for (int i = 0; i < 64; i++)
                {
                    r.ClientSends(40000, 443, 1252, (byte)i); // 1,280-byte IP packets: the tunnel MTU
                    frames.Add(r.Lan.Inbox.Dequeue());
                }
                int sentBefore = r.Uplink.SendCount;
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < N; i += 64)
                {
                    foreach (var f in frames) r.Lan.Inbox.Enqueue(f);
                    r.Router.Poll(r.Now);
                }
                sw.Stop();
                double outPps = N / sw.Elapsed.TotalSeconds;
                Assert.True(r.Uplink.SendCount - sentBefore >= N * 99 / 100, "sent " + (r.Uplink.SendCount - sentBefore));

                var datagrams = new List<byte[]>();
                for (int i = 0; i < N; i++)
                {
                    r.OriginSends(443, ext, 1252, (byte)i);
                    datagrams.Add(r.Uplink.Inbox.Dequeue());
                }
                int lanBefore = r.Lan.SendCount;
                sw.Restart();
                for (int i = 0; i < N; i += 64)
                {
                    for (int j = i; j < i + 64 && j < N; j++) r.Uplink.Inbox.Enqueue(datagrams[j]);
                    r.Router.Poll(r.Now);
                }
                sw.Stop();
                double inPps = N / sw.Elapsed.TotalSeconds;
                Assert.True(r.Lan.SendCount - lanBefore >= N * 99 / 100, "delivered " + (r.Lan.SendCount - lanBefore));
                r.Step(1000);
                string carried = nativePath ? $" (fast path carried {r.Router.FastPathCounters[FastPathCounter.PacketsOut]} out, {r.Router.FastPathCounters[FastPathCounter.PacketsIn]} in)" : "";
                output.WriteLine($"{(nativePath ? "native fast path" : "managed        ")}: LAN->tunnel {outPps:N0} packets/s ({outPps * 1280 * 8 / 1e6:N0} Mbit/s of 1,280-byte IP packets), tunnel->LAN {inPps:N0} packets/s ({inPps * 1280 * 8 / 1e6:N0} Mbit/s){carried}");
                if (nativePath)
                    Assert.True(r.Router.FastPathCounters[FastPathCounter.PacketsOut] >= N && r.Router.FastPathCounters[FastPathCounter.PacketsIn] >= N);
            }
        }

        /// <summary>
        /// Roaming stays the managed tunnel's: garbage from another address flushes nothing; the peer's real
        /// datagram from a new address takes everything back (the managed tunnel roams), and the same datagram
        /// replayed from the old address is refused, not delivered twice.
        /// </summary>
        [Fact]
        public void APeerAtANewAddressIsRoamedByTheManagedTunnelAndNoReplayGetsThrough()
        {
            using var r = new Run(true);
            r.Step(0);
            r.ClientSends(41000, 443, 100, 1);
            r.Step(1);
            ushort ext = Endian.Read16(r.ToPeer.Last(), 20);
            r.OriginSends(443, ext, 100, 2);
            r.Step(1);
            Assert.Equal(1, r.Router.OffloadedFlows);

            // Garbage data messages from elsewhere, with an index that is not the fast path's.
            var junk = new byte[100];
            junk[0] = Message.TypeData;
            junk[4] = 0x55;
            r.Uplink.From.SetIpv4(0x0AFA0909, 51820);
            r.Uplink.Inbox.Enqueue(junk);
            r.Step(1);
            Assert.Equal(1, r.Router.OffloadedFlows);

            // The peer's next datagram from a new address.
            int before = r.ToClient.Count;
            long managedBefore = r.Router.Counters[Warp.Firmware.RouterCounter.PacketsFromTunnel];
            r.OriginSends(443, ext, 50, 3);
            var datagram = r.Uplink.Inbox.Peek().ToArray();
            r.Uplink.From.SetIpv4(0x0AFA0303, 40001);
            r.Step(1);
            Assert.Equal(before + 1, r.ToClient.Count); // delivered
            Assert.Equal(managedBefore + 1, r.Router.Counters[Warp.Firmware.RouterCounter.PacketsFromTunnel]); // by the managed path, which roamed
            Assert.Equal("10.250.3.3:40001", r.Router.Tunnel.GetPeer(0).Endpoint.ToString());

            // Replayed from the old address: refused.
            r.Uplink.From.SetIpv4(0x0AFA0202, 51820);
            r.Uplink.Inbox.Enqueue(datagram);
            r.Step(1);
            Assert.Equal(before + 1, r.ToClient.Count);
            // (The replay carried the offloaded keypair's index from an address that is not the peer's: the fast
            // path gave everything back first, so the managed window refused it.) The flow goes on from the new
            // address: the next packet is managed and offloads the flow again, the one after is carried.
            long carried = r.Router.FastPathCounters[FastPathCounter.PacketsIn];
            r.Uplink.From.SetIpv4(0x0AFA0303, 40001);
            r.OriginSends(443, ext, 50, 4);
            r.Step(1);
            r.OriginSends(443, ext, 50, 5);
            r.Step(1000);
            Assert.Equal(before + 3, r.ToClient.Count);
            Assert.Equal(carried + 1, r.Router.FastPathCounters[FastPathCounter.PacketsIn]);
        }
    }
}

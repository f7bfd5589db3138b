using System;
using System.Collections.Generic;
using System.Linq;
using Warp.Firmware;
using Warp.Protocol;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using Xunit;
using Xunit.Abstractions;
using Run = Warp.Native.Tests.OffloadRouterTests.Run;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The fast path never carries what the managed path would drop: the LAN source binding (a DHCP
    /// lease, an IPv6 source binding) travels with each offloaded flow and the managed core takes a
    /// flow back the moment its binding changes or ends. Each test runs the same script through the
    /// Router with and without the native fast path and compares what reached the peer and the LAN
    /// client and the drop counters, reason by reason; and the batch path (RouterBatch) with the fast path.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public class OffloadBindingTests
    {
        readonly ITestOutputHelper output;
        public OffloadBindingTests(ITestOutputHelper output) { this.output = output; }

        static readonly byte[] OtherMac = { 0x02, 0xC1, 0, 0, 0, 9 };
        static readonly byte[] StrangerMac = { 0x02, 0x66, 0x66, 0, 0, 1 };
        static readonly byte[] NeighbourMac = { 0x02, 0xC1, 0, 0, 0, 0x0A };

        /// <summary>The drop counters source validation and delivery use, and what reached either side: one line to compare runs.</summary>
        sealed class Tally
        {
            public long LeasedElsewhere, Unbound, NotForRouter, UnboundDestination, ToPeer, ToClient;
            public static Tally Of(Run r) => new Tally
            {
                LeasedElsewhere = r.Router.Lan.Counters[LanCounter.DropSourceLeasedElsewhere],
                Unbound = r.Router.Lan.Counters[LanCounter.DropSourceUnboundV4],
                NotForRouter = r.Router.Counters[RouterCounter.DropNotAddressedToRouter],
                UnboundDestination = r.Router.Counters[RouterCounter.DropUnboundDestination],
                ToPeer = r.ToPeer.Count,
                ToClient = r.ToClient.Count(IsUdp),
            };
            public Tally Minus(Tally b) => new Tally
            {
                LeasedElsewhere = LeasedElsewhere - b.LeasedElsewhere, Unbound = Unbound - b.Unbound, NotForRouter = NotForRouter - b.NotForRouter,
                UnboundDestination = UnboundDestination - b.UnboundDestination, ToPeer = ToPeer - b.ToPeer, ToClient = ToClient - b.ToClient,
            };
            public override string ToString() =>
                $"leased elsewhere {LeasedElsewhere}, unbound source {Unbound}, not for the router {NotForRouter}, unbound destination {UnboundDestination}, to the peer {ToPeer}, to the client {ToClient}";
        }

        static bool IsUdp(byte[] f) => f.Length > 42 && f[12] == 0x08 && f[13] == 0 && f[14 + 9] == 17 && Endian.Read16(f, 34) == 443;

        /// <summary>Opens the client's flow to the origin (out, answered, out again): offloaded with the fast path. The external port.</summary>
        static ushort OpenFlow(Run r, ushort sport)
        {
            r.Step(0);
            r.ClientSends(sport, 443, 100, 1);
            r.Step(1);
            ushort ext = Endian.Read16(r.ToPeer.Last(), 20);
            r.OriginSends(443, ext, 100, 2);
            r.Step(1);
            if (r.Fast != null)
                Assert.Equal(1, r.Router.OffloadedFlows);
            return ext;
        }

        /// <summary>The counters and outputs of both runs must agree; the native run's fast path counters are returned for more checks.</summary>
        static void Same(Tally managed, Tally native, string what)
        {
            Assert.True(managed.ToString() == native.ToString(), what + ":\n managed " + managed + "\n native  " + native);
        }

        [Fact]
        public void SpoofedFramesOfAnOffloadedFlowAreDroppedForTheSameReasonsWithAndWithoutTheFastPath()
        {
            var tallies = new List<Tally>();
            foreach (bool native in new[] { false, true })
            {
                using var r = new Run(native);
                OpenFlow(r, 42000);
                uint otherIp = r.Lease(OtherMac); // a second device, with its own lease
                r.Step(1000); // a sync: the counters so far
                long punted = native ? r.Router.FastPathCounters[FastPathCounter.PuntedFromLan] : 0;
                long carried = native ? r.Router.FastPathCounters[FastPathCounter.PacketsOut] : 0;
                var before = Tally.Of(r);
                // The offloaded flow's exact 5-tuple from: another leased device (IP spoofed), an unknown MAC
                // (MAC and IP spoofed), and the client itself but to another host's MAC (not the router's).
                r.Lan.Inbox.Enqueue(Run.Frame(OtherMac, OffloadRouterTests.RouterMacOf, r.ClientIp, 42000, 443, 100, 7));
                r.Lan.Inbox.Enqueue(Run.Frame(StrangerMac, OffloadRouterTests.RouterMacOf, r.ClientIp, 42000, 443, 100, 8));
                r.Lan.Inbox.Enqueue(Run.Frame(OffloadRouterTests.ClientMac, NeighbourMac, r.ClientIp, 42000, 443, 100, 9));
                // The other device spoofing the client's address with its own flow's ports, and its own address (legitimate, managed).
                r.Lan.Inbox.Enqueue(Run.Frame(OtherMac, OffloadRouterTests.RouterMacOf, otherIp, 42000, 443, 100, 10));
                r.Step(1000);
                var spoofed = Tally.Of(r).Minus(before);
                Assert.Equal(2, spoofed.LeasedElsewhere);
                Assert.Equal(1, spoofed.NotForRouter);
                Assert.Equal(1, spoofed.ToPeer); // only the other device's own packet
                Assert.Equal(otherIp, Endian.Read32(r.ToPeer.Last(), 12) == 0xAC100002 ? otherIp : 0u); // translated to the tunnel address
                // The client's real frame is still carried (by the fast path when there is one).
                var beforeReal = Tally.Of(r);
                r.ClientSends(42000, 443, 100, 11);
                r.Step(1000);
                Assert.Equal(1, Tally.Of(r).Minus(beforeReal).ToPeer);
                if (native)
                {
                    Assert.Equal(1, r.Router.OffloadedFlows);
                    Assert.Equal(punted + 4, r.Router.FastPathCounters[FastPathCounter.PuntedFromLan]); // all four went to the managed core
                    Assert.Equal(carried + 1, r.Router.FastPathCounters[FastPathCounter.PacketsOut]); // only the real one was carried
                }
                tallies.Add(spoofed);
                output.WriteLine((native ? "native:  " : "managed: ") + spoofed);
            }
            Same(tallies[0], tallies[1], "spoofed frames");
        }

        /// <summary>
        /// A DHCP RELEASE followed, in the same poll (one batch with batches), by a frame of the offloaded
        /// flow and the origin's answer: the flow is the managed core's before the frame is offered, so
        /// both are dropped as unbound (source; destination); a new lease and the next reply offload it again.
        /// </summary>
        [Theory]
        [InlineData(1)]
        [InlineData(16)]
        public void AReleasedLeaseTakesTheFlowBackBeforeTheNextFrame(int batch)
        {
            var tallies = new List<Tally>();
            foreach (bool native in new[] { false, true })
            {
                using var r = new Run(native, batch);
                ushort ext = OpenFlow(r, 43000);
                var before = Tally.Of(r);
                r.Release(OffloadRouterTests.ClientMac, r.ClientIp);
                r.ClientSends(43000, 443, 100, 3);
                r.OriginSends(443, ext, 100, 4);
                r.Step(1);
                if (native)
                    Assert.Equal(0, r.Router.OffloadedFlows);
                var released = Tally.Of(r).Minus(before);
                Assert.Equal(1, released.Unbound);
                Assert.Equal(1, released.UnboundDestination);
                Assert.Equal(0, released.ToPeer);
                Assert.Equal(0, released.ToClient);

                // Leased again (the same address comes back to the same MAC): managed first, then offloaded again.
                Assert.Equal(r.ClientIp, r.Lease(OffloadRouterTests.ClientMac));
                r.ClientSends(43000, 443, 100, 5);
                r.Step(1);
                r.OriginSends(443, ext, 100, 6);
                r.Step(1);
                long carried = native ? r.Router.FastPathCounters[FastPathCounter.PacketsIn] : 0;
                r.OriginSends(443, ext, 100, 7);
                r.Step(1000);
                if (native)
                {
                    Assert.Equal(1, r.Router.OffloadedFlows);
                    Assert.Equal(carried + 1, r.Router.FastPathCounters[FastPathCounter.PacketsIn]);
                }
                var all = Tally.Of(r).Minus(before);
                tallies.Add(all);
                output.WriteLine($"batch {batch} " + (native ? "native:  " : "managed: ") + all);
            }
            Same(tallies[0], tallies[1], "release");
        }

        /// <summary>
        /// A 120 s lease (the shortest the config takes), renewed at 60 s, then left to run out while the
        /// client keeps sending every 5 s and the origin answers: the renewal moves the fast path's copy
        /// (the flow comes back and goes down again with the new end), frames past the first end are
        /// carried, and from the renewed end on both paths drop the client's frames and the origin's
        /// answers as unbound, the same count each.
        /// </summary>
        [Fact]
        public void ALeaseThatRunsOutTakesTheFlowBackAtItsEnd()
        {
            var tallies = new List<Tally>();
            foreach (bool native in new[] { false, true })
            {
                using var r = new Run(native, 1, "DhcpLeaseTime = 120\n");
                ushort ext = OpenFlow(r, 44000);
                long firstEnd = r.LeasedAt + 120_000, renewedEnd = 0;
                var before = Tally.Of(r);
                bool renewed = false;
                var synced = new List<(long now, long carried)>(); // the fast path's PacketsOut after each 5 s step (a sync ran)
                for (int i = 0; i < 50; i++)
                {
                    r.Step(5000 - 2); // with the two Step(1) below: every 5 s
                    if (native)
                        synced.Add((r.Now, r.Router.FastPathCounters[FastPathCounter.PacketsOut]));
                    if (!renewed && r.Now - r.LeasedAt >= 60_000)
                    {
                        r.Renew(OffloadRouterTests.ClientMac, r.ClientIp);
                        r.Step(0);
                        renewedEnd = r.Now + 120_000;
                        renewed = true;
                        if (native)
                            Assert.Equal(0, r.Router.OffloadedFlows); // the longer binding: taken back, to go down again with it
                    }
                    r.ClientSends(44000, 443, 100, (byte)i);
                    r.Step(1);
                    r.OriginSends(443, ext, 100, (byte)(i + 100));
                    r.Step(1);
                    if (native && renewed && r.Now >= renewedEnd)
                        Assert.Equal(0, r.Router.OffloadedFlows);
                }
                long carriedPastFirstEnd = 0;
                if (native)
                {
                    // Packets sent after the first end and before the renewed one, as the syncs counted them.
                    var a = synced.First(x => x.now > firstEnd);
                    var b = synced.Last(x => x.now < renewedEnd);
                    carriedPastFirstEnd = b.carried - a.carried;
                }
                Assert.True(r.Now > renewedEnd + 20_000);
                var all = Tally.Of(r).Minus(before);
                int afterEnd = (int)((r.Now - renewedEnd) / 5000);
                Assert.InRange(all.Unbound, afterEnd - 1, afterEnd + 1);
                Assert.Equal(all.Unbound, all.UnboundDestination);
                if (native)
                    Assert.True(carriedPastFirstEnd > 5, "the fast path carried " + carriedPastFirstEnd + " packets between the first and the renewed end");
                tallies.Add(all);
                output.WriteLine((native ? "native:  " : "managed: ") + all + (native ? $"; carried between the ends {carriedPastFirstEnd}" : ""));
            }
            Same(tallies[0], tallies[1], "lease end");
        }

        /// <summary>
        /// Batches (RouterSizes.Batch 16 over ports that take them) with the fast path: bursts of frames
        /// from the client on six flows and bursts of the origin's answers, across rekeys, against the
        /// router without batches and without a fast path: the same packets reach the peer and the client
        /// in the same order, batches really formed, the fast path carried most, and no nonce repeats.
        /// </summary>
        [Fact]
        public void BatchesWithTheFastPathGiveTheManagedPathsOutput()
        {
            var runs = new[] { new Run(false, 1), new Run(false, 16), new Run(true, 16) };
            try
            {
                foreach (var r in runs)
                {
                    var ext = new SortedSet<ushort>();
                    r.Step(0);
                    for (int t = 0; t < 300; t++)
                    {
                        int seen = r.ToPeer.Count;
                        for (ushort s = 45000; s < 45006; s++)
                            for (int k = 0; k < 3 + (t + s) % 5; k++)
                                r.ClientSends(s, 443, 40 + (t * 31 + s + k * 97) % 1200, (byte)(t + k));
                        r.Step(1);
                        // The origin answers each flow with a burst, to the external ports the peer saw.
                        foreach (var p in r.ToPeer.Skip(seen).Where(p => p[9] == 17 && Endian.Read16(p, 22) == 443))
                            ext.Add(Endian.Read16(p, 20));
                        foreach (ushort e in ext)
                            for (int k = 0; k < 2 + t % 4; k++)
                                r.OriginSends(443, e, 30 + (t * 17 + e + k * 53) % 1100, (byte)(t + k + 1));
                        r.Step(t % 10 == 9 ? 5000 : 995);
                    }
                    r.Step(1000);
                }
                var reference = runs[0];
                Assert.True(reference.ToPeer.Count > 5000, "the script carried " + reference.ToPeer.Count + " packets to the peer");
                foreach (var r in runs.Skip(1))
                {
                    Assert.Equal(reference.ToPeer.Count, r.ToPeer.Count);
                    for (int i = 0; i < reference.ToPeer.Count; i++)
                        Assert.True(reference.ToPeer[i].AsSpan().SequenceEqual(r.ToPeer[i]), "packet " + i + " to the peer differs");
                    var mc = reference.ToClient.Where(IsUdp).ToList();
                    var nc = r.ToClient.Where(IsUdp).ToList();
                    Assert.True(mc.Count > 3000);
                    Assert.Equal(mc.Count, nc.Count);
                    for (int i = 0; i < mc.Count; i++)
                        Assert.True(mc[i].AsSpan().SequenceEqual(nc[i]), "frame " + i + " to the client differs");
                    Assert.True(r.BatchLan.Receives.Any(n => n > 1) && r.BatchUplink.Receives.Any(n => n > 1), "batches formed");
                }
                var native = runs[2];
                var fp = native.Router.FastPathCounters;
                output.WriteLine($"{reference.ToPeer.Count} packets to the peer, {reference.ToClient.Count(IsUdp)} to the client; with batches of 16 the fast path carried " +
                    $"{fp[FastPathCounter.PacketsOut]} out, {fp[FastPathCounter.PacketsIn]} in; largest LAN batch {native.BatchLan.Receives.Max()}, uplink {native.BatchUplink.Receives.Max()}; " +
                    $"handshakes {native.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]}; counters reserved by the managed tunnel {native.Fast.Reserved}");
                Assert.True(fp[FastPathCounter.PacketsOut] > native.ToPeer.Count / 2);
                Assert.True(fp[FastPathCounter.PacketsIn] > native.ToClient.Count(IsUdp) / 2);
                Assert.True(native.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted] >= 2, "rekeys happened");
                Assert.Equal(0, native.Router.Tunnel.Counters[TunnelCounter.DropSendCounterNotReserved]);
                foreach (var r in runs)
                {
                    Assert.Equal(r.Nonces.Count, r.Nonces.Distinct().Count());
                    Assert.Equal(0, r.Peer.Counters[TunnelCounter.DropDataReplayed]);
                }
            }
            finally
            {
                foreach (var r in runs)
                    r.Dispose();
            }
        }


        // ------------------------------------------------------------ IPv6 through the Router

        static readonly byte[] ClientV6 = { 0xfd, 0x42, 0x42, 0x42, 0x42, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77 };
        static readonly byte[] OriginV6 = { 0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11 };
        static readonly byte[] TunnelV6 = { 0xfd, 0x01, 0x5c, 0xa1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

        static byte[] V6Frame(byte[] mac, byte fill) =>
            Packets.Frame(OffloadRouterTests.RouterMacOf, mac,
                Packets.V6(ClientV6, OriginV6, Packets.Udp, Packets.Transport(Packets.Udp, true, 46000, 443, 0, true, Enumerable.Repeat(fill, 120).ToArray())));

        static void OriginSendsV6(Run r, ushort ext, byte fill)
        {
            var p = Packets.V6(OriginV6, TunnelV6, Packets.Udp, Packets.Transport(Packets.Udp, true, 443, ext, 0, false, Enumerable.Repeat(fill, 60).ToArray()));
            var buf = new byte[p.Length + 64];
            var t = r.Peer.Encapsulate(0, p, 0, p.Length, buf, 0, r.Now);
            Assert.Equal(TunnelAction.WriteToNetwork, t.Action);
            r.Uplink.Inbox.Enqueue(MemoryLan.Copy(buf, 0, t.Length));
        }

        /// <summary>
        /// An IPv6 flow offloaded for 31 minutes of traffic every 5 s, longer than the 30-minute life of an
        /// IPv6 source binding without traffic (RFC 6620): after the first, every packet the device sends
        /// goes through the fast path (the origin speaks first in each round, so after each rekey the flow
        /// is down again before the device's packet), so only the syncs' renewals keep its binding alive in
        /// the LAN services. Another device then sending from the same address is refused
        /// (`source_bound_elsewhere`) in both runs, and the client's flow goes on. Without the renewal the
        /// binding would lapse in the managed core at 30 minutes while the device was still sending, and the
        /// other device would take the address (first come, first served): the hijack this guards against.
        /// </summary>
        [Fact]
        public void TrafficTheFastPathCarriesKeepsTheDevicesIpv6BindingAlive()
        {
            var tallies = new List<string>();
            foreach (bool native in new[] { false, true })
            {
                using var r = new Run(native, 1, "", ipv6: true);
                r.Step(0);
                r.Lan.Inbox.Enqueue(V6Frame(OffloadRouterTests.ClientMac, 1)); // binds the address (first come)
                r.Step(1);
                var first = r.ToPeer.Last();
                Assert.Equal(6, first[0] >> 4);
                ushort ext = Endian.Read16(first, 40);
                long carriedBefore = 0;
                const int Rounds = 372; // 31 minutes
                for (int i = 0; i < Rounds; i++)
                {
                    OriginSendsV6(r, ext, (byte)(i + 1));
                    r.Step(1);
                    if (i == 0 && native)
                        carriedBefore = r.Router.FastPathCounters[FastPathCounter.PacketsOut];
                    r.Lan.Inbox.Enqueue(V6Frame(OffloadRouterTests.ClientMac, (byte)i));
                    r.Step(1);
                    r.Step(5_000 - 2);
                }
                Assert.True(r.Now - r.LeasedAt > Warp.Protocol.Lan.Ipv6SourceBindings.Lifetime + 20_000);
                if (native)
                {
                    Assert.Equal(1, r.Router.OffloadedFlows);
                    Assert.Equal(Rounds, r.Router.FastPathCounters[FastPathCounter.PacketsOut] - carriedBefore); // every one of the device's packets
                }
                long boundElsewhere = r.Router.Lan.Counters[LanCounter.DropSourceBoundElsewhere];
                int toPeer = r.ToPeer.Count;
                r.Lan.Inbox.Enqueue(V6Frame(OtherMac, 0xEE)); // another device, the client's address
                r.Step(1);
                Assert.Equal(boundElsewhere + 1, r.Router.Lan.Counters[LanCounter.DropSourceBoundElsewhere]);
                Assert.Equal(toPeer, r.ToPeer.Count);
                OriginSendsV6(r, ext, 0xF0);
                r.Step(1);
                r.Lan.Inbox.Enqueue(V6Frame(OffloadRouterTests.ClientMac, 0xEF)); // the client goes on
                r.Step(1000);
                Assert.Equal(toPeer + 1, r.ToPeer.Count);
                string t = $"to the peer {r.ToPeer.Count}, to the client {r.ToClient.Count(f => f.Length > 54 && f[12] == 0x86 && f[13] == 0xDD && f[14 + 6] == 17)}, " +
                    $"bound elsewhere {r.Router.Lan.Counters[LanCounter.DropSourceBoundElsewhere]}, unbound destination {r.Router.Counters[RouterCounter.DropUnboundDestination]}";
                output.WriteLine((native ? "native:  " : "managed: ") + t + (native ? $"; carried out {r.Router.FastPathCounters[FastPathCounter.PacketsOut]}, handshakes {r.Router.Tunnel.Counters[TunnelCounter.HandshakesCompleted]}" : ""));
                tallies.Add(t);
            }
            Assert.Equal(tallies[0], tallies[1]);
        }

        // ------------------------------------------------------------ the fast path alone (Harness: the C core beside the managed one)

        static byte[] Host(bool v6) => v6 ? new byte[] { 0xfd, 0x42, 0x42, 0x42, 0x42, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 } : new byte[] { 192, 168, 4, 10 };
        static byte[] Remote(bool v6) => v6 ? new byte[] { 0x26, 0x06, 0x47, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x11 } : new byte[] { 93, 184, 216, 34 };
        static readonly byte[] HostMac = { 2, 0xAA, 0, 0, 0, 1 };

        static byte[] Out(bool v6, int fill) =>
            Packets.Frame(Harness.RouterMac, HostMac, v6 ? Packets.V6(Host(true), Remote(true), Packets.Udp, Packets.Transport(Packets.Udp, true, 5000, 443, 0, true, new byte[] { (byte)fill, 1, 2 }))
                : Packets.V4(Host(false), Remote(false), Packets.Udp, Packets.Transport(Packets.Udp, false, 5000, 443, 0, true, new byte[] { (byte)fill, 1, 2 })));

        static byte[] Back(Harness h, bool v6, int fill)
        {
            int session = Warp.Protocol.Nat.NatOffload.FindSession(h.Nat, v6, Packets.Udp, Host(v6), 0, 5000, Remote(v6), 0, 443, h.Now);
            Assert.True(session >= 0);
            int ext = h.Nat.Table.ExternalPort(session);
            var l4 = Packets.Transport(Packets.Udp, v6, 443, ext, 0, false, new byte[] { (byte)fill, 3 });
            return h.Seal(v6 ? Packets.V6(Remote(true), Harness.ExtV6, Packets.Udp, l4) : Packets.V4(Remote(false), Harness.ExtV4, Packets.Udp, l4));
        }

        /// <summary>
        /// The native core enforces the binding's end by itself (no managed check in between): a flow
        /// offloaded with 10 s of binding is carried both ways at 9.999 s, and at 10 s neither way: the
        /// frame is handed up (the managed side refuses the source) and the datagram comes up decrypted,
        /// untranslated, for the managed NAT (which has no one to deliver it to).
        /// </summary>
        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void TheFastPathItselfStopsAtTheBindingsEndInBothDirections(bool v6)
        {
            using var h = new Harness(31);
            h.Bind(Host(v6), HostMac, until: h.Now + 10_000);
            Assert.NotNull(h.FromLan(Out(v6, 1)));
            Assert.True(h.IsOffloaded(v6, Packets.Udp, Host(v6), 5000, Remote(v6), 443));
            h.Now += 9_999;
            Assert.NotNull(h.FromLan(Out(v6, 2), mustCarry: true));
            Assert.Equal(Native.ToLan, h.FromUplink(Back(h, v6, 3), mustCarry: true));
            h.Now += 1;
            Assert.Null(h.FromLan(Out(v6, 4))); // the harness fails if the fast path carried it
            Assert.Equal(Native.Decrypted, h.FromUplink(Back(h, v6, 5)));
            Assert.Equal(2, h.Carried + h.CarriedIn);
        }

        /// <summary>
        /// An IPv6 source binding lives while its device speaks (RFC 6620; LanServices renews it with each
        /// packet): the fast path renews its copy with each packet it carries, so a flow that keeps
        /// sending every 4 s is carried long past the first end; after a silence as long as the renewal
        /// neither path takes the device's packets. (Renewal 10 s here; the router's is 30 minutes.)
        /// </summary>
        [Fact]
        public void TrafficRenewsTheFastPathsCopyOfAnIpv6Binding()
        {
            using var h = new Harness(32);
            h.Bind(Host(true), HostMac, until: h.Now + 10_000, renew: 10_000);
            Assert.NotNull(h.FromLan(Out(true, 1)));
            for (int i = 0; i < 10; i++)
            {
                h.Now += 4_000;
                Assert.NotNull(h.FromLan(Out(true, 10 + i), mustCarry: true));
                Assert.Equal(Native.ToLan, h.FromUplink(Back(h, true, 30 + i), mustCarry: true));
            }
            h.Now += 10_000;
            Assert.Equal(Native.Decrypted, h.FromUplink(Back(h, true, 60)));
            Assert.Null(h.FromLan(Out(true, 61)));
        }
    }
}

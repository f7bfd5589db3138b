using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>
    /// Model-based property tests (CsCheck): random sequences of outbound flows, inbound replies
    /// and clock steps (with Tick every interval) against a small model of sessions and timers.
    /// After every operation:
    /// <list type="bullet">
    ///   <item>the live mappings are a bijection (LAN endpoint ↔ external port) and no two share a port;</item>
    ///   <item>an outbound packet for a live mapping keeps its external port (EIM), and the reply to a
    ///     translated packet, translated inbound, is exactly the reply to the original;</item>
    ///   <item>a reply passes exactly when the model says the mapping is live and has sent to that
    ///     address: nothing expires before its timeout, nothing outlives it;</item>
    ///   <item>Tick reclaims every dead slot within one tick interval (TickSlots = Capacity here);</item>
    ///   <item>the table never exceeds its capacity nor a host its share, and a model-live session is
    ///     never evicted, whatever another host does.</item>
    /// </list>
    /// </summary>
    public class NatPropertyTests
    {
        struct Op
        {
            public int Kind, Host, Port, Remote, RemotePort, Family, Icmp, Step;
            public override string ToString() { return $"k{Kind} h{Host} p{Port} r{Remote} rp{RemotePort} f{Family} i{Icmp} s{Step}"; }
        }

        static readonly int[] Ports = { 1000, 1001, 40000, 40001, 53000, 5353 };
        static readonly int[] RemotePorts = { 53, 443, 3478 };
        static readonly long[] Steps = { 0, 1000, 7000, 29_000, 60_000, 130_000, 301_000 };
        static readonly uint[] HostsV4 = { V4("192.168.4.20"), V4("192.168.4.21"), V4("192.168.4.22"), V4("192.168.4.23") };
        static readonly byte[][] HostsV6 = { V6("fd00:4::20"), V6("fd00:4::21"), V6("2001:db8:4::22"), V6("fd00:4::23") };
        static readonly uint[] RemotesV4 = { Remote1, Remote2, ResolverV4 };
        static readonly byte[][] RemotesV6 = { Remote1v6, Remote2v6, ResolverV6 };

        static readonly Gen<Op> GenOp = Gen.Select(Gen.Int[0, 9], Gen.Int[0, 5], Gen.Int[0, Ports.Length - 1], Gen.Int[0, 2],
            Gen.Int[0, 2], Gen.Int[0, 1], Gen.Int[0, 3], Gen.Int[0, Steps.Length - 1],
            (k, h, p, r, rp, f, i, s) => new Op { Kind = k, Host = h < 3 ? 0 : h - 2, Port = p, Remote = r, RemotePort = rp, Family = f, Icmp = i == 0 ? 1 : 0, Step = s });

        sealed class Model
        {
            public readonly Dictionary<(int, int, int, int, int, int), long> Sessions = new Dictionary<(int, int, int, int, int, int), long>();
            public readonly Dictionary<(int, int, int, int), int> External = new Dictionary<(int, int, int, int), int>();
            public long Now;

            public static long Timeout(int proto, int remotePort) { return proto == 3 ? 60_000 : remotePort == 53 ? 30_000 : 300_000; }
            public bool Alive((int, int, int, int, int, int) k) { return Sessions.TryGetValue(k, out var t) && Now < t + Timeout(k.Item2, k.Item6); }
            public IEnumerable<(int, int, int, int, int, int)> AliveIn((int, int, int, int) m)
            {
                return Sessions.Keys.Where(k => k.Item1 == m.Item1 && k.Item2 == m.Item2 && k.Item3 == m.Item3 && k.Item4 == m.Item4 && Alive(k));
            }
            public bool MappingAlive((int, int, int, int) m) { return AliveIn(m).Any(); }
            public int AliveCount { get { return Sessions.Keys.Count(Alive); } }
        }

        [Fact]
        public void MappingInvariantsHoldOverRandomFlowsAndClockSteps()
        {
            GenOp.Array[20, 70].Sample(ops => Run(ops), iter: 250, threads: 1);
        }

        static void Run(Op[] ops)
        {
            var config = NatConfigFor(capacity: 24);
            config.TickSlots = 24;
            config.TickInterval = 1000;
            var nat = Translator(config, seed: (ulong)ops.Length * 7919 + (ulong)ops[0].Kind);
            var model = new Model();
            var reply = new byte[1500];
            foreach (var op in ops)
            {
                if (op.Kind <= 5) Outbound(nat, model, op, reply);
                else if (op.Kind <= 7) Inbound(nat, model, op);
                else Step(nat, model, Steps[op.Step]);
                CheckTable(nat, model);
            }
        }

        static byte[] Packet(int family, int proto, int host, int lanPort, int remote, int remotePort)
        {
            if (family == 4)
                return proto == 3 ? Ipv4(HostsV4[host], RemotesV4[remote], 1, Echo(8, lanPort)) : UdpV4(HostsV4[host], lanPort, RemotesV4[remote], remotePort);
            return proto == 3 ? Ipv6(HostsV6[host], RemotesV6[remote], 58, Echo(128, lanPort)) : UdpV6(HostsV6[host], lanPort, RemotesV6[remote], remotePort);
        }

        static int ExternalOf(byte[] p)
        {
            if (p[0] >> 4 == 4) return p[9] == 1 ? IcmpIdV4(p) : SrcPortV4(p);
            return p[6] == 58 ? Endian.Read16(p, 44) : SrcPortV6(p);
        }

        static void Outbound(NatTranslator nat, Model model, Op op, byte[] reply)
        {
            int family = op.Family == 0 ? 4 : 6, proto = op.Icmp == 1 ? 3 : 2;
            int lanPort = Ports[op.Port];
            int remotePort = proto == 3 ? 0 : RemotePorts[op.RemotePort];
            var key = (family, proto, op.Host, lanPort, op.Remote, remotePort);
            var mapping = (family, proto, op.Host, lanPort);
            bool mappingAlive = model.MappingAlive(mapping);
            var original = Packet(family, proto, op.Host, lanPort, op.Remote, remotePort);
            var p = (byte[])original.Clone();
            var r = nat.Out(p, model.Now, reply);
            if (r.Action != NatAction.WriteToTunnel)
            {
                Assert.False(model.Alive(key), "a live session's packet was refused: " + r.Reason);
                Assert.Contains(r.Reason, new[] { NatCounter.DropTableFull, NatCounter.DropHostQuotaExceeded, NatCounter.DropHostTableFull });
                Assert.Equal(original, p);
                return;
            }
            int ext = ExternalOf(p);
            if (mappingAlive)
                Assert.Equal(model.External[mapping], ext); // REQ-1: same external port while the mapping lives
            AssertChecksums(p);
            // Inbound translation inverts outbound: the reply to what left is the reply to what was sent.
            model.Sessions[key] = model.Now;
            model.External[mapping] = ext;
            var back = Reply(p);
            var rr = nat.In(back, model.Now);
            Assert.Equal(NatAction.WriteToLan, rr.Action);
            Assert.Equal(Convert.ToHexString(Reply(original)), Convert.ToHexString(back));
        }

        static void Inbound(NatTranslator nat, Model model, Op op)
        {
            if (model.Sessions.Count == 0) return;
            var keys = model.Sessions.Keys.ToList();
            var k = keys[(op.Host * 31 + op.Port * 7 + op.Remote * 3 + op.RemotePort) % keys.Count];
            int family = k.Item1, proto = k.Item2;
            int ext = model.External[(k.Item1, k.Item2, k.Item3, k.Item4)];
            // The remote answers from a possibly different address of ours (op.Remote) to the external port.
            int remote = op.Kind == 6 ? k.Item5 : op.Remote;
            int remotePort = k.Item6;
            byte[] p;
            if (family == 4)
                p = proto == 3 ? Ipv4(RemotesV4[remote], ExtV4, 1, Echo(0, ext)) : UdpV4(RemotesV4[remote], remotePort, ExtV4, ext);
            else
                p = proto == 3 ? Ipv6(RemotesV6[remote], ExtV6, 58, Echo(129, ext)) : UdpV6(RemotesV6[remote], remotePort, ExtV6, ext);
            var owner = model.External.Where(e => e.Key.Item1 == family && e.Key.Item2 == proto && e.Value == ext && model.MappingAlive(e.Key))
                .Select(e => e.Key).ToList();
            Assert.True(owner.Count <= 1);
            var r = nat.In(p, model.Now);
            if (owner.Count == 0)
            {
                Assert.Equal(NatCounter.DropNoMapping, r.Reason);
                return;
            }
            bool pass = model.AliveIn(owner[0]).Any(s => s.Item5 == remote);
            if (!pass)
            {
                Assert.Equal(NatCounter.DropFiltered, r.Reason);
                return;
            }
            Assert.Equal(NatAction.WriteToLan, r.Action);
            AssertChecksums(p);
            int lanPort = owner[0].Item4;
            if (family == 4)
            {
                Assert.Equal(HostsV4[owner[0].Item3], DstV4(p));
                Assert.Equal(lanPort, proto == 3 ? IcmpIdV4(p) : DstPortV4(p));
            }
            else
            {
                Assert.True(DstV6Is(p, HostsV6[owner[0].Item3]));
                Assert.Equal(lanPort, proto == 3 ? Endian.Read16(p, 44) : DstPortV6(p));
            }
        }

        static void Step(NatTranslator nat, Model model, long step)
        {
            long end = model.Now + step;
            long tick = (model.Now / 1000 + 1) * 1000;
            for (; tick <= end; tick += 1000)
                nat.Tick(tick);
            model.Now = end;
            // Reclaimed no later than one tick interval after the deadline.
            for (int i = 0; i < nat.Table.Capacity; i++)
                if (nat.Table.IsUsed(i))
                    Assert.True(nat.Table.Remaining(i, model.Now) > -1000, "slot " + i + " dead for " + (-nat.Table.Remaining(i, model.Now)) + " ms");
        }

        static void CheckTable(NatTranslator nat, Model model)
        {
            var table = nat.Table;
            Assert.True(table.Count <= table.Capacity);
            var byLan = new Dictionary<(bool, byte, int, int), int>();
            var byExt = new Dictionary<(bool, byte, int), (int, int)>();
            var perHost = new Dictionary<int, int>();
            int alive = 0, used = 0;
            for (int i = 0; i < table.Capacity; i++)
            {
                NatEntryInfo e;
                if (!table.TryGetEntry(i, model.Now, out e)) continue;
                used++;
                perHost[e.Host] = perHost.TryGetValue(e.Host, out var c) ? c + 1 : 1;
                if (e.Remaining <= 0) continue;
                alive++;
                var lan = (e.IsV6, e.Protocol, e.Host, (int)e.LanPort);
                if (byLan.TryGetValue(lan, out var ext)) Assert.Equal(ext, e.ExternalPort);
                else byLan[lan] = e.ExternalPort;
                var extKey = (e.IsV6, e.Protocol, (int)e.ExternalPort);
                if (byExt.TryGetValue(extKey, out var owner)) Assert.Equal(owner, (e.Host, (int)e.LanPort));
                else byExt[extKey] = (e.Host, e.LanPort);
            }
            Assert.Equal(used, table.Count);
            foreach (var h in perHost)
            {
                Assert.True(h.Value <= table.MaxSessionsPerHost);
                Assert.Equal(h.Value, table.Hosts.SessionCount(h.Key));
            }
            Assert.Equal(model.AliveCount, alive); // nothing live was lost or evicted, nothing dead lives on
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.Tests.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>
    /// Bad input never throws and is always counted: 100,000 random, truncated and mutated
    /// buffers (valid packets, real captures, ICMP errors quoting garbage, random bytes) with
    /// hostile offsets and lengths, through both directions of translators that hold live
    /// mappings. Bytes outside (offset, length) are never written.
    /// </summary>
    public class NatFuzzTests
    {
        const int Cases = 100_000;

        [Fact]
        public void RandomInputIsDroppedAndCountedNeverThrown()
        {
            int seed = Environment.TickCount;
            var rng = new Random(seed);
            var eif = NatConfigFor(capacity: 512);
            eif.Filtering = NatFiltering.EndpointIndependent;
            var translators = new[] { Translator(NatConfigFor(capacity: 512), 3), Translator(eif, 4) };
            var samples = new List<byte[]>();
            foreach (var nat in translators)
                samples.AddRange(Warm(nat));
            foreach (var frame in PcapReader.AllFixtures().SelectMany(PcapReader.Read))
                if (frame.Length > 14) samples.Add(frame.Skip(14).ToArray());
            var reply = new byte[1400];
            long now = 1000;
            int translated = 0;
            for (int n = 0; n < Cases; n++)
            {
                byte[] buffer; int offset, length;
                MakeInput(rng, samples, out buffer, out offset, out length);
                var nat = translators[n & 1];
                bool outbound = (n & 2) == 0;
                now += rng.Next(0, 50);
                var before = buffer == null ? null : (byte[])buffer.Clone();
                long dropped = nat.Counters.TotalDrops;
                NatResult r;
                try
                {
                    r = outbound ? nat.TranslateOutbound(buffer, offset, length, now, rng.Next(8) == 0 ? null : reply, 0)
                                 : nat.TranslateInbound(buffer, offset, length, now);
                    if (n % 5000 == 0) nat.Tick(now);
                }
                catch (Exception e)
                {
                    Assert.Fail($"seed {seed} case {n} {(outbound ? "out" : "in")} offset {offset} length {length} buffer {(before == null ? "null" : Convert.ToHexString(before))}: {e}");
                    return;
                }
                long delta = nat.Counters.TotalDrops - dropped;
                if (r.Action == NatAction.Dropped || r.Action == NatAction.Reply)
                {
                    Assert.True(delta == 1, $"seed {seed} case {n}: a drop counted {delta} times ({r.Reason})");
                    Assert.NotEqual(NatCounter.None, r.Reason);
                }
                else
                {
                    // A hairpinned packet may be filtered on the way back in (counted); otherwise nothing.
                    Assert.Equal(0, delta);
                    translated++;
                }
                if (r.Action == NatAction.Reply)
                    Assert.InRange(r.ReplyLength, 28, reply.Length);
                if (buffer != null)
                {
                    for (int i = 0; i < buffer.Length; i++)
                        if (i < offset || i >= offset + Math.Max(length, 0))
                            Assert.True(before[i] == buffer[i], $"seed {seed} case {n}: byte {i} outside the packet changed");
                }
            }
            Assert.True(translated > 1000, "only " + translated + " inputs were translated: the fuzz does not reach the translation paths");
            foreach (var nat in translators)
            {
                int used = 0;
                for (int i = 0; i < nat.Table.Capacity; i++) if (nat.Table.IsUsed(i)) used++;
                Assert.Equal(used, nat.Table.Count);
            }
        }

        /// <summary>Sets up mappings and returns packets that hit them both ways, ICMP errors included.</summary>
        static IEnumerable<byte[]> Warm(NatTranslator nat)
        {
            var list = new List<byte[]>();
            for (int i = 0; i < 20; i++)
            {
                var pkts = new[]
                {
                    UdpV4(HostA, 40000 + i, Remote1, 3478),
                    TcpV4(HostB, 41000 + i, Remote2, 443, TcpSegment.FlagSyn, 1460),
                    Ipv4(HostA, Remote1, 1, Echo(8, 100 + i)),
                    UdpV6(HostA6, 40000 + i, Remote1v6, 3478),
                    TcpV6(HostB6, 41000 + i, Remote2v6, 443, TcpSegment.FlagSyn, 1440),
                    Ipv6(HostA6, Remote1v6, 58, Echo(128, 100 + i)),
                    UdpV4(HostA, 42000 + i, RouterV4, 53),
                    UdpV6(HostA6, 42000 + i, RouterV6, 53),
                };
                foreach (var p in pkts)
                {
                    list.Add((byte[])p.Clone());
                    Assert.Equal(NatAction.WriteToTunnel, nat.Out(p, 0).Action);
                    list.Add(Reply(p));
                    if (p[0] >> 4 == 4)
                        list.Add(IcmpErrorV4(Remote2, ExtV4, 3, (byte)(i % 16), p, 8 + i * 4));
                    else
                        list.Add(IcmpErrorV6(Remote2v6, ExtV6, (byte)(1 + i % 4), 0, p, 48 + i * 8));
                }
            }
            return list;
        }

        static void MakeInput(Random rng, List<byte[]> samples, out byte[] buffer, out int offset, out int length)
        {
            int kind = rng.Next(10);
            byte[] core;
            if (kind == 0)
            {
                core = new byte[rng.Next(0, 120)];
                rng.NextBytes(core);
                if (core.Length > 0) core[0] = (byte)((rng.Next(2) == 0 ? 0x40 : 0x60) | (core[0] & 15));
            }
            else
            {
                core = (byte[])samples[rng.Next(samples.Count)].Clone();
                int mutations = kind <= 3 ? 0 : rng.Next(1, 6);
                for (int m = 0; m < mutations && core.Length > 0; m++)
                {
                    int at = rng.Next(core.Length);
                    switch (rng.Next(4))
                    {
                        case 0: core[at] ^= (byte)(1 << rng.Next(8)); break;
                        case 1: core[at] = (byte)rng.Next(256); break;
                        case 2: // inside a quoted packet or a header length field
                            int[] hot = { 0, 2, 3, 6, 9, 20, 22, 26, 28, 32, 40, 44, 48, 52 };
                            int h = hot[rng.Next(hot.Length)];
                            if (h < core.Length) core[h] = (byte)rng.Next(256);
                            break;
                        default:
                            Array.Resize(ref core, rng.Next(core.Length + 1));
                            break;
                    }
                }
            }
            int pad = rng.Next(0, 8);
            offset = rng.Next(0, 5);
            buffer = new byte[offset + core.Length + pad];
            rng.NextBytes(buffer);
            Array.Copy(core, 0, buffer, offset, core.Length);
            length = core.Length;
            switch (rng.Next(20))
            {
                case 0: length = -rng.Next(1, 100); break;
                case 1: length = buffer.Length - offset + rng.Next(1, 10); break;
                case 2: offset = -1; break;
                case 3: offset = buffer.Length + 1; length = 0; break;
                case 4: buffer = null; break;
                case 5: length = int.MaxValue; break;
                case 6: length = rng.Next(0, Math.Max(1, core.Length)); break;
            }
        }
    }
}

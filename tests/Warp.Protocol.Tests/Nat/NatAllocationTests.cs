using System;
using System.Collections.Generic;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>The packet path allocates nothing: new flows, replies, ICMP errors, refusals and Tick.</summary>
    public class NatAllocationTests
    {
        [Fact]
        public void TranslationAllocatesNothingPerPacketIncludingNewFlows()
        {
            var warm = Build(out var warmPackets);
            Run(warm, warmPackets, 0); // JIT, type initialisers
            var nat = Build(out var packets);
            long sink = Run(nat, packets, 0); // measures its two packet loops, not the test's own set-up
            Assert.True(sink > 0);
            Assert.True(nat.Counters[NatCounter.SessionsCreated] >= 400, "new flows: " + nat.Counters[NatCounter.SessionsCreated]);
            Assert.True(nat.Counters[NatCounter.RepliesGenerated] > 0);
            Assert.True(nat.Counters[NatCounter.IcmpErrorsTranslated] > 0);
        }

        static NatTranslator Build(out List<byte[]> packets)
        {
            var config = NatConfigFor(capacity: 512);
            config.HostSharePercent = 100;
            var nat = Translator(config);
            packets = new List<byte[]>();
            for (int i = 0; i < 100; i++)
            {
                packets.Add(UdpV4(HostA, 2000 + i, Remote1, 443));
                packets.Add(TcpV4(HostA, 3000 + i, Remote2, 443, TcpSegment.FlagSyn, 1460));
                packets.Add(Ipv4(HostB, Remote1, 1, Echo(8, 4000 + i)));
                packets.Add(UdpV6(HostA6, 2000 + i, Remote1v6, 443));
                packets.Add(TcpV6(HostB6, 3000 + i, Remote2v6, 443, TcpSegment.FlagSyn, 1440));
                packets.Add(UdpV4(HostB, 5000 + i, RouterV4, 53));
            }
            // 600 flows into 512 slots: the last ones are refused with an ICMP reply.
            return nat;
        }

        static long Run(NatTranslator nat, List<byte[]> packets, long now)
        {
            var reply = new byte[1400];
            long sink = 0;
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < packets.Count; i++)
            {
                var p = packets[i];
                var r = nat.TranslateOutbound(p, 0, p.Length, now, reply, 0);
                sink += (int)r.Action + r.ReplyLength;
            }
            long afterOut = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(0, afterOut - start);
            return sink + InboundPhase(nat, packets, now);
        }

        static long InboundPhase(NatTranslator nat, List<byte[]> translated, long now)
        {
            // Build replies and ICMP errors (allocation happens here, outside the measurement).
            var inbound = new List<byte[]>();
            foreach (var p in translated)
            {
                bool v4 = p[0] >> 4 == 4;
                if (v4 ? SrcV4(p) != ExtV4 : !SrcV6Is(p, ExtV6)) continue;
                inbound.Add(Reply(p));
                inbound.Add(v4 ? IcmpErrorV4(Remote2, ExtV4, 11, 0, p) : IcmpErrorV6(Remote2v6, ExtV6, 3, 0, p));
            }
            long sink = 0;
            long start = GC.GetAllocatedBytesForCurrentThread();
            foreach (var p in inbound)
            {
                var r = nat.TranslateInbound(p, 0, p.Length, now + 1);
                sink += (int)r.Action;
            }
            for (int i = 0; i < 10; i++)
                sink += nat.Tick(now + 10 * Minute + i);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - start);
            return sink;
        }
    }
}

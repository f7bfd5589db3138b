using System;
using System.Collections.Generic;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.TestKit;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>LanServices.Handle on hostile input never throws, and handling a packet allocates nothing.</summary>
    public class LanServicesFuzzAndAllocationTests
    {
        static List<byte[]> Seeds()
        {
            var c = LanConfigFor();
            string target = ToHex(c.RouterLinkLocal, 0, 16);
            return new List<byte[]>
            {
                FromClient(Bootp("350101 3707 0103061a1c0f2a ff")),
                FromClient(Bootp("350103 3204c0a80464 3604c0a80401 ff")),
                FromClient(Bootp("350103 ff", ciaddr: "c0a80464"), src: V4("192.168.4.100"), dst: RouterIp, dstMac: RouterMac),
                FromClient(Bootp("350104 3204c0a80464 3604c0a80401 ff")),
                FromClient(Bootp("350107 3604c0a80401 ff", ciaddr: "c0a80464")),
                FromClient(Bootp("350108 ff", ciaddr: "c0a80496")),
                Hex("ffffffffffff 02aabbccdd01 0806 0001 0800 06 04 0001 02aabbccdd01 c0a80464 000000000000 c0a80401"),
                Hex("020000000001 02aabbccdd01 0800 4500 0024 0001 0000 4001 f122 c0a80464 c0a80401 08 00 5435 1234 0001 6162636465666768"),
                Icmp6Frame(Hex("333300000002"), ClientMac, Hex("fe8000000000000000aabbfffeccdd01"), Hex("ff020000000000000000000000000002"), 255, Hex("8500 0000 00000000 0101 02aabbccdd01")),
                Icmp6Frame(Hex("3333ff000001"), ClientMac, Hex("fe8000000000000000aabbfffeccdd01"), Hex("ff0200000000000000000001ff000001"), 255, Hex("8700 0000 00000000" + target + "0101 02aabbccdd01")),
                Icmp6Frame(Hex("3333ff000001"), ClientMac, new byte[16], Hex("ff0200000000000000000001ff000001"), 255, Hex("8700 0000 00000000" + target)),
                Icmp6Frame(RouterMac, ClientMac, Hex("fd000001000200030000000000000064"), c.RouterUla, 64, Hex("80 00 0000 abcd 0007 0102030405060708")),
                Icmp6Frame(Hex("333300000001"), ClientMac, Hex("fd000001000200030000000000000064"), Hex("ff020000000000000000000000000001"), 255, Hex("8800 0000 20000000 fd000001000200030000000000000064 0201 02aabbccdd01")),
            };
        }

        [Fact]
        public void HundredThousandRandomAndMutatedFramesNeverThrow()
        {
            var rng = new Random(4242);
            var seeds = Seeds();
            var lan = Services(store: new MemoryStore(), leases: 8);
            var output = new byte[1514];
            var buf = new byte[1600];
            var counts = new int[4];
            for (int i = 0; i < 100_000; i++)
            {
                int length;
                if (i % 3 == 0)
                {
                    length = rng.Next(0, 700);
                    rng.NextBytes(buf.AsSpan(0, length));
                    if (length >= 14 && rng.Next(2) == 0)
                    {
                        // Plausible headers over random bodies.
                        Array.Copy(rng.Next(2) == 0 ? RouterMac : Hex("ffffffffffff"), 0, buf, 0, 6);
                        ushort[] types = { 0x0806, 0x0800, 0x86DD, 0x8100 };
                        Endian.Write16(buf, 12, types[rng.Next(types.Length)]);
                        if (length > 15) buf[14] = rng.Next(2) == 0 ? (byte)0x45 : (byte)0x60;
                    }
                }
                else
                {
                    var seed = seeds[rng.Next(seeds.Count)];
                    length = seed.Length;
                    Array.Copy(seed, buf, length);
                    int flips = rng.Next(1, 6);
                    for (int k = 0; k < flips; k++)
                        buf[rng.Next(length)] = (byte)rng.Next(256);
                    if (rng.Next(4) == 0)
                        length = rng.Next(0, length + 1);
                    else if (rng.Next(8) == 0)
                        length = Math.Min(buf.Length, length + rng.Next(0, 40)); // trailing garbage
                }
                int offset = 0;
                if (rng.Next(10) == 0)
                {
                    offset = rng.Next(-2, 3);
                    length += rng.Next(-2, 3);
                }
                int outSize = rng.Next(20) == 0 ? rng.Next(0, 400) : output.Length;
                var outBuf = outSize == output.Length ? output : new byte[outSize];
                var r = lan.Handle(buf, offset, length, outBuf, 0, i * 10L);
                counts[(int)r.Action]++;
                if (r.Action == LanAction.Reply)
                {
                    Assert.InRange(r.Length, 42, outBuf.Length);
                    if (i % 97 == 0)
                        Parse(outBuf, 0, r.Length);
                }
                if (r.Action == LanAction.Dropped)
                    Assert.True(lan.Counters.IsDropAt((int)r.Reason));
                if (i % 1000 == 0)
                    lan.Tick(i * 10L, output, 0);
            }
            Assert.True(counts[(int)LanAction.Reply] > 1000, "replies " + counts[(int)LanAction.Reply]);
            Assert.True(counts[(int)LanAction.Dropped] > 1000);
            Assert.Equal(counts[(int)LanAction.Dropped], lan.Counters.TotalDrops);
            for (int i = 0; i < lan.LeaseCount; i++)
                Assert.NotNull(lan.FormatLease(i, 1_000_000));
        }

        [Fact]
        public void TableSizes()
        {
            var lan = new LanServices(LanConfigFor(), 32, 32, 64, null, null, 0);
            // Leases 32 × 64 + (16 + 32 × 53), two probe slots of 548 + 31, ARP 32 × 19, IPv6 neighbours 64 × 31, counters × 8,
            // devices 32 × 15, IPv6 source bindings 64 × 26 (the default capacities).
            Assert.Equal(32 * 64 + 16 + 32 * 53 + 2 * (548 + 31) + 32 * 19 + 64 * 31 + (int)LanCounter.Count * 8 + 32 * 15 + 64 * 26, lan.SizeInBytes);
        }

        [Fact]
        public void HandlingPacketsAllocatesNothing()
        {
            var lan = Services(leases: 8);
            var seeds = Seeds();
            var output = new byte[1514];
            long now = 0;
            long sink = 0;
            uint host = V4("192.168.4.100");
            foreach (var f in seeds) // warm up (JIT, static tables)
                sink += (int)lan.Handle(f, 0, f.Length, output, 0, now++).Action;
            sink += lan.Tick(now, output, 0).Length;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
            {
                foreach (var f in seeds)
                    sink += lan.Handle(f, 0, f.Length, output, 0, now++).Length;
                sink += lan.Tick(now, output, 0).Length + lan.NextDeadline(now);
                sink += lan.TryGetMac(host, output, 0) ? 1 : 0;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.NotEqual(0, sink);
            Assert.True(lan.Counters[LanCounter.DhcpAcks] > 0 && lan.Counters[LanCounter.EchoRepliesV6] > 0);
        }

        [Fact]
        public void SameBufferForInputAndOutputIsAProgrammingError()
        {
            var lan = Services();
            var f = new byte[60];
            Assert.Throws<ArgumentException>(() => lan.Handle(f, 0, f.Length, f, 0, 0));
        }
    }
}

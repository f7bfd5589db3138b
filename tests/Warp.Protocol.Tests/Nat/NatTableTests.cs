using System;
using System.Collections.Generic;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.TestKit;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>The table: fixed capacity, per-host share, eviction order, bounded expiry, listing.</summary>
    public class NatTableTests
    {
        const byte Syn = TcpSegment.FlagSyn, Ack = TcpSegment.FlagAck, Rst = TcpSegment.FlagRst;

        [Fact]
        public void BytesPerEntryIsAtMost32ForBothFamilies()
        {
            Assert.Equal(26, NatTable.BytesPerEntry);
            Assert.True(NatTable.BytesPerEntry <= 32);
            var table = new NatTable(NatConfigFor(4096), new SeededRandom(1), new NatCounters());
            // Plus 3 bytes per device slot (session count and presence) for the per-device share.
            Assert.Equal(4096 * NatTable.BytesPerEntry + 32 * NatHostTable.BytesPerHost + 32 * 3, table.MemoryBytes);
            table = new NatTable(NatConfigFor(3000), new SeededRandom(1), new NatCounters()); // not a power of two: same per entry
            Assert.Equal(3000 * NatTable.BytesPerEntry + 32 * NatHostTable.BytesPerHost + 32 * 3, table.MemoryBytes);
        }

        [Fact]
        public void ConstructorRejectsBadConfiguration()
        {
            Assert.Throws<ArgumentNullException>(() => new NatTable(null, new SeededRandom(1), null));
            Assert.Throws<ArgumentNullException>(() => new NatTable(NatConfigFor(), null, null));
            var c = NatConfigFor(); c.Capacity = 0;
            Assert.Throws<ArgumentException>(() => c.Validate());
            c = NatConfigFor(); c.Capacity = 65535;
            Assert.Throws<ArgumentException>(() => c.Validate());
            c = NatConfigFor(); c.HostCapacity = 256;
            Assert.Throws<ArgumentException>(() => c.Validate());
            c = NatConfigFor(); c.DnsTimeout = 10 * Minute;
            Assert.Throws<ArgumentException>(() => c.Validate());
            c = NatConfigFor(); c.ExternalAddressV6 = new byte[4];
            Assert.Throws<ArgumentException>(() => c.Validate());
        }

        [Fact]
        public void HostIsCappedAtItsShareAndCannotStarveOthers()
        {
            var nat = Translator(NatConfigFor(capacity: 16)); // default share: half
            Assert.Equal(8, nat.Table.MaxSessionsPerHost);
            for (int i = 0; i < 8; i++)
                Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostA, 40000 + i, Remote1, 9), 0).Action);
            var reply = new byte[600];
            var r = nat.Out(UdpV4(HostA, 41000, Remote1, 9), 0, reply);
            Assert.Equal(NatAction.Reply, r.Action);
            Assert.Equal(NatCounter.DropHostQuotaExceeded, r.Reason);
            Assert.Equal(13, reply[21]);
            // Host B still gets its flows.
            for (int i = 0; i < 8; i++)
                Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostB, 40000 + i, Remote1, 9), 0).Action);
            Assert.Equal(16, nat.Table.Count);
            Assert.Equal(1, nat.Counters[NatCounter.DropHostQuotaExceeded]);
        }

        [Fact]
        public void ATableFullOfOneHostsSessionsIsCountedAsTableFull()
        {
            // Issue 18: with a share of 100% one host may fill the table; its next flow found the
            // table full but was counted as HostQuotaExceeded.
            var config = NatConfigFor(capacity: 4);
            config.HostSharePercent = 100;
            var nat = Translator(config);
            for (int i = 0; i < 4; i++)
                Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostA, 40000 + i, Remote1, 9), 0).Action);
            Assert.Equal(NatCounter.DropTableFull, nat.Out(UdpV4(HostA, 41000, Remote1, 9), 1).Reason);
            Assert.Equal(1, nat.Counters[NatCounter.DropTableFull]);
            Assert.Equal(0, nat.Counters[NatCounter.DropHostQuotaExceeded]);
        }

        [Fact]
        public void FullTableEvictsClosedThenExpiredButNeverLiveSessions()
        {
            var config = NatConfigFor(capacity: 4);
            config.HostSharePercent = 100;
            var nat = Translator(config);
            // Two live UDP sessions, one reset TCP session, one live TCP session.
            nat.Out(UdpV4(HostA, 40000, Remote1, 9), 0);
            nat.Out(UdpV4(HostA, 40001, Remote1, 9), 0);
            var syn = TcpV4(HostA, 40002, Remote1, 443, Syn);
            nat.Out(syn, 0);
            nat.In(TcpV4(Remote1, 443, ExtV4, SrcPortV4(syn), Rst), 0);
            nat.Out(TcpV4(HostA, 40003, Remote1, 443, Syn), 0);
            Assert.Equal(4, nat.Table.Count);
            // A new flow from host B takes the reset session's slot.
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostB, 50000, Remote1, 9), 1).Action);
            Assert.Equal(1, nat.Counters[NatCounter.Evictions]);
            // Nothing else may go: the next one is refused.
            Assert.Equal(NatCounter.DropTableFull, nat.Out(UdpV4(HostB, 50001, Remote1, 9), 1).Reason);
            // Once the UDP sessions are past their timeout (not yet reclaimed by Tick) they are taken.
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostB, 50002, Remote1, 9), 5 * Minute).Action);
            Assert.Equal(2, nat.Counters[NatCounter.Evictions]);
        }

        [Fact]
        public void IndexesStayConsistentUnderChurn()
        {
            // 20,000 flows with mixed timeouts through a 1,024-slot table with Tick running:
            // insertions, ring joins and backward-shift deletions in both indexes. Every live
            // session stays reachable inbound and leads to its own host and port.
            var config = NatConfigFor(capacity: 1024);
            config.HostSharePercent = 100;
            config.TickSlots = 64;
            var nat = Translator(config, 77);
            var rng = new Random(5);
            long now = 0;
            for (int n = 0; n < 20000; n++)
            {
                now += rng.Next(0, 200);
                uint host = V4("192.168.4.0") + (uint)rng.Next(2, 10);
                int port = rng.Next(1024, 1400);
                uint remote = Remote1 + (uint)rng.Next(0, 4);
                nat.Out(UdpV4(host, port, remote, rng.Next(2) == 0 ? 53 : 443), now);
                if (n % 10 == 0) nat.Tick(now);
            }
            int live = 0;
            for (int i = 0; i < nat.Table.Capacity; i++)
            {
                NatEntryInfo e;
                if (!nat.Table.TryGetEntry(i, now, out e) || e.Remaining <= 0) continue;
                live++;
                var p = UdpV4(e.RemoteAddress, e.RemotePort, ExtV4, e.ExternalPort);
                var r = nat.In(p, now);
                Assert.Equal(NatAction.WriteToLan, r.Action);
                Assert.Equal(e.Host, r.Host);
                Assert.Equal(nat.Table.Hosts.AddressV4(e.Host), DstV4(p));
                Assert.Equal(e.LanPort, DstPortV4(p));
            }
            Assert.True(live > 500, "live " + live);
            Assert.True(nat.Counters[NatCounter.SessionsExpired] > 5000, "expired " + nat.Counters[NatCounter.SessionsExpired] + " created " + nat.Counters[NatCounter.SessionsCreated] + " full " + nat.Counters[NatCounter.DropTableFull]);
        }

        [Fact]
        public void GeneratedIcmpErrorsAreRateLimited()
        {
            var config = NatConfigFor(capacity: 1);
            config.RepliesPerSecond = 20; // the default
            var nat = Translator(config);
            nat.Out(UdpV4(HostA, 1, Remote1, 9), 0);
            var reply = new byte[600];
            int replies = 0;
            for (int i = 0; i < 25; i++)
                if (nat.Out(UdpV4(HostB, 100 + i, Remote1, 9), 500 + i, reply).Action == NatAction.Reply) replies++;
            Assert.Equal(20, replies);
            Assert.Equal(5, nat.Counters[NatCounter.RepliesSuppressed]);
            Assert.Equal(25, nat.Counters[NatCounter.DropTableFull]);
            Assert.Equal(NatAction.Reply, nat.Out(UdpV4(HostB, 200, Remote1, 9), 1500, reply).Action);
        }

        [Fact]
        public void HostTableFullIsRefused()
        {
            var config = NatConfigFor(capacity: 64);
            config.HostCapacity = 2;
            var nat = Translator(config);
            nat.Out(UdpV4(HostA, 1, Remote1, 9), 0);
            nat.Out(UdpV6(HostA6, 1, Remote1v6, 9), 0);
            var reply = new byte[600];
            var r = nat.Out(UdpV4(HostB, 1, Remote1, 9), 0, reply);
            Assert.Equal(NatAction.Reply, r.Action);
            Assert.Equal(NatCounter.DropHostTableFull, r.Reason);
            // When host A's session expires and is reclaimed, its host slot frees too.
            for (int i = 0; i < 64; i++) nat.Tick(10 * Minute);
            Assert.Equal(0, nat.Table.Count);
            Assert.Equal(0, nat.Table.Hosts.Count);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostB, 1, Remote1, 9), 10 * Minute).Action);
        }

        [Fact]
        public void TickDoesBoundedWorkAndReclaimsWithinOneSweep()
        {
            var config = NatConfigFor(capacity: 1024);
            config.TickSlots = 64;
            config.HostSharePercent = 100;
            var nat = Translator(config);
            for (int i = 0; i < 1000; i++)
                nat.Out(UdpV4(HostA, 2000 + i, Remote1, 9), 0);
            Assert.Equal(1000, nat.Table.Count);
            Assert.Equal(16 * config.TickInterval, nat.Table.SweepPeriod);
            long t = 5 * Minute;
            Assert.True(nat.Tick(t) <= 64);
            int ticks = 1;
            while (nat.Table.Count > 0)
            {
                Assert.True(nat.Tick(t) <= 64);
                ticks++;
            }
            Assert.True(ticks <= 16);
            Assert.Equal(1000, nat.Counters[NatCounter.SessionsExpired]);
            Assert.Equal(long.MaxValue, nat.NextDeadline(t));
            nat.Out(UdpV4(HostA, 2000, Remote1, 9), t);
            Assert.Equal(t + config.TickInterval, nat.NextDeadline(t));
        }

        [Fact]
        public void ListingDescribesLiveEntries()
        {
            var nat = Translator();
            nat.Out(UdpV4(HostA, 5353, ResolverV4, 53), 0);
            nat.Out(UdpV4(HostA, 5354, RouterV4, 53), 0);
            var syn = TcpV4(HostB, 40000, Remote1, 443, Syn);
            nat.Out(syn, 0);
            nat.Out(UdpV6(HostA6, 7000, Remote1v6, 443), 0);
            var lines = new List<string>();
            for (int i = 0; i < nat.Table.Capacity; i++)
            {
                NatEntryInfo info;
                if (nat.Table.TryGetEntry(i, 1000, out info))
                    lines.Add(info.Format(nat.Table.Hosts));
            }
            Assert.Equal(4, lines.Count);
            Assert.Contains("udp 192.168.4.10:5353 -> :5353 -> 1.1.1.1:53 29s", lines);
            Assert.Contains("udp 192.168.4.10:5354 -> :5354 -> 1.1.1.1:53 dns 29s", lines);
            Assert.Contains("tcp 192.168.4.11:40000 -> :40000 -> 93.184.216.34:443 SYN_OUT 239s", lines);
            Assert.Contains(lines, l => l.StartsWith("udp [fd00:4:0:0:0:0:0:10]:7000 -> :7000 -> [#"));
        }

        [Fact]
        public void DnsToRouterIsRedirectedToResolverAndRepliesComeFromRouter()
        {
            var nat = Translator();
            var q = UdpV4(HostA, 5353, RouterV4, 53, 30);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(q, 0).Action);
            Assert.Equal(ResolverV4, DstV4(q));
            Assert.Equal(ExtV4, SrcV4(q));
            AssertChecksums(q);
            var answer = Reply(q);
            Assert.Equal(NatAction.WriteToLan, nat.In(answer, 1).Action);
            Assert.Equal(RouterV4, SrcV4(answer));
            Assert.Equal(HostA, DstV4(answer));
            Assert.Equal(5353, DstPortV4(answer));
            AssertChecksums(answer);
            Assert.Equal(1, nat.Counters[NatCounter.DnsRedirected]);
            // TCP DNS too.
            var tq = TcpV4(HostA, 40000, RouterV4, 53, Syn);
            nat.Out(tq, 0);
            Assert.Equal(ResolverV4, DstV4(tq));
            AssertChecksums(tq);
            // IPv6.
            var q6 = UdpV6(HostA6, 5353, RouterV6, 53, 30);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(q6, 0).Action);
            Assert.True(DstV6Is(q6, ResolverV6));
            AssertChecksums(q6);
            var a6 = Reply(q6);
            Assert.Equal(NatAction.WriteToLan, nat.In(a6, 1).Action);
            Assert.True(SrcV6Is(a6, RouterV6));
            Assert.True(DstV6Is(a6, HostA6));
            AssertChecksums(a6);
            // An ICMP error from the resolver about the redirected query reaches the host as if from the router.
            var q2 = UdpV4(HostA, 5400, RouterV4, 53, 30);
            var sent = (byte[])q2.Clone();
            nat.Out(q2, 2);
            var error = IcmpErrorV4(ResolverV4, ExtV4, 3, 3, q2, 38);
            Assert.Equal(NatAction.WriteToLan, nat.In(error, 3).Action);
            Assert.Equal(RouterV4, SrcV4(error));
            AssertChecksums(error);
            Assert.Equal(sent, Rfc5508Tests.Slice(error, 28, sent.Length));
        }

        [Fact]
        public void AFamilyWithoutATunnelAddressIsDroppedUnderItsOwnReason()
        {
            var config = NatConfigFor();
            config.ExternalAddressV6 = null; // an IPv4-only account
            var nat = Translator(config);
            Assert.Equal(NatCounter.DropNoTunnelAddress, nat.Out(UdpV6(HostA6, 5000, Remote1v6, 53), 0).Reason);
            Assert.Equal(1, nat.Counters[NatCounter.DropNoTunnelAddress]);
            Assert.Equal(0, nat.Counters[NatCounter.DropUnsupportedProtocol]);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(UdpV4(HostA, 5000, Remote1, 53), 0).Action);
        }

        [Fact]
        public void OtherProtocolsAndFragmentsAreDroppedAndCounted()
        {
            var nat = Translator();
            var gre = Ipv4(HostA, Remote1, 47, new byte[8]);
            Assert.Equal(NatCounter.DropUnsupportedProtocol, nat.Out(gre, 0).Reason);
            var frag = UdpV4(HostA, 1, Remote1, 9);
            frag[6] = 0x20; // More Fragments
            Endian.Write16(frag, 10, 0);
            Endian.Write16(frag, 10, InternetChecksum.Compute(frag, 0, 20));
            Assert.Equal(NatCounter.DropFragment, nat.Out(frag, 0).Reason);
            var ts = Ipv4(HostA, Remote1, 1, Echo(13, 1)); // timestamp request
            Assert.Equal(NatCounter.DropUnsupportedIcmpType, nat.Out(ts, 0).Reason);
            var ns = Ipv6(HostA6, Remote1v6, 58, Echo(135, 0));
            Assert.Equal(NatCounter.DropUnsupportedIcmpType, nat.Out(ns, 0).Reason);
            var mcast = UdpV4(HostA, 1, V4("239.1.1.1"), 9);
            Assert.Equal(NatCounter.DropBadDestinationAddress, nat.Out(mcast, 0).Reason);
            var ll = UdpV6(V6("fe80::1"), 1, Remote1v6, 9);
            Assert.Equal(NatCounter.DropBadSourceAddress, nat.Out(ll, 0).Reason);
            var notUs = UdpV4(Remote1, 9, V4("172.16.0.3"), 1);
            Assert.Equal(NatCounter.DropNotExternalAddress, nat.In(notUs, 0).Reason);
            Assert.Equal(7, nat.Counters.TotalDrops);
        }
    }
}

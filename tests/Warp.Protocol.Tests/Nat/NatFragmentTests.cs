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
    /// Fragments through the NAT (RFC 4787 REQ-14) by virtual reassembly: in order and out of
    /// order, both families, both directions; overlaps drop the datagram whole (RFC 5722);
    /// bounded tables and hold slots; timeouts; a counter per reason. The evidence is the
    /// receiver's view: the translated pieces, reassembled here independently, form the
    /// original datagram with the translated addresses and ports and a valid transport checksum.
    /// </summary>
    public class NatFragmentTests
    {
        // ------------------------------------------------------------ helpers (independent of the code under test)

        /// <summary>Splits an IPv4 packet into pieces of at most <paramref name="data"/> data bytes (a multiple of 8).</summary>
        internal static List<byte[]> SplitV4(byte[] p, int data)
        {
            int ihl = Ihl(p);
            var list = new List<byte[]>();
            for (int start = 0; start < p.Length - ihl; start += data)
            {
                int n = Math.Min(data, p.Length - ihl - start);
                var f = new byte[ihl + n];
                Array.Copy(p, 0, f, 0, ihl);
                Array.Copy(p, ihl + start, f, ihl, n);
                bool more = start + n < p.Length - ihl;
                Endian.Write16(f, 2, (ushort)f.Length);
                Endian.Write16(f, 6, (ushort)((more ? 0x2000 : 0) | (start / 8)));
                Endian.Write16(f, 10, 0);
                Endian.Write16(f, 10, InternetChecksum.Compute(f, 0, ihl));
                list.Add(f);
            }
            return list;
        }

        /// <summary>Splits an IPv6 packet (no extension headers) with a Fragment header, identification <paramref name="id"/>.</summary>
        internal static List<byte[]> SplitV6(byte[] p, int data, uint id)
        {
            byte next = p[6];
            var list = new List<byte[]>();
            for (int start = 0; start < p.Length - 40; start += data)
            {
                int n = Math.Min(data, p.Length - 40 - start);
                var f = new byte[48 + n];
                Array.Copy(p, 0, f, 0, 40);
                f[6] = 44;
                Endian.Write16(f, 4, (ushort)(8 + n));
                f[40] = next;
                bool more = start + n < p.Length - 40;
                Endian.Write16(f, 42, (ushort)(start | (more ? 1 : 0)));
                Endian.Write32(f, 44, id);
                Array.Copy(p, 40 + start, f, 48, n);
                list.Add(f);
            }
            return list;
        }

        /// <summary>The packet with another IPv4 identification (the builders all use one): another datagram.</summary>
        internal static byte[] WithId(byte[] p, int id)
        {
            Endian.Write16(p, 4, (ushort)id);
            Endian.Write16(p, 10, 0);
            Endian.Write16(p, 10, InternetChecksum.Compute(p, 0, Ihl(p)));
            return p;
        }

        /// <summary>What a receiver reassembles from IPv4 fragments (null when they do not form one datagram).</summary>
        internal static byte[] ReassembleV4(IEnumerable<byte[]> pieces)
        {
            var sorted = pieces.OrderBy(f => (Endian.Read16(f, 6) & 0x1FFF) * 8).ToList();
            int ihl = Ihl(sorted[0]);
            var data = new List<byte>();
            foreach (var f in sorted)
            {
                if ((Endian.Read16(f, 6) & 0x1FFF) * 8 != data.Count) return null;
                data.AddRange(f.Skip(Ihl(f)).Take(Endian.Read16(f, 2) - Ihl(f)));
            }
            if ((Endian.Read16(sorted[^1], 6) & 0x2000) != 0) return null;
            var p = new byte[ihl + data.Count];
            Array.Copy(sorted[0], 0, p, 0, ihl);
            data.CopyTo(p, ihl);
            Endian.Write16(p, 2, (ushort)p.Length);
            Endian.Write16(p, 6, 0);
            Endian.Write16(p, 10, 0);
            Endian.Write16(p, 10, InternetChecksum.Compute(p, 0, ihl));
            return p;
        }

        internal static byte[] ReassembleV6(IEnumerable<byte[]> pieces)
        {
            var sorted = pieces.OrderBy(f => Endian.Read16(f, 42) & 0xFFF8).ToList();
            var data = new List<byte>();
            foreach (var f in sorted)
            {
                Assert.Equal(44, f[6]);
                if ((Endian.Read16(f, 42) & 0xFFF8) != data.Count) return null;
                data.AddRange(f.Skip(48));
            }
            var p = new byte[40 + data.Count];
            Array.Copy(sorted[0], 0, p, 0, 40);
            p[6] = sorted[0][40];
            Endian.Write16(p, 4, (ushort)data.Count);
            data.CopyTo(p, 40);
            return p;
        }

        static byte[] Forward(NatTranslator nat, byte[] f, bool outbound, long now, List<byte[]> sent)
        {
            var r = outbound ? nat.Out(f, now) : nat.In(f, now);
            if (r.Action == NatAction.WriteToTunnel || r.Action == NatAction.WriteToLan)
                sent.Add(f);
            var buffer = new byte[2048];
            while (true)
            {
                int n;
                var released = nat.TakeReleasedFragment(buffer, 0, out n);
                if (n == 0) break;
                Assert.Equal(outbound ? NatAction.WriteToTunnel : NatAction.WriteToLan, released.Action);
                sent.Add(buffer.Take(n).ToArray());
            }
            return f;
        }

        static List<byte[]> Through(NatTranslator nat, IEnumerable<byte[]> pieces, bool outbound, long now = 0)
        {
            var sent = new List<byte[]>();
            foreach (var f in pieces) Forward(nat, (byte[])f.Clone(), outbound, now, sent);
            return sent;
        }

        static IEnumerable<byte[]> Shuffled(List<byte[]> pieces, int seed)
        {
            var rng = new Random(seed);
            return pieces.OrderBy(_ => rng.Next()).ToList();
        }

        // ------------------------------------------------------------ real captures

        [Theory]
        [InlineData("ipv4-fragments.pcap")]
        [InlineData("ipv6-fragments.pcap")]
        public void KernelFragmentsOfAPingTranslateInOrderAndOutOfOrder(string fixture)
        {
            // ping -s 3000 captured between two namespaces: three fragments each way, made by the kernel.
            var frames = PcapReader.Read(fixture).Select(f => f.Skip(14).ToArray()).Where(p => p[0] >> 4 == 4 || p[0] >> 4 == 6).ToList();
            bool v4 = fixture.StartsWith("ipv4");
            var request = frames.Where(p => v4 ? p[9] == 1 && (p[20] == 8 || (Endian.Read16(p, 6) & 0x1FFF) != 0) && SrcV4(p) == SrcV4(frames[0]) : p[6] == 44 && SrcV6Is(p, frames[0].Skip(8).Take(16).ToArray())).ToList();
            var reply = frames.Except(request).Where(p => v4 ? p[9] == 1 : p[6] == 44).ToList();
            Assert.True(request.Count >= 3 && reply.Count >= 3, fixture + ": " + request.Count + " out, " + reply.Count + " back");
            byte[] original = v4 ? ReassembleV4(request) : ReassembleV6(request);
            Assert.NotNull(original);

            foreach (int order in new[] { 0, 1, 2, 3 })
            {
                var config = NatConfigFor();
                config.TunnelMtu = 1500;
                var nat = Translator(config);
                IEnumerable<byte[]> input = order == 0 ? request : order == 1 ? Enumerable.Reverse(request) : Shuffled(request, order);
                var sent = Through(nat, input, true);
                Assert.Equal(request.Count, sent.Count);
                byte[] translated = v4 ? ReassembleV4(sent) : ReassembleV6(sent);
                Assert.NotNull(translated);
                // The receiver sees the original datagram from the tunnel address, checksums valid.
                var expected = (byte[])original.Clone();
                if (v4) { Endian.Write32(expected, 12, ExtV4); } else Array.Copy(ExtV6, 0, expected, 8, 16);
                int u = v4 ? Ihl(expected) : 40;
                Endian.Write16(expected, u + 4, (ushort)Endian.Read16(translated, u + 4)); // the identifier as mapped
                FixUpperChecksum(expected);
                if (v4) { Endian.Write16(expected, 10, 0); Endian.Write16(expected, 10, InternetChecksum.Compute(expected, 0, 20)); }
                Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(translated));
                AssertChecksums(translated);
                Assert.Equal(request.Count, nat.Fragments.Counters[FragmentCounter.Forwarded]);
                Assert.Equal(1, nat.Fragments.Counters[FragmentCounter.Completed]);
                Assert.Equal(0, nat.Fragments.InUse);
                if (order == 0) Assert.Equal(0, nat.Fragments.Counters[FragmentCounter.Held]);
                if (order == 1) Assert.Equal(request.Count - 1, nat.Fragments.Counters[FragmentCounter.Released]);

                // The reply's fragments come back out of the tunnel (addressed to the tunnel address).
                var back = reply.Select(p =>
                {
                    var c = (byte[])p.Clone();
                    if (v4) { Endian.Write32(c, 16, ExtV4); Endian.Write16(c, 10, 0); Endian.Write16(c, 10, InternetChecksum.Compute(c, 0, Ihl(c))); }
                    else Array.Copy(ExtV6, 0, c, 24, 16);
                    return c;
                }).ToList();
                // The first reply fragment carries the identifier: put the mapped one there (checksum fixed).
                var firstBack = back.First(p => v4 ? (Endian.Read16(p, 6) & 0x1FFF) == 0 : (Endian.Read16(p, 42) & 0xFFF8) == 0);
                int fu = v4 ? Ihl(firstBack) : 48;
                ushort oldId = Endian.Read16(firstBack, fu + 4), newId = Endian.Read16(translated, u + 4);
                Endian.Write16(firstBack, fu + 2, InternetChecksum.Update(Endian.Read16(firstBack, fu + 2), oldId, newId));
                Endian.Write16(firstBack, fu + 4, newId);
                if (!v4)
                    Endian.Write16(firstBack, fu + 2, InternetChecksum.UpdateBytes(Endian.Read16(firstBack, fu + 2), reply[0], 24, ExtV6, 0, 16));
                var delivered = Through(nat, order == 0 ? back : Shuffled(back, order + 10), false);
                Assert.Equal(reply.Count, delivered.Count);
                byte[] answer = v4 ? ReassembleV4(delivered) : ReassembleV6(delivered);
                byte[] originalAnswer = v4 ? ReassembleV4(reply) : ReassembleV6(reply);
                Assert.Equal(Convert.ToHexString(originalAnswer), Convert.ToHexString(answer));
            }
        }

        // ------------------------------------------------------------ UDP, DNS redirect, both families

        [Fact]
        public void FragmentedUdpToTheRoutersDnsIsRedirectedWhole()
        {
            var nat = Translator();
            var query = Ipv4(HostA, RouterV4, 17, Udp(40000, 53, 2000));
            var sent = Through(nat, Shuffled(SplitV4(query, 1000), 3), true);
            var datagram = ReassembleV4(sent);
            Assert.NotNull(datagram);
            Assert.Equal(ExtV4, SrcV4(datagram));
            Assert.Equal(ResolverV4, DstV4(datagram));
            AssertChecksums(datagram);
            Assert.Equal(1, nat.Counters[NatCounter.DnsRedirected]);

            var q6 = Ipv6(HostA6, RouterV6, 17, Udp(40000, 53, 2000));
            var sent6 = Through(nat, Enumerable.Reverse(SplitV6(q6, 1000, 77)), true);
            var d6 = ReassembleV6(sent6);
            Assert.True(SrcV6Is(d6, ExtV6) && DstV6Is(d6, ResolverV6));
            AssertChecksums(d6);
        }

        [Fact]
        public void UdpFragmentsBothWaysIpv6()
        {
            var nat = Translator();
            var p = UdpV6(HostA6, 41000, Remote1v6, 9000, 3000);
            var sent = Through(nat, SplitV6(p, 1232, 5), true);
            var d = ReassembleV6(sent);
            Assert.True(SrcV6Is(d, ExtV6));
            AssertChecksums(d);
            int ext = SrcPortV6(d);
            var answer = UdpV6(Remote1v6, 9000, ExtV6, ext, 2500);
            var back = Through(nat, Shuffled(SplitV6(answer, 1232, 9), 4), false);
            var a = ReassembleV6(back);
            Assert.True(DstV6Is(a, HostA6));
            Assert.Equal(41000, DstPortV6(a));
            AssertChecksums(a);
        }

        // ------------------------------------------------------------ every drop reason

        [Fact]
        public void OverlappingFragmentsDropTheDatagramWhole()
        {
            var nat = Translator();
            var p = UdpV4(HostA, 40000, Remote1, 9, 3000);
            var pieces = SplitV4(p, 1000); // 0-1000, 1000-2000, 2000-3008
            // A piece that overlaps the middle one arrives first (held), then the middle: overlap.
            var overlap = SplitV4(p, 504)[1]; // 504-1008
            var sent = Through(nat, new[] { pieces[2], overlap, pieces[1], pieces[0] }, true);
            Assert.Empty(sent); // nothing of the datagram is forwarded: the first fragment came after the overlap
            Assert.True(nat.Fragments.Counters[FragmentCounter.DropOverlap] >= 2);
            Assert.Equal(0, nat.Fragments.HeldCount);
            // An exact repeat of a piece is an overlap too (RFC 5722 drops the datagram).
            var q = WithId(UdpV4(HostA, 40001, Remote1, 9, 3000), 2);
            var qp = SplitV4(q, 1000);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out((byte[])qp[0].Clone(), 0).Action);
            Assert.Equal(NatCounter.DropFragment, nat.Out((byte[])qp[0].Clone(), 0).Reason);
            Assert.Equal(NatAction.Dropped, nat.Out((byte[])qp[1].Clone(), 0).Action); // the rest follows it
        }

        [Fact]
        public void HeldFragmentsTimeOutAndAreCounted()
        {
            var nat = Translator();
            var pieces = SplitV4(UdpV4(HostA, 40000, Remote1, 9, 3000), 1000);
            Assert.Equal(NatAction.Held, nat.Out((byte[])pieces[1].Clone(), 0).Action);
            Assert.Equal(NatAction.Held, nat.Out((byte[])pieces[2].Clone(), 0).Action);
            Assert.Equal(2, nat.Fragments.HeldCount);
            Assert.True(nat.NextDeadline(0) <= 30000);
            nat.Tick(29999);
            Assert.Equal(2, nat.Fragments.HeldCount);
            nat.Tick(30000);
            Assert.Equal(0, nat.Fragments.HeldCount);
            Assert.Equal(0, nat.Fragments.InUse);
            Assert.Equal(3, nat.Fragments.Counters[FragmentCounter.DropTimeout]); // the datagram and its two held pieces
            // The late first fragment starts a new datagram: forwarded, the rest never comes.
            Assert.Equal(NatAction.WriteToTunnel, nat.Out((byte[])pieces[0].Clone(), 30001).Action);
        }

        [Fact]
        public void TablesAreBoundedAndEachLimitHasItsCounter()
        {
            var config = NatConfigFor();
            config.FragmentDatagrams = 2;
            config.FragmentHoldSlots = 1;
            var nat = Translator(config);
            for (int i = 0; i < 2; i++)
                Assert.Equal(NatAction.WriteToTunnel, nat.Out(SplitV4(WithId(UdpV4(HostA, 40000 + i, Remote1, 9, 3000), i), 1000)[0], 0).Action);
            var third = SplitV4(WithId(UdpV4(HostA, 40002, Remote1, 9, 3000), 7), 1000);
            Assert.Equal(NatCounter.DropFragment, nat.Out(third[0], 0).Reason);
            Assert.Equal(1, nat.Fragments.Counters[FragmentCounter.DropTableFull]);

            nat = Translator(config);
            var a = SplitV4(UdpV4(HostA, 40000, Remote1, 9, 3000), 1000);
            Assert.Equal(NatAction.Held, nat.Out(a[2], 0).Action);
            Assert.Equal(NatCounter.DropFragment, nat.Out(a[1], 0).Reason);
            Assert.Equal(1, nat.Fragments.Counters[FragmentCounter.DropHoldFull]);

            // More separate pieces than a slot tracks.
            nat = Translator();
            var many = SplitV4(UdpV4(HostA, 40000, Remote1, 9, 8 * 40), 8);
            int i8 = 0;
            NatResult last = default;
            foreach (var f in many.Where((_, k) => k % 2 == 1)) { last = nat.Out(f, 0); if (++i8 > NatFragments.PiecesPerDatagram) break; }
            // The ninth separate piece drops the datagram: itself and the 4 pieces held (hold slots) by this reason.
            Assert.Equal(1 + 4, nat.Fragments.Counters[FragmentCounter.DropTooManyPieces]);
            Assert.Equal(0, nat.Fragments.HeldCount);
            Assert.Equal(NatCounter.DropFragment, nat.Out(many[0], 0).Reason); // the first follows: dropped whole

            // Malformed: a non-last piece whose length is not a multiple of 8.
            nat = Translator();
            var odd = SplitV4(UdpV4(HostA, 40000, Remote1, 9, 3000), 1000)[0];
            var cut = odd.Take(odd.Length - 3).ToArray();
            Endian.Write16(cut, 2, (ushort)cut.Length); Endian.Write16(cut, 10, 0); Endian.Write16(cut, 10, InternetChecksum.Compute(cut, 0, 20));
            Assert.Equal(NatCounter.DropFragment, nat.Out(cut, 0).Reason);
            Assert.Equal(1, nat.Fragments.Counters[FragmentCounter.DropMalformed]);
        }

        [Fact]
        public void InboundFragmentsWithoutAMappingAreRefusedWhole()
        {
            var nat = Translator();
            var pieces = SplitV4(UdpV4(Remote1, 9, ExtV4, 40000, 3000), 1000);
            Assert.Equal(NatAction.Held, nat.In(pieces[2], 0).Action);
            Assert.Equal(NatCounter.DropNoMapping, nat.In(pieces[0], 0).Reason);
            Assert.Equal(NatCounter.DropFragment, nat.In(pieces[1], 0).Reason);
            Assert.Equal(2, nat.Fragments.Counters[FragmentCounter.DropFirstRefused]); // the held piece and the later one
            Assert.Equal(0, nat.Fragments.HeldCount);
        }

        [Fact]
        public void WithoutATrackerFragmentsAreDroppedAndCounted()
        {
            var config = NatConfigFor();
            config.FragmentDatagrams = 0;
            var nat = Translator(config);
            Assert.Null(nat.Fragments);
            var pieces = SplitV4(UdpV4(HostA, 40000, Remote1, 9, 3000), 1000);
            Assert.Equal(NatCounter.DropFragment, nat.Out(pieces[0], 0).Reason);
            Assert.Equal(1, nat.Counters[NatCounter.DropFragment]);
        }

        // ------------------------------------------------------------ the router's splitter

        [Theory]
        [InlineData(3000, 1280)]
        [InlineData(1500, 1280)]
        [InlineData(1281, 576)]
        public void Ipv4FragmenterSplitsToTheMtuAndReassemblesExactly(int payload, int mtu)
        {
            var p = UdpV4(HostA, 40000, Remote1, 9, payload);
            Ipv4Packet ip;
            Assert.True(Ipv4Packet.TryCreate(p, 0, p.Length, out ip));
            int count = Ipv4Fragmenter.PieceCount(ip, mtu);
            Assert.True(count > 1);
            var pieces = new List<byte[]>();
            var buffer = new byte[2048];
            for (int i = 0; i < count; i++)
            {
                int n = Ipv4Fragmenter.WritePiece(ip, mtu, i, buffer, 0);
                Assert.InRange(n, 21, mtu);
                var f = buffer.Take(n).ToArray();
                Assert.Equal(0, InternetChecksum.Compute(f, 0, 20)); // the header checksum verifies
                pieces.Add(f);
            }
            Assert.Equal(0, Ipv4Fragmenter.WritePiece(ip, mtu, count, buffer, 0));
            var again = ReassembleV4(pieces);
            Assert.Equal(Convert.ToHexString(p), Convert.ToHexString(again));
            // A piece of a piece keeps its place: splitting the first half again reassembles the same.
            var firstHalf = pieces[0];
            Assert.True(Ipv4Packet.TryCreate(firstHalf, 0, firstHalf.Length, out ip));
            if (Ipv4Fragmenter.PieceCount(ip, 576) > 1)
            {
                var sub = new List<byte[]>();
                for (int i = 0; i < Ipv4Fragmenter.PieceCount(ip, 576); i++)
                    sub.Add(buffer.Take(Ipv4Fragmenter.WritePiece(ip, 576, i, buffer, 0)).ToArray());
                Assert.Equal(Convert.ToHexString(p), Convert.ToHexString(ReassembleV4(sub.Concat(pieces.Skip(1)))));
            }
            // DF set: never split.
            var df = Ipv4(HostA, Remote1, 17, Udp(1, 2, payload), df: true);
            Assert.True(Ipv4Packet.TryCreate(df, 0, df.Length, out ip));
            Assert.Equal(0, Ipv4Fragmenter.PieceCount(ip, mtu));
        }
    }
}

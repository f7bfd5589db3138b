using System;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>RFC 4787 (NAT behavioural requirements for unicast UDP), one test per requirement.</summary>
    public class Rfc4787Tests
    {
        [Fact]
        public void Rfc4787_Req1_EndpointIndependentMapping()
        {
            var nat = Translator();
            var a = UdpV4(HostA, 40000, Remote1, 3478);
            var b = UdpV4(HostA, 40000, Remote2, 5000);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(a, 0).Action);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(b, 0).Action);
            Assert.Equal(ExtV4, SrcV4(a));
            Assert.Equal(SrcPortV4(a), SrcPortV4(b));

            var a6 = UdpV6(HostA6, 40000, Remote1v6, 3478);
            var b6 = UdpV6(HostA6, 40000, Remote2v6, 5000);
            nat.Out(a6, 0);
            nat.Out(b6, 0);
            Assert.True(SrcV6Is(a6, ExtV6));
            Assert.Equal(SrcPortV6(a6), SrcPortV6(b6));
            AssertChecksums(a); AssertChecksums(b); AssertChecksums(a6); AssertChecksums(b6);
        }

        [Fact]
        public void Rfc4787_Req1_PortPreservedWhenFree()
        {
            var nat = Translator();
            var a = UdpV4(HostA, 51234, Remote1, 53);
            nat.Out(a, 0);
            Assert.Equal(51234, SrcPortV4(a));
        }

        [Fact]
        public void Rfc4787_Req2_AddressPoolingPaired()
        {
            // One external address per family: every session of a host (and of every host) uses it.
            var nat = Translator();
            var packets = new[] { UdpV4(HostA, 1, Remote1, 9), TcpV4(HostA, 2, Remote2, 80, TcpSegment.FlagSyn), Ipv4(HostB, Remote1, 1, Echo(8, 3)) };
            foreach (var p in packets)
            {
                nat.Out(p, 0);
                Assert.Equal(ExtV4, SrcV4(p));
            }
        }

        [Fact]
        public void Rfc4787_Req10_NoApplicationLevelGateway()
        {
            // A payload that carries the LAN address (as SIP or FTP would) is left alone.
            var nat = Translator();
            var udp = Udp(5060, 5060, 4);
            Endian.Write32(udp, 8, HostA);
            var p = Ipv4(HostA, Remote1, 17, udp);
            nat.Out(p, 0);
            Assert.Equal(HostA, Endian.Read32(p, 28));
            AssertChecksums(p);
        }

        [Fact]
        public void Rfc4787_Req3_NoPortOverloading()
        {
            var nat = Translator();
            var a = UdpV4(HostA, 5060, Remote1, 5060);
            var b = UdpV4(HostB, 5060, Remote1, 5060);
            var c = UdpV4(HostB, 5060, Remote2, 5060);
            nat.Out(a, 0);
            nat.Out(b, 0);
            nat.Out(c, 0);
            Assert.Equal(5060, SrcPortV4(a));
            Assert.NotEqual(5060, SrcPortV4(b));
            Assert.Equal(SrcPortV4(b), SrcPortV4(c));
            Assert.InRange(SrcPortV4(b), 1024, 65535);
            // Replies reach the right host each.
            var ra = Reply(a); var rb = Reply(b);
            Assert.Equal(NatAction.WriteToLan, nat.In(ra, 1).Action);
            Assert.Equal(NatAction.WriteToLan, nat.In(rb, 1).Action);
            Assert.Equal(HostA, DstV4(ra));
            Assert.Equal(HostB, DstV4(rb));
        }

        [Fact]
        public void Rfc4787_Req3_WellKnownPortsStayApartFromDynamicRange()
        {
            var config = NatConfigFor();
            config.MinPort = 20000;
            config.MaxPort = 20999;
            var nat = Translator(config);
            var a = UdpV4(HostA, 123, Remote1, 123);
            var b = UdpV4(HostB, 123, Remote1, 123);
            var c = UdpV4(HostB, 40000, Remote1, 9);
            nat.Out(a, 0); nat.Out(b, 0); nat.Out(c, 0);
            Assert.Equal(123, SrcPortV4(a));
            Assert.InRange(SrcPortV4(b), 1, 1023);
            Assert.InRange(SrcPortV4(c), 20000, 20999);
            config = NatConfigFor();
            config.MinPort = 1000;
            Assert.Throws<ArgumentException>(() => config.Validate());
        }

        [Fact]
        public void Rfc4787_Req4_PortParityPreservedWhenEnabled()
        {
            var config = NatConfigFor();
            config.PreservePortParity = true;
            var nat = Translator(config);
            for (int i = 0; i < 50; i++)
            {
                var first = UdpV4(HostA, 30000 + i, Remote1, 9);
                var clash = UdpV4(HostB, 30000 + i, Remote1, 9);
                nat.Out(first, 0);
                nat.Out(clash, 0);
                Assert.NotEqual(SrcPortV4(first), SrcPortV4(clash));
                Assert.Equal((30000 + i) & 1, SrcPortV4(clash) & 1);
            }
        }

        [Fact]
        public void Rfc4787_Req5_UdpTimeoutAtLeastTwoMinutes()
        {
            var config = NatConfigFor();
            Assert.Equal(5 * Minute, config.UdpTimeout);
            config.UdpTimeout = 2 * Minute - 1;
            Assert.Throws<ArgumentException>(() => config.Validate());
            config.UdpTimeout = 2 * Minute;
            config.Validate();

            var nat = Translator();
            var a = UdpV4(HostA, 40000, Remote1, 4500);
            nat.Out(a, 0);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(a), 5 * Minute - 1).Action);
            Assert.Equal(NatAction.Dropped, nat.In(Reply(a), 5 * Minute).Action);
            Assert.Equal(1, nat.Counters[NatCounter.DropNoMapping]);
        }

        [Fact]
        public void Rfc4787_Req5a_DnsMayUseShorterTimeout()
        {
            var nat = Translator();
            var dns = UdpV4(HostA, 40001, ResolverV4, 53);
            var other = UdpV4(HostA, 40002, Remote1, 4500);
            nat.Out(dns, 0);
            nat.Out(other, 0);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(dns), 30 * Second - 1).Action);
            Assert.Equal(NatAction.Dropped, nat.In(Reply(dns), 30 * Second).Action);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(other), 30 * Second).Action);
        }

        [Fact]
        public void Rfc4787_Req6_OutboundRefreshes()
        {
            var nat = Translator();
            var a = UdpV4(HostA, 40000, Remote1, 4500);
            nat.Out((byte[])a.Clone(), 0);
            nat.Out((byte[])a.Clone(), 4 * Minute);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(UdpV4(ExtV4, 40000, Remote1, 4500)), 9 * Minute - 1).Action);
        }

        [Fact]
        public void Rfc4787_Req6_InboundDoesNotRefreshByDefault()
        {
            var nat = Translator();
            var a = UdpV4(HostA, 40000, Remote1, 4500);
            nat.Out(a, 0);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(a), 4 * Minute).Action);
            Assert.Equal(NatAction.Dropped, nat.In(Reply(a), 5 * Minute).Action);

            var config = NatConfigFor();
            config.InboundRefresh = true;
            nat = Translator(config);
            a = UdpV4(HostA, 40000, Remote1, 4500);
            nat.Out(a, 0);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(a), 4 * Minute).Action);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(a), 5 * Minute).Action);
        }

        [Fact]
        public void Rfc4787_Req8_AddressDependentFiltering()
        {
            var nat = Translator();
            var a = UdpV4(HostA, 40000, Remote1, 3478);
            nat.Out(a, 0);
            int ext = SrcPortV4(a);
            // Same remote address, other port: passes (address-dependent, not port-dependent).
            Assert.Equal(NatAction.WriteToLan, nat.In(UdpV4(Remote1, 3479, ExtV4, ext), 1).Action);
            // Another address: filtered.
            var r = nat.In(UdpV4(Remote2, 3478, ExtV4, ext), 1);
            Assert.Equal(NatAction.Dropped, r.Action);
            Assert.Equal(NatCounter.DropFiltered, r.Reason);
            Assert.Equal(1, nat.Counters[NatCounter.DropFiltered]);
            // IPv6 the same way.
            var a6 = UdpV6(HostA6, 40000, Remote1v6, 3478);
            nat.Out(a6, 0);
            Assert.Equal(NatAction.WriteToLan, nat.In(UdpV6(Remote1v6, 1, ExtV6, SrcPortV6(a6)), 1).Action);
            Assert.Equal(NatCounter.DropFiltered, nat.In(UdpV6(Remote2v6, 3478, ExtV6, SrcPortV6(a6)), 1).Reason);
        }

        [Fact]
        public void Rfc4787_Req8_EndpointIndependentFilteringOption()
        {
            var config = NatConfigFor();
            config.Filtering = NatFiltering.EndpointIndependent;
            var nat = Translator(config);
            var a = UdpV4(HostA, 40000, Remote1, 3478);
            nat.Out(a, 0);
            var other = UdpV4(Remote2, 9999, ExtV4, SrcPortV4(a));
            Assert.Equal(NatAction.WriteToLan, nat.In(other, 1).Action);
            Assert.Equal(HostA, DstV4(other));
            Assert.Equal(40000, DstPortV4(other));
            AssertChecksums(other);
            // Still no mapping, no entry.
            Assert.Equal(NatCounter.DropNoMapping, nat.In(UdpV4(Remote2, 9999, ExtV4, 1), 1).Reason);
        }

        [Fact]
        public void Rfc4787_Req9_Hairpinning()
        {
            var nat = Translator();
            // Host B has a mapping and has talked to the external address (as a STUN-style peer would).
            var b = UdpV4(HostB, 50000, ExtV4, 50001);
            var a = UdpV4(HostA, 50001, Remote1, 3478);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(a, 0).Action);
            int extA = SrcPortV4(a);
            // B sends to A's external endpoint: it comes back to A, from B's external endpoint.
            var toA = UdpV4(HostB, 50000, ExtV4, extA);
            var r = nat.Out(toA, 1);
            Assert.Equal(NatCounter.DropFiltered, r.Reason); // A never sent to the external address: filtered
            nat.Out(UdpV4(HostA, 50001, ExtV4, 50000), 1);  // A talks to B's external endpoint
            toA = UdpV4(HostB, 50000, ExtV4, extA);
            r = nat.Out(toA, 2);
            Assert.Equal(NatAction.WriteToLan, r.Action);
            Assert.Equal(HostA, DstV4(toA));
            Assert.Equal(50001, DstPortV4(toA));
            Assert.Equal(ExtV4, SrcV4(toA)); // REQ-9b: the source is B's external address
            AssertChecksums(toA);
            Assert.True(nat.Counters[NatCounter.Hairpinned] >= 1);
            _ = b;
        }

        [Fact]
        public void Rfc4787_Req12_IcmpNeverDestroysOrRefreshesMapping()
        {
            var nat = Translator();
            var a = UdpV4(HostA, 40000, Remote1, 4500);
            var sent = (byte[])a.Clone();
            nat.Out(a, 0);
            int slot = FindSlot(nat.Table);
            uint deadline = nat.Table.Deadline(slot);
            var error = IcmpErrorV4(Remote1, ExtV4, 3, 3, a);
            Assert.Equal(NatAction.WriteToLan, nat.In(error, 3 * Minute).Action);
            Assert.Equal(deadline, nat.Table.Deadline(slot));
            Assert.Equal(1, nat.Table.Count);
            Assert.Equal(NatAction.WriteToLan, nat.In(Reply(a), 3 * Minute + 1).Action);
            _ = sent;
        }

        [Fact]
        public void Rfc4787_Req13_DontFragmentTooBigGetsFragmentationNeeded()
        {
            var nat = Translator();
            var big = Ipv4(HostA, Remote1, 17, Udp(40000, 443, 1400), df: true);
            var reply = new byte[1500];
            var r = nat.TranslateOutbound(big, 0, big.Length, 0, reply, 0);
            Assert.Equal(NatAction.Reply, r.Action);
            Assert.Equal(NatCounter.DropTooBig, r.Reason);
            Assert.Equal(HostA, DstV4(reply));
            Assert.Equal(RouterV4, SrcV4(reply));
            Assert.Equal(3, reply[20]);
            Assert.Equal(4, reply[21]);
            Assert.Equal(1280, Endian.Read16(reply, 26));
            AssertChecksums(reply, 0, r.ReplyLength);
            // Without DF: translated whole; the router splits it for the tunnel (Ipv4Fragmenter).
            var nodf = Ipv4(HostA, Remote1, 17, Udp(40000, 443, 1400), df: false);
            r = nat.TranslateOutbound(nodf, 0, nodf.Length, 0, reply, 0);
            Assert.Equal(NatAction.WriteToTunnel, r.Action);
            Assert.Equal(1, nat.Counters[NatCounter.DropTooBig]);
            // IPv6: Packet Too Big with the MTU.
            var big6 = UdpV6(HostA6, 40000, Remote1v6, 443, 1300);
            r = nat.TranslateOutbound(big6, 0, big6.Length, 0, reply, 0);
            Assert.Equal(NatAction.Reply, r.Action);
            Assert.Equal(Icmpv6Packet.TypePacketTooBig, reply[40]);
            Assert.Equal(1280u, Endian.Read32(reply, 44));
            Assert.True(SrcV6Is(reply, RouterV6) && DstV6Is(reply, HostA6));
            Assert.Equal(1280, r.ReplyLength);
            AssertChecksums(reply, 0, r.ReplyLength);
        }

        internal static int FindSlot(NatTable table)
        {
            for (int i = 0; i < table.Capacity; i++)
                if (table.IsUsed(i)) return i;
            return -1;
        }
    }
}

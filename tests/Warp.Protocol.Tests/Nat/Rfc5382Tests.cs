using System;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>RFC 5382 (NAT behavioural requirements for TCP), plus MSS clamping for the tunnel MTU.</summary>
    public class Rfc5382Tests
    {
        const byte Syn = TcpSegment.FlagSyn, Ack = TcpSegment.FlagAck, Fin = TcpSegment.FlagFin, Rst = TcpSegment.FlagRst;

        static byte[] Handshake(NatTranslator nat, uint host, int port, uint remote, int rport, long now)
        {
            var syn = TcpV4(host, port, remote, rport, Syn, 1460);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(syn, now).Action);
            var synAck = TcpV4(remote, rport, ExtV4, SrcPortV4(syn), Syn | Ack, 1460);
            Assert.Equal(NatAction.WriteToLan, nat.In(synAck, now).Action);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(TcpV4(host, port, remote, rport, Ack), now).Action);
            return syn;
        }

        [Fact]
        public void Rfc5382_Req1_EndpointIndependentMapping()
        {
            var nat = Translator();
            var a = TcpV4(HostA, 40000, Remote1, 443, Syn);
            var b = TcpV4(HostA, 40000, Remote2, 80, Syn);
            nat.Out(a, 0);
            nat.Out(b, 0);
            Assert.Equal(SrcPortV4(a), SrcPortV4(b));
            var c = TcpV6(HostA6, 40000, Remote1v6, 443, Syn);
            var d = TcpV6(HostA6, 40000, Remote2v6, 80, Syn);
            nat.Out(c, 0);
            nat.Out(d, 0);
            Assert.Equal(SrcPortV6(c), SrcPortV6(d));
        }

        [Fact]
        public void Rfc5382_Req2_SimultaneousOpen()
        {
            var nat = Translator();
            var syn = TcpV4(HostA, 40000, Remote1, 5000, Syn);
            nat.Out(syn, 0);
            var peerSyn = TcpV4(Remote1, 5000, ExtV4, SrcPortV4(syn), Syn);
            Assert.Equal(NatAction.WriteToLan, nat.In(peerSyn, 1).Action);
            int slot = Rfc4787Tests.FindSlot(nat.Table);
            Assert.Equal(NatTcpState.Established, nat.Table.TcpState(slot));
        }

        [Fact]
        public void Rfc5382_Req3_FilteringOfInboundSyn()
        {
            // Address-dependent (default): a SYN from another address to a mapped port is filtered;
            // endpoint-independent: it reaches the host (the basis of TCP hole punching).
            var nat = Translator();
            var syn = TcpV4(HostA, 40000, Remote1, 5000, Syn);
            nat.Out(syn, 0);
            Assert.Equal(NatCounter.DropFiltered, nat.In(TcpV4(Remote2, 6000, ExtV4, SrcPortV4(syn), Syn), 1).Reason);
            var config = NatConfigFor();
            config.Filtering = NatFiltering.EndpointIndependent;
            nat = Translator(config);
            syn = TcpV4(HostA, 40000, Remote1, 5000, Syn);
            nat.Out(syn, 0);
            var other = TcpV4(Remote2, 6000, ExtV4, SrcPortV4(syn), Syn);
            Assert.Equal(NatAction.WriteToLan, nat.In(other, 1).Action);
            Assert.Equal(HostA, DstV4(other));
            AssertChecksums(other);
            // The host's SYN-ACK to the new peer sets up an established session on the same mapping.
            var synAck = TcpV4(HostA, 40000, Remote2, 6000, Syn | Ack);
            nat.Out(synAck, 1);
            Assert.Equal(SrcPortV4(syn), SrcPortV4(synAck));
        }

        [Fact]
        public void Rfc5382_Req4_UnsolicitedSynIsNotAnswered()
        {
            var nat = Translator();
            var syn = TcpV4(Remote1, 5000, ExtV4, 8080, Syn);
            var r = nat.In(syn, 0);
            Assert.Equal(NatAction.Dropped, r.Action);
            Assert.Equal(NatCounter.DropNoMapping, r.Reason);
            Assert.Equal(0, nat.Counters[NatCounter.RepliesGenerated]);
        }

        [Fact]
        public void Rfc5382_Req5_EstablishedIdleTimeout()
        {
            var config = NatConfigFor();
            Assert.True(config.TcpEstablishedTimeout >= 2 * 60 * Minute + 4 * Minute);
            config.TcpEstablishedTimeout = 2 * 60 * Minute + 4 * Minute - 1;
            Assert.Throws<ArgumentException>(() => config.Validate());

            var nat = Translator();
            var syn = Handshake(nat, HostA, 40000, Remote1, 443, 0);
            long limit = 124 * Minute;
            var data = TcpV4(Remote1, 443, ExtV4, SrcPortV4(syn), Ack);
            Assert.Equal(NatAction.WriteToLan, nat.In(data, limit - 1).Action);
            // The inbound packet refreshed it (TCP idle timeouts count both directions).
            data = TcpV4(Remote1, 443, ExtV4, SrcPortV4(syn), Ack);
            Assert.Equal(NatAction.WriteToLan, nat.In(data, 2 * limit - 2).Action);
            data = TcpV4(Remote1, 443, ExtV4, SrcPortV4(syn), Ack);
            Assert.Equal(NatAction.Dropped, nat.In(data, 3 * limit - 2).Action);
        }

        [Fact]
        public void Rfc5382_Req5_TransitoryIdleTimeout()
        {
            var config = NatConfigFor();
            config.TcpTransitoryTimeout = 4 * Minute - 1;
            Assert.Throws<ArgumentException>(() => config.Validate());

            var nat = Translator();
            var syn = TcpV4(HostA, 40000, Remote1, 443, Syn);
            nat.Out(syn, 0);
            int slot = Rfc4787Tests.FindSlot(nat.Table);
            Assert.Equal(NatTcpState.SynOut, nat.Table.TcpState(slot));
            Assert.Equal(4 * Minute, nat.Table.Remaining(slot, 0));
            // A FIN on an established session makes it transitory again.
            nat = Translator();
            syn = Handshake(nat, HostA, 40000, Remote1, 443, 0);
            slot = Rfc4787Tests.FindSlot(nat.Table);
            Assert.Equal(124 * Minute, nat.Table.Remaining(slot, 0));
            nat.Out(TcpV4(HostA, 40000, Remote1, 443, Fin | Ack), 10);
            Assert.Equal(NatTcpState.FinOut, nat.Table.TcpState(slot));
            Assert.Equal(4 * Minute, nat.Table.Remaining(slot, 10));
            nat.In(TcpV4(Remote1, 443, ExtV4, SrcPortV4(syn), Fin | Ack), 20);
            Assert.Equal(NatTcpState.FinBoth, nat.Table.TcpState(slot));
            Assert.Equal(4 * Minute, nat.Table.Remaining(slot, 20));
        }

        [Fact]
        public void Rfc5382_Req9_IcmpErrorForTcpTranslated()
        {
            var nat = Translator();
            var syn = TcpV4(HostA, 40000, Remote1, 443, Syn, 1460);
            var original = (byte[])syn.Clone();
            nat.Out(syn, 0);
            // A router on the path answers with time exceeded, quoting the whole segment.
            var error = IcmpErrorV4(Remote2, ExtV4, 11, 0, syn, 100);
            var r = nat.In(error, 1);
            Assert.Equal(NatAction.WriteToLan, r.Action);
            Assert.Equal(HostA, DstV4(error));
            Assert.Equal(11, error[20]);
            Assert.Equal(0, error[21]);
            // The quote now matches what the host sent, apart from the MSS the NAT clamped.
            Assert.Equal(3, AssertChecksums(error) - 1);
            Assert.Equal(HostA, Endian.Read32(error, 28 + 12));
            Assert.Equal(40000, Endian.Read16(error, 28 + 20));
            _ = original;
        }

        [Fact]
        public void TcpMss_ClampedToTunnelMtuOnSynAndSynAck()
        {
            var nat = Translator();
            var syn = TcpV4(HostA, 40000, Remote1, 443, Syn, 1460);
            nat.Out(syn, 0);
            TcpSegment t;
            Assert.True(TcpSegment.TryCreate(syn, 20, syn.Length - 20, out t));
            Assert.Equal(1240, t.MaximumSegmentSize);
            AssertChecksums(syn);
            var synAck = TcpV4(Remote1, 443, ExtV4, SrcPortV4(syn), Syn | Ack, 1460);
            nat.In(synAck, 0);
            Assert.True(TcpSegment.TryCreate(synAck, 20, synAck.Length - 20, out t));
            Assert.Equal(1240, t.MaximumSegmentSize);
            AssertChecksums(synAck);
            // Smaller MSS values stay.
            var small = TcpV4(HostB, 40000, Remote1, 443, Syn, 536);
            nat.Out(small, 0);
            Assert.True(TcpSegment.TryCreate(small, 20, small.Length - 20, out t));
            Assert.Equal(536, t.MaximumSegmentSize);
            // IPv6: MTU - 60.
            var syn6 = TcpV6(HostA6, 40000, Remote1v6, 443, Syn, 1440);
            nat.Out(syn6, 0);
            Assert.True(TcpSegment.TryCreate(syn6, 40, syn6.Length - 40, out t));
            Assert.Equal(1220, t.MaximumSegmentSize);
            AssertChecksums(syn6);
            Assert.Equal(3, nat.Counters[NatCounter.MssClamped]);
        }
    }
}

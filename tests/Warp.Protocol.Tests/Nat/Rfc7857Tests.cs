using System.Collections.Generic;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>RFC 7857 (updates to the NAT behavioural requirements).</summary>
    public class Rfc7857Tests
    {
        const byte Syn = TcpSegment.FlagSyn, Ack = TcpSegment.FlagAck, Fin = TcpSegment.FlagFin, Rst = TcpSegment.FlagRst;

        [Fact]
        public void Rfc7857_Sec2_1_SeparateTimersForOpenAndClosingSessions()
        {
            var nat = Translator();
            var syn = TcpV4(HostA, 40000, Remote1, 443, Syn);
            nat.Out(syn, 0);
            int ext = SrcPortV4(syn);
            nat.In(TcpV4(Remote1, 443, ExtV4, ext, Syn | Ack), 0);
            int slot = Rfc4787Tests.FindSlot(nat.Table);
            Assert.Equal(NatConfigFor().TcpEstablishedTimeout, nat.Table.Remaining(slot, 0));
            nat.Out(TcpV4(HostA, 40000, Remote1, 443, Fin | Ack), 0);
            Assert.Equal(NatConfigFor().TcpTransitoryTimeout, nat.Table.Remaining(slot, 0));
        }

        [Fact]
        public void Rfc7857_Sec2_2_SessionKeptFourMinutesAfterRst()
        {
            var nat = Translator();
            var syn = TcpV4(HostA, 40000, Remote1, 443, Syn);
            nat.Out(syn, 0);
            int ext = SrcPortV4(syn);
            nat.In(TcpV4(Remote1, 443, ExtV4, ext, Syn | Ack), 0);
            Assert.Equal(NatAction.WriteToLan, nat.In(TcpV4(Remote1, 443, ExtV4, ext, Rst), 1000).Action);
            int slot = Rfc4787Tests.FindSlot(nat.Table);
            Assert.Equal(NatTcpState.Reset, nat.Table.TcpState(slot));
            // A late segment still reaches the host within the 4 minutes, and none later.
            Assert.Equal(NatAction.WriteToLan, nat.In(TcpV4(Remote1, 443, ExtV4, ext, Ack), 1000 + 4 * Minute - 2).Action);
            Assert.Equal(NatAction.Dropped, nat.In(TcpV4(Remote1, 443, ExtV4, ext, Ack), 1000 + 12 * Minute).Action);
            // A new SYN from the host on the same 4-tuple starts over.
            var again = TcpV4(HostA, 40000, Remote1, 443, Syn);
            Assert.Equal(NatAction.WriteToTunnel, nat.Out(again, 1000 + 12 * Minute).Action);
        }

        [Fact]
        public void Rfc7857_Sec7_PortParityIsOffByDefault()
        {
            Assert.False(NatConfigFor().PreservePortParity);
            var nat = Translator();
            var odd = new HashSet<int>();
            for (int i = 0; i < 40; i++)
            {
                nat.Out(UdpV4(HostA, 30000, Remote1, 9 + i), 0);
                var b = UdpV4(HostB, 30000 + 0, Remote1, 9 + i);
                nat.Out(b, 0);
                odd.Add(SrcPortV4(b) & 1);
                var c = UdpV4(HostB, 30001 + 2 * i, Remote2, 9);
                nat.Out(UdpV4(HostA, 30001 + 2 * i, Remote2, 9), 0);
                nat.Out(c, 0);
                odd.Add(SrcPortV4(c) & 1);
            }
            Assert.Equal(2, odd.Count); // both parities occur when parity is not preserved
        }

        [Fact]
        public void Rfc7857_Sec8_PortRandomizationPerRfc6056()
        {
            // When the LAN port is taken the external port is random: different seeds give different
            // ports, and consecutive new mappings are not consecutive ports.
            var ports = new List<int>();
            for (ulong seed = 1; seed <= 8; seed++)
            {
                var nat = Translator(seed: seed);
                nat.Out(UdpV4(HostA, 40000, Remote1, 9), 0);
                var b = UdpV4(HostB, 40000, Remote1, 9);
                nat.Out(b, 0);
                ports.Add(SrcPortV4(b));
            }
            Assert.True(new HashSet<int>(ports).Count >= 7, string.Join(",", ports));
            var one = Translator(seed: 99);
            int previous = -1, sequential = 0;
            for (int i = 0; i < 20; i++)
            {
                one.Out(UdpV4(HostA, 50000 + i, Remote1, 9), 0);
                var b = UdpV4(HostB, 50000 + i, Remote1, 9);
                one.Out(b, 0);
                if (SrcPortV4(b) == previous + 1) sequential++;
                previous = SrcPortV4(b);
            }
            Assert.True(sequential < 3);
        }

        [Fact]
        public void Rfc7857_Sec10_IcmpQueryMappingsUseIdentifierRange()
        {
            // ICMP identifiers are not ports: identifiers below 1024 may be kept as they are.
            var nat = Translator();
            var ping = Ipv4(HostA, Remote1, 1, Echo(8, 7));
            nat.Out(ping, 0);
            Assert.Equal(7, IcmpIdV4(ping));
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// Issue 18, "fragments and big frames", through the whole router: <c>ping -s 2000</c> to the
    /// origin and to the router, <c>ping -6 -s 1400</c> to the router (fragmented at the RA's 1280),
    /// frames larger than the LAN receive buffer answered with the tunnel MTU, TCP 53 to the
    /// router redirected, and the console showing IPv6 remotes by address on the Linux host.
    /// </summary>
    public class RouterFragmentTests
    {
        static readonly byte[] RouterUla = IPAddress.Parse("fd42:4242:4242::1").GetAddressBytes();
        static readonly byte[] ClientUla = IPAddress.Parse("fd42:4242:4242::64").GetAddressBytes();
        static readonly byte[] OriginV6 = IPAddress.Parse("fd10:251:2::80").GetAddressBytes();

        static RouterHarness Connected(RouterSizes sizes = null)
        {
            var h = new RouterHarness(sizes: sizes);
            h.Router.Start(h.Now);
            h.ExchangeWithPeer(); // the handshake
            Assert.True(h.Router.Tunnel.GetPeer(0).HasSession(h.Now));
            return h;
        }

        /// <summary>An IPv4 echo request of <paramref name="payload"/> bytes, as the client's kernel builds it.</summary>
        static byte[] EchoV4(uint src, uint dst, int payload, ushort id = 0x4242, bool df = false, byte type = 8)
        {
            var p = new byte[28 + payload];
            Ipv4Packet.WriteHeader(p, 0, p.Length, id, df, 64, Ipv4Packet.ProtocolIcmp, src, dst);
            p[20] = type;
            Endian.Write16(p, 24, 0x77);
            Endian.Write16(p, 26, 1);
            for (int i = 28; i < p.Length; i++) p[i] = (byte)(i * 13);
            Endian.Write16(p, 22, InternetChecksum.Compute(p, 20, p.Length - 20));
            return p;
        }

        static byte[] EchoV6(byte[] src, byte[] dst, int payload)
        {
            var p = new byte[48 + payload];
            Ipv6Packet.WriteHeader(p, 0, 8 + payload, Ipv6Packet.NextHeaderIcmpv6, 64, src, 0, dst, 0);
            p[40] = 128;
            Endian.Write16(p, 44, 0x99);
            Endian.Write16(p, 46, 1);
            for (int i = 48; i < p.Length; i++) p[i] = (byte)(i * 7);
            uint pseudo = InternetChecksum.PseudoHeaderV6(p, 8, 24, 58, 8 + payload);
            Endian.Write16(p, 42, InternetChecksum.Finish(InternetChecksum.Add(pseudo, p, 40, 8 + payload)));
            return p;
        }

        static List<byte[]> SplitV4(byte[] p, int mtu)
        {
            var list = new List<byte[]>();
            int per = (mtu - 20) & ~7;
            for (int s = 0; s < p.Length - 20; s += per)
            {
                int n = Math.Min(per, p.Length - 20 - s);
                var f = new byte[20 + n];
                Array.Copy(p, 0, f, 0, 20);
                Array.Copy(p, 20 + s, f, 20, n);
                Endian.Write16(f, 2, (ushort)f.Length);
                Endian.Write16(f, 6, (ushort)((s + n < p.Length - 20 ? 0x2000 : 0) | (s / 8)));
                Endian.Write16(f, 10, 0);
                Endian.Write16(f, 10, InternetChecksum.Compute(f, 0, 20));
                list.Add(f);
            }
            return list;
        }

        static List<byte[]> SplitV6(byte[] p, int mtu, uint id)
        {
            var list = new List<byte[]>();
            int per = (mtu - 48) & ~7;
            for (int s = 0; s < p.Length - 40; s += per)
            {
                int n = Math.Min(per, p.Length - 40 - s);
                var f = new byte[48 + n];
                Array.Copy(p, 0, f, 0, 40);
                f[6] = 44;
                Endian.Write16(f, 4, (ushort)(8 + n));
                f[40] = p[6];
                Endian.Write16(f, 42, (ushort)(s | (s + n < p.Length - 40 ? 1 : 0)));
                Endian.Write32(f, 44, id);
                Array.Copy(p, 40 + s, f, 48, n);
                list.Add(f);
            }
            return list;
        }

        static byte[] ReassembleV4(IEnumerable<byte[]> pieces)
        {
            var sorted = pieces.OrderBy(f => (Endian.Read16(f, 6) & 0x1FFF) * 8).ToList();
            var data = new List<byte>();
            foreach (var f in sorted)
            {
                Assert.Equal(0, InternetChecksum.Compute(f, 0, 20));
                Assert.Equal((Endian.Read16(f, 6) & 0x1FFF) * 8, data.Count);
                data.AddRange(f.Skip(20));
            }
            Assert.Equal(0, Endian.Read16(sorted[^1], 6) & 0x2000);
            var p = new byte[20 + data.Count];
            Array.Copy(sorted[0], 0, p, 0, 20);
            data.CopyTo(p, 20);
            Endian.Write16(p, 2, (ushort)p.Length);
            Endian.Write16(p, 6, 0);
            return p;
        }

        static byte[] ReassembleV6(IEnumerable<byte[]> pieces)
        {
            var sorted = pieces.OrderBy(f => Endian.Read16(f, 42) & 0xFFF8).ToList();
            var data = new List<byte>();
            foreach (var f in sorted)
            {
                Assert.Equal(Endian.Read16(f, 42) & 0xFFF8, data.Count);
                data.AddRange(f.Skip(48));
            }
            var p = new byte[40 + data.Count];
            Array.Copy(sorted[0], 0, p, 0, 40);
            p[6] = sorted[0][40];
            Endian.Write16(p, 4, (ushort)data.Count);
            data.CopyTo(p, 40);
            return p;
        }

        static byte[] Frame(RouterHarness h, byte[] ip, bool v6 = false)
        {
            var f = new byte[14 + ip.Length];
            EthernetFrame.WriteHeader(f, 0, h.Lan.Mac, 0, RouterHarness.ClientMac, 0, v6 ? EthernetFrame.EtherTypeIpv6 : EthernetFrame.EtherTypeIpv4);
            Array.Copy(ip, 0, f, 14, ip.Length);
            return f;
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void PingWith2000BytesToTheOriginGoesThroughAndBack(bool reversed)
        {
            var h = Connected();
            var request = EchoV4(RouterHarness.ClientIp, RouterHarness.Origin, 2000);
            var pieces = SplitV4(request, 1500); // the client's LAN MTU
            if (reversed) pieces.Reverse();
            foreach (var f in pieces) h.Lan.Inbox.Enqueue(Frame(h, f));
            h.Router.Poll(h.Now);
            var delivered = h.ExchangeWithPeer();
            // The 1,500-byte first piece was split again for the 1,280 tunnel: three pieces reach the peer.
            Assert.Equal(3, delivered.Count);
            Assert.All(delivered, p => Assert.True(p.Length <= 1280, "a piece of " + p.Length));
            var datagram = ReassembleV4(delivered);
            Assert.Equal(RouterHarness.TunnelIp, Endian.Read32(datagram, 12));
            Assert.Equal(63, datagram[8]);
            Assert.Equal(0, InternetChecksum.Compute(datagram, 20, datagram.Length - 20)); // the ICMP checksum verifies whole
            Assert.Equal(request.Skip(28), datagram.Skip(28));

            // The origin answers; its reply comes back in 1,280-byte pieces and reaches the client.
            var reply = (byte[])datagram.Clone();
            Endian.Write32(reply, 12, RouterHarness.Origin);
            Endian.Write32(reply, 16, RouterHarness.TunnelIp);
            reply[8] = 60;
            reply[20] = 0;
            Endian.Write16(reply, 22, 0);
            Endian.Write16(reply, 22, InternetChecksum.Compute(reply, 20, reply.Length - 20));
            h.Lan.Sent.Clear();
            var back = SplitV4(reply, 1280);
            if (reversed) back.Reverse();
            foreach (var f in back) h.PeerSends(f);
            var frames = h.Lan.Sent.Where(f => f.Length > 14 && f[12] == 8 && f[13] == 0).Select(f => f.Skip(14).ToArray()).ToList();
            Assert.Equal(back.Count, frames.Count);
            var answer = ReassembleV4(frames);
            Assert.Equal(RouterHarness.ClientIp, Endian.Read32(answer, 16));
            Assert.Equal(0, answer[20]);
            Assert.Equal(0x77, Endian.Read16(answer, 24));
            Assert.Equal(0, InternetChecksum.Compute(answer, 20, answer.Length - 20));
            Assert.Equal(0, h.Router.Nat.Fragments.InUse); // both datagrams complete: their slots are free
        }

        [Fact]
        public void APacketFromAPeerWithALargerMtuIsSplitForTheLan()
        {
            // wireguard-go's tunnel MTU is 1,420; the LAN was told 1,280 (DHCP option 26, the RA).
            var h = Connected();
            var request = EchoV4(RouterHarness.ClientIp, RouterHarness.Origin, 100);
            h.Lan.Inbox.Enqueue(Frame(h, request));
            h.Router.Poll(h.Now);
            var sent = h.ExchangeWithPeer().Single();
            var reply = EchoV4(RouterHarness.Origin, RouterHarness.TunnelIp, 1400 - 28, id: 0x5151, type: 0);
            Array.Copy(sent, 24, reply, 24, 4); // the identifier and sequence the NAT sent
            Endian.Write16(reply, 22, 0);
            Endian.Write16(reply, 22, InternetChecksum.Compute(reply, 20, reply.Length - 20));
            h.Lan.Sent.Clear();
            h.PeerSends(reply);
            var frames = h.Lan.Sent.Where(f => f.Length > 34 && f[12] == 8 && f[23] == 1).ToList();
            Assert.Equal(2, frames.Count);
            Assert.All(frames, f => Assert.True(f.Length - 14 <= 1280));
            var answer = ReassembleV4(frames.Select(f => f.Skip(14).ToArray()));
            Assert.Equal(RouterHarness.ClientIp, Endian.Read32(answer, 16));
            Assert.Equal(0, InternetChecksum.Compute(answer, 20, answer.Length - 20));
            Assert.Equal(0x77, Endian.Read16(answer, 24));
        }

        [Fact]
        public void PingWith2000BytesToTheRouterIsAnsweredPieceByPiece()
        {
            var h = Connected();
            var request = EchoV4(RouterHarness.ClientIp, RouterHarness.RouterIp, 2000);
            h.Lan.Sent.Clear();
            foreach (var f in SplitV4(request, 1500)) h.Lan.Inbox.Enqueue(Frame(h, f));
            h.Router.Poll(h.Now);
            var frames = h.Lan.Sent.Where(f => f.Length > 34 && f[12] == 8 && f[23] == 1).ToList();
            Assert.Equal(2, frames.Count);
            Assert.All(frames, f => Assert.True(MacAddress.Equal(f, 0, RouterHarness.ClientMac, 0)));
            var answer = ReassembleV4(frames.Select(f => f.Skip(14).ToArray()));
            Assert.Equal(RouterHarness.RouterIp, Endian.Read32(answer, 12));
            Assert.Equal(RouterHarness.ClientIp, Endian.Read32(answer, 16));
            Assert.Equal(0, answer[20]);
            Assert.Equal(0, InternetChecksum.Compute(answer, 20, answer.Length - 20));
            Assert.Equal(request.Skip(24), answer.Skip(24));
            Assert.Equal(2, h.Router.Nat.Fragments.Counters[FragmentCounter.EchoReflected]);
        }

        [Fact]
        public void Ping6With1400BytesToTheRouterFragmentedAt1280IsAnswered()
        {
            var h = Connected();
            var request = EchoV6(ClientUla, RouterUla, 1400);
            h.Lan.Sent.Clear();
            foreach (var f in SplitV6(request, 1280, 0x1234)) h.Lan.Inbox.Enqueue(Frame(h, f, true));
            h.Router.Poll(h.Now);
            var frames = h.Lan.Sent.Where(f => f.Length > 54 && f[12] == 0x86 && f[13] == 0xDD && f[14 + 6] == 44).ToList();
            Assert.Equal(2, frames.Count);
            var answer = ReassembleV6(frames.Select(f => f.Skip(14).ToArray()));
            Assert.True(Ipv6Address.Equal(answer, 8, RouterUla, 0) && Ipv6Address.Equal(answer, 24, ClientUla, 0));
            Assert.Equal(129, answer[40]);
            uint pseudo = InternetChecksum.PseudoHeaderV6(answer, 8, 24, 58, answer.Length - 40);
            Assert.Equal(0, InternetChecksum.Finish(InternetChecksum.Add(pseudo, answer, 40, answer.Length - 40)));
            Assert.Equal(request.Skip(44), answer.Skip(44));
        }

        [Theory]
        [InlineData(4000)]
        [InlineData(9000)]
        public void AJumboDontFragmentFrameGetsFragmentationNeededWithTheTunnelMtu(int size)
        {
            var h = Connected();
            h.Lan.Sent.Clear();
            var big = EchoV4(RouterHarness.ClientIp, RouterHarness.Origin, size - 28, df: true);
            h.Lan.Inbox.Enqueue(Frame(h, big));
            h.Router.Poll(h.Now);
            var error = h.Lan.Sent.Single();
            Assert.Equal(1, error[14 + 9]);
            Assert.Equal(3, error[34]);
            Assert.Equal(4, error[35]);
            Assert.Equal(1280, Endian.Read16(error, 34 + 6));
            Assert.Equal(RouterHarness.ClientIp, Endian.Read32(error, 14 + 16));
            Assert.Equal(0, InternetChecksum.Compute(error, 34, error.Length - 34));
            Assert.Equal(big.Take(28), error.Skip(42).Take(28)); // the quote is the host's own packet
            Assert.Equal(0, h.Router.Counters[RouterCounter.DropMalformedFrame]);

            // IPv6: packet too big with 1280.
            h.Lan.Sent.Clear();
            h.Lan.Inbox.Enqueue(Frame(h, EchoV6(ClientUla, OriginV6, size - 48), true));
            h.Router.Poll(h.Now);
            error = h.Lan.Sent.Single();
            Assert.Equal(2, error[14 + 40]);
            Assert.Equal(1280u, Endian.Read32(error, 14 + 44));

            // Without DF it cannot be split (only its start is here): dropped and counted, no answer.
            h.Lan.Sent.Clear();
            long before = h.Router.Nat.Counters[NatCounter.DropTooBig];
            h.Lan.Inbox.Enqueue(Frame(h, EchoV4(RouterHarness.ClientIp, RouterHarness.Origin, size - 28, df: false)));
            h.Router.Poll(h.Now);
            Assert.Empty(h.Lan.Sent);
            Assert.Equal(before + 1, h.Router.Nat.Counters[NatCounter.DropTooBig]);
        }

        [Fact]
        public void TcpToTheRoutersPort53GoesToTheResolverThroughTheTunnel()
        {
            var h = Connected();
            var syn = new byte[40];
            Ipv4Packet.WriteHeader(syn, 0, 40, 5, true, 64, Ipv4Packet.ProtocolTcp, RouterHarness.ClientIp, RouterHarness.RouterIp);
            Endian.Write16(syn, 20, 45000);
            Endian.Write16(syn, 22, 53);
            syn[32] = 5 << 4;
            syn[33] = TcpSegment.FlagSyn;
            Endian.Write16(syn, 34, 65535);
            uint pseudo = InternetChecksum.PseudoHeaderV4(syn, 0, 6, 20);
            Endian.Write16(syn, 36, InternetChecksum.Finish(InternetChecksum.Add(pseudo, syn, 20, 20)));
            h.Lan.Inbox.Enqueue(Frame(h, syn));
            h.Router.Poll(h.Now);
            var p = h.ExchangeWithPeer().Single();
            Assert.Equal(6, p[9]);
            Assert.Equal(0xC6120035u, Endian.Read32(p, 16)); // the configured resolver, 198.18.0.53
            Assert.Equal(53, Endian.Read16(p, 22));
            Assert.Equal(0, h.Router.Lan.Counters[Warp.Protocol.Lan.LanCounter.DropToRouterUnhandled]);
        }

        [Fact]
        public void NatShowsIpv6RemotesByAddressOnTheLinuxHostAndByFingerprintOnTheDevice()
        {
            foreach (var sizes in new[] { RouterSizes.LinuxHost(), RouterSizes.Esp32NoPsram() })
            {
                var h = Connected(sizes);
                var p = new byte[48 + 4];
                Ipv6Packet.WriteHeader(p, 0, 12, 17, 64, ClientUla, 0, OriginV6, 0);
                UdpDatagram.WriteHeader(p, 40, 5000, 7000, 12);
                Assert.True(Ipv6Packet.TryCreate(p, 0, p.Length, out var ip));
                Assert.True(UdpDatagram.TryCreate(p, 40, 12, out var udp));
                udp.UpdateChecksum(ip.PseudoHeaderSum());
                h.Lan.Inbox.Enqueue(Frame(h, p, true));
                h.Router.Poll(h.Now);
                var lines = new LinesOutput();
                RouterConsole.NatRecords(h.Router, h.Now, lines);
                var record = lines.All.Single(l => l.Contains("family=6"));
                if (sizes.NatRemoteV6Addresses)
                    Assert.Contains("remote=fd10:251:2::80 ", record);
                else
                    Assert.Matches("remote=#[0-9a-f]{8} ", record);
                lines = new LinesOutput();
                RouterConsole.NatTable(h.Router, h.Now, lines);
                Assert.Contains(sizes.NatRemoteV6Addresses ? "[fd10:251:2::80]:7000" : "]:7000", lines.Text);
            }
        }
    }
}

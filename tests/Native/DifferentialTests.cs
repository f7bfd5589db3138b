using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The native fast path against the managed core, byte for byte (see <see cref="Harness"/>): seeded
    /// random flows and packets (100,000 in all, IPv4 and IPv6, TCP, UDP and ICMP echo, both
    /// directions, with malformed, unusual, replayed, reordered, corrupted and late ones mixed in),
    /// every captured pcap, and the replay window at its edges.
    /// </summary>
    public class DifferentialTests
    {
        readonly ITestOutputHelper output;
        public DifferentialTests(ITestOutputHelper output) { this.output = output; }

        sealed class Flow
        {
            public bool V6;
            public byte Proto;
            public byte[] Lan, Mac, Remote;
            public int LanPort, RemotePort;
        }

        static byte[] HostV4(int i) => new byte[] { 192, 168, 4, (byte)(10 + i) };
        static byte[] HostV6(int i) => new byte[] { 0xfd, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)(0x10 + i) };
        static byte[] MacOf(int i) => new byte[] { 0x02, 0xAA, 0, 0, 0, (byte)(i + 1) };

        static byte[] Payload(Random rnd, int n) { var p = new byte[n]; rnd.NextBytes(p); return p; }

        [Theory]
        [InlineData(1, 25000)]
        [InlineData(2, 25000)]
        [InlineData(3, 25000)]
        [InlineData(4, 25000)]
        public void RandomFlowsAndPacketsMatchTheManagedCore(int seed, int packets)
        {
            var rnd = new Random(seed);
            using var h = new Harness(seed, endpointIndependent: seed % 2 == 0);
            for (int i = 0; i < 8; i++)
            {
                h.Bind(HostV4(i), MacOf(i));
                h.Bind(HostV6(i), MacOf(i));
            }
            var flows = new List<Flow>();
            for (int i = 0; i < 48; i++)
            {
                bool v6 = rnd.Next(2) == 0;
                int host = rnd.Next(8);
                byte proto = new[] { Packets.Tcp, Packets.Udp, v6 ? Packets.Icmpv6 : Packets.Icmp }[rnd.Next(3)];
                var remote = v6 ? new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, (byte)rnd.Next(256), 0, 0, 0, 0, 0, 0, 0, 0, (byte)rnd.Next(256), (byte)rnd.Next(1, 256) }
                                : new byte[] { (byte)new[] { 93, 198, 1, 104 }[rnd.Next(4)], (byte)rnd.Next(256), (byte)rnd.Next(256), (byte)rnd.Next(1, 255) };
                bool icmp = proto == Packets.Icmp || proto == Packets.Icmpv6;
                flows.Add(new Flow
                {
                    V6 = v6, Proto = proto, Lan = v6 ? HostV6(host) : HostV4(host), Mac = MacOf(host), Remote = remote,
                    LanPort = rnd.Next(1024, 65536), RemotePort = icmp ? 0 : new[] { 443, 80, 53, 123, 51413, rnd.Next(1, 65536) }[rnd.Next(6)],
                });
            }
            var held = new List<byte[]>();
            int mustCarryOut = 0, mustCarryIn = 0;
            for (int op = 0; op < packets; op++)
            {
                h.Now += 1;
                h.ExpireFlows();
                var f = flows[rnd.Next(flows.Count)];
                bool offloaded = h.IsOffloaded(f.V6, f.Proto, f.Lan, f.LanPort, f.Remote, f.RemotePort);
                int session = NatOffload.FindSession(h.Nat, f.V6, f.Proto, f.Lan, 0, f.LanPort, f.Remote, 0, f.RemotePort, h.Now);
                if (session < 0 || rnd.Next(2) == 0)
                {
                    bool plain = Outbound(h, rnd, f, out byte[] frame);
                    bool must = offloaded && session >= 0 && plain;
                    mustCarryOut += must ? 1 : 0;
                    h.FromLan(frame, must);
                }
                else
                {
                    int ext = h.Nat.Table.ExternalPort(session);
                    int kind = rnd.Next(100);
                    if (kind < 2 && held.Count > 0)
                    {
                        // A late datagram, inside the window or not: both decide alike.
                        int k = rnd.Next(held.Count);
                        h.FromUplink(held[k]);
                        held.RemoveAt(k);
                        continue;
                    }
                    bool plain = Inbound(h, rnd, f, ext, out byte[] packet);
                    byte[] datagram = h.Seal(packet);
                    if (kind < 4) { held.Add(datagram); if (held.Count > 50) held.RemoveAt(0); continue; } // delayed
                    if (kind < 6) { datagram[16 + rnd.Next(datagram.Length - 16)] ^= (byte)(1 << rnd.Next(8)); plain = false; } // corrupted on the way
                    bool must = offloaded && plain;
                    mustCarryIn += must ? 1 : 0;
                    h.FromUplink(datagram, must);
                    if (kind < 8)
                        h.FromUplink(datagram); // replayed
                    else if (kind < 9)
                        h.FromUplink(h.Seal(new byte[0])); // a keepalive
                    else if (kind < 10)
                        h.FromUplink(h.Seal(Payload(rnd, 1 + rnd.Next(40)).Select((b, i) => i == 0 ? (byte)0x10 : b).ToArray())); // not an IP packet
                }
            }
            output.WriteLine($"seed {seed}: {packets} packets; fast path carried {h.Carried} out ({mustCarryOut} required) and {h.CarriedIn} in ({mustCarryIn} required); " +
                $"handed up {h.HandedUp} frames and {h.HandedUpIn} decrypted packets; {h.Dropped} dropped alike; {h.Keepalives} keepalives; {h.Exports} exports");
            Assert.True(h.Carried > packets / 5 && h.CarriedIn > packets / 5, "the fast path carried too little to compare");
            Assert.True(h.HandedUp > 0 && h.HandedUpIn > 0 && h.Dropped > 0 && h.Keepalives > 0);
        }

        /// <summary>A LAN packet of the flow; true when it is plain (the fast path must carry it once the flow is offloaded).</summary>
        static bool Outbound(Harness h, Random rnd, Flow f, out byte[] frame)
        {
            bool icmp = f.Proto != Packets.Tcp && f.Proto != Packets.Udp;
            byte flags = (byte)(rnd.Next(10) == 0 ? new byte[] { 0x12, 0x11, 0x04, 0x02, 0x14 }[rnd.Next(5)] : new byte[] { 0x10, 0x18 }[rnd.Next(2)]);
            bool plain = (flags & 0x07) == 0;
            int room = 1280 - (f.V6 ? 40 : 20) - (f.Proto == Packets.Tcp ? 20 : 8);
            int size = rnd.Next(30) == 0 ? room + 1 + rnd.Next(100) : rnd.Next(Math.Min(room, 1400) + 1);
            if (size > room) plain = false;
            var l4 = Packets.Transport(f.Proto, f.V6, f.LanPort, f.RemotePort, flags, true, Payload(rnd, size));
            int mutation = rnd.Next(12) == 0 ? rnd.Next(9) : -1;
            byte ttl = (byte)(mutation == 0 ? 1 : rnd.Next(2, 256));
            int options = !f.V6 && rnd.Next(20) == 0 ? 1 + rnd.Next(3) : 0; // IPv4 options: a longer header, still plain
            if (20 + 4 * options + l4.Length > 1280)
                plain = false;
            byte[] ip = f.V6 ? Packets.V6(f.Lan, f.Remote, f.Proto, l4, ttl) : Packets.V4(f.Lan, f.Remote, f.Proto, l4, ttl, (ushort)(mutation == 1 ? 0x2000 : rnd.Next(2) * 0x4000), options);
            byte[] src = f.Mac, dst = Harness.RouterMac;
            int hl = f.V6 ? 40 : 20 + 4 * options;
            switch (mutation)
            {
                case 0: plain = false; break;                                   // TTL 1: the router answers it
                case 1: plain &= f.V6; break;                                   // IPv4 MF: a fragment
                case 2: if (!f.V6) { ip[10] ^= 0x40; plain = false; } break;    // bad IPv4 header checksum
                case 3: src = new byte[] { 2, 0xBB, 0, 0, 0, 9 }; plain = false; break; // a MAC the address is not bound to
                case 4: dst = new byte[] { 2, 0xCC, 0, 0, 0, 1 }; plain = false; break; // not addressed to the router
                case 5: if (f.Proto == Packets.Udp) { ip[hl + 6] = 0; ip[hl + 7] = 0; plain &= !f.V6; } break; // no UDP checksum (IPv4 only)
                case 6: if (icmp) { ip[hl] = 13; Packets.FixChecksums(ip); plain = false; } break; // not an echo request
                case 7: if (f.Proto == Packets.Tcp) { ip[hl + 12] = 0xF0; Packets.FixChecksums(ip); plain = false; } break; // data offset past the end
                case 8: ip[hl + (f.Proto == Packets.Tcp ? 16 : f.Proto == Packets.Udp ? 6 : 2)] ^= 0x11; break; // a wrong transport checksum: translated, not checked, by both
            }
            frame = Packets.Frame(dst, src, ip);
            if (rnd.Next(40) == 0)
            {
                Array.Resize(ref frame, frame.Length - 1 - rnd.Next(8)); // cut short
                plain = false;
            }
            return plain;
        }

        /// <summary>A packet from the flow's remote to the tunnel address and the session's external port; true when plain.</summary>
        static bool Inbound(Harness h, Random rnd, Flow f, int ext, out byte[] ip)
        {
            bool icmp = f.Proto != Packets.Tcp && f.Proto != Packets.Udp;
            byte flags = (byte)(rnd.Next(10) == 0 ? new byte[] { 0x12, 0x11, 0x04, 0x02 }[rnd.Next(4)] : new byte[] { 0x10, 0x18 }[rnd.Next(2)]);
            bool plain = (flags & 0x07) == 0;
            int room = 1280 - (f.V6 ? 40 : 20) - (f.Proto == Packets.Tcp ? 20 : 8);
            int size = rnd.Next(30) == 0 ? room + 1 + rnd.Next(100) : rnd.Next(room + 1);
            if (size > room) plain = false;
            int mutation = rnd.Next(12) == 0 ? rnd.Next(6) : -1;
            int remotePort = mutation == 0 && !icmp ? f.RemotePort + 1 : f.RemotePort;
            var l4 = Packets.Transport(f.Proto, f.V6, icmp ? ext : remotePort, ext, flags, false, Payload(rnd, size));
            byte[] extAddress = f.V6 ? Harness.ExtV6 : Harness.ExtV4;
            int options = !f.V6 && rnd.Next(20) == 0 ? 1 + rnd.Next(3) : 0;
            if (20 + 4 * options + l4.Length > 1280)
                plain = false;
            ip = f.V6 ? Packets.V6(f.Remote, extAddress, f.Proto, l4) : Packets.V4(f.Remote, extAddress, f.Proto, l4, 57, (ushort)(mutation == 1 ? 0x2000 : 0), options);
            int hl = f.V6 ? 40 : 20 + 4 * options;
            switch (mutation)
            {
                case 0: if (!icmp) plain = false; break;                      // another remote port: the filter's, not an exact session
                case 1: plain &= f.V6; break;                                 // IPv4 fragment
                case 2: if (!f.V6) { ip[11] ^= 1; plain = false; } break;     // bad header checksum
                case 3: if (icmp) { ip[hl] = (byte)(f.V6 ? 128 : 8); Packets.FixChecksums(ip); plain = false; } break; // an echo request from outside
                case 4: ip[hl + 3 + (icmp ? 4 : 0)] ^= 0x20; plain = icmp ? false : plain; if (!icmp) { } break; // the port or identifier itself differs
                case 5: ip[ip.Length - 1] ^= 0xFF; break;                     // a wrong transport checksum
            }
            if (mutation == 4)
                plain = false;
            return plain;
        }

        // ---------------------------------------------------------------- captures

        public static IEnumerable<object[]> Fixtures()
        {
            return Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.pcap").Select(f => new object[] { Path.GetFileName(f) });
        }

        /// <summary>
        /// Every capture (tests/Warp.Protocol.Tests/Fixtures, made by capture.sh): the client's packets
        /// (10.99.0.1, fd00:99::1) go out as LAN frames, the server's come back through the tunnel
        /// addressed to the session's external address and port (checksums recomputed). The managed
        /// core handles each flow's first packets; once a session is established it is offloaded and
        /// the rest must match byte for byte.
        /// </summary>
        [Theory]
        [MemberData(nameof(Fixtures))]
        public void CapturesMatchTheManagedCore(string fixture)
        {
            var client4 = new byte[] { 10, 99, 0, 1 };
            var client6 = new byte[] { 0xfd, 0, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
            var clientMac = new byte[] { 0x02, 0x99, 0, 0, 0, 1 };
            using var h = new Harness(fixture.Length, mtu: 1500, maxPacket: 1500, endpointIndependent: true);
            h.Bind(client4, clientMac);
            h.Bind(client6, clientMac);
            int frames = 0;
            foreach (var raw in Pcap.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)))
            {
                h.Now += 5;
                h.ExpireFlows();
                int type = raw.Length >= 14 ? Endian.Read16(raw, 12) : 0;
                if (type != 0x0800 && type != 0x86DD)
                    continue;
                var ip = Harness.Copy(raw, 14, raw.Length - 14);
                bool v6 = type == 0x86DD;
                int n = v6 ? 16 : 4;
                var src = Harness.Copy(ip, v6 ? 8 : 12, n);
                var dst = Harness.Copy(ip, v6 ? 24 : 16, n);
                frames++;
                if (src.SequenceEqual(v6 ? client6 : client4))
                {
                    h.FromLan(Packets.Frame(Harness.RouterMac, clientMac, ip));
                }
                else if (dst.SequenceEqual(v6 ? client6 : client4))
                {
                    var arriving = ToTunnelSide(h, ip, v6);
                    if (arriving != null)
                        h.FromUplink(h.Seal(arriving));
                }
            }
            output.WriteLine($"{fixture}: {frames} IP frames; fast path carried {h.Carried} out, {h.CarriedIn} in; handed up {h.HandedUp} and {h.HandedUpIn}; {h.Exports} exports");
            Assert.True(frames > 0);
            if (fixture.StartsWith("tcp-http") || fixture.StartsWith("udp-dns") || fixture.StartsWith("icmp-echo") || fixture.StartsWith("arp-icmp"))
                Assert.True(h.Carried + h.CarriedIn > 0, fixture + ": an established flow was never carried by the fast path");
        }

        /// <summary>The server's packet as it comes out of the tunnel: to the external address and the session's port; null when no session.</summary>
        static byte[] ToTunnelSide(Harness h, byte[] ip, bool v6)
        {
            int hl = v6 ? 40 : (ip[0] & 15) * 4;
            byte proto = v6 ? ip[6] : ip[9];
            bool fragment = v6 ? proto == 44 : (Endian.Read16(ip, 6) & 0x3FFF) != 0;
            if (fragment || (proto != Packets.Tcp && proto != Packets.Udp && proto != (v6 ? Packets.Icmpv6 : Packets.Icmp)) || ip.Length < hl + 8)
                return null; // extension headers, fragments: their own tests (NatFragmentTests) cover the managed side
            bool icmp = proto != Packets.Tcp && proto != Packets.Udp;
            if (icmp && ip[hl] != (v6 ? 129 : 0))
                return null; // errors quote the original: the managed NAT's own tests
            int n = v6 ? 16 : 4;
            var remote = Harness.Copy(ip, v6 ? 8 : 12, n);
            var lan = Harness.Copy(ip, v6 ? 24 : 16, n);
            int lanPort = icmp ? Endian.Read16(ip, hl + 4) : Endian.Read16(ip, hl + 2);
            int remotePort = icmp ? 0 : Endian.Read16(ip, hl);
            int session = NatOffload.FindSession(h.Nat, v6, proto, lan, 0, lanPort, remote, 0, remotePort, h.Now);
            if (session < 0)
                return null;
            var p = (byte[])ip.Clone();
            Array.Copy(v6 ? Harness.ExtV6 : Harness.ExtV4, 0, p, v6 ? 24 : 16, n);
            Endian.Write16(p, hl + (icmp ? 4 : 2), h.Nat.Table.ExternalPort(session));
            Packets.FixChecksums(p);
            return p;
        }

        // ---------------------------------------------------------------- the replay window

        /// <summary>
        /// Reordering inside the window, duplicates, a counter just inside and just outside the window
        /// (8,128 behind the greatest with 128 words), and the same again after the window state has
        /// gone down to the fast path and back: both sides accept and refuse the same counters.
        /// </summary>
        [Fact]
        public void ReplayAndReorderingAgreeAtTheWindowsEdges()
        {
            using var h = new Harness(77);
            var host = new byte[] { 192, 168, 4, 10 };
            var mac = new byte[] { 2, 0xAA, 0, 0, 0, 1 };
            var remote = new byte[] { 93, 184, 216, 34 };
            h.Bind(host, mac);
            h.FromLan(Packets.Frame(Harness.RouterMac, mac, Packets.V4(host, remote, Packets.Udp, Packets.Transport(Packets.Udp, false, 5000, 443, 0, true, new byte[10]))));
            Assert.True(h.IsOffloaded(false, Packets.Udp, host, 5000, remote, 443));
            int session = NatOffload.FindSession(h.Nat, false, Packets.Udp, host, 0, 5000, remote, 0, 443, h.Now);
            int ext = h.Nat.Table.ExternalPort(session);
            byte[] Packet(int i) => Packets.V4(remote, Harness.ExtV4, Packets.Udp, Packets.Transport(Packets.Udp, false, 443, ext, 0, false, BitConverter.GetBytes(i)));

            var first = Enumerable.Range(0, 200).Select(i => h.Seal(Packet(i))).ToList();
            var rnd = new Random(5);
            var order = Enumerable.Range(0, 200).OrderBy(_ => rnd.Next()).ToList();
            foreach (int i in order)
                Assert.Equal(Native.ToLan, h.FromUplink(first[i], mustCarry: true)); // any order inside the window
            foreach (int i in order.Take(20))
                Assert.Equal(Native.Dropped, h.FromUplink(first[i])); // each again: replayed

            // Push the greatest counter 8,128 past a held datagram: 8,128 behind is still accepted, 8,129 is not.
            var justInside = h.Seal(Packet(1000));  // counter 200 + 1 (B's handshake data took 0)
            var justOutside = h.Seal(Packet(1001));
            for (int i = 0; i < 8127; i++)
                h.Seal(Packet(2000)); // B advances its counter; these never arrive
            var far = h.Seal(Packet(3000));
            Assert.Equal(Native.ToLan, h.FromUplink(far));
            Assert.Equal(Native.Dropped, h.FromUplink(justInside));   // 8,129 behind
            Assert.Equal(Native.ToLan, h.FromUplink(justOutside));    // 8,128 behind: the window's far edge
            Assert.True(h.Dropped >= 21);

            // The window goes back to the managed tunnel and down again: the same counters stay refused.
            var state = new byte[h.A.OffloadStateSize];
            Assert.Equal(state.Length, Native.wn_host_get_keypair(h.Fp, state, state.Length, h.Now));
            Assert.True(h.A.ImportKeypairState(0, state, 0, state.Length));
            h.InstallKeypair();
            Assert.Equal(Native.Dropped, h.FromUplink(first[order[0]]));
            Assert.Equal(Native.Dropped, h.FromUplink(far));
            Assert.Equal(Native.ToLan, h.FromUplink(h.Seal(Packet(4000)), mustCarry: true));
        }

        /// <summary>
        /// Counters after a flush: the fast path's send counter comes back into the tunnel, which goes on
        /// from it (no nonce twice), the native keys are wiped (nothing carried any more), and the managed
        /// core's datagrams are accepted by the peer in order.
        /// </summary>
        [Fact]
        public void AFlushHandsTheCountersBackAndNoNonceIsUsedTwice()
        {
            using var h = new Harness(91);
            var host = new byte[] { 192, 168, 4, 20 };
            var mac = new byte[] { 2, 0xAA, 0, 0, 0, 2 };
            var remote = new byte[] { 1, 1, 1, 1 };
            h.Bind(host, mac);
            byte[] Frame(int i) => Packets.Frame(Harness.RouterMac, mac, Packets.V4(host, remote, Packets.Udp, Packets.Transport(Packets.Udp, false, 6000, 443, 0, true, BitConverter.GetBytes(i))));
            var counters = new HashSet<ulong>();
            var buf = new byte[2048];
            for (int i = 0; i < 50; i++)
            {
                var d = h.FromLan(Frame(i), mustCarry: i > 0);
                Assert.True(counters.Add(Endian.Read64LE(d, 8)), "counter used twice");
                d[1] = d[2] = d[3] = 0;
                Assert.Equal(TunnelAction.WriteToLan, h.B.Decapsulate(null, d, 0, d.Length, buf, 0, h.Now).Action);
            }
            var state = new byte[h.A.OffloadStateSize];
            Assert.Equal(state.Length, Native.wn_host_get_keypair(h.Fp, state, state.Length, h.Now));
            for (int i = 48; i < 112; i++)
                Assert.Equal(0, state[i]); // no key comes back up
            Native.wn_host_flush(h.Fp);
            Assert.True(h.A.ReclaimKeypair(0, state, 0, state.Length)); // the tunnel owns its counter again
            Assert.Equal(0, h.OffloadedFlows);
            Assert.Equal(ulong.MaxValue, Native.wn_host_take_send_counter(h.Fp));
            // The managed tunnel alone now: its counters continue after the fast path's.
            var packet = Packets.V4(new byte[] { 172, 16, 0, 2 }, remote, Packets.Udp, Packets.Transport(Packets.Udp, false, 1, 443, 0, true, new byte[8]));
            var r = h.A.Encapsulate(0, packet, 0, packet.Length, buf, 0, h.Now);
            Assert.Equal(TunnelAction.WriteToNetwork, r.Action);
            Assert.True(counters.Add(Endian.Read64LE(buf, 8)));
            Assert.Equal(counters.Max(), Endian.Read64LE(buf, 8));
            buf[1] = buf[2] = buf[3] = 0;
            var back = new byte[2048];
            Assert.Equal(TunnelAction.WriteToLan, h.B.Decapsulate(null, buf, 0, r.Length, back, 0, h.Now).Action);
            // Nothing is carried after the flush.
            Native.wn_host_from_lan(h.Fp, Frame(99), Frame(99).Length, buf, buf.Length, h.Now, out int action, out _);
            Assert.Equal(Native.Punt, action);
        }

        /// <summary>Activity the fast path saw keeps the NAT session alive (ApplyActivity), and a session past its deadline is reported gone.</summary>
        [Fact]
        public void ActivityFromTheFastPathRefreshesTheSession()
        {
            using var h = new Harness(5);
            var host = new byte[] { 192, 168, 4, 30 };
            var mac = new byte[] { 2, 0xAA, 0, 0, 0, 3 };
            var remote = new byte[] { 8, 8, 4, 4 };
            h.Bind(host, mac);
            byte[] Frame() => Packets.Frame(Harness.RouterMac, mac, Packets.V4(host, remote, Packets.Udp, Packets.Transport(Packets.Udp, false, 7000, 4500, 0, true, new byte[16])));
            h.FromLan(Frame());
            int slot = h.Offload(false, Packets.Udp, host, 7000, remote, 4500);
            int session = NatOffload.FindSession(h.Nat, false, Packets.Udp, host, 0, 7000, remote, 0, 4500, h.Now);
            long start = h.Now;
            var buf = new byte[2048];
            var activity = new long[4];
            // The fast path alone carries packets for 100 s (the managed core does not see them).
            h.Now += 100_000;
            Native.wn_host_from_lan(h.Fp, Frame(), Frame().Length, buf, buf.Length, h.Now, out int action, out _);
            Assert.Equal(Native.ToNetwork, action);
            h.Now += 250_000; // 350 s after the session's last managed refresh: past the 300 s UDP timeout
            Assert.True(h.Nat.Table.IsExpired(session, h.Now));
            Assert.True(Native.wn_host_flow_activity(h.Fp, slot, h.Now, activity));
            Assert.Equal(250_000, activity[0]);
            Assert.Equal(1, activity[2]);
            Assert.True(NatOffload.ApplyActivity(h.Nat, session, activity[2], activity[0], activity[3], activity[1], h.Now));
            Assert.False(h.Nat.Table.IsExpired(session, h.Now));
            Assert.Equal(start + 100_000 + 300_000 - h.Now, h.Nat.Table.Remaining(session, h.Now));
            // No activity: the session runs out and the caller is told.
            h.Now += 60_000;
            Assert.False(NatOffload.ApplyActivity(h.Nat, session, 0, 0, 0, 0, h.Now));
        }
    }
}

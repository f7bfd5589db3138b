using System;
using System.Collections.Generic;
using Warp.Firmware;
using Warp.Firmware.Tests;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.TestKit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Fuzz
{
    /// <summary>
    /// LAN frames through the whole Router: the router of the firmware tests' RouterHarness (LAN
    /// and uplink in memory, a real peer Tunnel as the WARP edge, one fake clock), built fresh per
    /// input, with its LAN client already leased an address.
    /// <code>
    ///  0  frame    the body is an Ethernet frame on the LAN, as it is
    ///  1  client   the body is an IP packet from the leased client: an Ethernet header from the
    ///              client's MAC to the router's is added; an IPv4 source becomes the client's
    ///              address (header checksum fixed) so source validation lets it through
    ///  2  peer     the peer sends the body through the tunnel to the router (with a session)
    ///  3  reflect  the peer answers the last packet it received (addresses and ports swapped,
    ///              checksums right), the body XORed over the answer
    ///  4  time     the clock moves by the body's first two bytes × 10 ms; Poll; datagrams go
    ///              between router and peer until quiet
    ///  5  uplink   the body is a datagram from the peer's endpoint, as it is
    /// </code>
    /// A finding: anything thrown, or a frame or datagram the router sends that does not fit the
    /// LAN (14 to 1518 bytes) or its packet buffer.
    /// </summary>
    sealed class RouterTarget : ITarget
    {
        const int Kinds = 6;
        static readonly int PacketBuffer = RouterSizes.LinuxHost().PacketBuffer;
        public string Name { get { return "router"; } }

        sealed class Session
        {
            public readonly RouterHarness H = new RouterHarness(clientId: TunnelTarget.ClientIdValue);
            readonly byte[] peerOut = new byte[2048];
            byte[] lastDelivered;
            /// <summary>When set, the packets the peer received are kept (seed making).</summary>
            public List<byte[]> Delivered;

            public void Frame(byte[] frame)
            {
                H.Lan.Inbox.Enqueue(frame);
                H.Router.Poll(H.Now);
                Exchange();
            }

            public void FromClient(byte[] data, int offset, int length)
            {
                var f = new byte[14 + length];
                Array.Copy(H.Lan.Mac, 0, f, 0, 6);
                Array.Copy(RouterHarness.ClientMac, 0, f, 6, 6);
                bool v6 = length > 0 && data[offset] >> 4 == 6;
                f[12] = v6 ? (byte)0x86 : (byte)0x08;
                f[13] = v6 ? (byte)0xDD : (byte)0x00;
                Array.Copy(data, offset, f, 14, length);
                if (!v6 && length >= 20)
                {
                    int ihl = (f[14] & 15) * 4;
                    Endian.Write32(f, 14 + 12, RouterHarness.ClientIp);
                    if (ihl >= 20 && ihl <= length)
                    {
                        Endian.Write16(f, 14 + 10, 0);
                        Endian.Write16(f, 14 + 10, InternetChecksum.Compute(f, 14, ihl));
                    }
                }
                Frame(f);
            }

            public void PeerSends(byte[] packet, int offset, int length)
            {
                var r = H.Peer.Encapsulate(0, packet, offset, length, peerOut, 0, H.Now);
                if (r.Action != TunnelAction.WriteToNetwork) return;
                H.Uplink.Inbox.Enqueue(Check.Slice(peerOut, 0, r.Length));
                H.Router.Poll(H.Now);
                Exchange();
            }

            public void Reflect(byte[] data, int offset, int length)
            {
                if (lastDelivered == null || lastDelivered.Length < 28) return;
                byte[] p;
                try { p = Reply(lastDelivered); }
                catch (Xunit.Sdk.XunitException) { return; } // a packet the test kit cannot answer (a fragment, say)
                for (int i = 0; i < length && i < p.Length; i++) p[i] ^= data[offset + i];
                PeerSends(p, 0, p.Length);
            }

            public void Advance(byte[] data, int offset, int length)
            {
                int step = length >= 2 ? (data[offset] << 8) | data[offset + 1] : length == 1 ? data[offset] : 1;
                H.Now += step * 10L;
                H.Router.Poll(H.Now);
                Exchange();
            }

            public void Datagram(byte[] data, int offset, int length)
            {
                H.Uplink.Inbox.Enqueue(Check.Slice(data, offset, Math.Min(length, PacketBuffer)));
                H.Router.Poll(H.Now);
                Exchange();
            }

            /// <summary>What the router sent: checked, carried to the peer and answered; the LAN's frames dropped.</summary>
            void Exchange()
            {
                foreach (var d in H.Uplink.Sent)
                    Check.That(d.Length > 0 && d.Length <= PacketBuffer, "datagram of " + d.Length + " bytes");
                foreach (var delivered in H.ExchangeWithPeer())
                {
                    lastDelivered = delivered;
                    if (Delivered != null) Delivered.Add(delivered);
                }
                foreach (var f in H.Lan.Sent)
                    Check.That(f.Length >= 14 && f.Length <= 1518, "LAN frame of " + f.Length + " bytes");
                H.Lan.Sent.Clear();
                H.Uplink.Sent.Clear();
            }
        }

        public void Run(byte[] input)
        {
            var s = new Session();
            var router = s.H.Router;
            Check.Last = new Warp.Protocol.CounterSet[] { router.Counters, router.Tunnel.Counters, router.Nat.Counters, router.Lan.Counters };
            Run(s, input);
        }

        static void Run(Session s, byte[] input)
        {
            var r = new RecordReader(input);
            byte[] data = r.Data;
            while (r.Next(Kinds, out int kind, out int offset, out int length))
            {
                switch (kind)
                {
                    case 0: s.Frame(Check.Slice(data, offset, length)); break;
                    case 1: s.FromClient(data, offset, length); break;
                    case 2: s.PeerSends(data, offset, length); break;
                    case 3: s.Reflect(data, offset, length); break;
                    case 4: s.Advance(data, offset, length); break;
                    default: s.Datagram(data, offset, length); break;
                }
            }
        }

        public IEnumerable<KeyValuePair<string, byte[]>> Seeds()
        {
            var frames = SeedPackets.Frames();
            var packets = SeedPackets.IpPackets(1500);
            // Captured packets from the client, each answered by the peer; the router's own
            // services (ARP, echo, DNS, neighbour discovery) get the captured frames as they are.
            for (int i = 0; i < packets.Count; i += 4)
            {
                var w = new RecordWriter();
                for (int k = i; k < Math.Min(i + 4, packets.Count); k++)
                    w.Add(1, packets[k]).Add(3);
                w.Add(4, new byte[] { 0x03, 0xE8 }).Add(3);
                yield return new KeyValuePair<string, byte[]>("pcap-client-" + (i / 4), w.ToArray());
            }
            for (int i = 0; i < frames.Count; i += 8)
            {
                var w = new RecordWriter();
                for (int k = i; k < Math.Min(i + 8, frames.Count); k++)
                    w.Add(0, frames[k]);
                yield return new KeyValuePair<string, byte[]>("pcap-frames-" + (i / 8), w.ToArray());
            }
            // A built UDP exchange and the router's own services, then a long wait (rekey, keepalives).
            var h = new RouterHarness(clientId: TunnelTarget.ClientIdValue, lease: false);
            byte[] udp = h.ClientUdpFrame(RouterHarness.Origin, 40000, 7, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
            byte[] dns = h.ClientUdpFrame(RouterHarness.RouterIp, 40001, 53, new byte[] { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, (byte)'e', (byte)'x', (byte)'a', (byte)'m', (byte)'p', (byte)'l', (byte)'e', 3, (byte)'c', (byte)'o', (byte)'m', 0, 0, 1, 0, 1 });
            yield return new KeyValuePair<string, byte[]>("udp-dns-wait", new RecordWriter().Add(0, udp).Add(3).Add(0, dns).Add(3)
                .Add(4, new byte[] { 0x2E, 0xE0 }).Add(0, udp).Add(4, new byte[] { 0xFF, 0xFF }).Add(4, new byte[] { 0xFF, 0xFF }).Add(3).ToArray());
            // The peer's datagrams of a session as raw uplink steps, and a peer-originated packet.
            var s = new Session { Delivered = new List<byte[]>() };
            s.Frame(udp);
            var raw = new RecordWriter().Add(0, udp);
            var peerPacket = UdpV4(RouterHarness.Origin, 7, RouterHarness.TunnelIp, 40000);
            raw.Add(2, peerPacket).Add(5, new byte[] { 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 });
            yield return new KeyValuePair<string, byte[]>("uplink-raw", raw.ToArray());
            Check.That(s.Delivered.Count > 0, "the seed's UDP packet did not reach the peer");
        }
    }
}

using System;
using System.Collections.Generic;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.TestKit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Fuzz
{
    /// <summary>
    /// The NAT both ways: a fresh translator (64 entries; endpoint-independent filtering when the
    /// input's first byte has its top bit set, else address-and-port-dependent) per input.
    /// <code>
    ///  0  out      the body is a packet from the LAN (TranslateOutbound, with a reply buffer)
    ///  1  in       the body is a packet from the tunnel (TranslateInbound)
    ///  2  reflect  the answer to the last packet translated out (addresses and ports swapped,
    ///              checksums right), the body XORed over it, goes in
    ///  3  icmp     an ICMP error from the remote quoting the last packet translated out, the
    ///              body XORed over it, goes in
    ///  4  time     the clock moves by the body's first two bytes × 100 ms; Tick
    /// </code>
    /// Each packet sits at offset 16 of a buffer with guard bytes either side. A finding: anything
    /// thrown; a byte outside the packet changed; a drop (or reply) not counted exactly once, or
    /// counted without one; a reply longer than its buffer.
    /// </summary>
    sealed class NatTarget : ITarget
    {
        const int Kinds = 5;
        public string Name { get { return "nat"; } }

        sealed class Session
        {
            public readonly NatTranslator Nat;
            public long Now = 100_000;
            public byte[] LastOut;
            readonly byte[] reply = new byte[1280];

            public Session(bool endpointIndependent)
            {
                var config = NatConfigFor(capacity: 64);
                if (endpointIndependent) config.Filtering = NatFiltering.EndpointIndependent;
                Nat = new NatTranslator(new NatTable(config, new SeededRandom(5), new NatCounters()));
            }

            public void Translate(byte[] data, int offset, int length, bool outbound)
            {
                var buf = new byte[length + 32];
                for (int i = 0; i < buf.Length; i++) buf[i] = 0x5A;
                Array.Copy(data, offset, buf, 16, length);
                long drops = Nat.Counters.TotalDrops;
                NatResult r = outbound ? Nat.TranslateOutbound(buf, 16, length, Now, reply, 0) : Nat.TranslateInbound(buf, 16, length, Now);
                long counted = Nat.Counters.TotalDrops - drops;
                for (int i = 0; i < 16; i++)
                    Check.That(buf[i] == 0x5A && buf[16 + length + i] == 0x5A, "the NAT wrote outside the packet");
                if (r.Action == NatAction.Dropped || r.Action == NatAction.Reply)
                {
                    Check.That(counted == 1, r.Action + " counted " + counted + " times (" + r.Reason + ")");
                    Check.That(r.Reason != NatCounter.None && Nat.Counters.IsDropAt((int)r.Reason), r.Action + " with reason " + r.Reason);
                }
                else
                    Check.That(counted == 0, r.Action + " counted a drop");
                if (r.Action == NatAction.Reply)
                    Check.That(r.ReplyLength >= 28 && r.ReplyLength <= reply.Length, "reply length " + r.ReplyLength);
                if (outbound && r.Action == NatAction.WriteToTunnel)
                    LastOut = Check.Slice(buf, 16, length);
            }

            /// <summary>The last outbound packet turned into its answer (or an ICMP error about it), with the mask XORed over it.</summary>
            public void Answer(byte[] data, int offset, int length, bool icmpError)
            {
                if (LastOut == null || LastOut.Length < 28) return;
                byte[] p;
                try
                {
                    if (!icmpError)
                        p = Reply(LastOut);
                    else if (LastOut[0] >> 4 == 4)
                        p = IcmpErrorV4(Remote2, SrcV4(LastOut), 3, 3, LastOut, 8 + (length > 0 ? data[offset] : 0));
                    else
                        p = IcmpErrorV6(Remote2v6, Slice16(LastOut, 8), 1, 4, LastOut, 48 + (length > 0 ? data[offset] : 0));
                }
                catch (Xunit.Sdk.XunitException)
                {
                    return; // a translated packet the test kit's builders cannot answer (a fragment, say)
                }
                for (int i = icmpError ? 1 : 0; i < length && i - (icmpError ? 1 : 0) < p.Length; i++)
                    p[i - (icmpError ? 1 : 0)] ^= data[offset + i];
                Translate(p, 0, p.Length, false);
            }

            static byte[] Slice16(byte[] b, int o) { var a = new byte[16]; Array.Copy(b, o, a, 0, 16); return a; }
        }

        public void Run(byte[] input)
        {
            var s = new Session(input.Length > 0 && (input[0] & 0x80) != 0);
            Check.Last = new Warp.Protocol.CounterSet[] { s.Nat.Counters };
            var r = new RecordReader(input);
            byte[] data = r.Data;
            while (r.Next(Kinds, out int kind, out int offset, out int length))
            {
                switch (kind)
                {
                    case 0: s.Translate(data, offset, length, true); break;
                    case 1: s.Translate(data, offset, length, false); break;
                    case 2: s.Answer(data, offset, length, false); break;
                    case 3: s.Answer(data, offset, length, true); break;
                    default:
                        int step = length >= 2 ? (data[offset] << 8) | data[offset + 1] : length == 1 ? data[offset] : 1;
                        s.Now += step * 100L;
                        s.Nat.Tick(s.Now);
                        break;
                }
            }
        }

        public IEnumerable<KeyValuePair<string, byte[]>> Seeds()
        {
            var packets = SeedPackets.IpPackets(1500);
            // Captured packets out, their answers and ICMP errors about them back in; then the
            // clock, and the captures as inbound packets.
            for (int i = 0; i < packets.Count; i += 3)
            {
                var w = new RecordWriter();
                for (int k = i; k < Math.Min(i + 3, packets.Count); k++)
                    w.Add(0, packets[k]).Add(2).Add(3, new byte[] { 0 });
                w.Add(4, new byte[] { 0x01, 0x00 }).Add(2);
                if (i % 2 == 0) w.Add(1, packets[i]);
                byte[] seed = w.ToArray();
                if (i % 6 == 3) seed[0] |= 0x80;
                yield return new KeyValuePair<string, byte[]>("pcap-" + (i / 3), seed);
            }
            // Built flows: UDP, TCP handshake, echo, both families, and the DNS redirect.
            var flows = new[]
            {
                UdpV4(HostA, 40000, Remote1, 3478), TcpV4(HostB, 41000, Remote2, 443, TcpSegment.FlagSyn, 1460),
                Ipv4(HostA, Remote1, 1, Echo(8, 100)), UdpV6(HostA6, 40000, Remote1v6, 3478),
                TcpV6(HostB6, 41000, Remote2v6, 443, TcpSegment.FlagSyn, 1440), Ipv6(HostA6, Remote1v6, 58, Echo(128, 100)),
                UdpV4(HostA, 42000, RouterV4, 53), UdpV6(HostA6, 42000, RouterV6, 53),
            };
            for (int i = 0; i < flows.Length; i++)
            {
                var w = new RecordWriter().Add(0, flows[i]).Add(2).Add(3, new byte[] { 8 }).Add(4, new byte[] { 0x10, 0x00 }).Add(2).Add(4, new byte[] { 0xFF, 0xFF }).Add(2);
                yield return new KeyValuePair<string, byte[]>("flow-" + i, w.ToArray());
            }
        }
    }
}

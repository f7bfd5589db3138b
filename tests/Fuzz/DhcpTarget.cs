using System;
using System.Collections.Generic;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.TestKit;

namespace Warp.Fuzz
{
    /// <summary>
    /// The DHCP server (DhcpServer, its lease table and the lease record in the store), fresh per
    /// input: LAN 192.168.4.1/24, pool .100-.107 (8 leases), one static lease.
    /// <code>
    ///  0  message   the body is a DHCP message to port 67 (the frame's source MAC taken to be chaddr)
    ///  1  from      the body's first 6 bytes are the frame's source MAC, the rest the message
    ///  2  time      the clock moves by the body's first two bytes × 10 ms; Tick until quiet
    ///               (deferred OFFERs, further probes)
    ///  3  conflict  a host (MAC from the body) answers the last ARP probe: the address is in use
    ///  4  restart   the leases are saved, a new server loads them from the store
    ///  5  store     the body replaces the stored lease record; a new server loads it
    ///  6  wall      the wall clock becomes known (unix ms from the body's 8 bytes)
    /// </code>
    /// A finding: anything thrown; a drop whose reason is not a drop counter or is not counted
    /// once; a reply frame longer than its buffer or with a wrong IPv4 or UDP checksum.
    /// </summary>
    sealed class DhcpTarget : ITarget
    {
        const int Kinds = 7;
        static readonly byte[] RouterMac = { 0x02, 0, 0, 0, 0, 1 };
        const uint RouterIp = 0xC0A80401;
        public string Name { get { return "dhcp"; } }

        sealed class Session
        {
            readonly LanConfig config;
            public readonly MemoryStore Store = new MemoryStore();
            public DhcpServer Server;
            LanCounters counters;
            public long Now = 50_000;
            readonly byte[] output = new byte[DhcpServer.MaxReplyFrameLength + 16];
            uint probed;

            public Session()
            {
                config = new LanConfig(RouterMac, RouterIp, 24, 0xC0A80464, 0xC0A8046B);
                config.AddStaticLease(new byte[] { 0x02, 0, 0, 0, 0, 0x09 }, 0, 0xC0A80409);
                config.Validate();
                Restart();
            }

            public void Restart()
            {
                counters = new LanCounters();
                Server = new DhcpServer(config, new DhcpLeaseTable(config, 8), new NeighborTable(16, 4), counters, Store);
                Server.LoadLeases(Now);
                probed = 0;
                Check.Last = new Warp.Protocol.CounterSet[] { counters };
            }

            public void Message(byte[] data, int offset, int length, bool withSource)
            {
                var buf = new byte[length + 16];
                Array.Copy(data, offset, buf, 8, length);
                int macOffset = -1, at = 8;
                if (withSource && length >= 6)
                {
                    macOffset = 8;
                    at = 14;
                    length -= 6;
                }
                long drops = counters.TotalDrops;
                var r = Server.Handle(buf, at, length, macOffset, output, 0, Now);
                long counted = counters.TotalDrops - drops;
                if (r.Action == LanAction.Dropped)
                {
                    Check.That(counters.IsDropAt((int)r.Reason), "dropped with reason " + r.Reason);
                    Check.That(counted == 1, "a drop counted " + counted + " times (" + r.Reason + ")");
                }
                else
                    Check.That(counted == 0, r.Action + " counted a drop");
                if (r.Action == LanAction.Reply)
                    Frame(r.Length);
                Server.SaveLeases(Now);
            }

            /// <summary>Checks a frame the server wrote; remembers the address an ARP probe asks about.</summary>
            void Frame(int length)
            {
                Check.That(length >= 42 && length <= DhcpServer.MaxReplyFrameLength, "frame length " + length);
                int type = (output[12] << 8) | output[13];
                if (type == EthernetFrame.EtherTypeArp)
                {
                    probed = Endian.Read32(output, 14 + 24);
                    return;
                }
                Check.That(type == EthernetFrame.EtherTypeIpv4, "frame type " + type.ToString("x4"));
                Check.That(Ipv4Packet.TryCreate(output, 14, length - 14, out var ip) && ip.VerifyHeaderChecksum(), "IPv4 header of a reply");
                Check.That(UdpDatagram.TryCreate(output, ip.PayloadOffset, ip.PayloadLength, out var udp) && udp.VerifyChecksum(ip.PseudoHeaderSum(), true), "UDP checksum of a reply");
            }

            public void Advance(byte[] data, int offset, int length)
            {
                int step = length >= 2 ? (data[offset] << 8) | data[offset + 1] : length == 1 ? data[offset] : 50;
                Now += step * 10L;
                for (int i = 0; i < 4; i++)
                {
                    int n = Server.Tick(Now, output, 0);
                    if (n == 0) break;
                    Frame(n);
                }
                Server.SaveLeases(Now);
            }

            public void Conflict(byte[] data, int offset, int length)
            {
                if (probed == 0) return;
                var mac = new byte[] { 0x02, 0xDE, 0xAD, 0, 0, 1 };
                Array.Copy(data, offset, mac, 0, Math.Min(6, length));
                var arp = new byte[28];
                ArpPacket.Write(arp, 0, ArpPacket.OperationReply, mac, 0, probed, RouterMac, 0, RouterIp);
                if (ArpPacket.TryCreate(arp, 0, arp.Length, out var p))
                    Server.ObserveArp(p);
            }

            public void Wall(byte[] data, int offset, int length)
            {
                long ms = 0;
                for (int i = 0; i < Math.Min(8, length); i++) ms = (ms << 8) | data[offset + i];
                Server.Leases.SetWallClock(ms, Now);
                Server.SaveLeases(Now);
            }
        }

        public void Run(byte[] input)
        {
            var s = new Session();
            var r = new RecordReader(input);
            byte[] data = r.Data;
            while (r.Next(Kinds, out int kind, out int offset, out int length))
            {
                switch (kind)
                {
                    case 0: s.Message(data, offset, length, false); break;
                    case 1: s.Message(data, offset, length, true); break;
                    case 2: s.Advance(data, offset, length); break;
                    case 3: s.Conflict(data, offset, length); break;
                    case 4: s.Server.SaveLeases(s.Now); s.Restart(); break;
                    case 5: s.Store.LeaseData = Check.Slice(data, offset, length); s.Restart(); break;
                    default: s.Wall(data, offset, length); break;
                }
            }
        }

        /// <summary>A DHCP message from a client (BOOTREQUEST, magic cookie, the options given as bytes, END added).</summary>
        static byte[] Bootp(byte[] mac, uint xid, uint ciaddr, params byte[] options)
        {
            var m = new byte[240 + options.Length + 1];
            m[0] = 1; m[1] = 1; m[2] = 6;
            Endian.Write32(m, 4, xid);
            Endian.Write32(m, 12, ciaddr);
            Array.Copy(mac, 0, m, 28, 6);
            m[236] = 0x63; m[237] = 0x82; m[238] = 0x53; m[239] = 0x63;
            Array.Copy(options, 0, m, 240, options.Length);
            m[m.Length - 1] = 255;
            return m;
        }

        public IEnumerable<KeyValuePair<string, byte[]>> Seeds()
        {
            byte[] a = { 0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0x01 }, b = { 0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0x02 }, st = { 0x02, 0, 0, 0, 0, 0x09 };
            byte[] prl = { 55, 7, 1, 3, 6, 26, 28, 15, 42 };
            byte[] discover = Bootp(a, 0x11223344, 0, Cat(new byte[] { 53, 1, 1 }, prl));
            byte[] select = Bootp(a, 0x11223344, 0, 53, 1, 3, 50, 4, 192, 168, 4, 100, 54, 4, 192, 168, 4, 1);
            byte[] renew = Bootp(a, 0x11223345, 0xC0A80464, 53, 1, 3);
            byte[] release = Bootp(a, 0x11223346, 0xC0A80464, 53, 1, 7, 54, 4, 192, 168, 4, 1);
            byte[] decline = Bootp(a, 0x11223347, 0, 53, 1, 4, 50, 4, 192, 168, 4, 100, 54, 4, 192, 168, 4, 1);
            byte[] inform = Bootp(a, 0x11223348, 0xC0A80464, 53, 1, 8);
            byte[] withId = Bootp(b, 0x55667788, 0, 53, 1, 1, 61, 7, 1, 2, 0xAA, 0xBB, 0xCC, 0xDD, 0x02, 51, 4, 0, 0, 14, 16, 12, 4, 0x68, 0x6f, 0x73, 0x74);
            byte[] staticDiscover = Bootp(st, 0x01020304, 0, 53, 1, 1);
            byte[] initReboot = Bootp(a, 0x11223349, 0, 53, 1, 3, 50, 4, 192, 168, 4, 100);
            byte[] overload = Bootp(b, 0x5566778A, 0, 53, 1, 1, 52, 1, 3);
            byte[] ms = { 0, 0, 0x01, 0x90, 0x00, 0x00, 0x00, 0x00 };
            var seeds = new[]
            {
                new RecordWriter().Add(0, discover).Add(2, new byte[] { 0, 50 }).Add(0, select).Add(0, renew).Add(0, inform).Add(1, Cat(a, release)),
                new RecordWriter().Add(0, discover).Add(3, b).Add(2, new byte[] { 0, 50 }).Add(2, new byte[] { 0, 50 }).Add(0, select),
                new RecordWriter().Add(0, discover).Add(2, new byte[] { 0, 50 }).Add(0, select).Add(4).Add(0, initReboot).Add(1, Cat(b, decline)).Add(1, Cat(a, decline)),
                new RecordWriter().Add(6, ms).Add(0, withId).Add(2, new byte[] { 0, 50 }).Add(0, staticDiscover).Add(0, overload).Add(4).Add(2, new byte[] { 0xFF, 0xFF }).Add(0, withId),
                new RecordWriter().Add(0, discover).Add(2, new byte[] { 0, 50 }).Add(0, select).Add(6, ms).Add(4).Add(5, new byte[0]),
            };
            for (int i = 0; i < seeds.Length; i++)
                yield return new KeyValuePair<string, byte[]>("dhcp-" + i, seeds[i].ToArray());
            // A saved lease record, to be mutated as the store's bytes.
            var s = new Session();
            s.Message(discover, 0, discover.Length, false);
            s.Advance(new byte[] { 0, 50 }, 0, 2);
            s.Message(select, 0, select.Length, false);
            s.Wall(ms, 0, ms.Length);
            s.Server.SaveLeases(s.Now);
            yield return new KeyValuePair<string, byte[]>("store-record", new RecordWriter().Add(5, s.Store.LeaseData).Add(0, renew).ToArray());
        }

        static byte[] Cat(byte[] x, byte[] y)
        {
            var c = new byte[x.Length + y.Length];
            Array.Copy(x, c, x.Length);
            Array.Copy(y, 0, c, x.Length, y.Length);
            return c;
        }
    }
}

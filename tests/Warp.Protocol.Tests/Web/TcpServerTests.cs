using System;
using Warp.Protocol.Net;
using Warp.Protocol.Web;
using Xunit;

namespace Warp.Protocol.Tests.Web
{
    /// <summary>A TCP client in memory: builds IPv4 or IPv6 segments with real checksums and reads the server's answers.</summary>
    sealed class TcpPeer
    {
        public readonly TcpServer Server;
        public readonly byte[] ClientAddress, RouterAddress;
        public ushort ClientPort = 40000;
        public uint Seq = 1000, Ack;
        public long Now = 1_000_000;
        public readonly byte[] Out = new byte[4096];
        readonly byte[] buffer = new byte[4096];
        public readonly int Version;

        public TcpPeer(TcpServer server, int version = 4)
        {
            Server = server;
            Version = version;
            ClientAddress = version == 4 ? new byte[] { 192, 168, 42, 100 } : Addr6(0x64);
            RouterAddress = version == 4 ? new byte[] { 192, 168, 42, 1 } : Addr6(1);
        }

        static byte[] Addr6(byte last)
        {
            var a = new byte[16];
            a[0] = 0xfd; a[1] = 0x01; a[15] = last;
            return a;
        }

        public static TcpServer NewServer(int connections = 2, int receive = 1024, int send = 4096)
        {
            var secret = new byte[16];
            new Random(3).NextBytes(secret);
            return new TcpServer(connections, receive, send, 80, 1460, secret, new WebCounters());
        }

        /// <summary>Sends a segment; returns the immediate reply's length (0 for none), reply in Out.</summary>
        public int Send(byte flags, byte[] data = null, uint? seq = null, uint? ack = null, ushort window = 65535, ushort mss = 0, bool badChecksum = false)
        {
            int ipLen = Version == 4 ? 20 : 40;
            int opt = mss != 0 ? 4 : 0;
            int n = data?.Length ?? 0;
            int tcpLen = 20 + opt + n;
            int t = ipLen;
            Endian.Write16(buffer, t, ClientPort);
            Endian.Write16(buffer, t + 2, 80);
            Endian.Write32(buffer, t + 4, seq ?? Seq);
            Endian.Write32(buffer, t + 8, ack ?? Ack);
            buffer[t + 12] = (byte)(((20 + opt) / 4) << 4);
            buffer[t + 13] = flags;
            Endian.Write16(buffer, t + 14, window);
            Endian.Write16(buffer, t + 16, 0);
            Endian.Write16(buffer, t + 18, 0);
            if (mss != 0) { buffer[t + 20] = 2; buffer[t + 21] = 4; Endian.Write16(buffer, t + 22, mss); }
            if (n > 0) Array.Copy(data, 0, buffer, t + 20 + opt, n);
            uint sum;
            if (Version == 4)
            {
                Ipv4Packet.WriteHeader(buffer, 0, ipLen + tcpLen, 1, true, 64, 6, Endian.Read32(ClientAddress, 0), Endian.Read32(RouterAddress, 0));
                sum = InternetChecksum.PseudoHeaderV4(buffer, 0, 6, tcpLen);
            }
            else
            {
                Ipv6Packet.WriteHeader(buffer, 0, tcpLen, 6, 64, ClientAddress, 0, RouterAddress, 0);
                sum = InternetChecksum.PseudoHeaderV6(buffer, 8, 24, 6, tcpLen);
            }
            ushort c = InternetChecksum.Finish(InternetChecksum.Add(sum, buffer, t, tcpLen));
            Endian.Write16(buffer, t + 16, badChecksum ? (ushort)(c ^ 1) : c);
            if (Version == 4)
            {
                Assert.True(Ipv4Packet.TryCreate(buffer, 0, ipLen + tcpLen, out var p));
                return Server.HandleV4(p, Now, Out, 0);
            }
            Assert.True(Ipv6Packet.TryCreate(buffer, 0, ipLen + tcpLen, out var p6));
            return Server.HandleV6(p6, Now, Out, 0);
        }

        /// <summary>The TCP segment of a server packet in Out (checksum verified).</summary>
        public TcpSegment Segment(int length)
        {
            Assert.True(length > 0);
            if (Version == 4)
            {
                Assert.True(Ipv4Packet.TryCreate(Out, 0, length, out var p));
                Assert.True(p.VerifyHeaderChecksum());
                Assert.Equal(Endian.Read32(ClientAddress, 0), p.Destination);
                Assert.True(TcpSegment.TryCreate(Out, p.PayloadOffset, p.PayloadLength, out var s));
                Assert.True(s.VerifyChecksum(p.PseudoHeaderSum()));
                Assert.Equal(ClientPort, s.DestinationPort);
                return s;
            }
            Assert.True(Ipv6Packet.TryCreate(Out, 0, length, out var p6));
            Assert.True(p6.DestinationEquals(ClientAddress, 0));
            Assert.True(TcpSegment.TryCreate(Out, p6.UpperLayerOffset, p6.UpperLayerLength, out var s6));
            Assert.True(s6.VerifyChecksum(p6.PseudoHeaderSum()));
            return s6;
        }

        /// <summary>SYN, SYN-ACK, ACK: the connection's slot.</summary>
        public int Connect()
        {
            int n = Send(TcpSegment.FlagSyn, mss: 1460);
            var synAck = Segment(n);
            Assert.Equal(TcpSegment.FlagSyn | TcpSegment.FlagAck, synAck.Flags);
            Assert.Equal(Seq + 1, synAck.AcknowledgmentNumber);
            Seq++;
            Ack = synAck.SequenceNumber + 1;
            Assert.Equal(0, Send(TcpSegment.FlagAck));
            for (int c = 0; c < Server.Capacity; c++)
                if (Server.IsOpen(c) && Server.OpenedAt(c) == Now && Server.Received(c) == 0)
                    return c;
            throw new Exception("no connection opened");
        }

        public int Poll() => Server.Poll(Now, Out, 0, Out.Length);
    }

    public class TcpServerTests
    {
        static byte[] Ascii(string s) => System.Text.Encoding.ASCII.GetBytes(s);

        [Fact]
        public void SipHashMatchesTheReferenceVectors()
        {
            // SipHash-2-4 paper, appendix A / vectors.h: key 00..0f; messages 00..(n-1).
            var key = new byte[16];
            for (int i = 0; i < 16; i++) key[i] = (byte)i;
            var msg = new byte[64];
            for (int i = 0; i < 64; i++) msg[i] = (byte)i;
            ulong k0 = Endian.Read64LE(key, 0), k1 = Endian.Read64LE(key, 8);
            Assert.Equal(0x726fdb47dd0e0e31UL, SipHash.Compute(k0, k1, msg, 0, 0));
            Assert.Equal(0xa129ca6149be45e5UL, SipHash.Compute(k0, k1, msg, 0, 15));
        }

        [Fact]
        public void ASynGetsACookieAndTheServerKeepsNoState()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s);
            int n = c.Send(TcpSegment.FlagSyn, mss: 1400);
            var syn = c.Segment(n);
            Assert.Equal(TcpSegment.FlagSyn | TcpSegment.FlagAck, syn.Flags);
            Assert.Equal(1001u, syn.AcknowledgmentNumber);
            Assert.Equal(1460, syn.MaximumSegmentSize);
            Assert.Equal(0, s.OpenCount);
            // The same SYN again gets the same cookie (stateless).
            var isn = syn.SequenceNumber;
            n = c.Send(TcpSegment.FlagSyn, mss: 1400);
            Assert.Equal(isn, c.Segment(n).SequenceNumber);
            Assert.Equal(2, s.Counters[WebCounter.SynCookiesSent]);
        }

        [Fact]
        public void AHalfOpenFloodLeavesNoStateAndARealClientStillConnects()
        {
            var s = TcpPeer.NewServer();
            var flood = new TcpPeer(s);
            var rnd = new Random(9);
            int answered = 0;
            for (int i = 0; i < 20000; i++)
            {
                rnd.NextBytes(flood.ClientAddress);
                flood.ClientPort = (ushort)rnd.Next(1024, 65535);
                flood.Seq = (uint)rnd.Next();
                if (flood.Send(TcpSegment.FlagSyn) > 0)
                    answered++;
            }
            Assert.Equal(0, s.OpenCount);
            // 20,000 sources at one instant: the shared SYN bucket's burst is answered, the rest dropped and counted.
            Assert.Equal(SynRateLimit.SharedBurst, answered);
            Assert.Equal(20000 - SynRateLimit.SharedBurst, s.Counters[WebCounter.DropSynRateLimited]);
            var real = new TcpPeer(s);
            real.Now += 1000; // a second later
            int slot = real.Connect();
            Assert.True(s.IsOpen(slot));
        }

        /// <summary>
        /// The lab's SYN flood (one LAN device, 178,000 SYNs a second) took forwarding from 510 to
        /// 5 Mbit/s because every SYN got a SYN-ACK. Ten seconds of one source's flood at 10 SYNs a
        /// millisecond: it gets its bucket's burst and refill only, and another device still connects.
        /// </summary>
        [Fact]
        public void AOneDeviceSynFloodGetsItsBucketsSynAcksOnlyAndAnotherDeviceStillConnects()
        {
            var s = TcpPeer.NewServer();
            var flood = new TcpPeer(s);
            flood.ClientAddress[3] = 66;
            var other = new TcpPeer(s);
            var rnd = new Random(4);
            long start = flood.Now;
            int answered = 0, sent = 0, otherSlot = -1;
            for (int ms = 0; ms < 10000; ms++)
            {
                flood.Now = start + ms;
                for (int k = 0; k < 10; k++, sent++)
                {
                    flood.ClientPort = (ushort)rnd.Next(1024, 65535);
                    flood.Seq = (uint)rnd.Next();
                    if (flood.Send(TcpSegment.FlagSyn) > 0)
                        answered++;
                }
                if (ms == 5000)
                {
                    other.Now = flood.Now;
                    otherSlot = other.Connect();
                }
            }
            Assert.Equal(100000, sent);
            Assert.InRange(answered, SynRateLimit.SourceBurst, SynRateLimit.SourceBurst + SynRateLimit.SourcePerSecond * 10 + 1);
            Assert.Equal(sent - answered, s.Counters[WebCounter.DropSynRateLimited]);
            Assert.True(s.IsOpen(otherSlot));
            Assert.Equal(1, s.OpenCount);
        }

        [Fact]
        public void AForgedOrStaleCookieIsRefusedWithRst()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s);
            c.Seq = 5000;
            int n = c.Send(TcpSegment.FlagAck, ack: 0x12345678, seq: 5001);
            var rst = c.Segment(n);
            Assert.True(rst.Rst);
            Assert.Equal(0x12345678u, rst.SequenceNumber);
            Assert.Equal(0, s.OpenCount);
            Assert.Equal(1, s.Counters[WebCounter.DropBadCookie]);

            // A genuine cookie, answered three intervals later, is stale.
            n = c.Send(TcpSegment.FlagSyn);
            uint isn = c.Segment(n).SequenceNumber;
            c.Now += 3 * TcpServer.CookieIntervalMs;
            n = c.Send(TcpSegment.FlagAck, seq: 5001, ack: isn + 1);
            Assert.True(c.Segment(n).Rst);
            Assert.Equal(0, s.OpenCount);
            // ... and within two intervals it is good.
            c.Now -= 2 * TcpServer.CookieIntervalMs;
            Assert.Equal(0, c.Send(TcpSegment.FlagAck, seq: 5001, ack: isn + 1));
            Assert.Equal(1, s.OpenCount);
        }

        [Fact]
        public void RequestInResponseOutFinBothWaysThenTimeWaitThenFree()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s);
            int slot = c.Connect();
            var req = Ascii("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.Equal(0, c.Send(TcpSegment.FlagAck | TcpSegment.FlagPsh, req));
            c.Seq += (uint)req.Length;
            Assert.Equal(req.Length, s.Received(slot));
            Assert.Equal(req, s.ReceiveBuffer.AsSpan(s.ReceiveOffset(slot), req.Length).ToArray());
            var body = new byte[3000];
            for (int i = 0; i < body.Length; i++) body[i] = (byte)i;
            Assert.True(s.Send(slot, body, 0, body.Length));
            s.Close(slot);
            // The client's MSS was 1460: 1460 + 1460 + 80 (with FIN).
            var got = new System.Collections.Generic.List<byte>();
            bool fin = false;
            int n;
            while ((n = c.Poll()) > 0)
            {
                var seg = c.Segment(n);
                if (seg.PayloadLength == 0 && !seg.Fin) continue; // the ACK of the request
                Assert.Equal(c.Ack + (uint)got.Count, seg.SequenceNumber);
                Assert.True(seg.PayloadLength <= 1460);
                for (int i = 0; i < seg.PayloadLength; i++) got.Add(seg.Buffer[seg.PayloadOffset + i]);
                fin |= seg.Fin;
            }
            Assert.Equal(body, got.ToArray());
            Assert.True(fin);
            c.Ack += (uint)body.Length + 1;
            Assert.Equal(0, c.Send(TcpSegment.FlagAck)); // our FIN acknowledged first (FIN-WAIT-2): nothing more to send
            Assert.Equal(0, c.Poll());
            c.Now += 100;
            Assert.Equal(0, c.Poll());
            Assert.Equal(0, c.Send(TcpSegment.FlagAck | TcpSegment.FlagFin));
            c.Seq++;
            n = c.Poll(); // ACK of our FIN
            var last = c.Segment(n);
            Assert.True(last.Ack);
            Assert.Equal(c.Seq, last.AcknowledgmentNumber);
            Assert.False(s.IsOpen(slot));
            Assert.Equal(1, s.OpenCount); // TIME-WAIT
            c.Now += TcpServer.TimeWaitMs;
            c.Poll();
            Assert.Equal(0, s.OpenCount);
            Assert.Equal(1, s.Counters[WebCounter.ConnectionsClosed]);
        }

        [Fact]
        public void OutOfOrderDataIsDroppedWithADuplicateAckAndTakenWhenTheGapIsFilled()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s);
            int slot = c.Connect();
            c.Send(TcpSegment.FlagAck, Ascii("world"), seq: c.Seq + 6);
            Assert.Equal(0, s.Received(slot));
            var dup = c.Segment(c.Poll());
            Assert.Equal(c.Seq, dup.AcknowledgmentNumber);
            Assert.Equal(1, s.Counters[WebCounter.DropOutOfOrder]);
            c.Send(TcpSegment.FlagAck, Ascii("hello "));
            c.Send(TcpSegment.FlagAck, Ascii("hello world"));  // overlapping retransmission: only the new part is taken
            Assert.Equal("hello world", System.Text.Encoding.ASCII.GetString(s.ReceiveBuffer, s.ReceiveOffset(slot), s.Received(slot)));
        }

        [Fact]
        public void UnacknowledgedDataIsRetransmittedWithBackoffThenTheConnectionIsAborted()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s);
            int slot = c.Connect();
            s.Send(slot, Ascii("answer"), 0, 6);
            var first = c.Segment(c.Poll());
            Assert.Equal(6, first.PayloadLength);
            Assert.Equal(0, c.Poll());
            long deadline = s.NextDeadline(c.Now);
            Assert.Equal(c.Now + TcpServer.InitialRtoMs, deadline);
            long gap = TcpServer.InitialRtoMs;
            for (int i = 0; i < TcpServer.MaxRetries; i++)
            {
                c.Now = s.NextDeadline(c.Now);
                var again = c.Segment(c.Poll());
                Assert.Equal(first.SequenceNumber, again.SequenceNumber);
                Assert.Equal(6, again.PayloadLength);
                long next = s.NextDeadline(c.Now);
                Assert.Equal(Math.Min(gap * 2, TcpServer.MaxRtoMs), next - c.Now);
                gap *= 2;
            }
            c.Now = s.NextDeadline(c.Now);
            var rst = c.Segment(c.Poll());
            Assert.True(rst.Rst);
            Assert.Equal(0, s.OpenCount);
            Assert.Equal(TcpServer.MaxRetries, s.Counters[WebCounter.Retransmissions]);
        }

        [Fact]
        public void TheSenderKeepsToThePeersWindowAndProbesAZeroWindow()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s);
            int slot = c.Connect();
            c.Send(TcpSegment.FlagAck, window: 100);
            s.Send(slot, new byte[1000], 0, 1000);
            var seg = c.Segment(c.Poll());
            Assert.Equal(100, seg.PayloadLength);
            Assert.Equal(0, c.Poll()); // window full
            c.Send(TcpSegment.FlagAck, ack: c.Ack + 100, window: 0);
            Assert.Equal(0, c.Poll());
            c.Now = s.NextDeadline(c.Now);
            var probe = c.Segment(c.Poll());
            Assert.Equal(1, probe.PayloadLength);
            c.Send(TcpSegment.FlagAck, ack: c.Ack + 101, window: 2000);
            seg = c.Segment(c.Poll());
            Assert.Equal(899, seg.PayloadLength);
        }

        [Fact]
        public void ARstClosesOnlyWithTheExactSequenceNumberElseAChallengeAck()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s);
            int slot = c.Connect();
            c.Send(TcpSegment.FlagRst, seq: c.Seq + 10);
            Assert.True(s.IsOpen(slot));
            var challenge = c.Segment(c.Poll());
            Assert.True(challenge.Ack && !challenge.Rst);
            Assert.Equal(c.Seq, challenge.AcknowledgmentNumber);
            c.Send(TcpSegment.FlagRst);
            Assert.False(s.IsOpen(slot));
            Assert.Equal(1, s.Counters[WebCounter.ConnectionsReset]);
        }

        [Fact]
        public void AFullTableEvictsTheOldestConnectionWithoutARequestNeverOneBeingAnswered()
        {
            var s = TcpPeer.NewServer(connections: 2);
            var a = new TcpPeer(s) { ClientPort = 1 };
            var b = new TcpPeer(s) { ClientPort = 2 };
            int sa = a.Connect();
            b.Now += 10;
            int sb = b.Connect();
            s.SetProtected(sb); // b sent a whole request
            var c = new TcpPeer(s) { ClientPort = 3, Now = b.Now + 10 };
            int sc = c.Connect();
            Assert.Equal(sa, sc);
            Assert.Equal(1, s.Counters[WebCounter.ConnectionsEvicted]);
            s.SetProtected(sc);
            var d = new TcpPeer(s) { ClientPort = 4, Now = c.Now };
            int n = d.Send(TcpSegment.FlagSyn);
            d.Seq++;
            d.Ack = d.Segment(n).SequenceNumber + 1;
            n = d.Send(TcpSegment.FlagAck);
            Assert.Equal(0, n); // dropped, no RST: the client will retransmit
            Assert.Equal(1, s.Counters[WebCounter.DropTableFull]);
            Assert.Equal(2, s.OpenCount);
            // A slot frees (c's connection aborted): d's retransmitted ACK now opens a connection from its cookie.
            s.Abort(sc);
            var o = new byte[2000];
            while (s.Poll(d.Now, o, 0, o.Length) > 0) { }
            Assert.Equal(1, s.OpenCount);
            d.Now += 1000;
            n = d.Send(TcpSegment.FlagAck);
            Assert.Equal(0, n);
            Assert.Equal(2, s.OpenCount);
            Assert.Equal(4, s.Counters[WebCounter.ConnectionsOpened]); // a, b, c and d
        }

        [Fact]
        public void BadChecksumsAndDataBeyondTheBufferAreCounted()
        {
            var s = TcpPeer.NewServer(receive: 256);
            var c = new TcpPeer(s);
            Assert.Equal(0, c.Send(TcpSegment.FlagSyn, badChecksum: true));
            Assert.Equal(1, s.Counters[WebCounter.DropBadChecksum]);
            int slot = c.Connect();
            c.Send(TcpSegment.FlagAck, new byte[300]);
            Assert.Equal(256, s.Received(slot));
            Assert.Equal(1, s.Counters[WebCounter.DropBeyondWindow]);
            var ack = c.Segment(c.Poll());
            Assert.Equal(c.Seq + 256, ack.AcknowledgmentNumber);
            Assert.Equal(0, ack.Window);
        }

        [Fact]
        public void Ipv6HandshakeAndData()
        {
            var s = TcpPeer.NewServer();
            var c = new TcpPeer(s, 6);
            int slot = c.Connect();
            c.Send(TcpSegment.FlagAck, Ascii("GET"));
            Assert.Equal(3, s.Received(slot));
            s.Send(slot, Ascii("ok"), 0, 2);
            s.Close(slot);
            var seg = c.Segment(c.Poll());
            Assert.Equal(2, seg.PayloadLength);
            Assert.True(seg.Fin);
        }

        [Fact]
        public void RandomSegmentsNeverThrow()
        {
            var s = TcpPeer.NewServer();
            var rnd = new Random(12);
            var buf = new byte[200];
            var out_ = new byte[2048];
            var good = new TcpPeer(s);
            good.Connect();
            for (int i = 0; i < 50000; i++)
            {
                rnd.NextBytes(buf);
                int len = rnd.Next(20, buf.Length);
                buf[0] = 0x45;
                Endian.Write16(buf, 2, (ushort)len);
                buf[9] = 6;
                buf[6] = 0; buf[7] = 0; // not a fragment
                if (!Ipv4Packet.TryCreate(buf, 0, len, out var p))
                    continue;
                // Half of them with a valid checksum so they get past it.
                if ((i & 1) == 0 && p.PayloadLength >= 20)
                {
                    Endian.Write16(buf, p.PayloadOffset + 2, 80);
                    Endian.Write16(buf, p.PayloadOffset + 16, 0);
                    Endian.Write16(buf, p.PayloadOffset + 16, InternetChecksum.Finish(InternetChecksum.Add(p.PseudoHeaderSum(), buf, p.PayloadOffset, p.PayloadLength)));
                }
                s.HandleV4(p, 1_000_000 + i, out_, 0);
                while (s.Poll(1_000_000 + i, out_, 0, out_.Length) > 0) { }
            }
            Assert.True(s.Counters[WebCounter.SegmentsReceived] > 1000);
        }
    }
}

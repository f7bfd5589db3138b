using System.Collections.Generic;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    /// <summary>
    /// Nonce safety while a keypair is offloaded (Tunnel.OffloadGuard.cs): a fake fast path that owns
    /// the exported keypair's counter and uses counters itself; the tunnel must never seal with one of them.
    /// </summary>
    public class OffloadGuardTests
    {
        sealed class FakeFastPath : ISendCounterReservation
        {
            public ulong Next;
            public uint Index;
            public readonly HashSet<ulong> Used = new HashSet<ulong>();
            public int Reservations;
            public void SendOwn(int n) { for (int i = 0; i < n; i++) Assert.True(Used.Add(Next++)); }
            public ulong ReserveSendCounter(int peer, uint localIndex)
            {
                if (localIndex != Index) return ulong.MaxValue;
                Reservations++;
                ulong c = Next++;
                Assert.True(Used.Add(c));
                return c;
            }
            /// <summary>The state the fast path hands back: the export with its counter.</summary>
            public byte[] State(byte[] exported) { var s = (byte[])exported.Clone(); Endian.Write64LE(s, 16, Next); return s; }
        }

        static (TunnelPair t, FakeFastPath f, byte[] exported) Offloaded()
        {
            var t = new TunnelPair();
            t.Establish();
            var state = new byte[t.A.OffloadStateSize];
            int n = t.A.ExportKeypair(0, t.Now, state, 0);
            Assert.Equal(state.Length, n);
            var f = new FakeFastPath { Next = Endian.Read64LE(state, 16), Index = Endian.Read32LE(state, 4) };
            Assert.True(t.A.IsOffloaded(0));
            return (t, f, state);
        }

        static ulong CounterOf(byte[] datagram) { return Endian.Read64LE(datagram, Message.DataCounter); }

        [Fact]
        public void AnOffloadedKeypairSendsOnlyOnReservedCounters()
        {
            var (t, f, _) = Offloaded();
            f.SendOwn(5); // the fast path carried five packets
            t.A.SendCounterReservation = f;
            var d = t.SealA(TunnelPair.Ipv4Packet(20));
            Assert.NotNull(d);
            Assert.Equal(1, f.Reservations);
            Assert.Equal(f.Next - 1, CounterOf(d)); // the reserved one, after the fast path's five
            Assert.Equal(TunnelAction.WriteToLan, t.ToB(d, out _).Action); // and the peer takes it
            f.SendOwn(3);
            var k = t.SealA(TunnelPair.Ipv4Packet(0 + 1));
            Assert.Equal(f.Next - 1, CounterOf(k));
            Assert.Equal(2, f.Reservations);
        }

        [Fact]
        public void WithoutAReservationNothingIsSent()
        {
            var (t, f, _) = Offloaded();
            f.SendOwn(2);
            var r = t.A.Encapsulate(0, TunnelPair.Ipv4Packet(20), 0, 48, t.Out, 0, t.Now);
            Assert.Equal(TunnelAction.Dropped, r.Action);
            Assert.Equal(TunnelCounter.DropSendCounterNotReserved, r.Reason);
            Assert.Equal(1, t.A.Counters[TunnelCounter.DropSendCounterNotReserved]);
            // A reservation for another keypair (or none held) refuses too.
            f.Index ^= 1;
            t.A.SendCounterReservation = f;
            Assert.Equal(TunnelCounter.DropSendCounterNotReserved, t.A.Encapsulate(0, TunnelPair.Ipv4Packet(20), 0, 48, t.Out, 0, t.Now).Reason);
        }

        [Fact]
        public void ACounterBehindTheTunnelsIsRefused()
        {
            var (t, f, exported) = Offloaded();
            f.SendOwn(10);
            Assert.True(t.A.ImportKeypairState(0, f.State(exported), 0, exported.Length)); // a sync: the tunnel is at the fast path's counter
            f.Next -= 4; // a fast path that went back
            f.Used.Clear();
            t.A.SendCounterReservation = f;
            Assert.Equal(TunnelCounter.DropSendCounterNotReserved, t.A.Encapsulate(0, TunnelPair.Ipv4Packet(20), 0, 48, t.Out, 0, t.Now).Reason);
        }

        [Fact]
        public void ReclaimTakesTheFastPathsCounterOrRetiresTheKeypair()
        {
            var (t, f, exported) = Offloaded();
            f.SendOwn(7);
            Assert.True(t.A.ReclaimKeypair(0, f.State(exported), 0, exported.Length));
            Assert.False(t.A.IsOffloaded(0));
            var d = t.SealA(TunnelPair.Ipv4Packet(20));
            Assert.Equal(f.Next, CounterOf(d)); // the next after the fast path's last, managed again
            Assert.DoesNotContain(CounterOf(d), f.Used);

            // Offloaded again, then the state is lost (the fast path had none to give back): the keypair is retired.
            var (t2, f2, exported2) = Offloaded();
            f2.SendOwn(3);
            Assert.False(t2.A.ReclaimKeypair(0, null, 0, 0));
            Assert.False(t2.A.GetPeer(0).HasSession(t2.Now));
            Assert.Equal(TunnelAction.Staged, t2.A.Encapsulate(0, TunnelPair.Ipv4Packet(20), 0, 48, t2.Out, 0, t2.Now).Action);
            t2.Now += 6_000; // past RekeyTimeout since the first handshake
            var init = t2.TickA();
            Assert.NotNull(init);
            Assert.Equal(Message.TypeInitiation, init[0]); // a new session instead of a repeated nonce
        }
    }
}

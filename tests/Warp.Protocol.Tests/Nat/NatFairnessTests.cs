using System;
using System.Collections.Generic;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.TestKit;
using Xunit;
using static Warp.Protocol.Tests.Nat.NatTestKit;

namespace Warp.Protocol.Tests.Nat
{
    /// <summary>
    /// Fairness counts devices, not addresses: the share limit covers all of a device's addresses
    /// together, and a full table keeps a reserve for every present device (the hostile-LAN field
    /// test: one device with an IPv4 lease and SLAAC addresses took the whole table).
    /// </summary>
    public class NatFairnessTests
    {
        static NatResult Out(NatTranslator nat, byte[] packet, int device, long now)
        {
            if ((packet[0] >> 4) == 4)
            {
                Assert.True(Ipv4Packet.TryCreate(packet, 0, packet.Length, out var v4));
                return nat.TranslateOutbound(v4, device, now, new byte[1500], 0);
            }
            Assert.True(Ipv6Packet.TryCreate(packet, 0, packet.Length, out var v6));
            return nat.TranslateOutbound(v6, device, now, new byte[1500], 0);
        }

        static NatConfig Config(int capacity, int share, int reserve)
        {
            var c = NatConfigFor(capacity);
            c.HostSharePercent = share;
            c.DeviceReserve = reserve;
            c.DeviceCapacity = 8;
            return c;
        }

        [Fact]
        public void TheShareCountsEveryAddressOfOneDeviceTogether()
        {
            var nat = Translator(Config(64, 50, 0));
            int ok = 0;
            // One device, its IPv4 lease and an IPv6 address: 32 sessions in all, not 32 each.
            for (int i = 0; i < 40; i++)
            {
                byte[] p = i % 2 == 0 ? UdpV4(HostA, 10000 + i, Remote1, 53) : UdpV6(HostA6, 10000 + i, Remote1v6, 53);
                if (Out(nat, p, 3, i).Action == NatAction.WriteToTunnel) ok++;
            }
            Assert.Equal(32, ok);
            Assert.Equal(32, nat.Table.DeviceSessions(3));
            Assert.Equal(8, nat.Counters[NatCounter.DropHostQuotaExceeded]);
            // Another device still gets its own share.
            Assert.Equal(NatAction.WriteToTunnel, Out(nat, UdpV4(HostB, 5000, Remote1, 53), 4, 100).Action);
        }

        [Fact]
        public void AFullTableKeepsTheReserveOfEveryPresentDevice()
        {
            var nat = Translator(Config(64, 100, 8));
            nat.SetDeviceActive(0, true);
            nat.SetDeviceActive(1, true);
            nat.SetDeviceActive(2, true);
            Assert.Equal(24, nat.Table.ReserveHeld);
            // Device 0 floods: it gets its own 8, then everything but the others' 16.
            int ok = 0;
            for (int i = 0; i < 64; i++)
                if (Out(nat, UdpV4(HostA, 20000 + i, Remote1, 443), 0, i).Action == NatAction.WriteToTunnel) ok++;
            Assert.Equal(48, ok);
            Assert.Equal(16, nat.Table.ReserveHeld);
            Assert.Equal(16, nat.Counters[NatCounter.DropTableReserved]);
            // The other two still open flows, up to their reserve each.
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(NatAction.WriteToTunnel, Out(nat, UdpV4(HostB, 30000 + i, Remote1, 443), 1, 100).Action);
                Assert.Equal(NatAction.WriteToTunnel, Out(nat, UdpV6(HostB6, 30000 + i, Remote1v6, 443), 2, 100).Action);
            }
            Assert.Equal(0, nat.Table.ReserveHeld);
            Assert.Equal(64, nat.Table.Count);
        }

        [Fact]
        public void ADeviceThatLeavesReleasesItsReserve()
        {
            var nat = Translator(Config(32, 100, 8));
            nat.SetDeviceActive(0, true);
            nat.SetDeviceActive(1, true);
            Assert.Equal(16, nat.Table.ReserveHeld);
            nat.SetDeviceActive(1, false);
            Assert.Equal(8, nat.Table.ReserveHeld);
            int ok = 0;
            for (int i = 0; i < 40; i++)
                if (Out(nat, UdpV4(HostA, 20000 + i, Remote1, 443), 0, i).Action == NatAction.WriteToTunnel) ok++;
            Assert.Equal(32, ok);
            nat.SetDeviceActive(1, false); // twice: no change
            Assert.Equal(0, nat.Table.ReserveHeld);
        }

        /// <summary>The reserve bookkeeping equals its definition after random creations, expiries and arrivals.</summary>
        [Fact]
        public void ReserveBookkeepingMatchesItsDefinition()
        {
            var rng = new Random(7);
            var config = Config(128, 60, 6);
            config.UdpTimeout = 120_000;
            var nat = Translator(config);
            var active = new bool[8];
            long now = 0;
            var hosts = new[] { HostA, HostB, V4("192.168.4.12"), V4("192.168.4.13") };
            for (int step = 0; step < 5000; step++)
            {
                now += rng.Next(0, 200);
                int device = rng.Next(0, 8);
                switch (rng.Next(0, 10))
                {
                    case 0:
                        active[device] = !active[device];
                        nat.SetDeviceActive(device, active[device]);
                        break;
                    case 1:
                        now += 60_000;
                        nat.Tick(now);
                        break;
                    default:
                        // Host i belongs to device i % 8 (a host's device is fixed while it holds sessions).
                        int h = device % hosts.Length;
                        Out(nat, UdpV4(hosts[h], rng.Next(1024, 65535), Remote1, 53), h, now);
                        break;
                }
                int expected = 0;
                for (int d = 0; d < 8; d++)
                    if (active[d])
                        expected += Math.Max(0, 6 - nat.Table.DeviceSessions(d));
                Assert.Equal(expected, nat.Table.ReserveHeld);
                int sum = 0;
                for (int d = 0; d < 8; d++) sum += nat.Table.DeviceSessions(d);
                Assert.Equal(nat.Table.Count, sum);
            }
        }
    }
}

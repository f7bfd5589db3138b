using System;
using System.Linq;
using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.TestKit;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>
    /// Issue 18's lease defects, each reproduced: damaged lease records (random bytes, a truncation,
    /// a 2 MB record), the real expiry across restarts, the client identifier (option 61) as the
    /// key, option overload (52), the ARP probe before an OFFER, and forged RELEASE/DECLINE (issue 17).
    /// </summary>
    public class DhcpDurabilityTests
    {
        readonly byte[] output = new byte[1514];
        const long Wall0 = 1_700_000_000_000;

        static string Mac(int i) { return "02aabbcc" + (i >> 8).ToString("x2") + (i & 255).ToString("x2"); }

        /// <summary>DISCOVER (through the probe), REQUEST, ACK, record written. Returns the address.</summary>
        uint Lease(LanServices lan, string mac, long now, string clientId = null)
        {
            string id = clientId == null ? "" : "3d" + (clientId.Length / 2).ToString("x2") + clientId;
            var f = FromClient(Bootp("350101 " + id + "ff", mac: mac), Hex(mac));
            var r = HandleThroughProbe(lan, f, output, now);
            Assert.Equal(LanAction.Reply, r.Action);
            Assert.Equal(DhcpMessage.Offer, output[42 + 242]);
            uint ip = Endian.Read32(output, 42 + 16);
            f = FromClient(Bootp("350103 " + id + "3204" + ip.ToString("x8") + "3604c0a80401 ff", mac: mac), Hex(mac));
            Assert.Equal(LanAction.Reply, lan.Handle(f, 0, f.Length, output, 0, now + 600).Action);
            Assert.Equal(DhcpMessage.Ack, output[42 + 242]);
            lan.SaveRecords(now + 600);
            return ip;
        }

        /// <summary>Tick until the DHCP server's frame (a probe or an OFFER), past the start-up ARP announcements and RAs.</summary>
        LanResult TickPastAnnouncements(LanServices lan, long now)
        {
            for (int i = 0; i < 8; i++)
            {
                var r = lan.Tick(now, output, 0);
                if (r.Action != LanAction.Reply || IsProbe(output, r.Length) || (output[12] == 0x08 && output[13] == 0))
                    return r;
            }
            return LanResult.Consumed;
        }

        LanServices Full(MemoryStore store, int n)
        {
            var lan = Services(store: store, leases: 64);
            for (int i = 0; i < n; i++)
                Lease(lan, Mac(i), 1000 + i * 1000);
            return lan;
        }

        [Fact]
        public void ATruncatedRecordKeepsEveryCompleteLease()
        {
            // Issue 18: truncation at 400 of 771 bytes lost all 51 leases.
            var store = new MemoryStore();
            Full(store, 51);
            byte[] whole = store.LeaseData;
            int cut = whole.Length * 400 / 771;
            store.LeaseData = whole.Take(cut).ToArray();
            var lan = Services(store: store, leases: 64);
            int complete = (cut - 16) / DhcpLeaseTable.StoredBytesPerLease;
            Assert.Equal(complete, lan.LeaseCount);
            Assert.True(complete > 20);
            Assert.Equal(1, lan.Counters[LanCounter.LeaseStoreDamaged]);
            Assert.Equal(1, lan.Counters[LanCounter.LeaseStoreRecordsLost]); // the record cut in two
            Assert.True(lan.RecordsDirty); // a sound record is written back at the first idle point
        }

        [Fact]
        public void RandomBytesOverPartOfTheRecordLoseOnlyTheRecordsTheyTouch()
        {
            var store = new MemoryStore();
            Full(store, 20);
            byte[] d = store.LeaseData;
            new Random(5).NextBytes(d.AsSpan(16 + 3 * DhcpLeaseTable.StoredBytesPerLease + 10, 100)); // records 3, 4 and 5
            store.LeaseData = d;
            var lan = Services(store: store, leases: 64);
            Assert.Equal(17, lan.LeaseCount);
            Assert.Equal(3, lan.Counters[LanCounter.LeaseStoreRecordsLost]);
            // The addresses kept are not handed to a newcomer (the lost ones are probed first: see below).
            var kept = Enumerable.Range(0, lan.LeaseCount).Select(i => lan.Leases.AddressAt(lan.LeaseSlot(i))).ToList();
            uint fresh = Lease(lan, Mac(999), 100_000);
            Assert.DoesNotContain(fresh, kept);
        }

        [Fact]
        public void WholeRandomBytesKeepNothingButAreCountedAndLogged()
        {
            var store = new MemoryStore();
            var junk = new byte[771];
            new Random(7).NextBytes(junk);
            store.LeaseData = junk;
            var lan = Services(store: store, leases: 64);
            Assert.Equal(0, lan.LeaseCount);
            Assert.Equal(1, lan.Counters[LanCounter.LeaseStoreDamaged]);
            Assert.Equal(15, lan.Counters[LanCounter.LeaseStoreRecordsLost]); // (771 - 16) / 53 = 14 records and a cut one
        }

        [Fact]
        public void DamageIsLoggedWithWhatWasKeptAndLost()
        {
            var store = new MemoryStore();
            Full(store, 5);
            byte[] d = store.LeaseData;
            d[16 + 8] ^= 0xFF; // one bit pattern in record 0
            store.LeaseData = d;
            var lan = new LanServices(LanConfigFor(), 64, 16, 16, store, null, 0);
            var events = new EventLog(8);
            lan.Events = events; // the constructor found the damage; the log attached afterwards gets it
            Assert.Equal(1, events.Count);
            Assert.Equal(EventKind.LeaseStoreDamaged, events.KindAt(0));
            Assert.Equal(4, events.ValueAAt(0));
            Assert.Equal(1, events.ValueBAt(0));
        }

        [Fact]
        public void ATwoMegabyteRecordKeepsTheLeasesAtItsStart()
        {
            // Issue 18: a 2 MB file was ignored without a counter.
            var store = new MemoryStore();
            Full(store, 10);
            var big = new byte[2 * 1024 * 1024];
            store.LeaseData.CopyTo(big, 0);
            new Random(3).NextBytes(big.AsSpan(store.LeaseData.Length));
            store.LeaseData = big;
            var lan = Services(store: store, leases: 64);
            Assert.Equal(10, lan.LeaseCount);
            Assert.Equal(1, lan.Counters[LanCounter.LeaseStoreDamaged]);
            Assert.True(lan.Counters[LanCounter.LeaseStoreRecordsLost] > 0);
        }

        [Fact]
        public void WithAWallClockALeaseKeepsItsRealEndAcrossARestart()
        {
            var store = new MemoryStore();
            var lan = Services(store: store);
            lan.SetWallClock(Wall0, 0);
            Lease(lan, Mac(1), 1000); // 12 h lease from about Wall0 + 1.6 s
            // Off for 5 hours, then a restart whose monotonic clock starts at 0 again.
            var again = Services(store: store, now: 0);
            again.SetWallClock(Wall0 + 5 * 3_600_000L, 0);
            long left = again.Leases.ExpiresAt(again.LeaseSlot(0)) - 0;
            Assert.InRange(left, 7 * 3_600_000L, 7 * 3_600_000L + 2000); // the ACK came 1.6 s after Wall0
            // Off for more than the lease: the binding is remembered, the address no longer held.
            var late = Services(store: store, now: 0);
            late.SetWallClock(Wall0 + 13 * 3_600_000L, 0);
            Assert.Equal(DhcpLeaseTable.StateReleased, late.Leases.EffectiveState(late.LeaseSlot(0), 0));
        }

        [Fact]
        public void WithoutAWallClockTheRemainingTimeIsKeptNotResetToAWholeLease()
        {
            var store = new MemoryStore();
            var lan = Services(store: store);
            Lease(lan, Mac(1), 0); // no wall clock anywhere
            // Four hours in, a save (a second lease) and a restart.
            Lease(lan, Mac(2), 4 * 3_600_000L);
            var again = Services(store: store, now: 0);
            int slot = again.Leases.FindByMac(Hex(Mac(1)), 0);
            Assert.InRange(again.Leases.ExpiresAt(slot), 8 * 3_600_000L - 5000, 8 * 3_600_000L);
        }

        [Fact]
        public void TheClientIdentifierIsTheKey()
        {
            // Issue 18: the same client id from another MAC got another address.
            var lan = Services();
            uint a = Lease(lan, Mac(1), 1000, clientId: "ff00000001000100010203");
            uint b = Lease(lan, Mac(2), 5000, clientId: "ff00000001000100010203");
            Assert.Equal(a, b);
            Assert.Equal(1, lan.LeaseCount);
            // Another client id from the first MAC is another client.
            uint c = Lease(lan, Mac(2), 9000, clientId: "0102aabbcc0002");
            Assert.NotEqual(a, c);
            // And it survives a restart.
            var store = new MemoryStore();
            var s = Services(store: store);
            uint d = Lease(s, Mac(3), 1000, clientId: "ff01");
            var again = Services(store: store);
            Assert.Equal(d, Lease(again, Mac(4), 2000, clientId: "ff01"));
        }

        [Fact]
        public void OptionOverloadIsHonoured()
        {
            // Issue 18: a message type in 'file' got no reply. Option 52 = 1: 'file' holds options.
            var m = Bootp("3401 01 ff");
            int file = 108;
            var opts = Hex("350101 3704 0103061a ff");
            opts.CopyTo(m, file);
            var r = HandleThroughProbe(Services(), FromClient(m), output, 1000);
            Assert.Equal(LanAction.Reply, r.Action);
            Assert.Equal(DhcpMessage.Offer, output[42 + 242]);
            // 52 = 3: file, then sname.
            m = Bootp("3401 03 ff");
            Hex("3704 0103061a ff").CopyTo(m, file);
            Hex("350101 ff").CopyTo(m, 44);
            DhcpMessage parsed;
            Assert.Equal(LanCounter.Count, DhcpMessage.TryParse(m, 0, m.Length, out parsed));
            Assert.Equal(DhcpMessage.Discover, parsed.MessageType);
            Assert.Equal(4, parsed.ParameterListLength);
            // An option overrunning 'file' is refused like one overrunning the options field.
            m = Bootp("3401 01 ff");
            m[file + 126] = 53;
            m[file + 127] = 9;
            Assert.Equal(LanCounter.DropDhcpOptionsOverrun, DhcpMessage.TryParse(m, 0, m.Length, out parsed));
        }

        [Fact]
        public void EveryOptionRequestedStillFitsWithoutOverload()
        {
            // Option 52 on the way out: the server's whole option set (53, 54, 51, 58, 59, 1, 3, 6, 26,
            // 28 and the end) is 56 bytes, far below the 312 of the options field, so a reply never
            // needs 'file' or 'sname', whatever the client asks: here every code from 1 to 254.
            var codes = new System.Text.StringBuilder("37fe");
            for (int c = 1; c <= 254; c++)
                codes.Append(c.ToString("x2"));
            var f = FromClient(Bootp("350101 " + codes + " ff", mac: Mac(1)), Hex(Mac(1)));
            var r = HandleThroughProbe(Services(), f, output, 1000);
            Assert.Equal(LanAction.Reply, r.Action);
            Assert.Equal(42 + DhcpMessage.MinReplyLength, r.Length);
            Assert.True(output.Skip(42 + 44).Take(64 + 128).All(b => b == 0), "sname or file used");
            var seen = new System.Collections.Generic.List<int>();
            int pos = 42 + DhcpMessage.OptionsOffset;
            while (output[pos] != 255)
            {
                seen.Add(output[pos]);
                pos += 2 + output[pos + 1];
            }
            Assert.Equal(new[] { 53, 54, 51, 58, 59, 1, 3, 6, 26, 28 }, seen.ToArray());
            Assert.Equal(56, pos + 1 - (42 + DhcpMessage.OptionsOffset));
        }

        [Fact]
        public void AnAddressThatAnswersTheProbeIsNotOffered()
        {
            var lan = Services();
            var f = FromClient(Bootp("350101 ff", mac: Mac(1)), Hex(Mac(1)));
            var r = lan.Handle(f, 0, f.Length, output, 0, 1000);
            Assert.True(IsProbe(output, r.Length));
            uint probed = Endian.Read32(output, 14 + 24);
            Assert.Equal(V4("192.168.4.100"), probed);
            Assert.Equal(1500, lan.Dhcp.NextDeadline(1000));
            Assert.Equal(LanAction.Consumed, lan.Handle(f, 0, f.Length, output, 0, 1100).Action); // a retransmission waits
            // A live host that kept the address (a lease the server forgot) answers.
            var reply = Hex("ffffffffffff 02deadbeef01 0806 0001 0800 06 04 0002 02deadbeef01 c0a80464 020000000001 00000000");
            lan.Handle(reply, 0, reply.Length, output, 0, 1200);
            // At the deadline: the next address is probed, not the one in use.
            r = TickPastAnnouncements(lan, 1500);
            Assert.True(IsProbe(output, r.Length));
            Assert.Equal(V4("192.168.4.101"), Endian.Read32(output, 14 + 24));
            Assert.Equal(1, lan.Counters[LanCounter.DhcpProbeConflicts]);
            r = TickPastAnnouncements(lan, 2000);
            Parse(output, r);
            Assert.Equal(DhcpMessage.Offer, output[42 + 242]);
            Assert.Equal(V4("192.168.4.101"), Endian.Read32(output, 42 + 16));
            Assert.Equal(1, lan.Counters[LanCounter.DhcpOffers]);
            // The address in use stays out of the pool.
            Assert.False(lan.Leases.IsAvailableFor(V4("192.168.4.100"), Hex(Mac(2)), 0, 3000));
        }

        [Fact]
        public void TheLiveClientThatAnsweredTheProbeRenewsItsOwnAddress()
        {
            // Found with real clients (tests/Lab/DhcpRealClientTests): after a lease record was lost,
            // a new device's probe was answered by the live client holding the address; the address
            // was declined for everyone, so the live client's renewal (RENEWING, ciaddr) was NAKed.
            var lan = Services();
            var f = FromClient(Bootp("350101 ff", mac: Mac(1)), Hex(Mac(1)));
            var r = lan.Handle(f, 0, f.Length, output, 0, 1000);
            Assert.True(IsProbe(output, r.Length));
            var reply = Hex("ffffffffffff 02deadbeef01 0806 0001 0800 06 04 0002 02deadbeef01 c0a80464 020000000001 00000000");
            lan.Handle(reply, 0, reply.Length, output, 0, 1200);
            TickPastAnnouncements(lan, 1500);
            Assert.Equal(1, lan.Counters[LanCounter.DhcpProbeConflicts]);
            uint inUse = V4("192.168.4.100");
            // The live client renews (unicast, ciaddr its address, no option 50 or 54): ACKed.
            var renew = FromClient(Bootp("350103 ff", ciaddr: "c0a80464", mac: "02deadbeef01"), Hex("02deadbeef01"), inUse, RouterIp, RouterMac);
            r = lan.Handle(renew, 0, renew.Length, output, 0, 5000);
            Parse(output, r);
            Assert.Equal(DhcpMessage.Ack, output[42 + 242]);
            Assert.Equal(inUse, Endian.Read32(output, 42 + 16));
            Assert.Equal(0, lan.Counters[LanCounter.DhcpNaks]);
            // Anyone else asking for it is still refused.
            var other = FromClient(Bootp("350103 ff", ciaddr: "c0a80464", mac: Mac(7)), Hex(Mac(7)), inUse, RouterIp, RouterMac);
            lan.Handle(other, 0, other.Length, output, 0, 5100);
            Assert.Equal(DhcpMessage.Nak, output[42 + 242]);
            // Before the renewal, only the host that answered may have it.
            var s = Services();
            f = FromClient(Bootp("350101 ff", mac: Mac(1)), Hex(Mac(1)));
            s.Handle(f, 0, f.Length, output, 0, 1000);
            s.Handle(reply, 0, reply.Length, output, 0, 1200);
            TickPastAnnouncements(s, 1500);
            Assert.True(s.Leases.IsAvailableFor(inUse, Hex("02deadbeef01"), 0, 3000));
            Assert.False(s.Leases.IsAvailableFor(inUse, Hex(Mac(2)), 0, 3000));
            Assert.False(s.Leases.IsAvailableFor(inUse, Hex(Mac(1)), 0, 3000));
        }

        [Fact]
        public void ForgedReleaseAndDeclineAreRefused()
        {
            // Issue 17: a RELEASE or DECLINE from a MAC that does not hold the lease.
            var lan = Services();
            var events = new EventLog(8);
            lan.Events = events;
            uint ip = Lease(lan, Mac(1), 1000);
            string ipHex = ip.ToString("x8");
            // chaddr the victim's, frame from the attacker.
            var release = FromClient(Bootp("350107 3604c0a80401 ff", ciaddr: ipHex, mac: Mac(1)), Hex(Mac(66)), ip, RouterIp, RouterMac);
            Assert.Equal(LanAction.Consumed, lan.Handle(release, 0, release.Length, output, 0, 2000).Action);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredDhcpForgedRelease]);
            Assert.Equal(DhcpLeaseTable.StateBound, lan.Leases.EffectiveState(lan.LeaseSlot(0), 2000));
            var decline = FromClient(Bootp("350104 3204" + ipHex + "3604c0a80401 ff", mac: Mac(1)), Hex(Mac(66)));
            lan.Handle(decline, 0, decline.Length, output, 0, 2100);
            Assert.Equal(1, lan.Counters[LanCounter.IgnoredDhcpForgedDecline]);
            Assert.Equal(DhcpLeaseTable.StateBound, lan.Leases.EffectiveState(lan.LeaseSlot(0), 2100));
            Assert.Contains(Enumerable.Range(0, events.Count), i => events.KindAt(i) == EventKind.LeaseForgeryRefused);
            // With the same client id from another MAC (the id is no proof), still refused.
            var s = Services();
            uint j = Lease(s, Mac(1), 1000, clientId: "01" + Mac(1));
            var forged = FromClient(Bootp("350107 3d07" + "01" + Mac(1) + "3604c0a80401 ff", ciaddr: j.ToString("x8"), mac: Mac(66)), Hex(Mac(66)), j, RouterIp, RouterMac);
            s.Handle(forged, 0, forged.Length, output, 0, 2000);
            Assert.Equal(1, s.Counters[LanCounter.IgnoredDhcpForgedRelease]);
            // The holder's own RELEASE still works.
            var own = FromClient(Bootp("350107 3604c0a80401 ff", ciaddr: ipHex, mac: Mac(1)), Hex(Mac(1)), ip, RouterIp, RouterMac);
            lan.Handle(own, 0, own.Length, output, 0, 3000);
            Assert.Equal(DhcpLeaseTable.StateReleased, lan.Leases.EffectiveState(lan.LeaseSlot(0), 3000));
        }
    }
}

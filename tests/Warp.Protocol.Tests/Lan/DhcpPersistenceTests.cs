using Warp.Protocol.Lan;
using Warp.Protocol.Net;
using Warp.TestKit;
using Xunit;
using static Warp.Protocol.Tests.Lan.Lan;

namespace Warp.Protocol.Tests.Lan
{
    /// <summary>Leases survive a restart through the ILeaseStore: same MAC, same address.</summary>
    public class DhcpPersistenceTests
    {
        readonly byte[] output = new byte[1514];

        uint Lease(LanServices lan, string mac, long now)
        {
            var f = FromClient(Bootp("350101 ff", mac: mac), Hex(mac));
            Assert.Equal(LanAction.Reply, HandleThroughProbe(lan, f, output, now).Action);
            uint ip = Endian.Read32(output, 42 + 16);
            f = FromClient(Bootp("350103 3204" + ip.ToString("x8") + "3604c0a80401 ff", mac: mac), Hex(mac));
            Assert.Equal(LanAction.Reply, lan.Handle(f, 0, f.Length, output, 0, now).Action);
            Assert.Equal(DhcpMessage.Ack, output[42 + 242]);
            lan.SaveRecords(now); // what the router does before it releases the ACK
            Assert.False(lan.RecordsDirty);
            return ip;
        }

        [Fact]
        public void LeasesSurviveARestart()
        {
            var store = new MemoryStore();
            var lan = Services(store: store, now: 0);
            uint a = Lease(lan, "02aabbccdd01", 1000);
            uint b = Lease(lan, "02aabbccdd02", 2000);
            Assert.Equal(V4("192.168.4.100"), a);
            Assert.Equal(V4("192.168.4.101"), b);
            Assert.Equal(2, store.LeaseSaves);
            Assert.Equal(16 + 2 * DhcpLeaseTable.StoredBytesPerLease, store.LeaseData.Length);
            Assert.Equal("574c5332" + "0000000000000000", ToHex(store.LeaseData, 0, 12)); // no wall clock: saved at 0

            // Reboot: the clock starts again; B asks first and still gets its own address.
            var again = Services(store: store, now: 5);
            Assert.Equal(2, again.LeaseCount);
            Assert.Equal(b, Lease(again, "02aabbccdd02", 10));
            Assert.Equal(a, Lease(again, "02aabbccdd01", 20));
            Assert.Equal(V4("192.168.4.102"), Lease(again, "02aabbccdd03", 30));
            // The ARP cache is refilled from the ACKs.
            var mac = new byte[6];
            Assert.True(again.TryGetMac(b, mac, 0));
            Assert.Equal(Hex("02aabbccdd02"), mac);
        }

        [Fact]
        public void HandleNeverWritesTheStoreItself()
        {
            var store = new MemoryStore();
            var lan = Services(store: store);
            var f = FromClient(Bootp("350101 ff", mac: "02aabbccdd01"), Hex("02aabbccdd01"));
            HandleThroughProbe(lan, f, output, 10);
            uint ip = Endian.Read32(output, 42 + 16);
            f = FromClient(Bootp("350103 3204" + ip.ToString("x8") + "3604c0a80401 ff", mac: "02aabbccdd01"), Hex("02aabbccdd01"));
            Assert.Equal(LanAction.Reply, lan.Handle(f, 0, f.Length, output, 0, 20).Action);
            Assert.Equal(0, store.LeaseSaves);          // the ACK is made, the record is not yet written
            Assert.True(lan.RecordsDirty);         // so the router must hold the ACK
            lan.SaveRecords(30);
            Assert.Equal(1, store.LeaseSaves);
            Assert.False(lan.RecordsDirty);
            lan.SaveRecords(40);                   // nothing behind: no second write
            Assert.Equal(1, store.LeaseSaves);
        }

        [Fact]
        public void RenewalsDoNotWriteEveryTime()
        {
            var store = new MemoryStore();
            var lan = Services(store: store);
            Lease(lan, "02aabbccdd01", 1000);
            int saves = store.LeaseSaves;
            for (int i = 1; i <= 10; i++)
                Lease(lan, "02aabbccdd01", 1000 + i * 60_000L); // renew every minute
            Assert.Equal(saves, store.LeaseSaves);
            Lease(lan, "02aabbccdd01", 1000 + 43_200_000L / 2 + 120_000); // more than half a lease later
            Assert.Equal(saves + 1, store.LeaseSaves);
        }

        [Theory]
        [InlineData("")]                                             // nothing stored
        [InlineData("574c5332 0000")]                                // wrong magic
        [InlineData("574c5331 0005 02aabbccdd01c0a8046402000000ff")] // count beyond the data
        [InlineData("574c53")]                                       // truncated header
        public void UnreadableStoreStartsEmpty(string hex)
        {
            var store = new MemoryStore { LeaseData = Hex(hex) };
            var lan = Services(store: store);
            Assert.Equal(0, lan.LeaseCount);
            Assert.Equal(hex.Length == 0 ? 0 : 1, lan.Counters[LanCounter.LeaseStoreLoadRejected]);
        }

        [Fact]
        public void BadStoredEntriesAreRejectedOneByOne()
        {
            // Good; outside the pool; multicast MAC; duplicate address; unknown state.
            var store = new MemoryStore
            {
                LeaseData = Hex("574c5331 0005"
                    + "02aabbccdd01 c0a80464 02 000000ff"
                    + "02aabbccdd02 c0a80432 02 000000ff"
                    + "03aabbccdd03 c0a80465 02 000000ff"
                    + "02aabbccdd04 c0a80464 02 000000ff"
                    + "02aabbccdd05 c0a80466 09 000000ff"),
            };
            var lan = Services(store: store);
            Assert.Equal(1, lan.LeaseCount);
            Assert.Equal("192.168.4.100 02:aa:bb:cc:dd:01 bound 255s", lan.FormatLease(0, 0));
            Assert.Equal(1, lan.Counters[LanCounter.LeaseStoreLoadRejected]);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Reflection;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    public class IndexTableTests
    {
        /// <summary>The slot array, to check where probing put a key (IndexTable(1) has 8 slots).</summary>
        static uint[] Slots(IndexTable t)
        {
            return (uint[])typeof(IndexTable).GetField("keys", BindingFlags.NonPublic | BindingFlags.Instance).GetValue(t);
        }

        /// <summary>Indices whose home slot is <paramref name="slot"/>, found by adding each to an empty table.</summary>
        static uint[] IndicesHomedAt(int slot, int count)
        {
            var probe = new IndexTable(1);
            var found = new List<uint>();
            for (uint candidate = 1; found.Count < count; candidate++)
            {
                Assert.True(probe.Add(candidate, 0));
                if (Array.IndexOf(Slots(probe), candidate) == slot)
                    found.Add(candidate);
                probe.Remove(candidate);
                Assert.True(candidate < 100000, "no index homes at slot " + slot);
            }
            return found.ToArray();
        }

        [Fact]
        public void AddFindRemove()
        {
            var t = new IndexTable(2);
            Assert.True(t.Add(0xDEADBEEF, 1));
            Assert.True(t.Add(0x00000001, 0));
            Assert.Equal(1, t.Find(0xDEADBEEF));
            Assert.Equal(0, t.Find(0x00000001));
            Assert.Equal(-1, t.Find(0xDEADBEEE));
            t.Remove(0xDEADBEEF);
            Assert.Equal(-1, t.Find(0xDEADBEEF));
            Assert.Equal(0, t.Find(0x00000001));
            t.Remove(0xDEADBEEF); // twice: nothing happens
            t.Remove(0);
            Assert.Equal(0, t.Find(0x00000001));
        }

        [Fact]
        public void DuplicateAndZeroAreRefused()
        {
            var t = new IndexTable(1);
            Assert.True(t.Add(42, 0));
            Assert.False(t.Add(42, 3));
            Assert.Equal(0, t.Find(42)); // the first owner keeps it
            Assert.False(t.Add(0, 0));
            Assert.Equal(-1, t.Find(0));
        }

        [Fact]
        public void FullTableRefusesUntilAnIndexIsRemoved()
        {
            var t = new IndexTable(1); // 8 slots, one always left free
            for (uint i = 1; i <= 7; i++)
                Assert.True(t.Add(i * 0x01010101u, (int)i));
            Assert.False(t.Add(0xCAFEBABE, 0));
            for (uint i = 1; i <= 7; i++)
                Assert.Equal((int)i, t.Find(i * 0x01010101u));
            Assert.Equal(-1, t.Find(0xCAFEBABE));
            t.Remove(3 * 0x01010101u);
            Assert.True(t.Add(0xCAFEBABE, 9));
            Assert.Equal(9, t.Find(0xCAFEBABE));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(16)]
        public void HoldsFourIndicesPerPeer(int peers)
        {
            // One handshake and three keypairs per peer must always fit.
            var t = new IndexTable(peers);
            var rng = new Random(peers);
            var added = new List<uint>();
            while (added.Count < peers * 4)
            {
                uint index = (uint)rng.Next(1, int.MaxValue);
                if (added.Contains(index)) continue;
                Assert.True(t.Add(index, added.Count % peers));
                added.Add(index);
            }
            for (int i = 0; i < added.Count; i++)
                Assert.Equal(i % peers, t.Find(added[i]));
        }

        [Fact]
        public void RemovedIndexCanBeAddedAgain()
        {
            var t = new IndexTable(1);
            Assert.True(t.Add(7, 0));
            t.Remove(7);
            Assert.True(t.Add(7, 5));
            Assert.Equal(5, t.Find(7));
        }

        [Fact]
        public void ProbeChainWrapsAroundTheEndOfTheTable()
        {
            uint[] k = IndicesHomedAt(7, 3); // all three want the last slot
            var t = new IndexTable(1);
            Assert.True(t.Add(k[0], 0));
            Assert.True(t.Add(k[1], 1));
            Assert.True(t.Add(k[2], 2));
            uint[] slots = Slots(t);
            Assert.Equal(k[0], slots[7]);
            Assert.Equal(k[1], slots[0]); // wrapped
            Assert.Equal(k[2], slots[1]);
            Assert.Equal(0, t.Find(k[0]));
            Assert.Equal(1, t.Find(k[1]));
            Assert.Equal(2, t.Find(k[2]));

            // A hole in the middle of the chain, just after the wrap, must not cut it.
            t.Remove(k[1]);
            Assert.Equal(-1, t.Find(k[1]));
            Assert.Equal(0, t.Find(k[0]));
            Assert.Equal(2, t.Find(k[2]));
            // The head of the chain goes too; the tail is still reached across both holes.
            t.Remove(k[0]);
            Assert.Equal(2, t.Find(k[2]));
            t.Remove(k[2]);
            Assert.Equal(-1, t.Find(k[2]));

            // Re-adding reuses the freed slots at the chain's start.
            Assert.True(t.Add(k[2], 4));
            Assert.Equal(k[2], Slots(t)[7]);
            Assert.Equal(4, t.Find(k[2]));
            Assert.Equal(-1, t.Find(k[0]));
        }

        [Fact]
        public void ChurnDoesNotWearTheTableOut()
        {
            // Handshakes come and go for hours: removals leave tombstones that must not fill the table.
            var t = new IndexTable(1);
            var rng = new Random(5);
            var live = new List<uint>();
            for (int round = 0; round < 5000; round++)
            {
                if (live.Count == 6 || (live.Count > 0 && rng.Next(2) == 0))
                {
                    int i = rng.Next(live.Count);
                    t.Remove(live[i]);
                    Assert.Equal(-1, t.Find(live[i]));
                    live.RemoveAt(i);
                }
                else
                {
                    uint index = (uint)rng.Next(1, int.MaxValue);
                    if (live.Contains(index)) continue;
                    Assert.True(t.Add(index, live.Count), "round " + round);
                    live.Add(index);
                }
                foreach (var index in live)
                    Assert.True(t.Find(index) >= 0, "round " + round);
            }
        }
    }
}

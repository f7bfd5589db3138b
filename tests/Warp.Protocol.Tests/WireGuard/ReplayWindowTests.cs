using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Protocol.Tests.WireGuard
{
    public class ReplayWindowTests
    {
        // Table-driven, in the manner of the Linux selftests: (counter, accepted?) in order.
        public static TheoryData<string, ulong[], bool[]> Cases()
        {
            ulong w = 8128; // 128 words
            return new TheoryData<string, ulong[], bool[]>
            {
                { "in order", new ulong[] { 0, 1, 2, 3 }, new[] { true, true, true, true } },
                { "duplicate", new ulong[] { 0, 1, 1 }, new[] { true, true, false } },
                { "zero twice", new ulong[] { 0, 0 }, new[] { true, false } },
                { "reordered inside the window", new ulong[] { 5, 3, 4, 1, 3 }, new[] { true, true, true, true, false } },
                { "edge of the window", new ulong[] { w + 10, 10, 9 }, new[] { true, true, false } },
                { "far jump clears old bits", new ulong[] { 3, 3 + 10 * w, 3 + 10 * w - 1, 3 }, new[] { true, true, true, false } },
                { "jump by exactly a word", new ulong[] { 63, 64, 127, 128, 64 }, new[] { true, true, true, true, false } },
                { "bits reused after advancing", new ulong[] { 1, w + 64 + 1, w + 65, 65 + 64 }, new[] { true, true, false, true } },
                { "reject limit", new ulong[] { Limits.RejectAfterMessages - 1, Limits.RejectAfterMessages, ulong.MaxValue }, new[] { true, false, false } },
            };
        }

        [Theory]
        [MemberData(nameof(Cases))]
        public void AcceptsEachCounterOnceInsideTheWindow(string name, ulong[] counters, bool[] expected)
        {
            var window = new ReplayWindow(128);
            for (int i = 0; i < counters.Length; i++)
            {
                bool may = window.MayAccept(counters[i]);
                bool accepted = window.Accept(counters[i]);
                Assert.True(expected[i] == accepted, name + ": counter " + counters[i] + " at step " + i);
                Assert.Equal(accepted, may);
            }
        }

        [Fact]
        public void WindowSizeAndBytes()
        {
            Assert.Equal(8128UL, new ReplayWindow(128).WindowSize);
            Assert.Equal(1984UL, new ReplayWindow(32).WindowSize);
            Assert.Equal(128 * 8 + 9, new ReplayWindow(128).SizeInBytes);
        }

        [Fact]
        public void RandomOrderAgainstAReferenceSet()
        {
            var rng = new System.Random(6479);
            var window = new ReplayWindow(4); // 192-packet window: easy to step outside
            var seen = new System.Collections.Generic.HashSet<ulong>();
            ulong greatest = 0;
            bool any = false;
            for (int i = 0; i < 20000; i++)
            {
                ulong c = (ulong)System.Math.Max(0, (long)greatest + rng.Next(-260, 40));
                bool expected = !seen.Contains(c) && (!any || c > greatest || greatest - c <= window.WindowSize);
                Assert.Equal(expected, window.Accept(c));
                if (expected)
                {
                    seen.Add(c);
                    if (!any || c > greatest) greatest = c;
                    any = true;
                }
            }
        }
    }
}

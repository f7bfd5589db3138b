using System;
using System.Collections.Generic;
using System.Text;
using Warp.Firmware;
using Warp.Protocol;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.WireGuard;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>
    /// The four counter sets share one layout (CounterSet): None at 0, then drops, then the rest,
    /// and every printed name is derived from its enum member. These tests keep the hand-written
    /// name tables (the device has no enum names at run time) in step with the enums.
    /// </summary>
    public class CounterSetTests
    {
        public static IEnumerable<object[]> Sets()
        {
            yield return new object[] { new RouterCounters(), typeof(RouterCounter), "router" };
            yield return new object[] { new TunnelCounters(), typeof(TunnelCounter), "tunnel" };
            yield return new object[] { new NatCounters(), typeof(NatCounter), "nat" };
            yield return new object[] { new LanCounters(), typeof(LanCounter), "lan" };
            yield return new object[] { new Warp.Protocol.Uplink.UplinkCounters(), typeof(Warp.Protocol.Uplink.UplinkCounter), "uplink" };
            yield return new object[] { new FragmentCounters(), typeof(FragmentCounter), "frag" };
            yield return new object[] { new FastPathCounters(), typeof(FastPathCounter), "fastpath" };
            yield return new object[] { new Warp.Protocol.Web.WebCounters(), typeof(Warp.Protocol.Web.WebCounter), "web" };
            yield return new object[] { new PortalCounters(), typeof(PortalCounter), "portal" };
        }

        /// <summary>DropBadMac1 -> drop.bad_mac1, IgnoredMld -> ignored.mld, KeysZeroed -> keys_zeroed.</summary>
        static string Expected(string member)
        {
            string prefix = "";
            if (member.StartsWith("Drop", StringComparison.Ordinal)) { prefix = "drop."; member = member.Substring(4); }
            else if (member.StartsWith("Ignored", StringComparison.Ordinal)) { prefix = "ignored."; member = member.Substring(7); }
            var sb = new StringBuilder(prefix);
            for (int i = 0; i < member.Length; i++)
            {
                char c = member[i];
                bool boundary = i > 0 && char.IsUpper(c) && (char.IsLower(member[i - 1]) || (i + 1 < member.Length && char.IsLower(member[i + 1])));
                bool digitBoundary = i > 0 && char.IsDigit(c) && !char.IsDigit(member[i - 1]) && member[i - 1] != 'V' && member[i - 1] != 'c';
                if (boundary || digitBoundary) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            return sb.ToString();
        }

        [Theory]
        [MemberData(nameof(Sets))]
        public void NamesFollowTheEnum(CounterSet set, Type counterEnum, string module)
        {
            string[] members = Enum.GetNames(counterEnum);
            Assert.Equal(module, set.Module);
            Assert.Equal("None", members[0]);
            Assert.Equal("Count", members[members.Length - 1]);
            Assert.Equal(members.Length - 1, set.Length);
            Assert.Equal("none", set.NameAt(0));
            var seen = new HashSet<string>();
            for (int i = 0; i < set.Length; i++)
            {
                Assert.Equal((int)Enum.Parse(counterEnum, members[i]), i);
                Assert.True(seen.Add(set.NameAt(i)), "duplicate name " + set.NameAt(i));
                string expected = Expected(members[i]);
                // Two names spell an acronym or a version apart from the mechanical rule.
                expected = expected.Replace("mac_1", "mac1").Replace("v_4", "v4").Replace("v_6", "v6");
                Assert.Equal(expected, set.NameAt(i));
                Assert.Equal(members[i].StartsWith("Drop", StringComparison.Ordinal), set.IsDropAt(i));
            }
        }

        [Fact]
        public void NoneIsNeverCountedAndDropsAreSummed()
        {
            var t = new TunnelCounters();
            t.Increment(TunnelCounter.None);
            t.Increment(TunnelCounter.DropBadMac1);
            t.Increment(TunnelCounter.DropBadMac1);
            t.Increment(TunnelCounter.KeepalivesSent);
            Assert.Equal(0, t.ValueAt(0));
            Assert.Equal(2, t[TunnelCounter.DropBadMac1]);
            Assert.Equal(2, t.TotalDrops);
            var n = new NatCounters();
            n.Increment((NatCounter)9999); // out of range: counted nowhere, no exception
            n.Increment(NatCounter.DropTableFull);
            n.Increment(NatCounter.Outbound);
            Assert.Equal(1, n.TotalDrops);
            Assert.Equal(0, n[(NatCounter)9999]);
        }

        [Fact]
        public void ResultsOfAllModulesUseNoneAsTheNoReasonSentinel()
        {
            Assert.Equal(0, (int)default(TunnelResult).Reason);
            Assert.Equal(0, (int)default(NatResult).Reason);
            Assert.Equal(0, (int)LanResult.NotForUs.Reason);
            Assert.Equal(0, (int)LanResult.Reply(10).Reason);
            Assert.Equal("Dropped", NatAction.Dropped.ToString());
            Assert.Equal("Dropped", LanAction.Dropped.ToString());
            Assert.Equal("Dropped", TunnelAction.Dropped.ToString());
        }
    }
}

using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Warp.Protocol;
using Xunit;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The native counters (core/wn_fastpath.h, WN_C_*) come in the order of the managed
    /// FastPathCounter, which names them for the console; and they count what happened.
    /// </summary>
    public class CounterNameTests
    {
        [Fact]
        public void TheNativeCounterOrderIsFastPathCounters()
        {
            string header = File.ReadAllText(Path.Combine(NativeBuild.SourceDir, "core", "wn_fastpath.h"));
            var body = Regex.Match(header, @"enum \{\s*(WN_C_NONE.*?)WN_C_COUNT", RegexOptions.Singleline).Groups[1].Value;
            var native = Regex.Matches(body, @"WN_C_(\w+)").Select(m => Pascal(m.Groups[1].Value)).ToArray();
            var managed = Enum.GetNames(typeof(FastPathCounter)).Where(n => n != "Count").ToArray();
            Assert.Equal(managed, native);
            Assert.Equal(managed.Length, new FastPathCounters().Length);
        }

        static string Pascal(string upper)
        {
            var sb = new StringBuilder();
            foreach (var part in upper.Split('_'))
                sb.Append(part[0]).Append(part.Substring(1).ToLowerInvariant());
            return sb.ToString();
        }

        [Fact]
        public void TheCountersCountWhatHappenedAndAbsorbAddsTheGrowth()
        {
            using var h = new Harness(31);
            var host = new byte[] { 192, 168, 4, 40 };
            var mac = new byte[] { 2, 0xAA, 0, 0, 0, 4 };
            var remote = new byte[] { 9, 9, 9, 9 };
            h.Bind(host, mac);
            byte[] Frame() => Packets.Frame(Harness.RouterMac, mac, Packets.V4(host, remote, Packets.Udp, Packets.Transport(Packets.Udp, false, 8000, 443, 0, true, new byte[20])));
            h.FromLan(Frame());                  // the first packet: the managed core's, then offloaded
            h.FromLan(Frame(), mustCarry: true); // carried
            int session = Warp.Protocol.Nat.NatOffload.FindSession(h.Nat, false, Packets.Udp, host, 0, 8000, remote, 0, 443, h.Now);
            var reply = h.Seal(Packets.V4(remote, Harness.ExtV4, Packets.Udp, Packets.Transport(Packets.Udp, false, 443, h.Nat.Table.ExternalPort(session), 0, false, new byte[20])));
            h.FromUplink(reply, mustCarry: true);
            h.FromUplink(reply);                 // replayed
            h.FromUplink(h.Seal(new byte[0]));   // keepalive
            var snapshot = new long[(int)FastPathCounter.Count];
            Assert.Equal(snapshot.Length, Native.wn_host_counters(h.Fp, snapshot, snapshot.Length));
            var counters = new FastPathCounters();
            counters.Absorb(snapshot, snapshot.Length);
            Assert.Equal(0, counters.ValueAt(0));
            Assert.Equal(1, counters[FastPathCounter.PacketsOut]);
            Assert.Equal(1, counters[FastPathCounter.PuntedFromLan]);
            Assert.Equal(1, counters[FastPathCounter.PacketsIn]);
            Assert.Equal(1, counters[FastPathCounter.DropReplayed]);
            Assert.Equal(1, counters[FastPathCounter.KeepalivesIn]);
            Assert.Equal(1, counters.TotalDrops);
            Assert.Equal(reply.Length, counters[FastPathCounter.BytesIn]);
            counters.Absorb(snapshot, snapshot.Length); // nothing grew: nothing added
            Assert.Equal(1, counters[FastPathCounter.PacketsOut]);
        }
    }
}

using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Warp.Firmware;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Native.Tests
{
    /// <summary>
    /// The native RAM the ESP32's C side holds (firmware/FastPathMemory.cs): its figures are the C's own
    /// sizeof (the host library reports them), and every board profile's fast path and LAN ring fit the
    /// profile's "native" budget of internal RAM.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public class NativeMemoryTests
    {
        readonly ITestOutputHelper output;
        public NativeMemoryTests(ITestOutputHelper output) { this.output = output; }

        static string Root
        {
            get
            {
                var d = new DirectoryInfo(AppContext.BaseDirectory);
                while (d != null && !File.Exists(Path.Combine(d.FullName, "Warp.Firmware.sln")))
                    d = d.Parent;
                return d?.FullName ?? throw new InvalidOperationException("repository root not found");
            }
        }

        [Fact]
        public void TheManagedFiguresAreTheCsOwnSizes()
        {
            NativeBuild.Ensure();
            foreach (int flows in new[] { 1, 2, 16, 64, 100, 128, 256 })
                Assert.Equal(Native.wn_host_native_bytes(flows), FastPathMemory.FastPathBytes(flows));
            Assert.Equal(0, Native.wn_host_native_bytes(0));
            Assert.Equal(0, Native.wn_host_native_bytes(257)); // above WN_MAX_FLOWS: refused, nothing allocated
            Assert.Equal(FastPathMemory.RingStateBytes, Native.wn_host_ring_state_bytes());
        }

        public static TheoryData<string> Boards()
        {
            var d = new TheoryData<string>();
            foreach (var f in Directory.GetFiles(Path.Combine(Root, "boards"), "*.json").OrderBy(f => f))
                d.Add(Path.GetFileNameWithoutExtension(f));
            return d;
        }

        [Theory]
        [MemberData(nameof(Boards))]
        public void EveryBoardsNativeRamFitsItsBudget(string id)
        {
            var j = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "boards", id + ".json"))).RootElement;
            int flows = j.GetProperty("sizes").GetProperty("fastPathFlows").GetInt32();
            int ring = j.GetProperty("lanRingFrames").GetInt32();
            var native = j.GetProperty("native");
            int budget = native.GetProperty("budget").GetInt32();
            Assert.False(string.IsNullOrWhiteSpace(native.GetProperty("source").GetString()), id + ": the native budget names its source");
            int fast = FastPathMemory.FastPathBytes(flows), lan = FastPathMemory.LanRingBytes(ring), total = FastPathMemory.NativeBytes(flows, ring);
            output.WriteLine($"| `{id}` | {flows} | {fast:N0} | {ring} | {lan:N0} | {total:N0} | {budget:N0} |");
            Assert.Equal(fast + lan, total);
            Assert.True(flows == 0 || fast > flows * FastPathMemory.FlowBytes);
            Assert.True(total <= budget, $"{id}: native {total} B (fast path {fast}, LAN ring {lan}) > budget {budget}");
        }
    }
}

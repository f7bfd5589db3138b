using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Warp.Firmware;
using Warp.Protocol.Crypto;
using Warp.Router.Esp32;
using Warp.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Esp32.Tests
{
    /// <summary>
    /// boards/*.json: every profile builds a router that fits its heap budget with the stated
    /// allowance, names a real nanoFramework ESP32 target, and is what the device program has
    /// compiled in (firmware/Esp32/Boards.cs).
    /// </summary>
    public class BoardTests
    {
        /// <summary>nanoFramework's object headers are 12 bytes (against .NET's 24): half the overhead MemoryTests measures on .NET (at most 1.24x), so 12% on top of MemoryBytes.</summary>
        public const double HeaderOverhead = 0.12;

        readonly ITestOutputHelper output;
        public BoardTests(ITestOutputHelper output) { this.output = output; }

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

        public static IEnumerable<object[]> Profiles() =>
            Directory.GetFiles(Path.Combine(Root, "boards"), "*.json").OrderBy(f => f).Select(f => new object[] { Path.GetFileNameWithoutExtension(f) });

        static JsonElement Load(string id) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "boards", id + ".json"))).RootElement;

        static readonly string[] SizeFields = { "dhcpLeases", "ipv4Neighbors", "ipv6Neighbors", "natEntries", "natHosts", "replayWindowWords", "stagedPackets",
            "packetBuffer", "heldReplies", "consoleLine", "paths", "devices", "ipv6Bindings", "natReservePerDevice",
            "fragmentDatagrams", "fragmentHoldSlots", "natRemoteV6Addresses", "eventLog", "fastPathFlows",

            "webConnections", "webReceiveBuffer", "webSendBuffer", "webKdfIterations" };

        /// <summary>The router's sizes from a profile's "sizes" object (each RouterSizes field by name).</summary>
        static RouterSizes SizesOf(JsonElement j)
        {
            var s = new RouterSizes();
            var sizes = j.GetProperty("sizes");
            foreach (var f in SizeFields)
            {
                var field = typeof(RouterSizes).GetField(char.ToUpperInvariant(f[0]) + f.Substring(1)) ?? throw new InvalidOperationException("RouterSizes has no " + f);
                var v = sizes.GetProperty(f);
                field.SetValue(s, field.FieldType == typeof(bool) ? (object)v.GetBoolean() : v.GetInt32());
            }
            Assert.Equal(SizeFields.Length, sizes.EnumerateObject().Count()); // no size the router does not know
            s.DefaultNatEntries = s.NatEntries;
            return s;
        }

        /// <summary>A router built with every table at the board's size, as the device builds it (no NatEntries in the config: the board's table).</summary>
        static Warp.Firmware.Router Build(RouterSizes sizes)
        {
            var key = new byte[32];
            new SeededRandom(5).GetBytes(key, 0, 32);
            var peer = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(peer, 0, key, 0);
            string text = "[Interface]\nPrivateKey = " + Convert.ToBase64String(key) + "\nAddress = 172.16.0.2/32, fd01:5ca1::2/128\n" +
                "[Peer]\nPublicKey = " + Convert.ToBase64String(peer) + "\nEndpoint = 162.159.192.1:2408\n[Router]\n";
            var d = new Warp.Protocol.Config.ConfigDiagnostics();
            var settings = RouterConfig.Load(text, sizes, d) ?? throw new InvalidOperationException(d.ToString());
            var platform = new RouterPlatform { Lan = new MemoryLan(), Uplink = new MemoryUplink(), Crypto = new ManagedCryptoBackend(), Random = new SeededRandom(6), Store = new MemoryStore() };
            return new Warp.Firmware.Router(settings, sizes, platform, 0);
        }

        [Fact]
        public void EveryBoardTheIssueNamesHasAProfile()
        {
            var targets = Profiles().Select(p => Load((string)p[0]).GetProperty("target").GetString()).ToList();
            foreach (var t in new[] { "ESP32_REV3", "ESP32_PSRAM_REV3_IPV6", "ESP32_S3_QUAD", "ESP32_WT32_ETH01", "ESP32_C3" })
                Assert.Contains(t, targets);
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void TheRouterAndTheStatedAllowanceFitTheHeapBudget(string id)
        {
            var j = Load(id);
            var sizes = SizesOf(j);
            Assert.Null(sizes.Check());
            var router = Build(sizes);
            Assert.Equal(sizes.NatEntries, router.Nat.Table.Capacity); // the board's table, not the config default
            int budget = j.GetProperty("heap").GetProperty("budget").GetInt32();
            Assert.False(string.IsNullOrWhiteSpace(j.GetProperty("heap").GetProperty("source").GetString()), id + ": the budget names its source");
            var a = j.GetProperty("allowance");
            int allowance = a.GetProperty("runtime").GetInt32() + a.GetProperty("program").GetInt32() + a.GetProperty("sockets").GetInt32();
            Assert.True(allowance > 0 && a.GetProperty("note").GetString().Length > 0);
            int router_ = router.MemoryBytes;
            int withHeaders = (int)Math.Ceiling(router_ * (1 + HeaderOverhead));
            int need = withHeaders + allowance;
            output.WriteLine($"| `{id}` | {j.GetProperty("target").GetString()} | {budget:N0} | {router_:N0} | {withHeaders:N0} | {allowance:N0} | {need:N0} | {budget - need:N0} | {sizes.NatEntries:N0} |");
            Assert.True(need <= budget, $"{id}: router {router_} B (+{HeaderOverhead:P0} headers = {withHeaders}) + allowance {allowance} = {need} > heap budget {budget}");
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void TheTargetIsANanoFrameworkEsp32TargetFromTheStoredList(string id)
        {
            string[] lines = File.ReadAllLines(Path.Combine(Root, "boards", "nanoframework-esp32-targets.txt"));
            Assert.Contains(lines, l => l.StartsWith("# Source: github.com/nanoframework/nf-interpreter", StringComparison.Ordinal));
            var targets = lines.Where(l => l.Length > 0 && l[0] != '#').ToList();
            Assert.True(targets.Count > 20);
            Assert.Contains(Load(id).GetProperty("target").GetString(), targets);
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void TheDeviceProgramHasTheProfileCompiledIn(string id)
        {
            var j = Load(id);
            var b = Boards.All().SingleOrDefault(x => x.Id == id);
            Assert.True(b != null, id + " is not in firmware/Esp32/Boards.cs (run python3 build/gen_boards.py)");
            Assert.Equal(j.GetProperty("target").GetString(), b.Target);
            Assert.Equal(j.GetProperty("name").GetString(), b.Name);
            Assert.Equal(j.GetProperty("flashMB").GetInt32(), b.FlashMegabytes);
            Assert.Equal(j.GetProperty("psramMB").GetInt32(), b.PsramMegabytes);
            Assert.Equal(j.GetProperty("heap").GetProperty("budget").GetInt32(), b.HeapBudget);
            Assert.Equal(j.GetProperty("ipv6").GetBoolean(), b.Ipv6);
            var uplinks = j.GetProperty("uplinks").EnumerateArray().Select(u => u.GetString()).ToList();
            Assert.Equal(uplinks.Contains("wifi"), b.WifiUplink);
            Assert.Equal(uplinks.Contains("ethernet"), b.EthernetUplink);
            Assert.Equal(uplinks.Contains("ethernet"), b.EthernetPhy != null);
            var pins = j.GetProperty("pins");
            Assert.Equal(pins.GetProperty("light").GetInt32(), b.LightPin);
            Assert.Equal(pins.GetProperty("button").GetInt32(), b.ButtonPin);
            Assert.Equal(pins.GetProperty("consoleTx").GetInt32(), b.ConsoleTxPin);
            Assert.Equal(pins.GetProperty("consoleRx").GetInt32(), b.ConsoleRxPin);
            var fromJson = SizesOf(j);
            foreach (var f in typeof(RouterSizes).GetFields())
                Assert.True(Equals(f.GetValue(fromJson), f.GetValue(b.Sizes)), $"{id}: RouterSizes.{f.Name} differs between the JSON and Boards.cs (run python3 build/gen_boards.py)");
            Assert.Same(Boards.ForTarget(b.Target).Target, b.Target);
        }
    }
}

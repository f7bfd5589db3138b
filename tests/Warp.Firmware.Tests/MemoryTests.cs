using System;
using System.Collections.Generic;
using System.Reflection;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Firmware.Tests
{
    [CollectionDefinition("memory", DisableParallelization = true)]
    public class MemoryCollection { }

    /// <summary>
    /// Router.MemoryBytes against the router really built for each board profile: the arrays and
    /// strings it holds (walked by reflection), and what the .NET heap retains. Runs alone, so no
    /// other test allocates while the heap is measured.
    /// </summary>
    [Collection("memory")]
    public class MemoryTests
    {
        readonly ITestOutputHelper output;
        public MemoryTests(ITestOutputHelper output) { this.output = output; }

        public static TheoryData<string> Profiles() { return new TheoryData<string> { "linux", "esp32", "esp32-psram" }; }

        static RouterSizes Profile(string name)
        {
            return name == "linux" ? RouterSizes.LinuxHost() : name == "esp32" ? RouterSizes.Esp32NoPsram() : RouterSizes.Esp32Psram();
        }

        static string Config(RouterSizes sizes)
        {
            var key = new byte[32];
            new SeededRandom(3).GetBytes(key, 0, 32);
            var peer = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(peer, 0, key, 0);
            // The board's whole NAT table and a pool larger than its lease slots.
            return "[Interface]\nPrivateKey = " + Convert.ToBase64String(key) + "\nAddress = 172.16.0.2/32\n"
                + "[Peer]\nPublicKey = " + Convert.ToBase64String(peer) + "\nEndpoint = 10.250.2.2:51820\n"
                + "[Router]\nNatEntries = " + sizes.NatEntries + "\nDhcpPoolStart = 192.168.42.2\nDhcpPoolEnd = 192.168.42.250\n";
        }

        static RouterPlatform Platform()
        {
            return new RouterPlatform
            {
                Lan = new MemoryLan(), Uplink = new MemoryUplink(), Crypto = new ManagedCryptoBackend(),
                Random = new SeededRandom(5), Store = new MemoryStore(),
            };
        }

        static Router Build(RouterSizes sizes, RouterPlatform platform, out RouterSettings settings)
        {
            settings = RouterConfig.Load(Config(sizes), sizes, new ConfigDiagnostics());
            Assert.NotNull(settings);
            return new Router(settings, sizes, platform, 0);
        }

        /// <summary>Payload bytes of every array and string reachable from <paramref name="o"/> that is not in <paramref name="seen"/>.</summary>
        static long Payload(object o, HashSet<object> seen)
        {
            if (o == null || o is Type || o is Delegate || o is Pointer || !seen.Add(o))
                return 0;
            Type t = o.GetType();
            if (o is string s)
                return 2L * s.Length;
            if (t.IsArray)
            {
                var a = (Array)o;
                Type e = t.GetElementType();
                if (e.IsPrimitive)
                    return Buffer.ByteLength(a);
                long sum = 0;
                foreach (object x in a)
                    sum += Payload(x, seen);
                return sum;
            }
            long total = 0;
            for (Type tt = t; tt != null; tt = tt.BaseType)
                foreach (FieldInfo f in tt.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (!f.FieldType.IsValueType)
                        total += Payload(f.GetValue(o), seen);
            return total;
        }

        [Theory]
        [MemberData(nameof(Profiles))]
        public void MemoryBytesIsWithinFivePercentOfTheArraysTheRouterHolds(string profile)
        {
            RouterSizes sizes = Profile(profile);
            RouterPlatform platform = Platform();
            Router router = Build(sizes, platform, out RouterSettings settings);
            // Not the router's: the platform the host made, the settings it parsed, and the static
            // tables every router shares (counter names, key names).
            var seen = new HashSet<object>(ReferenceEqualityComparer.Instance) { platform, platform.Lan, platform.Uplink, platform.Crypto, platform.Random, platform.Store, settings, sizes };
            foreach (Assembly asm in new[] { typeof(Router).Assembly, typeof(Warp.Protocol.CounterSet).Assembly })
                foreach (Type t in asm.GetTypes())
                    if (!t.ContainsGenericParameters)
                        foreach (FieldInfo f in t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                            if (!f.IsLiteral && f.GetValue(null) is object v)
                                seen.Add(v);
            long held = Payload(router, seen);
            double ratio = (double)router.MemoryBytes / held;
            output.WriteLine(profile + ": MemoryBytes " + router.MemoryBytes + " (NAT " + router.Nat.Table.MemoryBytes + ", LAN " + router.Lan.SizeInBytes
                + ", tunnel " + router.Tunnel.MemoryBytes + "), arrays held " + held + ", ratio " + ratio.ToString("0.000"));
            Assert.True(ratio > 0.95 && ratio < 1.05, profile + ": MemoryBytes " + router.MemoryBytes + ", arrays held " + held + " (" + ratio.ToString("0.000") + ")");
        }

        /// <summary>
        /// What the heap retains after construction includes the runtime's object headers (24 bytes
        /// an array and 16 or more an object on 64-bit .NET, 12 on nanoFramework), so MemoryBytes is
        /// a lower bound; the headers of the few hundred objects add at most about a third on the
        /// smallest board.
        /// </summary>
        [Theory]
        [MemberData(nameof(Profiles))]
        public void MemoryBytesBoundsWhatTheHeapRetains(string profile)
        {
            RouterSizes sizes = Profile(profile);
            GC.KeepAlive(Build(sizes, Platform(), out _)); // static tables initialised before measuring
            // Eight routers, all kept alive, so the heap's allocation-context granularity (kilobytes)
            // is spread over eight times the memory measured.
            const int n = 8;
            var platforms = new RouterPlatform[n];
            var settings = new RouterSettings[n];
            for (int i = 0; i < n; i++)
            {
                platforms[i] = Platform();
                settings[i] = RouterConfig.Load(Config(sizes), sizes, new ConfigDiagnostics());
            }
            var routers = new Router[n];
            long before = GC.GetTotalMemory(true);
            for (int i = 0; i < n; i++)
                routers[i] = new Router(settings[i], sizes, platforms[i], 0);
            long retained = (GC.GetTotalMemory(true) - before) / n;
            var router = routers[0];
            output.WriteLine(profile + ": MemoryBytes " + router.MemoryBytes + ", .NET retained " + retained + " per router (" + ((double)retained / router.MemoryBytes).ToString("0.000") + "x)");
            Assert.True(retained >= router.MemoryBytes * 0.95 && retained <= router.MemoryBytes * 1.35,
                profile + ": MemoryBytes " + router.MemoryBytes + ", retained " + retained + " (" + ((double)retained / router.MemoryBytes).ToString("0.000") + ")");
            GC.KeepAlive(routers);
        }
    }
}

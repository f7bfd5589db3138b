using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Warp.Protocol.Net;
using Xunit;

namespace Warp.Protocol.Tests.Net
{
    /// <summary>
    /// Property test: random, truncated and mutated buffers, with hostile offsets and lengths,
    /// fed to every view's TryCreate. Each call either fails cleanly or yields a view whose every
    /// accessor, checksum method and setter runs without throwing and stays inside the buffer.
    /// </summary>
    public class ViewFuzzTests
    {
        delegate bool Create(byte[] b, int offset, int length, out object view);

        static readonly (string Name, Type Type, Create Create)[] Views =
        {
            ("Ethernet", typeof(EthernetFrame), (byte[] b, int o, int l, out object v) => { var r = EthernetFrame.TryCreate(b, o, l, out var x); v = x; return r; }),
            ("Arp", typeof(ArpPacket), (byte[] b, int o, int l, out object v) => { var r = ArpPacket.TryCreate(b, o, l, out var x); v = x; return r; }),
            ("Ipv4", typeof(Ipv4Packet), (byte[] b, int o, int l, out object v) => { var r = Ipv4Packet.TryCreate(b, o, l, out var x); v = x; return r; }),
            ("Ipv4Quoted", typeof(Ipv4Packet), (byte[] b, int o, int l, out object v) => { var r = Ipv4Packet.TryCreateQuoted(b, o, l, out var x); v = x; return r; }),
            ("Ipv6", typeof(Ipv6Packet), (byte[] b, int o, int l, out object v) => { var r = Ipv6Packet.TryCreate(b, o, l, out var x); v = x; return r; }),
            ("Ipv6Quoted", typeof(Ipv6Packet), (byte[] b, int o, int l, out object v) => { var r = Ipv6Packet.TryCreateQuoted(b, o, l, out var x); v = x; return r; }),
            ("Udp", typeof(UdpDatagram), (byte[] b, int o, int l, out object v) => { var r = UdpDatagram.TryCreate(b, o, l, out var x); v = x; return r; }),
            ("Tcp", typeof(TcpSegment), (byte[] b, int o, int l, out object v) => { var r = TcpSegment.TryCreate(b, o, l, out var x); v = x; return r; }),
            ("Icmpv4", typeof(Icmpv4Packet), (byte[] b, int o, int l, out object v) => { var r = Icmpv4Packet.TryCreate(b, o, l, out var x); v = x; return r; }),
            ("Icmpv6", typeof(Icmpv6Packet), (byte[] b, int o, int l, out object v) => { var r = Icmpv6Packet.TryCreate(b, o, l, out var x); v = x; return r; }),
        };

        const int Cases = 100_000;

        [Fact]
        public void EveryTryCreateFailsCleanlyOrYieldsASafeView()
        {
            int seed = Environment.TickCount;
            var rng = new Random(seed);
            var samples = PcapReader.AllFixtures().SelectMany(PcapReader.Read).ToArray();
            var successes = new int[Views.Length];
            for (int n = 0; n < Cases; n++)
            {
                byte[] buffer;
                int offset, length;
                MakeInput(rng, samples, out buffer, out offset, out length);
                for (int v = 0; v < Views.Length; v++)
                {
                    var copy = buffer == null ? null : (byte[])buffer.Clone();
                    try
                    {
                        if (!Views[v].Create(copy, offset, length, out var view))
                            continue;
                        successes[v]++;
                        Exercise(Views[v].Type, view, copy);
                    }
                    catch (Exception e)
                    {
                        var inner = e is TargetInvocationException t ? t.InnerException : e;
                        Assert.Fail($"seed {seed} case {n} view {Views[v].Name} offset {offset} length {length} buffer {(copy == null ? "null" : Convert.ToHexString(copy))}: {inner}");
                    }
                }
            }
            // The generator must reach the success path of every view, or the test proves little.
            for (int v = 0; v < Views.Length; v++)
                Assert.True(successes[v] > 100, $"seed {seed}: {Views[v].Name} succeeded only {successes[v]} times");
        }

        static void MakeInput(Random rng, byte[][] samples, out byte[] buffer, out int offset, out int length)
        {
            int kind = rng.Next(10);
            if (kind == 0)
            {
                // Hostile offset and length against a small buffer, or no buffer at all.
                buffer = rng.Next(20) == 0 ? null : new byte[rng.Next(64)];
                int[] hostile = { int.MinValue, -1, 0, 1, 7, 8, 20, 40, 63, 64, 65, int.MaxValue - 3, int.MaxValue };
                offset = hostile[rng.Next(hostile.Length)];
                length = hostile[rng.Next(hostile.Length)];
                return;
            }
            if (kind <= 3)
            {
                // Random bytes, with the first nibble often a plausible IP version.
                buffer = new byte[rng.Next(0, 160)];
                rng.NextBytes(buffer);
                if (buffer.Length > 0 && rng.Next(2) == 0)
                    buffer[0] = (byte)((rng.Next(2) == 0 ? 0x40 : 0x60) | (buffer[0] & 0x0F));
            }
            else
            {
                // A real frame from the captures, its layers exposed at a random header boundary,
                // truncated and with a few bytes changed (length fields above all).
                var frame = samples[rng.Next(samples.Length)];
                buffer = (byte[])frame.Clone();
                int mutations = kind <= 6 ? 0 : rng.Next(1, 6);
                for (int m = 0; m < mutations && buffer.Length > 0; m++)
                {
                    int at = rng.Next(Math.Min(buffer.Length, 80));
                    buffer[at] = (byte)rng.Next(256);
                }
            }
            int[] starts = { 0, 14, 34, 54, 62, 74 };
            offset = Math.Min(buffer.Length, rng.Next(3) == 0 ? rng.Next(buffer.Length + 1) : starts[rng.Next(starts.Length)]);
            int rest = buffer.Length - offset;
            length = rng.Next(4) == 0 ? rng.Next(rest + 1) : rest;
        }

        static readonly Dictionary<Type, PropertyInfo[]> Props = new Dictionary<Type, PropertyInfo[]>();
        static readonly Dictionary<Type, MethodInfo[]> Methods = new Dictionary<Type, MethodInfo[]>();

        static void Exercise(Type type, object view, byte[] buffer)
        {
            if (!Props.TryGetValue(type, out var props))
            {
                props = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
                Methods[type] = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                    .Where(m => !m.IsSpecialName && m.GetParameters().All(p => p.ParameterType == typeof(uint) || p.ParameterType == typeof(bool) || p.ParameterType == typeof(ushort)))
                    .ToArray();
                Props[type] = props;
            }
            var values = new Dictionary<string, object>();
            foreach (var p in props)
                values[p.Name] = p.GetValue(view);
            int offset = (int)values["Offset"];
            int length = (int)values["Length"];
            Assert.True(offset >= 0 && length >= 0 && offset + length <= buffer.Length, "view outside its buffer");
            CheckRegion(values, "Payload", offset, length);
            CheckRegion(values, "UpperLayer", offset, length);
            CheckRegion(values, "Options", offset, length);
            foreach (var name in values.Keys.Where(k => k.EndsWith("OffsetInBuffer")))
            {
                int at = (int)values[name];
                if (name == "RoutingHeaderOffset" && at < 0) continue;
                Assert.True(at >= offset && at < offset + length, name + " outside the view");
            }
            foreach (var m in Methods[type])
            {
                var args = m.GetParameters().Select(p => p.ParameterType == typeof(uint) ? (object)0x12345678u : p.ParameterType == typeof(ushort) ? (object)(ushort)536 : (object)true).ToArray();
                m.Invoke(view, args);
            }
            foreach (var p in props.Where(p => p.CanWrite))
                p.SetValue(view, p.GetValue(view));
        }

        static void CheckRegion(Dictionary<string, object> values, string prefix, int offset, int length)
        {
            if (!values.TryGetValue(prefix + "Offset", out var o) || !values.TryGetValue(prefix + "Length", out var l))
                return;
            int ro = (int)o, rl = (int)l;
            Assert.True(rl >= 0 && ro >= offset && ro + rl <= offset + length, prefix + " region outside the view");
        }
    }
}

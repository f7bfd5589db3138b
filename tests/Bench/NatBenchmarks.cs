using System;
using System.Collections.Generic;
using System.Linq;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Warp.Protocol;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;

namespace Warp.Bench
{
    /// <summary>
    /// NAT throughput with a 4,096-entry table at 90 % full (3,686 sessions from 16 LAN hosts,
    /// IPv4 and IPv6): outbound and inbound translations of existing flows, and new-flow setup.
    /// Each operation copies a 40–60 byte packet template into the work buffer first (included in
    /// the time), because translation works in place. The Allocated column is bytes per packet.
    /// Run: dotnet run -c Release --project tests/Bench -- --filter '*Nat*'
    /// </summary>
    [Config(typeof(NatBenchConfig))]
    [MemoryDiagnoser]
    [ShortRunJob]
    public class NatTranslationBenchmarks
    {
        public const int Capacity = 4096;
        public const int Batch = 1024;
        NatTranslator nat;
        byte[][] outV4, inV4, outV6, inV6;
        readonly byte[] work = new byte[1500];
        readonly byte[] reply = new byte[1500];
        const long Now = 5000;

        [GlobalSetup]
        public void Setup()
        {
            nat = NatBench.Build(out outV4, out inV4, out outV6, out inV6);
        }

        [Benchmark(OperationsPerInvoke = Batch)]
        public int OutboundV4() { return Out(outV4); }

        [Benchmark(OperationsPerInvoke = Batch)]
        public int InboundV4() { return In(inV4); }

        [Benchmark(OperationsPerInvoke = Batch)]
        public int OutboundV6() { return Out(outV6); }

        [Benchmark(OperationsPerInvoke = Batch)]
        public int InboundV6() { return In(inV6); }

        int Out(byte[][] packets)
        {
            int sum = 0;
            for (int i = 0; i < packets.Length; i++)
            {
                var p = packets[i];
                Array.Copy(p, work, p.Length);
                sum += (int)nat.TranslateOutbound(work, 0, p.Length, Now, reply, 0).Action;
            }
            if (sum != packets.Length * (int)NatAction.WriteToTunnel) throw new InvalidOperationException("not translated");
            return sum;
        }

        int In(byte[][] packets)
        {
            int sum = 0;
            for (int i = 0; i < packets.Length; i++)
            {
                var p = packets[i];
                Array.Copy(p, work, p.Length);
                sum += (int)nat.TranslateInbound(work, 0, p.Length, Now).Action;
            }
            if (sum != packets.Length * (int)NatAction.WriteToLan) throw new InvalidOperationException("not translated");
            return sum;
        }
    }

    /// <summary>
    /// New-flow setup: 400 new UDP flows (IPv4 and IPv6) into the 90 %-full table (410 free
    /// slots); the table is rebuilt outside the measurement before every invocation.
    /// </summary>
    [Config(typeof(NatBenchConfig))]
    [MemoryDiagnoser]
    [ShortRunJob]
    [InvocationCount(1)]
    public class NatNewFlowBenchmarks
    {
        public const int Flows = 400;
        NatTranslator nat;
        byte[][] fresh;
        readonly byte[] work = new byte[1500];
        readonly byte[] reply = new byte[1500];

        [IterationSetup]
        public void Setup()
        {
            nat = NatBench.Build(out _, out _, out _, out _);
            if (fresh == null) fresh = NatBench.NewFlows(Flows);
        }

        [Benchmark(OperationsPerInvoke = Flows)]
        public int NewFlowSetup()
        {
            int sum = 0;
            for (int i = 0; i < fresh.Length; i++)
            {
                var p = fresh[i];
                Array.Copy(p, work, p.Length);
                sum += (int)nat.TranslateOutbound(work, 0, p.Length, 6000, reply, 0).Action;
            }
            if (sum != fresh.Length * (int)NatAction.WriteToTunnel) throw new InvalidOperationException("not set up");
            return sum;
        }
    }

    /// <summary>Builds the table and the packets.</summary>
    public static class NatBench
    {
        public static readonly uint Ext = 0xAC100002;      // 172.16.0.2
        public static readonly byte[] Ext6 = { 0x26, 0x06, 0x47, 0x00, 0x01, 0x10, 0x8a, 0x36, 0, 0, 0, 0, 0, 0, 0, 2 };

        public static NatTranslator Build(out byte[][] outV4, out byte[][] inV4, out byte[][] outV6, out byte[][] inV6)
        {
            var config = new NatConfig
            {
                ExternalAddressV4 = Ext,
                ExternalAddressV6 = Ext6,
                RouterAddressV4 = 0xC0A80401,
                Capacity = NatTranslationBenchmarks.Capacity,
            };
            var nat = new NatTranslator(new NatTable(config, new Warp.TestKit.SeededRandom(2463534242), new NatCounters()));
            int sessions = NatTranslationBenchmarks.Capacity * 9 / 10;
            var o4 = new List<byte[]>(); var i4 = new List<byte[]>(); var o6 = new List<byte[]>(); var i6 = new List<byte[]>();
            var scratch = new byte[1500];
            for (int n = 0; n < sessions; n++)
            {
                int host = n % 16;
                bool v6 = n % 4 == 3;
                var p = v6 ? UdpV6(host, 10000 + n / 16, n % 251, 443) : UdpV4(host, 10000 + n / 16, n % 251, 443);
                var keep = (byte[])p.Clone();
                var r = nat.TranslateOutbound(p, 0, p.Length, 0, scratch, 0);
                if (r.Action != NatAction.WriteToTunnel) throw new InvalidOperationException("setup: " + r.Reason);
                var back = Reply(p);
                (v6 ? o6 : o4).Add(keep);
                (v6 ? i6 : i4).Add(back);
            }
            if (nat.Table.Count != sessions) throw new InvalidOperationException("setup count");
            outV4 = o4.Take(NatTranslationBenchmarks.Batch).ToArray();
            inV4 = i4.Take(NatTranslationBenchmarks.Batch).ToArray();
            outV6 = o6.Take(NatTranslationBenchmarks.Batch).ToArray();
            inV6 = i6.Take(NatTranslationBenchmarks.Batch).ToArray();
            return nat;
        }

        public static byte[][] NewFlows(int count)
        {
            var list = new byte[count][];
            for (int n = 0; n < count; n++)
                list[n] = n % 4 == 3 ? UdpV6(n % 16, 50000 + n, n % 97, 3478) : UdpV4(n % 16, 50000 + n, n % 97, 3478);
            return list;
        }

        static byte[] UdpV4(int host, int port, int remote, int remotePort)
        {
            var p = new byte[20 + 8 + 32];
            Ipv4Packet.WriteHeader(p, 0, p.Length, 1, true, 64, 17, 0xC0A80400u + 10 + (uint)host, 0x5DB80000u + (uint)remote);
            UdpDatagram.WriteHeader(p, 20, (ushort)port, (ushort)remotePort, 40);
            UdpDatagram u;
            UdpDatagram.TryCreate(p, 20, 40, out u);
            Ipv4Packet ip;
            Ipv4Packet.TryCreate(p, 0, p.Length, out ip);
            u.UpdateChecksum(ip.PseudoHeaderSum());
            return p;
        }

        static byte[] UdpV6(int host, int port, int remote, int remotePort)
        {
            var src = new byte[16]; src[0] = 0xfd; src[15] = (byte)(10 + host);
            var dst = new byte[16]; dst[0] = 0x20; dst[1] = 0x01; dst[2] = 0x0d; dst[3] = 0xb8; dst[15] = (byte)remote; dst[14] = 1;
            var p = new byte[40 + 8 + 32];
            Ipv6Packet.WriteHeader(p, 0, 40, 17, 64, src, 0, dst, 0);
            UdpDatagram.WriteHeader(p, 40, (ushort)port, (ushort)remotePort, 40);
            Ipv6Packet ip;
            Ipv6Packet.TryCreate(p, 0, p.Length, out ip);
            UdpDatagram u;
            UdpDatagram.TryCreate(p, 40, 40, out u);
            u.UpdateChecksum(ip.PseudoHeaderSum());
            return p;
        }

        /// <summary>The reply of a translated UDP packet: addresses and ports swapped, checksum recomputed.</summary>
        static byte[] Reply(byte[] p)
        {
            var r = (byte[])p.Clone();
            if (r[0] >> 4 == 4)
            {
                for (int i = 0; i < 4; i++) { byte t = r[12 + i]; r[12 + i] = r[16 + i]; r[16 + i] = t; }
                for (int i = 0; i < 2; i++) { byte t = r[20 + i]; r[20 + i] = r[22 + i]; r[22 + i] = t; }
                Ipv4Packet ip;
                Ipv4Packet.TryCreate(r, 0, r.Length, out ip);
                ip.UpdateHeaderChecksum();
                UdpDatagram u;
                UdpDatagram.TryCreate(r, 20, 40, out u);
                u.UpdateChecksum(ip.PseudoHeaderSum());
            }
            else
            {
                for (int i = 0; i < 16; i++) { byte t = r[8 + i]; r[8 + i] = r[24 + i]; r[24 + i] = t; }
                for (int i = 0; i < 2; i++) { byte t = r[40 + i]; r[40 + i] = r[42 + i]; r[42 + i] = t; }
                Ipv6Packet ip;
                Ipv6Packet.TryCreate(r, 0, r.Length, out ip);
                UdpDatagram u;
                UdpDatagram.TryCreate(r, 40, 40, out u);
                u.UpdateChecksum(ip.PseudoHeaderSum());
            }
            return r;
        }
    }

    /// <summary>Adds a "B/entry" column (NatTable.BytesPerEntry, IPv4 and IPv6 alike) and the table's total bytes.</summary>
    public sealed class NatBenchConfig : ManualConfig
    {
        public NatBenchConfig()
        {
            AddColumn(new ConstColumn("B/entry", NatTable.BytesPerEntry.ToString()));
            AddColumn(new ConstColumn("Table bytes", (NatTranslationBenchmarks.Capacity * NatTable.BytesPerEntry + 32 * NatHostTable.BytesPerHost).ToString()));
        }
    }

    sealed class ConstColumn : IColumn
    {
        readonly string value;
        public ConstColumn(string name, string value) { ColumnName = name; Id = "Nat." + name; this.value = value; }
        public string Id { get; }
        public string ColumnName { get; }
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => ColumnName == "B/entry" ? "bytes per NAT session, indexes included" : "bytes of the 4,096-session table and 32-host table";
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) { return value; }
        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) { return value; }
        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) { return false; }
        public bool IsAvailable(Summary summary) { return true; }
    }
}

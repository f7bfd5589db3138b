using System;
using System.Collections.Generic;
using Warp.Protocol.Tests.Net;

namespace Warp.Fuzz
{
    /// <summary>Frames and IP packets of the pcap captures the tests keep (tests/Warp.Protocol.Tests/Fixtures).</summary>
    static class SeedPackets
    {
        /// <summary>Every captured Ethernet frame, in file order.</summary>
        public static List<byte[]> Frames()
        {
            var all = new List<byte[]>();
            var names = new List<string>(PcapReader.AllFixtures());
            names.Sort(StringComparer.Ordinal);
            foreach (var name in names)
                all.AddRange(PcapReader.Read(name));
            return all;
        }

        /// <summary>The IPv4 and IPv6 packets of the captures (Ethernet header removed), at most maxLength bytes each.</summary>
        public static List<byte[]> IpPackets(int maxLength)
        {
            var list = new List<byte[]>();
            foreach (var f in Frames())
            {
                if (f.Length <= 14 || f.Length - 14 > maxLength) continue;
                int type = (f[12] << 8) | f[13];
                if (type != 0x0800 && type != 0x86DD) continue;
                var p = new byte[f.Length - 14];
                Array.Copy(f, 14, p, 0, p.Length);
                list.Add(p);
            }
            return list;
        }
    }
}

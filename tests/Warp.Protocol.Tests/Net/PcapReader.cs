using System;
using System.Collections.Generic;
using System.IO;

namespace Warp.Protocol.Tests.Net
{
    /// <summary>Reads classic libpcap files (Ethernet link type) captured by tcpdump.</summary>
    public static class PcapReader
    {
        public static string FixturePath(string name)
        {
            return Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
        }

        public static IEnumerable<string> AllFixtures()
        {
            foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.pcap"))
                yield return Path.GetFileName(f);
        }

        /// <summary>Every frame's bytes, in capture order.</summary>
        public static List<byte[]> Read(string name)
        {
            byte[] file = File.ReadAllBytes(FixturePath(name));
            uint magic = BitConverter.ToUInt32(file, 0);
            bool swap;
            if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) swap = false;
            else if (magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1) swap = true;
            else throw new InvalidDataException(name + ": not a pcap file");
            uint linkType = U32(file, 20, swap);
            if (linkType != 1)
                throw new InvalidDataException(name + ": link type " + linkType + ", expected Ethernet (1)");
            var frames = new List<byte[]>();
            int pos = 24;
            while (pos + 16 <= file.Length)
            {
                int captured = (int)U32(file, pos + 8, swap);
                int original = (int)U32(file, pos + 12, swap);
                if (captured != original)
                    throw new InvalidDataException(name + ": frame truncated by the capture (snaplen)");
                pos += 16;
                var frame = new byte[captured];
                Array.Copy(file, pos, frame, 0, captured);
                frames.Add(frame);
                pos += captured;
            }
            if (pos != file.Length)
                throw new InvalidDataException(name + ": trailing bytes");
            return frames;
        }

        static uint U32(byte[] b, int o, bool swap)
        {
            uint v = BitConverter.ToUInt32(b, o);
            return swap ? (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24) : v;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;

namespace Warp.Native.Tests
{
    /// <summary>Classic libpcap files (Ethernet), as tcpdump writes them.</summary>
    public static class Pcap
    {
        public static List<byte[]> Read(string path)
        {
            byte[] file = File.ReadAllBytes(path);
            uint magic = BitConverter.ToUInt32(file, 0);
            bool swap = magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1;
            if (!swap && magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
                throw new InvalidDataException(path + ": not a pcap file");
            uint U32(int o) { uint v = BitConverter.ToUInt32(file, o); return swap ? (v >> 24) | ((v >> 8) & 0xFF00) | ((v << 8) & 0xFF0000) | (v << 24) : v; }
            if (U32(20) != 1)
                throw new InvalidDataException(path + ": not Ethernet");
            var frames = new List<byte[]>();
            for (int pos = 24; pos + 16 <= file.Length;)
            {
                int captured = (int)U32(pos + 8);
                pos += 16;
                var frame = new byte[captured];
                Array.Copy(file, pos, frame, 0, captured);
                frames.Add(frame);
                pos += captured;
            }
            return frames;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>Frames of a classic pcap file written by tcpdump (Ethernet link type).</summary>
    public static class Pcap
    {
        public static IEnumerable<byte[]> ReadFrames(string path)
        {
            var f = File.ReadAllBytes(path);
            Assert.Equal(0xA1B2C3D4u, BitConverter.ToUInt32(f, 0));
            Assert.Equal(1u, BitConverter.ToUInt32(f, 20)); // Ethernet (Linux loopback too)
            for (int pos = 24; pos + 16 <= f.Length;)
            {
                int n = BitConverter.ToInt32(f, pos + 8);
                var frame = new byte[n];
                Array.Copy(f, pos + 16, frame, 0, n);
                pos += 16 + n;
                yield return frame;
            }
        }
    }
}

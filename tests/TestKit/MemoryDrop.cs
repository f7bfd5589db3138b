using System;
using System.Collections.Generic;
using System.Text;
using Warp.Hal;

namespace Warp.TestKit
{
    /// <summary>
    /// The provisioning file in memory (the ESP32's I:\warp-provision.txt). Keeps every buffer the
    /// importer read into, so a test can check it was cleared, and counts the wipes.
    /// </summary>
    public sealed class MemoryDrop : IProvisionDrop
    {
        public byte[] File;
        public int Wipes;
        /// <summary>When false, the file cannot be removed (a flash error).</summary>
        public bool Removable = true;
        public readonly List<byte[]> ReadBuffers = new List<byte[]>();

        public void Put(byte[] content) { File = (byte[])content.Clone(); }

        public int Length() { return File == null ? -1 : File.Length; }

        public int Read(byte[] buffer, int offset, int count)
        {
            if (File == null) return -1;
            ReadBuffers.Add(buffer);
            Array.Copy(File, 0, buffer, offset, Math.Min(File.Length, count));
            return File.Length;
        }

        public bool Wipe()
        {
            Wipes++;
            if (File == null) return true;
            Array.Clear(File);
            if (!Removable) return false;
            File = null;
            return true;
        }
    }

    /// <summary>
    /// Writes a provisioning file as flash.ps1 does (written again here, so the importer is checked
    /// against a second implementation): "warp-provision 1", the body lines, then
    /// "provision end LINES CRC32" over the bytes before it (CRC-32 computed bit by bit here).
    /// </summary>
    public static class ProvisionFileText
    {
        public static byte[] Build(IEnumerable<string> body)
        {
            var lines = new List<string> { "warp-provision 1" };
            lines.AddRange(body);
            var text = string.Join("\n", lines) + "\n";
            var bytes = Encoding.UTF8.GetBytes(text);
            return Encoding.UTF8.GetBytes(text + "provision end " + lines.Count + " " + Crc32(bytes).ToString("X8") + "\n");
        }

        /// <summary>"config begin", the lines, "config end N CRC" (the console's transfer).</summary>
        public static IEnumerable<string> Transfer(string[] config)
        {
            yield return "config begin";
            foreach (var l in config) yield return l;
            yield return "config end " + config.Length + " " + Crc32(Encoding.UTF8.GetBytes(string.Join("", Array.ConvertAll(config, l => l + "\n")))).ToString("X8");
        }

        /// <summary>CRC-32 (IEEE, reflected 0xEDB88320, as zlib), one bit at a time.</summary>
        public static uint Crc32(byte[] data)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++)
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
            return ~crc;
        }
    }
}

using System;
using System.Linq;
using System.Text;
using Xunit;

namespace Warp.Hil.Tests
{
    /// <summary>The provisioning console's configuration transfer (firmware/ProvisionConsole): config begin, the lines, config end LINES CRC32.</summary>
    public static class Provisioning
    {
        /// <summary>CRC-32 (IEEE 802.3, as zlib) over each line followed by "\n": what `config end` checks.</summary>
        public static uint TransferCrc(string[] lines)
        {
            uint crc = 0xFFFFFFFF;
            foreach (byte b in Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n"))))
            {
                crc ^= b;
                for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
            return ~crc;
        }

        /// <summary>Sends a configuration; returns the `ok config stored` line (fails the test on anything else).</summary>
        public static string SendConfig(IRouterUnderTest r, string[] lines)
        {
            var begin = r.Console("config begin", 5000);
            Assert.True(begin.Exists(l => l.StartsWith("ok config receiving", StringComparison.Ordinal)), "config begin: " + string.Join(" | ", begin));
            foreach (string l in lines) r.Console(l, 300);
            var end = r.Console($"config end {lines.Length} {TransferCrc(lines):x8}", 10000);
            string ok = end.FirstOrDefault(l => l.StartsWith("ok config stored", StringComparison.Ordinal));
            Assert.True(ok != null, "config end: " + string.Join(" | ", end));
            return ok;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// Drop counters the kernel keeps where the router cannot see: a UDP socket's drops
    /// (/proc/net/udp, udp6: the last column, sk_drops), and the network namespace's UDP errors
    /// (/proc/net/snmp "Udp:" RcvbufErrors, SndbufErrors; /proc/net/snmp6 Udp6RcvbufErrors,
    /// Udp6SndbufErrors). Read when asked (the console), never on the packet path.
    /// </summary>
    public static class KernelStats
    {
        /// <summary>The sum of sk_drops over the UDP sockets whose inode is in <paramref name="inodes"/>.</summary>
        public static long UdpSocketDrops(ICollection<string> inodes)
        {
            long sum = 0;
            foreach (string file in new[] { "/proc/net/udp", "/proc/net/udp6" })
            {
                string[] lines;
                try { lines = File.ReadAllLines(file); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                for (int i = 1; i < lines.Length; i++)
                {
                    string[] f = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
                    if (f.Length >= 13 && inodes.Contains(f[9]) && long.TryParse(f[12], out long d))
                        sum += d;
                }
            }
            return sum;
        }

        /// <summary>The namespace's UDP receive-buffer and send-buffer errors, IPv4 and IPv6 together.</summary>
        public static void UdpBufferErrors(out long receive, out long send)
        {
            receive = 0;
            send = 0;
            try
            {
                string[] lines = File.ReadAllLines("/proc/net/snmp");
                for (int i = 0; i + 1 < lines.Length; i++)
                {
                    if (!lines[i].StartsWith("Udp: ", StringComparison.Ordinal) || !lines[i + 1].StartsWith("Udp: ", StringComparison.Ordinal))
                        continue;
                    string[] names = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    string[] values = lines[i + 1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    for (int k = 1; k < names.Length && k < values.Length; k++)
                    {
                        if (names[k] == "RcvbufErrors" && long.TryParse(values[k], out long r)) receive += r;
                        if (names[k] == "SndbufErrors" && long.TryParse(values[k], out long s)) send += s;
                    }
                    break;
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            try
            {
                foreach (string line in File.ReadAllLines("/proc/net/snmp6"))
                {
                    string[] f = line.Split(new[] { ' ', '\t' }, StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length != 2 || !long.TryParse(f[1], out long v)) continue;
                    if (f[0] == "Udp6RcvbufErrors") receive += v;
                    else if (f[0] == "Udp6SndbufErrors") send += v;
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }

        /// <summary>A counter of /sys/class/net/IF/statistics (e.g. tx_dropped of a TAP device: frames the kernel could not queue to us); -1 when unreadable.</summary>
        public static long InterfaceStatistic(string iface, string name)
        {
            try { return long.Parse(File.ReadAllText("/sys/class/net/" + iface + "/statistics/" + name).Trim()); }
            catch (Exception e) when (e is IOException || e is FormatException || e is UnauthorizedAccessException) { return -1; }
        }
    }
}

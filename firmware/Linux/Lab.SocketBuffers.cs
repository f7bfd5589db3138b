using System;
using System.Globalization;
using System.IO;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The peer's socket buffers for `lab --throughput`. Debian's wireguard-go (0.0.20220316) never
    /// sets SO_RCVBUF/SO_SNDBUF, so its UDP socket gets net.core.rmem_default/wmem_default (208 KB)
    /// and drops what arrives faster than it reads. Those four sysctls are global: the kernel has
    /// one value for every network namespace (inside one they are read-only), so raising them
    /// changes every socket created meanwhile on the whole machine that does not size its own
    /// buffers. The lab therefore raises them only around the throughput run: the originals are
    /// saved first (in memory and in <see cref="SavedFile"/>), and put back at the end of the run,
    /// on an exception, on Ctrl-C (the lab's cancel handler tears down), at process exit (SIGTERM
    /// runs ProcessExit) and, after a SIGKILL, by the next lab's tear-down, which finds the file.
    /// </summary>
    public sealed partial class Lab
    {
        /// <summary>Where the original values wait while they are raised (a killed run's next lab restores them).</summary>
        public const string SavedFile = "/tmp/warp-lab-net-core-buffers.saved";
        static readonly string[] BufferSysctls = { "rmem_default", "wmem_default", "rmem_max", "wmem_max" };
        static readonly object buffersGate = new object();
        static long[] savedBuffers;
        static bool exitHookAdded;

        /// <summary>Bytes for rmem_default/wmem_default during `--throughput` (0: leave the kernel's values, `--peer-buffers default`).</summary>
        public int PeerBufferBytes = 4 << 20;

        static string SysctlPath(string name) { return "/proc/sys/net/core/" + name; }

        static long ReadSysctl(string name)
        {
            return long.Parse(File.ReadAllText(SysctlPath(name)).Trim(), CultureInfo.InvariantCulture);
        }

        /// <summary>The four values now, in <see cref="BufferSysctls"/> order.</summary>
        public static long[] CurrentBuffers()
        {
            var v = new long[BufferSysctls.Length];
            for (int i = 0; i < v.Length; i++) v[i] = ReadSysctl(BufferSysctls[i]);
            return v;
        }

        public static string Describe(long[] v)
        {
            return $"rmem_default {v[0]}, wmem_default {v[1]}, rmem_max {v[2]}, wmem_max {v[3]}";
        }

        /// <summary>
        /// Sets rmem_default and wmem_default to <paramref name="bytes"/> (and rmem_max/wmem_max to at least
        /// that), having saved the originals first if they are not saved yet.
        /// </summary>
        public void RaiseSocketBuffers(int bytes)
        {
            lock (buffersGate)
            {
                if (savedBuffers == null)
                {
                    RestoreSocketBuffers(); // a file left by a killed run holds the real originals
                    long[] original = CurrentBuffers();
                    string tmp = SavedFile + ".tmp";
                    File.WriteAllText(tmp, string.Join(" ", Array.ConvertAll(original, x => x.ToString(CultureInfo.InvariantCulture))) + "\n");
                    File.Move(tmp, SavedFile, true);
                    savedBuffers = original;
                    if (!exitHookAdded)
                    {
                        AppDomain.CurrentDomain.ProcessExit += (s, e) => RestoreSocketBuffers(null);
                        exitHookAdded = true;
                    }
                }
                for (int i = BufferSysctls.Length - 1; i >= 0; i--) // the maxima first
                {
                    long v = i < 2 ? bytes : Math.Max(savedBuffers[i], bytes);
                    File.WriteAllText(SysctlPath(BufferSysctls[i]), v.ToString(CultureInfo.InvariantCulture));
                }
                log.WriteLine("socket buffers raised for the throughput run (global, every namespace): " + Describe(CurrentBuffers()));
            }
        }

        /// <summary>Puts back the values saved by <see cref="RaiseSocketBuffers"/> (or found in <see cref="SavedFile"/>); nothing if none are saved.</summary>
        public void RestoreSocketBuffers() { RestoreSocketBuffers(log); }

        static void RestoreSocketBuffers(TextWriter log)
        {
            lock (buffersGate)
            {
                long[] v = savedBuffers;
                if (v == null && File.Exists(SavedFile))
                {
                    string[] f = File.ReadAllText(SavedFile).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (f.Length == BufferSysctls.Length)
                    {
                        v = new long[f.Length];
                        for (int i = 0; i < f.Length; i++)
                            if (!long.TryParse(f[i], NumberStyles.None, CultureInfo.InvariantCulture, out v[i]) || v[i] <= 0) { v = null; break; }
                    }
                }
                if (v == null)
                {
                    if (File.Exists(SavedFile)) File.Delete(SavedFile); // unreadable: nothing to put back
                    return;
                }
                try
                {
                    // the defaults first, so that a default never exceeds its maximum on the way
                    for (int i = 0; i < BufferSysctls.Length; i++)
                        File.WriteAllText(SysctlPath(BufferSysctls[i]), v[i].ToString(CultureInfo.InvariantCulture));
                    savedBuffers = null;
                    File.Delete(SavedFile);
                    log?.WriteLine("socket buffers restored: " + Describe(CurrentBuffers()));
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    log?.WriteLine("socket buffers NOT restored (" + e.Message + "); the originals are in " + SavedFile + ": " + Describe(v));
                }
            }
        }
    }
}

using System;
using System.IO;
using System.Runtime.InteropServices;
using Warp.Protocol.Net;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The Linux host's <see cref="IFastPath"/>: the same portable C as the ESP32
    /// (hal/Esp32/native/core), built as libwarp_native.so by build/native.sh (or CMake), over
    /// P/Invoke to its host surface (platform/wn_host_api.h). <c>warp-router run --fast-path native</c>
    /// and tests/Native use it; the Router's offload policy is the device's.
    /// </summary>
    public sealed class NativeLibraryFastPath : IFastPath, IDisposable
    {
        const string Library = "warp_native";
        static readonly object gate = new object();
        static string loaded;

        IntPtr fp;
        readonly int capacity;
        uint keypairIndex;

        /// <summary>Points the P/Invokes at <paramref name="path"/> (once per process; later calls must name the same file).</summary>
        public static void Load(string path)
        {
            lock (gate)
            {
                string full = Path.GetFullPath(path);
                if (loaded != null)
                {
                    if (loaded != full)
                        throw new InvalidOperationException("the native fast path is loaded from " + loaded + " already");
                    return;
                }
                if (!File.Exists(full))
                    throw new FileNotFoundException("no native fast path library (build it with build/native.sh)", full);
                IntPtr handle = NativeLibrary.Load(full);
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraryFastPath).Assembly, (name, asm, search) => name == Library ? handle : IntPtr.Zero);
                loaded = full;
            }
        }

        /// <summary>The library build/native.sh leaves under <paramref name="root"/> (the repository), or null.</summary>
        public static string Find(string root)
        {
            string[] candidates =
            {
                Path.Combine(root, "hal", "Esp32", "native", "build", "dotnet", "libwarp_native.so"),
                Path.Combine(root, "hal", "Esp32", "native", "build", "release", "libwarp_native.so"),
                Path.Combine(root, "hal", "Esp32", "native", "build", "libwarp_native.so"),
            };
            foreach (string c in candidates)
                if (File.Exists(c))
                    return c;
            return null;
        }

        public NativeLibraryFastPath(int flowCapacity, uint seed)
        {
            capacity = flowCapacity;
            fp = wn_host_create(flowCapacity, seed);
            if (fp == IntPtr.Zero)
                throw new ArgumentException("the native fast path refused " + flowCapacity + " flows");
        }

        public int FlowCapacity => capacity;
        public int FlowCount => fp == IntPtr.Zero ? 0 : wn_host_flow_count(fp);

        public int AddFlow(byte[] entry, int offset, int length, long now)
        {
            if (offset != 0) return -1;
            return wn_host_add_flow(fp, entry, length, now);
        }

        public void RemoveFlow(int slot) => wn_host_remove_flow(fp, slot);

        public bool FlowActivity(int slot, long now, long[] activity) => wn_host_flow_activity(fp, slot, now, activity);

        public bool SetKeypair(byte[] state, int offset, int length, long now)
        {
            if (offset != 0) return false;
            bool ok = wn_host_set_keypair(fp, state, length, now);
            keypairIndex = ok && length >= 8 ? Endian.Read32LE(state, 4) : 0;
            return ok;
        }

        public int GetKeypair(byte[] state, int offset, int length, long now)
        {
            if (offset != 0) return 0;
            return wn_host_get_keypair(fp, state, length, now);
        }

        /// <summary>Counters reserved for the managed tunnel (keepalives and data of flows not offloaded).</summary>
        public long Reserved { get; private set; }

        public ulong ReserveSendCounter(int peer, uint localIndex)
        {
            if (peer != 0 || localIndex == 0 || localIndex != keypairIndex)
                return ulong.MaxValue;
            Reserved++;
            return wn_host_take_send_counter(fp);
        }

        public unsafe int FromLan(byte[] frame, int offset, int length, byte[] output, int outputOffset, int outputCount, long now)
        {
            if (offset < 0 || length < 0 || offset + length > frame.Length || outputOffset < 0 || outputOffset + outputCount > output.Length)
                return 0;
            fixed (byte* f = frame) fixed (byte* o = output)
            {
                int n = wn_host_from_lan(fp, f + offset, length, o + outputOffset, outputCount, now, out int action, out _);
                return action * 65536 + (n & 0xFFFF);
            }
        }

        public unsafe int FromUplink(byte[] datagram, int offset, int length, byte[] output, int outputOffset, int outputCount, long now)
        {
            if (offset < 0 || length < 0 || offset + length > datagram.Length || outputOffset < 0 || outputOffset + outputCount > output.Length)
                return 0;
            fixed (byte* d = datagram) fixed (byte* o = output)
            {
                int n = wn_host_from_uplink(fp, d + offset, length, o + outputOffset, outputCount, now, out int action, out _, out _);
                return action * 65536 + (n & 0xFFFF);
            }
        }

        public void Flush()
        {
            keypairIndex = 0;
            wn_host_flush(fp);
        }

        public int ReadCounters(long[] counters, int offset, int count)
        {
            if (offset != 0) return 0;
            return wn_host_counters(fp, counters, Math.Min(count, counters.Length));
        }

        public void Dispose()
        {
            if (fp == IntPtr.Zero) return;
            wn_host_flush(fp); // wipes the keys
            wn_host_destroy(fp);
            fp = IntPtr.Zero;
        }

        [DllImport(Library)] static extern IntPtr wn_host_create(int flowCapacity, uint seed);
        [DllImport(Library)] static extern void wn_host_destroy(IntPtr fp);
        [DllImport(Library)] static extern int wn_host_add_flow(IntPtr fp, byte[] entry, int length, long now);
        [DllImport(Library)] static extern void wn_host_remove_flow(IntPtr fp, int slot);
        [DllImport(Library)] static extern void wn_host_flush(IntPtr fp);
        [DllImport(Library)] static extern int wn_host_flow_count(IntPtr fp);
        [DllImport(Library)] [return: MarshalAs(UnmanagedType.U1)] static extern bool wn_host_set_keypair(IntPtr fp, byte[] state, int length, long now);
        [DllImport(Library)] static extern int wn_host_get_keypair(IntPtr fp, byte[] state, int length, long now);
        [DllImport(Library)] static extern unsafe int wn_host_from_lan(IntPtr fp, byte* frame, int length, byte* output, int capacity, long now, out int action, out int slot);
        [DllImport(Library)] static extern unsafe int wn_host_from_uplink(IntPtr fp, byte* datagram, int length, byte* output, int capacity, long now, out int action, out int reason, out int slot);
        [DllImport(Library)] static extern int wn_host_counters(IntPtr fp, long[] counters, int count);
        [DllImport(Library)] static extern ulong wn_host_take_send_counter(IntPtr fp);
        [DllImport(Library)] [return: MarshalAs(UnmanagedType.U1)] static extern bool wn_host_flow_activity(IntPtr fp, int slot, long now, long[] activity);
    }
}

using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Warp.Native.Tests
{
    /// <summary>
    /// Builds hal/Esp32/native's shared library with CMake once per test run (into
    /// hal/Esp32/native/build/dotnet, ignored by git) and points the P/Invokes of <see cref="Native"/> at it.
    /// </summary>
    public static class NativeBuild
    {
        static readonly object gate = new object();
        static string library;

        public static string Root
        {
            get
            {
                var d = new DirectoryInfo(AppContext.BaseDirectory);
                while (d != null && !File.Exists(Path.Combine(d.FullName, "Warp.Firmware.sln")))
                    d = d.Parent;
                return d.FullName;
            }
        }

        public static string SourceDir => Path.Combine(Root, "hal", "Esp32", "native");

        /// <summary>The library's path, building it first when needed; throws with CMake's output when the build fails.</summary>
        public static string Ensure()
        {
            lock (gate)
            {
                if (library != null)
                    return library;
                string build = Path.Combine(SourceDir, "build", "dotnet");
                Run("cmake", "-S \"" + SourceDir + "\" -B \"" + build + "\" -DCMAKE_BUILD_TYPE=Release -DWARP_NATIVE_SANITIZE=OFF");
                Run("cmake", "--build \"" + build + "\" --target warp_native -j 1");
                string path = Path.Combine(build, "libwarp_native.so");
                if (!File.Exists(path))
                    throw new InvalidOperationException("CMake built no " + path);
                NativeLibrary.SetDllImportResolver(typeof(Native).Assembly, (name, asm, search) =>
                    name == Native.Library ? NativeLibrary.Load(path) : IntPtr.Zero);
                library = path;
                return library;
            }
        }

        static void Run(string file, string args)
        {
            var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new InvalidOperationException(file + " " + args + " failed (" + p.ExitCode + "):\n" + output);
        }
    }

    /// <summary>platform/wn_host_api.h and the portable warp_* functions of warp_native.h.</summary>
    public static class Native
    {
        public const string Library = "warp_native";

        // wn_action and wn_drop_reason (core/wn_fastpath.h)
        public const int Punt = 0, ToNetwork = 1, ToLan = 2, Decrypted = 3, Consumed = 4, Dropped = 5;
        public const int DropReplayed = 1, DropUndecryptable = 2, DropBadInnerPacket = 3;

        [DllImport(Library)] public static extern IntPtr wn_host_create(int flowCapacity, uint seed);
        [DllImport(Library)] public static extern void wn_host_destroy(IntPtr fp);
        [DllImport(Library)] public static extern int wn_host_native_bytes(int flowCapacity);
        [DllImport(Library)] public static extern int wn_host_ring_state_bytes();
        [DllImport(Library)] public static extern void wn_host_portable_seal(byte[] key, ulong counter, byte[] aad, int aadLength, byte[] input, int length, byte[] output);
        [DllImport(Library)] [return: MarshalAs(UnmanagedType.U1)] public static extern bool wn_host_portable_open(byte[] key, ulong counter, byte[] aad, int aadLength, byte[] input, int length, byte[] output);
        [DllImport(Library)] public static extern int wn_host_add_flow(IntPtr fp, byte[] entry, int length, long now);
        [DllImport(Library)] public static extern void wn_host_remove_flow(IntPtr fp, int slot);
        [DllImport(Library)] public static extern void wn_host_flush(IntPtr fp);
        [DllImport(Library)] public static extern int wn_host_flow_count(IntPtr fp);
        [DllImport(Library)] [return: MarshalAs(UnmanagedType.U1)] public static extern bool wn_host_set_keypair(IntPtr fp, byte[] state, int length, long now);
        [DllImport(Library)] public static extern int wn_host_get_keypair(IntPtr fp, byte[] state, int length, long now);
        [DllImport(Library)] public static extern int wn_host_from_lan(IntPtr fp, byte[] frame, int length, byte[] output, int capacity, long now, out int action, out int slot);
        [DllImport(Library)] public static extern int wn_host_from_uplink(IntPtr fp, byte[] datagram, int length, byte[] output, int capacity, long now, out int action, out int reason, out int slot);
        [DllImport(Library)] public static extern int wn_host_counters(IntPtr fp, long[] counters, int count);
        [DllImport(Library)] public static extern ulong wn_host_take_send_counter(IntPtr fp);
        [DllImport(Library)] [return: MarshalAs(UnmanagedType.U1)] public static extern bool wn_host_flow_activity(IntPtr fp, int slot, long now, long[] activity);
        [DllImport(Library)] public static extern IntPtr wn_host_crypto_version();

        [DllImport(Library)] public static extern void warp_aead_seal(byte[] key, ulong counter, byte[] aad, int aadLength, byte[] input, int length, byte[] output);
        [DllImport(Library)] [return: MarshalAs(UnmanagedType.U1)] public static extern bool warp_aead_open(byte[] key, ulong counter, byte[] aad, int aadLength, byte[] input, int length, byte[] output);
        [DllImport(Library)] [return: MarshalAs(UnmanagedType.U1)] public static extern bool warp_x25519(byte[] shared, byte[] scalar, byte[] point);
    }
}

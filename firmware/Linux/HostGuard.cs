using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace Warp.Router.Linux
{
    /// <summary>
    /// One instance per state directory and per LAN interface: an exclusive flock on a lock file,
    /// held for the process's life (the kernel drops it when the process dies, also on SIGKILL).
    /// A second instance finds it taken and stops before touching anything.
    /// </summary>
    public sealed class InstanceLock : IDisposable
    {
        const int LOCK_EX = 2, LOCK_NB = 4;
        readonly FileStream file;
        public string Path { get; }

        InstanceLock(FileStream file, string path) { this.file = file; Path = path; }

        [DllImport("libc", SetLastError = true)] static extern int flock(int fd, int operation);

        /// <summary>Takes the lock at <paramref name="path"/>; null (and the holder's pid in <paramref name="holder"/>) when another process has it.</summary>
        public static InstanceLock TryTake(string path, out string holder)
        {
            holder = null;
            string dir = System.IO.Path.GetDirectoryName(path);
            if (!string.IsNullOrEmpty(dir))
                Directory.CreateDirectory(dir);
            var options = new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.ReadWrite,
                Share = FileShare.ReadWrite,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            FileStream f;
            try
            {
                f = new FileStream(path, options);
            }
            catch (IOException)
            {
                // .NET takes a shared flock of its own when it opens a file: an exclusive holder refuses it.
                holder = ReadPid(path);
                return null;
            }
            if (flock((int)f.SafeFileHandle.DangerousGetHandle(), LOCK_EX | LOCK_NB) != 0)
            {
                f.Dispose();
                holder = ReadPid(path);
                return null;
            }
            f.SetLength(0);
            byte[] pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
            f.Write(pid, 0, pid.Length);
            f.Flush(true);
            return new InstanceLock(f, path);
        }

        /// <summary>The pid the holder wrote, read past .NET's own file locking (plain open and read).</summary>
        static unsafe string ReadPid(string path)
        {
            int fd = Warp.Hal.Linux.Libc.open(path, 0);
            if (fd < 0)
                return null;
            try
            {
                byte* buffer = stackalloc byte[32];
                long n = Warp.Hal.Linux.Libc.read(fd, buffer, 32);
                return n > 0 ? System.Text.Encoding.ASCII.GetString(buffer, (int)n).Trim() : null;
            }
            finally
            {
                Warp.Hal.Linux.Libc.close(fd);
            }
        }

        public void Dispose() { file.Dispose(); }
    }

    /// <summary>
    /// The kill switch for the whole machine: the LAN interface is the router's alone. While the
    /// router runs, the host's kernel neither answers nor forwards anything that arrives on it:
    /// <list type="bullet">
    ///   <item>IPv6 off on the interface (disable_ipv6 1, accept_ra 0);</item>
    ///   <item>no ARP answers or announcements for the host's own addresses (arp_ignore 8, arp_announce 2), strict rp_filter, no forwarding;</item>
    ///   <item>iptables and ip6tables rules dropping INPUT and FORWARD from the interface and FORWARD to it.</item>
    /// </list>
    /// The router's raw (AF_PACKET) or TAP socket sees the frames before any of this. Everything is
    /// undone on a clean stop; when any of it cannot be done the router refuses to start.
    /// With a state file (<see cref="LockdownState"/>) the original sysctl values are written down
    /// before the first change and reused by the next start while the file exists, so a SIGKILL
    /// never makes the locked-down values pass for the originals.
    /// </summary>
    public sealed class LanLockdown : IDisposable
    {
        readonly string iface;
        readonly List<(string Path, string Old)> sysctls = new List<(string, string)>();
        readonly List<(string Tool, string Rule)> rules = new List<(string, string)>();
        readonly TextWriter log;
        string statePath;
        LockdownState state;

        LanLockdown(string iface, TextWriter log) { this.iface = iface; this.log = log; }

        /// <summary>The state file for <paramref name="iface"/> in the state directory.</summary>
        public static string StateFileFor(string stateDirectory, string iface) { return Path.Combine(stateDirectory, "lan-lockdown." + iface); }

        /// <summary>The firewall rules that keep the kernel off the interface (chain and match, without -I/-D).</summary>
        public static string[] RulesFor(string iface)
        {
            return new[] { "INPUT -i " + iface + " -j DROP", "FORWARD -i " + iface + " -j DROP", "FORWARD -o " + iface + " -j DROP" };
        }

        /// <summary>Applies everything to <paramref name="iface"/>; throws <see cref="InvalidOperationException"/> with the reason (after undoing what it did) when it cannot.</summary>
        public static LanLockdown Apply(string iface, TextWriter log) { return Apply(iface, log, null); }

        /// <summary>As above, keeping the original sysctl values in <paramref name="statePath"/> (null: in memory only).</summary>
        public static LanLockdown Apply(string iface, TextWriter log, string statePath)
        {
            if (geteuid() != 0)
                throw new InvalidOperationException("the LAN interface must be locked down (the host's kernel must not answer on it), which needs root");
            var l = new LanLockdown(iface, log);
            if (statePath != null)
                l.SaveOriginals(statePath); // throws (nothing changed yet) when the file is foreign or damaged
            try
            {
                l.Set("/proc/sys/net/ipv6/conf/" + iface + "/disable_ipv6", "1", true);
                l.Set("/proc/sys/net/ipv6/conf/" + iface + "/accept_ra", "0", false);
                l.Set("/proc/sys/net/ipv4/conf/" + iface + "/arp_ignore", "8", true);
                l.Set("/proc/sys/net/ipv4/conf/" + iface + "/arp_announce", "2", true);
                l.Set("/proc/sys/net/ipv4/conf/" + iface + "/rp_filter", "1", true);
                l.Set("/proc/sys/net/ipv4/conf/" + iface + "/forwarding", "0", true);
                foreach (string rule in RulesFor(iface))
                {
                    l.Insert("iptables", rule, true);
                    l.Insert("ip6tables", rule, false);
                }
            }
            catch (InvalidOperationException)
            {
                l.Dispose();
                throw;
            }
            log.WriteLine("LAN: " + iface + " locked down (host IPv6 off, no ARP answers, INPUT and FORWARD dropped)");
            return l;
        }

        [DllImport("libc")] static extern uint geteuid();

        /// <summary>The sysctls the lockdown sets (paths only; <see cref="Apply(string, TextWriter, string)"/> has the values).</summary>
        public static string[] SysctlsFor(string iface)
        {
            return new[]
            {
                "/proc/sys/net/ipv6/conf/" + iface + "/disable_ipv6", "/proc/sys/net/ipv6/conf/" + iface + "/accept_ra",
                "/proc/sys/net/ipv4/conf/" + iface + "/arp_ignore", "/proc/sys/net/ipv4/conf/" + iface + "/arp_announce",
                "/proc/sys/net/ipv4/conf/" + iface + "/rp_filter", "/proc/sys/net/ipv4/conf/" + iface + "/forwarding",
            };
        }

        /// <summary>
        /// Reads the state file (a start after a SIGKILL: its values are the originals) or, when there is
        /// none or it is about an interface that is gone, records the current values; writes it before
        /// anything is changed.
        /// </summary>
        void SaveOriginals(string path)
        {
            var now = LockdownState.ForNow(iface);
            var saved = LockdownState.Read(path, iface);
            if (saved != null && !saved.SameInstanceAs(now))
            {
                log.WriteLine("LAN: " + path + " is about an earlier " + iface + " (another boot, network namespace or interface index): its values went with it");
                saved = null;
            }
            else if (saved != null)
            {
                log.WriteLine("LAN: " + iface + " was left locked down (the router did not stop cleanly): the original values in " + path + " are kept for the stop");
            }
            bool changed = saved == null;
            state = saved ?? now;
            foreach (string p in SysctlsFor(iface))
            {
                if (state.Original(p) != null)
                    continue;
                try
                {
                    state.Record(p, File.ReadAllText(p).Trim());
                    changed = true;
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { } // Set says why, if it matters
            }
            if (changed)
            {
                try { state.Write(path); }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    throw new InvalidOperationException("cannot write the LAN lockdown state file " + path + ": " + e.Message);
                }
            }
            statePath = path;
        }

        void Set(string path, string value, bool required)
        {
            string old;
            try
            {
                old = File.ReadAllText(path).Trim();
                if (old != value)
                    File.WriteAllText(path, value);
                if (state != null && state.Original(path) != null)
                    old = state.Original(path); // the value before any lockdown, not what a killed one left
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                if (required)
                    throw new InvalidOperationException("cannot set " + path + " to " + value + ": " + e.Message);
                log.WriteLine("LAN: " + path + ": " + e.Message + " (not needed: IPv6 is off on the interface)");
                return;
            }
            sysctls.Add((path, old));
        }

        void Insert(string tool, string rule, bool required)
        {
            // -C first: after a SIGKILL the old rule may still be there; never stack copies.
            if (Run(tool, "-w -C " + rule) == 0)
            {
                rules.Add((tool, rule));
                return;
            }
            int rc = Run(tool, "-w -I " + rule);
            if (rc != 0)
            {
                if (required)
                    throw new InvalidOperationException(tool + " -I " + rule + " failed (exit " + rc + "): is " + tool + " installed?");
                log.WriteLine("LAN: " + tool + " -I " + rule + " failed (exit " + rc + "); IPv6 is off on the interface");
                return;
            }
            rules.Add((tool, rule));
        }

        /// <summary>Starts <c>TOOL-restore -w --noflush</c> with <paramref name="input"/> on its stdin; null when it cannot start.</summary>
        static System.Diagnostics.Process StartRestore(string tool, string input)
        {
            try
            {
                var psi = new System.Diagnostics.ProcessStartInfo(tool + "-restore", "-w --noflush")
                {
                    RedirectStandardInput = true,
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                var p = System.Diagnostics.Process.Start(psi);
                p.StandardInput.Write(input);
                p.StandardInput.Close();
                p.StandardOutput.ReadToEndAsync();
                p.StandardError.ReadToEndAsync();
                return p;
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is IOException)
            {
                return null;
            }
        }

        static int Run(string tool, string args)
        {
            try
            {
                var psi = new System.Diagnostics.ProcessStartInfo(tool, args)
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                    UseShellExecute = false,
                };
                using var p = System.Diagnostics.Process.Start(psi);
                p.StandardOutput.ReadToEnd();
                p.StandardError.ReadToEnd();
                if (!p.WaitForExit(10000))
                {
                    p.Kill();
                    return -1;
                }
                return p.ExitCode;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return 127;
            }
        }

        bool Restore(string path, string value)
        {
            try
            {
                if (File.ReadAllText(path).Trim() != value)
                    File.WriteAllText(path, value);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                log.WriteLine("LAN: restoring " + path + ": " + e.Message);
                return false;
            }
        }

        /// <summary>
        /// Removes the rules and puts the sysctls back as they were. The rules go in one
        /// transaction per tool (iptables-restore --noflush with -D lines), both tools at once: a
        /// process per rule cost 30-200 ms each, most of a clean stop. Should a transaction fail
        /// (a rule removed by hand, no -restore tool), each rule of that tool is removed on its own. Then the sysctls
        /// go back as they were, and the state file goes once every value is back.
        /// </summary>
        public void Dispose()
        {
            var started = new List<(string Tool, System.Diagnostics.Process Process)>();
            foreach (string tool in new[] { "iptables", "ip6tables" })
            {
                var text = new System.Text.StringBuilder("*filter\n");
                int n = 0;
                for (int i = rules.Count - 1; i >= 0; i--)
                    if (rules[i].Tool == tool) { text.Append("-D ").Append(rules[i].Rule).Append('\n'); n++; }
                if (n == 0)
                    continue;
                text.Append("COMMIT\n");
                started.Add((tool, StartRestore(tool, text.ToString())));
            }
            foreach (var (tool, p) in started)
            {
                bool ok = p != null && p.WaitForExit(10000) && p.ExitCode == 0;
                if (p != null && !p.HasExited)
                    try { p.Kill(); } catch (InvalidOperationException) { }
                p?.Dispose();
                if (ok)
                    continue;
                for (int i = rules.Count - 1; i >= 0; i--)
                    if (rules[i].Tool == tool)
                        Run(tool, "-w -D " + rules[i].Rule);
            }
            rules.Clear();
            bool restored = true;
            if (state != null)
            {
                // Every value the file holds, also those a failed start never reached.
                for (int i = state.Originals.Count - 1; i >= 0; i--)
                    restored &= Restore(state.Originals[i].Key, state.Originals[i].Value);
            }
            else
            {
                for (int i = sysctls.Count - 1; i >= 0; i--)
                    restored &= Restore(sysctls[i].Path, sysctls[i].Old);
            }
            sysctls.Clear();
            if (statePath != null)
            {
                if (restored)
                    File.Delete(statePath);
                else
                    log.WriteLine("LAN: " + statePath + " kept: the next start restores from it");
                statePath = null;
            }
            state = null;
        }
    }

    /// <summary>File modes for secrets and the neighbours' bindings, whatever the umask.</summary>
    public static class HostFiles
    {
        [DllImport("libc", SetLastError = true)] static extern int stat([MarshalAs(UnmanagedType.LPStr)] string path, byte[] buffer);
        [DllImport("libc", SetLastError = true)] static extern int chown([MarshalAs(UnmanagedType.LPStr)] string path, int owner, int group);
        [DllImport("libc")] static extern uint umask(uint mask);

        /// <summary>The inode of <paramref name="path"/> (st_ino sits right after st_dev on x86_64 and aarch64), or 0.</summary>
        public static ulong Inode(string path)
        {
            var buffer = new byte[256];
            return stat(path, buffer) == 0 ? BitConverter.ToUInt64(buffer, 8) : 0;
        }

        /// <summary>Runs <paramref name="create"/> under umask 077, so what it creates is never open to others even for a moment.</summary>
        public static T WithPrivateUmask<T>(Func<T> create)
        {
            uint old = umask(0x3F);
            try { return create(); }
            finally { umask(old); }
        }

        /// <summary>Gives a socket mode 0660 and, when the group exists, the group `warp-router`.</summary>
        public static void ShareWithGroup(string path, TextWriter log)
        {
            File.SetUnixFileMode(path, Owner | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            int gid = GroupId("warp-router");
            if (gid >= 0 && chown(path, -1, gid) != 0)
                log.WriteLine("control socket: chown to group warp-router failed");
        }

        static int GroupId(string name)
        {
            try
            {
                foreach (string line in File.ReadLines("/etc/group"))
                {
                    string[] f = line.Split(':');
                    if (f.Length >= 3 && f[0] == name && int.TryParse(f[2], out int gid))
                        return gid;
                }
            }
            catch (IOException) { }
            return -1;
        }

        /// <summary>The network namespace of this process ("net:[4026531840]" -> "4026531840"), so two labs' interfaces of one name do not share a lock.</summary>
        public static string NetworkNamespaceId()
        {
            try
            {
                var target = new FileInfo("/proc/self/ns/net").LinkTarget ?? "";
                int a = target.IndexOf('['), b = target.IndexOf(']');
                return a >= 0 && b > a ? target.Substring(a + 1, b - a - 1) : "0";
            }
            catch (IOException) { return "0"; }
        }

        public const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        public const UnixFileMode OwnerDirectory = Owner | UnixFileMode.UserExecute;
        const UnixFileMode GroupOrOthersRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

        /// <summary>Creates the state directory 0700 (or makes an existing one 0700) and its files 0600.</summary>
        public static void SecureStateDirectory(string dir)
        {
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, OwnerDirectory);
            foreach (string f in Directory.GetFiles(dir))
                File.SetUnixFileMode(f, Owner);
        }

        /// <summary>A warning when the config file (it holds the private key) is readable by group or others, as wg-quick gives.</summary>
        public static string ReadableConfigWarning(string path)
        {
            UnixFileMode mode;
            try { mode = File.GetUnixFileMode(path); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { return null; }
            if ((mode & GroupOrOthersRead) == 0)
                return null;
            return "warp-router: warning: " + path + " is readable by " + ((mode & UnixFileMode.OtherRead) != 0 ? "others" : "its group")
                + " and holds the private key; chmod 600 " + path;
        }
    }
}

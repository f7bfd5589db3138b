using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The sysctl values the LAN lockdown found before it changed them, kept in a file so that they
    /// survive a SIGKILL: without it, the next start would take the locked-down values for the
    /// originals and a clean stop would "restore" those.
    /// <list type="bullet">
    ///   <item>written before the first sysctl is changed (temporary file 0600, fsync, rename, fsync of
    ///   the directory), so a kill at any moment leaves either no file and untouched sysctls, or the file;</item>
    ///   <item>reused while it exists: a start after a kill restores from it, never from what it reads;</item>
    ///   <item>removed after a clean stop has put every value back;</item>
    ///   <item>refused, and the router does not start, when it is not a regular file owned by this
    ///   user with mode 0600 (someone else could choose what root writes into /proc/sys), or when it is
    ///   damaged (its SHA-256 line does not match, a line is not understood, a path is not this
    ///   interface's): the message names the file and says what to do;</item>
    ///   <item>set aside, with a log line, when it describes another boot, network namespace or
    ///   interface index: that interface's sysctls are gone with it, and the current ones are the originals.</item>
    /// </list>
    /// Format (text): "warp-router lan-lockdown 1", "interface NAME", "ifindex N", "netns N",
    /// "boot UUID", one "sysctl PATH VALUE" a value, and "sha256 HEX" of everything before it.
    /// </summary>
    public sealed class LockdownState
    {
        public const string Magic = "warp-router lan-lockdown 1";
        public readonly string Interface;
        public readonly string Ifindex, Netns, Boot;
        /// <summary>Original values by path, in the order they were recorded.</summary>
        public readonly List<KeyValuePair<string, string>> Originals = new List<KeyValuePair<string, string>>();

        public LockdownState(string iface, string ifindex, string netns, string boot)
        {
            Interface = iface;
            Ifindex = ifindex;
            Netns = netns;
            Boot = boot;
        }

        /// <summary>This interface's identity now: its index in this network namespace, the namespace, the boot.</summary>
        public static LockdownState ForNow(string iface)
        {
            return new LockdownState(iface, if_nametoindex(iface).ToString(), HostFiles.NetworkNamespaceId(), BootId());
        }

        [DllImport("libc")] static extern uint if_nametoindex([MarshalAs(UnmanagedType.LPStr)] string name);
        [DllImport("libc")] static extern uint geteuid();
        [DllImport("libc", SetLastError = true)] static extern int lstat([MarshalAs(UnmanagedType.LPStr)] string path, byte[] buffer);

        static string BootId()
        {
            try { return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim(); }
            catch (IOException) { return "unknown"; }
        }

        /// <summary>The original value recorded for <paramref name="path"/>, or null.</summary>
        public string Original(string path)
        {
            foreach (var kv in Originals)
                if (kv.Key == path)
                    return kv.Value;
            return null;
        }

        public void Record(string path, string value)
        {
            if (Original(path) == null)
                Originals.Add(new KeyValuePair<string, string>(path, value));
        }

        /// <summary>True when the file describes the same interface in the same namespace and boot as <paramref name="now"/>.</summary>
        public bool SameInstanceAs(LockdownState now)
        {
            return Interface == now.Interface && Ifindex == now.Ifindex && Netns == now.Netns && Boot == now.Boot;
        }

        public string Render()
        {
            var s = new StringBuilder();
            s.Append(Magic).Append('\n');
            s.Append("interface ").Append(Interface).Append('\n');
            s.Append("ifindex ").Append(Ifindex).Append('\n');
            s.Append("netns ").Append(Netns).Append('\n');
            s.Append("boot ").Append(Boot).Append('\n');
            foreach (var kv in Originals)
                s.Append("sysctl ").Append(kv.Key).Append(' ').Append(kv.Value).Append('\n');
            string body = s.ToString();
            return body + "sha256 " + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body))).ToLowerInvariant() + "\n";
        }

        /// <summary>Parses a state file's text; null and <paramref name="why"/> when it is damaged or not about <paramref name="iface"/>.</summary>
        public static LockdownState Parse(string text, string iface, out string why)
        {
            why = null;
            int mark = text.LastIndexOf("sha256 ", StringComparison.Ordinal);
            if (mark < 0 || (mark > 0 && text[mark - 1] != '\n'))
            {
                why = "no sha256 line";
                return null;
            }
            string body = text.Substring(0, mark);
            string sum = text.Substring(mark + 7).Trim();
            if (sum != Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(body))).ToLowerInvariant())
            {
                why = "its sha256 does not match its contents";
                return null;
            }
            string[] lines = body.Split('\n');
            if (lines.Length < 6 || lines[0] != Magic)
            {
                why = "not a " + Magic + " file";
                return null;
            }
            string Field(int i, string name)
            {
                return lines[i].StartsWith(name + " ", StringComparison.Ordinal) ? lines[i].Substring(name.Length + 1) : null;
            }
            string name = Field(1, "interface"), index = Field(2, "ifindex"), netns = Field(3, "netns"), boot = Field(4, "boot");
            if (name == null || index == null || netns == null || boot == null)
            {
                why = "a header line is missing";
                return null;
            }
            if (name != iface)
            {
                why = "it is about the interface " + name + ", not " + iface;
                return null;
            }
            var state = new LockdownState(name, index, netns, boot);
            for (int i = 5; i < lines.Length; i++)
            {
                if (lines[i].Length == 0 && i == lines.Length - 1)
                    break;
                string[] f = lines[i].Split(' ');
                if (f.Length != 3 || f[0] != "sysctl" || !IsLockdownPath(f[1], iface) || !IsSysctlValue(f[2]))
                {
                    why = "line " + (i + 1) + " is not a sysctl of " + iface + " with a number";
                    return null;
                }
                state.Record(f[1], f[2]);
            }
            return state;
        }

        /// <summary>Only the interface's own IPv4 and IPv6 conf entries: nothing else under /proc/sys can be named.</summary>
        static bool IsLockdownPath(string path, string iface)
        {
            string v4 = "/proc/sys/net/ipv4/conf/" + iface + "/", v6 = "/proc/sys/net/ipv6/conf/" + iface + "/";
            string rest = path.StartsWith(v4, StringComparison.Ordinal) ? path.Substring(v4.Length)
                : path.StartsWith(v6, StringComparison.Ordinal) ? path.Substring(v6.Length) : null;
            if (string.IsNullOrEmpty(rest))
                return false;
            foreach (char c in rest)
                if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_')
                    return false;
            return true;
        }

        static bool IsSysctlValue(string v)
        {
            if (v.Length == 0 || v.Length > 11)
                return false;
            for (int i = 0; i < v.Length; i++)
                if (!(v[i] >= '0' && v[i] <= '9') && !(i == 0 && v[i] == '-' && v.Length > 1))
                    return false;
            return true;
        }

        /// <summary>
        /// Reads the state file at <paramref name="path"/>: null when there is none. Throws
        /// <see cref="InvalidOperationException"/> (the router's start-up message) when it is foreign
        /// (not a regular file, another owner, a mode other than 0600) or damaged.
        /// </summary>
        public static LockdownState Read(string path, string iface)
        {
            var info = new byte[256];
            if (lstat(path, info) != 0)
            {
                if (Marshal.GetLastWin32Error() == 2) // ENOENT
                    return null;
                throw new InvalidOperationException("cannot read the LAN lockdown state file " + path + " (errno " + Marshal.GetLastWin32Error() + ")");
            }
            uint mode, uid;
            if (!ModeAndOwner(info, out mode, out uid))
                throw new InvalidOperationException("cannot check the owner of " + path + " on this architecture");
            string refuse = Foreign(mode, uid, geteuid());
            if (refuse != null)
                throw new InvalidOperationException("refusing the LAN lockdown state file " + path + ": " + refuse
                    + ". It names the sysctl values to restore on " + iface + ", so only this user may write it; check them and remove the file");
            string text;
            try { text = File.ReadAllText(path); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new InvalidOperationException("cannot read the LAN lockdown state file " + path + ": " + e.Message);
            }
            string why;
            var state = Parse(text, iface, out why);
            if (state == null)
                throw new InvalidOperationException("the LAN lockdown state file " + path + " is damaged (" + why + "): the original sysctl values of "
                    + iface + " it kept are unknown. Check /proc/sys/net/ipv4/conf/" + iface + " and /proc/sys/net/ipv6/conf/" + iface
                    + " (defaults: arp_ignore 0, arp_announce 0, rp_filter as net.ipv4.conf.default, disable_ipv6 0, accept_ra 1), then remove the file");
            return state;
        }

        /// <summary>Why a file of this mode and owner is not ours to trust, or null.</summary>
        public static string Foreign(uint mode, uint uid, uint euid)
        {
            const uint S_IFMT = 0xF000, S_IFREG = 0x8000;
            if ((mode & S_IFMT) != S_IFREG)
                return "it is not a regular file";
            if (uid != euid)
                return "it is owned by uid " + uid + ", not " + euid;
            if ((mode & 0xFFF) != 0x180) // 0600
                return "its mode is " + Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0') + ", not 0600";
            return null;
        }

        /// <summary>st_mode and st_uid from a struct stat (x86_64 and aarch64 layouts).</summary>
        static bool ModeAndOwner(byte[] st, out uint mode, out uint uid)
        {
            switch (RuntimeInformation.ProcessArchitecture)
            {
                case Architecture.X64:
                    mode = BitConverter.ToUInt32(st, 24);
                    uid = BitConverter.ToUInt32(st, 28);
                    return true;
                case Architecture.Arm64:
                    mode = BitConverter.ToUInt32(st, 16);
                    uid = BitConverter.ToUInt32(st, 24);
                    return true;
                default:
                    mode = uid = 0;
                    return false;
            }
        }

        /// <summary>Writes the file atomically: a 0600 temporary file, fsync, rename over, fsync of the directory.</summary>
        public void Write(string path)
        {
            string temp = path + ".tmp";
            File.Delete(temp);
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            byte[] data = Encoding.UTF8.GetBytes(Render());
            using (var f = new FileStream(temp, options))
            {
                f.Write(data, 0, data.Length);
                f.Flush(true);
            }
            File.Move(temp, path, true);
            SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path)));
        }

        static void SyncDirectory(string dir)
        {
            int fd = Warp.Hal.Linux.Libc.open(dir, 0); // O_RDONLY
            if (fd < 0)
                return;
            fsync(fd);
            Warp.Hal.Linux.Libc.close(fd);
        }

        [DllImport("libc")] static extern int fsync(int fd);
    }
}

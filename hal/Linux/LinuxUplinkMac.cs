using System;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The uplink interface's MAC on Linux, for the captive-portal clone: read from
    /// /sys/class/net/IF/address, written with SIOCSIFHWADDR (what <c>ip link set dev IF address
    /// MAC</c> does through netlink). Drivers that refuse a change while the link is up (EBUSY, most
    /// Wi-Fi) get the link taken down for the change and brought back up; veth and most Ethernet
    /// drivers change it live. The kernel flushes its own neighbour entries on the change, so its
    /// next ARP or ND carries the new MAC and the gateway learns it. Needs CAP_NET_ADMIN.
    /// </summary>
    public sealed unsafe class LinuxUplinkMac : IUplinkMac
    {
        const uint SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914, SIOCSIFHWADDR = 0x8924;
        const int AF_INET = 2, SOCK_DGRAM = 2, ARPHRD_ETHER = 1, IFF_UP = 1, EBUSY = 16, IfNameSize = 16, IfReqSize = 40;
        readonly string configured;

        /// <param name="device">The uplink interface; null: the interface of the default route (IPv4, else IPv6), looked up at each use.</param>
        public LinuxUplinkMac(string device = null) { configured = device; }

        /// <summary>The interface a read or write acts on now, null when there is none.</summary>
        public string Device { get { return configured ?? DefaultRouteInterface(); } }

        /// <summary>What the last refused write said, null after a success.</summary>
        public string LastError { get; private set; }

        public bool Read(byte[] mac, int offset)
        {
            string dev = Device;
            if (dev == null) return false;
            try
            {
                string text = File.ReadAllText("/sys/class/net/" + dev + "/address").Trim();
                string[] parts = text.Split(':');
                if (parts.Length != 6) return false;
                for (int i = 0; i < 6; i++)
                    mac[offset + i] = Convert.ToByte(parts[i], 16);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is FormatException || e is OverflowException)
            {
                return false;
            }
        }

        public bool Write(byte[] mac, int offset)
        {
            string dev = Device;
            if (dev == null || dev.Length >= IfNameSize)
            {
                LastError = "no uplink interface";
                return false;
            }
            int fd = Libc.socket(AF_INET, SOCK_DGRAM, 0);
            if (fd < 0)
            {
                LastError = "socket: errno " + Marshal.GetLastPInvokeError();
                return false;
            }
            try
            {
                byte* req = stackalloc byte[IfReqSize];
                Name(req, dev);
                req[IfNameSize] = ARPHRD_ETHER; // sa_family, little-endian u16
                req[IfNameSize + 1] = 0;
                for (int i = 0; i < 6; i++) req[IfNameSize + 2 + i] = mac[offset + i];
                if (Libc.ioctl(fd, SIOCSIFHWADDR, req) == 0)
                {
                    LastError = null;
                    return true;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EBUSY)
                {
                    LastError = "SIOCSIFHWADDR: errno " + errno;
                    return false;
                }
                // The driver wants the link down for it (Wi-Fi): down, change, up.
                byte* flags = stackalloc byte[IfReqSize];
                Name(flags, dev);
                if (Libc.ioctl(fd, SIOCGIFFLAGS, flags) != 0)
                {
                    LastError = "SIOCGIFFLAGS: errno " + Marshal.GetLastPInvokeError();
                    return false;
                }
                short was = *(short*)(flags + IfNameSize);
                *(short*)(flags + IfNameSize) = (short)(was & ~IFF_UP);
                Libc.ioctl(fd, SIOCSIFFLAGS, flags);
                bool ok = Libc.ioctl(fd, SIOCSIFHWADDR, req) == 0;
                int changeErrno = ok ? 0 : Marshal.GetLastPInvokeError();
                *(short*)(flags + IfNameSize) = was;
                Libc.ioctl(fd, SIOCSIFFLAGS, flags);
                LastError = ok ? null : "SIOCSIFHWADDR with the link down: errno " + changeErrno;
                return ok;
            }
            finally
            {
                Libc.close(fd);
            }
        }

        static void Name(byte* req, string dev)
        {
            for (int i = 0; i < IfReqSize; i++) req[i] = 0;
            for (int i = 0; i < dev.Length; i++) req[i] = (byte)dev[i];
        }

        /// <summary>The interface of the default route: /proc/net/route (IPv4), else /proc/net/ipv6_route.</summary>
        public static string DefaultRouteInterface()
        {
            try
            {
                foreach (string line in File.ReadAllLines("/proc/net/route"))
                {
                    string[] f = line.Split(new[] { '\t', ' ' }, StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length >= 8 && f[1] == "00000000" && f[7] == "00000000")
                        return f[0];
                }
                foreach (string line in File.ReadAllLines("/proc/net/ipv6_route"))
                {
                    string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (f.Length >= 10 && f[0] == "00000000000000000000000000000000" && f[1] == "00" && f[9] != "lo")
                        return f[9];
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { }
            return null;
        }
    }
}

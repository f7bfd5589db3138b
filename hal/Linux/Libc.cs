using System;
using System.Runtime.InteropServices;

namespace Warp.Hal.Linux
{
    /// <summary>The few libc calls the Linux adapters need (AF_PACKET sockets, TAP, poll). Linux only.</summary>
    public static unsafe class Libc
    {
        public const int AF_PACKET = 17;
        public const int SOCK_RAW = 3;
        public const ushort ETH_P_ALL = 0x0003;
        public const int SOL_PACKET = 263;
        public const int PACKET_ADD_MEMBERSHIP = 1;
        public const int PACKET_MR_PROMISC = 1;
        public const int PACKET_IGNORE_OUTGOING = 23;
        public const int MSG_DONTWAIT = 0x40;
        public const int MSG_TRUNC = 0x20;
        public const int O_RDWR = 2;
        public const int O_NONBLOCK = 0x800;
        public const uint TUNSETIFF = 0x400454ca;
        public const short IFF_TAP = 0x0002;
        public const short IFF_NO_PI = 0x1000;
        public const short POLLIN = 0x0001;
        public const int EAGAIN = 11;
        public const int EINTR = 4;
        public const int SOL_SOCKET = 1;
        public const int SO_SNDBUF = 7, SO_RCVBUF = 8, SO_SNDBUFFORCE = 32, SO_RCVBUFFORCE = 33;
        public const int PACKET_STATISTICS = 6;
        public const int SOL_UDP = 17, UDP_SEGMENT = 103, UDP_GRO = 104;

        /// <summary>
        /// Sets a socket buffer to <paramref name="bytes"/>: the FORCE option first (root may pass
        /// net.core.rmem_max/wmem_max), the plain one (capped by those) when it is refused. Returns
        /// the size the kernel reports afterwards (it doubles the request for its bookkeeping).
        /// </summary>
        public static int SizeBuffer(int fd, bool receive, int bytes)
        {
            int v = bytes;
            if (setsockopt(fd, SOL_SOCKET, receive ? SO_RCVBUFFORCE : SO_SNDBUFFORCE, (byte*)&v, 4) != 0)
                setsockopt(fd, SOL_SOCKET, receive ? SO_RCVBUF : SO_SNDBUF, (byte*)&v, 4);
            int got = 0, len = 4;
            getsockopt(fd, SOL_SOCKET, receive ? SO_RCVBUF : SO_SNDBUF, (byte*)&got, &len);
            return got;
        }

        [StructLayout(LayoutKind.Sequential)]
        public struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [DllImport("libc", SetLastError = true)] public static extern int socket(int domain, int type, int protocol);
        [DllImport("libc", SetLastError = true)] public static extern int bind(int fd, byte* addr, int len);
        [DllImport("libc", SetLastError = true)] public static extern int setsockopt(int fd, int level, int name, byte* value, int len);
        [DllImport("libc", SetLastError = true)] public static extern nint recv(int fd, byte* buffer, nint length, int flags);
        [DllImport("libc", SetLastError = true)] public static extern nint send(int fd, byte* buffer, nint length, int flags);
        [DllImport("libc", SetLastError = true)] public static extern nint read(int fd, byte* buffer, nint length);
        [DllImport("libc", SetLastError = true)] public static extern nint write(int fd, byte* buffer, nint length);
        [DllImport("libc", SetLastError = true)] public static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);
        [DllImport("libc", SetLastError = true)] public static extern int ioctl(int fd, uint request, byte* arg);
        [DllImport("libc", SetLastError = true)] public static extern int close(int fd);
        [DllImport("libc", SetLastError = true)] public static extern int fsync(int fd);
        [DllImport("libc", SetLastError = true)] public static extern int poll(PollFd* fds, nuint count, int timeoutMs);
        [DllImport("libc", SetLastError = true)] public static extern int getsockopt(int fd, int level, int name, byte* value, int* len);
        [DllImport("libc", SetLastError = true)] public static extern int recvmmsg(int fd, byte* msgs, uint vlen, int flags, void* timeout);
        [DllImport("libc", SetLastError = true)] public static extern int sendmmsg(int fd, byte* msgs, uint vlen, int flags);
        [DllImport("libc", SetLastError = true)] public static extern nint sendmsg(int fd, byte* msg, int flags);
        [DllImport("libc", SetLastError = true)] public static extern uint if_nametoindex([MarshalAs(UnmanagedType.LPStr)] string name);

        public static ushort Htons(ushort v) { return (ushort)((v << 8) | (v >> 8)); }

        public static string Error(string what)
        {
            int errno = Marshal.GetLastPInvokeError();
            return what + ": " + Marshal.GetPInvokeErrorMessage(errno) + " (errno " + errno + ")";
        }
    }
}

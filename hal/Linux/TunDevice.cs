using System;
using System.IO;
using Warp.Hal.Linux;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// A TUN device (Documentation/networking/tuntap): IP packets without an Ethernet header
    /// (IFF_TUN | IFF_NO_PI), read and written non-blocking, one packet per call. The lab's
    /// WireGuard peer (`warp-router peer`) carries the tunnel's inner packets to the kernel with it.
    /// Made when missing, attached when it exists; the caller gives it addresses and routes.
    /// </summary>
    public sealed unsafe class TunDevice : IDisposable
    {
        const short IFF_TUN = 0x0001;
        readonly int fd;
        public string Interface { get; }
        /// <summary>The device's txqueuelen (packets the kernel holds for us) when it was set, else -1.</summary>
        public int TxQueueFrames { get; } = -1;

        public TunDevice(string name, int txQueueFrames = 0)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 15)
                throw new ArgumentException("a TUN interface name of 1 to 15 characters is needed");
            fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK);
            if (fd < 0)
                throw new IOException(Libc.Error("open(/dev/net/tun)"));
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            for (int i = 0; i < name.Length; i++)
                ifr[i] = (byte)name[i];
            *(short*)(ifr + 16) = (short)(IFF_TUN | Libc.IFF_NO_PI);
            if (Libc.ioctl(fd, Libc.TUNSETIFF, ifr) != 0)
            {
                string e = Libc.Error("TUNSETIFF " + name);
                Libc.close(fd);
                throw new IOException(e);
            }
            Interface = name;
            if (txQueueFrames > 0)
            {
                const uint SIOCSIFTXQLEN = 0x8943;
                int s = Libc.socket(2, 2, 0);
                if (s >= 0)
                {
                    *(int*)(ifr + 16) = txQueueFrames;
                    if (Libc.ioctl(s, SIOCSIFTXQLEN, ifr) == 0)
                        TxQueueFrames = txQueueFrames;
                    Libc.close(s);
                }
            }
        }

        public int Fd { get { return fd; } }

        /// <summary>The next packet into (buffer, offset), at most count bytes; 0 when none waits (or on an error).</summary>
        public int Read(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return 0;
            nint n;
            fixed (byte* p = buffer)
                n = Libc.read(fd, p + offset, count);
            return n > 0 ? (int)n : 0;
        }

        /// <summary>Gives the kernel one packet; false when it refused it (a bad packet, or the device is down).</summary>
        public bool Write(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return false;
            fixed (byte* p = buffer)
                return Libc.write(fd, p + offset, count) == count;
        }

        public void Dispose() { Libc.close(fd); }
    }
}

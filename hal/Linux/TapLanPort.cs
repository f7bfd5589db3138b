using System;
using System.IO;
using System.Runtime.InteropServices;
using Warp.Hal;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The LAN on a TAP device (Documentation/networking/tuntap): the router is the "other end" of
    /// a virtual Ethernet interface that Linux sees; bridge it or give it to a VM or namespace.
    /// The device is created (or attached) with IFF_TAP | IFF_NO_PI and read non-blocking.
    /// </summary>
    public sealed unsafe class TapLanPort : ILanPort, IDisposable
    {
        readonly int fd;
        readonly byte[] mac;
        /// <summary>A read from a TAP device takes one whole frame; a shorter buffer would lose its length, so frames land here first.</summary>
        readonly byte[] frame = new byte[65536 + 18];
        public string Interface { get; }

        public TapLanPort(string name, byte[] routerMac)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 15)
                throw new ArgumentException("a TAP interface name of 1 to 15 characters is needed");
            fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK);
            if (fd < 0)
                throw new IOException(Libc.Error("open(/dev/net/tun)"));
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            for (int i = 0; i < name.Length; i++)
                ifr[i] = (byte)name[i];
            *(short*)(ifr + 16) = (short)(Libc.IFF_TAP | Libc.IFF_NO_PI);
            if (Libc.ioctl(fd, Libc.TUNSETIFF, ifr) != 0)
            {
                string e = Libc.Error("TUNSETIFF " + name);
                Libc.close(fd);
                throw new IOException(e);
            }
            Interface = name;
            mac = (byte[])routerMac.Clone();
        }

        public int Fd { get { return fd; } }

        public void GetMacAddress(byte[] mac, int offset) { Array.Copy(this.mac, 0, mac, offset, 6); }

        public int Receive(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return 0;
            nint n;
            fixed (byte* p = frame)
                n = Libc.read(fd, p, frame.Length);
            if (n <= 0)
                return 0;
            Buffer.BlockCopy(frame, 0, buffer, offset, (int)Math.Min(n, count)); // cut, with the real length returned
            return (int)n;
        }

        public bool Send(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return false;
            fixed (byte* p = buffer)
                return Libc.write(fd, p + offset, count) == count;
        }

        public void Dispose() { Libc.close(fd); }
    }
}

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
    /// With <c>vnetHdr</c> (the default in warp-router; <c>--no-vnet-hdr</c> turns it off) and a
    /// kernel that offers it (TUNGETFEATURES), it is opened with IFF_VNET_HDR and told
    /// (TUNSETOFFLOAD) that we take partial checksums and TCP segmentation offload (TSO4, TSO6,
    /// ECN): the kernel then skips computing checksums for us and hands us whole TCP super-frames
    /// of up to 64 KB in one read, which <see cref="VnetHdr"/> cuts into segments before NAT and
    /// encapsulation; one read can thus bring dozens of frames. If the kernel refuses the offloads
    /// the port keeps the header (no offloads: every frame plain); without IFF_VNET_HDR it reads
    /// plain frames, as before. Writes carry a header of zeros (no GSO, checksums already
    /// complete: the router makes full checksums, so NEEDS_CSUM would gain nothing). A TAP
    /// device has no recvmmsg or sendmmsg, so the batches (<see cref="ILanBatch"/>) are reads
    /// until a batch is full or nothing waits, and a write per frame.
    /// </summary>
    public sealed unsafe class TapLanPort : ILanPort, ILanBatch, IDisposable
    {
        const uint TUNGETFEATURES = 0x800454cf, TUNSETOFFLOAD = 0x400454d0;
        const int IFF_VNET_HDR = 0x4000;
        /// <summary>TUNSETOFFLOAD bits (linux/if_tun.h).</summary>
        public const int TunFCsum = 1, TunFTso4 = 2, TunFTso6 = 4, TunFTsoEcn = 8;

        readonly int fd;
        readonly byte[] mac;
        /// <summary>A read from a TAP device takes one whole frame (a super-frame of up to 64 KB with offloads); a shorter buffer would lose its length, so frames land here first.</summary>
        readonly byte[] frame = new byte[VnetHdr.Length + 65536 + 256];
        readonly VnetHdr vnet;
        static readonly byte[] zeroHeader = new byte[VnetHdr.Length];
        int txFailed;
        public string Interface { get; }

        /// <summary>True when frames carry a virtio_net_hdr (IFF_VNET_HDR).</summary>
        public bool VnetHeader { get { return vnet != null; } }
        /// <summary>The TUNSETOFFLOAD bits the kernel took (0 without IFF_VNET_HDR or when it refused them all).</summary>
        public int Offloads { get; }
        /// <summary>The header reader's counters (bad headers, super-frames, segments); null without IFF_VNET_HDR.</summary>
        public VnetHdr Vnet { get { return vnet; } }
        /// <summary>True while segments of a super-frame already read wait to be taken (poll() cannot see them).</summary>
        public bool Pending { get { return vnet != null && vnet.Pending; } }

        /// <param name="name">The TAP device (made if missing, attached if it exists).</param>
        /// <param name="routerMac">The router's MAC on the LAN.</param>
        /// <param name="vnetHdr">IFF_VNET_HDR with checksum and TSO offloads where the kernel has them.</param>
        /// <param name="txQueueFrames">The device's txqueuelen to set (0: leave the kernel's).</param>
        public TapLanPort(string name, byte[] routerMac, bool vnetHdr = false, int txQueueFrames = 0)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 15)
                throw new ArgumentException("a TAP interface name of 1 to 15 characters is needed");
            fd = Libc.open("/dev/net/tun", Libc.O_RDWR | Libc.O_NONBLOCK);
            if (fd < 0)
                throw new IOException(Libc.Error("open(/dev/net/tun)"));
            if (vnetHdr)
            {
                uint features = 0;
                if (Libc.ioctl(fd, TUNGETFEATURES, (byte*)&features) != 0 || (features & IFF_VNET_HDR) == 0)
                    vnetHdr = false; // an old kernel: plain frames
            }
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            for (int i = 0; i < name.Length; i++)
                ifr[i] = (byte)name[i];
            *(short*)(ifr + 16) = (short)(Libc.IFF_TAP | Libc.IFF_NO_PI | (vnetHdr ? IFF_VNET_HDR : 0));
            if (Libc.ioctl(fd, Libc.TUNSETIFF, ifr) != 0)
            {
                string e = Libc.Error("TUNSETIFF " + name);
                Libc.close(fd);
                throw new IOException(e);
            }
            if (vnetHdr)
            {
                vnet = new VnetHdr();
                // TUNSETOFFLOAD takes the bits as the argument itself. Each try offers less.
                int[] tries = { TunFCsum | TunFTso4 | TunFTso6 | TunFTsoEcn, TunFCsum | TunFTso4 | TunFTso6, TunFCsum };
                foreach (int bits in tries)
                    if (Libc.ioctl(fd, TUNSETOFFLOAD, (byte*)(nint)bits) == 0)
                    {
                        Offloads = bits;
                        break;
                    }
            }
            Interface = name;
            mac = (byte[])routerMac.Clone();
            if (txQueueFrames > 0)
                TxQueueFrames = SetTxQueueLength(name, txQueueFrames);
        }

        /// <summary>
        /// The device's queue towards us in frames (its txqueuelen; a TAP's default of 500 is about 6 ms
        /// of full-size frames at 1 Gbit/s, and what overflows it is the tx_dropped that
        /// <c>kernel.drop.lan_tap_queue</c> shows); -1 when it could not be set (the kernel's value stays).
        /// </summary>
        public int TxQueueFrames { get; } = -1;

        /// <summary>The queue <see cref="TapLanPort"/> asks for with batches: 10,000 frames (about 120 ms of full-size frames at 1 Gbit/s; with TSO each entry may be a super-frame).</summary>
        public const int BatchTxQueueFrames = 10000;

        static int SetTxQueueLength(string name, int frames)
        {
            const uint SIOCSIFTXQLEN = 0x8943;
            int s = Libc.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
            if (s < 0)
                return -1;
            byte* ifr = stackalloc byte[40];
            new Span<byte>(ifr, 40).Clear();
            for (int i = 0; i < name.Length; i++)
                ifr[i] = (byte)name[i];
            *(int*)(ifr + 16) = frames;
            int r = Libc.ioctl(s, SIOCSIFTXQLEN, ifr);
            Libc.close(s);
            return r == 0 ? frames : -1;
        }

        public int Fd { get { return fd; } }

        public void GetMacAddress(byte[] mac, int offset) { Array.Copy(this.mac, 0, mac, offset, 6); }

        public int Receive(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return 0;
            if (vnet != null)
                return NextVnet(buffer, offset, count);
            nint n;
            fixed (byte* p = frame)
                n = Libc.read(fd, p, frame.Length);
            if (n <= 0)
                return 0;
            Buffer.BlockCopy(frame, 0, buffer, offset, (int)Math.Min(n, count)); // cut, with the real length returned
            return (int)n;
        }

        /// <summary>The next frame with IFF_VNET_HDR: the rest of a super-frame first, else reads until one is taken (refused ones are counted) or nothing waits.</summary>
        int NextVnet(byte[] buffer, int offset, int count)
        {
            while (true)
            {
                if (vnet.Pending)
                    return vnet.Next(buffer, offset, count);
                nint n;
                fixed (byte* p = frame)
                    n = Libc.read(fd, p, frame.Length);
                if (n <= 0)
                    return 0;
                vnet.Load(frame, (int)n);
            }
        }

        public bool Send(byte[] buffer, int offset, int count)
        {
            if ((uint)offset > (uint)buffer.Length || (uint)count > (uint)(buffer.Length - offset))
                return false;
            if (vnet == null)
            {
                fixed (byte* p = buffer)
                    return Libc.write(fd, p + offset, count) == count;
            }
            // struct iovec[2]: the zero virtio_net_hdr, then the frame.
            fixed (byte* h = zeroHeader)
            fixed (byte* p = buffer)
            {
                byte* iov = stackalloc byte[32];
                *(byte**)iov = h;
                *(nuint*)(iov + 8) = VnetHdr.Length;
                *(byte**)(iov + 16) = p + offset;
                *(nuint*)(iov + 24) = (nuint)count;
                return writev(fd, iov, 2) == VnetHdr.Length + count;
            }
        }

        [DllImport("libc", SetLastError = true)] static extern nint writev(int fd, byte* iov, int count);

        public int ReceiveBatch(byte[][] buffers, int offset, int count, int[] lengths, int max)
        {
            if (max > buffers.Length) max = buffers.Length;
            int got = 0;
            while (got < max)
            {
                int n = Receive(buffers[got], offset, count);
                if (n <= 0)
                    break;
                lengths[got++] = n;
            }
            return got;
        }

        public void Queue(byte[] buffer, int offset, int count)
        {
            if (!Send(buffer, offset, count))
                txFailed++;
        }

        public int Flush()
        {
            int f = txFailed;
            txFailed = 0;
            return f;
        }

        public void Dispose() { Libc.close(fd); }
    }
}

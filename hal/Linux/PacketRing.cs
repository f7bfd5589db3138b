using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// A PACKET_MMAP receive ring of TPACKET_V3 (Documentation/networking/packet_mmap.rst) on an
    /// AF_PACKET socket: the kernel writes frames into blocks of memory shared with us and hands a
    /// block over when it is full or <see cref="RetireMs"/> after its first frame; reading a batch
    /// then costs no system call at all. A block is given back once every frame in it was copied
    /// out. Layouts (linux/if_packet.h):
    /// <code>
    /// struct tpacket_block_desc { u32 version; u32 offset_to_priv; struct tpacket_hdr_v1 {
    ///     u32 block_status (8); u32 num_pkts (12); u32 offset_to_first_pkt (16); u32 blk_len; u64 seq_num; ts first, last } }
    /// struct tpacket3_hdr { u32 tp_next_offset (0); u32 tp_sec, tp_nsec; u32 tp_snaplen (12); u32 tp_len (16);
    ///     u32 tp_status; u16 tp_mac (24); u16 tp_net; ... }
    /// </code>
    /// <see cref="TryOpen"/> returns null when the kernel refuses any step, and the caller keeps
    /// recvmmsg (the fallback).
    /// </summary>
    public sealed unsafe class PacketRing : IDisposable
    {
        const int PacketVersion = 10, PacketRxRing = 5, Tpacket3 = 2;
        const int TpStatusKernel = 0, TpStatusUser = 1;
        public const int BlockBytes = 1 << 18, FrameBytes = 2048;
        /// <summary>
        /// The ring's default size: 32 MiB, 128 blocks. At 1 Gbit/s of full-size frames (about 83,000
        /// a second, each taking about 1,600 bytes of a block with its tpacket3_hdr) that is about 250 ms
        /// of frames while the router is descheduled; the former 4 MiB (16 blocks, about 32 ms) dropped
        /// 6.8-12 k frames per 4-stream iperf3 test on the shared machine. The kernel allocates it at
        /// set-up and it stays resident (not per packet).
        /// </summary>
        public const int DefaultBytes = 32 << 20;
        /// <summary>The smallest and largest rings <see cref="TryOpen"/> accepts (4 MiB: the former size; 256 MiB).</summary>
        public const int MinBytes = 4 << 20, MaxBytes = 256 << 20;
        /// <summary>A block with frames is handed over at the latest this long after its first frame (latency at low rates).</summary>
        public const int RetireMs = 1;

        [DllImport("libc", SetLastError = true)] static extern void* mmap(void* addr, nuint length, int prot, int flags, int fd, nint offset);
        [DllImport("libc", SetLastError = true)] static extern int munmap(void* addr, nuint length);

        byte* ring;
        readonly nuint length;
        readonly int blocks;
        /// <summary>Blocks of <see cref="BlockBytes"/> in this ring.</summary>
        public int Blocks { get { return blocks; } }
        /// <summary>The ring's size in bytes.</summary>
        public long Bytes { get { return (long)length; } }
        int block;          // the block being read
        int left;           // frames of it not yet read (0: not started)
        byte* frame;        // the next frame of it

        PacketRing(byte* ring, nuint length, int blocks) { this.ring = ring; this.length = length; this.blocks = blocks; }

        /// <summary>The block count for a ring of <paramref name="bytes"/> (rounded up to whole blocks, clamped to <see cref="MinBytes"/>..<see cref="MaxBytes"/>).</summary>
        public static int BlocksFor(long bytes)
        {
            if (bytes < MinBytes) bytes = MinBytes;
            if (bytes > MaxBytes) bytes = MaxBytes;
            return (int)((bytes + BlockBytes - 1) / BlockBytes);
        }

        /// <summary>Sets TPACKET_V3 and a receive ring of about <paramref name="bytes"/> (<see cref="BlocksFor"/> x <see cref="BlockBytes"/>) on <paramref name="fd"/>; null when refused.</summary>
        public static PacketRing TryOpen(int fd, long bytes = DefaultBytes)
        {
            int Blocks = BlocksFor(bytes);
            int v = Tpacket3;
            if (Libc.setsockopt(fd, Libc.SOL_PACKET, PacketVersion, (byte*)&v, 4) != 0)
                return null;
            // struct tpacket_req3 { block_size, block_nr, frame_size, frame_nr, retire_blk_tov, sizeof_priv, feature_req_word }
            uint* req = stackalloc uint[7];
            req[0] = BlockBytes;
            req[1] = (uint)Blocks;
            req[2] = FrameBytes;
            req[3] = (uint)(BlockBytes / FrameBytes * Blocks);
            req[4] = RetireMs;
            req[5] = 0;
            req[6] = 0;
            if (Libc.setsockopt(fd, Libc.SOL_PACKET, PacketRxRing, (byte*)req, 28) != 0)
                return null;
            nuint len = (nuint)BlockBytes * (nuint)Blocks;
            void* p = mmap(null, len, 3 /* PROT_READ | PROT_WRITE */, 1 /* MAP_SHARED */, fd, 0);
            if (p == (void*)-1 || p == null)
            {
                new Span<byte>(req, 28).Clear(); // take the ring back (block_nr 0), so that recvmmsg sees the frames again
                Libc.setsockopt(fd, Libc.SOL_PACKET, PacketRxRing, (byte*)req, 28);
                return null;
            }
            return new PacketRing((byte*)p, len, Blocks);
        }

        byte* Block(int i) { return ring + (nint)i * BlockBytes; }

        /// <summary>
        /// Copies up to <paramref name="max"/> frames to (buffers[i], offset), at most count bytes
        /// each, their real lengths to lengths[i]; returns how many (0: no block is ours now).
        /// </summary>
        public int Read(byte[][] buffers, int offset, int count, int[] lengths, int max)
        {
            int n = 0;
            while (n < max)
            {
                byte* b = Block(block);
                if (left == 0)
                {
                    if ((Volatile.Read(ref *(int*)(b + 8)) & TpStatusUser) == 0)
                        break; // the kernel still fills it
                    left = *(int*)(b + 12);
                    frame = b + *(uint*)(b + 16);
                    if (left == 0)
                    {
                        Release(b);
                        continue;
                    }
                }
                int snap = (int)*(uint*)(frame + 12);
                int real = (int)*(uint*)(frame + 16);
                byte* data = frame + *(ushort*)(frame + 24);
                int copy = snap < count ? snap : count;
                if (copy > 0)
                    Marshal.Copy((IntPtr)data, buffers[n], offset, copy);
                lengths[n++] = real;
                left--;
                if (left == 0)
                    Release(b);
                else
                    frame += *(uint*)frame;
            }
            return n;
        }

        void Release(byte* b)
        {
            Volatile.Write(ref *(int*)(b + 8), TpStatusKernel);
            left = 0;
            block = (block + 1) % blocks;
        }

        public void Dispose()
        {
            if (ring != null)
                munmap(ring, length);
            ring = null;
        }
    }
}

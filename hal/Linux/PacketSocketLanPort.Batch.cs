using System;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The raw LAN socket's batches (<see cref="ILanBatch"/>): a TPACKET_V3 receive ring
    /// (<see cref="PacketRing"/>) when the kernel grants one, else recvmmsg(2), takes up to
    /// <see cref="BatchCapacity"/> frames a call (MSG_TRUNC: the real length of a frame cut to the
    /// slot), sendmmsg(2) sends the queued frames in one call; the socket's buffers are
    /// <see cref="BufferBytes"/> (the default 208 KB dropped 13% of an iperf3 run's frames). The
    /// kernel's own count of what it received and dropped at this socket (PACKET_STATISTICS, which
    /// resets on each read) is summed in <see cref="KernelDrops"/>.
    /// </summary>
    public sealed unsafe partial class PacketSocketLanPort
    {
        public const int BatchCapacity = 32;
        public const int SlotBytes = 2048;
        public const int BufferBytes = 4 << 20;
        MessageBatch rx, tx;
        PacketRing ring;

        /// <summary>True when frames come through a TPACKET_V3 ring (PacketRing), false when through recvmmsg.</summary>
        public bool UsesRing { get { return ring != null; } }
        /// <summary>The receive ring's size in bytes (0: no ring).</summary>
        public long RingBytes { get { return ring != null ? ring.Bytes : 0; } }
        int txCount, txFailed;
        long kernelPackets, kernelDrops;

        /// <summary>True when this port was made with batches.</summary>
        public bool Batching { get { return rx != null; } }

        void StartBatches(bool useRing, long ringBytes)
        {
            if (useRing)
                ring = PacketRing.TryOpen(fd, ringBytes) ?? (ringBytes > PacketRing.MinBytes ? PacketRing.TryOpen(fd, PacketRing.MinBytes) : null); // the smaller ring when memory is short; null: refused (an old kernel, no memory): recvmmsg below
            Libc.SizeBuffer(fd, true, BufferBytes);
            Libc.SizeBuffer(fd, false, BufferBytes);
            rx = new MessageBatch(BatchCapacity, SlotBytes);
            tx = new MessageBatch(BatchCapacity, SlotBytes);
        }

        void DisposeBatches()
        {
            rx?.Dispose();
            tx?.Dispose();
            ring?.Dispose();
        }

        public int ReceiveBatch(byte[][] buffers, int offset, int count, int[] lengths, int max)
        {
            if (max > buffers.Length) max = buffers.Length;
            if (rx == null)
            {
                int got1 = 0;
                while (got1 < max)
                {
                    int n1 = Receive(buffers[got1], offset, count);
                    if (n1 <= 0) break;
                    lengths[got1++] = n1;
                }
                return got1;
            }
            if (ring != null)
                return ring.Read(buffers, offset, count, lengths, max);
            if (max > rx.Capacity) max = rx.Capacity;
            rx.PrepareReceive(0, max, false);
            int n = rx.Receive(fd, 0, max, Libc.MSG_TRUNC);
            for (int i = 0; i < n; i++)
            {
                int len = rx.Length(i); // the frame's real length (MSG_TRUNC), even when the slot held less
                rx.CopyOut(i, len, buffers[i], offset, count);
                lengths[i] = len;
            }
            return n;
        }

        public void Queue(byte[] buffer, int offset, int count)
        {
            if (tx == null)
            {
                if (!Send(buffer, offset, count)) txFailed++;
                return;
            }
            if (count > tx.SlotBytes || count <= 0)
            {
                txFailed++;
                return;
            }
            if (txCount == tx.Capacity)
                SendQueued();
            tx.CopyIn(txCount, buffer, offset, count);
            tx.PrepareSend(txCount, count, 0);
            txCount++;
        }

        public int Flush()
        {
            SendQueued();
            int f = txFailed;
            txFailed = 0;
            return f;
        }

        void SendQueued()
        {
            int i = 0;
            while (i < txCount)
            {
                int n = tx.Send(fd, i, txCount - i);
                if (n > 0)
                {
                    i += n;
                    continue;
                }
                if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Libc.EAGAIN)
                {
                    txFailed += txCount - i; // the socket's send buffer is full
                    break;
                }
                txFailed++;
                i++;
            }
            txCount = 0;
        }

        /// <summary>Reads PACKET_STATISTICS (which the kernel resets on each read) into the running sums.</summary>
        void ReadStatistics()
        {
            // struct tpacket_stats { unsigned int tp_packets, tp_drops; } (tpacket_stats_v3 adds tp_freeze_q_cnt)
            byte* st = stackalloc byte[16];
            int len = 12;
            if (Libc.getsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_STATISTICS, st, &len) != 0)
                return;
            kernelPackets += *(uint*)st;
            kernelDrops += *(uint*)(st + 4);
        }

        /// <summary>Frames the kernel dropped at this socket since it was opened (its receive queue or ring was full).</summary>
        public long KernelDrops { get { ReadStatistics(); return kernelDrops; } }

        /// <summary>Frames the kernel handed to this socket since it was opened (PACKET_STATISTICS tp_packets: received plus dropped).</summary>
        public long KernelPackets { get { ReadStatistics(); return kernelPackets; } }
    }
}

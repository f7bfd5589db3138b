using System;
using System.IO;
using System.Net.Sockets;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The uplink's batches (<see cref="IUplinkBatch"/>): recvmmsg(2) takes up to
    /// <see cref="BatchCapacity"/> datagrams from the sockets in turn, sendmmsg(2) sends the queued
    /// data messages, one call per run of datagrams for the same socket. Both go through native
    /// memory allocated once (<see cref="MessageBatch"/>), so a batch allocates nothing. The sockets'
    /// buffers are <see cref="BufferBytes"/> (SO_RCVBUFFORCE/SO_SNDBUFFORCE as root, else capped by
    /// net.core.rmem_max/wmem_max): the default 208 KB holds about 2 ms at 1 Gbit/s.
    /// </summary>
    public sealed unsafe partial class UdpUplink
    {
        /// <summary>Datagrams per recvmmsg/sendmmsg call (WARP's fix: 32).</summary>
        public const int BatchCapacity = 32;
        /// <summary>Bytes of each native slot: the router's packet buffer.</summary>
        public const int SlotBytes = 2048;
        /// <summary>Each socket's receive and send buffer when batching: 4 MiB (about 33 ms at 1 Gbit/s).</summary>
        public const int BufferBytes = 4 << 20;
        const int AfInet = 2, AfInet6 = 10;

        readonly MessageBatch rx, tx;
        readonly int bufferBytes;
        /// <summary>Per queued datagram: its socket (uplink * 2, + 1 for IPv6).</summary>
        readonly int[] txSocket = new int[BatchCapacity];
        /// <summary>Results of flushes the caller has not collected yet (a full queue is sent at once).</summary>
        readonly int[] pending = new int[8];
        int txCount;

        /// <summary>True when this uplink was made with batches (and sized buffers).</summary>
        public bool Batching { get; }

        /// <summary>The receive buffer the kernel reports for the first socket (it doubles what was asked), for the log.</summary>
        public int ReceiveBufferBytes
        {
            get
            {
                Socket s = v4s[0] ?? v6s[0];
                int got = 0, len = 4;
                Libc.getsockopt((int)s.Handle, Libc.SOL_SOCKET, Libc.SO_RCVBUF, (byte*)&got, &len);
                return got;
            }
        }

        static void SizeBuffers(Socket s, int bytes)
        {
            int fd = (int)s.Handle;
            Libc.SizeBuffer(fd, true, bytes);
            Libc.SizeBuffer(fd, false, bytes);
        }

        public int ReceiveBatch(byte[][] buffers, int offset, int count, int[] lengths, Endpoint[] sources, int[] uplinks, int max)
        {
            if (rx == null)
            {
                // No batches: one datagram at a time through the single path (still a valid batch of 1).
                if (max < 1 || buffers.Length < 1) return 0;
                int n1 = Receive(buffers[0], offset, count, sources[0]);
                if (n1 <= 0) return 0;
                lengths[0] = n1;
                uplinks[0] = lastReceive;
                return 1;
            }
            if (Gro)
                return ReceiveGro(buffers, offset, count, lengths, sources, uplinks, max);
            if (max > buffers.Length) max = buffers.Length;
            if (max > rx.Capacity) max = rx.Capacity;
            int sockets = 2 * devices.Length;
            int got = 0;
            for (int k = 0; k < sockets && got < max; k++)
            {
                int i = (next + k) % sockets;
                int u = i >> 1;
                Socket s = (i & 1) == 0 ? v6s[u] : v4s[u];
                if (s == null)
                    continue;
                rx.PrepareReceive(got, max - got, true);
                int n = rx.Receive((int)s.Handle, got, max - got, 0);
                for (int j = got; j < got + n; j++)
                {
                    int len = rx.Length(j);
                    rx.CopyOut(j, len, buffers[j], offset, count);
                    lengths[j] = (rx.Flags(j) & MessageBatch.MsgTrunc) != 0 && len < count ? count + 1 : len; // cut: the router sees it was
                    ReadName(rx.Name(j), sources[j]);
                    uplinks[j] = u;
                }
                if (n > 0)
                {
                    next = (i + 1) % sockets;
                    lastReceive = u;
                }
                got += n;
            }
            return got;
        }

        static void ReadName(byte* name, Endpoint source)
        {
            int family = *(ushort*)name;
            source.Port = (name[2] << 8) | name[3];
            if (family == AfInet)
            {
                source.Family = Endpoint.FamilyIpv4;
                Array.Clear(source.Address, 0, 16);
                for (int i = 0; i < 4; i++) source.Address[i] = name[4 + i];
            }
            else
            {
                source.Family = Endpoint.FamilyIpv6;
                for (int i = 0; i < 16; i++) source.Address[i] = name[8 + i];
            }
        }

        public void Queue(int uplink, byte[] buffer, int offset, int count, Endpoint destination)
        {
            if (tx == null)
            {
                // No batches: sent at once, the result kept for Flush.
                pending[(int)SendOn(uplink, buffer, offset, count, destination)]++;
                return;
            }
            if (uplink < 0 || uplink >= devices.Length)
            {
                pending[(int)UplinkSendResult.Failed]++;
                return;
            }
            bool v6 = destination.Family == Endpoint.FamilyIpv6;
            if ((v6 ? v6s[uplink] : destination.Family == Endpoint.FamilyIpv4 ? v4s[uplink] : null) == null)
            {
                pending[(int)UplinkSendResult.FamilyDown]++;
                return;
            }
            if (count > tx.SlotBytes)
            {
                pending[(int)UplinkSendResult.Failed]++;
                return;
            }
            if (txCount == tx.Capacity)
                SendQueued();
            int i = txCount++;
            tx.CopyIn(i, buffer, offset, count);
            byte* name = tx.Name(i);
            new Span<byte>(name, MessageBatch.NameBytes).Clear();
            name[2] = (byte)(destination.Port >> 8);
            name[3] = (byte)destination.Port;
            if (v6)
            {
                *(ushort*)name = AfInet6;
                for (int k = 0; k < 16; k++) name[8 + k] = destination.Address[k];
            }
            else
            {
                *(ushort*)name = AfInet;
                for (int k = 0; k < 4; k++) name[4 + k] = destination.Address[k];
            }
            tx.PrepareSend(i, count, v6 ? 28 : 16);
            txSocket[i] = uplink * 2 + (v6 ? 1 : 0);
        }

        public int Flush(int[] results)
        {
            SendQueued();
            int total = 0;
            for (int r = 0; r < pending.Length; r++)
            {
                if (r < results.Length)
                    results[r] += pending[r];
                total += pending[r];
                pending[r] = 0;
            }
            return total;
        }

        /// <summary>sendmmsg for each run of queued datagrams to one socket; each datagram's result into <see cref="pending"/>.</summary>
        void SendQueued()
        {
            int i = 0;
            while (i < txCount)
            {
                int sock = txSocket[i];
                int end = i + 1;
                while (end < txCount && txSocket[end] == sock)
                    end++;
                Socket s = (sock & 1) == 1 ? v6s[sock >> 1] : v4s[sock >> 1];
                if (s != null && Gso)
                {
                    SendRunWithGso((int)s.Handle, i, end);
                    i = end;
                    continue;
                }
                while (i < end)
                {
                    if (s == null)
                    {
                        pending[(int)UplinkSendResult.FamilyDown] += end - i;
                        i = end;
                        break;
                    }
                    int n = tx.Send((int)s.Handle, i, end - i);
                    if (n > 0)
                    {
                        pending[(int)UplinkSendResult.Sent] += n;
                        i += n;
                        continue;
                    }
                    UplinkSendResult r = ClassifyErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
                    if (r == UplinkSendResult.WouldBlock)
                    {
                        pending[(int)r] += end - i; // the send buffer is full: the rest of the run waits in vain
                        i = end;
                    }
                    else
                    {
                        pending[(int)r]++; // this datagram failed; the ones after it are tried
                        i++;
                    }
                }
            }
            txCount = 0;
        }

        /// <summary>
        /// UDP GSO (UDP_SEGMENT, Linux 4.18): a run of datagrams of one size to one destination
        /// leaves in one sendmsg whose iovecs are their slots, and the kernel cuts it into datagrams
        /// as late as it can. On by default with batches; switched off (for good, this uplink) the
        /// first time the kernel refuses it, and those datagrams go by sendmmsg.
        /// </summary>
        public bool Gso { get; set; }

        /// <summary>Sends made with UDP GSO, and the datagrams they carried (for the log and tests).</summary>
        public long GsoSends { get; private set; }
        public long GsoDatagrams { get; private set; }

        const int MaxGsoSegments = 64, MaxGsoBytes = 65000;

        void SendRunWithGso(int fd, int from, int end)
        {
            int i = from;
            while (i < end)
            {
                int size = SegmentLength(i);
                int k = i + 1, total = size;
                while (k < end && k - i < MaxGsoSegments && total + SegmentLength(k) <= MaxGsoBytes && SameName(i, k))
                {
                    int len = SegmentLength(k);
                    if (len > size)
                        break;
                    total += len;
                    k++;
                    if (len < size)
                        break; // only the last segment may be shorter
                }
                int count = k - i;
                byte* h = tx.Header(i);
                byte* control = tx.Control(i);
                if (count > 1)
                {
                    // struct cmsghdr { size_t len; int level; int type; } then the u16 segment size: CMSG_LEN(2) 18, CMSG_SPACE(2) 24
                    new Span<byte>(control, 24).Clear();
                    *(nuint*)control = 18;
                    *(int*)(control + 8) = Libc.SOL_UDP;
                    *(int*)(control + 12) = Libc.UDP_SEGMENT;
                    *(ushort*)(control + 16) = (ushort)size;
                    *(byte**)(h + 32) = control;
                    *(nuint*)(h + 40) = 24;
                    *(nuint*)(h + 24) = (nuint)count;
                }
                nint r = Libc.sendmsg(fd, h, Libc.MSG_DONTWAIT);
                int errno = r < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
                *(byte**)(h + 32) = null;
                *(nuint*)(h + 40) = 0;
                *(nuint*)(h + 24) = 1;
                if (r >= 0)
                {
                    pending[(int)UplinkSendResult.Sent] += count;
                    if (count > 1)
                    {
                        GsoSends++;
                        GsoDatagrams += count;
                    }
                    i = k;
                    continue;
                }
                if (count > 1 && (errno == 5 || errno == 22 || errno == 92 || errno == 95)) // EIO, EINVAL, ENOPROTOOPT, EOPNOTSUPP: no GSO here
                {
                    Gso = false;
                    SendRunPlain(fd, i, end);
                    return;
                }
                UplinkSendResult res = ClassifyErrno(errno);
                pending[(int)res] += count;
                i = k;
            }
        }

        int SegmentLength(int i) { return (int)*(nuint*)(tx.Iov(i) + 8); }

        bool SameName(int a, int b)
        {
            return new ReadOnlySpan<byte>(tx.Name(a), MessageBatch.NameBytes).SequenceEqual(new ReadOnlySpan<byte>(tx.Name(b), MessageBatch.NameBytes));
        }

        /// <summary>A run by sendmmsg, without GSO (the fallback).</summary>
        void SendRunPlain(int fd, int i, int end)
        {
            while (i < end)
            {
                int n = tx.Send(fd, i, end - i);
                if (n > 0)
                {
                    pending[(int)UplinkSendResult.Sent] += n;
                    i += n;
                    continue;
                }
                UplinkSendResult r = ClassifyErrno(System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
                if (r == UplinkSendResult.WouldBlock)
                {
                    pending[(int)r] += end - i;
                    return;
                }
                pending[(int)r]++;
                i++;
            }
        }

        /// <summary>The send result for an errno (sendmmsg's), as <see cref="Classify"/> does for .NET's errors.</summary>
        public static UplinkSendResult ClassifyErrno(int errno)
        {
            switch (errno)
            {
                case 11: return UplinkSendResult.WouldBlock;       // EAGAIN
                case 105: return UplinkSendResult.NoBuffers;       // ENOBUFS
                case 101: case 113: return UplinkSendResult.NoRoute; // ENETUNREACH, EHOSTUNREACH
                case 97: case 99: case 100: return UplinkSendResult.FamilyDown; // EAFNOSUPPORT, EADDRNOTAVAIL, ENETDOWN
                default: return UplinkSendResult.Failed;
            }
        }

        /// <summary>
        /// Datagrams the kernel dropped at this uplink's sockets (their sk_drops: the receive buffer
        /// was full), summed from /proc/net/udp and /proc/net/udp6 by the sockets' inodes.
        /// </summary>
        public long SocketDrops()
        {
            var inodes = new System.Collections.Generic.HashSet<string>();
            foreach (Socket s in Sockets)
            {
                try
                {
                    string target = new FileInfo("/proc/self/fd/" + ((int)s.Handle).ToString()).LinkTarget ?? "";
                    int a = target.IndexOf('['), b = target.IndexOf(']');
                    if (a >= 0 && b > a) inodes.Add(target.Substring(a + 1, b - a - 1));
                }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
            }
            return KernelStats.UdpSocketDrops(inodes);
        }
    }
}

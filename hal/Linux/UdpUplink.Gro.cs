using System;
using System.Net.Sockets;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// UDP GRO on the uplink's receive (UDP_GRO, Linux 5.0): the kernel may hand a socket that
    /// asked for it several datagrams of one sender as one buffer, the datagrams back to back, all
    /// of the segment size the UDP_GRO control message gives except perhaps the last. recvmmsg
    /// takes up to <see cref="GroMessages"/> such buffers into slots of <see cref="GroSlotBytes"/>
    /// (native memory allocated once), and <see cref="ReceiveBatch"/> cuts them back into
    /// datagrams, each copied into one of the router's slots with the buffer's sender. A buffer
    /// with more datagrams than the caller has slots left is kept and finished on the next call
    /// (in order, before anything new is read). Nothing allocates. Where the kernel refuses
    /// UDP_GRO on every socket, the plain recvmmsg path (2 KB slots) is taken; a socket that
    /// accepted it and one that did not are both read correctly here (no control message: one
    /// datagram). On by default with batches; <c>--no-gro</c> turns it off.
    /// </summary>
    public sealed unsafe partial class UdpUplink
    {
        /// <summary>Buffers per recvmmsg call (as many as without GRO, so single datagrams still come 32 a call) and each one's room (the largest UDP payload fits): 2 MiB of native memory, its pages touched only as far as datagrams fill them.</summary>
        public const int GroMessages = BatchCapacity, GroSlotBytes = 65536;

        MessageBatch groRx;
        bool groWanted;
        int groCount, groIndex, groAt, groUplink;
        readonly byte[][] oneBuffer = new byte[1][];
        readonly int[] oneLength = new int[1], oneUplink = new int[1];
        readonly Endpoint[] oneSource = new Endpoint[1];

        /// <summary>True when at least one socket accepted UDP_GRO and receives go through <see cref="GroMessages"/> large slots.</summary>
        public bool Gro { get; private set; }
        /// <summary>True while datagrams of a coalesced buffer already read wait to be taken (poll() cannot see them).</summary>
        public bool GroPending { get { return groCount > 0; } }
        /// <summary>Buffers received that held more than one datagram, and the datagrams they held (for the log and tests).</summary>
        public long GroBuffers { get; private set; }
        public long GroDatagrams { get; private set; }
        /// <summary>Coalesced buffers cut by their slot (MSG_TRUNC; cannot happen with 64 KiB slots): their rest is lost and counted here.</summary>
        public long GroMalformed { get; private set; }

        /// <summary>Asks for UDP_GRO on <paramref name="s"/>; true when the kernel took it.</summary>
        static bool EnableGro(Socket s)
        {
            if (s == null)
                return false;
            int one = 1;
            return Libc.setsockopt((int)s.Handle, Libc.SOL_UDP, Libc.UDP_GRO, (byte*)&one, 4) == 0;
        }

        /// <summary>Called once the sockets are open: turns GRO on where the kernel has it (a no-op without batches or with --no-gro).</summary>
        void StartGro(bool wanted)
        {
            groWanted = wanted && rx != null;
            if (!groWanted)
                return;
            bool any = false;
            for (int u = 0; u < devices.Length; u++)
            {
                any |= EnableGro(v4s[u]);
                any |= EnableGro(v6s[u]);
            }
            if (!any)
                return; // the kernel has no UDP_GRO: plain recvmmsg
            groRx = new MessageBatch(GroMessages, GroSlotBytes);
            oneSource[0] = new Endpoint();
            Gro = true;
        }

        /// <summary>A socket made anew by Reconnect asks for GRO too (a refusal there only costs coalescing).</summary>
        void GroOnNewSocket(Socket s)
        {
            if (Gro)
                EnableGro(s);
        }

        /// <summary>The single receive when GRO is on: one datagram through the GRO path, so a coalesced buffer is never cut to one slot.</summary>
        int ReceiveOneWithGro(byte[] buffer, int offset, int count, Endpoint source)
        {
            oneBuffer[0] = buffer;
            int n = ReceiveGro(oneBuffer, offset, count, oneLength, oneSource, oneUplink, 1);
            oneBuffer[0] = null;
            if (n == 0)
                return 0;
            source.CopyFrom(oneSource[0]);
            lastReceive = oneUplink[0];
            return oneLength[0];
        }

        int ReceiveGro(byte[][] buffers, int offset, int count, int[] lengths, Endpoint[] sources, int[] uplinks, int max)
        {
            if (max > buffers.Length) max = buffers.Length;
            int got = DrainGro(buffers, offset, count, lengths, sources, uplinks, 0, max);
            int sockets = 2 * devices.Length;
            for (int k = 0; k < sockets && got < max; k++)
            {
                int i = (next + k) % sockets;
                int u = i >> 1;
                Socket s = (i & 1) == 0 ? v6s[u] : v4s[u];
                if (s == null)
                    continue;
                int want = max - got;
                if (want > GroMessages) want = GroMessages;
                groRx.PrepareReceive(0, want, true, true);
                int n = groRx.Receive((int)s.Handle, 0, want, 0);
                if (n == 0)
                    continue;
                groCount = n;
                groIndex = 0;
                groAt = 0;
                groUplink = u;
                next = (i + 1) % sockets;
                lastReceive = u;
                got = DrainGro(buffers, offset, count, lengths, sources, uplinks, got, max);
            }
            return got;
        }

        /// <summary>Cuts the received buffers into datagrams from (groIndex, groAt) on, into slots [got, max); the new count of slots filled.</summary>
        int DrainGro(byte[][] buffers, int offset, int count, int[] lengths, Endpoint[] sources, int[] uplinks, int got, int max)
        {
            while (groIndex < groCount && got < max)
            {
                int m = groIndex;
                int total = groRx.Length(m);
                bool cut = (groRx.Flags(m) & MessageBatch.MsgTrunc) != 0;
                if (total > GroSlotBytes) total = GroSlotBytes; // only what the slot holds exists
                int segment = GroSegment(m);
                if (segment <= 0 || (segment >= total && groAt == 0))
                    segment = total; // one datagram (no control message, or one segment)
                if (groAt == 0 && segment < total)
                {
                    GroBuffers++;
                    GroDatagrams += (total + segment - 1) / segment;
                }
                int len = total - groAt;
                if (len > segment) len = segment;
                if (total == 0)
                    len = 0; // an empty datagram is still one
                groRx.CopyOut(m, groAt, len, buffers[got], offset, count);
                bool last = groAt + len >= total;
                // A datagram cut (by the slot, MSG_TRUNC) or longer than the caller's slot: the length says so (> count).
                lengths[got] = last && cut && len <= count ? count + 1 : len;
                ReadName(groRx.Name(m), sources[got]);
                uplinks[got] = groUplink;
                got++;
                groAt += len;
                if (last)
                {
                    if (cut && segment < total)
                        GroMalformed++; // the rest of a coalesced buffer the slot could not hold is lost
                    NextGroMessage();
                }
            }
            return got;
        }

        void NextGroMessage()
        {
            groIndex++;
            groAt = 0;
            if (groIndex >= groCount)
            {
                groIndex = 0;
                groCount = 0;
            }
        }

        /// <summary>The UDP_GRO control message's segment size for message m; 0 when there is none.</summary>
        int GroSegment(int m)
        {
            // struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } + data, each aligned to 8 (LP64).
            byte* c = groRx.Control(m);
            int length = groRx.ControlLength(m);
            if (length > MessageBatch.ControlBytes) length = MessageBatch.ControlBytes;
            int at = 0;
            while (at + 16 <= length)
            {
                long cl = (long)*(nuint*)(c + at);
                if (cl < 16 || at + cl > length)
                    break;
                if (*(int*)(c + at + 8) == Libc.SOL_UDP && *(int*)(c + at + 12) == Libc.UDP_GRO && cl >= 20)
                    return *(int*)(c + at + 16);
                at += (int)((cl + 7) & ~7L);
            }
            return 0;
        }
    }
}

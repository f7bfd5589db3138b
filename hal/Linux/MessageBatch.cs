using System;
using System.Runtime.InteropServices;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// Native memory for recvmmsg(2) and sendmmsg(2): <see cref="Capacity"/> messages, each with
    /// its struct mmsghdr, one iovec, room for a socket address, a control buffer and a data slot
    /// of <see cref="SlotBytes"/>. Allocated once; nothing here allocates afterwards. The layouts
    /// are the LP64 ones (x86_64, aarch64):
    /// <code>
    /// struct msghdr  { void *name; socklen_t namelen; struct iovec *iov; size_t iovlen;   //  0  8 16 24
    ///                  void *control; size_t controllen; int flags; }                      // 32 40 48 (56 bytes)
    /// struct mmsghdr { struct msghdr hdr; unsigned int msg_len; }                          // 56 (64 bytes)
    /// struct iovec   { void *base; size_t len; }                                           // 16 bytes
    /// </code>
    /// </summary>
    public sealed unsafe class MessageBatch : IDisposable
    {
        public const int HeaderBytes = 64, IovBytes = 16, NameBytes = 32, ControlBytes = 64;
        public const int MsgTrunc = 0x20;
        byte* block;
        readonly byte* hdrs, iovs, names, controls, data;
        public int Capacity { get; }
        public int SlotBytes { get; }

        public MessageBatch(int capacity, int slotBytes)
        {
            if (capacity < 1 || slotBytes < 64)
                throw new ArgumentException("a message batch needs at least one slot of 64 bytes");
            Capacity = capacity;
            SlotBytes = slotBytes;
            nuint total = (nuint)capacity * (HeaderBytes + IovBytes + NameBytes + ControlBytes) + (nuint)capacity * (nuint)slotBytes;
            block = (byte*)NativeMemory.AllocZeroed(total);
            hdrs = block;
            iovs = hdrs + capacity * HeaderBytes;
            names = iovs + capacity * IovBytes;
            controls = names + capacity * NameBytes;
            data = controls + capacity * ControlBytes;
            for (int i = 0; i < capacity; i++)
            {
                byte* h = hdrs + i * HeaderBytes;
                byte* v = iovs + i * IovBytes;
                *(byte**)v = data + (nint)i * slotBytes;
                *(byte**)(h + 16) = v;
                *(nuint*)(h + 24) = 1;
            }
        }

        public byte* Header(int i) { return hdrs + i * HeaderBytes; }
        public byte* Data(int i) { return data + (nint)i * SlotBytes; }
        public byte* Name(int i) { return names + i * NameBytes; }
        public byte* Iov(int i) { return iovs + i * IovBytes; }
        public byte* Control(int i) { return controls + i * ControlBytes; }
        /// <summary>The bytes the kernel moved for message i (msg_len).</summary>
        public int Length(int i) { return (int)*(uint*)(hdrs + i * HeaderBytes + 56); }
        /// <summary>The control data's length after a receive (msg_controllen as the kernel left it).</summary>
        public int ControlLength(int i) { return (int)*(nuint*)(hdrs + i * HeaderBytes + 40); }
        /// <summary>The message's flags after a receive (MSG_TRUNC: the datagram did not fit).</summary>
        public int Flags(int i) { return *(int*)(hdrs + i * HeaderBytes + 48); }

        /// <summary>Makes messages [from, from+count) ready for recvmmsg: whole slots, an address, no control data.</summary>
        public void PrepareReceive(int from, int count, bool wantName) { PrepareReceive(from, count, wantName, false); }

        /// <summary>As above; with <paramref name="wantControl"/> each message gets its <see cref="ControlBytes"/> of control buffer (ancillary data, e.g. UDP_GRO's segment size).</summary>
        public void PrepareReceive(int from, int count, bool wantName, bool wantControl)
        {
            for (int i = from; i < from + count; i++)
            {
                byte* h = hdrs + i * HeaderBytes;
                *(byte**)h = wantName ? names + i * NameBytes : null;
                *(uint*)(h + 8) = wantName ? (uint)NameBytes : 0;
                *(nuint*)(iovs + i * IovBytes + 8) = (nuint)SlotBytes;
                *(byte**)(h + 32) = wantControl ? controls + i * ControlBytes : null;
                *(nuint*)(h + 40) = wantControl ? (nuint)ControlBytes : 0;
                *(int*)(h + 48) = 0;
                *(uint*)(h + 56) = 0;
            }
        }

        /// <summary>recvmmsg into messages [from, from+count), non-blocking; the count received, 0 when none or on an error.</summary>
        public int Receive(int fd, int from, int count, int flags)
        {
            if (count <= 0)
                return 0;
            if (from + count > Capacity)
                count = Capacity - from;
            int n = Libc.recvmmsg(fd, hdrs + from * HeaderBytes, (uint)count, flags | Libc.MSG_DONTWAIT, null);
            return n > 0 ? n : 0;
        }

        /// <summary>Sets message i to send <paramref name="length"/> bytes of its slot to the address in its name slot (nameLength 0: none).</summary>
        public void PrepareSend(int i, int length, int nameLength)
        {
            byte* h = hdrs + i * HeaderBytes;
            *(byte**)h = nameLength > 0 ? names + i * NameBytes : null;
            *(uint*)(h + 8) = (uint)nameLength;
            *(nuint*)(iovs + i * IovBytes + 8) = (nuint)length;
            *(byte**)(h + 32) = null;
            *(nuint*)(h + 40) = 0;
            *(int*)(h + 48) = 0;
            *(uint*)(h + 56) = 0;
        }

        /// <summary>sendmmsg of messages [from, from+count); the count sent, or -1 with errno set (none sent).</summary>
        public int Send(int fd, int from, int count)
        {
            return Libc.sendmmsg(fd, hdrs + from * HeaderBytes, (uint)count, Libc.MSG_DONTWAIT);
        }

        /// <summary>Copies (buffer, offset, count) into slot i; the bytes copied (cut to the slot).</summary>
        public int CopyIn(int i, byte[] buffer, int offset, int count)
        {
            if (count > SlotBytes) count = SlotBytes;
            if (count > 0)
                Marshal.Copy(buffer, offset, (IntPtr)Data(i), count);
            return count;
        }

        /// <summary>Copies up to <paramref name="count"/> bytes of slot i from <paramref name="at"/> on (its bytes [at, at + length)) to (buffer, offset).</summary>
        public void CopyOut(int i, int at, int length, byte[] buffer, int offset, int count)
        {
            int n = length < count ? length : count;
            if (at < 0 || at >= SlotBytes) return;
            if (n > SlotBytes - at) n = SlotBytes - at;
            if (n > 0)
                Marshal.Copy((IntPtr)(Data(i) + at), buffer, offset, n);
        }

        /// <summary>Copies up to <paramref name="count"/> bytes of slot i (its first <paramref name="length"/>) to (buffer, offset).</summary>
        public void CopyOut(int i, int length, byte[] buffer, int offset, int count)
        {
            int n = length < count ? length : count;
            if (n > SlotBytes) n = SlotBytes;
            if (n > 0)
                Marshal.Copy((IntPtr)Data(i), buffer, offset, n);
        }

        public void Dispose()
        {
            if (block != null)
                NativeMemory.Free(block);
            block = null;
        }
    }
}

using System;
using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Lan;
using Warp.Protocol.WireGuard;

namespace Warp.Device.Tests
{
    // Device-compatible test doubles (nanoFramework's mscorlib only: fixed arrays, no generics).

    /// <summary>A deterministic random source (xorshift64), so a run on a board and a run on .NET see the same bytes.</summary>
    public sealed class SeededRandom : IRandomSource
    {
        ulong state;
        public SeededRandom(long seed) { state = (ulong)seed * 0x9E3779B97F4A7C15UL + 1; }
        public uint NextUInt32()
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return (uint)(state >> 16);
        }
    }

    /// <summary>Frames or datagrams in a fixed ring, oldest first.</summary>
    public sealed class FrameQueue
    {
        readonly byte[][] items = new byte[64][];
        int head, count;
        public int Count { get { return count; } }
        public void Add(byte[] b)
        {
            if (count == items.Length) throw new InvalidOperationException("queue full");
            items[(head + count++) % items.Length] = b;
        }
        public byte[] Take()
        {
            if (count == 0) return null;
            byte[] b = items[head];
            items[head] = null;
            head = (head + 1) % items.Length;
            count--;
            return b;
        }
        public byte[] Get(int i) { return items[(head + i) % items.Length]; }
        public void Clear() { while (count > 0) Take(); }
    }

    public sealed class MemoryLan : ILanPort
    {
        public readonly byte[] Mac = { 0x02, 0x57, 0, 0, 0, 1 };
        public readonly FrameQueue Inbox = new FrameQueue();
        public readonly FrameQueue Sent = new FrameQueue();
        public void GetMacAddress(byte[] mac, int offset) { Array.Copy(Mac, 0, mac, offset, 6); }
        public int Receive(byte[] buffer, int offset, int count)
        {
            byte[] f = Inbox.Take();
            if (f == null) return 0;
            Array.Copy(f, 0, buffer, offset, f.Length < count ? f.Length : count);
            return f.Length;
        }
        public bool Send(byte[] buffer, int offset, int count)
        {
            Sent.Add(Bytes.Copy(buffer, offset, count));
            return true;
        }
    }

    public sealed class MemoryUplink : IUplink
    {
        public readonly FrameQueue Inbox = new FrameQueue();
        public readonly FrameQueue Sent = new FrameQueue();
        public readonly Endpoint From = new Endpoint();
        public int Receive(byte[] buffer, int offset, int count, Endpoint source)
        {
            byte[] d = Inbox.Take();
            if (d == null) return 0;
            Array.Copy(d, 0, buffer, offset, d.Length);
            source.CopyFrom(From);
            return d.Length;
        }
        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination)
        {
            Sent.Add(Bytes.Copy(buffer, offset, count));
            return UplinkSendResult.Sent;
        }
    }

    /// <summary>Named records in fixed slots (the device keeps them in flash files).</summary>
    public sealed class MemoryStore : ISettingsStore, ITimestampStore
    {
        readonly string[] names = new string[16];
        readonly byte[][] records = new byte[16][];
        long ceiling;

        int Slot(string name, bool create)
        {
            for (int i = 0; i < names.Length; i++)
                if (names[i] == name) return i;
            if (!create) return -1;
            for (int i = 0; i < names.Length; i++)
                if (names[i] == null) { names[i] = name; return i; }
            return -1;
        }

        public int Read(string name, byte[] buffer, int offset, int count)
        {
            int s = Slot(name, false);
            if (s < 0) return -1;
            byte[] r = records[s];
            Array.Copy(r, 0, buffer, offset, r.Length < count ? r.Length : count);
            return r.Length;
        }

        public bool Write(string name, byte[] buffer, int offset, int count)
        {
            int s = Slot(name, true);
            if (s < 0) return false;
            records[s] = Bytes.Copy(buffer, offset, count);
            return true;
        }

        public bool Delete(string name)
        {
            int s = Slot(name, false);
            if (s >= 0) { names[s] = null; records[s] = null; }
            return true;
        }

        public bool Has(string name) { return Slot(name, false) >= 0; }

        public long LoadCeiling() { return ceiling; }
        public bool StoreCeiling(long unixNanoseconds) { ceiling = unixNanoseconds; return true; }
    }

    public static class Bytes
    {
        public static byte[] Copy(byte[] b, int offset, int length)
        {
            var c = new byte[length];
            Array.Copy(b, offset, c, 0, length);
            return c;
        }

        public static byte[] FromHex(string hex)
        {
            int n = 0;
            for (int i = 0; i < hex.Length; i++) if (Nibble(hex[i]) >= 0) n++;
            var b = new byte[n / 2];
            int k = 0, hi = -1;
            for (int i = 0; i < hex.Length; i++)
            {
                int v = Nibble(hex[i]);
                if (v < 0) continue;
                if (hi < 0) hi = v; else { b[k++] = (byte)(hi << 4 | v); hi = -1; }
            }
            return b;
        }

        static int Nibble(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        public static string ToHex(byte[] b, int offset, int length)
        {
            const string digits = "0123456789abcdef";
            var c = new char[length * 2];
            for (int i = 0; i < length; i++) { c[2 * i] = digits[b[offset + i] >> 4]; c[2 * i + 1] = digits[b[offset + i] & 15]; }
            return new string(c);
        }

        public static bool Equal(byte[] a, int aOffset, byte[] b, int bOffset, int length)
        {
            for (int i = 0; i < length; i++) if (a[aOffset + i] != b[bOffset + i]) return false;
            return true;
        }
    }
}

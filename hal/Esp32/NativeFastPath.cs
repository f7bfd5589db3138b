using Warp.Native;
using Warp.Protocol;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The device's <see cref="IFastPath"/>: the native fast path (hal/Esp32/native) behind the
    /// interop. The Router (firmware/Router.Offload.cs) decides what goes down and when it is
    /// synced or flushed; this only passes the calls through, keeping the local index of the keypair
    /// it installed so a counter is reserved only for that keypair. Nothing here allocates.
    /// </summary>
    public sealed class NativeFastPath : IFastPath
    {
        readonly int capacity;
        uint keypairIndex;
        bool started;

        /// <param name="flowCapacity">The board profile's FastPathFlows.</param>
        public NativeFastPath(int flowCapacity)
        {
            capacity = flowCapacity;
        }

        /// <summary>Sets the native table up; false when the capacity is out of range (then nothing is offloaded).</summary>
        public bool Start()
        {
            started = Interop.FastPathStart(capacity);
            return started;
        }

        public int FlowCapacity { get { return started ? capacity : 0; } }

        public int AddFlow(byte[] entry, int offset, int length, long now)
        {
            int slot = Interop.FastPathAddFlow(entry, offset, length);
            return slot >= 0 && slot < capacity ? slot : -1;
        }

        public void RemoveFlow(int slot) { Interop.FastPathRemoveFlow(slot); }

        public bool FlowActivity(int slot, long now, long[] activity)
        {
            return Interop.FastPathFlowActivity(slot, activity, 0);
        }

        public bool SetKeypair(byte[] state, int offset, int length, long now)
        {
            bool ok = Interop.FastPathSetKeypair(state, offset, length);
            keypairIndex = ok && length >= 8 ? Endian.Read32LE(state, offset + 4) : 0;
            return ok;
        }

        public int GetKeypair(byte[] state, int offset, int length, long now)
        {
            return Interop.FastPathGetKeypair(state, offset, length);
        }

        public ulong ReserveSendCounter(int peer, uint localIndex)
        {
            if (peer != 0 || localIndex == 0 || localIndex != keypairIndex)
                return ulong.MaxValue;
            return Interop.FastPathTakeSendCounter();
        }

        public int FromLan(byte[] frame, int offset, int length, byte[] output, int outputOffset, int outputCount, long now)
        {
            return Interop.FastPathFromLan(frame, offset, length, output, outputOffset, outputCount);
        }

        public int FromUplink(byte[] datagram, int offset, int length, byte[] output, int outputOffset, int outputCount, long now)
        {
            return Interop.FastPathFromUplink(datagram, offset, length, output, outputOffset, outputCount);
        }

        public void Flush()
        {
            keypairIndex = 0;
            Interop.FastPathFlush();
        }

        public int ReadCounters(long[] counters, int offset, int count)
        {
            return Interop.FastPathCounters(counters, offset, count);
        }
    }
}

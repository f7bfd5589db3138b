using System;
using System.Collections.Generic;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.TestKit
{
    /// <summary>A LAN port with batches over a <see cref="MemoryLan"/>: each ReceiveBatch and each Flush is recorded with its size.</summary>
    public sealed class BatchMemoryLan : ILanPort, ILanBatch
    {
        public readonly MemoryLan Inner;
        public readonly List<int> Receives = new List<int>();
        public readonly List<int> Flushes = new List<int>();
        readonly List<byte[]> queue = new List<byte[]>();
        /// <summary>Frames of each flush that fail (from the end), for the failure counters.</summary>
        public int FailPerFlush;
        public bool Record = true;

        public BatchMemoryLan(MemoryLan inner) { Inner = inner; }

        public void GetMacAddress(byte[] mac, int offset) { Inner.GetMacAddress(mac, offset); }
        public int Receive(byte[] buffer, int offset, int count) { return Inner.Receive(buffer, offset, count); }
        public bool Send(byte[] buffer, int offset, int count) { return Inner.Send(buffer, offset, count); }

        public int ReceiveBatch(byte[][] buffers, int offset, int count, int[] lengths, int max)
        {
            int n = 0;
            while (n < max && n < buffers.Length && Inner.Inbox.Count > 0)
            {
                lengths[n] = Inner.Receive(buffers[n], offset, count);
                n++;
            }
            if (n > 0 && Record) Receives.Add(n);
            return n;
        }

        public void Queue(byte[] buffer, int offset, int count)
        {
            if (Record) queue.Add(MemoryLan.Copy(buffer, offset, count));
            else queued++;
        }
        int queued;

        public int Flush()
        {
            int n = Record ? queue.Count : queued;
            if (Record) Flushes.Add(n);
            int failed = Math.Min(FailPerFlush, n);
            for (int i = 0; i < queue.Count - failed; i++)
                Inner.Send(queue[i], 0, queue[i].Length);
            if (!Record) Inner.SendCount += n - failed;
            queue.Clear();
            queued = 0;
            return failed;
        }
    }

    /// <summary>An uplink with batches over a <see cref="MemoryUplink"/>: each ReceiveBatch and Flush is recorded with its size; a flush's results are the inner uplink's <see cref="MemoryUplink.Result"/>.</summary>
    public sealed class BatchMemoryUplink : IUplink, IUplinkBatch
    {
        public readonly MemoryUplink Inner;
        public readonly List<int> Receives = new List<int>();
        public readonly List<int> Flushes = new List<int>();
        readonly List<byte[]> queue = new List<byte[]>();
        readonly List<Endpoint> to = new List<Endpoint>();
        readonly Endpoint[] spare = new Endpoint[64];
        public bool Record = true;
        int queued;

        public BatchMemoryUplink(MemoryUplink inner)
        {
            Inner = inner;
            for (int i = 0; i < spare.Length; i++) spare[i] = new Endpoint();
        }

        public int Receive(byte[] buffer, int offset, int count, Endpoint source) { return Inner.Receive(buffer, offset, count, source); }
        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination) { return Inner.Send(buffer, offset, count, destination); }

        public int ReceiveBatch(byte[][] buffers, int offset, int count, int[] lengths, Endpoint[] sources, int[] uplinks, int max)
        {
            int n = 0;
            while (n < max && n < buffers.Length && Inner.Inbox.Count > 0)
            {
                lengths[n] = Inner.Receive(buffers[n], offset, count, sources[n]);
                uplinks[n] = 0;
                n++;
            }
            if (n > 0 && Record) Receives.Add(n);
            return n;
        }

        public void Queue(int uplink, byte[] buffer, int offset, int count, Endpoint destination)
        {
            if (!Record)
            {
                queued++;
                return;
            }
            queue.Add(MemoryLan.Copy(buffer, offset, count));
            var e = spare[to.Count % spare.Length];
            e.CopyFrom(destination);
            to.Add(e);
        }

        public int Flush(int[] results)
        {
            int n = Record ? queue.Count : queued;
            if (Record) Flushes.Add(n);
            for (int i = 0; i < queue.Count; i++)
                Inner.Send(queue[i], 0, queue[i].Length, to[i]);
            if (!Record)
            {
                Inner.SendCount += n;
            }
            results[(int)Inner.Result] += n;
            queue.Clear();
            to.Clear();
            queued = 0;
            return n;
        }
    }
}

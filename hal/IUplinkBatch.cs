using Warp.Protocol.WireGuard;

namespace Warp.Hal
{
    /// <summary>
    /// Optional on an <see cref="IUplink"/>: datagrams by the batch (Linux: recvmmsg and sendmmsg,
    /// up to 32 a call, with UDP GSO where the kernel has it; the ESP32's native ring has the same shape).
    /// The router drains up to a batch in one call, queues the data messages it makes while it
    /// handles them and flushes once per batch. Handshakes, keepalives and cookie replies still go
    /// one at a time through <see cref="IUplink.Send"/>, whose result the path selector needs at once.
    /// No call blocks, throws on I/O trouble or allocates.
    /// </summary>
    public interface IUplinkBatch
    {
        /// <summary>
        /// Copies up to <paramref name="max"/> waiting datagrams (at most buffers.Length): datagram i to
        /// (buffers[i], <paramref name="offset"/>), its length to lengths[i], its sender to sources[i] and
        /// the uplink it came in on to uplinks[i]. Returns how many, 0 when none is waiting.
        /// </summary>
        int ReceiveBatch(byte[][] buffers, int offset, int count, int[] lengths, Endpoint[] sources, int[] uplinks, int max);

        /// <summary>
        /// Queues one datagram to <paramref name="destination"/> on <paramref name="uplink"/> for the
        /// next <see cref="Flush"/>; the uplink copies it. A full queue is sent first.
        /// </summary>
        void Queue(int uplink, byte[] buffer, int offset, int count, Endpoint destination);

        /// <summary>
        /// Sends every queued datagram and adds one to results[(int)r] for each datagram queued since
        /// the last Flush, r being what became of it (<see cref="UplinkSendResult"/>; results has at
        /// least 6 entries). Returns how many that was.
        /// </summary>
        int Flush(int[] results);
    }
}

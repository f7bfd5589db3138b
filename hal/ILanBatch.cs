namespace Warp.Hal
{
    /// <summary>
    /// Optional on an <see cref="ILanPort"/>: frames by the batch. The router drains up to a batch
    /// in one call, queues what it sends while it handles them, and flushes the queue once per
    /// batch. On Linux one system call moves a batch (a PACKET_MMAP ring or recvmmsg, sendmmsg);
    /// on the ESP32 the native ring between the Wi-Fi driver and the managed core has this shape.
    /// A port that is not one gets one <see cref="ILanPort.Receive"/> and one
    /// <see cref="ILanPort.Send"/> per frame, as before. No call blocks, throws on I/O trouble or allocates.
    /// </summary>
    public interface ILanBatch
    {
        /// <summary>
        /// Copies up to <paramref name="max"/> waiting frames (at most buffers.Length), frame i to
        /// (buffers[i], <paramref name="offset"/>), and its length to lengths[i]; returns how many, 0 when
        /// none is waiting. A frame longer than <paramref name="count"/> is cut as in <see cref="ILanPort.Receive"/>.
        /// </summary>
        int ReceiveBatch(byte[][] buffers, int offset, int count, int[] lengths, int max);

        /// <summary>
        /// Queues one frame for the next <see cref="Flush"/>. The port copies it: the buffer is the
        /// caller's again on return. A full queue is sent first.
        /// </summary>
        void Queue(byte[] buffer, int offset, int count);

        /// <summary>Sends every queued frame; returns how many of the frames queued since the last Flush could not be sent.</summary>
        int Flush();
    }
}

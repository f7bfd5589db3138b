using Warp.Protocol.WireGuard;

namespace Warp.Hal
{
    /// <summary>
    /// A platform's native fast path (hal/Esp32/native's C core): it carries the established flows
    /// the router hands down, and passes everything else up unchanged. On the ESP32 the C runs
    /// behind the interop (hal/Esp32/NativeFastPath); on Linux the same C as a shared library over
    /// P/Invoke (hal/Linux's NativeLibraryFastPath). The router decides everything: what goes down,
    /// when it is synced, flushed or replaced. Nothing here allocates, blocks or throws.
    /// As an <see cref="ISendCounterReservation"/> it reserves send counters of the keypair it holds
    /// (the tunnel uses them while that keypair is offloaded).
    /// </summary>
    public interface IFastPath : ISendCounterReservation
    {
        /// <summary>Flow table slots (the board profile's FastPathFlows).</summary>
        int FlowCapacity { get; }

        /// <summary>Adds a flow (NatOffload's 72-byte entry); its slot, or -1 when the table is full or the entry bad.</summary>
        int AddFlow(byte[] entry, int offset, int length, long now);

        void RemoveFlow(int slot);

        /// <summary>
        /// A flow's activity into activity[0..3]: ms since its last packet out, ms since its last packet
        /// in, packets out and packets in since it was added. False when the slot holds no flow.
        /// </summary>
        bool FlowActivity(int slot, long now, long[] activity);

        /// <summary>Installs a keypair (Tunnel.ExportKeypair's encoding); false when refused.</summary>
        bool SetKeypair(byte[] state, int offset, int length, long now);

        /// <summary>The keypair's state (keys zero), for Tunnel.ImportKeypairState; its length, or 0 when none.</summary>
        int GetKeypair(byte[] state, int offset, int length, long now);

        /// <summary>
        /// A LAN frame: <see cref="FastPathResult.ToNetwork"/> with the data message at (output,
        /// outputOffset), or <see cref="FastPathResult.Punt"/> (the frame is unchanged). Result: action * 65536 + length.
        /// </summary>
        int FromLan(byte[] frame, int offset, int length, byte[] output, int outputOffset, int outputCount, long now);

        /// <summary>
        /// A datagram from the peer: ToLan (a frame at output), Decrypted (the IP packet at output + 14),
        /// Consumed (a keepalive), Dropped, or Punt (unchanged). Result: action * 65536 + length.
        /// </summary>
        int FromUplink(byte[] datagram, int offset, int length, byte[] output, int outputOffset, int outputCount, long now);

        /// <summary>Forgets every flow and wipes the keypair.</summary>
        void Flush();

        /// <summary>The native counters (FastPathCounter order) into counters; how many were written.</summary>
        int ReadCounters(long[] counters, int offset, int count);
    }

    /// <summary>The actions a fast path returns (hal/Esp32/native/core/wn_fastpath.h, wn_action), in the result's high half.</summary>
    public static class FastPathResult
    {
        public const int Punt = 0;
        public const int ToNetwork = 1;
        public const int ToLan = 2;
        public const int Decrypted = 3;
        public const int Consumed = 4;
        public const int Dropped = 5;

        public static int Action(int result) { return result >> 16; }
        public static int Length(int result) { return result & 0xFFFF; }
    }
}

using System.Runtime.CompilerServices;

namespace Warp.Native
{
    /// <summary>
    /// The interop seam with our native component (hal/Esp32/native), which the next issue
    /// implements in C over ESP-IDF and mbedTLS. Every method is an InternalCall: the
    /// MetadataProcessor turns each into a C++ stub
    /// (Library_Warp_Native_Warp_Native_Interop::Name___STATIC__...), and the firmware image must
    /// carry this assembly's name, native version and declaration checksum
    /// (hal/Esp32/native/interop.json; tests/Esp32 holds them in step).
    /// <para>All calls are allocation-free and never throw on I/O trouble: buffers are the caller's
    /// (array, offset, count), results are counts or booleans. Keep this the only type with
    /// methods in the assembly: the checksum follows the declarations in order.</para>
    /// </summary>
    public static class Interop
    {
        /// <summary>The native event source: the component raises it (data1 = <see cref="EventLanFrame"/>) when a SoftAP frame is queued.</summary>
        public const string EventDriver = "WarpNative";
        public const uint EventLanFrame = 1;

        // ---------------------------------------------------------------- LAN: raw SoftAP frames
        // (esp_wifi_internal_reg_rxcb on WIFI_IF_AP fills a ring of frames; esp_wifi_internal_tx sends)

        /// <summary>Starts receiving the SoftAP's frames into the native ring; false when the AP is not up.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool LanStart(int ringFrames);

        /// <summary>Copies the next queued frame to (buffer, offset) and returns its length; 0 when none is queued. A longer frame is cut to count bytes and its real length returned (ILanPort's contract).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int LanReceive(byte[] buffer, int offset, int count);

        /// <summary>Sends one Ethernet frame on the SoftAP; false when the driver refused it.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool LanSend(byte[] buffer, int offset, int count);

        /// <summary>The SoftAP interface's MAC address (6 bytes).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void LanMacAddress(byte[] mac, int offset);

        // ---------------------------------------------------------------- crypto (mbedTLS)

        /// <summary>ChaCha20-Poly1305 seal with WireGuard's nonce (4 zero bytes, counter little-endian); input and output may be the same range.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void AeadSeal(byte[] key, int keyOffset, ulong counter, byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length, byte[] output, int outputOffset);

        /// <summary>ChaCha20-Poly1305 open (length includes the 16-byte tag); false on a bad tag.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool AeadOpen(byte[] key, int keyOffset, ulong counter, byte[] aad, int aadOffset, int aadLength,
            byte[] input, int inputOffset, int length, byte[] output, int outputOffset);

        /// <summary>X25519(scalar, point) into shared (32 bytes); false when the result is all zero.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool X25519(byte[] shared, int sharedOffset, byte[] scalar, int scalarOffset, byte[] point, int pointOffset);

        /// <summary>X25519(scalar, 9): the public key of a private key.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void X25519Base(byte[] publicKey, int publicKeyOffset, byte[] scalar, int scalarOffset);

        // ---------------------------------------------------------------- hardware random (esp_random)

        /// <summary>A 32-bit value from the hardware RNG (true random while the radio is on).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern uint RandomUInt32();

        /// <summary>Fills (buffer, offset, count) from the hardware RNG.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void RandomFill(byte[] buffer, int offset, int count);

        // ---------------------------------------------------------------- watchdog (esp_task_wdt)

        /// <summary>Subscribes the CLR task to the task watchdog with this timeout; false when it cannot.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool WatchdogStart(int timeoutMs);

        /// <summary>Resets the task watchdog's timer.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void WatchdogFeed();

        // ---------------------------------------------------------------- fast path (flow offload)
        // The managed router stays the authority: it installs established flows and the current
        // keypair, and can flush everything at any moment; the native side translates and
        // encrypts or decrypts those flows' packets without entering the interpreter
        // (hal/Esp32/native/core/wn_fastpath.h; the encodings are protocol/Nat/NatOffload.cs and
        // protocol/WireGuard/Tunnel.Offload.cs). LanReceive runs each queued frame through the fast
        // path first and returns only the frames it did not carry.

        /// <summary>Sets up the fast path with room for <paramref name="flowCapacity"/> flows (the board profile's); false when out of range.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool FastPathStart(int flowCapacity);

        /// <summary>Installs a flow from its encoded entry (NatOffload.ExportFlow); returns its slot, or -1 when the table is full or the entry bad.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int FastPathAddFlow(byte[] entry, int offset, int length);

        /// <summary>Removes the flow in <paramref name="slot"/>.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void FastPathRemoveFlow(int slot);

        /// <summary>Writes the flow's activity at (activity, offset): ms since its last packet out, ms since its last packet in, packets out, packets in. False for an empty slot.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool FastPathFlowActivity(int slot, long[] activity, int offset);

        /// <summary>Installs the current keypair from its encoding (Tunnel.ExportKeypair): keys, indexes, client id, next send counter, replay window.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern bool FastPathSetKeypair(byte[] state, int offset, int length);

        /// <summary>Writes the keypair's state back in the same encoding with the keys zero (for Tunnel.ImportKeypairState); returns its length, 0 when it does not fit.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int FastPathGetKeypair(byte[] state, int offset, int length);

        /// <summary>Takes the next send counter for a message the managed tunnel sends itself on the offloaded keypair (a keepalive), so no nonce is used twice; ulong.MaxValue without a keypair.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern ulong FastPathTakeSendCounter();

        /// <summary>Runs a datagram from the peer through the fast path; output gets a LAN frame or the decrypted packet. Returns action * 65536 + length (actions in NativeFastPath).</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int FastPathFromUplink(byte[] datagram, int offset, int length, byte[] output, int outputOffset, int outputCount);

        /// <summary>Runs a LAN frame through the fast path; output gets the data message for the peer. Returns action * 65536 + length.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int FastPathFromLan(byte[] frame, int offset, int length, byte[] output, int outputOffset, int outputCount);

        /// <summary>Forgets every flow and the keypair (rekey, tunnel down, config change); keys are wiped.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void FastPathFlush();

        /// <summary>Copies the fast path's counters (packets and bytes each way, what it handed up, drops by reason) into <paramref name="counters"/>; returns how many.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int FastPathCounters(long[] counters, int offset, int count);
    }
}

namespace Warp.Firmware
{
    /// <summary>
    /// Native RAM the ESP32's C side holds (hal/Esp32/native), outside the managed heap and so outside
    /// <see cref="Router.MemoryBytes"/>: the fast path's state (one wn_fastpath: the keypair with its
    /// replay bitmap, the counters) and its flow table, sized by the board's FastPathFlows and
    /// allocated once when the fast path starts (warp_native_fastpath.c); and the SoftAP receive ring
    /// (warp_native_lan.c), sized by the board's lanRingFrames. All of it comes from internal RAM,
    /// out of what nanoFramework leaves to ESP-IDF; boards/*.json's "native" budget bounds it and
    /// tests/Native/NativeMemoryTests holds these figures to the C's own sizeof on the host (a 64-bit
    /// build, whose pointers make the structs a few bytes larger than on the 32-bit Xtensa or RISC-V
    /// chip: the figures here are an upper bound there).
    /// </summary>
    public static class FastPathMemory
    {
        /// <summary>sizeof(wn_flow) (core/wn_flow.h): its fields hold no pointer, so the same on the chip.</summary>
        public const int FlowBytes = 120;
        /// <summary>sizeof(wn_fastpath) on the 64-bit host (core/wn_fastpath.h; the replay bitmap alone is 1,024 B).</summary>
        public const int StateBytes = 1296;
        /// <summary>Bytes of each LAN ring slot (WARP_LAN_SLOT) and the most slots (WARP_LAN_MAX_FRAMES), warp_native_lan.c.</summary>
        public const int LanSlotBytes = 1536;
        public const int LanMaxFrames = 64;
        /// <summary>sizeof(wn_ring) on the 64-bit host (core/wn_ring.h).</summary>
        public const int RingStateBytes = 40;

        /// <summary>The flow table of <paramref name="flows"/> slots (wn_flow_storage_bytes): the flows and two hash indexes of 16-bit slots, a power of two at least twice the flows each.</summary>
        public static int TableBytes(int flows)
        {
            if (flows < 1)
                return 0;
            int buckets = 2;
            while (buckets < 2 * flows)
                buckets <<= 1;
            return flows * FlowBytes + 2 * buckets * 2;
        }

        /// <summary>The fast path's native RAM with this many flows (0: no fast path, nothing allocated).</summary>
        public static int FastPathBytes(int flows) { return flows < 1 ? 0 : StateBytes + TableBytes(flows); }

        /// <summary>The LAN ring's native RAM for a board's lanRingFrames (rounded up to a power of two, 2..64 slots).</summary>
        public static int LanRingBytes(int frames)
        {
            int slots = 2;
            while (slots < frames && slots < LanMaxFrames)
                slots <<= 1;
            return slots * LanSlotBytes + LanMaxFrames * 2 + RingStateBytes;
        }

        /// <summary>Everything the native side holds for a board: the fast path and the LAN ring.</summary>
        public static int NativeBytes(int flows, int lanRingFrames) { return FastPathBytes(flows) + LanRingBytes(lanRingFrames); }
    }
}

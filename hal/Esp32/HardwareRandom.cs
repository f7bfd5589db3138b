using Warp.Native;
using Warp.Protocol;

namespace Warp.Hal.Esp32
{
    /// <summary>The ESP32's hardware RNG (esp_random) through our interop: keys, indexes, NAT ports.</summary>
    public sealed class HardwareRandom : IRandomSource
    {
        public uint NextUInt32() { return Interop.RandomUInt32(); }
    }
}

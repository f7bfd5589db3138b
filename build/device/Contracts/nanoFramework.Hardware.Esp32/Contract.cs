// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.Hardware.Esp32 1.6.40
// that hal/Esp32 calls. Bodies throw; the device runs the real assembly from the package.
namespace nanoFramework.Hardware.Esp32
{
    public enum DeviceFunction
    {
        // Upstream: DeviceTypes.SERIAL (3 * 0x10000) + n * 0x100 (DeviceIndex) + 0 (TX) / 1 (RX).
        COM2_TX = 0x30000 + 0x200 + 0,
        COM2_RX = 0x30000 + 0x200 + 1,
    }

    public class Configuration
    {
        public static void SetPinFunction(int pin, DeviceFunction value) { throw new System.NotImplementedException(); }
    }

    public class NativeMemory
    {
        public enum MemoryType
        {
            All,
            Internal,
            SpiRam
        }

        public static void GetMemoryInfo(MemoryType memType, out uint totalSize, out uint totalFreeSize, out uint largestFreeBlock) { throw new System.NotImplementedException(); }
    }
}

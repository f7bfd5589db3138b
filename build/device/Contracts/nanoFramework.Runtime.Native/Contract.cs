// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.Runtime.Native 1.7.11
// that hal/Esp32 and firmware/Esp32 call. Bodies throw; the device runs the real assembly.
namespace nanoFramework.Runtime.Native
{
    public enum RebootOption
    {
        NormalReboot = 0,
        EnterNanoBooter = 1,
        ClrOnly = 2,
        EnterProprietaryBooter = 8,
    }

    public class Power
    {
        public static void RebootDevice(RebootOption rebootOption = RebootOption.NormalReboot) { throw new System.NotImplementedException(); }
    }

    public static class SystemInfo
    {
        public static string TargetName { get { throw new System.NotImplementedException(); } }
    }

    public static class GC
    {
        public static uint Run(bool compactHeap) { throw new System.NotImplementedException(); }
    }
}

namespace System
{
    public static partial class Environment
    {
        public static long TickCount64 { get { throw new NotImplementedException(); } }
    }
}

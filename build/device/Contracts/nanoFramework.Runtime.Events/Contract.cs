// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.Runtime.Events 1.11.37
// that hal/Esp32 calls. Bodies throw; the device runs the real assembly from the package.
namespace nanoFramework.Runtime.Events
{
    public delegate void NativeEventHandler(uint data1, uint data2, System.DateTime time);

    public class NativeEventDispatcher : System.IDisposable
    {
        public NativeEventDispatcher(string driverName, ulong driverData) { throw new System.NotImplementedException(); }
        public virtual void EnableInterrupt() { throw new System.NotImplementedException(); }
        public event NativeEventHandler OnInterrupt { add { throw new System.NotImplementedException(); } remove { throw new System.NotImplementedException(); } }
        public void Dispose() { throw new System.NotImplementedException(); }
    }
}

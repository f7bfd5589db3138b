// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.System.IO.Streams 1.1.96
// that hal/Esp32 calls (through FileStream). Bodies throw; the device runs the real assembly.
namespace System.IO
{
    public abstract class Stream : MarshalByRefObject, IDisposable
    {
        public abstract long Length { get; }
        public void Dispose() { throw new NotImplementedException(); }
        public abstract void Flush();
        public abstract int Read(byte[] buffer, int offset, int count);
        public abstract void Write(byte[] buffer, int offset, int count);
    }
}

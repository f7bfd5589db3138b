// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.System.IO.Ports 1.1.139
// that hal/Esp32 calls. Bodies throw; the device runs the real assembly from the package.
namespace System.IO.Ports
{
    public enum Parity
    {
        None = 0,
        Odd = 1,
        Even = 2
    }

    public enum StopBits
    {
        One = 1,
        Two = 2,
        OnePointFive = 3
    }

    public sealed class SerialPort : IDisposable
    {
        public SerialPort(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One) { throw new NotImplementedException(); }
        public void Open() { throw new NotImplementedException(); }
        public int BytesToRead { get { throw new NotImplementedException(); } }
        public int Read(byte[] buffer, int offset, int count) { throw new NotImplementedException(); }
        public void Write(byte[] buffer, int offset, int count) { throw new NotImplementedException(); }
        public void Dispose() { throw new NotImplementedException(); }
    }
}

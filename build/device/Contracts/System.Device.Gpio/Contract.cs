// CONTRACT, never shipped: mirrors the public signatures of nanoFramework.System.Device.Gpio 1.1.62
// that hal/Esp32 calls. Bodies throw; the device runs the real assembly from the package.
namespace System.Device.Gpio
{
    public enum PinMode
    {
        Input,
        InputPullDown,
        InputPullUp,
        Output,
        OutputOpenDrain,
        OutputOpenDrainPullUp,
        OutputOpenSource,
        OutputOpenSourcePullDown
    }

    public readonly struct PinValue
    {
        public static PinValue High { get { throw new NotImplementedException(); } }
        public static PinValue Low { get { throw new NotImplementedException(); } }
        public static bool operator ==(PinValue a, PinValue b) { throw new NotImplementedException(); }
        public static bool operator !=(PinValue a, PinValue b) { throw new NotImplementedException(); }
        public override bool Equals(object obj) { throw new NotImplementedException(); }
        public override int GetHashCode() { throw new NotImplementedException(); }
    }

    public sealed class GpioPin : IDisposable
    {
        public PinValue Read() { throw new NotImplementedException(); }
        public void Write(PinValue value) { throw new NotImplementedException(); }
        public void Dispose() { throw new NotImplementedException(); }
    }

    public sealed class GpioController : IDisposable
    {
        public GpioController() { throw new NotImplementedException(); }
        public GpioPin OpenPin(int pinNumber, PinMode mode) { throw new NotImplementedException(); }
        public void Dispose() { throw new NotImplementedException(); }
    }
}

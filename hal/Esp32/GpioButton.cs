using System.Device.Gpio;

namespace Warp.Hal.Esp32
{
    /// <summary>The factory-reset button on one GPIO (BOOT on most boards: pulled up, low while pressed).</summary>
    public sealed class GpioButton : IButton
    {
        readonly GpioPin pin;
        readonly bool activeLow;

        public GpioButton(GpioController gpio, int pinNumber, bool activeLow)
        {
            this.activeLow = activeLow;
            pin = gpio.OpenPin(pinNumber, activeLow ? PinMode.InputPullUp : PinMode.InputPullDown);
        }

        public bool IsPressed { get { return (pin.Read() == PinValue.Low) == activeLow; } }
    }
}

using System.Device.Gpio;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The status light on one GPIO (the board profile's pin and polarity). One LED shows the
    /// states as patterns, stepped by <see cref="Tick"/> from the loop: booting blinks fast, no
    /// uplink blinks slowly, racing (connecting) double-blinks, tunnel up is steady on, error is
    /// steady off with a short flash, reset armed is fast again.
    /// </summary>
    public sealed class GpioIndicator : IIndicator
    {
        readonly GpioPin pin;
        readonly bool activeLow;
        IndicatorState state = IndicatorState.Starting;
        bool on;

        public GpioIndicator(GpioController gpio, int pinNumber, bool activeLow)
        {
            this.activeLow = activeLow;
            pin = gpio.OpenPin(pinNumber, PinMode.Output);
            Set(false);
        }

        public void Show(IndicatorState state) { this.state = state; }

        /// <summary>Whether the light is on at <paramref name="now"/> for <paramref name="state"/> (a pure function of the time).</summary>
        public static bool Lit(IndicatorState state, long now)
        {
            long t = now % 2000;
            switch (state)
            {
                case IndicatorState.Starting:
                case IndicatorState.ResetArmed: return t % 200 < 100;
                case IndicatorState.NoUplink: return t < 1000;
                case IndicatorState.Connecting: return t < 150 || (t >= 300 && t < 450);
                case IndicatorState.Connected: return true;
                default: return t < 50;
            }
        }

        /// <summary>Steps the pattern; called every poll (cheap: a pin write only on change).</summary>
        public void Tick(long now)
        {
            bool lit = Lit(state, now);
            if (lit != on)
                Set(lit);
        }

        void Set(bool lit)
        {
            on = lit;
            pin.Write(lit != activeLow ? PinValue.High : PinValue.Low);
        }
    }
}

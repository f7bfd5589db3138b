using Warp.Hal;

namespace Warp.Firmware
{
    /// <summary>
    /// A light that can be held on one state for a while (a refused provisioning file shows Error
    /// for <see cref="ProvisionFile"/>'s hold) while the router's changes are remembered and shown
    /// when the hold ends. Call <see cref="Tick"/> each turn of the loop.
    /// </summary>
    public sealed class HeldIndicator : IIndicator
    {
        readonly IIndicator light;
        IndicatorState wanted = IndicatorState.Starting;
        long holdUntil = -1;

        public HeldIndicator(IIndicator light) { this.light = light; }

        public bool Holding { get { return holdUntil >= 0; } }

        public void Show(IndicatorState state)
        {
            wanted = state;
            if (state == IndicatorState.ResetArmed)
                holdUntil = -1; // a held button is answered at once
            if (holdUntil < 0 && light != null)
                light.Show(state);
        }

        /// <summary>Shows <paramref name="state"/> until <paramref name="until"/> (the host's clock).</summary>
        public void Hold(IndicatorState state, long until)
        {
            holdUntil = until;
            if (light != null)
                light.Show(state);
        }

        public void Tick(long now)
        {
            if (holdUntil >= 0 && now >= holdUntil)
            {
                holdUntil = -1;
                if (light != null)
                    light.Show(wanted);
            }
        }
    }
}

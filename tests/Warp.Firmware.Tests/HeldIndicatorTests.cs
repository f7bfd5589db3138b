using System.Linq;
using Warp.TestKit;
using Xunit;

namespace Warp.Firmware.Tests
{
    /// <summary>firmware/HeldIndicator: the light held on Error after a refused provisioning file.</summary>
    public class HeldIndicatorTests
    {
        [Fact]
        public void TheHeldLightRemembersTheRoutersStatesAndYieldsToTheResetButton()
        {
            var light = new RecordingIndicator();
            var held = new HeldIndicator(light);
            held.Hold(Warp.Hal.IndicatorState.Error, 5000);
            held.Show(Warp.Hal.IndicatorState.Connecting);
            held.Show(Warp.Hal.IndicatorState.Connected);
            held.Tick(4999);
            Assert.Equal(new[] { Warp.Hal.IndicatorState.Error }, light.Shown);
            held.Tick(5000);
            Assert.Equal(Warp.Hal.IndicatorState.Connected, light.Shown.Last());
            held.Hold(Warp.Hal.IndicatorState.Error, 20000);
            held.Show(Warp.Hal.IndicatorState.ResetArmed);
            Assert.Equal(Warp.Hal.IndicatorState.ResetArmed, light.Shown.Last());
            Assert.False(held.Holding);
        }
    }
}

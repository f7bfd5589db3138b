using System;
using System.Linq;
using Warp.Firmware;
using Warp.Hal;
using Warp.Hal.Esp32;
using Warp.Router.Esp32;
using Warp.TestKit;
using Xunit;

namespace Warp.Esp32.Tests
{
    /// <summary>
    /// The device program with flash.ps1's provisioning file on its internal drive (a MemoryDrop
    /// here): imported at boot and while running, the light and `status` saying what became of it.
    /// </summary>
    public class ProvisionFileBootTests
    {
        static byte[] FileFor(DeviceLab lab, string configText, bool withAp = true)
        {
            var body = new System.Collections.Generic.List<string> { "wifi add Hotel-5G", "hotel-secret-pw" };
            if (withAp)
                body.AddRange(new[] { "ap set Warp-Home", "household-pw-123" });
            body.AddRange(ProvisionFileText.Transfer(configText.TrimEnd('\n').Split('\n')));
            return ProvisionFileText.Build(body);
        }

        [Fact]
        public void AFreshBoardProvisionedByFileBootsIntoTheRouterAndSaysSo()
        {
            var lab = new DeviceLab(storeConfig: false);
            var drop = new MemoryDrop();
            lab.Ports.Drop = drop;
            lab.Station.Results["Hotel-5G"] = JoinResult.Joined;
            drop.Put(FileFor(lab, lab.ConfigText));
            var program = lab.Boot();
            // The new SoftAP record is applied with a reboot (as `ap set` on the console), then the router runs.
            Assert.Equal(ProgramState.Rebooting, program.State);
            Assert.Null(drop.File);
            Assert.Equal("Warp-Home", lab.AccessPoint.Ssid);
            program = lab.Boot();
            Assert.True(program.State == ProgramState.Running, lab.Console.Text);
            Assert.Equal("Hotel-5G", program.JoinedNetwork);
            Assert.Equal(1, drop.Wipes); // read once, before the first boot's reboot
            lab.Console.Typed.Enqueue("status");
            lab.Console.Typed.Enqueue("provision -m");
            program.Step();
            Assert.Contains("provisioning file: applied (config,wifi,ap); the file was overwritten and removed", lab.Console.Written);
            Assert.Contains(lab.Console.Written, l => l.StartsWith("provision state=applied line=0 reason=- changes=config,wifi,ap wiped=1", StringComparison.Ordinal));
            Assert.DoesNotContain(lab.Console.Written, l => l.Contains(lab.PrivateKeyText) || l.Contains("hotel-secret-pw") || l.Contains("household-pw-123"));
        }

        [Fact]
        public void ARefusedFileKeepsThePreviousConfigAndHoldsTheLightOnErrorThenTheRoutersState()
        {
            var lab = new DeviceLab();
            lab.AccessPoint.Ssid = "Warp-Home"; // no AP change in play
            var drop = new MemoryDrop();
            lab.Ports.Drop = drop;
            var bad = lab.ConfigText.Replace("Address = 172.16.0.2/32", "Address = 172.16.0.2/99");
            drop.Put(FileFor(lab, bad, withAp: false));
            var program = lab.Boot();
            Assert.True(program.State == ProgramState.Running, lab.Console.Text); // the previous configuration
            Assert.Equal(lab.ConfigText, lab.Get(StoredRecords.Config));
            Assert.Null(lab.Get(StationList.Record)); // not even the Wi-Fi line of the refused file
            Assert.Null(drop.File);
            Assert.Equal(IndicatorState.Error, lab.Light.Shown.Last());
            int shown = lab.Light.Shown.Count;
            lab.Console.Typed.Enqueue("status");
            program.Step();
            Assert.Contains(lab.Console.Written, l => l.StartsWith("provisioning file: refused at line 7 (invalid): config line 3: ", StringComparison.Ordinal));
            Assert.Equal(shown, lab.Light.Shown.Count); // held
            while (lab.System.Clock < 1000 + DeviceProgram.RefusedHoldMs + 200)
                program.Step();
            Assert.NotEqual(IndicatorState.Error, lab.Light.Shown.Last()); // the router's own state once the hold ends
        }

        [Fact]
        public void AFileArrivingWhileRunningRebootsOnceSettledAndTheBootImportsIt()
        {
            var lab = new DeviceLab();
            var drop = new MemoryDrop();
            lab.Ports.Drop = drop;
            var program = lab.Boot();
            Assert.Equal(ProgramState.Running, program.State);
            var changed = lab.ConfigText.Replace("DhcpPoolEnd = 192.168.42.120", "DhcpPoolEnd = 192.168.42.130");
            drop.Put(ProvisionFileText.Build(ProvisionFileText.Transfer(changed.TrimEnd('\n').Split('\n'))));
            long start = lab.System.Clock;
            while (program.State != ProgramState.Rebooting && lab.System.Clock < start + 10000)
                program.Step();
            // Not imported beside the running router (a board without PSRAM has no room): a reboot, once it settled.
            Assert.Equal(ProgramState.Rebooting, program.State);
            Assert.True(lab.System.Clock - start >= ProvisionFile.SettleMs, "taken before it settled");
            Assert.Contains("provisioning file: found; restarting to import it", lab.Console.Written);
            Assert.Equal(lab.ConfigText, lab.Get(StoredRecords.Config));
            Assert.NotNull(drop.File);
            // The boot imports it, then builds the router from it.
            program = lab.Boot();
            Assert.True(program.State == ProgramState.Running, lab.Console.Text);
            Assert.Equal(changed, lab.Get(StoredRecords.Config));
            Assert.Null(drop.File);
            Assert.Contains("provisioning file: applied (config); the file was overwritten and removed", lab.Console.Written);
        }
    }
}

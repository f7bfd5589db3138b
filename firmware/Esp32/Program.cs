using System.Device.Gpio;
using System.Net.NetworkInformation;
using System.Threading;
using nanoFramework.Runtime.Native;
using Warp.Hal;
using Warp.Hal.Esp32;

namespace Warp.Router.Esp32
{
    /// <summary>
    /// The firmware's entry point: finds the board's profile from the target the image was built
    /// for, opens hal/Esp32's adapters on the profile's pins and runs <see cref="DeviceProgram"/>.
    /// Nothing else happens here: everything a host would repeat is in firmware/ and the boot in
    /// DeviceProgram, which tests run against doubles of these adapters.
    /// </summary>
    public static class Program
    {
        public static void Main()
        {
            string target = SystemInfo.TargetName;
            BoardProfile board = Boards.ForTarget(target);
            bool known = board != null;
            if (!known)
                board = Boards.Esp32Devkitc(); // the smallest tables: safe on any ESP32
            var console = new SerialConsole(board.ConsoleTxPin, board.ConsoleRxPin, board.Sizes.ConsoleLine);
            if (!known)
                console.WriteLine("warp: no board profile for target " + target + "; using " + board.Id + "'s sizes");

            var system = new Esp32System();
            var gpio = new GpioController();
            GpioIndicator light = board.LightPin >= 0 ? new GpioIndicator(gpio, board.LightPin, board.LightActiveLow) : null;
            var ports = new DevicePorts();
            ports.System = system;
            ports.Console = console;
            ports.Store = new FlashSettingsStore("I:\\warp-");
            // flash.ps1's provisioning file (nanoff --filedeployment over the USB cable): imported at boot and while running, then wiped.
            ports.Drop = new FileProvisionDrop("I:\\" + Warp.Firmware.ProvisionFile.FileName);
            ports.AccessPoint = new SoftAccessPoint();
            // The uplink's MAC (the captive-portal clone) wraps the station: it leaves and rejoins around a change.
            var uplinkMac = new InterfaceUplinkMac(board.WifiUplink ? NetworkInterfaceType.Wireless80211 : NetworkInterfaceType.Ethernet,
                board.WifiUplink ? new WifiStation() : null);
            ports.Station = board.WifiUplink ? uplinkMac : null;
            ports.UplinkMac = uplinkMac;
            ports.PortalProbe = new SocketPortalProbe();
            ports.Monitor = new NetworkUplinkMonitor(board.WifiUplink ? NetworkInterfaceType.Wireless80211 : NetworkInterfaceType.Ethernet, board.Ipv6);
            ports.Indicator = light;
            ports.Button = board.ButtonPin >= 0 ? new GpioButton(gpio, board.ButtonPin, board.ButtonActiveLow) : null;
            ports.Crypto = new NativeCryptoBackend();
            ports.Random = new HardwareRandom();
            ports.Resolver = new DnsResolver();
            ports.Factory = new BoardPorts(board, system);
            var fastPath = new NativeFastPath(board.Sizes.FastPathFlows);
            ports.FastPath = board.Sizes.FastPathFlows > 0 && fastPath.Start() ? fastPath : null;

            var program = new DeviceProgram(board, ports);
            program.Boot();
            while (program.State != ProgramState.Rebooting)
            {
                program.Step();
                if (light != null)
                    light.Tick(system.Now);
            }
            Thread.Sleep(Timeout.Infinite);
        }

        /// <summary>Opens the SoftAP's frame ring and the lwIP sockets once the configuration is known.</summary>
        sealed class BoardPorts : IPortFactory
        {
            readonly BoardProfile board;
            readonly Esp32System system;

            public BoardPorts(BoardProfile board, Esp32System system)
            {
                this.board = board;
                this.system = system;
            }

            public ILanPort OpenLan(byte[] routerMac)
            {
                var lan = new NativeLanPort(routerMac);
                return lan.Start(board.LanRingFrames) ? lan : null;
            }

            public IUplink OpenUplink(int listenPort)
            {
                var uplink = new SocketUplink(listenPort, board.Ipv6, board.WifiUplink ? "wlan0" : "eth0");
                if (!uplink.HasIpv4 && !uplink.HasIpv6)
                    return null;
                system.Uplink = uplink;
                return uplink;
            }
        }
    }
}

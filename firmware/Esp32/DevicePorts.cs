using Warp.Hal;
using Warp.Hal.Esp32;
using Warp.Protocol;
using Warp.Protocol.Crypto;

namespace Warp.Router.Esp32
{
    /// <summary>The ports the program opens once it knows the configuration (the LAN port needs the router's MAC, the uplink its port).</summary>
    public interface IPortFactory
    {
        /// <summary>Opens the household LAN (the SoftAP's frames) with the router's MAC; null when it cannot.</summary>
        ILanPort OpenLan(byte[] routerMac);

        /// <summary>Opens the uplink sockets on <paramref name="listenPort"/>; null when it cannot.</summary>
        IUplink OpenUplink(int listenPort);
    }

    /// <summary>
    /// Everything the device program is handed: hal/Esp32's adapters on the board (Program.Main),
    /// in-memory doubles in tests. The station is null on a board without a Wi-Fi uplink; the
    /// light, the button, the monitor and the resolver may be null.
    /// </summary>
    public sealed class DevicePorts
    {
        public IDeviceSystem System;
        public IConsolePort Console;
        public ISettingsStore Store;
        public IAccessPoint AccessPoint;
        public IWifiStation Station;
        public IUplinkMonitor Monitor;
        public IIndicator Indicator;
        public IButton Button;
        public ICryptoBackend Crypto;
        public IRandomSource Random;
        public IHostResolver Resolver;
        /// <summary>The native fast path for established flows (hal/Esp32/NativeFastPath), or null: every packet managed.</summary>
        public IFastPath FastPath;
        public IPortFactory Factory;
        /// <summary>The captive-portal probe and the uplink's MAC (the clone); either may be null.</summary>
        public IPortalProbe PortalProbe;
        public IUplinkMac UplinkMac;
        /// <summary>The provisioning file flash.ps1 leaves on the internal drive (nanoff --filedeployment), or null.</summary>
        public IProvisionDrop Drop;
    }
}

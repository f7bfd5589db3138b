using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Crypto;

namespace Warp.Firmware
{
    /// <summary>
    /// What a host hands the <see cref="Router"/>: its ports and services. The first five are
    /// required; the monitor, light, button and resolver are optional (null: the host has none).
    /// The ESP32 program fills it from hal/Esp32, the Linux host from hal/Linux, tests with fakes.
    /// </summary>
    public sealed class RouterPlatform
    {
        public ILanPort Lan;
        public IUplink Uplink;
        public ICryptoBackend Crypto;
        public IRandomSource Random;
        public ISettingsStore Store;
        /// <summary>Link and address changes of the uplink; null when the host cannot tell.</summary>
        public IUplinkMonitor Monitor;
        /// <summary>The status light; null when the board has none.</summary>
        public IIndicator Indicator;
        /// <summary>The factory-reset button; null when the board has none.</summary>
        public IButton Button;
        /// <summary>Resolves peer endpoints given as host names; null when only literals are used.</summary>
        public IHostResolver Resolver;
        /// <summary>The native fast path for established flows (<see cref="IFastPath"/>); null: every packet is managed.</summary>
        public IFastPath FastPath;
        /// <summary>The setup page's uplink section (Wi-Fi scan, join, forget); null: the page shows none.</summary>
        public IUplinkSetup UplinkSetup;
        /// <summary>A setup page to keep across a restart of the router (its sessions and connections); null: a new one.</summary>
        public WebAdmin Web;
        /// <summary>The captive-portal probe (an HTTP GET on the uplink); null: no detection.</summary>
        public IPortalProbe PortalProbe;
        /// <summary>The uplink's MAC, for the captive-portal MAC clone; null: no clone.</summary>
        public IUplinkMac UplinkMac;

        /// <summary>Null when the required parts are there, else what is missing.</summary>
        public string Check()
        {
            if (Lan == null) return "a LAN port is required";
            if (Uplink == null) return "an uplink is required";
            if (Crypto == null) return "a crypto backend is required";
            if (Random == null) return "a random source is required";
            return null;
        }
    }
}

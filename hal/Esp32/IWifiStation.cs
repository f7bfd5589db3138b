namespace Warp.Hal.Esp32
{
    /// <summary>Why a join of the hotel network failed, or that it worked (System.Device.Wifi's WifiConnectionStatus, in our words).</summary>
    public enum JoinResult
    {
        Joined = 0,
        /// <summary>The access point refused the password (InvalidCredential).</summary>
        WrongPassword,
        /// <summary>No network of that name answered (NetworkNotAvailable).</summary>
        NotFound,
        /// <summary>The association or DHCP did not finish in time.</summary>
        Timeout,
        /// <summary>The network asks for an authentication the station cannot do (WPA-Enterprise, ...).</summary>
        Unsupported,
        /// <summary>The access point revoked our access.</summary>
        Refused,
        /// <summary>Anything else the driver reports.</summary>
        Failed,
    }

    /// <summary>
    /// The Wi-Fi station that joins the hotel network (System.Device.Wifi's WifiAdapter on the
    /// device). Start-up and console time only: a join may block for seconds and allocate.
    /// </summary>
    public interface IWifiStation
    {
        /// <summary>Joins <paramref name="ssid"/> with <paramref name="password"/> (empty: an open network) and says how it went.</summary>
        JoinResult Join(string ssid, string password);

        /// <summary>Leaves the network (before another join).</summary>
        void Leave();

        /// <summary>Starts a scan; its results are read with <see cref="ScanResults"/> once it completes.</summary>
        void StartScan();

        /// <summary>True once the scan started last has completed.</summary>
        bool ScanComplete { get; }

        /// <summary>
        /// Copies up to ssids.Length networks of the last completed scan into <paramref name="ssids"/> and
        /// their signal in dBm into <paramref name="rssi"/>; returns how many.
        /// </summary>
        int ScanResults(string[] ssids, int[] rssi);
    }
}

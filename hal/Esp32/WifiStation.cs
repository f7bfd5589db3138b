using System.Device.Wifi;

namespace Warp.Hal.Esp32
{
    /// <summary>The Wi-Fi station on System.Device.Wifi's WifiAdapter: join, leave, scan.</summary>
    public sealed class WifiStation : IWifiStation
    {
        readonly WifiAdapter adapter;
        bool scanComplete;

        public WifiStation()
        {
            WifiAdapter[] all = WifiAdapter.FindAllAdapters();
            adapter = all.Length > 0 ? all[0] : null;
            if (adapter != null)
                adapter.AvailableNetworksChanged += OnScanComplete;
        }

        void OnScanComplete(WifiAdapter sender, object e) { scanComplete = true; }

        public JoinResult Join(string ssid, string password)
        {
            if (adapter == null)
                return JoinResult.Failed;
            WifiConnectionResult r;
            try
            {
                // Manual: the program picks the next stored network itself when this one fails.
                r = adapter.Connect(ssid, WifiReconnectionKind.Manual, password == null ? "" : password);
            }
            catch (System.Exception)
            {
                return JoinResult.Failed;
            }
            return ToJoinResult(r.ConnectionStatus);
        }

        /// <summary>System.Device.Wifi's status in our words.</summary>
        public static JoinResult ToJoinResult(WifiConnectionStatus s)
        {
            switch (s)
            {
                case WifiConnectionStatus.Success: return JoinResult.Joined;
                case WifiConnectionStatus.InvalidCredential: return JoinResult.WrongPassword;
                case WifiConnectionStatus.NetworkNotAvailable: return JoinResult.NotFound;
                case WifiConnectionStatus.Timeout: return JoinResult.Timeout;
                case WifiConnectionStatus.UnsupportedAuthenticationProtocol: return JoinResult.Unsupported;
                case WifiConnectionStatus.AccessRevoked: return JoinResult.Refused;
                default: return JoinResult.Failed;
            }
        }

        public void Leave()
        {
            if (adapter != null)
                adapter.Disconnect();
        }

        public void StartScan()
        {
            scanComplete = false;
            if (adapter != null)
                adapter.ScanAsync();
        }

        public bool ScanComplete { get { return scanComplete; } }

        public int ScanResults(string[] ssids, int[] rssi)
        {
            if (adapter == null || !scanComplete)
                return 0;
            WifiAvailableNetwork[] found = adapter.NetworkReport.AvailableNetworks;
            int n = 0;
            for (int i = 0; i < found.Length && n < ssids.Length; i++)
            {
                ssids[n] = found[i].Ssid;
                rssi[n] = (int)found[i].NetworkRssiInDecibelMilliwatts;
                n++;
            }
            return n;
        }
    }
}

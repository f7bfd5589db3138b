using System.Net.NetworkInformation;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The uplink's MAC on the ESP32 for the captive-portal clone: nanoFramework's
    /// NetworkInterface.PhysicalAddress of the station (or Ethernet) interface, which the firmware
    /// applies with esp_wifi_set_mac / the Ethernet driver. ESP-IDF changes a station's MAC only
    /// while the station is not connected, so on a Wi-Fi uplink this class is also the program's
    /// <see cref="IWifiStation"/>: it passes joins through to the real station, remembers the network
    /// joined last, and for a change leaves it, sets the MAC, reads it back and joins it again (a
    /// few seconds, console or page time; the router's loop waits meanwhile). The hotel then sees
    /// the cloned MAC associate and hands it the phone's DHCP lease.
    /// </summary>
    public sealed class InterfaceUplinkMac : IUplinkMac, IWifiStation
    {
        readonly NetworkInterfaceType type;
        readonly IWifiStation station;
        string lastSsid, lastPassword;

        /// <param name="type">Wireless80211 (the station) or Ethernet, as the board's uplink is.</param>
        /// <param name="station">The real station on a Wi-Fi uplink; null on Ethernet.</param>
        public InterfaceUplinkMac(NetworkInterfaceType type, IWifiStation station)
        {
            this.type = type;
            this.station = station;
        }

        NetworkInterface Find()
        {
            NetworkInterface[] all = NetworkInterface.GetAllNetworkInterfaces();
            for (int i = 0; i < all.Length; i++)
                if (all[i].NetworkInterfaceType == type)
                    return all[i];
            return null;
        }

        public bool Read(byte[] mac, int offset)
        {
            NetworkInterface ni = Find();
            byte[] a = ni == null ? null : ni.PhysicalAddress;
            if (a == null || a.Length < 6)
                return false;
            System.Array.Copy(a, 0, mac, offset, 6);
            return true;
        }

        public bool Write(byte[] mac, int offset)
        {
            NetworkInterface ni = Find();
            if (ni == null)
                return false;
            byte[] want = new byte[6];
            System.Array.Copy(mac, offset, want, 0, 6);
            bool rejoin = station != null && lastSsid != null;
            if (station != null)
                station.Leave();
            bool ok;
            try
            {
                ni.PhysicalAddress = want;
                byte[] now = new byte[6];
                ok = Read(now, 0);
                for (int i = 0; ok && i < 6; i++)
                    ok = now[i] == want[i];
            }
            catch (System.Exception)
            {
                ok = false; // the firmware refused (a multicast MAC, the interface busy)
            }
            if (rejoin)
                station.Join(lastSsid, lastPassword);
            return ok;
        }

        // IWifiStation, passed through; a successful join is remembered for the rejoin after a change.

        public JoinResult Join(string ssid, string password)
        {
            if (station == null)
                return JoinResult.Failed;
            JoinResult r = station.Join(ssid, password);
            if (r == JoinResult.Joined)
            {
                lastSsid = ssid;
                lastPassword = password;
            }
            return r;
        }

        public void Leave()
        {
            lastSsid = null;
            lastPassword = null;
            if (station != null)
                station.Leave();
        }

        public void StartScan()
        {
            if (station != null)
                station.StartScan();
        }

        public bool ScanComplete { get { return station != null && station.ScanComplete; } }

        public int ScanResults(string[] ssids, int[] rssi)
        {
            return station == null ? 0 : station.ScanResults(ssids, rssi);
        }
    }
}

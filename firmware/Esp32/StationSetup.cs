using Warp.Firmware;
using Warp.Hal;
using Warp.Hal.Esp32;

namespace Warp.Router.Esp32
{
    public sealed partial class DeviceProgram
    {
        /// <summary>
        /// The setup page's Wi-Fi section on the device: the station's scan, the stored hotel
        /// networks ("wifi-networks", <see cref="StationList"/>) in their order, join, forget, up.
        /// The same list and the same joins as the console's <c>wifi</c> commands; passwords are
        /// stored, never shown.
        /// </summary>
        sealed class StationSetup : IUplinkSetup
        {
            readonly DeviceProgram p;

            public StationSetup(DeviceProgram program) { p = program; }

            public string Current { get { return p.joined != null ? "Joined " + p.joined : "Not joined to a hotel network"; } }
            public bool CanScan { get { return true; } }

            public int Scan(string[] names, int[] signal)
            {
                int n = p.ports.Station.ScanComplete ? p.ports.Station.ScanResults(names, signal) : 0;
                p.ports.Station.StartScan();
                return n;
            }

            public int SavedCount { get { return p.stations.Count; } }
            public string SavedName(int index) { return p.stations.Ssid(index); }

            public string Join(string name, string password)
            {
                if (!p.stations.Add(name, password))
                    return "a name of 1 to 32 characters, at most " + StationList.MaxNetworks.ToString() + " networks";
                p.stations.MoveToFront(name);
                if (!p.SaveStations())
                    return "it could not be stored";
                if (p.joined != null)
                    p.ports.Station.Leave();
                p.joined = null;
                JoinResult r = p.ports.Station.Join(name, password);
                if (r != JoinResult.Joined)
                    return Describe(r);
                p.joined = name;
                return null;
            }

            public bool Forget(string name) { return p.stations.Remove(name) && p.SaveStations(); }

            public bool MoveUp(string name) { return p.stations.MoveUp(name) && p.SaveStations(); }
        }
    }
}

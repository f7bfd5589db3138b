using System;
using System.Linq;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Warp.Hal;

namespace Warp.Router.Linux
{
    /// <summary>
    /// The setup page's uplink section on a Linux host: no Wi-Fi to scan or join here (the host's
    /// own network manager does that); it shows the uplink interfaces and their addresses.
    /// </summary>
    public sealed class LinuxUplinkSetup : IUplinkSetup
    {
        readonly string[] names;

        public LinuxUplinkSetup(string[] uplinks) { names = uplinks ?? new string[0]; }

        public string Current
        {
            get
            {
                var parts = new System.Collections.Generic.List<string>();
                foreach (var ni in NetworkInterface.GetAllNetworkInterfaces())
                {
                    if (names.Length > 0 ? !names.Contains(ni.Name) : ni.NetworkInterfaceType == NetworkInterfaceType.Loopback || ni.OperationalStatus != OperationalStatus.Up)
                        continue;
                    var addrs = ni.GetIPProperties().UnicastAddresses
                        .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork || (a.Address.AddressFamily == AddressFamily.InterNetworkV6 && !a.Address.IsIPv6LinkLocal))
                        .Select(a => a.Address + "/" + a.PrefixLength);
                    parts.Add(ni.Name + " (" + ni.OperationalStatus.ToString().ToLowerInvariant() + "): " + string.Join(", ", addrs));
                }
                return parts.Count == 0 ? "no uplink interface is up" : "Linux host: " + string.Join("; ", parts);
            }
        }

        public bool CanScan { get { return false; } }
        public int Scan(string[] found, int[] signal) { return 0; }
        public int SavedCount { get { return 0; } }
        public string SavedName(int index) { return null; }
        public string Join(string name, string password) { return "this Linux host joins networks with its own network manager"; }
        public bool Forget(string name) { return false; }
        public bool MoveUp(string name) { return false; }
    }
}

using System.Net.NetworkInformation;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The SoftAP's stored configuration (System.Net's WirelessAPConfiguration, index 0). Saving it
    /// writes the device's configuration block; nanoFramework applies it at the next boot.
    /// </summary>
    public sealed class SoftAccessPoint : IAccessPoint
    {
        /// <summary>Household devices the SoftAP admits at once (ESP-IDF allows up to 10 on the ESP32).</summary>
        public const int MaxStations = 10;

        static WirelessAPConfiguration First()
        {
            WirelessAPConfiguration[] all = WirelessAPConfiguration.GetAllWirelessAPConfigurations();
            return all.Length > 0 ? all[0] : null;
        }

        public bool Read(out string ssid, out string password, out int channel)
        {
            WirelessAPConfiguration c = First();
            ssid = c == null ? null : c.Ssid;
            password = c == null ? null : c.Password;
            channel = c == null ? 0 : c.Channel;
            return c != null && (c.Options & WirelessAPConfiguration.ConfigurationOptions.Enable) != 0;
        }

        public bool Save(string ssid, string password, int channel)
        {
            WirelessAPConfiguration c = First();
            if (c == null)
                return false;
            bool secured = password != null && password.Length >= 8;
            c.Ssid = ssid;
            c.Password = secured ? password : "";
            c.Authentication = secured ? AuthenticationType.WPA2 : AuthenticationType.Open;
            c.Encryption = secured ? EncryptionType.WPA2 : EncryptionType.None;
            c.Channel = (byte)channel;
            c.MaxConnections = MaxStations;
            c.Options = WirelessAPConfiguration.ConfigurationOptions.AutoStart;
            c.SaveConfiguration();
            return true;
        }
    }
}

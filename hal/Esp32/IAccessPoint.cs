namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The SoftAP the household joins, as nanoFramework stores it (WirelessAPConfiguration): the
    /// configuration is read and saved here, and takes effect only after a reboot.
    /// </summary>
    public interface IAccessPoint
    {
        /// <summary>The stored SoftAP configuration; false when there is none.</summary>
        bool Read(out string ssid, out string password, out int channel);

        /// <summary>Saves the SoftAP configuration (WPA2 with a password of 8 or more characters, open without one); false on failure.</summary>
        bool Save(string ssid, string password, int channel);
    }
}

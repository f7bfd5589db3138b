namespace Warp.Hal
{
    /// <summary>
    /// The uplink as the setup page shows and changes it: the hotel networks around (a Wi-Fi
    /// scan), the saved ones in their order of preference, join, forget. A host without Wi-Fi (the
    /// Linux host) describes its uplink interfaces instead and says it cannot scan. Console and
    /// page time only: calls may block for seconds (a join) and allocate.
    /// </summary>
    public interface IUplinkSetup
    {
        /// <summary>What the uplink is now, one line ("hotel-guest, -61 dBm, 10.2.0.14" or "eth0: 10.0.0.2/24").</summary>
        string Current { get; }

        /// <summary>False on a host that has no Wi-Fi to scan (the page shows <see cref="Current"/> only).</summary>
        bool CanScan { get; }

        /// <summary>Copies the last scan's networks (name, signal in dBm) and starts a new scan; returns how many.</summary>
        int Scan(string[] names, int[] signal);

        /// <summary>Saved networks, most preferred first.</summary>
        int SavedCount { get; }
        string SavedName(int index);

        /// <summary>Saves the network first in the order and joins it; null when it worked, else why not. The password is never echoed or logged.</summary>
        string Join(string name, string password);

        /// <summary>Forgets a saved network; false when it was not saved.</summary>
        bool Forget(string name);

        /// <summary>Moves a saved network one place up in the order; false when it was not saved or is first.</summary>
        bool MoveUp(string name);
    }
}

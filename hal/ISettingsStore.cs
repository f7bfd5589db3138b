namespace Warp.Hal
{
    /// <summary>
    /// Small persistent records by name: DHCP leases, the TAI64N ceiling, the configuration. Flash
    /// (NVS or a file) on the ESP32, a directory on Linux. Writes replace a record whole and are
    /// atomic (write, then rename), so a power cut leaves the old record or the new one.
    /// </summary>
    public interface ISettingsStore
    {
        /// <summary>
        /// Reads the record into (buffer, offset); returns its length, or -1 when there is none or
        /// it cannot be read. A record longer than <paramref name="count"/> has its first count bytes
        /// read and its whole length returned (more than count), so a caller can keep what is sound
        /// in a record that grew by damage.
        /// </summary>
        int Read(string name, byte[] buffer, int offset, int count);

        /// <summary>Replaces the record. False when it could not be stored.</summary>
        bool Write(string name, byte[] buffer, int offset, int count);

        /// <summary>Removes the record (factory reset). True when it is gone, also when there was none.</summary>
        bool Delete(string name);
    }
}

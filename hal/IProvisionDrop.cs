namespace Warp.Hal
{
    /// <summary>
    /// A provisioning file left on the device's storage by the flasher (nanoff's file deployment
    /// puts it on the ESP32's internal drive, I:\; on Linux a directory stands in). The file holds
    /// the private key: the importer reads it once, then <see cref="Wipe"/> overwrites and removes it.
    /// </summary>
    public interface IProvisionDrop
    {
        /// <summary>The file's length in bytes, or -1 when there is none (or it cannot be read).</summary>
        int Length();

        /// <summary>
        /// Reads the file into (buffer, offset); returns its whole length, or -1 when there is none or
        /// it cannot be read. A file longer than <paramref name="count"/> has its first count bytes
        /// read and its whole length returned, so the caller can refuse it as too large.
        /// </summary>
        int Read(byte[] buffer, int offset, int count);

        /// <summary>Overwrites the file's bytes with zeros, then removes it. True when it is gone (also when there was none).</summary>
        bool Wipe();
    }
}

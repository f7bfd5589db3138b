namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Randomness, injected: the host's CSPRNG on Linux, the ESP32's hardware RNG on the device,
    /// a seeded generator in tests (so a handshake is reproducible byte for byte).
    /// </summary>
    public interface IEntropySource
    {
        void GetBytes(byte[] buffer, int offset, int length);
    }

    /// <summary>
    /// Persistence of the TAI64N high-water mark (see <see cref="TimestampGenerator"/>): the
    /// settings store on the device, a file on Linux.
    /// </summary>
    public interface ITimestampStore
    {
        /// <summary>The ceiling stored last (nanoseconds since 1970), or 0 when none was.</summary>
        long LoadCeiling();

        void StoreCeiling(long unixNanoseconds);
    }
}

namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// Persistence of the TAI64N high-water mark (see <see cref="TimestampGenerator"/>): the
    /// settings store on the device, a file on Linux.
    /// </summary>
    public interface ITimestampStore
    {
        /// <summary>The ceiling stored last (nanoseconds since 1970), or 0 when none was.</summary>
        long LoadCeiling();

        /// <summary>Replaces the stored ceiling atomically (the old value or the new one survives a crash); false when it could not be written.</summary>
        bool StoreCeiling(long unixNanoseconds);
    }
}

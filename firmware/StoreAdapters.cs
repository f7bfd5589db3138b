using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>The TAI64N ceiling kept as an 8-byte record "tai64n-ceiling" in the settings store.</summary>
    public sealed class StoredTimestampCeiling : ITimestampStore
    {
        public const string RecordName = "tai64n-ceiling";
        readonly ISettingsStore store;
        readonly byte[] record = new byte[8];

        public StoredTimestampCeiling(ISettingsStore store) { this.store = store; }

        public long LoadCeiling()
        {
            if (store == null || store.Read(RecordName, record, 0, 8) != 8)
                return 0;
            long v = 0;
            for (int i = 0; i < 8; i++)
                v = (v << 8) | record[i];
            return v < 0 ? 0 : v;
        }

        public void StoreCeiling(long unixNanoseconds)
        {
            if (store == null)
                return;
            for (int i = 7; i >= 0; i--)
            {
                record[i] = (byte)unixNanoseconds;
                unixNanoseconds >>= 8;
            }
            store.Write(RecordName, record, 0, 8);
        }
    }
}

using Warp.Hal;
using Warp.Protocol.Lan;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The records the router keeps in the settings store, by name, in one place. Handle never
    /// writes them: the DHCP server and the timestamp generator mark them behind, and the router
    /// writes them when its ports are drained (<see cref="Router.SaveRecords"/>).
    /// </summary>
    public static class StoredRecords
    {
        /// <summary>The DHCP bindings (<see cref="StoredLeases"/>).</summary>
        public const string Leases = "dhcp-leases";
        /// <summary>A generated ULA prefix, so the LAN's IPv6 addresses survive a reboot.</summary>
        public const string UlaPrefix = "ula-prefix";
        /// <summary>The TAI64N ceiling (<see cref="StoredTimestampCeiling"/>).</summary>
        public const string TimestampCeiling = "tai64n-ceiling";
        /// <summary>The racer's winner per uplink (RFC 8305 section 5): a reboot on the same network tries it first.</summary>
        public const string PathWinners = "path-winners";
        /// <summary>The configuration file, on a device provisioned over its console.</summary>
        public const string Config = "config";
        /// <summary>A captive-portal MAC clone: the uplink's own MAC, then the clone (12 bytes); put back at start.</summary>
        public const string UplinkMacClone = "uplink-mac-clone";

        /// <summary>The uplink Wi-Fi networks (<see cref="StationList"/>).</summary>
        public const string Networks = StationList.Record;
        /// <summary>The household SoftAP: "ssid LF password LF channel".</summary>
        public const string SoftAp = "softap";

        /// <summary>
        /// Factory reset: forgets the leases, the ULA prefix, the configuration, the path cache, a MAC
        /// clone, the uplink networks, the SoftAP settings, the setup page's admin password and the last provisioning file's result. The TAI64N
        /// ceiling is kept on purpose: erasing it would let a later handshake repeat a timestamp
        /// the peer has seen, and the peer would refuse us as a replay. Returns false when a
        /// record could not be removed.
        /// </summary>
        public static bool FactoryReset(ISettingsStore store)
        {
            if (store == null)
                return true;
            bool ok = store.Delete(Leases);
            ok &= store.Delete(UlaPrefix);
            ok &= store.Delete(Config);
            ok &= store.Delete(PathWinners);
            ok &= store.Delete(WebPassword.Record);
            ok &= store.Delete(UplinkMacClone);
            ok &= store.Delete(Networks);
            ok &= store.Delete(SoftAp);
            ok &= store.Delete(ProvisionFile.ResultRecord);
            return ok;
        }
    }

    /// <summary>The TAI64N ceiling kept as an 8-byte record "tai64n-ceiling" in the settings store.</summary>
    public sealed class StoredTimestampCeiling : ITimestampStore
    {
        readonly ISettingsStore store;
        readonly byte[] record = new byte[8];

        public StoredTimestampCeiling(ISettingsStore store) { this.store = store; }

        public long LoadCeiling()
        {
            if (store == null || store.Read(StoredRecords.TimestampCeiling, record, 0, 8) != 8)
                return 0;
            long v = 0;
            for (int i = 0; i < 8; i++)
                v = (v << 8) | record[i];
            return v < 0 ? 0 : v;
        }

        public bool StoreCeiling(long unixNanoseconds)
        {
            if (store == null)
                return true;
            for (int i = 7; i >= 0; i--)
            {
                record[i] = (byte)unixNanoseconds;
                unixNanoseconds >>= 8;
            }
            return store.Write(StoredRecords.TimestampCeiling, record, 0, 8);
        }
    }

    /// <summary>The DHCP leases as one record in the settings store.</summary>
    public sealed class StoredLeases : ILeaseStore
    {
        readonly ISettingsStore store;

        public StoredLeases(ISettingsStore store) { this.store = store; }

        public int Load(byte[] buffer)
        {
            if (store == null)
                return 0;
            int n = store.Read(StoredRecords.Leases, buffer, 0, buffer.Length);
            return n < 0 ? 0 : n;
        }

        public bool Save(byte[] buffer, int length)
        {
            return store == null || store.Write(StoredRecords.Leases, buffer, 0, length);
        }
    }
}

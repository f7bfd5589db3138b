using Warp.Hal;
using Warp.Protocol.Config;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// The start-up sequence every host runs, in two steps around opening its ports (the LAN port
    /// needs the router's MAC, which comes from the configuration):
    /// <code>
    /// settings = RouterBoot.LoadConfig(bytes, name, sizes, log)    // null: errors printed, light shows Error
    /// mac = RouterConfig.RouterMac(settings); open the LAN port and the uplink with it
    /// router = RouterBoot.Start(settings, sizes, platform, log, now, wallClock)
    /// loop: router.Poll(now); sleep until I/O or router.NextDeadline(now)
    /// </code>
    /// The Linux host reads the bytes from a file, the ESP32 program from its "config" record.
    /// </summary>
    public static class RouterBoot
    {
        /// <summary>Wall clock unknown (an ESP32 before SNTP): pass as unixMilliseconds.</summary>
        public const long NoWallClock = -1;

        /// <summary>
        /// Parses and fits the configuration; prints every warning and error (with its line,
        /// prefixed by <paramref name="name"/>) to <paramref name="log"/>. Null on errors, and the
        /// light shows Error then.
        /// </summary>
        public static RouterSettings LoadConfig(byte[] data, int offset, int length, string name, RouterSizes sizes,
            IConsoleOutput log, IIndicator indicator)
        {
            var d = new ConfigDiagnostics();
            RouterSettings s = data == null ? null : RouterConfig.Load(data, offset, length, sizes, d);
            if (data == null)
                d.AddError(0, "no configuration stored");
            RouterConfig.Report(d, name, log);
            if (s == null && indicator != null)
                indicator.Show(IndicatorState.Error);
            return s;
        }

        /// <summary>
        /// Builds the router, gives it the wall clock when known, resolves the peer's host names,
        /// writes the TAI64N ceiling ahead and starts the first handshake. Returns null (and says
        /// why on <paramref name="log"/>) when the settings cannot make a router, e.g. a peer
        /// public key that is not a usable X25519 point.
        /// </summary>
        public static Router Start(RouterSettings settings, RouterSizes sizes, RouterPlatform platform, IConsoleOutput log,
            long now, long unixMilliseconds)
        {
            Router router;
            try
            {
                router = new Router(settings, sizes, platform, now);
            }
            catch (System.ArgumentException e)
            {
                log.WriteLine("router: " + e.Message);
                if (platform != null && platform.Indicator != null)
                    platform.Indicator.Show(IndicatorState.Error);
                return null;
            }
            if (unixMilliseconds != NoWallClock)
                router.SetWallClock(unixMilliseconds, now);
            router.ResolvePaths(log);
            router.Start(now);
            Endpoint endpoint = router.Paths.Current;
            log.WriteLine("tunnel: handshake with " + (endpoint.IsSet ? endpoint.ToString() : "(no endpoint)"));
            return router;
        }
    }
}

using Warp.Protocol.Net;

namespace Warp.Firmware
{
    /// <summary>
    /// The console's captive-portal part: <c>portal</c> (state, Location, last probe, MAC clone),
    /// <c>portal probe</c>, <c>portal clone MAC</c>, <c>portal restore</c>, <c>portal -m</c>, and the
    /// lines and fields it adds to <c>status</c> and <c>status -m</c>. Off the packet path.
    /// </summary>
    public static class PortalConsole
    {
        /// <summary>Runs a <c>portal</c> command line (already trimmed and lower-cased).</summary>
        public static bool Execute(Router router, string cmd, long now, IConsoleOutput o)
        {
            string arg = cmd.Length > 6 ? cmd.Substring(7).Trim() : "";
            if (arg.Length == 0)
            {
                Lines(StatusLines(router, now), o);
                return true;
            }
            if (arg == "probe")
            {
                router.Portal.ProbeNow();
                o.WriteLine(router.Portal.Enabled ? "portal: probing " + router.Portal.Url : "portal: this platform has no probe");
                return router.Portal.Enabled;
            }
            if (arg == "restore")
            {
                bool was = router.MacCloneActive;
                MacChange r = router.RestoreUplinkMac(now);
                o.WriteLine(r == MacChange.Done ? (was ? "uplink: own MAC restored " : "uplink: no clone active, own MAC ") + OwnMac(router) : "uplink: restore failed: " + ChangeName(r));
                return r == MacChange.Done;
            }
            if (arg.StartsWith("clone"))
            {
                string text = arg.Substring(5).Trim();
                byte[] mac = new byte[6];
                if (!AddressText.TryParseMac(text, mac, 0))
                {
                    o.WriteLine("usage: portal clone XX:XX:XX:XX:XX:XX (the MAC of the device that logged in to the portal)");
                    return false;
                }
                MacChange r = router.CloneUplinkMac(mac, 0, now);
                o.WriteLine(r == MacChange.Done ? "uplink: cloned " + MacAddress.Format(mac, 0) + " (own " + OwnMac(router) + "); racing the paths" : "uplink: clone failed: " + ChangeName(r));
                return r == MacChange.Done;
            }
            o.WriteLine("usage: portal | portal probe | portal clone MAC | portal restore");
            return false;
        }

        /// <summary>The lines <c>status</c> and <c>portal</c> show.</summary>
        public static string StatusLines(Router router, long now)
        {
            PortalDetector d = router.Portal;
            string s = "portal: " + PortalDetector.StateName(d.State);
            string where = d.Location;
            if (where.Length > 0)
                s += " (" + where + ")";
            if (!d.Enabled)
                s += " (no probe on this platform)";
            s += ", last probe " + (d.LastProbeAt < 0 ? "never" : Seconds(now - d.LastProbeAt) + " ago")
                + (d.LastStatus < 0 ? "" : " (HTTP " + d.LastStatus.ToString() + ")") + (d.Running ? ", probing" : "") + "\n";
            byte[] mac = new byte[6];
            if (router.CopyClonedUplinkMac(mac, 0))
                s += "uplink mac: " + MacAddress.Format(mac, 0) + " (cloned; own " + OwnMac(router) + ")\n";
            else
                s += "uplink mac: " + OwnMac(router) + (router.MacCloneSupported ? " (own)" : " (clone not supported)") + "\n";
            return s;
        }

        /// <summary>
        /// The fields <c>status -m</c> ends with: "portal=unknown|clear|detected portal_location=URL
        /// (empty: none) portal_probe_age_ms=N (-1: never) portal_http_status=N (-1: none)
        /// mac_clone=0|1 uplink_mac=MAC own_uplink_mac=MAC" (MACs empty when unknown).
        /// </summary>
        public static string StatusFields(Router router, long now)
        {
            PortalDetector d = router.Portal;
            byte[] mac = new byte[6];
            string current = router.CopyClonedUplinkMac(mac, 0) ? MacAddress.Format(mac, 0) : OwnMacOrEmpty(router);
            return ConsoleRecord.Field("portal", PortalDetector.StateName(d.State))
                + ConsoleRecord.Field("portal_location", d.Location)
                + ConsoleRecord.Field("portal_probe_age_ms", d.LastProbeAt < 0 ? -1 : now - d.LastProbeAt)
                + ConsoleRecord.Field("portal_http_status", d.LastStatus)
                + ConsoleRecord.Field("mac_clone", router.MacCloneActive)
                + ConsoleRecord.Field("uplink_mac", current)
                + ConsoleRecord.Field("own_uplink_mac", OwnMacOrEmpty(router));
        }

        /// <summary><c>portal -m</c>: one record "portal" with the fields of <see cref="StatusFields"/> and probe_url, probing=0|1, then the end line.</summary>
        public static void Records(Router router, long now, IConsoleOutput o)
        {
            o.WriteLine("portal" + StatusFields(router, now) + ConsoleRecord.Field("probe_url", router.Portal.Url)
                + ConsoleRecord.Field("probing", router.Portal.Running) + ConsoleRecord.Field("clone_supported", router.MacCloneSupported));
            o.WriteLine(ConsoleRecord.End(1));
        }

        /// <summary>"done", "not_supported", "invalid_mac", "refused".</summary>
        public static string ChangeName(MacChange c)
        {
            switch (c)
            {
                case MacChange.Done: return "done";
                case MacChange.NotSupported: return "not_supported";
                case MacChange.InvalidMac: return "invalid_mac";
                default: return "refused";
            }
        }

        static string OwnMac(Router router)
        {
            string s = OwnMacOrEmpty(router);
            return s.Length == 0 ? "unknown" : s;
        }

        static string OwnMacOrEmpty(Router router)
        {
            byte[] mac = new byte[6];
            return router.CopyOwnUplinkMac(mac, 0) ? MacAddress.Format(mac, 0) : "";
        }

        static void Lines(string text, IConsoleOutput o)
        {
            string[] lines = text.Split('\n');
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Length > 0)
                    o.WriteLine(lines[i]);
        }

        static string Seconds(long ms)
        {
            return (ms / 1000).ToString() + " s";
        }
    }
}

using Warp.Protocol.Net;

namespace Warp.Firmware
{
    /// <summary>
    /// The setup page's captive-portal section over the router's portal support (RouterPortal.cs):
    /// what the detector says, "use this device's hotel login" (the uplink takes the MAC of the
    /// device that pressed the button, found by its lease or IPv6 binding, never by a MAC the
    /// page is told) and "restore my MAC".
    /// </summary>
    public sealed partial class Router
    {
        readonly byte[] pageMac = new byte[6];

        /// <summary>The portal state for the page, one sentence.</summary>
        public string PortalText(long now)
        {
            string s;
            switch (portal.State)
            {
                case PortalState.Detected:
                    s = "The hotel network wants a login (captive portal detected" + (portal.Location.Length > 0 ? ", login page " + portal.Location : "") + ").";
                    break;
                case PortalState.Clear:
                    s = "No captive portal: the uplink reaches the internet.";
                    break;
                default:
                    s = portal.Enabled ? "Not known yet whether the hotel network wants a login." : "Captive-portal detection is off.";
                    break;
            }
            if (cloneActive)
                s += " The uplink uses a cloned MAC.";
            return s;
        }

        /// <summary>Clones the MAC of the LAN device with the given address (the page's client) onto the uplink; the page's message.</summary>
        public string PortalClone(int version, byte[] address, long now)
        {
            MacChange r;
            if (version == 4)
                r = CloneUplinkMacOf(Endian.Read32(address, 0), now);
            else if (lan.TryGetBoundMac(address, 0, pageMac, 0, now))
                r = CloneUplinkMac(pageMac, 0, now);
            else
                r = MacChange.InvalidMac;
            return MacChangeText(r, "The uplink now uses this device's MAC: the tunnel comes up once the hotel lets it through.");
        }

        /// <summary>Restores the uplink's own MAC; the page's message.</summary>
        public string PortalRestore(long now)
        {
            return MacChangeText(RestoreUplinkMac(now), "The uplink has its own MAC again.");
        }

        static string MacChangeText(MacChange r, string done)
        {
            switch (r)
            {
                case MacChange.Done: return done;
                case MacChange.NotSupported: return "This router cannot change its uplink's MAC.";
                case MacChange.InvalidMac: return "This device's MAC is not known to the router (no lease).";
                default: return "The uplink refused the change; it keeps its MAC.";
            }
        }
    }
}

namespace Warp.Firmware
{
    /// <summary>The setup page's captive-portal section: what the router knows of a portal on the uplink, MAC clone and restore.</summary>
    public sealed partial class Router
    {
        /// <summary>The portal state for the page.</summary>
        public string PortalText(long now)
        {
            return "This build does not detect captive portals.";
        }

        /// <summary>Clones the MAC of the LAN device with the given address onto the uplink; the page's message.</summary>
        public string PortalClone(int version, byte[] address, long now)
        {
            return "MAC clone is not available in this build.";
        }

        /// <summary>Restores the uplink's own MAC; the page's message.</summary>
        public string PortalRestore(long now)
        {
            return "MAC clone is not available in this build.";
        }
    }
}

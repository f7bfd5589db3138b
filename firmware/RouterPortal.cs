using Warp.Hal;
using Warp.Protocol.Net;
using Warp.Protocol.Uplink;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>What a MAC clone or restore came to (<see cref="Router.CloneUplinkMac"/>).</summary>
    public enum MacChange
    {
        /// <summary>The uplink has the MAC asked for.</summary>
        Done = 0,
        /// <summary>The platform cannot change its uplink's MAC (no <see cref="IUplinkMac"/>).</summary>
        NotSupported,
        /// <summary>Not a usable unicast MAC: multicast bit set, all zero, or the router's own LAN MAC.</summary>
        InvalidMac,
        /// <summary>The platform refused the change; the uplink keeps the MAC it had.</summary>
        Refused,
    }

    /// <summary>
    /// The router's captive-portal support: the detector (<see cref="PortalDetector"/>) fed from the
    /// uplink's and the tunnel's state each poll, and the MAC clone. A person logs in to the hotel's
    /// page on a phone joined to the hotel network directly; the router then takes that phone's MAC
    /// on its uplink (<see cref="CloneUplinkMac"/>), so the portal lets it through as the phone, and
    /// <see cref="RestoreUplinkMac"/> gives it its own back. A clone is kept in the store
    /// ("uplink-mac-clone": own MAC then clone) and put back at the next start; a clean stop
    /// (<see cref="Shutdown"/>) returns the interface its own MAC but keeps the record.
    /// <para>Kill switch: neither the probe nor a clone changes the packet path. A LAN packet still
    /// reaches the uplink only inside a tunnel data message, with the router's MAC or the clone.</para>
    /// </summary>
    public sealed partial class Router
    {
        PortalDetector portal;
        readonly PortalCounters portalCounters = new PortalCounters();
        IUplinkMac uplinkMac;
        readonly byte[] ownUplinkMac = new byte[6];
        readonly byte[] clonedUplinkMac = new byte[6];
        bool haveOwnUplinkMac, cloneActive;

        /// <summary>The captive-portal detector (state, Location, last probe, counters).</summary>
        public PortalDetector Portal { get { return portal; } }
        /// <summary>True while the uplink carries a cloned MAC.</summary>
        public bool MacCloneActive { get { return cloneActive; } }
        /// <summary>True when the platform can change the uplink's MAC.</summary>
        public bool MacCloneSupported { get { return uplinkMac != null; } }

        /// <summary>The uplink's own MAC as read at start (or kept with a stored clone); false when unknown.</summary>
        public bool CopyOwnUplinkMac(byte[] mac, int offset)
        {
            if (!haveOwnUplinkMac)
                return false;
            System.Array.Copy(ownUplinkMac, 0, mac, offset, 6);
            return true;
        }

        /// <summary>The MAC the uplink carries for a clone; false when no clone is active.</summary>
        public bool CopyClonedUplinkMac(byte[] mac, int offset)
        {
            if (!cloneActive)
                return false;
            System.Array.Copy(clonedUplinkMac, 0, mac, offset, 6);
            return true;
        }

        /// <summary>Constructor part: the detector, the uplink's own MAC, and a stored clone put back.</summary>
        void SetUpPortal(RouterPlatform platform, long now)
        {
            portal = new PortalDetector(platform.PortalProbe, outBuffer, portalCounters); // outBuffer: lent for reading an answer, within one poll
            portal.OnUplinkChanged(now); // the tunnel's silence counts from the start
            uplinkMac = platform.UplinkMac;
            if (uplinkMac != null)
                haveOwnUplinkMac = uplinkMac.Read(ownUplinkMac, 0);
            byte[] macRecord = new byte[12];
            if (store == null || store.Read(StoredRecords.UplinkMacClone, macRecord, 0, macRecord.Length) != macRecord.Length)
                return;
            // The stored own MAC wins over what the interface says: after a crash it may still carry the clone.
            if (!UsableMac(macRecord, 0) || !UsableMac(macRecord, 6))
                return;
            System.Array.Copy(macRecord, 0, ownUplinkMac, 0, 6);
            haveOwnUplinkMac = true;
            if (uplinkMac != null && uplinkMac.Write(macRecord, 6))
            {
                System.Array.Copy(macRecord, 6, clonedUplinkMac, 0, 6);
                cloneActive = true;
                portal.Counters.Increment(PortalCounter.MacClones);
            }
            else
            {
                portal.Counters.Increment(PortalCounter.MacChangesRefused);
            }
        }

        /// <summary>The poll's part: feeds the detector the uplink's and the tunnel's state.</summary>
        void TickPortal(long now)
        {
            Peer p = tunnel.GetPeer(0);
            portal.Tick(now, familyUp4 || familyUp6, p.State(now) == Peer.StateUp, p.LastReceived);
        }

        /// <summary>
        /// Gives the uplink the MAC at mac[offset..offset+6) (a LAN device that logged in to the
        /// portal), remembers it, and then treats the uplink as changed: the portal verdict starts
        /// over and the paths are raced at once, so the tunnel comes up as soon as the portal lets
        /// the new MAC through. Off the packet path.
        /// </summary>
        public MacChange CloneUplinkMac(byte[] mac, int offset, long now)
        {
            if (mac == null || offset < 0 || offset > mac.Length - 6 || !UsableMac(mac, offset) || MacAddress.Equal(mac, offset, routerMac, 0))
            {
                portal.Counters.Increment(PortalCounter.MacChangesRefused);
                return MacChange.InvalidMac;
            }
            if (uplinkMac == null)
                return MacChange.NotSupported;
            if (!haveOwnUplinkMac)
                haveOwnUplinkMac = uplinkMac.Read(ownUplinkMac, 0);
            if (!haveOwnUplinkMac || !uplinkMac.Write(mac, offset))
            {
                portal.Counters.Increment(PortalCounter.MacChangesRefused);
                return MacChange.Refused;
            }
            System.Array.Copy(mac, offset, clonedUplinkMac, 0, 6);
            cloneActive = true;
            portal.Counters.Increment(PortalCounter.MacClones);
            if (store != null)
            {
                byte[] macRecord = new byte[12];
                System.Array.Copy(ownUplinkMac, 0, macRecord, 0, 6);
                System.Array.Copy(clonedUplinkMac, 0, macRecord, 6, 6);
                store.Write(StoredRecords.UplinkMacClone, macRecord, 0, macRecord.Length);
            }
            AfterUplinkMacChange(now);
            return MacChange.Done;
        }

        /// <summary>
        /// The page's "use this device's hotel login": clones the MAC that the LAN IPv4 address
        /// <paramref name="lanIpv4"/> (the page's client) is bound to, by its DHCP lease or a static
        /// lease. InvalidMac when the address is bound to nobody. A phone that uses a private
        /// (per-network) MAC shows the hotel another MAC than the router's LAN sees: then the MAC from
        /// the phone's Wi-Fi settings for the hotel network goes to <see cref="CloneUplinkMac"/>.
        /// </summary>
        public MacChange CloneUplinkMacOf(uint lanIpv4, long now)
        {
            byte[] mac = new byte[6];
            if (!lan.TryGetBoundMac(lanIpv4, mac, 0, now))
            {
                portal.Counters.Increment(PortalCounter.MacChangesRefused);
                return MacChange.InvalidMac;
            }
            return CloneUplinkMac(mac, 0, now);
        }

        /// <summary>Gives the uplink its own MAC back and forgets the clone; Done when no clone was active.</summary>
        public MacChange RestoreUplinkMac(long now)
        {
            if (!cloneActive)
                return MacChange.Done;
            if (uplinkMac == null)
                return MacChange.NotSupported;
            if (!uplinkMac.Write(ownUplinkMac, 0))
            {
                portal.Counters.Increment(PortalCounter.MacChangesRefused);
                return MacChange.Refused;
            }
            cloneActive = false;
            System.Array.Clear(clonedUplinkMac, 0, 6);
            portal.Counters.Increment(PortalCounter.MacRestores);
            if (store != null)
                store.Delete(StoredRecords.UplinkMacClone);
            AfterUplinkMacChange(now);
            return MacChange.Done;
        }

        void AfterUplinkMacChange(long now)
        {
            portal.OnUplinkChanged(now);
            BeginRace(now, RaceReason.UplinkChange);
        }

        /// <summary>A clean stop: the interface gets its own MAC back (the stored clone is put back at the next start).</summary>
        void ShutdownPortal()
        {
            if (cloneActive && uplinkMac != null)
                uplinkMac.Write(ownUplinkMac, 0);
        }

        /// <summary>Unicast and not all zero.</summary>
        static bool UsableMac(byte[] b, int offset)
        {
            if ((b[offset] & 1) != 0)
                return false;
            for (int i = 0; i < 6; i++)
                if (b[offset + i] != 0)
                    return true;
            return false;
        }
    }
}

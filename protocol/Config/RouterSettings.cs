using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// Everything a configuration file says: [Interface], each [Peer], and [Router] (LAN and NAT).
    /// Made by <see cref="WgQuickParser"/>, written back by <see cref="WgQuickWriter"/>; the router
    /// core takes a <see cref="TunnelConfig"/> and <see cref="PeerConfig"/> from it and then calls
    /// <see cref="ClearSecrets"/>.
    /// </summary>
    public sealed class RouterSettings
    {
        public readonly InterfaceSettings Interface = new InterfaceSettings();
        /// <summary>Peers in file order; the router uses the first (<see cref="Peer"/>).</summary>
        public PeerSettings[] Peers = new PeerSettings[0];
        public readonly LanSettings Lan = new LanSettings();
        public readonly NatSettings Nat = new NatSettings();
        /// <summary>The dual-stack race ([Router] Race, ConnectionAttemptDelay).</summary>
        public readonly UplinkSettings Uplink = new UplinkSettings();

        /// <summary>What loading the file found (its warnings, for the router's event log); null when built in code.</summary>
        public ConfigDiagnostics Diagnostics;

        /// <summary>First line each key (<see cref="WgQuickKeys"/> id) was given on; set by the parser, null when built in code.</summary>
        internal int[] KeyLines;

        /// <summary>The line that gave <paramref name="key"/> (a <see cref="WgQuickKeys"/> id), or 0 when not from a file or not given.</summary>
        public int LineOf(int key)
        {
            return KeyLines != null && key >= 0 && key < KeyLines.Length ? KeyLines[key] : 0;
        }

        /// <summary>The peer the router uses (the first), or null when there is none.</summary>
        public PeerSettings Peer { get { return Peers.Length > 0 ? Peers[0] : null; } }

        /// <summary>
        /// A <see cref="TunnelConfig"/> with a copy of our private key (the tunnel keeps its own
        /// copy, so clear this one after constructing the Tunnel), one slot per peer, and the MTU
        /// as the largest packet. Replay window, staging and load settings keep their defaults,
        /// which the board profile may change.
        /// </summary>
        public TunnelConfig ToTunnelConfig()
        {
            TunnelConfig tc = new TunnelConfig();
            tc.PrivateKey = PeerSettings.CopyOf(Interface.PrivateKey);
            tc.MaxPeers = Peers.Length > 0 ? Peers.Length : 1;
            tc.MaxPacketSize = Interface.Mtu;
            return tc;
        }

        /// <summary>The <see cref="PeerConfig"/> of peer <paramref name="index"/> (0 is the one the router uses).</summary>
        public PeerConfig ToPeerConfig(int index)
        {
            return Peers[index].ToPeerConfig();
        }

        /// <summary>Zeroes our private key and every preshared key held by this object.</summary>
        public void ClearSecrets()
        {
            Interface.ClearSecrets();
            for (int i = 0; i < Peers.Length; i++)
                Peers[i].ClearSecrets();
        }
    }
}

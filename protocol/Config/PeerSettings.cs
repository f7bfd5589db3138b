using System;
using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// One [Peer] section. The router uses the first peer; the others are kept (and exported) so
    /// a file round-trips, and so a later racer can fall back to them.
    /// </summary>
    public sealed class PeerSettings
    {
        /// <summary>The peer's X25519 public key (32 bytes).</summary>
        public byte[] PublicKey;
        /// <summary>Optional preshared key (32 bytes) or null. Secret: never logged; cleared by <see cref="ClearSecrets"/>.</summary>
        public byte[] PresharedKey;
        /// <summary>Endpoints in file order: literal addresses and host names to resolve.</summary>
        public PeerEndpoint[] Endpoints = new PeerEndpoint[0];
        /// <summary>AllowedIPs in file order (kept as written, host bits included).</summary>
        public IpPrefix[] AllowedIps = new IpPrefix[0];
        /// <summary>PersistentKeepalive in seconds; 0 is off.</summary>
        public int PersistentKeepalive;
        /// <summary>WARP client id (bytes 1-3 of every message); 0 for a standard peer.</summary>
        public int ClientId;

        /// <summary>The first literal endpoint of a family (<see cref="Endpoint.FamilyIpv4"/> or <see cref="Endpoint.FamilyIpv6"/>), or null.</summary>
        public Endpoint FirstLiteral(int family)
        {
            for (int i = 0; i < Endpoints.Length; i++)
                if (!Endpoints[i].IsHostName && Endpoints[i].Literal.Family == family)
                    return Endpoints[i].Literal;
            return null;
        }

        /// <summary>The first literal endpoint of either family in file order, or null when all are host names.</summary>
        public Endpoint FirstLiteral()
        {
            for (int i = 0; i < Endpoints.Length; i++)
                if (!Endpoints[i].IsHostName)
                    return Endpoints[i].Literal;
            return null;
        }

        /// <summary>
        /// The tunnel's view of this peer: keys (copies; the caller may clear this object's keys
        /// afterwards), client id, keepalive and the first literal endpoint, or an unset endpoint
        /// when every endpoint is a host name still to be resolved (the racer then sets it).
        /// </summary>
        public PeerConfig ToPeerConfig()
        {
            PeerConfig pc = new PeerConfig();
            pc.PublicKey = CopyOf(PublicKey);
            pc.PresharedKey = CopyOf(PresharedKey);
            pc.ClientId = ClientId;
            pc.PersistentKeepaliveSeconds = PersistentKeepalive;
            pc.Endpoint = ConfigLimits.Copy(FirstLiteral());
            return pc;
        }

        /// <summary>Zeroes the preshared key and drops it (the public key is not secret).</summary>
        public void ClearSecrets()
        {
            if (PresharedKey != null)
                Array.Clear(PresharedKey, 0, PresharedKey.Length);
            PresharedKey = null;
        }

        internal static byte[] CopyOf(byte[] key)
        {
            if (key == null)
                return null;
            byte[] copy = new byte[key.Length];
            Array.Copy(key, copy, key.Length);
            return copy;
        }
    }
}

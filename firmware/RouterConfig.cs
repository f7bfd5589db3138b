using Warp.Hal;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;
using Warp.Protocol.Uplink;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>
    /// What every host does with a configuration before it has a router, done once here: parse
    /// and diagnose the file, fit it to the board (<see cref="RouterSizes"/>), report the
    /// diagnostics, derive the router's MAC, and gather the peer's paths. The Linux host reads the
    /// file from disk, the ESP32 from flash; both hand the bytes here.
    /// </summary>
    public static class RouterConfig
    {
        /// <summary>
        /// Parses a configuration held as UTF-8 bytes and fits it to <paramref name="sizes"/>.
        /// Returns null when <paramref name="diagnostics"/> has errors (every one with its line).
        /// </summary>
        public static RouterSettings Load(byte[] data, int offset, int length, RouterSizes sizes, ConfigDiagnostics diagnostics)
        {
            RouterSettings s = WgQuickParser.Parse(data, offset, length, diagnostics);
            if (s != null)
            {
                FitToBoard(s, sizes, diagnostics);
                s.Diagnostics = diagnostics;
            }
            return s;
        }

        /// <summary>Parses configuration text and fits it to <paramref name="sizes"/>; null on errors.</summary>
        public static RouterSettings Load(string text, RouterSizes sizes, ConfigDiagnostics diagnostics)
        {
            RouterSettings s = WgQuickParser.Parse(text, diagnostics);
            if (s != null)
            {
                FitToBoard(s, sizes, diagnostics);
                s.Diagnostics = diagnostics;
            }
            return s;
        }

        /// <summary>
        /// The configuration may ask for smaller tables than the board holds, never larger ones:
        /// what is larger is lowered to the board's size with a warning naming the line.
        /// </summary>
        public static void FitToBoard(RouterSettings s, RouterSizes sizes, ConfigDiagnostics d)
        {
            if (sizes.DefaultNatEntries > 0 && s.LineOf(WgQuickKeys.NatEntries) == 0 && s.Nat.Entries == NatSettings.DefaultEntries)
                s.Nat.Entries = sizes.DefaultNatEntries; // not asked for: the board's table
            if (s.Nat.Entries > sizes.NatEntries)
            {
                d.AddWarning(s.LineOf(WgQuickKeys.NatEntries), "NatEntries: " + s.Nat.Entries.ToString()
                    + " is more than this board holds; using " + sizes.NatEntries.ToString());
                s.Nat.Entries = sizes.NatEntries;
            }
            if (s.Interface.Mtu > sizes.MaxMtu)
            {
                d.AddWarning(s.LineOf(WgQuickKeys.Mtu), "MTU: " + s.Interface.Mtu.ToString()
                    + " is more than this board's packet buffers carry; using " + sizes.MaxMtu.ToString());
                s.Interface.Mtu = sizes.MaxMtu;
            }
            LanSettings l = s.Lan;
            if (l.DhcpPoolStart == null || l.DhcpPoolEnd == null)
                l.SetDefaultPool();
            int pool = (int)(l.DhcpPoolEnd.Ipv4Value - l.DhcpPoolStart.Ipv4Value + 1) + l.StaticLeases.Length;
            int poolLine = s.LineOf(WgQuickKeys.DhcpPoolEnd);
            if (pool > sizes.DhcpLeases && poolLine > 0)
                d.AddWarning(poolLine, "DhcpPoolEnd: the pool and static leases hold " + pool.ToString()
                    + " addresses; this board keeps " + sizes.DhcpLeases.ToString() + " leases at a time");
        }

        /// <summary>Writes every warning and error, prefixed with <paramref name="source"/> (the file's name), a line each.</summary>
        public static void Report(ConfigDiagnostics d, string source, IConsoleOutput o)
        {
            for (int i = 0; i < d.StoredWarningCount; i++)
                o.WriteLine(source + ": warning: " + d.Warning(i).ToString());
            for (int i = 0; i < d.StoredErrorCount; i++)
                o.WriteLine(source + ": " + d.Error(i).ToString());
            if (d.ErrorCount > d.StoredErrorCount)
                o.WriteLine(source + ": ... and " + (d.ErrorCount - d.StoredErrorCount).ToString() + " more error(s)");
        }

        /// <summary>
        /// The router's LAN MAC: locally administered (02:57:...), from the first four bytes of our
        /// public key, so it is stable across restarts and differs between routers.
        /// </summary>
        public static byte[] RouterMac(RouterSettings s)
        {
            byte[] pub = new byte[32];
            new ManagedCryptoBackend().DhPublicKey(pub, 0, s.Interface.PrivateKey, 0);
            return new byte[] { 0x02, 0x57, pub[0], pub[1], pub[2], pub[3] };
        }

        /// <summary>
        /// Fills <paramref name="paths"/> with the peer's endpoints: the literal addresses in file
        /// order, then the addresses <paramref name="resolver"/> gives for each host name (none
        /// when it is null). Returns how many paths it holds; each name that fails is reported.
        /// </summary>
        public static int GatherPaths(PeerSettings peer, PathSelector paths, IHostResolver resolver, IConsoleOutput log)
        {
            return GatherPaths(peer, paths, resolver, log, 1);
        }

        /// <summary>
        /// Fills <paramref name="paths"/> with every uplink (0 .. <paramref name="uplinks"/>-1) times
        /// every endpoint of the peer: the literals in file order, then what the resolver gives for
        /// each host name. Called again when a race starts: paths no longer given go, and a name
        /// that does not resolve this time keeps its last good addresses.
        /// </summary>
        public static int GatherPaths(PeerSettings peer, PathSelector paths, IHostResolver resolver, IConsoleOutput log, int uplinks)
        {
            paths.BeginRefresh();
            if (peer == null)
            {
                paths.EndRefresh();
                return 0;
            }
            if (uplinks < 1)
                uplinks = 1;
            for (int u = 0; u < uplinks; u++)
                for (int i = 0; i < peer.Endpoints.Length; i++)
                    if (!peer.Endpoints[i].IsHostName)
                        paths.Add(peer.Endpoints[i].Literal, u, i);
            Endpoint[] found = null;
            for (int i = 0; i < peer.Endpoints.Length; i++)
            {
                PeerEndpoint e = peer.Endpoints[i];
                if (!e.IsHostName)
                    continue;
                if (resolver == null)
                {
                    paths.KeepOrigin(i);
                    continue;
                }
                if (found == null)
                {
                    found = new Endpoint[paths.Capacity];
                    for (int k = 0; k < found.Length; k++)
                        found[k] = new Endpoint();
                }
                string error;
                int n = resolver.Resolve(e.Host, e.Port, found, out error);
                if (n == 0)
                {
                    paths.KeepOrigin(i); // the last good answer stays
                    if (log != null)
                        log.WriteLine("endpoint " + e.Host + ": " + (error ?? "does not resolve"));
                    continue;
                }
                for (int u = 0; u < uplinks; u++)
                {
                    for (int k = 0; k < n; k++)
                    {
                        if (paths.Add(found[k], u, i) && log != null && u == 0)
                            log.WriteLine("endpoint " + e.Host + " resolved to " + found[k].ToString());
                    }
                }
            }
            paths.EndRefresh();
            return paths.Count;
        }
    }
}

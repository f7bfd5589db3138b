using Warp.Router.Linux;
using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// wireguard-go (the Debian package) as a real peer in its own network namespace:
    ///   root namespace  wgi-h 10.231.0.1/24  ──veth──  wgi-p 10.231.0.2/24  namespace warp-wgi
    ///                                                   wgiw0 (wireguard-go) 10.77.0.1/24
    /// Our tunnel runs in the test process in the root namespace with tunnel address 10.77.0.2.
    /// Everything is torn down on Dispose, and stale leftovers are removed first.
    /// </summary>
    public sealed class WireGuardGoPeer : IDisposable
    {
        public const string Ns = "warp-wgi";
        public const string Dev = "wgiw0";
        public const string HostIp = "10.231.0.1";
        public const string PeerIp = "10.231.0.2";
        public const string PeerTunnelIp = "10.77.0.1";
        public const string OurTunnelIp = "10.77.0.2";
        public const int ListenPort = 51821;
        public readonly string PublicKeyBase64;
        readonly Process daemon;
        readonly string keyFile;

        public WireGuardGoPeer()
        {
            Cleanup();
            Shell.Run($"ip netns add {Ns}");
            Shell.Run($"ip link add wgi-h type veth peer name wgi-p netns {Ns}");
            Shell.Run($"ip addr add {HostIp}/24 dev wgi-h && ip link set wgi-h up");
            Shell.Run($"ip netns exec {Ns} sh -c 'ip link set lo up && ip addr add {PeerIp}/24 dev wgi-p && ip link set wgi-p up'");
            daemon = Shell.Start($"env WG_PROCESS_FOREGROUND=1 ip netns exec {Ns} wireguard-go {Dev}");
            for (int i = 0; i < 50 && !File.Exists($"/var/run/wireguard/{Dev}.sock"); i++)
                Thread.Sleep(100);
            keyFile = Path.Combine(Path.GetTempPath(), "warp-wgi-" + Guid.NewGuid().ToString("N"));
            var priv = Shell.Run("wg genkey").Trim();
            File.WriteAllText(keyFile, priv + "\n");
            PublicKeyBase64 = Shell.Run($"echo {priv} | wg pubkey").Trim();
            Shell.Run($"ip netns exec {Ns} wg set {Dev} private-key {keyFile} listen-port {ListenPort}");
            Shell.Run($"ip netns exec {Ns} sh -c 'ip addr add {PeerTunnelIp}/24 dev {Dev} && ip link set {Dev} up'");
        }

        public byte[] PublicKey { get { return Convert.FromBase64String(PublicKeyBase64); } }

        /// <summary>Tells wireguard-go about us: our public key, tunnel address and (optionally) endpoint.</summary>
        public void AddPeer(byte[] ourPublicKey, int ourPort = 0, int persistentKeepalive = 0)
        {
            string endpoint = ourPort > 0 ? $" endpoint {HostIp}:{ourPort}" : "";
            string keepalive = persistentKeepalive > 0 ? $" persistent-keepalive {persistentKeepalive}" : "";
            Shell.Run($"ip netns exec {Ns} wg set {Dev} peer {Convert.ToBase64String(ourPublicKey)} allowed-ips {OurTunnelIp}/32{endpoint}{keepalive}");
        }

        public string Exec(string command, int timeoutMs = 20000, bool check = true)
        {
            return Shell.Run($"ip netns exec {Ns} {command}", timeoutMs, check);
        }

        /// <summary>`wg show` for our peer: (latest handshake unix seconds, rx bytes, tx bytes) as wireguard-go reports them.</summary>
        public (long Handshake, long Rx, long Tx) Show(byte[] ourPublicKey)
        {
            string key = Convert.ToBase64String(ourPublicKey);
            long hs = 0, rx = 0, tx = 0;
            foreach (var line in Exec($"wg show {Dev} latest-handshakes").Split('\n'))
                if (line.StartsWith(key)) hs = long.Parse(line.Split('\t')[1]);
            foreach (var line in Exec($"wg show {Dev} transfer").Split('\n'))
                if (line.StartsWith(key)) { var f = line.Split('\t'); rx = long.Parse(f[1]); tx = long.Parse(f[2]); }
            return (hs, rx, tx);
        }

        public static void Cleanup()
        {
            Shell.Run($"ip netns pids {Ns} 2>/dev/null | xargs -r kill -9", 5000, false);
            Shell.Run($"ip netns del {Ns} 2>/dev/null", 5000, false);
            Shell.Run("ip link del wgi-h 2>/dev/null", 5000, false);
            Shell.Run($"rm -f /var/run/wireguard/{Dev}.sock", 5000, false);
        }

        public void Dispose()
        {
            Shell.Stop(daemon);
            Cleanup();
            try { File.Delete(keyFile); } catch { }
        }
    }
}

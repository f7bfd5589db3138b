using System;
using System.IO;
using System.Text;
using System.Threading;

namespace Warp.Router.Linux
{
    /// <summary>
    /// `lab --peer warp`: `warp-router peer` (PeerServer.cs) at the far end in place of wireguard-go: the
    /// same namespace, key, port, tunnel addresses and routes (its TUN device is named wlpwg0 too), so
    /// the scenario and the throughput table run unchanged against it. Its counters, printed when it
    /// stops (SIGINT), are logged with their drops.
    /// </summary>
    public sealed partial class Lab
    {
        public const string PeerWireGuardGo = "wireguard-go", PeerWarp = "warp";
        /// <summary>The far end: wireguard-go (default) or warp (warp-router peer).</summary>
        public string PeerKind = PeerWireGuardGo;

        void StartWarpPeer()
        {
            string peerKey = Path.Combine(Work, "peer.key");
            string self = typeof(Lab).Assembly.Location;
            string dotnet = Environment.ProcessPath != null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : "dotnet";
            File.WriteAllText(PeerLog, "");
            peerDaemon = Shell.Start(Ns(PeerNs, $"{dotnet} {self} peer --private-key-file {peerKey} --tun wlpwg0 --listen {PeerPort} --allowed-peer {RouterPublicKey}=172.16.0.2/32,fd01:5ca1::2/128") + " > " + PeerLog + " 2>&1");
            for (int i = 0; i < 100 && !File.ReadAllText(PeerLog).Contains("peer: listening", StringComparison.Ordinal); i++)
            {
                if (peerDaemon.HasExited)
                    throw new InvalidOperationException("warp-router peer exited: " + File.ReadAllText(PeerLog));
                Thread.Sleep(100);
            }
            log.WriteLine(File.ReadAllText(PeerLog).Trim());
            Shell.Run(Ns(PeerNs, "sh -c 'ip addr add 172.16.0.1/32 dev wlpwg0 && ip link set wlpwg0 mtu 1280 up && ip route add 172.16.0.2/32 dev wlpwg0 && ip -6 route add fd01:5ca1::2/128 dev wlpwg0'"));
        }

        /// <summary>The peer's public key, from its private key file (wireguard-go or warp-router peer alike).</summary>
        string PeerPublicKey()
        {
            return Shell.Run("sh -c 'wg pubkey < " + Path.Combine(Work, "peer.key") + "'").Trim();
        }

        /// <summary>Stops warp-router peer with SIGINT (it prints its counters) and logs its non-zero drops and what it carried.</summary>
        void StopWarpPeer()
        {
            Shell.Stop(peerDaemon, true);
            peerDaemon = null;
            if (!File.Exists(PeerLog)) return;
            var sb = new StringBuilder("warp-router peer at exit:");
            foreach (string line in File.ReadAllLines(PeerLog))
            {
                string[] f = line.Split(' ');
                if (f.Length != 2 || f[1] == "0") continue;
                if (f[0].Contains("drop", StringComparison.Ordinal) || f[0].StartsWith("datagrams", StringComparison.Ordinal) || f[0].StartsWith("uplink.", StringComparison.Ordinal) || f[0] == "tunnel.handshakes_completed")
                    sb.Append(' ').Append(f[0]).Append('=').Append(f[1]);
            }
            log.WriteLine(sb.ToString());
        }
    }
}

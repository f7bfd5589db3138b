using System;
using System.Collections.Generic;

namespace Warp.Hil.Tests
{
    /// <summary>
    /// A router driven by the suite: its console, its restarts, the test machine's side of its LAN
    /// and the network behind its uplink. Implemented by <see cref="LinuxRouter"/> (warp-router in
    /// the lab namespaces) and <see cref="BoardRouter"/> (an ESP32 on a serial port).
    /// </summary>
    public interface IRouterUnderTest : IDisposable
    {
        string Name { get; }
        /// <summary>Null when the router can be driven here; else why every scenario is skipped.</summary>
        string SkipReason { get; }
        /// <summary>Brings the router and its surroundings up (once).</summary>
        void Start();
        /// <summary>Sends one console line; returns the answer's lines (for `-m` commands up to and including the `end records=` line).</summary>
        List<string> Console(string command, int timeoutMs = 10000);
        /// <summary>A clean restart (console `reboot`, or a stop and start).</summary>
        void Reboot();
        /// <summary>Whether <see cref="PowerCycle"/> can cut power (a hook is given).</summary>
        bool CanPowerCycle { get; }
        void PowerCycle();
        /// <summary>Resident memory in bytes that should not grow in a soak: a board's heap in use, the host process's RSS.</summary>
        long MemoryInUse();
        ILanSide Lan { get; }
        IUplinkSide Uplink { get; }
    }

    /// <summary>The test machine's interface that reaches the router's LAN (a namespace's veth, or a Wi-Fi/Ethernet interface joined to the AP).</summary>
    public interface ILanSide
    {
        string Interface { get; }
        string RouterV4 { get; }
        string RouterV6 { get; }
        /// <summary>Runs a shell command on the LAN side; "{if}" is replaced by <see cref="Interface"/>. Returns stdout+stderr.</summary>
        string Run(string command, int timeoutMs = 30000);
        /// <summary>Drops the LAN side's DHCP lease and asks for a new one; returns the IPv4 address it holds, or "".</summary>
        string Lease();
    }

    /// <summary>The uplink side: the peer, the origin, a capture point, the rebinding switch and the IPv6 black hole.</summary>
    public interface IUplinkSide
    {
        string OriginName { get; }
        string OriginV4 { get; }
        string OriginV6 { get; }
        /// <summary>SHA-256 (hex) of the origin's /index.bin.</summary>
        string OriginSha256 { get; }
        /// <summary>Starts a capture of the router's uplink traffic; <see cref="StopCapture"/> returns what tcpdump read back (-nn -v).</summary>
        void StartCapture();
        string StopCapture();
        /// <summary>The peer's replies are dropped on the path (the tunnel cannot come up); false lifts it.</summary>
        void CutPeer(bool cut);
        /// <summary>The NAT between router and peer maps the router to a new source port; returns it.</summary>
        int Rebind();
        /// <summary>Drops IPv6 towards the peer on the path (a black hole, no error comes back); false lifts it.</summary>
        void BlackholeIpv6(bool on);
        /// <summary>The router's source as the peer sees it (addr:port), or "".</summary>
        string PeerSeesRouterAt();
    }

    /// <summary>The router under test for this run: WARP_HIL_TARGET=board picks the board, anything else warp-router.</summary>
    public static class RouterUnderTest
    {
        public static IRouterUnderTest Create(System.IO.TextWriter log)
        {
            string target = Environment.GetEnvironmentVariable("WARP_HIL_TARGET");
            if (target == "board") return new BoardRouter(log);
            return new LinuxRouter(log);
        }
    }
}

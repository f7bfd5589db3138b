using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;
using RouterLab = Warp.Router.Linux.Lab;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// Issue 18's runaway TAI64N timestamp, against wireguard-go: 50 restarts of warp-router (SIGTERM
    /// and SIGKILL mixed, some killed before their handshake completed), each handshake accepted by
    /// the same long-lived wireguard-go peer; then wireguard-go with the router's key (its timestamps
    /// are the wall clock) and warp-router with its state directory lost still complete handshakes
    /// with that peer, which would refuse them as replays if ours had run ahead.
    /// </summary>
    [Collection("lab")]
    public class TimestampRestartTests
    {
        readonly ITestOutputHelper output;
        public TimestampRestartTests(ITestOutputHelper output) { this.output = output; }


        static readonly string[] Tools = { "wireguard-go", "wg", "ip" };

        static bool WaitFor(Func<bool> condition, int timeoutMs)
        {
            var sw = Stopwatch.StartNew();
            while (sw.ElapsedMilliseconds < timeoutMs)
            {
                if (condition()) return true;
                Thread.Sleep(100);
            }
            return condition();
        }

        static long StoredCeilingNs(string work)
        {
            byte[] b = File.ReadAllBytes(Path.Combine(work, "state", "tai64n-ceiling"));
            return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(b);
        }

        [SkippableFact]
        public void FiftyRestartsThenWireGuardGoWithTheSameKeyAndALostStateDirectoryStillHandshake()
        {
            LabRequirements.RequireLab(Tools);
            var lab = new RouterLab(new TestOutputWriter(output));
            Process wgGo = null;
            try
            {
                var report = new LabReport(new TestOutputWriter(output));
                Assert.True(lab.Setup(report), "lab set-up failed");
                int completed = 0;
                for (int i = 0; i < 50; i++)
                {
                    bool killEarly = i % 3 == 2;
                    if (!killEarly)
                    {
                        Assert.True(WaitFor(() => lab.TunnelState() == "up", 15000), "restart " + i + ": no handshake: " + lab.Query("status"));
                        completed++;
                    }
                    if (i % 3 == 0)
                        lab.StopRouter();
                    else
                        lab.KillRouter(); // after its handshake, or at once (i % 3 == 2: maybe mid-handshake)
                    output.WriteLine("restart " + i + (i % 3 == 0 ? ": SIGTERM" : ": SIGKILL") + (killEarly ? " at once" : " after its handshake"));
                    lab.StartRouter();
                }
                Assert.True(WaitFor(() => lab.TunnelState() == "up", 15000), "after 50 restarts: " + lab.Query("status"));
                long aheadMs = (StoredCeilingNs(lab.Work) / 1_000_000) - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                output.WriteLine($"{completed + 1} handshakes over 50 restarts; stored ceiling {aheadMs} ms from the wall clock");
                Assert.True(aheadMs < 1000, "the ceiling ran ahead of the wall clock by " + aheadMs + " ms");
                string log = File.ReadAllText(Path.Combine(lab.Work, "router.log"));
                Assert.Contains("warp-router: event kind=handshake_complete endpoint=10.250.2.2:51820", log); // the stderr event log
                lab.StopRouter();

                // wireguard-go with the router's private key, in the router's namespace, to the same peer.
                Thread.Sleep(1000); // "never more than a second or so ahead": wireguard-go's timestamps are the wall clock
                string peerPublic = Shell.Run("sh -c 'wg pubkey < " + Path.Combine(lab.Work, "peer.key") + "'").Trim();
                Shell.Run("rm -f /var/run/wireguard/wlrwg0.sock", 5000, false);
                wgGo = Shell.Start("env WG_PROCESS_FOREGROUND=1 ip netns exec " + RouterLab.RouterNs + " wireguard-go wlrwg0");
                Assert.True(WaitFor(() => File.Exists("/var/run/wireguard/wlrwg0.sock"), 5000), "wireguard-go did not start");
                Shell.Run($"ip netns exec {RouterLab.RouterNs} wg set wlrwg0 private-key {Path.Combine(lab.Work, "router.key")} peer {peerPublic} endpoint {RouterLab.PeerUplinkV4}:{RouterLab.PeerPort} allowed-ips 172.16.0.1/32 persistent-keepalive 1");
                Shell.Run($"ip netns exec {RouterLab.RouterNs} ip link set wlrwg0 up");
                bool handshake = WaitFor(() =>
                {
                    string s = Shell.Run($"ip netns exec {RouterLab.RouterNs} wg show wlrwg0 latest-handshakes", 5000, false).Trim();
                    return s.Length > 0 && !s.EndsWith("\t0", StringComparison.Ordinal);
                }, 15000);
                Assert.True(handshake, "wireguard-go with the router's key was refused: " + Shell.Run($"ip netns exec {RouterLab.PeerNs} wg show", 5000, false));
                output.WriteLine("wireguard-go with the same key: handshake completed");
                Shell.Stop(wgGo);
                wgGo = null;
                Shell.Run($"ip netns exec {RouterLab.RouterNs} ip link del wlrwg0", 5000, false);

                // warp-router again, its state directory lost: the wall clock alone keeps it above what the peer saw.
                Directory.Delete(Path.Combine(lab.Work, "state"), true);
                Thread.Sleep(1000);
                lab.StartRouter();
                Assert.True(WaitFor(() => lab.TunnelState() == "up", 15000), "with a lost state directory: " + lab.Query("status"));
                output.WriteLine("warp-router with a fresh state directory: handshake completed");
            }
            finally
            {
                if (wgGo != null)
                    Shell.Stop(wgGo);
                Shell.Run($"ip netns exec {RouterLab.RouterNs} ip link del wlrwg0", 5000, false);
                lab.TearDown();
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// The LAN lockdown's original sysctl values survive a SIGKILL (<see cref="LockdownState"/>):
    /// `warp-router run` on a veth in its own namespace whose sysctls were set to values that are
    /// nobody's default, killed and restarted, then stopped cleanly: the values are the originals.
    /// </summary>
    [Collection("lab")]
    public class LockdownRestoreTests
    {
        const string Ns = "wdr-lk";
        const string Dev = "wdrlk0";
        readonly ITestOutputHelper output;
        public LockdownRestoreTests(ITestOutputHelper output) { this.output = output; }

        /// <summary>Values that differ from both the kernel's defaults and what the lockdown sets.</summary>
        static readonly Dictionary<string, string> Originals = new Dictionary<string, string>
        {
            ["ipv6/conf/" + Dev + "/disable_ipv6"] = "0",
            ["ipv6/conf/" + Dev + "/accept_ra"] = "2",
            ["ipv4/conf/" + Dev + "/arp_ignore"] = "1",
            ["ipv4/conf/" + Dev + "/arp_announce"] = "1",
            ["ipv4/conf/" + Dev + "/rp_filter"] = "2",
            ["ipv4/conf/" + Dev + "/forwarding"] = "1",
        };

        static readonly Dictionary<string, string> Locked = new Dictionary<string, string>
        {
            ["ipv6/conf/" + Dev + "/disable_ipv6"] = "1",
            ["ipv4/conf/" + Dev + "/arp_ignore"] = "8",
            ["ipv4/conf/" + Dev + "/arp_announce"] = "2",
            ["ipv4/conf/" + Dev + "/rp_filter"] = "1",
            ["ipv4/conf/" + Dev + "/forwarding"] = "0",
        };

        sealed class Rig : IDisposable
        {
            public readonly string Dir = Path.Combine(Path.GetTempPath(), "wdr-lk-" + Guid.NewGuid().ToString("N"));
            public string Sock { get { return Path.Combine(Dir, "c.sock"); } }
            public string State { get { return Path.Combine(Dir, "state"); } }
            public string StateFile { get { return LanLockdown.StateFileFor(State, Dev); } }
            public string Log { get { return Path.Combine(Dir, "router.log"); } }
            public Process Router;

            public Rig()
            {
                Shell.Run($"ip netns del {Ns} 2>/dev/null", 5000, false);
                Directory.CreateDirectory(Dir);
                Shell.Run($"ip netns add {Ns}");
                Shell.Run($"ip netns exec {Ns} sh -c 'ip link set lo up && ip link add {Dev} type veth peer name {Dev}p && ip link set {Dev} up && ip link set {Dev}p up'");
                foreach (var kv in Originals)
                    Write(kv.Key, kv.Value);
                var key = new byte[32];
                var peer = new byte[32];
                RandomNumberGenerator.Fill(key);
                RandomNumberGenerator.Fill(peer);
                peer[31] &= 0x7f;
                File.WriteAllText(Path.Combine(Dir, "r.conf"),
                    "[Interface]\nPrivateKey = " + Convert.ToBase64String(key) + "\nAddress = 172.16.0.2/32\n" +
                    "[Peer]\nPublicKey = " + Convert.ToBase64String(peer) + "\nEndpoint = 192.0.2.1:2408\n" +
                    "[Router]\nLanAddress = 10.232.0.1/24\n");
                File.SetUnixFileMode(Path.Combine(Dir, "r.conf"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            public static void Write(string key, string value) { Shell.Run($"ip netns exec {Ns} sh -c 'echo {value} > /proc/sys/net/{key}'"); }

            public static Dictionary<string, string> Read()
            {
                var d = new Dictionary<string, string>();
                foreach (var k in Originals.Keys)
                    d[k] = Shell.Run($"ip netns exec {Ns} cat /proc/sys/net/{k}", 5000).Trim();
                return d;
            }

            /// <summary>Our rules on the device in the namespace, iptables and ip6tables.</summary>
            public static int Rules()
            {
                string s = Shell.Run($"ip netns exec {Ns} sh -c 'iptables -w -S; ip6tables -w -S'", 10000, false);
                return s.Split('\n').Count(l => l.Contains(" " + Dev + " ") && l.Contains("DROP"));
            }

            public Process Start()
            {
                if (File.Exists(Sock)) File.Delete(Sock);
                string self = typeof(Warp.Router.Linux.Lab).Assembly.Location;
                Router = Shell.Start($"ip netns exec {Ns} sh -c 'exec dotnet {self} run --config {Dir}/r.conf --lan-interface {Dev} --state {State} --control {Sock} --no-console >> {Log} 2>&1'");
                return Router;
            }

            public void WaitUp()
            {
                for (int i = 0; i < 150 && !File.Exists(Sock); i++)
                {
                    if (Router.HasExited)
                        Assert.Fail("warp-router exited: " + (File.Exists(Log) ? File.ReadAllText(Log) : "(no log)"));
                    Thread.Sleep(100);
                }
                Assert.True(File.Exists(Sock), "warp-router did not start: " + (File.Exists(Log) ? File.ReadAllText(Log) : "(no log)"));
            }

            public void Signal(string signal)
            {
                Shell.Run("kill -" + signal + " " + Router.Id, 5000, false);
                Assert.True(Router.WaitForExit(15000), "warp-router did not exit on SIG" + signal);
                Shell.Stop(Router);
                Router = null;
            }

            public void Dispose()
            {
                if (Router != null) { try { Router.Kill(true); } catch (InvalidOperationException) { } Shell.Stop(Router); }
                Shell.Run($"ip netns del {Ns} 2>/dev/null", 5000, false);
                try { Directory.Delete(Dir, true); } catch (IOException) { }
            }
        }

        [SkippableFact]
        public void OriginalSysctlsComeBackAfterASigkillARestartAndACleanStop()
        {
            LabRequirements.RequireLab("ip", "iptables", "ip6tables");
            using var rig = new Rig();
            try
            {
                Assert.Equal(Originals, Rig.Read());
                rig.Start();
                rig.WaitUp();
                var running = Rig.Read();
                foreach (var kv in Locked)
                    Assert.Equal(kv.Value, running[kv.Key]);
                Assert.Equal(6, Rig.Rules());
                Assert.True(File.Exists(rig.StateFile), "no state file while locked down");
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rig.StateFile));
                rig.Signal("KILL");
                // Left locked down, as before; the state file holds the originals.
                Assert.Equal("8", Rig.Read()["ipv4/conf/" + Dev + "/arp_ignore"]);
                Assert.True(File.Exists(rig.StateFile));

                rig.Start();
                rig.WaitUp();
                Assert.Equal(6, Rig.Rules()); // not stacked
                rig.Signal("TERM");
                Assert.Equal(Originals, Rig.Read());
                Assert.Equal(0, Rig.Rules());
                Assert.False(File.Exists(rig.StateFile), "the state file stayed after a clean restore");
                Assert.Contains("left locked down", File.ReadAllText(rig.Log));
            }
            catch
            {
                if (File.Exists(rig.Log)) output.WriteLine(File.ReadAllText(rig.Log));
                throw;
            }
        }

        /// <summary>
        /// Ten starts, each killed at a random moment from at once to well after start-up (so some
        /// die before, during or after the lockdown), then one clean run: the originals come back,
        /// no rule is left, no rule ever stacked.
        /// </summary>
        [SkippableFact]
        public void RestartsInALoopWithKillsStillRestoreTheOriginals()
        {
            LabRequirements.RequireLab("ip", "iptables", "ip6tables");
            using var rig = new Rig();
            var rng = new Random(18);
            try
            {
                for (int i = 0; i < 10; i++)
                {
                    rig.Start();
                    int wait = i % 3 == 2 ? -1 : rng.Next(0, 1500);
                    if (wait < 0)
                        rig.WaitUp();
                    else
                        Thread.Sleep(wait);
                    Assert.InRange(Rig.Rules(), 0, 6);
                    rig.Signal("KILL");
                    output.WriteLine($"start {i}: killed after {(wait < 0 ? "start-up" : wait + " ms")}, arp_ignore {Rig.Read()["ipv4/conf/" + Dev + "/arp_ignore"]}, state file {File.Exists(rig.StateFile)}");
                }
                rig.Start();
                rig.WaitUp();
                Assert.Equal(6, Rig.Rules());
                rig.Signal("TERM");
                Assert.Equal(Originals, Rig.Read());
                Assert.Equal(0, Rig.Rules());
                Assert.False(File.Exists(rig.StateFile));
            }
            catch
            {
                if (File.Exists(rig.Log)) output.WriteLine(File.ReadAllText(rig.Log));
                throw;
            }
        }

        /// <summary>A state file someone else owns, or a damaged one, stops the start with a message that names it; nothing is changed.</summary>
        [SkippableFact]
        public void AForeignOrDamagedStateFileIsRefusedClearly()
        {
            LabRequirements.RequireLab("ip", "iptables", "ip6tables");
            using var rig = new Rig();
            try
            {
                rig.Start();
                rig.WaitUp();
                rig.Signal("KILL");
                string good = File.ReadAllText(rig.StateFile);

                Shell.Run($"chown 65534 {rig.StateFile}");
                var p = rig.Start();
                Assert.True(p.WaitForExit(30000), "started with a foreign state file");
                Assert.NotEqual(0, p.ExitCode);
                rig.Router = null;
                string log = File.ReadAllText(rig.Log);
                Assert.Contains("refusing the LAN lockdown state file " + rig.StateFile, log);
                Assert.Contains("owned by uid 65534", log);
                Shell.Run($"chown 0 {rig.StateFile}");

                File.WriteAllText(rig.StateFile, good.Replace("arp_ignore 1", "arp_ignore 7"));
                File.WriteAllText(rig.Log, "");
                p = rig.Start();
                Assert.True(p.WaitForExit(30000), "started with a damaged state file");
                Assert.NotEqual(0, p.ExitCode);
                rig.Router = null;
                Assert.Contains("is damaged (its sha256 does not match", File.ReadAllText(rig.Log));
                Assert.Equal("8", Rig.Read()["ipv4/conf/" + Dev + "/arp_ignore"]); // untouched: still as the killed router left it

                File.WriteAllText(rig.StateFile, good);
                rig.Start();
                rig.WaitUp();
                rig.Signal("TERM");
                Assert.Equal(Originals, Rig.Read());
            }
            catch
            {
                if (File.Exists(rig.Log)) output.WriteLine(File.ReadAllText(rig.Log));
                throw;
            }
        }
    }
}

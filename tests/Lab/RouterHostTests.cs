using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using Warp.Router.Linux;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>`warp-router run` on a TAP device: it comes up, answers on its control socket, and stops cleanly on SIGTERM.</summary>
    [Collection("lab")]
    public class RouterHostTests
    {
        const string Ns = "warp-tap";

        [SkippableFact]
        public void RunOnATapDeviceAnswersTheConsoleAndStopsOnSigterm()
        {
            LabRequirements.RequireLab("ip");
            string dir = Path.Combine(Path.GetTempPath(), "warp-tap-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            Shell.Run($"ip netns del {Ns} 2>/dev/null", 5000, false);
            Shell.Run($"ip netns add {Ns}");
            System.Diagnostics.Process router = null;
            try
            {
                var key = new byte[32];
                var peer = new byte[32];
                RandomNumberGenerator.Fill(key);
                RandomNumberGenerator.Fill(peer);
                peer[31] &= 0x7f;
                File.WriteAllText(Path.Combine(dir, "r.conf"),
                    "[Interface]\nPrivateKey = " + Convert.ToBase64String(key) + "\nAddress = 172.16.0.2/32\n" +
                    "[Peer]\nPublicKey = " + Convert.ToBase64String(peer) + "\nEndpoint = 192.0.2.1:2408\n" +
                    "[Router]\nLanAddress = 10.99.0.1/24\n");
                string sock = Path.Combine(dir, "c.sock");
                string self = typeof(Warp.Router.Linux.Lab).Assembly.Location;
                router = Shell.Start($"ip netns exec {Ns} dotnet {self} run --config {dir}/r.conf --tap warptap0 --state {dir}/state --control {sock} --no-console");
                for (int i = 0; i < 100 && !File.Exists(sock); i++) Thread.Sleep(100);
                Assert.True(File.Exists(sock), "the control socket did not appear");
                Assert.Contains("warptap0", Shell.Run($"ip netns exec {Ns} ip link show warptap0"));
                var w = new StringWriter();
                Assert.Equal(0, RouterHost.Query(sock, "status", w, w));
                Assert.Contains("tunnel: handshaking", w.ToString());
                Assert.Contains("endpoint: 192.0.2.1:2408", w.ToString());
                w = new StringWriter();
                RouterHost.Query(sock, "config", w, w);
                Assert.Contains("PrivateKey = (hidden)", w.ToString());
                Assert.DoesNotContain(Convert.ToBase64String(key), w.ToString());
                Shell.Run("kill -TERM " + router.Id, 5000, false);
                Assert.True(router.WaitForExit(10000), "warp-router did not stop on SIGTERM");
                Assert.Equal(0, router.ExitCode);
                Assert.False(File.Exists(sock), "the control socket was left behind");
            }
            finally
            {
                Shell.Stop(router);
                Shell.Run($"ip netns del {Ns} 2>/dev/null", 5000, false);
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        [Fact]
        public void BadConfigurationIsReportedWithLineNumbers()
        {
            string path = Path.Combine(Path.GetTempPath(), "warp-bad-" + Guid.NewGuid().ToString("N") + ".conf");
            File.WriteAllText(path, "[Interface]\nPrivateKey = not-a-key\nMTU = 99999\n[Peer]\n");
            try
            {
                var errors = new StringWriter();
                Assert.Null(RouterHost.LoadSettings(path, errors));
                Assert.Contains("line 2", errors.ToString());
                Assert.Contains("line 3", errors.ToString());
                errors = new StringWriter();
                Assert.Null(RouterHost.LoadSettings(path + ".missing", errors));
                Assert.Contains("not found", errors.ToString());
            }
            finally { File.Delete(path); }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Sockets;
using System.Text;
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

        [Fact]
        public void AQueryWithNoRouterSaysTheSocketIsMissingOrDead()
        {
            // Issue 18: the missing socket was reported as "Cannot assign requested address".
            string dir = Path.Combine(Path.GetTempPath(), "warp-q-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string sock = Path.Combine(dir, "none.sock");
                var w = new StringWriter();
                Assert.Equal(1, RouterHost.Query(sock, "status", w, w));
                Assert.DoesNotContain("Cannot assign", w.ToString());
                Assert.Contains("no such socket", w.ToString());
                // A socket file nobody listens on (its router died without removing it): bound, never
                // listening, and kept open (.NET removes the file when a bound socket is disposed).
                using (var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
                {
                    s.Bind(new UnixDomainSocketEndPoint(sock));
                    w = new StringWriter();
                    Assert.Equal(1, RouterHost.Query(sock, "status", w, w));
                    Assert.Contains("nothing is listening", w.ToString());
                }
            }
            finally { Directory.Delete(dir, true); }
        }

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
                Assert.Equal(0, RouterHost.Query(sock, "status -m", w, w));
                var status = Assert.Single(ConsoleAnswer.Parse(w.ToString()));
                Assert.Equal("handshaking", status["tunnel"]);
                Assert.Equal("192.0.2.1:2408", status["endpoint"]);
                Assert.Equal(-1, status.Number("handshake_age_ms"));
                ControlSocketServesSeveralClientsWithoutBlocking(sock);
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

        static Socket Connect(string sock)
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(sock));
            s.ReceiveTimeout = 5000;
            return s;
        }

        static string ReadToEnd(Socket s)
        {
            var all = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = s.Receive(buffer)) > 0)
                all.Write(buffer, 0, n);
            return Encoding.UTF8.GetString(all.ToArray());
        }

        static List<ConsoleRecordLine> Ask(string sock, string command)
        {
            var w = new StringWriter();
            Assert.Equal(0, RouterHost.Query(sock, command, w, w));
            return ConsoleAnswer.Parse(w.ToString());
        }

        /// <summary>
        /// Silent clients hold slots without stalling anyone; a line sent in pieces is answered once
        /// whole; beyond the slots a client gets "busy"; the control counters say so.
        /// </summary>
        static void ControlSocketServesSeveralClientsWithoutBlocking(string sock)
        {
            var held = new List<Socket>();
            try
            {
                // A silent client, then a query that must not wait behind it.
                held.Add(Connect(sock));
                var sw = Stopwatch.StartNew();
                Assert.Single(Ask(sock, "status -m"));
                Assert.True(sw.ElapsedMilliseconds < 1000, "status behind a silent client took " + sw.ElapsedMilliseconds + " ms");

                // One line in three pieces, with a silent client beside it.
                using (var slow = Connect(sock))
                {
                    slow.Send(Encoding.ASCII.GetBytes("coun"));
                    Thread.Sleep(150);
                    slow.Send(Encoding.ASCII.GetBytes("ters -"));
                    Thread.Sleep(150);
                    Assert.False(slow.Poll(0, SelectMode.SelectRead), "answered before the line was complete");
                    slow.Send(Encoding.ASCII.GetBytes("m\n"));
                    Assert.Contains(ConsoleAnswer.Parse(ReadToEnd(slow)), r => r["module"] == "control" && r["name"] == "accepted");
                }

                // Fill every slot; the next client is told "busy" and closed.
                for (int i = held.Count; i < ControlServer.MaxClients; i++)
                    held.Add(Connect(sock));
                Thread.Sleep(300); // the router's loop accepts them
                using (var extra = Connect(sock))
                    Assert.Equal("busy\n", ReadToEnd(extra));
            }
            finally
            {
                foreach (var s in held) s.Dispose();
            }
            // Closed clients free their slots at once.
            List<ConsoleRecordLine> counters = null;
            for (int i = 0; i < 20 && counters == null; i++)
            {
                var w = new StringWriter();
                RouterHost.Query(sock, "counters -m", w, w);
                counters = ConsoleAnswer.TryParse(w.ToString());
                if (counters == null) Thread.Sleep(100);
            }
            Assert.NotNull(counters);
            long Control(string name) { return counters.Single(r => r["module"] == "control" && r["name"] == name).Number("value"); }
            Assert.Equal(1, Control("drop.busy"));
            Assert.True(Control("accepted") >= ControlServer.MaxClients + 2, "accepted " + Control("accepted"));
            Assert.Equal(0, Control("drop.overflow"));
        }

        /// <summary>`warp-router help` (and --help, -h) prints the usage itself: no router, no socket.</summary>
        [Fact]
        public void HelpPrintsTheUsageWithoutARouter()
        {
            string self = typeof(Warp.Router.Linux.Lab).Assembly.Location;
            foreach (var arg in new[] { "help", "--help", "-h" })
            {
                string text = Shell.Run($"dotnet {self} {arg} --control /nonexistent/warp.sock 2>&1", 30000);
                Assert.StartsWith("usage:", text);
                Assert.Contains("warp-router run (--config FILE | --serial PATH)", text);
                Assert.DoesNotContain("no answer", text);
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

using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using Warp.Firmware;
using Warp.Hal;
using Warp.Hal.Linux;
using Xunit;

namespace Warp.Hal.Linux.Tests
{
    /// <summary>
    /// The Linux captive-portal adapters against things nobody here wrote: the probe against
    /// Python's http.server (its own 301 for a directory, 200 for a file, 404, and a handler's 204),
    /// its answers parsed by the core's PortalResponse; the MAC adapter on a real (dummy) interface.
    /// </summary>
    public class LinuxPortalTests : IDisposable
    {
        const string Server = @"
import http.server, os, sys
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/generate_204':
            self.send_response(204)
            self.end_headers()
        else:
            super().do_GET()
    def log_message(self, *a):
        pass
os.chdir(sys.argv[1])
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
";
        readonly string root = Path.Combine(Path.GetTempPath(), "warp-portal-www-" + Guid.NewGuid().ToString("N"));
        Process server;
        int port;

        void StartServer()
        {
            Directory.CreateDirectory(Path.Combine(root, "hotel"));
            File.WriteAllText(Path.Combine(root, "hotel", "index.html"), "<html>Welcome, please log in</html>");
            File.WriteAllText(Path.Combine(root, "page.html"), "<html>A page in the internet's place</html>");
            File.WriteAllText(Path.Combine(root, "server.py"), Server);
            string python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            server = Process.Start(new ProcessStartInfo(python, new[] { Path.Combine(root, "server.py"), root }) { RedirectStandardOutput = true, UseShellExecute = false });
            port = int.Parse(server.StandardOutput.ReadLine());
        }

        public void Dispose()
        {
            if (server != null && !server.HasExited) { server.Kill(); server.WaitForExit(2000); }
            server?.Dispose();
            if (Directory.Exists(root)) Directory.Delete(root, true);
        }

        static ProbeState Wait(LinuxPortalProbe probe, byte[] buffer, out int length, int timeoutMs = 10000)
        {
            var sw = Stopwatch.StartNew();
            ProbeState s;
            while ((s = probe.Poll(buffer, 0, buffer.Length, out length)) == ProbeState.Running && sw.ElapsedMilliseconds < timeoutMs)
                Thread.Sleep(10);
            return s;
        }

        [Theory]
        [InlineData("/generate_204", PortalVerdict.Clear, 204)]
        [InlineData("/hotel", PortalVerdict.Portal, 301)] // http.server's own redirect to the directory's slash
        [InlineData("/page.html", PortalVerdict.Portal, 200)]
        [InlineData("/missing", PortalVerdict.OtherStatus, 404)]
        public void TheProbeGetsAnAnswerThatTheCoreParses(string path, PortalVerdict verdict, int status)
        {
            StartServer();
            using var probe = new LinuxPortalProbe();
            Assert.True(probe.Start("127.0.0.1", port, path, 0));
            Assert.False(probe.Start("127.0.0.1", port, path, 0)); // one at a time
            var buffer = new byte[PortalDetector.AnswerCapacity];
            Assert.Equal(ProbeState.Answered, Wait(probe, buffer, out int n));
            Assert.Equal(ProbeState.Idle, probe.Poll(buffer, 0, buffer.Length, out _));
            var r = new PortalResponse();
            Assert.Equal(verdict, r.Parse(buffer, 0, n));
            Assert.Equal(status, r.Status);
            if (status == 301)
            {
                Assert.Equal("/hotel/", Encoding.ASCII.GetString(buffer, r.LocationOffset, r.LocationLength));
            }
        }

        [Fact]
        public void TheAnswerIsBoundedByTheCallersBuffer()
        {
            StartServer();
            File.WriteAllText(Path.Combine(root, "big.html"), new string('x', 100000));
            using var probe = new LinuxPortalProbe();
            Assert.True(probe.Start("localhost", port, "/big.html", 0));
            var buffer = new byte[64 + 100];
            var sw = Stopwatch.StartNew();
            ProbeState s;
            int n;
            while ((s = probe.Poll(buffer, 64, 100, out n)) == ProbeState.Running && sw.ElapsedMilliseconds < 10000)
                Thread.Sleep(10);
            Assert.Equal(ProbeState.Answered, s);
            Assert.Equal(100, n);
            Assert.StartsWith("HTTP/1.0 200", Encoding.ASCII.GetString(buffer, 64, 12));
        }

        [Fact]
        public void ARefusedConnectionFails()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int closed = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            using var probe = new LinuxPortalProbe();
            Assert.True(probe.Start("127.0.0.1", closed, "/generate_204", 0));
            Assert.Equal(ProbeState.Failed, Wait(probe, new byte[64], out int n));
            Assert.Equal(0, n);
            Assert.NotNull(probe.LastError);
        }

        [Fact]
        public void ASilentServerIsCancelledAndItsLateAnswerIgnored()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int p = ((IPEndPoint)l.LocalEndpoint).Port;
            using var probe = new LinuxPortalProbe();
            Assert.True(probe.Start("127.0.0.1", p, "/generate_204", 0));
            using var accepted = l.AcceptSocket();
            Thread.Sleep(200);
            Assert.Equal(ProbeState.Running, probe.Poll(new byte[64], 0, 64, out _));
            probe.Cancel();
            accepted.Send(Encoding.ASCII.GetBytes("HTTP/1.1 204 No Content\r\n\r\n"));
            accepted.Close();
            Thread.Sleep(300);
            Assert.Equal(ProbeState.Idle, probe.Poll(new byte[64], 0, 64, out _));
            l.Stop();
        }

        static bool Root { get { return Environment.UserName == "root"; } }

        static string Sh(string command)
        {
            var p = Process.Start(new ProcessStartInfo("/bin/sh", new[] { "-c", command }) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            string o = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return o;
        }

        /// <summary>A veth interface (this kernel has no dummy driver): the adapter reads its MAC, changes it (ip link sees it), refuses a multicast one.</summary>
        [Fact]
        public void TheMacOfARealInterfaceIsReadAndChanged()
        {
            if (!Root || !File.Exists("/usr/sbin/ip") && !File.Exists("/sbin/ip") && !File.Exists("/usr/bin/ip"))
                return; // needs CAP_NET_ADMIN and iproute2 (the CI runs as root)
            string dev = "wptl" + Environment.ProcessId % 10000;
            Sh($"ip link del {dev} 2>/dev/null; ip link add {dev} address 02:11:22:33:44:55 type veth peer name {dev}p");
            try
            {
                var mac = new LinuxUplinkMac(dev);
                var b = new byte[6];
                Assert.True(mac.Read(b, 0));
                Assert.Equal(new byte[] { 2, 0x11, 0x22, 0x33, 0x44, 0x55 }, b);
                byte[] phone = { 0x3c, 0x22, 0xfb, 0x10, 0x20, 0x30 };
                Assert.True(mac.Write(phone, 0), mac.LastError);
                Assert.Contains("link/ether 3c:22:fb:10:20:30", Sh($"ip link show dev {dev}"));
                Sh($"ip link set {dev} up");
                Assert.True(mac.Write(new byte[] { 9, 9, 2, 0x11, 0x22, 0x33, 0x44, 0x55 }, 2), mac.LastError); // live, at an offset
                Assert.Contains("link/ether 02:11:22:33:44:55", Sh($"ip link show dev {dev}"));
                Assert.Contains("UP", Sh($"ip -o link show dev {dev}"));
                Assert.False(mac.Write(new byte[] { 1, 0, 0x5e, 0, 0, 1 }, 0)); // the kernel refuses a multicast MAC
                Assert.NotNull(mac.LastError);
                Assert.True(mac.Read(b, 0));
                Assert.Equal(new byte[] { 2, 0x11, 0x22, 0x33, 0x44, 0x55 }, b);
            }
            finally
            {
                Sh($"ip link del {dev}");
            }
            Assert.False(new LinuxUplinkMac("wptl-none0").Read(new byte[6], 0));
            Assert.False(new LinuxUplinkMac("wptl-none0").Write(new byte[] { 2, 0, 0, 0, 0, 1 }, 0));
        }

        [Fact]
        public void TheDefaultUplinkIsTheDefaultRoutesInterface()
        {
            string route = Sh("ip -4 route show default 2>/dev/null");
            int dev = route.IndexOf(" dev ", StringComparison.Ordinal);
            if (dev < 0)
                return; // no IPv4 default route here
            string expected = route.Substring(dev + 5).Split(' ', '\n')[0];
            Assert.Equal(expected, LinuxUplinkMac.DefaultRouteInterface());
        }
    }
}

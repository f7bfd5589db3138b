using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Warp.Firmware;
using Warp.Protocol.Config;
using Warp.Router.Linux;
using Xunit;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// `warp-router register` against a local double of WARP's registration API
    /// (tests/Pester/warp_api_double.py, Python's http.server): the request as wgcf sends it, the
    /// config it writes parses through the firmware's parser and carries the private key of the
    /// public key that was sent (checked with wireguard-tools' `wg pubkey`), and every bad answer
    /// is a clear error that writes nothing. No root, no namespace.
    /// </summary>
    public class RegistrationTests
    {
        static string Repo
        {
            get
            {
                string d = AppContext.BaseDirectory;
                while (d != null && !File.Exists(Path.Combine(d, "Warp.Firmware.sln")))
                    d = Path.GetDirectoryName(d);
                return d ?? throw new InvalidOperationException("repository root not found");
            }
        }

        sealed class Double : IDisposable
        {
            public readonly Process Process;
            public readonly string Record;
            public readonly string Url;
            public Double(string mode)
            {
                Record = Path.Combine(Path.GetTempPath(), "warp-reg-" + Guid.NewGuid().ToString("N") + ".json");
                var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, UseShellExecute = false };
                psi.ArgumentList.Add(Path.Combine(Repo, "tests/Pester/warp_api_double.py"));
                psi.ArgumentList.Add(mode);
                psi.ArgumentList.Add(Record);
                Process = Process.Start(psi);
                string port = Process.StandardOutput.ReadLine();
                Url = "http://127.0.0.1:" + port + "/v0a1922/reg";
            }
            public JsonElement Request => JsonDocument.Parse(File.ReadAllText(Record)).RootElement;
            public void Dispose()
            {
                try { Process.Kill(); Process.WaitForExit(3000); } catch (InvalidOperationException) { }
                Process.Dispose();
                File.Delete(Record);
            }
        }

        static (int Code, string Out, string Err, string Dir) Run(string url, int timeout = 30)
        {
            string dir = Path.Combine(Path.GetTempPath(), "warp-reg-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            var o = new StringWriter();
            var e = new StringWriter();
            int code = WarpRegistration.Command(new[] { "register", "--out", Path.Combine(dir, "warp.conf"), "--api", url, "--timeout", timeout.ToString() }, o, e);
            return (code, o.ToString(), e.ToString(), dir);
        }

        static string WgPubkey(string privateKey)
        {
            var psi = new ProcessStartInfo("wg", "pubkey") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            using var p = Process.Start(psi);
            p.StandardInput.WriteLine(privateKey);
            p.StandardInput.Close();
            string pub = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return pub;
        }

        [SkippableFact]
        public void ARegistrationSendsWhatWgcfSendsAndWritesAConfigOurParserTakesWithOwnerOnlyFiles()
        {
            Skip.IfNot(File.Exists("/usr/bin/wg") || File.Exists("/usr/sbin/wg") || File.Exists("/bin/wg"), "wireguard-tools (wg) is not installed");
            using var api = new Double("ok");
            var r = Run(api.Url);
            try
            {
                Assert.True(r.Code == 0, r.Err);
                var req = api.Request;
                Assert.Equal("/v0a1922/reg", req.GetProperty("path").GetString());
                Assert.Equal(WarpRegistration.ClientVersion, req.GetProperty("headers").GetProperty("cf-client-version").GetString());
                Assert.StartsWith("application/json", req.GetProperty("headers").GetProperty("content-type").GetString());
                var body = JsonDocument.Parse(req.GetProperty("body").GetString()).RootElement;
                foreach (var f in new[] { "key", "install_id", "fcm_token", "tos", "type", "model", "locale" })
                    Assert.True(body.TryGetProperty(f, out _), "no " + f);
                Assert.Equal(7, body.EnumerateObject().Count()); // nothing else leaves the machine

                string conf = Path.Combine(r.Dir, "warp.conf");
                string text = File.ReadAllText(conf);
                var d = new ConfigDiagnostics();
                var s = RouterConfig.Load(text, RouterSizes.LinuxHost(), d);
                Assert.True(s != null, d.ToString());
                Assert.Equal(0, d.WarningCount);
                Assert.Equal(1280, s.Interface.Mtu);
                Assert.Equal("172.16.0.2/32", s.Interface.FirstAddress(Warp.Protocol.Config.IpPrefix.FamilyIpv4).ToString());
                Assert.Equal(2, s.Peers[0].Endpoints.Length);
                Assert.Contains("Endpoint = 162.159.192.1:2408\n", text);
                Assert.Contains("Endpoint = [2606:4700:d0::a29f:c001]:2408\n", text);
                Assert.Contains("Address = 2606:4700:110:8a36:df92:102a:9602:fa18/128\n", text);
                Assert.Contains("ClientId = 2ZzT\n", text);
                Assert.Equal(Warp.Protocol.WireGuard.ClientId.FromBytes(0xD9, 0x9C, 0xD3), s.Peers[0].ClientId);
                // The private key written is the one whose public key was registered.
                string priv = text.Split('\n').Single(l => l.StartsWith("PrivateKey = ")).Substring(13);
                Assert.Equal(body.GetProperty("key").GetString(), WgPubkey(priv));
                Assert.DoesNotContain(priv, req.GetProperty("body").GetString());

                var account = JsonDocument.Parse(File.ReadAllText(conf + ".account")).RootElement;
                Assert.Equal("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0", account.GetProperty("id").GetString());
                Assert.Equal("tok-5f6e7d8c9bab0c1d", account.GetProperty("token").GetString());
                foreach (var f in new[] { conf, conf + ".account" })
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f));
                Assert.DoesNotContain(priv, r.Out + r.Err);
                Assert.DoesNotContain("tok-5f6e7d8c9bab0c1d", r.Out + r.Err);
            }
            finally { Directory.Delete(r.Dir, true); }
        }

        [Theory]
        [InlineData("http500", "HTTP 500")]
        [InlineData("http403", "HTTP 403")]
        [InlineData("missing", "missing field config.peers[0]")]
        [InlineData("badbase64", "config.peers[0].public_key is not base64")]
        [InlineData("clientid", "config.client_id is 4 bytes; a client id is 3")]
        [InlineData("badaddress", "config.interface.addresses.v4 is not an IPv4 address")]
        [InlineData("inject", "config.interface.addresses.v4 is not an IPv4 address")]
        public void ABadAnswerIsAClearErrorAndWritesNothing(string mode, string error)
        {
            using var api = new Double(mode);
            var r = Run(api.Url);
            try
            {
                Assert.Equal(1, r.Code);
                Assert.Contains(error, r.Err);
                Assert.Contains("nothing was written", r.Err);
                Assert.Empty(Directory.GetFileSystemEntries(r.Dir));
            }
            finally { Directory.Delete(r.Dir, true); }
        }

        [Fact]
        public void AnApiThatDoesNotAnswerInTimeIsAClearErrorAndWritesNothing()
        {
            using var api = new Double("slow");
            var watch = Stopwatch.StartNew();
            var r = Run(api.Url, timeout: 2);
            try
            {
                Assert.Equal(1, r.Code);
                Assert.Contains("the API did not answer within 2 s", r.Err);
                Assert.True(watch.ElapsedMilliseconds < 10000);
                Assert.Empty(Directory.GetFileSystemEntries(r.Dir));
            }
            finally { Directory.Delete(r.Dir, true); }
        }

        [Fact]
        public void ConfigCheckReportsErrorsByLineWithTheFirmwaresParser()
        {
            string f = Path.Combine(Path.GetTempPath(), "warp-check-" + Guid.NewGuid().ToString("N") + ".conf");
            try
            {
                File.WriteAllText(f, "[Interface]\nAddress = 172.16.0.2/32\nPrivateKey = nope\n");
                var o = new StringWriter();
                Assert.Equal(1, Program.ConfigCheck(new[] { "config", "check", f }, o));
                Assert.Contains(f + ": line 3: PrivateKey", o.ToString());
                Assert.Contains("error config reason=invalid errors=", o.ToString());
            }
            finally { File.Delete(f); }
        }
    }
}

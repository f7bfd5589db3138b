using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Warp.Firmware;
using Warp.Protocol.Config;
using Warp.Protocol.Crypto;

namespace Warp.Router.Linux
{
    /// <summary>
    /// `warp-router register`: a WARP account, as wgcf and warp-plus make one (REFERENCES.md, "WARP").
    /// <list type="number">
    /// <item>an X25519 key pair is made here; only the public key is sent;</item>
    /// <item><c>POST {api}</c> with <c>CF-Client-Version</c> and a JSON body: key, install_id, fcm_token, tos (RFC 3339), type, model, locale;</item>
    /// <item>the answer is untrusted input: every field used is checked (addresses are IP literals of
    ///   their family, the peer key is 32 bytes of base64, the client id 3 bytes, the id and token
    ///   printable and bounded) and only the checked values are written;</item>
    /// <item>the wg-quick config (PrivateKey, v4 and v6 Address, peer PublicKey, the v4 and v6
    ///   endpoints, MTU 1280, ClientId) must parse cleanly through the firmware's parser;</item>
    /// <item>then, and only then, the config and the account file (id and token, for key rotation)
    ///   are written, both owner-only. Any failure writes nothing.</item>
    /// </list>
    /// </summary>
    public static class WarpRegistration
    {
        public const string DefaultApi = "https://api.cloudflareclient.com/v0a1922/reg";
        public const string ClientVersion = "a-6.3-1922";
        public const int DefaultPort = 2408;
        public const int MaxAnswerBytes = 65536;

        /// <summary>What a registration produced; <see cref="Error"/> is null on success.</summary>
        public sealed class Result
        {
            public string Error;
            public string ConfigText;
            public string AccountJson;
            public string Id;
        }

        public static int Command(string[] args, TextWriter output, TextWriter error)
        {
            string outPath = null, account = null, api = DefaultApi;
            int timeout = 30;
            for (int i = 1; i < args.Length; i++)
            {
                string v = i + 1 < args.Length ? args[i + 1] : null;
                switch (args[i])
                {
                    case "--out": outPath = v; i++; break;
                    case "--account": account = v; i++; break;
                    case "--api": api = v; i++; break;
                    case "--timeout":
                        if (v == null || !int.TryParse(v, out timeout) || timeout < 1 || timeout > 300)
                            throw new ArgumentException("--timeout needs a number of seconds (1-300)");
                        i++;
                        break;
                    default: throw new ArgumentException("register: unknown option " + args[i]);
                }
            }
            if (outPath == null)
                throw new ArgumentException("register needs --out FILE (the wg-quick config to write)");
            account ??= outPath + ".account";
            foreach (var p in new[] { outPath, account })
                if (File.Exists(p))
                {
                    error.WriteLine("warp-router: register: " + p + " exists; nothing was changed (move it away to register again)");
                    return 1;
                }
            output.WriteLine("register: making a key pair and registering with " + api);
            Result r = Register(api, TimeSpan.FromSeconds(timeout));
            if (r.Error != null)
            {
                error.WriteLine("warp-router: register: " + r.Error + "; nothing was written");
                return 1;
            }
            try
            {
                WriteOwnerOnly(account, r.AccountJson, outPath, r.ConfigText);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                error.WriteLine("warp-router: register: cannot write: " + e.Message);
                return 1;
            }
            output.WriteLine("ok register" + ConsoleRecord.Field("config", outPath) + ConsoleRecord.Field("account", account) + ConsoleRecord.Field("id", r.Id));
            return 0;
        }

        /// <summary>Registers and checks the answer; writes nothing.</summary>
        public static Result Register(string api, TimeSpan timeout)
        {
            byte[] priv = new byte[32];
            byte[] pub = new byte[32];
            RandomNumberGenerator.Fill(priv);
            priv[0] &= 248;
            priv[31] &= 127;
            priv[31] |= 64;
            try
            {
                new ManagedCryptoBackend().DhPublicKey(pub, 0, priv, 0);
                string body = RequestBody(Convert.ToBase64String(pub), DateTimeOffset.UtcNow);
                string answer;
                string err = Post(api, body, timeout, out answer);
                if (err != null)
                    return new Result { Error = err };
                return Build(answer, priv);
            }
            finally
            {
                Array.Clear(priv);
            }
        }

        /// <summary>The registration's JSON body (REFERENCES.md): only the public key identifies us.</summary>
        public static string RequestBody(string publicKey, DateTimeOffset now)
        {
            var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                w.WriteString("key", publicKey);
                w.WriteString("install_id", "");
                w.WriteString("fcm_token", "");
                w.WriteString("tos", now.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("type", "Android");
                w.WriteString("model", "PC");
                w.WriteString("locale", "en_US");
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(ms.ToArray());
        }

        static string Post(string api, string body, TimeSpan timeout, out string answer)
        {
            answer = null;
            Uri uri;
            if (!Uri.TryCreate(api, UriKind.Absolute, out uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
                return "the API address is not an http(s) URL: " + api;
            using var handler = new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.GZip };
            using var client = new HttpClient(handler) { Timeout = timeout, MaxResponseContentBufferSize = MaxAnswerBytes };
            using var request = new HttpRequestMessage(HttpMethod.Post, uri);
            request.Headers.TryAddWithoutValidation("CF-Client-Version", ClientVersion);
            request.Headers.TryAddWithoutValidation("User-Agent", "okhttp/3.12.1");
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            try
            {
                using var response = client.Send(request);
                int status = (int)response.StatusCode;
                if (status < 200 || status > 299)
                    return "the API answered HTTP " + status + " " + Printable(response.ReasonPhrase, 60);
                using var stream = response.Content.ReadAsStream();
                var buffer = new MemoryStream();
                var chunk = new byte[8192];
                int n;
                while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
                {
                    buffer.Write(chunk, 0, n);
                    if (buffer.Length > MaxAnswerBytes)
                        return "the API's answer is longer than " + MaxAnswerBytes + " bytes";
                }
                answer = Encoding.UTF8.GetString(buffer.ToArray());
                return null;
            }
            catch (TaskCanceledException)
            {
                return "the API did not answer within " + (int)timeout.TotalSeconds + " s";
            }
            catch (OperationCanceledException)
            {
                return "the API did not answer within " + (int)timeout.TotalSeconds + " s";
            }
            catch (HttpRequestException e)
            {
                return "the API could not be reached: " + Printable(e.Message, 200);
            }
            catch (IOException e)
            {
                return "the API's answer broke off: " + Printable(e.Message, 200);
            }
        }

        /// <summary>Checks the answer field by field and builds the config and account texts from the checked values only.</summary>
        public static Result Build(string answer, byte[] privateKey)
        {
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(answer ?? "", new JsonDocumentOptions { MaxDepth = 16 });
            }
            catch (JsonException)
            {
                return new Result { Error = "the API's answer is not JSON" };
            }
            using (doc)
            {
                string err;
                JsonElement root = doc.RootElement;
                string id = Text(root, "id", out err) ?? "";
                if (err != null) return Fail(err);
                string token = Text(root, "token", out err);
                if (err != null) return Fail(err);
                if (!Printable(id) || !Printable(token))
                    return Fail("id or token has characters outside printable ASCII or is longer than 512");
                JsonElement config;
                if (!Object(root, "config", out config))
                    return Fail("missing field config");
                string clientIdText = Text(config, "client_id", out err);
                if (err != null) return Fail("missing field config.client_id");
                byte[] clientId = Base64(clientIdText);
                if (clientId == null)
                    return Fail("config.client_id is not base64");
                if (clientId.Length != 3)
                    return Fail("config.client_id is " + clientId.Length + " bytes; a client id is 3");
                JsonElement iface, addresses, peers, peer, endpoint;
                if (!Object(config, "interface", out iface) || !Object(iface, "addresses", out addresses))
                    return Fail("missing field config.interface.addresses");
                string v4 = Text(addresses, "v4", out err);
                if (err != null) return Fail("missing field config.interface.addresses.v4");
                string v6 = Text(addresses, "v6", out err);
                if (err != null) return Fail("missing field config.interface.addresses.v6");
                IPAddress a4, a6;
                if (!IPAddress.TryParse(v4, out a4) || a4.AddressFamily != AddressFamily.InterNetwork || v4.Contains('/'))
                    return Fail("config.interface.addresses.v4 is not an IPv4 address");
                if (!IPAddress.TryParse(v6, out a6) || a6.AddressFamily != AddressFamily.InterNetworkV6 || a6.ScopeId != 0)
                    return Fail("config.interface.addresses.v6 is not an IPv6 address");
                if (!config.TryGetProperty("peers", out peers) || peers.ValueKind != JsonValueKind.Array || peers.GetArrayLength() < 1
                    || (peer = peers[0]).ValueKind != JsonValueKind.Object)
                    return Fail("missing field config.peers[0]");
                string peerKeyText = Text(peer, "public_key", out err);
                if (err != null) return Fail("missing field config.peers[0].public_key");
                byte[] peerKey = Base64(peerKeyText);
                if (peerKey == null)
                    return Fail("config.peers[0].public_key is not base64");
                if (peerKey.Length != 32)
                    return Fail("config.peers[0].public_key is " + peerKey.Length + " bytes; a WireGuard key is 32");
                if (!Object(peer, "endpoint", out endpoint))
                    return Fail("missing field config.peers[0].endpoint");
                int port = DefaultPort;
                string host = Text(endpoint, "host", out err);
                if (host != null && err == null)
                {
                    int colon = host.LastIndexOf(':');
                    if (colon > 0 && int.TryParse(host.Substring(colon + 1), out int hp) && hp > 0 && hp < 65536)
                        port = hp;
                }
                string e4 = Endpoint(endpoint, "v4", AddressFamily.InterNetwork, port, out err);
                if (err != null) return Fail(err);
                string e6 = Endpoint(endpoint, "v6", AddressFamily.InterNetworkV6, port, out err);
                if (err != null) return Fail(err);

                string conf =
                    "# WARP account " + id + ", registered " + DateTimeOffset.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + " by warp-router register\n" +
                    "[Interface]\n" +
                    "PrivateKey = " + Convert.ToBase64String(privateKey) + "\n" +
                    "Address = " + a4 + "/32\n" +
                    "Address = " + a6 + "/128\n" +
                    "DNS = 1.1.1.1, 2606:4700:4700::1111\n" +
                    "MTU = 1280\n" +
                    "\n" +
                    "[Peer]\n" +
                    "PublicKey = " + Convert.ToBase64String(peerKey) + "\n" +
                    "AllowedIPs = 0.0.0.0/0, ::/0\n" +
                    "Endpoint = " + e4 + "\n" +
                    "Endpoint = " + e6 + "\n" +
                    "ClientId = " + Convert.ToBase64String(clientId) + "\n";
                var d = new ConfigDiagnostics();
                RouterSettings s = RouterConfig.Load(conf, RouterSizes.LinuxHost(), d);
                if (s == null)
                    return Fail("the config made from the answer does not parse: " + (d.StoredErrorCount > 0 ? d.Error(0).ToString() : "?"));
                s.ClearSecrets();

                var ms = new MemoryStream();
                using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
                {
                    w.WriteStartObject();
                    w.WriteString("id", id);
                    w.WriteString("token", token);
                    w.WriteString("api", "api.cloudflareclient.com");
                    w.WriteEndObject();
                }
                return new Result { ConfigText = conf, AccountJson = Encoding.UTF8.GetString(ms.ToArray()) + "\n", Id = id };
            }
        }

        static Result Fail(string error) { return new Result { Error = "bad answer: " + error }; }

        static bool Object(JsonElement e, string name, out JsonElement value)
        {
            value = default;
            return e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object;
        }

        static string Text(JsonElement e, string name, out string error)
        {
            error = null;
            if (e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String)
            {
                string s = v.GetString();
                if (s.Length > 0)
                    return s;
            }
            error = "missing field " + name;
            return null;
        }

        static string Endpoint(JsonElement endpoint, string family, AddressFamily want, int port, out string error)
        {
            error = null;
            string text = Text(endpoint, family, out error);
            if (error != null)
            {
                error = "missing field config.peers[0].endpoint." + family;
                return null;
            }
            IPEndPoint ep;
            IPAddress a;
            if (IPEndPoint.TryParse(text, out ep) && ep.Address.AddressFamily == want && (want == AddressFamily.InterNetwork || text.StartsWith("[")))
                a = ep.Address;
            else if (IPAddress.TryParse(text, out a) && a.AddressFamily == want)
                ep = null;
            else
            {
                error = "config.peers[0].endpoint." + family + " is not an IPv" + (want == AddressFamily.InterNetwork ? "4" : "6") + " endpoint";
                return null;
            }
            if (a.AddressFamily == AddressFamily.InterNetworkV6 && a.ScopeId != 0)
            {
                error = "config.peers[0].endpoint." + family + " has a scope";
                return null;
            }
            int p = ep != null && ep.Port != 0 ? ep.Port : port; // WARP answers port 0: the host's port applies
            return want == AddressFamily.InterNetwork ? a + ":" + p : "[" + a + "]:" + p;
        }

        static byte[] Base64(string s)
        {
            try { return Convert.FromBase64String(s); }
            catch (FormatException) { return null; }
        }

        static bool Printable(string s)
        {
            if (s.Length > 512) return false;
            foreach (char c in s)
                if (c < 0x21 || c > 0x7E || c == '"' || c == '\\') return false;
            return true;
        }

        static string Printable(string s, int max)
        {
            if (string.IsNullOrEmpty(s)) return "";
            var b = new StringBuilder();
            foreach (char c in s)
            {
                if (b.Length >= max) { b.Append("..."); break; }
                b.Append(c >= 0x20 && c < 0x7F ? c : '?');
            }
            return b.ToString();
        }

        /// <summary>Writes both files owner-only (mode 0600 from creation), each through a temporary file and a rename; on a failure neither stays.</summary>
        static void WriteOwnerOnly(string accountPath, string account, string configPath, string config)
        {
            string ta = accountPath + ".tmp" + Environment.ProcessId, tc = configPath + ".tmp" + Environment.ProcessId;
            try
            {
                Create(ta, account);
                Create(tc, config);
                File.Move(ta, accountPath);
                File.Move(tc, configPath);
            }
            catch
            {
                foreach (var p in new[] { ta, tc })
                    try { File.Delete(p); } catch (IOException) { }
                if (!File.Exists(configPath))
                    try { File.Delete(accountPath); } catch (IOException) { }
                throw;
            }
        }

        static void Create(string path, string text)
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
            using var f = new FileStream(path, options);
            byte[] b = Encoding.UTF8.GetBytes(text);
            f.Write(b, 0, b.Length);
            f.Flush(true);
            Array.Clear(b);
        }
    }
}

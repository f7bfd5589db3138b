using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Threading;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;
using Warp.Router.Linux;
using Xunit;
using Xunit.Abstractions;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// `warp-router peer` (PeerServer.cs, the lab's responder) against initiators it did not write:
    ///   wpp-a (wireguard-go wppw0 10.78.0.2) ──veth 10.232.0.0/24── wpp-b (warp-router peer, TUN wppt0 10.78.0.1)
    ///   root namespace (our Tunnel with a WARP client id, 10.78.0.3) ──veth 10.233.0.0/24── wpp-b
    /// Torn down on Dispose, leftovers removed first.
    /// </summary>
    public sealed class PeerServerLab : IDisposable
    {
        public const string A = "wpp-a", B = "wpp-b", Tun = "wppt0", WgDev = "wppw0";
        public const string PeerIp = "10.232.0.2", RootSideIp = "10.233.0.1", PeerRootIp = "10.233.0.2";
        public const string ServerTunnelIp = "10.78.0.1", WgTunnelIp = "10.78.0.2", HostTunnelIp = "10.78.0.3";
        public const int Port = 51822;
        public readonly string Work = Path.Combine(Path.GetTempPath(), "warp-wpp-" + Guid.NewGuid().ToString("N"));
        public readonly string ServerPublic, WgPublic;
        public readonly string LogFile;
        Process server, wg;

        public PeerServerLab()
        {
            Cleanup();
            Directory.CreateDirectory(Work);
            LogFile = Path.Combine(Work, "peer.log");
            Shell.Run($"ip netns add {A} && ip netns add {B}");
            Shell.Run($"ip link add wpp-a0 netns {A} type veth peer name wpp-b0 netns {B}");
            Shell.Run($"ip link add wpp-h type veth peer name wpp-bh netns {B}");
            Shell.Run($"ip addr add {RootSideIp}/24 dev wpp-h && ip link set wpp-h up");
            Shell.Run($"ip netns exec {A} sh -c 'ip link set lo up && ip addr add 10.232.0.1/24 dev wpp-a0 && ip link set wpp-a0 up'");
            Shell.Run($"ip netns exec {B} sh -c 'ip link set lo up && ip addr add {PeerIp}/24 dev wpp-b0 && ip link set wpp-b0 up && ip addr add {PeerRootIp}/24 dev wpp-bh && ip link set wpp-bh up'");
            Shell.Run($"sh -c 'umask 077; wg genkey > {Work}/server.key; wg genkey > {Work}/wg.key'");
            ServerPublic = Shell.Run($"sh -c 'wg pubkey < {Work}/server.key'").Trim();
            WgPublic = Shell.Run($"sh -c 'wg pubkey < {Work}/wg.key'").Trim();
        }

        /// <summary>Starts `warp-router peer` in wpp-b with these --allowed-peer values and gives its TUN the address and routes.</summary>
        public void StartServer(params string[] allowedPeers)
        {
            string self = typeof(Warp.Router.Linux.Lab).Assembly.Location;
            string dotnet = Environment.ProcessPath != null && Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath : "dotnet";
            string peers = "";
            foreach (string p in allowedPeers) peers += " --allowed-peer " + p;
            server = Shell.Start($"ip netns exec {B} {dotnet} {self} peer --private-key-file {Work}/server.key --tun {Tun} --listen {Port}{peers} > {LogFile} 2>&1");
            for (int i = 0; i < 100 && !Log.Contains("peer: listening", StringComparison.Ordinal); i++)
            {
                Assert.False(server.HasExited, "warp-router peer exited: " + Log);
                Thread.Sleep(100);
            }
            Assert.Contains("peer: listening on UDP " + Port, Log);
            Shell.Run($"ip netns exec {B} sh -c 'ip addr add {ServerTunnelIp}/32 dev {Tun} && ip link set {Tun} mtu 1420 up && ip route add 10.78.0.0/24 dev {Tun}'");
        }

        /// <summary>wireguard-go in wpp-a as the initiator towards the server.</summary>
        public void StartWireGuardGo(int persistentKeepalive)
        {
            Shell.Run($"rm -f /var/run/wireguard/{WgDev}.sock", 5000, false);
            wg = Shell.Start($"env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error ip netns exec {A} wireguard-go {WgDev}");
            for (int i = 0; i < 50 && !File.Exists($"/var/run/wireguard/{WgDev}.sock"); i++) Thread.Sleep(100);
            Shell.Run($"ip netns exec {A} wg set {WgDev} private-key {Work}/wg.key peer {ServerPublic} endpoint {PeerIp}:{Port} allowed-ips {ServerTunnelIp}/32 persistent-keepalive {persistentKeepalive}");
            Shell.Run($"ip netns exec {A} sh -c 'ip addr add {WgTunnelIp}/32 dev {WgDev} && ip link set {WgDev} mtu 1420 up && ip route add {ServerTunnelIp}/32 dev {WgDev}'");
        }

        /// <summary>Stops the server with SIGTERM and returns the counters it printed at exit.</summary>
        public Dictionary<string, long> StopServer()
        {
            Process p = server;
            server = null;
            Shell.Run("kill -TERM " + p.Id, 5000, false);
            Assert.True(p.WaitForExit(5000), "warp-router peer did not stop on SIGTERM");
            var counters = new Dictionary<string, long>();
            foreach (string line in File.ReadAllLines(LogFile))
            {
                string[] f = line.Split(' ');
                if (f.Length == 2 && long.TryParse(f[1], out long v)) counters[f[0]] = v;
            }
            return counters;
        }

        public string Log { get { return File.Exists(LogFile) ? File.ReadAllText(LogFile) : ""; } }

        public static void Cleanup()
        {
            foreach (string ns in new[] { A, B })
            {
                Shell.Run($"ip netns pids {ns} 2>/dev/null | xargs -r kill -9", 5000, false);
                Shell.Run($"ip netns del {ns} 2>/dev/null", 5000, false);
            }
            Shell.Run("ip link del wpp-h 2>/dev/null", 5000, false);
            Shell.Run($"rm -f /var/run/wireguard/{WgDev}.sock", 5000, false);
        }

        public void Dispose()
        {
            Shell.Stop(server);
            Shell.Stop(wg);
            Cleanup();
            try { Directory.Delete(Work, true); } catch (IOException) { }
        }
    }

    /// <summary>PeerServer's cryptokey routing table (no root needed): destinations to peers, sources checked.</summary>
    public class PeerServerRoutingTests
    {
        static byte[] V4(string src, string dst)
        {
            var b = new byte[28];
            b[0] = 0x45;
            b[3] = 28;
            IPAddress.Parse(src).GetAddressBytes().CopyTo(b, 12);
            IPAddress.Parse(dst).GetAddressBytes().CopyTo(b, 16);
            return b;
        }

        static byte[] V6(string src, string dst)
        {
            var b = new byte[48];
            b[0] = 0x60;
            b[5] = 8;
            IPAddress.Parse(src).GetAddressBytes().CopyTo(b, 8);
            IPAddress.Parse(dst).GetAddressBytes().CopyTo(b, 24);
            return b;
        }

        [Fact]
        public void DestinationsGoToThePeerWhoseAllowedIpsHoldThem()
        {
            var table = new[] { PeerServer.ParseAllowed("172.16.0.2/32, fd01:5ca1::2/128"), PeerServer.ParseAllowed("10.9.0.0/23,fd02::/16") };
            Assert.Equal(0, PeerServer.Route(table, V4("172.16.0.1", "172.16.0.2"), 0, 28));
            Assert.Equal(-1, PeerServer.Route(table, V4("172.16.0.1", "172.16.0.3"), 0, 28));
            Assert.Equal(1, PeerServer.Route(table, V4("172.16.0.1", "10.9.1.200"), 0, 28));
            Assert.Equal(-1, PeerServer.Route(table, V4("172.16.0.1", "10.9.2.1"), 0, 28)); // outside the /23
            Assert.Equal(0, PeerServer.Route(table, V6("fd01:5ca1::1", "fd01:5ca1::2"), 0, 48));
            Assert.Equal(1, PeerServer.Route(table, V6("fd01:5ca1::1", "fd02:ffff::1"), 0, 48));
            Assert.Equal(-1, PeerServer.Route(table, V6("fd01:5ca1::1", "fd03::1"), 0, 48));
            // At an offset, and neither IPv4 nor IPv6 or too short.
            var shifted = new byte[16 + 28];
            V4("1.2.3.4", "10.9.0.7").CopyTo(shifted, 16);
            Assert.Equal(1, PeerServer.Route(table, shifted, 16, 28));
            Assert.Equal(-1, PeerServer.Route(table, new byte[28], 0, 28));
            Assert.Equal(-1, PeerServer.Route(table, V4("1.2.3.4", "172.16.0.2"), 0, 19));
        }

        [Fact]
        public void ASinglePeerWithoutAllowedIpsTakesEverything()
        {
            var table = new[] { PeerServer.ParseAllowed(null) };
            Assert.Equal(0, PeerServer.Route(table, V4("1.1.1.1", "8.8.8.8"), 0, 28));
            Assert.True(PeerServer.SourceAllowed(table, 0, V4("1.1.1.1", "8.8.8.8"), 0, 28));
            var lab = new[] { PeerServer.ParseAllowed("172.16.0.2/32,fd01:5ca1::2/128") }; // the lab's peer: no default route
            Assert.Equal(-1, PeerServer.Route(lab, V6("fe80::4d73:9c84:be32:6a95", "ff02::2"), 0, 48));
            Assert.Equal(-1, PeerServer.Route(lab, V4("172.16.0.1", "224.0.0.22"), 0, 28));
            var two = new[] { PeerServer.ParseAllowed(null), PeerServer.ParseAllowed("10.0.0.0/8") };
            Assert.Equal(-1, PeerServer.Route(two, V4("1.1.1.1", "8.8.8.8"), 0, 28)); // two peers: no default
        }

        [Fact]
        public void APeersPacketMustComeFromItsAllowedIps()
        {
            var table = new[] { PeerServer.ParseAllowed("172.16.0.2/32,fd01:5ca1::/64") };
            Assert.True(PeerServer.SourceAllowed(table, 0, V4("172.16.0.2", "198.18.0.80"), 0, 28));
            Assert.False(PeerServer.SourceAllowed(table, 0, V4("172.16.0.9", "198.18.0.80"), 0, 28));
            Assert.True(PeerServer.SourceAllowed(table, 0, V6("fd01:5ca1::77", "2001:db8::1"), 0, 48));
            Assert.False(PeerServer.SourceAllowed(table, 0, V6("fd01:5ca2::77", "2001:db8::1"), 0, 48));
            Assert.False(PeerServer.SourceAllowed(table, 1, V4("172.16.0.2", "198.18.0.80"), 0, 28)); // no such peer
            Assert.False(PeerServer.SourceAllowed(table, 0, V4("172.16.0.2", "198.18.0.80"), 0, 10)); // truncated
        }

        [Theory]
        [InlineData("10.0.0.0/33")]
        [InlineData("fd00::/129")]
        [InlineData("not-an-ip/8")]
        [InlineData("10.0.0.0/8/1")]
        public void BadAllowedIpsAreRefused(string text)
        {
            Assert.Throws<ArgumentException>(() => PeerServer.ParseAllowed(text));
        }
    }

    [Collection("lab")]
    public class PeerServerLabTests
    {
        readonly ITestOutputHelper output;
        public PeerServerLabTests(ITestOutputHelper output) { this.output = output; }

        static long Get(Dictionary<string, long> c, string name) { return c.TryGetValue(name, out long v) ? v : 0; }

        /// <summary>
        /// wireguard-go initiates to warp-router peer: ping, a 4 MB download by curl with the same SHA-256 at both
        /// ends, iperf3 both ways, persistent keepalives answered, and a packet from an address outside wireguard-go's
        /// allowed IPs dropped and counted. The server's counters at exit agree.
        /// </summary>
        [SkippableFact]
        public void WireGuardGoInitiatesPingCurlIperfAndKeepalives()
        {
            LabRequirements.RequireLab("wireguard-go", "wg", "ip", "ping", "curl", "iperf3");
            using var lab = new PeerServerLab();
            try
            {
                lab.StartServer(lab.WgPublic + "=" + PeerServerLab.WgTunnelIp + "/32");
                // Before wireguard-go has spoken the server does not know where it is: a packet for it is dropped, counted, and no initiation is tried.
                Shell.Run($"ip netns exec {PeerServerLab.B} ping -c 1 -W 1 {PeerServerLab.WgTunnelIp}", 10000, false);
                lab.StartWireGuardGo(1);
                string ping = Shell.Run($"ip netns exec {PeerServerLab.A} ping -c 3 -i 0.3 -W 3 {PeerServerLab.ServerTunnelIp}", 20000, false);
                Assert.Contains("3 received", ping);

                // curl: a 4 MB random file served in wpp-b, fetched through the tunnel, compared byte for byte.
                var data = new byte[4 << 20];
                RandomNumberGenerator.Fill(data);
                Directory.CreateDirectory(Path.Combine(lab.Work, "www"));
                File.WriteAllBytes(Path.Combine(lab.Work, "www", "blob"), data);
                var web = Shell.Start($"ip netns exec {PeerServerLab.B} /usr/bin/python3 -m http.server --bind {PeerServerLab.ServerTunnelIp} --directory {lab.Work}/www 8080");
                try
                {
                    string got = Path.Combine(lab.Work, "got");
                    string curl = "";
                    for (int i = 0; i < 20; i++)
                    {
                        curl = Shell.Run($"ip netns exec {PeerServerLab.A} curl -sS --max-time 20 -o {got} -w '%{{http_code}}' http://{PeerServerLab.ServerTunnelIp}:8080/blob", 30000, false);
                        if (curl.Contains("200", StringComparison.Ordinal)) break;
                        Thread.Sleep(200); // the server is still starting
                    }
                    Assert.Contains("200", curl);
                    Assert.Equal(Convert.ToHexString(SHA256.HashData(data)), Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(got))));
                }
                finally
                {
                    Shell.Stop(web);
                }

                // iperf3 both ways for 2 s each.
                var iperf = Shell.Start($"ip netns exec {PeerServerLab.B} iperf3 -s -B {PeerServerLab.ServerTunnelIp}");
                try
                {
                    Thread.Sleep(500);
                    foreach (string dir in new[] { "", " -R" })
                    {
                        string json = Shell.Run($"ip netns exec {PeerServerLab.A} iperf3 -c {PeerServerLab.ServerTunnelIp} -t 2 -J{dir}", 30000, false);
                        using var doc = System.Text.Json.JsonDocument.Parse(json);
                        double bps = doc.RootElement.GetProperty("end").GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
                        output.WriteLine($"iperf3{dir}: {bps / 1e6:F0} Mbit/s");
                        Assert.True(bps > 10e6, $"iperf3{dir}: {bps / 1e6:F1} Mbit/s");
                        Thread.Sleep(1000);
                    }
                }
                finally
                {
                    Shell.Stop(iperf);
                }

                // Cryptokey routing: wireguard-go sends a packet whose source is not among its allowed IPs at the server.
                Shell.Run($"ip netns exec {PeerServerLab.A} ip addr add 10.78.0.9/32 dev {PeerServerLab.WgDev}");
                string spoofed = Shell.Run($"ip netns exec {PeerServerLab.A} ping -c 2 -i 0.3 -W 1 -I 10.78.0.9 {PeerServerLab.ServerTunnelIp}", 20000, false);
                Assert.Contains("0 received", spoofed);

                Thread.Sleep(3000); // idle: wireguard-go's persistent keepalive (1 s) reaches the server
                string show = Shell.Run($"ip netns exec {PeerServerLab.A} wg show {PeerServerLab.WgDev} latest-handshakes");
                Assert.Matches(lab.ServerPublic.Replace("+", "\\+") + "\\t[1-9][0-9]+", show);

                var c = lab.StopServer();
                output.WriteLine(lab.Log);
                Assert.Equal(1, Get(c, "tunnel.responses_sent"));
                Assert.Equal(1, Get(c, "tunnel.handshakes_completed"));
                Assert.True(Get(c, "tunnel.keepalives_received") >= 2, "keepalives received: " + Get(c, "tunnel.keepalives_received"));
                Assert.True(Get(c, "tunnel.data_packets_received") > 3000, "data packets received: " + Get(c, "tunnel.data_packets_received"));
                Assert.True(Get(c, "drop.source_not_allowed") >= 2, "drop.source_not_allowed: " + Get(c, "drop.source_not_allowed"));
                Assert.True(Get(c, "drop.no_endpoint") >= 1, "drop.no_endpoint: " + Get(c, "drop.no_endpoint"));
                Assert.Equal(0, Get(c, "tunnel.initiations_sent"));
                Assert.Equal(0, Get(c, "drop.tun_write"));
                Assert.Equal(0, Get(c, "drop.uplink_send"));
                Assert.Equal(Get(c, "packets_to_tun") + Get(c, "drop.source_not_allowed"), Get(c, "tunnel.data_packets_received"));
            }
            catch
            {
                output.WriteLine("peer log: " + lab.Log);
                throw;
            }
        }

        /// <summary>
        /// Our own Tunnel as the initiator with a WARP client id in the reserved bytes (which wireguard-go would drop):
        /// the server clears them, answers the handshake and carries an echo request to its kernel and the reply back.
        /// </summary>
        [SkippableFact]
        public void AnInitiatorWithAWarpClientIdIsAnswered()
        {
            LabRequirements.RequireLab("wg", "ip");
            using var lab = new PeerServerLab();
            try
            {
                var key = new byte[32];
                RandomNumberGenerator.Fill(key);
                using var host = new TunnelHost(key, new IPEndPoint(IPAddress.Parse(PeerServerLab.RootSideIp), 0));
                lab.StartServer(Convert.ToBase64String(host.Tunnel.PublicKey) + "=" + PeerServerLab.HostTunnelIp + "/32");
                var ep = new Endpoint();
                ep.SetIpv4(Packets.V4(PeerServerLab.PeerRootIp), PeerServerLab.Port);
                Assert.Equal(0, host.Tunnel.AddPeer(new PeerConfig { PublicKey = Convert.FromBase64String(lab.ServerPublic), Endpoint = ep, ClientId = 0x0A0B0C }));
                uint us = Packets.V4(PeerServerLab.HostTunnelIp), them = Packets.V4(PeerServerLab.ServerTunnelIp);
                Assert.Equal(TunnelAction.Staged, host.Send(Packets.IcmpEcho(us, them, 0x4343, 1, 56)).Action);
                bool reply = false;
                Assert.True(host.Pump(10000, () => reply, (p, n) =>
                {
                    Assert.True(Ipv4Packet.TryCreate(p, 0, n, out var ip));
                    Assert.Equal(them, ip.Source);
                    if (Icmpv4Packet.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out var icmp) && icmp.Type == Icmpv4Packet.TypeEchoReply && icmp.Identifier == 0x4343)
                        reply = true;
                }), "no echo reply through warp-router peer");
                Assert.Equal(1, host.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);

                // A rekey: the initiator asks for a new handshake (allowed once RekeyTimeout, 5 s, has passed);
                // the server answers it and the next echo travels on the new session.
                Thread.Sleep(5200);
                host.Tunnel.Connect(0, host.Now);
                Assert.True(host.Pump(10000, () => host.Tunnel.Counters[TunnelCounter.HandshakesCompleted] == 2), "no second handshake");
                reply = false;
                Assert.Equal(TunnelAction.WriteToNetwork, host.Send(Packets.IcmpEcho(us, them, 0x4343, 2, 56)).Action);
                Assert.True(host.Pump(10000, () => reply, (p, n) =>
                {
                    Assert.True(Ipv4Packet.TryCreate(p, 0, n, out var ip));
                    if (Icmpv4Packet.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out var icmp) && icmp.Type == Icmpv4Packet.TypeEchoReply && icmp.SequenceNumber == 2)
                        reply = true;
                }), "no echo reply after the rekey");

                var c = lab.StopServer();
                output.WriteLine(lab.Log);
                Assert.Equal(2, Get(c, "tunnel.responses_sent"));
                Assert.Equal(2, Get(c, "tunnel.handshakes_completed"));
                Assert.True(Get(c, "packets_to_tun") >= 2);
                Assert.Equal(0, Get(c, "drop.source_not_allowed"));
            }
            catch
            {
                output.WriteLine("peer log: " + lab.Log);
                throw;
            }
        }
        /// <summary>
        /// Cookie replies under load: 150 initiations with a valid mac1 from unknown keys within a moment put the server
        /// over its 64 handshake messages a second; it answers with cookie replies (64 bytes, type 3) instead of
        /// doing the Diffie-Hellman work, our initiator's own initiation meanwhile gets one that it can decrypt (its
        /// cookie is stored), and once the load is over its retransmission completes the handshake and an echo comes back.
        /// </summary>
        [SkippableFact]
        public void UnderAFloodOfInitiationsTheServerSendsCookieReplies()
        {
            LabRequirements.RequireLab("wg", "ip");
            using var lab = new PeerServerLab();
            try
            {
                var key = new byte[32];
                RandomNumberGenerator.Fill(key);
                using var host = new TunnelHost(key, new IPEndPoint(IPAddress.Parse(PeerServerLab.RootSideIp), 0));
                lab.StartServer(Convert.ToBase64String(host.Tunnel.PublicKey) + "=" + PeerServerLab.HostTunnelIp + "/32");
                var server = new Endpoint();
                server.SetIpv4(Packets.V4(PeerServerLab.PeerRootIp), PeerServerLab.Port);
                byte[] serverKey = Convert.FromBase64String(lab.ServerPublic);
                Assert.Equal(0, host.Tunnel.AddPeer(new PeerConfig { PublicKey = serverKey, Endpoint = server }));

                // 150 initiations from strangers, made first and then sent at once from one socket.
                var flood = new List<byte[]>();
                var crypto = new Warp.Hal.Linux.LinuxCryptoBackend();
                var random = new Warp.Hal.Linux.SystemRandomSource();
                var buffer = new byte[256];
                for (int i = 0; i < 150; i++)
                {
                    var k = new byte[32];
                    RandomNumberGenerator.Fill(k);
                    var stranger = new Tunnel(new TunnelConfig { PrivateKey = k }, crypto, random, null);
                    stranger.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1);
                    Assert.Equal(0, stranger.AddPeer(new PeerConfig { PublicKey = serverKey, Endpoint = server }));
                    stranger.Connect(0, 1);
                    var r = stranger.Tick(1, buffer, 0);
                    Assert.Equal(TunnelAction.WriteToNetwork, r.Action);
                    flood.Add(buffer.AsSpan(0, r.Length).ToArray());
                }
                using var sock = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
                sock.Bind(new IPEndPoint(IPAddress.Parse(PeerServerLab.RootSideIp), 0));
                var to = new IPEndPoint(IPAddress.Parse(PeerServerLab.PeerRootIp), PeerServerLab.Port);
                foreach (var m in flood) sock.SendTo(m, to);
                // Our initiator's first initiation arrives while the server is under load.
                uint us = Packets.V4(PeerServerLab.HostTunnelIp), them = Packets.V4(PeerServerLab.ServerTunnelIp);
                Assert.Equal(TunnelAction.Staged, host.Send(Packets.IcmpEcho(us, them, 0x4444, 1, 56)).Action);
                host.RunTimers();

                int cookieReplies = 0;
                var rx = new byte[2048];
                var deadline = DateTime.UtcNow.AddSeconds(3);
                while (DateTime.UtcNow < deadline)
                {
                    if (!sock.Poll(200000, System.Net.Sockets.SelectMode.SelectRead)) continue;
                    int n = sock.Receive(rx);
                    if (n == Message.CookieReplySize && rx[0] == Message.TypeCookieReply) cookieReplies++;
                }
                output.WriteLine($"cookie replies to the flood: {cookieReplies} of {flood.Count}");
                Assert.True(cookieReplies >= 50, "cookie replies to the flood: " + cookieReplies);

                bool reply = false;
                Assert.True(host.Pump(15000, () => reply, (p, n) =>
                {
                    Assert.True(Ipv4Packet.TryCreate(p, 0, n, out var ip));
                    if (Icmpv4Packet.TryCreate(p, ip.PayloadOffset, ip.PayloadLength, out var icmp) && icmp.Type == Icmpv4Packet.TypeEchoReply && icmp.Identifier == 0x4444)
                        reply = true;
                }), "no echo reply after the flood");
                Assert.Equal(1, host.Tunnel.Counters[TunnelCounter.CookiesReceived]);
                Assert.Equal(1, host.Tunnel.Counters[TunnelCounter.HandshakesCompleted]);
                var c = lab.StopServer();
                output.WriteLine(lab.Log);
                Assert.True(Get(c, "tunnel.cookie_replies_sent") >= cookieReplies + 1);
                Assert.Equal(1, Get(c, "tunnel.responses_sent"));
            }
            catch
            {
                output.WriteLine("peer log: " + lab.Log);
                throw;
            }
        }
    }
}

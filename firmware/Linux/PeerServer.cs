using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using Warp.Hal;
using Warp.Hal.Linux;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;

namespace Warp.Router.Linux
{
    /// <summary>
    /// `warp-router peer`: a WireGuard responder for the lab (not shipped on the device), the far
    /// end of the tunnel in the place of wireguard-go. The protocol core's <see cref="Tunnel"/>
    /// answers initiations, keepalives, rekeys and (under load) cookie replies; the uplink is the
    /// batched UDP socket (recvmmsg, UDP GRO, sendmmsg and UDP GSO, 4 MiB buffers) and the inner
    /// packets go to and come from a TUN device. Received messages have their reserved bytes
    /// cleared before they are read, so a router sending a WARP client id is accepted; replies
    /// carry the id given with --client-id (default none, as a plain WireGuard peer).
    /// Cryptokey routing: a peer's packets must come from its allowed IPs (when it has any), and a
    /// packet read from the TUN goes to the peer whose allowed IPs hold its destination (with no
    /// allowed IPs given and a single peer, everything goes to it).
    /// The datagram and packet paths allocate nothing; every drop is counted and printed at exit.
    /// </summary>
    public sealed class PeerServer : IDisposable
    {
        public const int Batch = UdpUplink.BatchCapacity;
        const int BufferBytes = UdpUplink.SlotBytes;

        readonly Tunnel tunnel;
        readonly UdpUplink uplink;
        readonly TunDevice tun;
        readonly AllowedIps[] allowed;
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly byte[][] rx = new byte[Batch][];
        readonly int[] rxLengths = new int[Batch];
        readonly Endpoint[] sources = new Endpoint[Batch];
        readonly int[] uplinks = new int[Batch];
        readonly byte[] output = new byte[BufferBytes];
        readonly byte[] packet = new byte[BufferBytes];
        readonly int[] sendResults = new int[8];
        volatile bool stopping;

        /// <summary>What the server counted (besides the tunnel's own <see cref="Tunnel.Counters"/>).</summary>
        public long DatagramsIn, DatagramsOut, PacketsToTun, PacketsFromTun, DropTunWrite, DropNoRoute, DropNoEndpoint, DropSourceNotAllowed, DropUplinkSend, DropTooLarge;

        public sealed class AllowedIps
        {
            public byte[][] Prefixes = new byte[0][];
            public int[] Lengths = new int[0];
            public int[] Families = new int[0];
        }

        public sealed class Options
        {
            public byte[] PrivateKey;
            public int ListenPort = 51820;
            public string Tun;
            public byte[][] PeerKeys = new byte[0][];
            public AllowedIps[] PeerAllowed = new AllowedIps[0];
            public int ClientId;
            public bool Batch = true;
            public int Mtu = 1420;
        }

        public PeerServer(Options o, ITimestampStore timestamps = null)
        {
            if (o.PeerKeys.Length == 0)
                throw new ArgumentException("peer needs at least one --allowed-peer PUBKEY");
            var config = new TunnelConfig { PrivateKey = o.PrivateKey, MaxPeers = o.PeerKeys.Length, MaxPacketSize = o.Mtu, ReplayWindowWords = 128 };
            tunnel = new Tunnel(config, new LinuxCryptoBackend(), new SystemRandomSource(), timestamps);
            tunnel.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Now);
            allowed = new AllowedIps[o.PeerKeys.Length];
            for (int i = 0; i < o.PeerKeys.Length; i++)
            {
                if (tunnel.AddPeer(new PeerConfig { PublicKey = o.PeerKeys[i], ClientId = o.ClientId }) != i)
                    throw new ArgumentException("bad peer public key " + Convert.ToBase64String(o.PeerKeys[i]));
                allowed[i] = i < o.PeerAllowed.Length && o.PeerAllowed[i] != null ? o.PeerAllowed[i] : new AllowedIps();
            }
            for (int i = 0; i < Batch; i++)
            {
                rx[i] = new byte[BufferBytes];
                sources[i] = new Endpoint();
            }
            uplink = new UdpUplink(o.ListenPort, null, o.Batch, o.Batch);
            try
            {
                tun = new TunDevice(o.Tun, o.Batch ? TapLanPort.BatchTxQueueFrames : 0);
            }
            catch
            {
                uplink.Dispose();
                throw;
            }
        }

        public Tunnel Tunnel { get { return tunnel; } }
        public UdpUplink Uplink { get { return uplink; } }
        public long Now { get { return clock.ElapsedMilliseconds + 1; } }

        /// <summary>Ends <see cref="Run"/> within one poll timeout (100 ms), from any thread.</summary>
        public void Stop() { stopping = true; }

        /// <summary>The loop: poll the sockets and the TUN until the next timer; drain a batch from each side, flush once per batch.</summary>
        public unsafe void Run()
        {
            Libc.PollFd* fds = stackalloc Libc.PollFd[4];
            while (!stopping)
            {
                int n = 0;
                fds[n++] = new Libc.PollFd { Fd = tun.Fd, Events = Libc.POLLIN };
                if (uplink.V4 != null) fds[n++] = new Libc.PollFd { Fd = (int)uplink.V4.Handle, Events = Libc.POLLIN };
                if (uplink.V6 != null) fds[n++] = new Libc.PollFd { Fd = (int)uplink.V6.Handle, Events = Libc.POLLIN };
                long now = Now;
                long deadline = tunnel.NextDeadline(now);
                long wait = deadline - now;
                int timeout = uplink.GroPending ? 0 : wait < 0 ? 0 : wait > 100 ? 100 : (int)wait;
                Libc.poll(fds, (nuint)n, timeout);
                PollOnce();
            }
        }

        /// <summary>One pass: what waits at the uplink (up to 4 batches), at the TUN (up to 4 batches), then the timers.</summary>
        public void PollOnce()
        {
            for (int round = 0; round < 4; round++)
            {
                if (ReceiveUplink(Now) < Batch)
                    break;
            }
            for (int round = 0; round < 4; round++)
            {
                if (ReceiveTun(Now) < Batch)
                    break;
            }
            RunTimers(Now);
        }

        int ReceiveUplink(long now)
        {
            int got = uplink.ReceiveBatch(rx, 0, BufferBytes, rxLengths, sources, uplinks, Batch);
            for (int i = 0; i < got; i++)
            {
                DatagramsIn++;
                if (rxLengths[i] > BufferBytes)
                {
                    DropTooLarge++;
                    continue;
                }
                TunnelResult r = tunnel.Decapsulate(sources[i], rx[i], 0, rxLengths[i], output, 0, now);
                if (r.Action == TunnelAction.WriteToLan)
                {
                    if (!SourceAllowed(allowed, r.Peer, output, 0, r.Length))
                        DropSourceNotAllowed++;
                    else if (tun.Write(output, 0, r.Length))
                        PacketsToTun++;
                    else
                        DropTunWrite++;
                }
                else if (r.Action == TunnelAction.WriteToNetwork)
                {
                    uplink.Queue(uplinks[i], output, 0, r.Length, sources[i]);
                    DatagramsOut++;
                }
            }
            if (got > 0)
            {
                RunTimers(now); // a handshake or a keepalive may have left something to send
                Flush();
            }
            return got;
        }

        int ReceiveTun(long now)
        {
            int got = 0;
            while (got < Batch)
            {
                // The packet lands 16 bytes in: Encapsulate seals it in place (zero copy).
                int len = tun.Read(packet, Message.DataHeaderSize, BufferBytes - Message.DataHeaderSize - Message.TagSize - 16);
                if (len <= 0)
                    break;
                got++;
                PacketsFromTun++;
                int peer = Route(allowed, packet, Message.DataHeaderSize, len);
                if (peer < 0)
                {
                    DropNoRoute++;
                    continue;
                }
                if (!tunnel.GetPeer(peer).Endpoint.IsSet)
                {
                    DropNoEndpoint++; // a responder cannot reach a peer that has not spoken yet
                    continue;
                }
                TunnelResult r = tunnel.Encapsulate(peer, packet, Message.DataHeaderSize, len, packet, 0, now);
                if (r.Action == TunnelAction.WriteToNetwork)
                {
                    uplink.Queue(0, packet, 0, r.Length, tunnel.GetPeer(peer).Endpoint);
                    DatagramsOut++;
                }
            }
            if (got > 0)
            {
                RunTimers(now); // a staged packet asks for a handshake... which a responder leaves to the other side, but sends keepalives
                Flush();
            }
            return got;
        }

        void RunTimers(long now)
        {
            for (int guard = 0; guard < 64; guard++)
            {
                TunnelResult r = tunnel.Tick(now, output, 0);
                if (r.Action == TunnelAction.Done)
                    break;
                if (r.Action == TunnelAction.WriteToNetwork && r.Peer >= 0)
                {
                    Endpoint e = tunnel.GetPeer(r.Peer).Endpoint;
                    if (e.IsSet)
                    {
                        uplink.Queue(0, output, 0, r.Length, e);
                        DatagramsOut++;
                    }
                }
            }
            Flush();
        }

        void Flush()
        {
            uplink.Flush(sendResults);
            for (int k = 1; k < sendResults.Length; k++)
            {
                DropUplinkSend += sendResults[k];
                sendResults[k] = 0;
            }
            sendResults[0] = 0;
        }

        /// <summary>The peer whose allowed IPs hold the destination of the packet at (b, o); with none given and a single peer, that peer; else -1.</summary>
        public static int Route(AllowedIps[] table, byte[] b, int o, int len)
        {
            int family = len > 0 ? b[o] >> 4 : 0;
            if ((family != 4 && family != 6) || len < (family == 4 ? 20 : 40))
                return -1;
            int at = family == 4 ? o + 16 : o + 24;
            for (int p = 0; p < table.Length; p++)
                if (Holds(table[p], family, b, at))
                    return p;
            if (table.Length == 1 && table[0].Prefixes.Length == 0)
                return 0;
            return -1;
        }

        /// <summary>Cryptokey routing on receive: the packet at (b, o) from <paramref name="peer"/> has a source among its allowed IPs (any source when it has none).</summary>
        public static bool SourceAllowed(AllowedIps[] table, int peer, byte[] b, int o, int len)
        {
            if (peer < 0 || peer >= table.Length)
                return false;
            if (table[peer].Prefixes.Length == 0)
                return true;
            int family = len > 0 ? b[o] >> 4 : 0;
            if ((family != 4 && family != 6) || len < (family == 4 ? 20 : 40))
                return false;
            return Holds(table[peer], family, b, family == 4 ? o + 12 : o + 8);
        }

        static bool Holds(AllowedIps a, int family, byte[] b, int at)
        {
            for (int i = 0; i < a.Prefixes.Length; i++)
            {
                if (a.Families[i] != family)
                    continue;
                byte[] prefix = a.Prefixes[i];
                int bits = a.Lengths[i];
                bool match = true;
                for (int k = 0; k < prefix.Length && bits > 0 && match; k++, bits -= 8)
                {
                    int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                    if (((b[at + k] ^ prefix[k]) & mask) != 0)
                        match = false;
                }
                if (match)
                    return true;
            }
            return false;
        }

        /// <summary>"10.0.0.0/8,fd00::/64" into prefixes; throws ArgumentException on a bad one.</summary>
        public static AllowedIps ParseAllowed(string text)
        {
            var a = new AllowedIps();
            if (string.IsNullOrWhiteSpace(text))
                return a;
            string[] parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            a.Prefixes = new byte[parts.Length][];
            a.Lengths = new int[parts.Length];
            a.Families = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                string[] f = parts[i].Split('/');
                if (!IPAddress.TryParse(f[0], out IPAddress ip))
                    throw new ArgumentException("bad allowed IP " + parts[i]);
                a.Prefixes[i] = ip.GetAddressBytes();
                a.Families[i] = a.Prefixes[i].Length == 4 ? 4 : 6;
                int max = a.Prefixes[i].Length * 8;
                if (f.Length == 1) a.Lengths[i] = max;
                else if (f.Length != 2 || !int.TryParse(f[1], out a.Lengths[i]) || a.Lengths[i] < 0 || a.Lengths[i] > max)
                    throw new ArgumentException("bad allowed IP " + parts[i]);
            }
            return a;
        }

        /// <summary>The counters, one "name value" a line (the tunnel's non-zero ones after the server's).</summary>
        public string Report()
        {
            var sb = new StringBuilder();
            sb.Append("datagrams_in ").Append(DatagramsIn).Append('\n')
              .Append("datagrams_out ").Append(DatagramsOut).Append('\n')
              .Append("packets_to_tun ").Append(PacketsToTun).Append('\n')
              .Append("packets_from_tun ").Append(PacketsFromTun).Append('\n')
              .Append("drop.tun_write ").Append(DropTunWrite).Append('\n')
              .Append("drop.no_route ").Append(DropNoRoute).Append('\n')
              .Append("drop.no_endpoint ").Append(DropNoEndpoint).Append('\n')
              .Append("drop.source_not_allowed ").Append(DropSourceNotAllowed).Append('\n')
              .Append("drop.uplink_send ").Append(DropUplinkSend).Append('\n')
              .Append("drop.too_large ").Append(DropTooLarge).Append('\n')
              .Append("uplink.gro_buffers ").Append(uplink.GroBuffers).Append('\n')
              .Append("uplink.gso_sends ").Append(uplink.GsoSends).Append('\n')
              .Append("uplink.socket_drops ").Append(uplink.SocketDrops()).Append('\n');
            for (int i = 0; i < tunnel.Counters.Length; i++)
            {
                long v = tunnel.Counters.ValueAt(i);
                if (v != 0)
                    sb.Append("tunnel.").Append(tunnel.Counters.NameAt(i)).Append(' ').Append(v).Append('\n');
            }
            return sb.ToString();
        }

        public void Dispose()
        {
            tunnel.ClearSecrets();
            uplink.Dispose();
            tun.Dispose();
        }

        // ------------------------------------------------------------------ the command

        public const string Usage =
            "  warp-router peer --private-key-file FILE --tun NAME --allowed-peer PUBKEY[=CIDR,...] ... [--listen PORT]\n" +
            "                   [--client-id ID] [--mtu N] [--no-batch]\n" +
            "      a WireGuard responder for the lab (the far end in wireguard-go's place): UDP on PORT (default 51820)\n" +
            "      with batches, GRO and GSO, the inner packets on the TUN device NAME (made if missing; give it its\n" +
            "      address and routes with ip); one --allowed-peer per peer, with the inner addresses it may use;\n" +
            "      counters on stderr at exit (SIGTERM, SIGINT)\n";

        public static int Command(string[] args, Func<string[], string, string> option, Func<string[], string, string[]> options, Func<string[], string, bool> flag)
        {
            string keyFile = option(args, "--private-key-file"), tunName = option(args, "--tun");
            string[] peers = options(args, "--allowed-peer");
            if (keyFile == null || tunName == null || peers.Length == 0)
                throw new ArgumentException("peer needs --private-key-file FILE, --tun NAME and --allowed-peer PUBKEY");
            var o = new Options { Tun = tunName, Batch = !flag(args, "--no-batch") };
            string listen = option(args, "--listen");
            if (listen != null && (!int.TryParse(listen, out o.ListenPort) || o.ListenPort < 1 || o.ListenPort > 65535))
                throw new ArgumentException("--listen needs a UDP port (1-65535)");
            string mtu = option(args, "--mtu");
            if (mtu != null && (!int.TryParse(mtu, out o.Mtu) || o.Mtu < 576 || o.Mtu > 1500))
                throw new ArgumentException("--mtu needs 576-1500");
            string clientId = option(args, "--client-id");
            if (clientId != null && !ClientId.TryParse(clientId, out o.ClientId))
                throw new ArgumentException("--client-id needs base64 or b1,b2,b3");
            string keyText;
            try { keyText = File.ReadAllText(keyFile); }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException) { throw new ArgumentException("cannot read " + keyFile + ": " + e.Message); }
            o.PrivateKey = ParseKey(keyText, "the private key in " + keyFile);
            o.PeerKeys = new byte[peers.Length][];
            o.PeerAllowed = new AllowedIps[peers.Length];
            for (int i = 0; i < peers.Length; i++)
            {
                int eq = peers[i].Length > 44 && peers[i][44] == '=' ? 44 : -1; // a base64 key is 44 characters, its last one '='
                string key = eq > 0 ? peers[i].Substring(0, eq) : peers[i];
                o.PeerKeys[i] = ParseKey(key, "--allowed-peer " + key);
                o.PeerAllowed[i] = ParseAllowed(eq > 0 ? peers[i].Substring(eq + 1) : null);
            }
            PeerServer made;
            try { made = new PeerServer(o); }
            catch (Exception e) when (e is IOException || e is System.Net.Sockets.SocketException || e is UnauthorizedAccessException)
            {
                CryptoUtil.Clear(o.PrivateKey);
                Console.Error.WriteLine("warp-router peer: " + e.Message);
                return 1;
            }
            using var server = made;
            CryptoUtil.Clear(o.PrivateKey);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; server.Stop(); });
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; server.Stop(); });
            Console.Error.WriteLine($"peer: listening on UDP {server.Uplink.LocalPort} (batches {(o.Batch ? "on" : "off")}, GRO {(server.Uplink.Gro ? "on" : "off")}, receive buffer {server.Uplink.ReceiveBufferBytes}), TUN {tunName}, {peers.Length} peer(s), public key {Convert.ToBase64String(server.Tunnel.PublicKey)}");
            server.Run();
            Console.Error.Write(server.Report());
            return 0;
        }

        static byte[] ParseKey(string text, string what)
        {
            byte[] key;
            try { key = Convert.FromBase64String(text.Trim()); }
            catch (FormatException) { throw new ArgumentException(what + " is not base64"); }
            if (key.Length != 32)
                throw new ArgumentException(what + " is not 32 bytes");
            return key;
        }
    }
}

using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Warp.Protocol.Crypto;
using Warp.Protocol.WireGuard;

namespace Warp.Lab.Tests
{
    /// <summary>
    /// A test harness around <see cref="Tunnel"/>: one UDP socket, a monotonic clock, and a pump
    /// that feeds received datagrams to the tunnel, runs its timers and sends what it asks to.
    /// <para>
    /// Why this does not reuse <c>Warp.Router.Linux.RouterHost</c>: RouterHost runs a whole Router
    /// (LAN port, LAN services, NAT, one peer from a config file) and its loop never hands an IP
    /// packet to its caller; these tests drive a bare <see cref="Tunnel"/> as initiator or responder,
    /// inject IP packets, see each decapsulated one, and stop on a condition. What the two have in
    /// common is a poll on a UDP socket and the IPEndPoint/Endpoint conversion, about fifteen lines;
    /// sharing them would mean a packet callback in the router's loop, or the interop tests going
    /// through the NAT they do not test. Both are worse than the copy.
    /// </para>
    /// </summary>
    public sealed class TunnelHost : IDisposable
    {
        public readonly Tunnel Tunnel;
        public readonly Socket Socket;
        readonly Stopwatch clock = Stopwatch.StartNew();
        readonly byte[] rx = new byte[2048];
        readonly byte[] tx = new byte[2048];
        readonly byte[] plain = new byte[2048];
        readonly Endpoint source = new Endpoint();
        public long Now { get { return clock.ElapsedMilliseconds + 1; } }

        public TunnelHost(byte[] privateKey, IPEndPoint bind)
            : this(new Tunnel(new TunnelConfig { PrivateKey = privateKey }, new ManagedCryptoBackend(), new Warp.Hal.Linux.SystemRandomSource(), null), bind)
        {
        }

        public TunnelHost(Tunnel tunnel, IPEndPoint bind)
        {
            Tunnel = tunnel;
            Tunnel.SetWallClock(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), Now);
            Socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            Socket.Bind(bind);
        }

        public int LocalPort { get { return ((IPEndPoint)Socket.LocalEndPoint).Port; } }

        public static Endpoint ToEndpoint(IPEndPoint ep)
        {
            var e = new Endpoint();
            var bytes = ep.Address.GetAddressBytes();
            e.Set(bytes.Length == 4 ? Endpoint.FamilyIpv4 : Endpoint.FamilyIpv6, bytes, 0, ep.Port);
            return e;
        }

        static IPEndPoint ToIp(Endpoint e)
        {
            var bytes = new byte[e.AddressLength];
            Array.Copy(e.Address, bytes, bytes.Length);
            return new IPEndPoint(new IPAddress(bytes), e.Port);
        }

        /// <summary>Encapsulates and sends an IP packet to peer 0 (or stages it until the handshake).</summary>
        public TunnelResult Send(byte[] packet)
        {
            var r = Tunnel.Encapsulate(0, packet, 0, packet.Length, tx, 0, Now);
            if (r.Action == TunnelAction.WriteToNetwork)
                Socket.SendTo(tx, 0, r.Length, SocketFlags.None, ToIp(Tunnel.GetPeer(0).Endpoint));
            return r;
        }

        /// <summary>
        /// Services the socket and the timers until <paramref name="done"/> says stop or the time
        /// runs out. Each IP packet from the tunnel goes to <paramref name="onPacket"/>.
        /// Returns true when <paramref name="done"/> returned true.
        /// </summary>
        public bool Pump(int timeoutMs, Func<bool> done, Action<byte[], int> onPacket = null)
        {
            long end = Now + timeoutMs;
            EndPoint from = new IPEndPoint(Socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
            while (true)
            {
                RunTimers();
                if (done()) return true;
                if (Now >= end) return false;
                long wait = Math.Min(end, Tunnel.NextDeadline(Now)) - Now;
                if (wait > 50) wait = 50;
                if (wait < 1) wait = 1;
                if (!Socket.Poll((int)wait * 1000, SelectMode.SelectRead)) continue;
                int n = Socket.ReceiveFrom(rx, ref from);
                var src = ToEndpoint((IPEndPoint)from);
                source.CopyFrom(src);
                var r = Tunnel.Decapsulate(source, rx, 0, n, plain, 0, Now);
                if (r.Action == TunnelAction.WriteToNetwork)
                    Socket.SendTo(plain, 0, r.Length, SocketFlags.None, from);
                else if (r.Action == TunnelAction.WriteToLan && onPacket != null)
                    onPacket(plain, r.Length);
            }
        }

        public void RunTimers()
        {
            while (true)
            {
                var r = Tunnel.Tick(Now, tx, 0);
                if (r.Action == TunnelAction.Done) return;
                if (r.Action == TunnelAction.WriteToNetwork && Tunnel.GetPeer(r.Peer).Endpoint.IsSet)
                    Socket.SendTo(tx, 0, r.Length, SocketFlags.None, ToIp(Tunnel.GetPeer(r.Peer).Endpoint));
            }
        }

        public void Dispose()
        {
            Socket.Dispose();
            Tunnel.ClearSecrets();
        }
    }
}

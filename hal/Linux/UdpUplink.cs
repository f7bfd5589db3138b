using System;
using System.Net;
using System.Net.Sockets;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The uplink as non-blocking UDP sockets, one per family per uplink (either family may be
    /// missing when the host has no such address). With no device named, one uplink follows the
    /// routing table's choice; with devices (<c>--uplink IF</c>, repeated), each uplink's sockets
    /// are bound to its device (SO_BINDTODEVICE). <see cref="Reconnect"/> makes a family's socket
    /// anew (the fast reconnect). Send and receive use preallocated SocketAddress objects, so the
    /// datagram path allocates nothing.
    /// </summary>
    public sealed partial class UdpUplink : IUplink, IMultiUplink, IUplinkBatch, IDisposable
    {
        const int SolSocket = 1, SoBindToDevice = 25;
        readonly string[] devices;
        readonly Socket[] v4s, v6s;
        readonly int port;
        readonly SocketAddress rx4 = new SocketAddress(AddressFamily.InterNetwork);
        readonly SocketAddress rx6 = new SocketAddress(AddressFamily.InterNetworkV6);
        readonly SocketAddress tx4 = new SocketAddress(AddressFamily.InterNetwork);
        readonly SocketAddress tx6 = new SocketAddress(AddressFamily.InterNetworkV6);
        int next;
        int lastReceive;

        /// <param name="port">Local port (0 picks one); the same port is used for both families where possible.</param>
        /// <param name="devices">Interfaces to bind each uplink to; null or empty: one uplink, the routing table's choice.</param>
        /// <param name="batch">Batches (recvmmsg/sendmmsg, see UdpUplink.Batch.cs) and socket buffers of
        /// <see cref="BufferBytes"/>; false: one datagram per call and the kernel's default buffers.</param>
        /// <param name="gro">With batches: UDP GRO on the receive where the kernel has it (UdpUplink.Gro.cs).</param>
        public UdpUplink(int port = 0, string[] devices = null, bool batch = false, bool gro = true)
        {
            Batching = batch;
            bufferBytes = batch ? BufferBytes : 0;
            Gso = batch;
            if (batch)
            {
                rx = new MessageBatch(BatchCapacity, SlotBytes);
                tx = new MessageBatch(BatchCapacity, SlotBytes);
            }
            this.devices = devices != null && devices.Length > 0 ? devices : new string[] { null };
            v4s = new Socket[this.devices.Length];
            v6s = new Socket[this.devices.Length];
            for (int u = 0; u < this.devices.Length; u++)
            {
                v4s[u] = Open(AddressFamily.InterNetwork, port, this.devices[u], bufferBytes);
                int p = v4s[u] != null ? ((IPEndPoint)v4s[u].LocalEndPoint).Port : port;
                v6s[u] = Open(AddressFamily.InterNetworkV6, p, this.devices[u], bufferBytes) ?? Open(AddressFamily.InterNetworkV6, 0, this.devices[u], bufferBytes);
                if (u == 0) this.port = port;
            }
            if (v4s[0] == null && v6s[0] == null)
                throw new SocketException((int)SocketError.AddressFamilyNotSupported);
            StartGro(gro);
        }

        static Socket Open(AddressFamily family, int port, string device, int bufferBytes)
        {
            Socket s = null;
            try
            {
                s = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
                if (family == AddressFamily.InterNetworkV6)
                    s.DualMode = false;
                s.Blocking = false;
                if (device != null)
                {
                    var name = new byte[device.Length + 1];
                    for (int i = 0; i < device.Length; i++) name[i] = (byte)device[i];
                    s.SetRawSocketOption(SolSocket, SoBindToDevice, name);
                }
                // Several uplinks share the port: each socket is bound to its own device.
                if (device != null && port != 0)
                    s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                s.Bind(new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, port));
                if (bufferBytes > 0)
                    SizeBuffers(s, bufferBytes);
                return s;
            }
            catch (SocketException)
            {
                s?.Dispose();
                return null;
            }
        }

        public Socket V4 { get { return v4s[0]; } }
        public Socket V6 { get { return v6s[0]; } }
        public int LocalPort { get { return ((IPEndPoint)(v4s[0] ?? v6s[0]).LocalEndPoint).Port; } }
        /// <summary>Every open socket (for the host's poll set); a reconnect replaces one, so ask again each time.</summary>
        public System.Collections.Generic.IEnumerable<Socket> Sockets
        {
            get
            {
                for (int u = 0; u < devices.Length; u++)
                {
                    if (v4s[u] != null) yield return v4s[u];
                    if (v6s[u] != null) yield return v6s[u];
                }
            }
        }

        public int UplinkCount { get { return devices.Length; } }
        public string UplinkName(int uplink) { return uplink >= 0 && uplink < devices.Length ? devices[uplink] ?? "default" : "?"; }
        public int LastReceiveUplink { get { return lastReceive; } }
        /// <summary>Sockets made anew by <see cref="Reconnect"/>.</summary>
        public int Reconnects { get; private set; }

        public bool Reconnect(int uplink, int family)
        {
            if (uplink < 0 || uplink >= devices.Length)
                return false;
            Socket[] set = family == Endpoint.FamilyIpv4 ? v4s : v6s;
            int keepPort = set[uplink] != null ? ((IPEndPoint)set[uplink].LocalEndPoint).Port : port;
            set[uplink]?.Dispose();
            set[uplink] = null;
            var fresh = Open(family == Endpoint.FamilyIpv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6, port != 0 ? keepPort : 0, devices[uplink], bufferBytes);
            set[uplink] = fresh;
            GroOnNewSocket(fresh);
            Reconnects++;
            return fresh != null;
        }

        public int Receive(byte[] buffer, int offset, int count, Endpoint source)
        {
            if (Gro)
                return ReceiveOneWithGro(buffer, offset, count, source);
            // Take each socket in turn, starting after the last one read, so none can starve another.
            int n = 2 * devices.Length;
            for (int k = 0; k < n; k++)
            {
                int i = (next + k) % n;
                int u = i >> 1;
                int got = (i & 1) == 0 ? Read(v6s[u], rx6, buffer, offset, count, source) : Read(v4s[u], rx4, buffer, offset, count, source);
                if (got > 0)
                {
                    next = (i + 1) % n;
                    lastReceive = u;
                    return got;
                }
            }
            return 0;
        }
        static int Read(Socket s, SocketAddress from, byte[] buffer, int offset, int count, Endpoint source)
        {
            if (s == null || s.Available == 0)
                return 0;
            int n;
            try
            {
                n = s.ReceiveFrom(new Span<byte>(buffer, offset, count), SocketFlags.None, from);
            }
            catch (SocketException)
            {
                return 0; // e.g. ICMP port unreachable reported on the socket: nothing to read
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }
            var span = from.Buffer.Span;
            int port = (span[2] << 8) | span[3];
            if (from.Family == AddressFamily.InterNetwork)
            {
                source.Family = Endpoint.FamilyIpv4;
                Array.Clear(source.Address, 0, 16);
                for (int i = 0; i < 4; i++) source.Address[i] = span[4 + i];
            }
            else
            {
                source.Family = Endpoint.FamilyIpv6;
                for (int i = 0; i < 16; i++) source.Address[i] = span[8 + i];
            }
            source.Port = port;
            return n;
        }

        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination) { return SendOn(0, buffer, offset, count, destination); }

        public UplinkSendResult SendOn(int uplink, byte[] buffer, int offset, int count, Endpoint destination)
        {
            if (uplink < 0 || uplink >= devices.Length)
                return UplinkSendResult.Failed;
            Socket v4 = v4s[uplink], v6 = v6s[uplink];
            Socket s;
            SocketAddress to;
            var span = default(Span<byte>);
            if (destination.Family == Endpoint.FamilyIpv4 && v4 != null)
            {
                s = v4;
                to = tx4;
                span = to.Buffer.Span;
                for (int i = 0; i < 4; i++) span[4 + i] = destination.Address[i];
            }
            else if (destination.Family == Endpoint.FamilyIpv6 && v6 != null)
            {
                s = v6;
                to = tx6;
                span = to.Buffer.Span;
                for (int i = 0; i < 16; i++) span[8 + i] = destination.Address[i];
            }
            else
            {
                return UplinkSendResult.FamilyDown;
            }
            span[2] = (byte)(destination.Port >> 8);
            span[3] = (byte)destination.Port;
            try
            {
                return s.SendTo(new ReadOnlySpan<byte>(buffer, offset, count), SocketFlags.None, to) == count
                    ? UplinkSendResult.Sent : UplinkSendResult.Failed;
            }
            catch (SocketException e)
            {
                return Classify(e.SocketErrorCode); // the caller counts it and the path selector reacts
            }
        }

        /// <summary>The send result for a socket error (errno as .NET reports it).</summary>
        public static UplinkSendResult Classify(SocketError error)
        {
            switch (error)
            {
                case SocketError.WouldBlock:
                case SocketError.TryAgain:
                    return UplinkSendResult.WouldBlock;
                case SocketError.NoBufferSpaceAvailable:
                    return UplinkSendResult.NoBuffers;
                case SocketError.NetworkUnreachable:
                case SocketError.HostUnreachable:
                    return UplinkSendResult.NoRoute;
                case SocketError.AddressFamilyNotSupported:
                case SocketError.AddressNotAvailable:
                case SocketError.NetworkDown:
                    return UplinkSendResult.FamilyDown;
                default:
                    return UplinkSendResult.Failed;
            }
        }

        public void Dispose()
        {
            for (int u = 0; u < devices.Length; u++)
            {
                v4s[u]?.Dispose();
                v6s[u]?.Dispose();
            }
            rx?.Dispose();
            tx?.Dispose();
            groRx?.Dispose();
        }
    }
}

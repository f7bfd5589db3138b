using System;
using System.Net;
using System.Net.Sockets;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Linux
{
    /// <summary>
    /// The uplink as two non-blocking UDP sockets, one per family (either may be missing when the
    /// host has no such address). Send and receive use preallocated SocketAddress objects, so the
    /// datagram path allocates nothing.
    /// </summary>
    public sealed class UdpUplink : IUplink, IDisposable
    {
        readonly Socket v4, v6;
        readonly SocketAddress rx4 = new SocketAddress(AddressFamily.InterNetwork);
        readonly SocketAddress rx6 = new SocketAddress(AddressFamily.InterNetworkV6);
        readonly SocketAddress tx4 = new SocketAddress(AddressFamily.InterNetwork);
        readonly SocketAddress tx6 = new SocketAddress(AddressFamily.InterNetworkV6);
        bool preferV6;

        /// <param name="port">Local port (0 picks one); the same port is used for both families where possible.</param>
        public UdpUplink(int port = 0)
        {
            v4 = Open(AddressFamily.InterNetwork, new IPEndPoint(IPAddress.Any, port));
            int p = v4 != null ? ((IPEndPoint)v4.LocalEndPoint).Port : port;
            v6 = Open(AddressFamily.InterNetworkV6, new IPEndPoint(IPAddress.IPv6Any, p)) ?? Open(AddressFamily.InterNetworkV6, new IPEndPoint(IPAddress.IPv6Any, 0));
            if (v4 == null && v6 == null)
                throw new SocketException((int)SocketError.AddressFamilyNotSupported);
        }

        static Socket Open(AddressFamily family, IPEndPoint bind)
        {
            try
            {
                var s = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
                if (family == AddressFamily.InterNetworkV6)
                    s.DualMode = false;
                s.Blocking = false;
                s.Bind(bind);
                return s;
            }
            catch (SocketException)
            {
                return null;
            }
        }

        public Socket V4 { get { return v4; } }
        public Socket V6 { get { return v6; } }
        public int LocalPort { get { return ((IPEndPoint)(v4 ?? v6).LocalEndPoint).Port; } }

        public int Receive(byte[] buffer, int offset, int count, Endpoint source)
        {
            // Alternate which family is read first so neither can starve the other.
            preferV6 = !preferV6;
            int n = preferV6 ? Read(v6, rx6, buffer, offset, count, source) : Read(v4, rx4, buffer, offset, count, source);
            if (n > 0)
                return n;
            return preferV6 ? Read(v4, rx4, buffer, offset, count, source) : Read(v6, rx6, buffer, offset, count, source);
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

        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination)
        {
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
            v4?.Dispose();
            v6?.Dispose();
        }
    }
}

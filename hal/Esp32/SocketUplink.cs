using System.Net;
using System.Net.Sockets;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Esp32
{
    /// <summary>
    /// The uplink on lwIP: one UDP socket per family (IPv6 only where the board's firmware has it),
    /// on the Wi-Fi station or the Ethernet interface, whichever has the route. Non-blocking by
    /// polling: Receive asks <c>Available</c> first and reads only what is there. lwIP errors come
    /// as SocketException and are mapped by <see cref="LwipErrors"/> (ENOBUFS/ENOMEM: NoBuffers).
    /// <see cref="Reconnect"/> closes a family's socket and opens it again on the same port
    /// (the fast reconnect). nanoFramework's ReceiveFrom makes a new IPEndPoint for each sender,
    /// so a received datagram costs one small allocation here; the data path moves to the
    /// native fast path in the next issue.
    /// </summary>
    public sealed class SocketUplink : IUplink, IMultiUplink
    {
        readonly int port;
        readonly bool ipv6;
        readonly string name;
        Socket v4, v6;
        int nextFamily;
        readonly Endpoint cachedDestination = new Endpoint();
        IPEndPoint cachedEndPoint;

        /// <param name="port">The local UDP port (the config's ListenPort; 0 lets lwIP pick).</param>
        /// <param name="ipv6">Open an IPv6 socket too (the board's firmware has IPv6).</param>
        /// <param name="name">The uplink's name for the console ("wlan0", "eth0").</param>
        public SocketUplink(int port, bool ipv6, string name)
        {
            this.port = port;
            this.ipv6 = ipv6;
            this.name = name;
            v4 = Open(AddressFamily.InterNetwork);
            if (ipv6)
                v6 = Open(AddressFamily.InterNetworkV6);
        }

        Socket Open(AddressFamily family)
        {
            Socket s = null;
            try
            {
                s = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
                s.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, port));
                return s;
            }
            catch (SocketException)
            {
                if (s != null)
                    s.Close();
                return null;
            }
        }

        public bool HasIpv4 { get { return v4 != null; } }
        public bool HasIpv6 { get { return v6 != null; } }

        public int UplinkCount { get { return 1; } }
        public string UplinkName(int uplink) { return name; }
        public int LastReceiveUplink { get { return 0; } }

        /// <summary>True when either socket has a datagram waiting.</summary>
        public bool DataWaiting
        {
            get { return Waiting(v4) || Waiting(v6); }
        }

        static bool Waiting(Socket s)
        {
            if (s == null)
                return false;
            try
            {
                return s.Available > 0;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public int Receive(byte[] buffer, int offset, int count, Endpoint source)
        {
            // Alternate the families so a busy one cannot starve the other.
            for (int i = 0; i < 2; i++)
            {
                nextFamily ^= 1;
                Socket s = nextFamily == 0 ? v4 : v6;
                if (!Waiting(s))
                    continue;
                EndPoint from = new IPEndPoint(0, 0);
                int n;
                try
                {
                    n = s.ReceiveFrom(buffer, offset, count, SocketFlags.None, ref from);
                }
                catch (SocketException)
                {
                    continue;
                }
                if (n <= 0)
                    continue;
                IPEndPoint ip = from as IPEndPoint;
                if (ip == null)
                    continue;
                byte[] a = ip.Address.GetAddressBytes();
                if (a.Length == 16)
                    source.Set(Endpoint.FamilyIpv6, a, 0, ip.Port);
                else
                    source.Set(Endpoint.FamilyIpv4, a, 0, ip.Port);
                return n;
            }
            return 0;
        }

        public UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination)
        {
            return SendOn(0, buffer, offset, count, destination);
        }

        public UplinkSendResult SendOn(int uplink, byte[] buffer, int offset, int count, Endpoint destination)
        {
            Socket s = destination.Family == Endpoint.FamilyIpv6 ? v6 : destination.Family == Endpoint.FamilyIpv4 ? v4 : null;
            if (s == null)
                return UplinkSendResult.FamilyDown;
            try
            {
                int sent = s.SendTo(buffer, offset, count, SocketFlags.None, ToEndPoint(destination));
                return sent == count ? UplinkSendResult.Sent : UplinkSendResult.Failed;
            }
            catch (SocketException e)
            {
                return LwipErrors.ToSendResult(e.ErrorCode);
            }
        }

        /// <summary>The destination as an IPEndPoint, made once per destination (the peer's path rarely changes), so sends do not allocate.</summary>
        IPEndPoint ToEndPoint(Endpoint e)
        {
            if (cachedEndPoint != null && cachedDestination.SameAs(e))
                return cachedEndPoint;
            cachedDestination.CopyFrom(e);
            cachedEndPoint = MakeEndPoint(e);
            return cachedEndPoint;
        }

        IPEndPoint MakeEndPoint(Endpoint e)
        {
            if (e.Family == Endpoint.FamilyIpv4)
            {
                byte[] a4 = new byte[4];
                for (int i = 0; i < 4; i++)
                    a4[i] = e.Address[i];
                // IPAddress(byte[]) takes the 4 bytes in network order.
                return new IPEndPoint(new IPAddress(a4), e.Port);
            }
            byte[] a = new byte[16];
            for (int i = 0; i < 16; i++)
                a[i] = e.Address[i];
            return new IPEndPoint(new IPAddress(a), e.Port);
        }

        public bool Reconnect(int uplink, int family)
        {
            if (family == Endpoint.FamilyIpv6)
            {
                if (!ipv6)
                    return false;
                if (v6 != null)
                    v6.Close();
                v6 = Open(AddressFamily.InterNetworkV6);
                return v6 != null;
            }
            if (v4 != null)
                v4.Close();
            v4 = Open(AddressFamily.InterNetwork);
            return v4 != null;
        }
    }
}

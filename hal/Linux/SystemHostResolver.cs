using System.Net;
using System.Net.Sockets;
using Warp.Hal;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Linux
{
    /// <summary>The host's resolver (getaddrinfo through .NET's Dns): AAAA and A answers in the order it gives them.</summary>
    public sealed class SystemHostResolver : IHostResolver
    {
        public int Resolve(string host, int port, Endpoint[] results, out string error)
        {
            error = null;
            IPAddress[] addresses;
            try
            {
                addresses = Dns.GetHostAddresses(host);
            }
            catch (SocketException e)
            {
                error = e.Message;
                return 0;
            }
            int n = 0;
            foreach (IPAddress a in addresses)
            {
                if (n == results.Length)
                    break;
                if (a.AddressFamily != AddressFamily.InterNetwork && a.AddressFamily != AddressFamily.InterNetworkV6)
                    continue;
                results[n++].Set(a.AddressFamily == AddressFamily.InterNetwork ? Endpoint.FamilyIpv4 : Endpoint.FamilyIpv6, a.GetAddressBytes(), 0, port);
            }
            if (n == 0)
                error = "no IPv4 or IPv6 address";
            return n;
        }
    }
}

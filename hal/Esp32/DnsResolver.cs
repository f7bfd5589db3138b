using System.Net;
using System.Net.Sockets;
using Warp.Protocol.WireGuard;

namespace Warp.Hal.Esp32
{
    /// <summary>Peer endpoint names through lwIP's resolver (System.Net's Dns). Start-up and race time only: it blocks and allocates.</summary>
    public sealed class DnsResolver : IHostResolver
    {
        public int Resolve(string host, int port, Endpoint[] results, out string error)
        {
            error = null;
            IPHostEntry entry;
            try
            {
                entry = Dns.GetHostEntry(host);
            }
            catch (SocketException e)
            {
                error = "lookup failed (" + e.ErrorCode.ToString() + ")";
                return 0;
            }
            IPAddress[] list = entry == null ? null : entry.AddressList;
            int n = 0;
            for (int i = 0; list != null && i < list.Length && n < results.Length; i++)
            {
                byte[] a = list[i].GetAddressBytes();
                if (a.Length == 4)
                    results[n++].Set(Endpoint.FamilyIpv4, a, 0, port);
                else if (a.Length == 16)
                    results[n++].Set(Endpoint.FamilyIpv6, a, 0, port);
            }
            if (n == 0)
                error = "no address";
            return n;
        }
    }
}

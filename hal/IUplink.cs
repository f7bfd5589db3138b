using Warp.Protocol.WireGuard;

namespace Warp.Hal
{
    /// <summary>
    /// The uplink: UDP datagrams between the router and its WireGuard peer, over IPv4 or IPv6 as
    /// the endpoint's family says. Only tunnel datagrams ever go through it (the kill switch is
    /// structural: LAN packets have no other way out). lwIP sockets on the ESP32, .NET sockets on Linux.
    /// Neither call blocks, throws on I/O trouble, or allocates.
    /// </summary>
    public interface IUplink
    {
        /// <summary>
        /// Copies the next waiting datagram to (buffer, offset) and its sender to
        /// <paramref name="source"/>; returns its length, or 0 when none is waiting.
        /// </summary>
        int Receive(byte[] buffer, int offset, int count, Endpoint source);

        /// <summary>Sends one datagram. False on failure (no route, ENOBUFS, the family is down).</summary>
        bool Send(byte[] buffer, int offset, int count, Endpoint destination);
    }
}

using Warp.Protocol.WireGuard;

namespace Warp.Hal
{
    /// <summary>What became of one <see cref="IUplink.Send"/>. The router counts each failure by kind
    /// and the path selector reacts to it (a fast reconnect on NoBuffers, as WARP does on ENOBUFS).</summary>
    public enum UplinkSendResult
    {
        /// <summary>Handed to the network stack whole.</summary>
        Sent = 0,
        /// <summary>The socket's send buffer is full (EAGAIN/EWOULDBLOCK): transient, try the next packet.</summary>
        WouldBlock,
        /// <summary>The stack ran out of buffers (ENOBUFS, lwIP ERR_MEM/ENOMEM): the socket may need to be made anew.</summary>
        NoBuffers,
        /// <summary>No route to the destination (ENETUNREACH, EHOSTUNREACH).</summary>
        NoRoute,
        /// <summary>The destination's family has no socket or no address (EAFNOSUPPORT, EADDRNOTAVAIL, ENETDOWN).</summary>
        FamilyDown,
        /// <summary>Any other failure (EMSGSIZE, EPERM from a firewall, a short send, ...).</summary>
        Failed,
    }

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

        /// <summary>Sends one datagram and says what became of it.</summary>
        UplinkSendResult Send(byte[] buffer, int offset, int count, Endpoint destination);
    }

    /// <summary>
    /// An uplink made of several uplinks (Wi-Fi station and Ethernet on a board; the interfaces
    /// given with --uplink on Linux), each with a socket per family, which can make a socket anew.
    /// Optional: an <see cref="IUplink"/> that is not one is a single uplink without reconnects.
    /// <see cref="IUplink.Send"/> then goes out on uplink 0 (or the routing table's choice).
    /// </summary>
    public interface IMultiUplink
    {
        /// <summary>How many uplinks there are (at least 1).</summary>
        int UplinkCount { get; }

        /// <summary>A short name for the console ("wlan0", "eth0", "default").</summary>
        string UplinkName(int uplink);

        /// <summary>Sends one datagram on <paramref name="uplink"/>.</summary>
        UplinkSendResult SendOn(int uplink, byte[] buffer, int offset, int count, Endpoint destination);

        /// <summary>The uplink the last datagram <see cref="IUplink.Receive"/> returned came in on.</summary>
        int LastReceiveUplink { get; }

        /// <summary>
        /// Closes the socket of <paramref name="family"/> on <paramref name="uplink"/> and opens a new
        /// one (the fast reconnect: WARP does this on ENOBUFS). False when no new socket could be made.
        /// </summary>
        bool Reconnect(int uplink, int family);
    }
}

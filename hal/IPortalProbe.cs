namespace Warp.Hal
{
    /// <summary>Where a captive-portal probe stands (<see cref="IPortalProbe.Poll"/>).</summary>
    public enum ProbeState
    {
        /// <summary>No probe was started, or the last one was collected or cancelled.</summary>
        Idle = 0,
        /// <summary>Started: connecting, sending or reading.</summary>
        Running,
        /// <summary>The server answered: the first bytes of its response are in the caller's buffer.</summary>
        Answered,
        /// <summary>No answer: the name did not resolve, the connection was refused or timed out, or it closed before a byte.</summary>
        Failed,
    }

    /// <summary>
    /// The captive-portal probe: one plain HTTP GET of a generate_204-style URL, made by the
    /// router itself on its uplink (the host's own TCP/IP stack, like its DHCP client), never
    /// through the tunnel and never on behalf of a LAN device. The adapter only moves bytes: it
    /// sends the request, reads at most the caller's buffer of the response and closes. The
    /// router core parses what came back (<c>PortalResponse</c>), because that is untrusted input
    /// from whatever network the uplink joined. One probe at a time; nothing here blocks.
    /// Linux: a TCP socket from the host (hal/Linux); ESP32: a nanoFramework socket on a thread
    /// of its own (hal/Esp32); tests: an in-memory double (tests/TestKit).
    /// </summary>
    public interface IPortalProbe
    {
        /// <summary>
        /// Starts <c>GET path HTTP/1.1</c> to host:port (host is a name or an address literal; the
        /// request carries <c>Host: host</c> and <c>Connection: close</c>). False when a probe is
        /// running already or it cannot start at all; the router then tries again later.
        /// </summary>
        bool Start(string host, int port, string path, long now);

        /// <summary>
        /// Never blocks. Answered: up to <paramref name="count"/> bytes of the response (status
        /// line first) are copied to <paramref name="buffer"/> at <paramref name="offset"/>, their
        /// number in <paramref name="length"/>, and the probe is Idle again; Failed: also Idle
        /// again, length 0. Running and Idle leave the buffer alone.
        /// </summary>
        ProbeState Poll(byte[] buffer, int offset, int count, out int length);

        /// <summary>Abandons a running probe (the router's own timeout); Idle afterwards.</summary>
        void Cancel();
    }

    /// <summary>
    /// The uplink's own hardware address, for the MAC clone of a captive portal: the router takes
    /// the MAC of a device that logged in to the hotel's page, the way travel routers do. Linux:
    /// SIOCSIFHWADDR on the uplink interface (<c>ip link set dev UPLINK address MAC</c>); ESP32:
    /// the station interface's PhysicalAddress (the station reconnects). Off the packet path.
    /// </summary>
    public interface IUplinkMac
    {
        /// <summary>Copies the uplink's current MAC to mac[offset..offset+6); false when it cannot be read.</summary>
        bool Read(byte[] mac, int offset);

        /// <summary>Gives the uplink the MAC at mac[offset..offset+6); false when the platform refused it (the old MAC stays).</summary>
        bool Write(byte[] mac, int offset);
    }
}

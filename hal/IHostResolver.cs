using Warp.Protocol.WireGuard;

namespace Warp.Hal
{
    /// <summary>
    /// Name resolution for peer endpoints given as host names (engage.cloudflareclient.com:2408).
    /// The host's resolver on Linux, lwIP's DNS on the ESP32. Start-up and race time only, never
    /// the packet path: it may block briefly and allocate.
    /// </summary>
    public interface IHostResolver
    {
        /// <summary>
        /// Writes up to results.Length addresses of <paramref name="host"/> (IPv6 and IPv4, as the
        /// resolver answers) with <paramref name="port"/> into <paramref name="results"/>, which
        /// hold preallocated endpoints. Returns how many, 0 when the name does not resolve; a
        /// short reason goes to <paramref name="error"/> then.
        /// </summary>
        int Resolve(string host, int port, Endpoint[] results, out string error);
    }
}

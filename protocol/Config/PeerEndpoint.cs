using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// One Endpoint value of a [Peer]: either a literal address ("162.159.192.1:2408",
    /// "[2606:4700:d0::a29f:c001]:2408"), parsed into <see cref="Literal"/>, or a host name
    /// ("engage.cloudflareclient.com:2408") kept as text in <see cref="Host"/> for the host side to
    /// resolve. The racer tries them in file order.
    /// </summary>
    public sealed class PeerEndpoint
    {
        /// <summary>The host name, or null for a literal address.</summary>
        public readonly string Host;
        /// <summary>The parsed address and port, or null for a host name.</summary>
        public readonly Endpoint Literal;
        /// <summary>UDP port, 1-65535 (also in <see cref="Literal"/>).</summary>
        public readonly int Port;

        PeerEndpoint(string host, Endpoint literal, int port)
        {
            Host = host;
            Literal = literal;
            Port = port;
        }

        public static PeerEndpoint ForHost(string host, int port) { return new PeerEndpoint(host, null, port); }

        public static PeerEndpoint ForAddress(Endpoint literal) { return new PeerEndpoint(null, literal, literal.Port); }

        public bool IsHostName { get { return Host != null; } }

        /// <summary>
        /// Parses "host:port", "a.b.c.d:port" or "[v6]:port". Returns null and sets
        /// <paramref name="error"/> to the reason otherwise.
        /// </summary>
        public static PeerEndpoint TryParse(string text, out string error)
        {
            error = null;
            string hostPart;
            string portPart;
            if (text.Length > 0 && text[0] == '[')
            {
                int close = text.IndexOf(']');
                if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
                {
                    error = "expected [IPv6 address]:port";
                    return null;
                }
                hostPart = text.Substring(1, close - 1);
                portPart = text.Substring(close + 2);
                byte[] v6 = new byte[16];
                if (!Net.AddressText.TryParseIpv6(hostPart, v6, 0))
                {
                    error = "not an IPv6 address in brackets";
                    return null;
                }
                int port6;
                if (!ConfigValues.TryParseRange(portPart, 1, 65535, out port6))
                {
                    error = "port is not 1-65535";
                    return null;
                }
                Endpoint e6 = new Endpoint();
                e6.Set(Endpoint.FamilyIpv6, v6, 0, port6);
                return ForAddress(e6);
            }
            int colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                error = "expected host:port";
                return null;
            }
            hostPart = text.Substring(0, colon);
            portPart = text.Substring(colon + 1);
            if (hostPart.IndexOf(':') >= 0)
            {
                error = "an IPv6 address needs brackets: [address]:port";
                return null;
            }
            int port;
            if (!ConfigValues.TryParseRange(portPart, 1, 65535, out port))
            {
                error = "port is not 1-65535";
                return null;
            }
            byte[] v4 = new byte[4];
            if (Net.AddressText.TryParseIpv4(hostPart, v4, 0))
            {
                Endpoint e4 = new Endpoint();
                e4.Set(Endpoint.FamilyIpv4, v4, 0, port);
                return ForAddress(e4);
            }
            if (!ConfigValues.IsHostName(hostPart))
            {
                error = "not an IPv4 address or a host name";
                return null;
            }
            return ForHost(hostPart.ToLower(), port);
        }

        public bool SameAs(PeerEndpoint other)
        {
            if (other == null || other.Port != Port || other.IsHostName != IsHostName)
                return false;
            return IsHostName ? other.Host == Host : other.Literal.SameAs(Literal);
        }

        /// <summary>The text form the parser reads back ("host:port", "a.b.c.d:port", "[v6]:port" in RFC 5952 form).</summary>
        public override string ToString()
        {
            if (IsHostName)
                return Host + ":" + Port.ToString();
            if (Literal.Family == Endpoint.FamilyIpv4)
                return Net.AddressText.FormatIpv4(Literal.Address, 0) + ":" + Port.ToString();
            return "[" + Net.AddressText.FormatIpv6(Literal.Address, 0) + "]:" + Port.ToString();
        }
    }
}

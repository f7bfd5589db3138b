namespace Warp.Protocol.WireGuard
{
    /// <summary>
    /// A UDP endpoint: address family, address bytes and port. Mutable and preallocated so the
    /// packet path can copy endpoints without allocating (roaming updates a peer's endpoint in place).
    /// </summary>
    public sealed class Endpoint
    {
        public const int FamilyNone = 0;
        public const int FamilyIpv4 = 4;
        public const int FamilyIpv6 = 6;

        public readonly byte[] Address = new byte[16];
        public int Family;
        public int Port;

        public bool IsSet { get { return Family != FamilyNone; } }
        public int AddressLength { get { return Family == FamilyIpv4 ? 4 : Family == FamilyIpv6 ? 16 : 0; } }

        public void Set(int family, byte[] address, int offset, int port)
        {
            Family = family;
            System.Array.Clear(Address, 0, 16);
            System.Array.Copy(address, offset, Address, 0, family == FamilyIpv4 ? 4 : 16);
            Port = port;
        }

        public void SetIpv4(uint address, int port)
        {
            Family = FamilyIpv4;
            System.Array.Clear(Address, 0, 16);
            Address[0] = (byte)(address >> 24);
            Address[1] = (byte)(address >> 16);
            Address[2] = (byte)(address >> 8);
            Address[3] = (byte)address;
            Port = port;
        }

        public void CopyFrom(Endpoint other)
        {
            Family = other.Family;
            Port = other.Port;
            System.Array.Copy(other.Address, Address, 16);
        }

        public void Clear()
        {
            Family = FamilyNone;
            Port = 0;
            System.Array.Clear(Address, 0, 16);
        }

        public bool SameAs(Endpoint other)
        {
            if (other.Family != Family || other.Port != Port)
                return false;
            for (int i = 0; i < 16; i++)
                if (other.Address[i] != Address[i])
                    return false;
            return true;
        }

        /// <summary>"a.b.c.d:port" or "[v6]:port" (RFC 5952 text), for logs and the console (allocates; not for the packet path).</summary>
        public override string ToString()
        {
            if (Family == FamilyIpv4)
                return Address[0] + "." + Address[1] + "." + Address[2] + "." + Address[3] + ":" + Port;
            if (Family != FamilyIpv6)
                return "(none)";
            return "[" + Warp.Protocol.Net.AddressText.FormatIpv6(Address, 0) + "]:" + Port; // RFC 5952
        }
    }
}

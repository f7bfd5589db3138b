using Warp.Protocol.Net;

namespace Warp.Protocol.Config
{
    /// <summary>
    /// An IPv4 or IPv6 address with a prefix length: "172.16.0.2/32", "2606:4700:110:8a5c::2/128",
    /// "fd00:1::/64". A plain address is a prefix of full length (32 or 128), which is how DNS and
    /// resolver addresses are kept. Configuration only; allocates.
    /// </summary>
    public sealed class IpPrefix
    {
        public const int FamilyIpv4 = 4;
        public const int FamilyIpv6 = 6;

        /// <summary>4 or 6.</summary>
        public readonly int Family;
        /// <summary>The address bytes: 4 used for IPv4, 16 for IPv6.</summary>
        public readonly byte[] Address;
        public readonly int PrefixLength;

        public IpPrefix(int family, byte[] address, int prefixLength)
        {
            Family = family;
            Address = address;
            PrefixLength = prefixLength;
        }

        public bool IsIpv4 { get { return Family == FamilyIpv4; } }
        public bool IsIpv6 { get { return Family == FamilyIpv6; } }
        public int MaxPrefixLength { get { return Family == FamilyIpv4 ? 32 : 128; } }
        public int AddressLength { get { return Family == FamilyIpv4 ? 4 : 16; } }

        /// <summary>The IPv4 address as a host-order number (IPv4 only).</summary>
        public uint Ipv4Value { get { return Endian.Read32(Address, 0); } }

        /// <summary>"address" or "address/len"; null when it is neither, or when a prefix is given and <paramref name="allowPrefix"/> is false.</summary>
        public static IpPrefix TryParse(string text, bool allowPrefix)
        {
            if (text == null)
                return null;
            text = text.Trim();
            int slash = text.IndexOf('/');
            string addressText = slash >= 0 ? text.Substring(0, slash) : text;
            int family;
            byte[] address;
            if (addressText.IndexOf(':') >= 0)
            {
                family = FamilyIpv6;
                address = new byte[16];
                if (!AddressText.TryParseIpv6(addressText, address, 0))
                    return null;
            }
            else
            {
                family = FamilyIpv4;
                address = new byte[4];
                if (!AddressText.TryParseIpv4(addressText, address, 0))
                    return null;
            }
            int max = family == FamilyIpv4 ? 32 : 128;
            int length = max;
            if (slash >= 0)
            {
                if (!allowPrefix)
                    return null;
                uint value;
                if (!ConfigValues.TryParseUInt(text.Substring(slash + 1), out value) || value > (uint)max)
                    return null;
                length = (int)value;
            }
            return new IpPrefix(family, address, length);
        }

        /// <summary>An IPv4 address (/32) from a host-order number.</summary>
        public static IpPrefix FromIpv4(uint value)
        {
            byte[] b = new byte[4];
            Endian.Write32(b, 0, value);
            return new IpPrefix(FamilyIpv4, b, 32);
        }

        /// <summary>True when the first <see cref="PrefixLength"/> bits of <paramref name="address"/> (same family) equal ours.</summary>
        public bool Contains(IpPrefix address)
        {
            if (address == null || address.Family != Family)
                return false;
            return SamePrefix(Address, address.Address, PrefixLength);
        }

        /// <summary>True when the bits after the prefix are all zero (a network address such as "fd00:1::/64").</summary>
        public bool HostBitsZero
        {
            get
            {
                for (int bit = PrefixLength; bit < MaxPrefixLength; bit++)
                    if ((Address[bit >> 3] & (0x80 >> (bit & 7))) != 0)
                        return false;
                return true;
            }
        }

        /// <summary>Same family, address and prefix length.</summary>
        public bool SameAs(IpPrefix other)
        {
            if (other == null || other.Family != Family || other.PrefixLength != PrefixLength)
                return false;
            for (int i = 0; i < AddressLength; i++)
                if (Address[i] != other.Address[i])
                    return false;
            return true;
        }

        /// <summary>Same family and address, whatever the prefix lengths.</summary>
        public bool SameAddress(IpPrefix other)
        {
            if (other == null || other.Family != Family)
                return false;
            for (int i = 0; i < AddressLength; i++)
                if (Address[i] != other.Address[i])
                    return false;
            return true;
        }

        static bool SamePrefix(byte[] a, byte[] b, int bits)
        {
            int whole = bits >> 3;
            for (int i = 0; i < whole; i++)
                if (a[i] != b[i])
                    return false;
            int rest = bits & 7;
            if (rest == 0)
                return true;
            int mask = (0xFF00 >> rest) & 0xFF;
            return (a[whole] & mask) == (b[whole] & mask);
        }

        /// <summary>The address alone, RFC 5952 form for IPv6.</summary>
        public string AddressToString()
        {
            return Family == FamilyIpv4 ? AddressText.FormatIpv4(Address, 0) : AddressText.FormatIpv6(Address, 0);
        }

        /// <summary>"address/len" (always with the length).</summary>
        public override string ToString()
        {
            return AddressToString() + "/" + PrefixLength.ToString();
        }
    }
}

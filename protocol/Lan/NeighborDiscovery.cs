using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Neighbour Discovery (RFC 4861) for the router's LAN addresses: Neighbor Solicitation →
    /// Advertisement for its link-local and ULA addresses (section 7.2.3-7.2.4), defence of
    /// those addresses against Duplicate Address Detection (RFC 4862 section 5.4.3), Router
    /// Solicitation → Advertisement (through <see cref="RouterAdvertiser"/>), and learning of LAN
    /// hosts' IPv6 → MAC from the link-layer address options.
    /// <code>
    ///  NS (135) / NA (136), section 4.3 / 4.4:
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |     Type      |     Code 0    |          Checksum             |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |R|S|O|      Reserved (NA flags; all reserved in NS)            |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                   Target Address (128 bits)                   |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Options: | Type | Length (8-octet units) | ... |  1 = source, 2 = target link-layer address
    ///  RS (133): | Type | Code | Checksum | Reserved (4) | Options ...
    /// </code>
    /// Validation (sections 6.1.1, 7.1.1, 7.1.2) before anything is learned or answered: hop
    /// limit 255, code 0, the checksum (by the caller), the minimum length (RS 8, RA 16, NS and
    /// NA 24, Redirect 40), every option of non-zero length inside the message, a target that is
    /// not multicast, no source link-layer option from the unspecified address, an NS from ::
    /// only to a solicited-node address, and no Solicited flag in a multicast NA.
    ///
    /// Answers: an NS for one of the router's addresses from a unicast source gets a unicast NA
    /// (R, S, O set, target link-layer option). An NS from :: is another node's DAD probe; the
    /// router answers only when the target is its own address (it already holds it), with an
    /// NA to all-nodes with S clear (section 7.2.4) so the prober gives the address up. NS for
    /// other targets, foreign RAs, redirects and NAs are never answered.
    /// </summary>
    public sealed class NeighborDiscovery
    {
        public const int NaIcmpLength = 32;
        public const int NaFrameLength = LanFrames.Ipv6PayloadOffset + NaIcmpLength;
        const byte OptionSourceLinkLayer = 1;
        const byte OptionTargetLinkLayer = 2;
        const byte FlagRouter = 0x80;
        const byte FlagSolicited = 0x40;
        const byte FlagOverride = 0x20;

        static readonly byte[] allNodesMac = { 0x33, 0x33, 0, 0, 0, 1 };

        readonly LanConfig config;
        readonly NeighborTable table;
        readonly RouterAdvertiser advertiser;
        readonly LanCounters counters;

        public NeighborDiscovery(LanConfig config, NeighborTable table, RouterAdvertiser advertiser, LanCounters counters)
        {
            if (table.AddressLength != 16)
                throw new System.ArgumentException("the neighbour cache holds IPv6 addresses", "table");
            this.config = config;
            this.table = table;
            this.advertiser = advertiser;
            this.counters = counters;
        }

        /// <summary>True for the ICMPv6 types handled here: 133 to 137.</summary>
        public static bool IsNdType(byte type) { return type >= Icmpv6Packet.TypeRouterSolicitation && type <= 137; }

        /// <summary>Handles an ND message whose ICMPv6 checksum the caller has verified.</summary>
        public LanResult Handle(EthernetFrame eth, Ipv6Packet ip, Icmpv6Packet icmp, byte[] output, int outputOffset, long now)
        {
            if (ip.HopLimit != 255)
                return counters.Drop(LanCounter.DropNdHopLimit);
            if (icmp.Code != 0)
                return counters.Drop(LanCounter.DropNdBadCode);
            byte type = icmp.Type;
            int minLength = type == Icmpv6Packet.TypeRouterSolicitation ? 8
                : type == Icmpv6Packet.TypeRouterAdvertisement ? 16
                : type == 137 ? 40 : 24;
            if (icmp.Length < minLength)
                return counters.Drop(LanCounter.DropNdBadLength);
            byte[] b = icmp.Buffer;
            int sllao, tllao;
            if (!WalkOptions(b, icmp.Offset + minLength, icmp.Offset + icmp.Length, out sllao, out tllao))
                return counters.Drop(LanCounter.DropNdBadOptions);
            int src = ip.SourceOffsetInBuffer;
            int dst = ip.DestinationOffsetInBuffer;
            bool fromUnspecified = Ipv6Address.IsUnspecified(b, src);
            if (fromUnspecified && sllao >= 0)
                return counters.Drop(LanCounter.DropNdUnspecifiedWithLinkAddress);

            switch (type)
            {
                case Icmpv6Packet.TypeRouterSolicitation:
                    return OnRouterSolicitation(eth, b, src, fromUnspecified, sllao, output, outputOffset, now);
                case Icmpv6Packet.TypeRouterAdvertisement:
                    return counters.Ignore(LanCounter.IgnoredNdForeignRouterAdvertisement);
                case Icmpv6Packet.TypeNeighborSolicitation:
                    return OnNeighborSolicitation(eth, b, src, dst, icmp.Offset + 8, fromUnspecified, sllao, output, outputOffset, now);
                case Icmpv6Packet.TypeNeighborAdvertisement:
                    return OnNeighborAdvertisement(b, dst, icmp.Offset, tllao, now);
                default:
                    return counters.Ignore(LanCounter.IgnoredNdRedirect);
            }
        }

        LanResult OnRouterSolicitation(EthernetFrame eth, byte[] b, int src, bool fromUnspecified, int sllao,
            byte[] output, int outputOffset, long now)
        {
            counters.Increment(LanCounter.RouterSolicitations);
            if (!fromUnspecified && sllao >= 0)
                Learn(b, src, b, sllao, now);
            if (!config.HasUla)
                return LanResult.Consumed;
            int macOffset = sllao >= 0 ? sllao : eth.SourceOffsetInBuffer;
            int n = fromUnspecified
                ? advertiser.Solicited(now, null, 0, null, 0, output, outputOffset)
                : advertiser.Solicited(now, b, src, b, macOffset, output, outputOffset);
            if (n < 0)
                return counters.Drop(LanCounter.DropOutputTooSmall);
            return n == 0 ? LanResult.Consumed : LanResult.Reply(n);
        }

        LanResult OnNeighborSolicitation(EthernetFrame eth, byte[] b, int src, int dst, int target, bool fromUnspecified,
            int sllao, byte[] output, int outputOffset, long now)
        {
            counters.Increment(LanCounter.NeighborSolicitations);
            if (Ipv6Address.IsMulticast(b, target))
                return counters.Drop(LanCounter.DropNdMulticastTarget);
            bool toSolicitedNode = IsSolicitedNodeFor(b, dst, b, target);
            if (!toSolicitedNode && !Ipv6Address.Equal(b, dst, b, target))
                return counters.Drop(LanCounter.DropNdBadDestination);
            if (fromUnspecified && !toSolicitedNode)
                return counters.Drop(LanCounter.DropNdBadDestination);
            if (!fromUnspecified && sllao >= 0)
                Learn(b, src, b, sllao, now);
            if (!config.IsRouterIpv6(b, target))
                return counters.Ignore(LanCounter.IgnoredNdTargetNotOurs);
            if (!Bounds.Fits(output, outputOffset, NaFrameLength))
                return counters.Drop(LanCounter.DropOutputTooSmall);

            int p = outputOffset + LanFrames.Ipv6PayloadOffset;
            output[p] = Icmpv6Packet.TypeNeighborAdvertisement;
            output[p + 1] = 0;
            output[p + 2] = 0;
            output[p + 3] = 0;
            output[p + 4] = (byte)(FlagRouter | FlagOverride | (fromUnspecified ? 0 : FlagSolicited));
            output[p + 5] = 0;
            output[p + 6] = 0;
            output[p + 7] = 0;
            System.Array.Copy(b, target, output, p + 8, 16);
            output[p + 24] = OptionTargetLinkLayer;
            output[p + 25] = 1;
            System.Array.Copy(config.RouterMac, 0, output, p + 26, 6);
            int n;
            if (fromUnspecified)
            {
                // Someone probes (DAD) an address the router holds: defend it to all-nodes (section 7.2.4).
                counters.Increment(LanCounter.DadDefended);
                n = LanFrames.FinishIcmp6(output, outputOffset, allNodesMac, 0, config.RouterMac,
                    b, target, RouterAdvertiser.AllNodes, 0, LanFrames.NdHopLimit, NaIcmpLength);
            }
            else
            {
                int macOffset = sllao >= 0 ? sllao : eth.SourceOffsetInBuffer;
                n = LanFrames.FinishIcmp6(output, outputOffset, b, macOffset, config.RouterMac,
                    b, target, b, src, LanFrames.NdHopLimit, NaIcmpLength);
            }
            counters.Increment(LanCounter.NeighborAdvertisementsSent);
            return LanResult.Reply(n);
        }

        LanResult OnNeighborAdvertisement(byte[] b, int dst, int icmpOffset, int tllao, long now)
        {
            int target = icmpOffset + 8;
            if (Ipv6Address.IsMulticast(b, target))
                return counters.Drop(LanCounter.DropNdMulticastTarget);
            if (Ipv6Address.IsMulticast(b, dst) && (b[icmpOffset + 4] & FlagSolicited) != 0)
                return counters.Drop(LanCounter.DropNdBadDestination);
            if (config.IsRouterIpv6(b, target))
            {
                if (tllao >= 0 && MacAddress.Equal(b, tllao, config.RouterMac, 0))
                    return LanResult.Consumed; // our own advertisement, looped back
                return counters.Ignore(LanCounter.IgnoredNdAddressConflict);
            }
            if (tllao >= 0)
                Learn(b, target, b, tllao, now);
            return LanResult.Consumed;
        }

        /// <summary>Learns a LAN host's address (link-local or in the ULA /64); others are not the LAN's.</summary>
        public void Learn(byte[] address, int addressOffset, byte[] mac, int macOffset, long now)
        {
            if (Ipv6Address.IsMulticast(address, addressOffset) || Ipv6Address.IsUnspecified(address, addressOffset)
                || config.IsRouterIpv6(address, addressOffset) || !config.IsLanIpv6(address, addressOffset))
                return;
            if (table.Learn(address, addressOffset, mac, macOffset, now))
                counters.Increment(LanCounter.NeighborsLearnedV6);
        }

        /// <summary>
        /// Walks ND options from <paramref name="pos"/> to <paramref name="end"/> (section 4.6):
        /// every option has a non-zero length and fits. Returns the buffer offsets of the MAC in
        /// the first source and target link-layer address options (-1 when absent).
        /// </summary>
        static bool WalkOptions(byte[] b, int pos, int end, out int sllao, out int tllao)
        {
            sllao = -1;
            tllao = -1;
            int count = 0;
            while (pos < end)
            {
                if (end - pos < 2 || ++count > 64)
                    return false;
                int len = b[pos + 1] * 8;
                if (len == 0 || len > end - pos)
                    return false;
                byte type = b[pos];
                if (type == OptionSourceLinkLayer && sllao < 0)
                    sllao = pos + 2;
                else if (type == OptionTargetLinkLayer && tllao < 0)
                    tllao = pos + 2;
                pos += len;
            }
            return true;
        }

        /// <summary>True when <paramref name="dst"/> is ff02::1:ffXX:XXXX for the target (RFC 4291 section 2.7.1).</summary>
        public static bool IsSolicitedNodeFor(byte[] d, int dst, byte[] t, int target)
        {
            if (d[dst] != 0xFF || d[dst + 1] != 0x02 || d[dst + 11] != 0x01 || d[dst + 12] != 0xFF)
                return false;
            for (int i = 2; i < 11; i++)
                if (d[dst + i] != 0)
                    return false;
            return d[dst + 13] == t[target + 13] && d[dst + 14] == t[target + 14] && d[dst + 15] == t[target + 15];
        }


    }
}

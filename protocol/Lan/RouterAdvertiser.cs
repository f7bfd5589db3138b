using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Router Advertisements (RFC 4861 section 4.2) for the LAN: periodic ones to all-nodes with
    /// the timing of section 6.2.4, and answers to Router Solicitations (section 6.2.6).
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |     Type 134  |     Code 0    |          Checksum             |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// | Cur Hop Limit |M|O|  Reserved |       Router Lifetime         |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |                         Reachable Time                        |
    /// |                          Retrans Timer                        |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// | Options:
    /// |  Source Link-Layer Address (1), length 1: the router's MAC          (4.6.1)   8
    /// |  MTU (5), length 1: reserved (2), MTU (4)                           (4.6.4)   8
    /// |  Prefix Information (3), length 4: prefix length 64, L=1 A=1,       (4.6.2)  32
    /// |     valid lifetime, preferred lifetime, reserved (4), the ULA /64
    /// |  RDNSS (25), length 3: reserved (2), lifetime (4), router's ULA     (RFC 8106 5.1) 24
    /// +-+-+-+-+-
    /// </code>
    /// 88 bytes of ICMPv6, a 142-byte frame, from the router's link-local address with hop
    /// limit 255. M and O are zero: addresses come from SLAAC (RFC 4862) and DNS from RDNSS.
    /// Timing (section 6.2.4, defaults of section 6.2.1): each interval is uniform in
    /// [MinRtrAdvInterval 198 s, MaxRtrAdvInterval 600 s]; the first MAX_INITIAL_RTR_ADVERTISEMENTS
    /// (3) are at most MAX_INITIAL_RTR_ADVERT_INTERVAL (16 s) apart; two multicast RAs are never
    /// closer than MIN_DELAY_BETWEEN_RAS (3 s). A solicitation from a host with an address is
    /// answered at once by unicast (section 6.2.6 allows it; this is the only router on the link,
    /// so the random delay that keeps routers from answering together is not needed); one from
    /// the unspecified address is answered by the next multicast RA, at most 3 s later.
    /// </summary>
    public sealed class RouterAdvertiser
    {
        public const long MaxRtrAdvIntervalMs = 600000;
        public const long MinRtrAdvIntervalMs = 198000;
        public const long MaxInitialRtrAdvertIntervalMs = 16000;
        public const int MaxInitialRtrAdvertisements = 3;
        public const long MinDelayBetweenRasMs = 3000;
        /// <summary>AdvDefaultLifetime: 3 × MaxRtrAdvInterval (section 6.2.1).</summary>
        public const ushort RouterLifetimeSeconds = 1800;
        /// <summary>AdvValidLifetime, 30 days (section 6.2.1).</summary>
        public const uint ValidLifetimeSeconds = 2592000;
        /// <summary>AdvPreferredLifetime, 7 days (section 6.2.1).</summary>
        public const uint PreferredLifetimeSeconds = 604800;
        /// <summary>RDNSS lifetime: at least 3 × MaxRtrAdvInterval (RFC 8106 section 5.1).</summary>
        public const uint RdnssLifetimeSeconds = 1800;
        public const int IcmpLength = 88;
        public const int FrameLength = LanFrames.Ipv6PayloadOffset + IcmpLength;

        static readonly byte[] allNodes = { 0xFF, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
        static readonly byte[] allNodesMac = { 0x33, 0x33, 0, 0, 0, 1 };

        readonly LanConfig config;
        readonly LanCounters counters;
        readonly IRandomSource entropy;
        int sent;
        ushort routerLifetime;
        long next = long.MinValue;
        long lastMulticast = long.MinValue;

        /// <param name="entropy">Jitters the intervals; null gives the middle of each range (tests).</param>
        public RouterAdvertiser(LanConfig config, LanCounters counters, IRandomSource entropy)
        {
            this.config = config;
            this.counters = counters;
            this.entropy = entropy;
        }

        /// <summary>
        /// The Router Lifetime the RAs carry: <see cref="RouterLifetimeSeconds"/> while the router
        /// has somewhere to send IPv6 (the tunnel is up), 0 otherwise, so hosts use no default
        /// route through a router that would drop their packets (RFC 4861 section 6.2.5 / 4.2:
        /// 0 = not a default router; the prefix and RDNSS stay). Starts at 0.
        /// </summary>
        public ushort RouterLifetime { get { return routerLifetime; } }

        /// <summary>
        /// The router's default route is usable (the tunnel is up) or not. A change brings the next
        /// multicast RA forward (at most MIN_DELAY_BETWEEN_RAS after the last), so hosts learn it
        /// at once rather than up to 10 minutes later. Returns true when the lifetime changed.
        /// </summary>
        public bool SetDefaultRoute(bool usable, long now)
        {
            ushort lifetime = usable ? RouterLifetimeSeconds : (ushort)0;
            if (lifetime == routerLifetime)
                return false;
            routerLifetime = lifetime;
            if (next != long.MinValue)
            {
                long due = lastMulticast == long.MinValue ? now : lastMulticast + MinDelayBetweenRasMs;
                if (due < now)
                    due = now;
                if (due < next)
                    next = due;
            }
            return true;
        }

        /// <summary>ff02::1. Do not modify.</summary>
        public static byte[] AllNodes { get { return allNodes; } }

        /// <summary>When the next multicast RA is due (long.MaxValue with no ULA configured).</summary>
        public long NextDeadline(long now)
        {
            if (!config.HasUla)
                return long.MaxValue;
            return next == long.MinValue ? now : next;
        }

        /// <summary>Writes the multicast RA that is due, if any; returns its length or 0.</summary>
        public int Tick(long now, byte[] output, int offset)
        {
            if (!config.HasUla || (next != long.MinValue && now < next))
                return 0;
            if (!Bounds.Fits(output, offset, FrameLength))
                return 0;
            int n = Write(output, offset, allNodes, 0, allNodesMac, 0);
            lastMulticast = now;
            sent++;
            next = now + Interval();
            return n;
        }

        /// <summary>
        /// Answers a Router Solicitation: unicast to (source, sourceMac) at once, or, for a
        /// solicitation from the unspecified address (source null), a multicast RA brought
        /// forward to at most MIN_DELAY_BETWEEN_RAS after the last one. Returns the length
        /// written, 0 when the answer is scheduled, -1 when the buffer is too small.
        /// </summary>
        public int Solicited(long now, byte[] source, int sourceOffset, byte[] sourceMac, int sourceMacOffset, byte[] output, int offset)
        {
            if (!Bounds.Fits(output, offset, FrameLength))
                return -1;
            if (source != null)
                return Write(output, offset, source, sourceOffset, sourceMac, sourceMacOffset);
            long due = lastMulticast == long.MinValue ? now : lastMulticast + MinDelayBetweenRasMs;
            if (due < now)
                due = now;
            if (next == long.MinValue || due < next)
                next = due;
            return 0;
        }

        long Interval()
        {
            long min = MinRtrAdvIntervalMs;
            long max = MaxRtrAdvIntervalMs;
            long value;
            if (entropy == null)
            {
                value = (min + max) / 2;
            }
            else
            {
                value = min + (long)(entropy.NextUInt32() % (ulong)(max - min + 1));
            }
            if (sent <= MaxInitialRtrAdvertisements && value > MaxInitialRtrAdvertIntervalMs)
                value = MaxInitialRtrAdvertIntervalMs;
            return value;
        }

        /// <summary>Writes an RA frame to (destination, destinationMac). The caller checked FrameLength fits.</summary>
        int Write(byte[] output, int offset, byte[] destination, int destinationOffset, byte[] dstMac, int dstMacOffset)
        {
            int p = offset + LanFrames.Ipv6PayloadOffset;
            System.Array.Clear(output, p, IcmpLength);
            output[p] = Icmpv6Packet.TypeRouterAdvertisement;
            output[p + 4] = LanFrames.DefaultHopLimit;             // Cur Hop Limit
            Endian.Write16(output, p + 6, routerLifetime);         // M = O = 0; Reachable Time and Retrans Timer 0 (unspecified)
            int o = p + 16;
            output[o] = 1;                                         // Source Link-Layer Address
            output[o + 1] = 1;
            System.Array.Copy(config.RouterMac, 0, output, o + 2, 6);
            o += 8;
            output[o] = 5;                                         // MTU
            output[o + 1] = 1;
            Endian.Write32(output, o + 4, (uint)config.Mtu);
            o += 8;
            output[o] = 3;                                         // Prefix Information
            output[o + 1] = 4;
            output[o + 2] = 64;
            output[o + 3] = 0xC0;                                  // L (on-link) and A (autonomous)
            Endian.Write32(output, o + 4, ValidLifetimeSeconds);
            Endian.Write32(output, o + 8, PreferredLifetimeSeconds);
            System.Array.Copy(config.UlaPrefix, 0, output, o + 16, 8);
            o += 32;
            output[o] = 25;                                        // Recursive DNS Server
            output[o + 1] = 3;
            Endian.Write32(output, o + 4, RdnssLifetimeSeconds);
            System.Array.Copy(config.RouterUla, 0, output, o + 8, 16);
            counters.Increment(LanCounter.RouterAdvertisementsSent);
            return LanFrames.FinishIcmp6(output, offset, dstMac, dstMacOffset, config.RouterMac,
                config.RouterLinkLocal, 0, destination, destinationOffset, LanFrames.NdHopLimit, IcmpLength);
        }
    }
}

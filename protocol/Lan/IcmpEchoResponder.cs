using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Echo replies for the router's own addresses: ICMP (RFC 792) to its IPv4 address and
    /// ICMPv6 (RFC 4443 section 4.2) to its link-local and ULA addresses.
    /// <code>
    ///  0                   1                   2                   3
    ///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |  Type (8 / 128 request, 0 / 129 reply)  | Code 0 |  Checksum |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |           Identifier          |        Sequence Number        |
    /// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    /// |     Data ...  (returned unchanged)
    /// +-+-+-+-+-
    /// </code>
    /// The reply goes back to the request's source MAC and IP; its source is the address the
    /// request was sent to. The request's checksum must verify; IPv4 options are not echoed
    /// (RFC 1122 section 3.2.2.6 allows dropping them except record route / timestamps, which
    /// the router does not implement). A reply that does not fit the output buffer is dropped.
    /// The output buffer must not be the one the request is in (LanServices checks).
    /// </summary>
    public sealed partial class IcmpEchoResponder
    {
        readonly LanConfig config;
        readonly LanCounters counters;
        ushort identification = 0x8000;

        public IcmpEchoResponder(LanConfig config, LanCounters counters)
        {
            this.config = config;
            this.counters = counters;
        }

        /// <summary>
        /// Handles an ICMP message to the router's IPv4 address (header checksum already
        /// verified, not a fragment). Echo requests get a reply; other ICMP is ignored and counted.
        /// </summary>
        public LanResult HandleV4(EthernetFrame eth, Ipv4Packet ip, byte[] output, int outputOffset)
        {
            Icmpv4Packet icmp;
            if (!Icmpv4Packet.TryCreate(ip.Buffer, ip.PayloadOffset, ip.PayloadLength, out icmp))
                return counters.Drop(LanCounter.DropMalformedIcmp);
            if (!icmp.VerifyChecksum())
                return counters.Drop(LanCounter.DropBadIcmpChecksum);
            if (icmp.Type != Icmpv4Packet.TypeEchoRequest || icmp.Code != 0)
                return counters.Ignore(LanCounter.IgnoredIcmpToRouter);
            int n = icmp.Length;
            if (!Bounds.Fits(output, outputOffset, LanFrames.Ipv4PayloadOffset + n))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            int at = outputOffset + LanFrames.Ipv4PayloadOffset;
            System.Array.Copy(icmp.Buffer, icmp.Offset, output, at, n);
            output[at] = Icmpv4Packet.TypeEchoReply;
            output[at + 1] = 0;
            int length = LanFrames.FinishIcmp4(output, outputOffset, eth.Buffer, eth.SourceOffsetInBuffer, config.RouterMac,
                config.RouterIp, ip.Source, n, identification++);
            counters.Increment(LanCounter.EchoRepliesV4);
            return LanResult.Reply(length);
        }

        /// <summary>
        /// Handles an ICMPv6 echo request to one of the router's unicast addresses (checksum
        /// already verified by the caller). Writes the echo reply.
        /// </summary>
        public LanResult HandleV6(EthernetFrame eth, Ipv6Packet ip, Icmpv6Packet icmp, byte[] output, int outputOffset)
        {
            if (!icmp.HasFullHeader || icmp.Code != 0)
                return counters.Drop(LanCounter.DropMalformedIcmp);
            int n = icmp.Length;
            if (!Bounds.Fits(output, outputOffset, LanFrames.Ipv6PayloadOffset + n))
                return counters.Drop(LanCounter.DropOutputTooSmall);
            int at = outputOffset + LanFrames.Ipv6PayloadOffset;
            System.Array.Copy(icmp.Buffer, icmp.Offset, output, at, n);
            output[at] = Icmpv6Packet.TypeEchoReply;
            output[at + 1] = 0;
            int length = LanFrames.FinishIcmp6(output, outputOffset, eth.Buffer, eth.SourceOffsetInBuffer, config.RouterMac,
                ip.Buffer, ip.DestinationOffsetInBuffer, ip.Buffer, ip.SourceOffsetInBuffer, LanFrames.DefaultHopLimit, n);
            counters.Increment(LanCounter.EchoRepliesV6);
            return LanResult.Reply(length);
        }


    }
}

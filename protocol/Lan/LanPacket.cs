using Warp.Protocol.Net;

namespace Warp.Protocol.Lan
{
    /// <summary>
    /// What <see cref="LanServices.Handle(EthernetFrame, byte[], int, long, out LanPacket)"/> learned
    /// of a frame, for the router: the IP view it parsed (so the NAT does not parse again) and the
    /// sending device (so the NAT's fairness counts devices). A value type: nothing is allocated.
    /// </summary>
    public struct LanPacket
    {
        /// <summary>4 or 6: which of <see cref="Ip4"/> and <see cref="Ip6"/> is filled; 0: neither.</summary>
        public int Version;
        public Ipv4Packet Ip4;
        public Ipv6Packet Ip6;
        /// <summary>
        /// The sending device's index (<see cref="LanDevices"/>) once its source passed validation,
        /// or once it holds a DHCP lease; -1 when none.
        /// </summary>
        public int Device;
    }
}

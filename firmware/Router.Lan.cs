using Warp.Hal;
using Warp.Protocol;
using Warp.Protocol.Lan;
using Warp.Protocol.Nat;
using Warp.Protocol.Net;
using Warp.Protocol.WireGuard;

namespace Warp.Firmware
{
    /// <summary>The router's LAN side: frames in (parsed once, validated, translated, into the tunnel), packets out to the MAC their address is bound to, and the LAN devices.</summary>
    public sealed partial class Router
    {
        // ------------------------------------------------------------------ LAN -> tunnel

        /// <summary>
        /// One LAN frame: its Ethernet and IP headers are parsed once here and in the LAN services,
        /// and the NAT translates the same IP view (the interpreter pays for every parse).
        /// </summary>
        internal void HandleLanFrame(int offset, int length, long now)
        {
            byte[] b = lanBuffer;
            EthernetFrame eth;
            if (!EthernetFrame.TryCreate(b, offset, length, out eth))
            {
                counters.Increment(RouterCounter.DropMalformedFrame);
                return;
            }
            LanPacket pk;
            LanResult lr = lan.Handle(eth, outBuffer, 0, now, out pk);
            if (pk.Device >= 0)
                ActivateDevice(pk.Device);
            if (lr.Action == LanAction.Reply)
            {
                HoldOrSendLan(outBuffer, 0, lr.Length, now);
                return;
            }
            if (lr.Action != LanAction.NotForUs)
                return; // consumed or dropped, and counted, by the LAN services
            if (!MacAddress.Equal(b, eth.DestinationOffsetInBuffer, routerMac, 0))
            {
                counters.Increment(RouterCounter.DropNotAddressedToRouter);
                return;
            }
            if (IsForWeb(pk))
            {
                HandleWeb(pk, now); // the setup page: the router's own TCP, never the NAT
                return;
            }
            NatResult nr;
            int ip, ipLength;
            if (pk.Version == 4)
            {
                Ipv4Packet p4 = pk.Ip4;
                if (p4.Ttl <= 1)
                {
                    counters.Increment(RouterCounter.DropTtlExpired);
                    return;
                }
                p4.DecrementTtl();
                ip = p4.Offset;
                ipLength = p4.Length;
                nr = nat.TranslateOutbound(p4, pk.Device, now, outBuffer, EthernetFrame.HeaderLength);
            }
            else if (pk.Version == 6)
            {
                Ipv6Packet p6 = pk.Ip6;
                if (p6.HopLimit <= 1)
                {
                    counters.Increment(RouterCounter.DropTtlExpired);
                    return;
                }
                p6.HopLimit = (byte)(p6.HopLimit - 1);
                ip = p6.Offset;
                ipLength = p6.Length;
                nr = nat.TranslateOutbound(p6, pk.Device, now, outBuffer, EthernetFrame.HeaderLength);
            }
            else
            {
                counters.Increment(RouterCounter.DropUnsupportedEtherType);
                return;
            }

            switch (nr.Action)
            {
                case NatAction.WriteToTunnel:
                    ForwardToTunnel(b, ip, ipLength, now);
                    ReleaseFragments(now);
                    break;
                case NatAction.WriteToLan:
                    DeliverToLan(b, ip, ipLength, now);
                    ReleaseFragments(now);
                    break;
                case NatAction.Dropped:
                    NoteNatRefusal(nr.Reason, pk, b, eth.SourceOffsetInBuffer, now);
                    break;
                case NatAction.Reply:
                    NoteNatRefusal(nr.Reason, pk, b, eth.SourceOffsetInBuffer, now);
                    // An ICMP error for the sender (table full, too big): back to the frame's source.
                    EthernetFrame.WriteHeader(outBuffer, 0, b, eth.SourceOffsetInBuffer, routerMac, 0, eth.EtherType);
                    SendLan(outBuffer, 0, EthernetFrame.HeaderLength + nr.ReplyLength);
                    break;
            }
        }

        /// <summary>A table-full or share refusal goes to the event log (coalesced there, so a flood takes one entry).</summary>
        void NoteNatRefusal(NatCounter reason, LanPacket pk, byte[] b, int macOffset, long now)
        {
            if (reason == NatCounter.DropTableFull || reason == NatCounter.DropHostTableFull || reason == NatCounter.DropPortsExhausted
                || reason == NatCounter.DropTableReserved)
                events.Add(EventKind.NatTableFull, now, (int)reason, 0);
            else if (reason == NatCounter.DropHostQuotaExceeded)
                events.AddIpv4(EventKind.NatHostQuota, now, pk.Version == 4 ? pk.Ip4.Source : 0, b, macOffset, pk.Version);
        }

        void SendToTunnel(byte[] b, int ip, int length, long now)
        {
            counters.Increment(RouterCounter.PacketsToTunnel);
            // The data message is written in place: its 16-byte header goes just before the packet.
            TunnelResult r = tunnel.Encapsulate(0, b, ip, length, b, ip - Message.DataPayload, now);
            if (r.Action == TunnelAction.WriteToNetwork)
            {
                SendData(b, ip - Message.DataPayload, r.Length, now);
            }
            else if (r.Action == TunnelAction.Staged)
                RunTunnelTimers(now);
        }

        /// <summary>A device the LAN services entered is present for the NAT: its reserve is held from now on.</summary>
        void ActivateDevice(int device)
        {
            if (device < deviceInNat.Length && !deviceInNat[device])
            {
                deviceInNat[device] = true;
                nat.SetDeviceActive(device, true);
            }
        }

        /// <summary>
        /// Frees one device per call, round robin, once it is long silent, holds no lease, no IPv6
        /// binding and no NAT session: a hotel room's passers-by do not fill the device table.
        /// </summary>
        void ExpireDevices(long now)
        {
            int d = deviceCursor;
            deviceCursor = (deviceCursor + 1) % deviceInNat.Length;
            if (!lan.IsDeviceIdle(d, now, DeviceIdleMs) || nat.Table.DeviceSessions(d) != 0)
                return;
            lan.ForgetDevice(d);
            if (deviceInNat[d])
            {
                deviceInNat[d] = false;
                nat.SetDeviceActive(d, false);
            }
        }

        /// <summary>
        /// Frames an IP packet at (b, ip) for the LAN host it is addressed to: to the MAC its address
        /// is bound to (its DHCP lease or static lease, its IPv6 source binding), never to whichever
        /// MAC last sent from that address. An address bound to nobody gets nothing.
        /// </summary>
        void DeliverToLan(byte[] b, int ip, int length, long now)
        {
            int frame = ip - EthernetFrame.HeaderLength;
            bool v6 = (b[ip] >> 4) == 6;
            bool found = v6 ? lan.TryGetBoundMac(b, ip + 24, b, frame, now) : lan.TryGetBoundMac(Endian.Read32(b, ip + 16), b, frame, now);
            if (!found)
            {
                counters.Increment(RouterCounter.DropUnboundDestination);
                return;
            }
            System.Array.Copy(routerMac, 0, b, frame + 6, 6);
            Endian.Write16(b, frame + 12, v6 ? EthernetFrame.EtherTypeIpv6 : EthernetFrame.EtherTypeIpv4);
            SendLan(b, frame, EthernetFrame.HeaderLength + length);
        }
    }
}

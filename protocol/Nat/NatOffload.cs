using Warp.Protocol.Net;

namespace Warp.Protocol.Nat
{
    /// <summary>
    /// Flow offload, the NAT's half: an established session's rewrite, both directions, encoded for
    /// the native fast path (hal/Esp32/native/core/wn_flow.h), and the fast path's activity brought
    /// back into the session's timer. The translator stays the authority: it creates, refreshes and
    /// expires sessions; the fast path only repeats a session's rewrite for its plain packets (no
    /// SYN/FIN/RST, no fragments, nothing above the tunnel MTU), so the two give the same bytes.
    /// <code>
    ///  0 version = 2   1 family (4 or 6)   2 IP protocol   3 zero   4 LAN port   6 external port
    ///  8 remote port   10 tunnel MTU   12 LAN MAC (6)   18 router MAC (6)   24 LAN address (16)
    /// 40 external address (16)   56 remote address (16)   72 binding, ms from now (4)   76 renewal, ms (4);
    /// big-endian, IPv4 in the first 4 bytes
    /// </code>
    /// The binding fields carry the LAN services' source binding (the LAN address bound to the LAN MAC,
    /// RFC 7039): the fast path carries the flow in neither direction once it lapses, and extends it by
    /// the renewal on each packet the device sends (an IPv6 binding lives while its device speaks).
    /// <see cref="ExportFlow"/> writes a binding that has already lapsed; <see cref="SetBinding"/> sets it.
    /// </summary>
    public static class NatOffload
    {
        public const int EntrySize = 80;
        public const byte EntryVersion = 2;
        /// <summary>The binding field of a static lease: it never lapses.</summary>
        public const uint BoundForever = 0xFFFFFFFF;

        /// <summary>
        /// Sets an exported entry's binding: it lapses <paramref name="boundForMs"/> from when the fast path
        /// takes it (long.MaxValue: never; 0 or less: already), and each packet the device sends renews it
        /// to <paramref name="renewMs"/> (0: never renewed).
        /// </summary>
        public static void SetBinding(byte[] entry, int offset, long boundForMs, long renewMs)
        {
            uint bound = boundForMs == long.MaxValue ? BoundForever : boundForMs <= 0 ? 0 : boundForMs >= BoundForever ? BoundForever - 1 : (uint)boundForMs;
            uint renew = renewMs <= 0 ? 0 : renewMs >= BoundForever ? BoundForever - 1 : (uint)renewMs;
            Endian.Write32(entry, offset + 72, bound);
            Endian.Write32(entry, offset + 76, renew);
        }

        /// <summary>
        /// The session an outbound packet of this flow uses, or -1: (LAN address, LAN port) to
        /// (remote address, remote port); for ICMP echo the port is the identifier and the remote port 0.
        /// </summary>
        public static int FindSession(NatTranslator nat, bool v6, byte protocol, byte[] lan, int lanOffset, int lanPort,
            byte[] remote, int remoteOffset, int remotePort, long now)
        {
            NatTable table = nat.Table;
            int flowClass = protocol == Ipv4Packet.ProtocolTcp ? NatTable.ProtoTcp : protocol == Ipv4Packet.ProtocolUdp ? NatTable.ProtoUdp : NatTable.ProtoIcmp;
            if (v6)
                flowClass |= NatTable.FlagV6;
            int host = v6 ? table.Hosts.FindV6(lan, lanOffset) : table.Hosts.FindV4(Endian.Read32(lan, lanOffset));
            if (host < 0)
                return -1;
            int rep = table.FindMappingByLan(flowClass, host, lanPort, now);
            if (rep < 0)
                return -1;
            uint key = v6 ? table.FingerprintV6(remote, remoteOffset) : Endian.Read32(remote, remoteOffset);
            return table.FindInRing(rep, key, remotePort, false, true);
        }

        /// <summary>
        /// Encodes session <paramref name="slot"/> for the fast path. Returns <see cref="EntrySize"/>, or
        /// 0 when the session is not offloaded: not live, a DNS redirect, TCP not yet established, or
        /// IPv6 without its remote address (pass it, or keep them: <see cref="NatConfig.KeepRemoteV6Addresses"/>).
        /// <paramref name="lanMac"/> is the MAC the LAN host's address is bound to; frames from any
        /// other MAC stay with the managed core.
        /// </summary>
        public static int ExportFlow(NatTranslator nat, int slot, byte[] lanMac, int lanMacOffset, byte[] routerMac, int routerMacOffset,
            byte[] remoteV6, int remoteV6Offset, long now, byte[] output, int offset)
        {
            NatTable table = nat.Table;
            NatConfig config = table.Config;
            if (slot < 0 || slot >= table.Capacity || !table.IsUsed(slot) || table.IsExpired(slot, now) || table.IsRedirected(slot)
                || !Bounds.Fits(output, offset, EntrySize) || !Bounds.Fits(lanMac, lanMacOffset, 6) || !Bounds.Fits(routerMac, routerMacOffset, 6))
                return 0;
            byte proto = table.Protocol(slot);
            if (proto == NatTable.ProtoTcp && !NatTcpState.IsEstablished(table.TcpState(slot)))
                return 0;
            bool v6 = table.IsV6(slot);
            int host = table.Host(slot);
            System.Array.Clear(output, offset, EntrySize);
            if (v6)
            {
                uint fingerprint = table.RemoteAddress(slot);
                if (remoteV6 != null)
                {
                    if (!Bounds.Fits(remoteV6, remoteV6Offset, 16) || table.FingerprintV6(remoteV6, remoteV6Offset) != fingerprint)
                        return 0;
                    System.Array.Copy(remoteV6, remoteV6Offset, output, offset + 56, 16);
                }
                else if (nat.RemoteAddresses == null || !nat.RemoteAddresses.TryGet(slot, fingerprint, output, offset + 56))
                {
                    return 0;
                }
                if (config.ExternalAddressV6 == null)
                    return 0;
                System.Array.Copy(table.Hosts.AddressV6Bytes, table.Hosts.AddressV6Offset(host), output, offset + 24, 16);
                System.Array.Copy(config.ExternalAddressV6, 0, output, offset + 40, 16);
            }
            else
            {
                if (config.ExternalAddressV4 == 0)
                    return 0;
                Endian.Write32(output, offset + 24, table.Hosts.AddressV4(host));
                Endian.Write32(output, offset + 40, config.ExternalAddressV4);
                Endian.Write32(output, offset + 56, table.RemoteAddress(slot));
            }
            output[offset] = EntryVersion;
            output[offset + 1] = v6 ? (byte)6 : (byte)4;
            output[offset + 2] = proto == NatTable.ProtoTcp ? Ipv4Packet.ProtocolTcp : proto == NatTable.ProtoUdp ? Ipv4Packet.ProtocolUdp
                : v6 ? Ipv6Packet.NextHeaderIcmpv6 : Ipv4Packet.ProtocolIcmp;
            Endian.Write16(output, offset + 4, table.LanPort(slot));
            Endian.Write16(output, offset + 6, table.ExternalPort(slot));
            Endian.Write16(output, offset + 8, proto == NatTable.ProtoIcmp ? (ushort)0 : table.RemotePort(slot));
            Endian.Write16(output, offset + 10, (ushort)config.TunnelMtu);
            System.Array.Copy(lanMac, lanMacOffset, output, offset + 12, 6);
            System.Array.Copy(routerMac, routerMacOffset, output, offset + 18, 6);
            return EntrySize;
        }

        /// <summary>
        /// The fast path's activity for an offloaded session: packets out and in since the last report
        /// and how long ago the latest of each was. Outbound traffic refreshes the session (RFC 4787
        /// REQ-6); inbound refreshes TCP always and UDP/ICMP with <see cref="NatConfig.InboundRefresh"/>,
        /// as the translator does. Returns false when the session is gone (the caller removes the flow).
        /// </summary>
        public static bool ApplyActivity(NatTranslator nat, int slot, long packetsOut, long idleOutMs, long packetsIn, long idleInMs, long now)
        {
            NatTable table = nat.Table;
            if (slot < 0 || slot >= table.Capacity || !table.IsUsed(slot))
                return false;
            long latest = long.MinValue;
            if (packetsOut > 0)
                latest = now - idleOutMs;
            if (packetsIn > 0 && (table.Protocol(slot) == NatTable.ProtoTcp || table.Config.InboundRefresh) && now - idleInMs > latest)
                latest = now - idleInMs;
            if (latest != long.MinValue && !table.IsExpired(slot, latest))
                table.Refresh(slot, latest);
            return !table.IsExpired(slot, now);
        }
    }
}

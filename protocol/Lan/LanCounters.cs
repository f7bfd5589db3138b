namespace Warp.Protocol.Lan
{
    /// <summary>
    /// Every event the LAN services count: each drop or ignore by its reason, then the normal
    /// traffic. A <see cref="LanResult"/> of Dropped carries one of the Drop* values.
    /// </summary>
    public enum LanCounter
    {
        /// <summary>No reason: the sentinel of <see cref="LanResult.Reason"/> when nothing was dropped.</summary>
        None = 0,
        // Frames dropped (LanAction.Dropped)
        DropMalformedEthernet,
        DropVlanTagged,
        DropMalformedArp,
        DropMalformedIpv4,
        DropBadIpv4Checksum,
        DropFragmentToRouter,
        DropMalformedUdp,
        DropBadUdpChecksum,
        DropMalformedIpv6,
        DropMalformedIcmp,
        DropBadIcmpChecksum,
        DropToRouterUnhandled,
        DropOutputTooSmall,
        DropDhcpTruncated,
        DropDhcpBadMagicCookie,
        DropDhcpBadOp,
        DropDhcpBadHardware,
        DropDhcpOptionsOverrun,
        DropDhcpBadOption,
        DropDhcpNoMessageType,
        DropDhcpUnknownMessageType,
        DropDhcpRelayed,
        DropDhcpPoolExhausted,
        DropDhcpBadRequest,
        DropNdHopLimit,
        DropNdBadCode,
        DropNdBadLength,
        DropNdBadOptions,
        DropNdUnspecifiedWithLinkAddress,
        DropNdMulticastTarget,
        DropNdBadDestination,
        // Source address validation (RFC 7039, RFC 6620) of packets to forward
        DropSourceUnboundV4,
        DropSourceLeasedElsewhere,
        DropSourceForeignPrefix,
        DropSourceRouterAddress,
        DropSourceBoundElsewhere,
        DropSourceDeviceTableFull,
        DropSourceBindingTableFull,
        DropSourceDeviceBindingLimit,
        // Ignored (LanAction.Consumed, nothing sent)
        IgnoredArpForOthers,
        IgnoredArpConflict,
        IgnoredDhcpServerMessage,
        IgnoredDhcpOtherServer,
        IgnoredDhcpNoRecord,
        IgnoredDhcpDeclineUnknown,
        IgnoredDhcpReleaseUnknown,
        IgnoredNdTargetNotOurs,
        IgnoredNdForeignRouterAdvertisement,
        IgnoredNdRedirect,
        IgnoredNdAddressConflict,
        IgnoredMld,
        IgnoredLinkBroadcast,
        IgnoredLinkMulticast,
        IgnoredIcmpToRouter,
        // Events
        ArpRepliesSent,
        ArpRequestsSent,
        ArpAnnouncementsSent,
        ArpConflictsDefended,
        DhcpDiscovers,
        DhcpOffers,
        DhcpRequests,
        DhcpAcks,
        DhcpNaks,
        DhcpReleases,
        DhcpDeclines,
        DhcpDeclinedRecycled,
        DhcpInforms,
        EchoRepliesV4,
        EchoRepliesV6,
        RouterSolicitations,
        RouterAdvertisementsSent,
        NeighborSolicitations,
        NeighborAdvertisementsSent,
        DadDefended,
        NeighborsLearnedV4,
        NeighborsLearnedV6,
        LeaseStoreSaves,
        LeaseStoreLoadRejected,
        LeaseStoreSaveFailed,
        IgnoredDhcpForgedRelease,
        IgnoredDhcpForgedDecline,
        LeaseStoreRecordsLost,
        LeaseStoreDamaged,
        DhcpProbesSent,
        DhcpProbeConflicts,
        IgnoredDhcpProbeBusy,
        Count,
    }

    /// <summary>The LAN services' counters (<see cref="CounterSet"/>), typed by <see cref="LanCounter"/>.</summary>
    public sealed class LanCounters : CounterSet
    {
        static readonly string[] names =
        {
            "none",
            "drop.malformed_ethernet", "drop.vlan_tagged", "drop.malformed_arp", "drop.malformed_ipv4",
            "drop.bad_ipv4_checksum", "drop.fragment_to_router", "drop.malformed_udp", "drop.bad_udp_checksum",
            "drop.malformed_ipv6", "drop.malformed_icmp", "drop.bad_icmp_checksum", "drop.to_router_unhandled",
            "drop.output_too_small", "drop.dhcp_truncated", "drop.dhcp_bad_magic_cookie", "drop.dhcp_bad_op",
            "drop.dhcp_bad_hardware", "drop.dhcp_options_overrun", "drop.dhcp_bad_option", "drop.dhcp_no_message_type",
            "drop.dhcp_unknown_message_type", "drop.dhcp_relayed", "drop.dhcp_pool_exhausted", "drop.dhcp_bad_request",
            "drop.nd_hop_limit", "drop.nd_bad_code", "drop.nd_bad_length", "drop.nd_bad_options",
            "drop.nd_unspecified_with_link_address", "drop.nd_multicast_target", "drop.nd_bad_destination",
            "drop.source_unbound_v4", "drop.source_leased_elsewhere", "drop.source_foreign_prefix", "drop.source_router_address",
            "drop.source_bound_elsewhere", "drop.source_device_table_full", "drop.source_binding_table_full",
            "drop.source_device_binding_limit",
            "ignored.arp_for_others", "ignored.arp_conflict", "ignored.dhcp_server_message", "ignored.dhcp_other_server",
            "ignored.dhcp_no_record", "ignored.dhcp_decline_unknown", "ignored.dhcp_release_unknown",
            "ignored.nd_target_not_ours", "ignored.nd_foreign_router_advertisement", "ignored.nd_redirect",
            "ignored.nd_address_conflict", "ignored.mld", "ignored.link_broadcast", "ignored.link_multicast",
            "ignored.icmp_to_router",
            "arp_replies_sent", "arp_requests_sent", "arp_announcements_sent", "arp_conflicts_defended",
            "dhcp_discovers", "dhcp_offers", "dhcp_requests", "dhcp_acks", "dhcp_naks", "dhcp_releases",
            "dhcp_declines", "dhcp_declined_recycled", "dhcp_informs", "echo_replies_v4", "echo_replies_v6",
            "router_solicitations", "router_advertisements_sent", "neighbor_solicitations",
            "neighbor_advertisements_sent", "dad_defended", "neighbors_learned_v4", "neighbors_learned_v6",
            "lease_store_saves", "lease_store_load_rejected", "lease_store_save_failed",
            "ignored.dhcp_forged_release", "ignored.dhcp_forged_decline", "lease_store_records_lost", "lease_store_damaged",
            "dhcp_probes_sent", "dhcp_probe_conflicts", "ignored.dhcp_probe_busy",
        };

        public LanCounters() : base("lan", names, (int)LanCounter.DropSourceDeviceBindingLimit + 1) { }
        public long this[LanCounter c] { get { return Get((int)c); } }
        public void Increment(LanCounter c) { Add((int)c); }
        public void Add(LanCounter c, long n) { Add((int)c, n); }

        /// <summary>Counts <paramref name="reason"/> and returns the Dropped result for it.</summary>
        public LanResult Drop(LanCounter reason)
        {
            Add((int)reason);
            return LanResult.Dropped(reason);
        }

        /// <summary>Counts <paramref name="reason"/> for a frame ignored on purpose and returns Consumed.</summary>
        public LanResult Ignore(LanCounter reason)
        {
            Add((int)reason);
            return LanResult.Consumed;
        }
    }
}

/*
 * NAT translation of one IP packet of an offloaded flow, in place, with incremental checksums (RFC
 * 1624) in exactly the steps protocol/Nat/NatTranslator.cs takes, so the bytes agree. Only the
 * plain case is handled: IPv4 without fragmentation, IPv6 whose next header is TCP, UDP or ICMPv6,
 * TCP without SYN, FIN or RST (the managed core tracks TCP state from those and clamps the MSS on
 * SYNs), ICMP echo requests out and echo replies in, packets within the tunnel MTU. Anything else
 * returns NULL with the packet untouched (outbound: but for the TTL, which the caller's copy takes):
 * the managed core decides. So does a flow whose LAN address's binding has lapsed (now >=
 * bound_until, wn_flow.h): the managed core then drops the packet as it drops any unbound source or
 * destination.
 */
#ifndef WN_NAT_H
#define WN_NAT_H

#include "wn_flow.h"

/*
 * LAN to tunnel: decrements the TTL / hop limit as the router does, then rewrites the source to the
 * external address and port. ip holds `available` bytes; *ip_length gets the packet's own length.
 */
wn_flow *wn_nat_outbound(wn_flow_table *t, uint8_t *ip, size_t available, size_t *ip_length, int64_t now);

/* Tunnel to LAN: rewrites the destination to the LAN host and port. */
wn_flow *wn_nat_inbound(wn_flow_table *t, uint8_t *ip, size_t length, int64_t now);

#endif

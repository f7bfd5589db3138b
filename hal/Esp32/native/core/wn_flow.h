/*
 * The offloaded flow table: an array of established NAT flows in storage the caller hands over
 * once (the board profile sets the capacity, at most WN_MAX_FLOWS; wn_flow_storage_bytes says how
 * much), each found by its outbound key (LAN address and port, remote address and port) and by its
 * inbound key (external port, remote address and port) through two chained hash indexes. Only the
 * managed core adds, replaces and removes flows; the fast path reads them and records activity.
 *
 * The flow encoding the managed core writes (protocol/Nat/NatOffload.cs), 80 bytes, big-endian:
 *   0 version = 2   1 family (4 or 6)   2 IP protocol (6, 17, 1 or 58)   3 reserved
 *   4 LAN port (ICMP: the host's echo identifier)   6 external port (ICMP: the external identifier)
 *   8 remote port (0 for ICMP)   10 tunnel MTU   12 LAN MAC (6)   18 router MAC (6)
 *  24 LAN address (16; IPv4 in the first 4)   40 external address (16)   56 remote address (16)
 *  72 binding: ms the LAN address stays bound to the LAN MAC from now (WN_BOUND_FOREVER: a static
 *     lease)   76 binding renewal: ms each packet the device sends extends it to (0: none; an IPv6
 *     source binding lapses after silence, a DHCP lease at its end)
 * Once the binding has lapsed the fast path carries the flow in neither direction: the managed core
 * sees the packets and drops them for the reason it drops any unbound address's.
 */
#ifndef WN_FLOW_H
#define WN_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef WN_MAX_FLOWS
#define WN_MAX_FLOWS 256
#endif
#define WN_FLOW_ENCODED 80
#define WN_FLOW_VERSION 2
#define WN_BOUND_FOREVER 0xFFFFFFFFu

typedef struct {
    bool used;
    bool v6;
    uint8_t protocol;
    uint16_t lan_port, ext_port, remote_port, mtu;
    uint8_t lan_mac[6], router_mac[6];
    uint8_t lan[16], ext[16], remote[16];
    int64_t last_out, last_in;
    uint32_t packets_out, packets_in;
    uint32_t hash_out, hash_in;
    int16_t next_out, next_in;
    uint32_t renew_ms;      /* an outbound packet carried extends bound_until to now + renew_ms */
    int64_t bound_until;    /* the LAN address's binding to lan_mac lapses here (INT64_MAX: never) */
} wn_flow;

typedef struct {
    wn_flow *flows;         /* capacity entries */
    int16_t *buckets_out;   /* buckets entries each: the first slot of a chain, -1 for none */
    int16_t *buckets_in;
    uint32_t capacity;
    uint32_t buckets;       /* a power of two, at least 2 * capacity */
    uint32_t count;
    uint32_t seed;
} wn_flow_table;

/* Bytes of storage a table of this capacity needs (flows and both indexes); 0 when the capacity is out of range. */
size_t wn_flow_storage_bytes(uint32_t capacity);

/*
 * Empties the table over storage (storage_bytes at least wn_flow_storage_bytes(capacity), aligned
 * for int64_t as malloc's is) and sets its capacity (1..WN_MAX_FLOWS) and hash seed; false when the
 * capacity is out of range or the storage too small. The table keeps the storage; nothing allocates.
 */
bool wn_flow_init(wn_flow_table *t, void *storage, size_t storage_bytes, uint32_t capacity, uint32_t seed);

/* Adds a flow from its encoding, replacing any flow with the same outbound or inbound key; the slot, or -1 when the encoding is bad or the table full. */
int wn_flow_add(wn_flow_table *t, const uint8_t *encoded, size_t length, int64_t now);

/* Removes the flow in slot (nothing when it is empty). */
void wn_flow_remove(wn_flow_table *t, int slot);

/* Forgets every flow. */
void wn_flow_flush(wn_flow_table *t);

/* The flow an outbound packet belongs to, or NULL. Addresses are 4 or 16 bytes by family. */
wn_flow *wn_flow_find_out(wn_flow_table *t, bool v6, uint8_t protocol, const uint8_t *lan, uint16_t lan_port,
                          const uint8_t *remote, uint16_t remote_port);

/* The flow an inbound packet belongs to, or NULL. */
wn_flow *wn_flow_find_in(wn_flow_table *t, bool v6, uint8_t protocol, const uint8_t *ext, uint16_t ext_port,
                         const uint8_t *remote, uint16_t remote_port);

#endif

/*
 * The fast path: established flows carried without the interpreter. It composes the flow table
 * (wn_flow.h), the NAT rewrite (wn_nat.h) and the keypair (wn_tunnel.h):
 *   LAN frame   -> NAT outbound -> seal            -> datagram for the peer   (WN_TO_NETWORK)
 *   datagram    -> open -> NAT inbound -> Ethernet -> frame for the LAN host  (WN_TO_LAN)
 * Whatever it does not carry goes to the managed core unchanged (WN_PUNT), or, for a datagram that
 * authenticated on the offloaded keypair but belongs to no offloaded flow, as the decrypted packet
 * (WN_DECRYPTED: the managed NAT takes it from there; the counter is already recorded here).
 * The fast path never starts a handshake, creates a mapping or answers a LAN service.
 */
#ifndef WN_FASTPATH_H
#define WN_FASTPATH_H

#include "wn_flow.h"
#include "wn_tunnel.h"

typedef enum {
    WN_PUNT = 0,        /* the managed core takes the input unchanged */
    WN_TO_NETWORK = 1,  /* a data message for the peer at out, length bytes */
    WN_TO_LAN = 2,      /* an Ethernet frame for the LAN host at out, length bytes */
    WN_DECRYPTED = 3,   /* an authenticated IP packet at out + 14, length bytes, for the managed NAT */
    WN_CONSUMED = 4,    /* an authenticated keepalive: nothing to forward */
    WN_DROPPED = 5,     /* dropped, reason says why (the managed tunnel would drop it for the same reason) */
} wn_action;

typedef enum {
    WN_DROP_NONE = 0,
    WN_DROP_REPLAYED = 1,
    WN_DROP_UNDECRYPTABLE = 2,
    WN_DROP_BAD_INNER_PACKET = 3,
} wn_drop_reason;

typedef struct {
    wn_action action;
    wn_drop_reason reason;
    size_t length;
    int slot; /* the flow, for WN_TO_NETWORK and WN_TO_LAN; else -1 */
} wn_result;

/* Counters, in the order of protocol/FastPathCounters.cs's FastPathCounter (index 0 is its None, never
 * counted; then the drop reasons; tests/Native/CounterNameTests holds the two in step). */
enum {
    WN_C_NONE,
    WN_C_DROP_REPLAYED, WN_C_DROP_UNDECRYPTABLE, WN_C_DROP_BAD_INNER_PACKET,
    WN_C_PACKETS_OUT, WN_C_BYTES_OUT, WN_C_PACKETS_IN, WN_C_BYTES_IN,
    WN_C_PUNTED_FROM_LAN, WN_C_PUNTED_FROM_UPLINK, WN_C_DECRYPTED_TO_CORE, WN_C_KEEPALIVES_IN,
    WN_C_COUNT
};

typedef struct {
    wn_flow_table flows;
    wn_keypair keypair;
    uint64_t counters[WN_C_COUNT];
} wn_fastpath;

#define WN_ETHERNET 14

/* Bytes of storage the flow table of this capacity needs (wn_flow_storage_bytes); 0 when out of range. */
size_t wn_fastpath_storage_bytes(uint32_t flow_capacity);

/* Sets the fast path up over flow storage handed over once (allocated at start, never per packet). */
bool wn_fastpath_init(wn_fastpath *fp, void *flow_storage, size_t storage_bytes, uint32_t flow_capacity, uint32_t seed);

/*
 * A frame from the LAN; carried only when its source MAC is the one the flow's LAN address is bound
 * to, its destination the router's MAC and the binding has not lapsed (the managed path's source
 * validation, RFC 7039: anything else is punted and the managed core drops it, counted by reason).
 * out receives the data message (needs 16 + the IP packet padded to 16 + 16 bytes). The frame is never changed. */
wn_result wn_fastpath_from_lan(wn_fastpath *fp, const uint8_t *frame, size_t length, uint8_t *out, size_t out_capacity, int64_t now);

/* A datagram from the peer (its reserved bytes are cleared in place); out receives the frame (needs 14 + length - 32 bytes). */
wn_result wn_fastpath_from_uplink(wn_fastpath *fp, uint8_t *datagram, size_t length, uint8_t *out, size_t out_capacity, int64_t now);

/* Forgets every flow and wipes the keypair. */
void wn_fastpath_flush(wn_fastpath *fp);

#endif

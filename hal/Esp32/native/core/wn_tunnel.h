/*
 * WireGuard transport data messages (whitepaper 5.4.6) for the one keypair the managed core has
 * handed down: encapsulate (type 4, the client id in the reserved bytes, the receiver index, the
 * counter, the packet padded to 16 and sealed) and decapsulate (replay check, open, replay record,
 * inner length). The replay window follows RFC 6479 exactly as protocol/WireGuard/ReplayWindow.cs
 * does, with the same word count, so both accept and refuse the same counters.
 *
 *   0  type = 4, reserved (client id, 3 bytes)   8  counter (8, little-endian)
 *   4  receiver index (4, little-endian)       16  encrypted packet (padded to 16) + tag (16)
 */
#ifndef WN_TUNNEL_H
#define WN_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WN_REPLAY_MAX_WORDS 128
#define WN_DATA_HEADER 16
#define WN_DATA_MIN 32
#define WN_REJECT_AFTER_MESSAGES (UINT64_MAX - (1ULL << 13))

/* The keypair state the managed core encodes (protocol/WireGuard/Tunnel.Offload.cs), little-endian:
 *   0 version = 1   1 reserved   2 replay words (2)   4 local index (4)   8 remote index (4)
 *  12 client id (4, low 24 bits)  16 send counter (8)  24 send limit (8)  32 lifetime ms (8, signed)
 *  40 max packet size (4)  44 reserved (4)  48 send key (32)  80 receive key (32)
 * 112 replay greatest (8)  120 replay any (1), reserved (7)  128 replay bitmap (words * 8) */
#define WN_KEYPAIR_VERSION 1
#define WN_KEYPAIR_FIXED 128
#define WN_KEYPAIR_MAX (WN_KEYPAIR_FIXED + WN_REPLAY_MAX_WORDS * 8)

typedef struct {
    uint64_t bitmap[WN_REPLAY_MAX_WORDS];
    uint32_t words;
    uint64_t greatest;
    bool any;
} wn_replay;

typedef struct {
    bool valid;
    uint32_t local_index;
    uint32_t remote_index;
    uint32_t client_id;
    uint64_t send_counter;
    uint64_t send_limit;
    int64_t expires;
    uint32_t max_packet;
    uint8_t send_key[32];
    uint8_t receive_key[32];
    wn_replay replay;
} wn_keypair;

bool wn_replay_may_accept(const wn_replay *r, uint64_t counter);
bool wn_replay_accept(wn_replay *r, uint64_t counter);

/* Installs a keypair from its encoding; false (and the keypair cleared) when the encoding is wrong. */
bool wn_keypair_load(wn_keypair *kp, const uint8_t *blob, size_t length, int64_t now);
/* Writes the keypair's state back in the same encoding with both keys zero; returns the length, 0 when it does not fit. */
size_t wn_keypair_save(const wn_keypair *kp, uint8_t *blob, size_t capacity, int64_t now);
/* Wipes the keys and forgets the keypair. */
void wn_keypair_clear(wn_keypair *kp);

/*
 * Seals the packet of `length` bytes that sits at out + 16 into a data message at out (out needs
 * 16 + padded length + 16 bytes, out_capacity says how many there are). Returns the message length,
 * or 0 when this keypair may not send it (none, expired, counter at its limit, packet too long):
 * the managed core then decides.
 */
size_t wn_tunnel_seal(wn_keypair *kp, uint8_t *out, size_t length, size_t out_capacity, int64_t now);

typedef enum {
    WN_OPEN_NOT_OURS = 0,   /* not a data message for this keypair: the managed core takes it */
    WN_OPEN_PACKET = 1,     /* an IP packet at out, *inner bytes */
    WN_OPEN_KEEPALIVE = 2,  /* authenticated, empty */
    WN_OPEN_REPLAYED = 3,   /* dropped: counter seen or too old (DropDataReplayed) */
    WN_OPEN_BAD_TAG = 4,    /* dropped: did not authenticate (DropDataUndecryptable) */
    WN_OPEN_BAD_INNER = 5,  /* dropped: plaintext is not an IP packet that fits (DropDataBadInnerPacket) */
} wn_open_result;

/*
 * Decapsulates a datagram (its reserved bytes are cleared in place, as the managed tunnel does) into
 * out, which needs length - 32 bytes.
 */
wn_open_result wn_tunnel_open(wn_keypair *kp, uint8_t *datagram, size_t length, uint8_t *out, size_t out_capacity,
                              size_t *inner, int64_t now);

#endif

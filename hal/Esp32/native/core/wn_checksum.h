/*
 * The Internet checksum's incremental update (RFC 1624, equation 3: HC' = ~(~HC + ~m + m')), written
 * to give exactly the bytes protocol/Net/InternetChecksum.cs gives: the same folds in the same order,
 * so the differential test can compare translated packets byte for byte.
 */
#ifndef WN_CHECKSUM_H
#define WN_CHECKSUM_H

#include <stdint.h>

static inline uint16_t wn_rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline void wn_wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline uint32_t wn_rd32(const uint8_t *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }
static inline void wn_wr32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }
static inline uint32_t wn_rd32le(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static inline void wn_wr32le(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static inline uint64_t wn_rd64le(const uint8_t *p) { return (uint64_t)wn_rd32le(p) | ((uint64_t)wn_rd32le(p + 4) << 32); }
static inline void wn_wr64le(uint8_t *p, uint64_t v) { wn_wr32le(p, (uint32_t)v); wn_wr32le(p + 4, (uint32_t)(v >> 32)); }

/* RFC 1624 eqn. 3 for one 16-bit word. */
static inline uint16_t wn_csum_update(uint16_t checksum, uint16_t old_word, uint16_t new_word)
{
    uint32_t sum = (uint32_t)(uint16_t)~checksum + (uint16_t)~old_word + new_word;
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The same for a 32-bit field (an IPv4 address): high word first, then low word. */
static inline uint16_t wn_csum_update32(uint16_t checksum, uint32_t old_value, uint32_t new_value)
{
    checksum = wn_csum_update(checksum, (uint16_t)(old_value >> 16), (uint16_t)(new_value >> 16));
    return wn_csum_update(checksum, (uint16_t)old_value, (uint16_t)new_value);
}

/* The same for an even-length byte field (an IPv6 address) changing from old_bytes to new_bytes. */
static inline uint16_t wn_csum_update_bytes(uint16_t checksum, const uint8_t *old_bytes, const uint8_t *new_bytes, int length)
{
    uint32_t sum = (uint16_t)~checksum;
    for (int i = 0; i < length; i += 2) {
        sum += (uint16_t)~wn_rd16(old_bytes + i);
        sum += wn_rd16(new_bytes + i);
    }
    sum = (sum & 0xFFFF) + (sum >> 16);
    sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* True when the bytes (which hold their own checksum) sum to all ones (RFC 1071). */
static inline int wn_csum_verify(const uint8_t *b, int length)
{
    uint64_t acc = 0;
    int i = 0;
    for (; i + 1 < length; i += 2)
        acc += wn_rd16(b + i);
    if (i < length)
        acc += (uint32_t)(b[i] << 8);
    while (acc >> 16)
        acc = (acc & 0xFFFF) + (acc >> 16);
    return (uint16_t)~acc == 0;
}

#endif

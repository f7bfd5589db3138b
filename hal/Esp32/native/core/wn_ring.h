/*
 * A single-producer, single-consumer ring of frames in caller-owned storage: the SoftAP's receive
 * callback (the Wi-Fi task) pushes, the managed loop's LanReceive pops. The producer never blocks and
 * never waits: a full ring drops the frame and counts it. Head and tail are C11 atomics with
 * release/acquire ordering, so a slot's bytes are visible before its index is.
 */
#ifndef WN_RING_H
#define WN_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint8_t *storage;     /* slots * slot_size bytes, the caller's */
    uint16_t *lengths;    /* slots entries, the caller's */
    uint32_t slots;       /* a power of two */
    uint32_t slot_size;   /* the largest frame a slot holds */
    _Atomic uint32_t head; /* next slot the producer writes (only the producer stores it) */
    _Atomic uint32_t tail; /* next slot the consumer reads (only the consumer stores it) */
    _Atomic uint32_t overflows; /* frames dropped because the ring was full */
    _Atomic uint32_t oversized; /* frames dropped because they were longer than a slot */
} wn_ring;

/* Sets the ring up over storage; false when slots is not a power of two or a size is zero. */
bool wn_ring_init(wn_ring *ring, uint8_t *storage, uint16_t *lengths, uint32_t slots, uint32_t slot_size);

/* Producer: copies a frame in; false (and counted) when the ring is full or the frame too long. */
bool wn_ring_push(wn_ring *ring, const uint8_t *frame, size_t length);

/* Consumer: copies the oldest frame to buf (cut to capacity) and returns its real length; 0 when empty. */
size_t wn_ring_pop(wn_ring *ring, uint8_t *buf, size_t capacity);

/* Consumer: frames waiting. */
uint32_t wn_ring_count(wn_ring *ring);

#endif

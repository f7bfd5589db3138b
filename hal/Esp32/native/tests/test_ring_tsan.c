/*
 * The frame ring under ThreadSanitizer: a producer thread pushes N numbered frames of varying length
 * (the Wi-Fi task), a consumer thread pops them (the managed loop), both at full speed. Every frame
 * either arrives intact and in order or was refused at push and counted: received + overflows = N,
 * sequence numbers strictly increasing, contents checked. A second run with a slow consumer forces
 * overflows. TSan reports any data race (halt_on_error).
 *   test_ring_tsan FRAMES
 */
#include "wn_ring.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 64
#define SLOT_SIZE 256

static uint8_t storage[SLOTS * SLOT_SIZE];
static uint16_t lengths[SLOTS];
static wn_ring ring;
static long frames;
static long refused;
static volatile int slow_consumer;

static size_t frame_length(uint32_t seq) { return 8 + (seq * 37u) % (SLOT_SIZE - 8); }

static void *producer(void *arg)
{
    (void)arg;
    uint8_t frame[SLOT_SIZE];
    for (long i = 0; i < frames; i++) {
        uint32_t seq = (uint32_t)i;
        size_t n = frame_length(seq);
        memcpy(frame, &seq, 4);
        for (size_t k = 4; k < n; k++)
            frame[k] = (uint8_t)(seq + k);
        if (!wn_ring_push(&ring, frame, n))
            refused++;
    }
    return NULL;
}

typedef struct { long received; long errors; } consumer_result;

static void *consumer(void *arg)
{
    consumer_result *r = arg;
    uint8_t frame[SLOT_SIZE];
    long last = -1;
    for (;;) {
        size_t n = wn_ring_pop(&ring, frame, sizeof frame);
        if (n == 0) {
            if (last == frames - 1 || (long)(r->received + atomic_load(&ring.overflows)) >= frames)
                break;
            continue;
        }
        uint32_t seq;
        memcpy(&seq, frame, 4);
        if ((long)seq <= last || n != frame_length(seq))
            r->errors++;
        for (size_t k = 4; k < n; k++)
            if (frame[k] != (uint8_t)(seq + k)) {
                r->errors++;
                break;
            }
        last = seq;
        r->received++;
        if (slow_consumer)
            for (volatile int spin = 0; spin < 2000; spin++) {
            }
    }
    return NULL;
}

static int run(long n, int slow)
{
    pthread_t p, c;
    consumer_result r = { 0, 0 };
    frames = n;
    refused = 0;
    slow_consumer = slow;
    if (!wn_ring_init(&ring, storage, lengths, SLOTS, SLOT_SIZE))
        return 1;
    pthread_create(&c, NULL, consumer, &r);
    pthread_create(&p, NULL, producer, NULL);
    pthread_join(p, NULL);
    pthread_join(c, NULL);
    long overflows = (long)atomic_load(&ring.overflows);
    printf("%s consumer: %ld frames, %ld received, %ld overflowed (%ld refused at push), %ld errors\n",
           slow ? "slow" : "fast", n, r.received, overflows, refused, r.errors);
    if (r.errors != 0 || r.received + overflows != n || overflows != refused)
        return 1;
    if (slow && overflows == 0)
        return 1; /* the slow consumer must have made the producer overflow */
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    uint8_t big[SLOT_SIZE + 1] = { 0 };
    int rc = run(n, 0) | run(n / 20, 1);
    /* An oversized frame is refused and counted, never truncated into a slot. */
    wn_ring_init(&ring, storage, lengths, SLOTS, SLOT_SIZE);
    if (wn_ring_push(&ring, big, sizeof big) || atomic_load(&ring.oversized) != 1 || wn_ring_count(&ring) != 0)
        rc = 1;
    /* Bad geometry is refused. */
    if (wn_ring_init(&ring, storage, lengths, 48, SLOT_SIZE))
        rc = 1;
    printf(rc == 0 ? "ring: passed\n" : "ring: FAILED\n");
    return rc;
}

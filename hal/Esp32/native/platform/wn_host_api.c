/*
 * The host library's test surface (Linux only, libwarp_native.so): fast-path instances with time as a
 * parameter, so tests/Native can drive one beside the managed core with the same fake clock. The
 * device build does not compile this file.
 */
#include "../core/wn_chachapoly.h"
#include "../core/wn_crypto.h"
#include "../core/wn_fastpath.h"
#include "../core/wn_ring.h"
#include "../warp_native.h"
#include "wn_host_api.h"

#include <stdlib.h>

/* A fast path and its flow table, both from the heap (the device's glue allocates the table once, at start). */
WARP_EXPORT wn_fastpath *wn_host_create(int32_t flow_capacity, uint32_t seed)
{
    size_t bytes = flow_capacity < 1 ? 0 : wn_fastpath_storage_bytes((uint32_t)flow_capacity);
    if (bytes == 0)
        return NULL;
    wn_fastpath *fp = calloc(1, sizeof *fp);
    void *storage = calloc(1, bytes);
    if (fp == NULL || storage == NULL || !wn_fastpath_init(fp, storage, bytes, (uint32_t)flow_capacity, seed)) {
        free(storage);
        free(fp);
        return NULL;
    }
    return fp;
}

WARP_EXPORT void wn_host_destroy(wn_fastpath *fp)
{
    if (fp == NULL)
        return;
    wn_fastpath_flush(fp);
    free(fp->flows.flows);
    free(fp);
}

/* Native RAM the fast path of this capacity holds on the device: its state (keypair, counters) and its flow table. */
WARP_EXPORT int32_t wn_host_native_bytes(int32_t flow_capacity)
{
    size_t table = flow_capacity < 1 ? 0 : wn_fastpath_storage_bytes((uint32_t)flow_capacity);
    return table == 0 ? 0 : (int32_t)(sizeof(wn_fastpath) + table);
}

WARP_EXPORT int32_t wn_host_add_flow(wn_fastpath *fp, const uint8_t *entry, int32_t length, int64_t now)
{
    return wn_flow_add(&fp->flows, entry, (size_t)length, now);
}

WARP_EXPORT void wn_host_remove_flow(wn_fastpath *fp, int32_t slot) { wn_flow_remove(&fp->flows, slot); }
WARP_EXPORT void wn_host_flush(wn_fastpath *fp) { wn_fastpath_flush(fp); }
WARP_EXPORT int32_t wn_host_flow_count(wn_fastpath *fp) { return (int32_t)fp->flows.count; }

WARP_EXPORT bool wn_host_set_keypair(wn_fastpath *fp, const uint8_t *state, int32_t length, int64_t now)
{
    return wn_keypair_load(&fp->keypair, state, (size_t)length, now);
}

WARP_EXPORT int32_t wn_host_get_keypair(wn_fastpath *fp, uint8_t *state, int32_t length, int64_t now)
{
    return (int32_t)wn_keypair_save(&fp->keypair, state, (size_t)length, now);
}

/* Both return the output length; action, reason and slot through the pointers. */
WARP_EXPORT int32_t wn_host_from_lan(wn_fastpath *fp, const uint8_t *frame, int32_t length, uint8_t *out, int32_t capacity, int64_t now,
                                     int32_t *action, int32_t *slot)
{
    wn_result r = wn_fastpath_from_lan(fp, frame, (size_t)length, out, (size_t)capacity, now);
    *action = (int32_t)r.action;
    *slot = r.slot;
    return (int32_t)r.length;
}

WARP_EXPORT int32_t wn_host_from_uplink(wn_fastpath *fp, uint8_t *datagram, int32_t length, uint8_t *out, int32_t capacity, int64_t now,
                                        int32_t *action, int32_t *reason, int32_t *slot)
{
    wn_result r = wn_fastpath_from_uplink(fp, datagram, (size_t)length, out, (size_t)capacity, now);
    *action = (int32_t)r.action;
    *reason = (int32_t)r.reason;
    *slot = r.slot;
    return (int32_t)r.length;
}

WARP_EXPORT int32_t wn_host_counters(wn_fastpath *fp, int64_t *counters, int32_t count)
{
    int32_t n = 0;
    for (; n < count && n < WN_C_COUNT; n++)
        counters[n] = (int64_t)fp->counters[n];
    return n;
}

WARP_EXPORT const char *wn_host_crypto_version(void) { return wn_crypto_version(); }

/* The next send counter, reserved for a message the managed tunnel sends itself (FastPathTakeSendCounter). */
WARP_EXPORT uint64_t wn_host_take_send_counter(wn_fastpath *fp)
{
    return fp->keypair.valid ? fp->keypair.send_counter++ : UINT64_MAX;
}

/* activity[4]: ms since the last packet out, ms since the last packet in, packets out, packets in. */
WARP_EXPORT bool wn_host_flow_activity(wn_fastpath *fp, int32_t slot, int64_t now, int64_t *activity)
{
    if (slot < 0 || (uint32_t)slot >= fp->flows.capacity || !fp->flows.flows[slot].used)
        return false;
    const wn_flow *f = &fp->flows.flows[slot];
    activity[0] = now - f->last_out;
    activity[1] = now - f->last_in;
    activity[2] = f->packets_out;
    activity[3] = f->packets_in;
    return true;
}

/* The LAN ring's own state (warp_native_lan.c holds one; its slots are allocated beside it). */
WARP_EXPORT int32_t wn_host_ring_state_bytes(void) { return (int32_t)sizeof(wn_ring); }

/* The portable ChaCha20-Poly1305 (core/wn_chachapoly.c) with WireGuard's nonce, whichever AEAD the build selected. */
WARP_EXPORT void wn_host_portable_seal(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                                       const uint8_t *input, int32_t length, uint8_t *output)
{
    uint8_t nonce[12] = { 0 };
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(counter >> (8 * i));
    wn_chachapoly_seal(key, nonce, aad, (size_t)aad_length, input, (size_t)length, output);
}

WARP_EXPORT bool wn_host_portable_open(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                                       const uint8_t *input, int32_t length, uint8_t *output)
{
    uint8_t nonce[12] = { 0 };
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(counter >> (8 * i));
    return length >= 16 && wn_chachapoly_open(key, nonce, aad, (size_t)aad_length, input, (size_t)length - 16, output);
}

/*
 * Warp.Native: the fast path's interop (Interop.FastPath*) over core/wn_fastpath.h: one fast path per
 * image, driven from the managed loop's thread only. Its flow table is sized by the board profile
 * (FastPathFlows, passed to FastPathStart) and allocated once, from internal RAM, at the first start;
 * a later start may ask for as many flows or fewer (the memory is kept, never freed or grown). The ESP32's LAN
 * ring (warp_native_lan.c) runs frames through warp_fastpath_from_lan before the managed core sees
 * them. Results of FromLan / FromUplink are action * 65536 + length (WN_* actions, wn_fastpath.h).
 */
#include "warp_native.h"
#include "core/wn_fastpath.h"
#include "core/wn_platform.h"

static wn_fastpath fastpath;
static void *flow_storage;
static size_t flow_storage_bytes;
static bool started;

bool warp_fastpath_start(int32_t flow_capacity)
{
    uint8_t seed[4];
    started = false;
    size_t need = flow_capacity < 1 ? 0 : wn_fastpath_storage_bytes((uint32_t)flow_capacity);
    if (need == 0)
        return false;
    if (flow_storage == NULL) {
        flow_storage = wn_platform_alloc_once(need);
        if (flow_storage == NULL)
            return false;
        flow_storage_bytes = need;
    } else if (need > flow_storage_bytes) {
        return false;
    }
    wn_platform_random(seed, sizeof seed);
    started = wn_fastpath_init(&fastpath, flow_storage, flow_storage_bytes, (uint32_t)flow_capacity,
                               (uint32_t)seed[0] | ((uint32_t)seed[1] << 8) | ((uint32_t)seed[2] << 16) | ((uint32_t)seed[3] << 24));
    return started;
}

int32_t warp_fastpath_add_flow(const uint8_t *entry, int32_t length)
{
    if (!started || length < 0)
        return -1;
    return wn_flow_add(&fastpath.flows, entry, (size_t)length, warp_native_now_ms());
}

void warp_fastpath_remove_flow(int32_t slot)
{
    if (started)
        wn_flow_remove(&fastpath.flows, slot);
}

bool warp_fastpath_flow_activity(int32_t slot, int64_t *activity)
{
    if (!started || slot < 0 || (uint32_t)slot >= fastpath.flows.capacity || !fastpath.flows.flows[slot].used)
        return false;
    const wn_flow *f = &fastpath.flows.flows[slot];
    int64_t now = warp_native_now_ms();
    activity[0] = now - f->last_out;
    activity[1] = now - f->last_in;
    activity[2] = f->packets_out;
    activity[3] = f->packets_in;
    return true;
}

bool warp_fastpath_set_keypair(const uint8_t *state, int32_t length)
{
    if (!started || length < 0)
        return false;
    return wn_keypair_load(&fastpath.keypair, state, (size_t)length, warp_native_now_ms());
}

int32_t warp_fastpath_get_keypair(uint8_t *state, int32_t length)
{
    if (!started || length < 0)
        return 0;
    return (int32_t)wn_keypair_save(&fastpath.keypair, state, (size_t)length, warp_native_now_ms());
}

uint64_t warp_fastpath_take_send_counter(void)
{
    if (!started || !fastpath.keypair.valid)
        return UINT64_MAX;
    return fastpath.keypair.send_counter++;
}

static int32_t encode(wn_result r)
{
    return (int32_t)r.action * 65536 + (int32_t)r.length;
}

int32_t warp_fastpath_from_uplink(uint8_t *datagram, int32_t length, uint8_t *output, int32_t count)
{
    if (!started || length < 0 || count < 0 || length > 65535)
        return 0;
    return encode(wn_fastpath_from_uplink(&fastpath, datagram, (size_t)length, output, (size_t)count, warp_native_now_ms()));
}

int32_t warp_fastpath_from_lan(const uint8_t *frame, int32_t length, uint8_t *output, int32_t count)
{
    if (!started || length < 0 || count < 0 || length > 65535)
        return 0;
    return encode(wn_fastpath_from_lan(&fastpath, frame, (size_t)length, output, (size_t)count, warp_native_now_ms()));
}

void warp_fastpath_flush(void)
{
    if (started)
        wn_fastpath_flush(&fastpath);
}

int32_t warp_fastpath_counters(int64_t *counters, int32_t count)
{
    int32_t n = 0;
    for (; n < count && n < WN_C_COUNT; n++)
        counters[n] = started ? (int64_t)fastpath.counters[n] : 0;
    return n;
}

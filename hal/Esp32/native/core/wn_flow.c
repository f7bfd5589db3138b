/* The offloaded flow table (wn_flow.h). */
#include "wn_flow.h"
#include "wn_checksum.h"

#include <string.h>

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x9E3779B1u;
    return h ^ (h >> 15);
}

static uint32_t hash_key(uint32_t seed, bool v6, uint8_t protocol, const uint8_t *a, uint16_t a_port, const uint8_t *b, uint16_t b_port)
{
    int n = v6 ? 16 : 4;
    uint32_t h = mix(seed, ((uint32_t)protocol << 24) | ((uint32_t)v6 << 16) | a_port);
    for (int i = 0; i < n; i += 4)
        h = mix(h, wn_rd32(a + i));
    h = mix(h, b_port);
    for (int i = 0; i < n; i += 4)
        h = mix(h, wn_rd32(b + i));
    return h;
}

static uint32_t buckets_for(uint32_t capacity)
{
    uint32_t b = 2;
    while (b < 2 * capacity)
        b <<= 1;
    return b;
}

size_t wn_flow_storage_bytes(uint32_t capacity)
{
    if (capacity < 1 || capacity > WN_MAX_FLOWS)
        return 0;
    return (size_t)capacity * sizeof(wn_flow) + 2 * (size_t)buckets_for(capacity) * sizeof(int16_t);
}

static void empty(wn_flow_table *t)
{
    memset(t->flows, 0, (size_t)t->capacity * sizeof(wn_flow));
    for (uint32_t i = 0; i < t->buckets; i++)
        t->buckets_out[i] = t->buckets_in[i] = -1;
    t->count = 0;
}

bool wn_flow_init(wn_flow_table *t, void *storage, size_t storage_bytes, uint32_t capacity, uint32_t seed)
{
    size_t need = wn_flow_storage_bytes(capacity);
    memset(t, 0, sizeof *t);
    if (need == 0 || storage == NULL || storage_bytes < need)
        return false;
    t->capacity = capacity;
    t->buckets = buckets_for(capacity);
    t->seed = seed;
    t->flows = (wn_flow *)storage;
    t->buckets_out = (int16_t *)(t->flows + capacity);
    t->buckets_in = t->buckets_out + t->buckets;
    empty(t);
    return true;
}

static void unlink_chain(int16_t *buckets, uint32_t mask, wn_flow *flows, int slot, uint32_t hash, bool out)
{
    int16_t *link = &buckets[hash & mask];
    while (*link >= 0) {
        wn_flow *f = &flows[*link];
        if (*link == slot) {
            *link = out ? f->next_out : f->next_in;
            return;
        }
        link = out ? &f->next_out : &f->next_in;
    }
}

void wn_flow_remove(wn_flow_table *t, int slot)
{
    if (t->flows == NULL || slot < 0 || (uint32_t)slot >= t->capacity || !t->flows[slot].used)
        return;
    wn_flow *f = &t->flows[slot];
    unlink_chain(t->buckets_out, t->buckets - 1, t->flows, slot, f->hash_out, true);
    unlink_chain(t->buckets_in, t->buckets - 1, t->flows, slot, f->hash_in, false);
    memset(f, 0, sizeof *f);
    t->count--;
}

void wn_flow_flush(wn_flow_table *t)
{
    if (t->flows != NULL)
        empty(t);
}

wn_flow *wn_flow_find_out(wn_flow_table *t, bool v6, uint8_t protocol, const uint8_t *lan, uint16_t lan_port,
                          const uint8_t *remote, uint16_t remote_port)
{
    int n = v6 ? 16 : 4;
    if (t->count == 0)
        return NULL;
    uint32_t h = hash_key(t->seed, v6, protocol, lan, lan_port, remote, remote_port);
    for (int16_t s = t->buckets_out[h & (t->buckets - 1)]; s >= 0; s = t->flows[s].next_out) {
        wn_flow *f = &t->flows[s];
        if (f->hash_out == h && f->v6 == v6 && f->protocol == protocol && f->lan_port == lan_port && f->remote_port == remote_port
            && memcmp(f->lan, lan, n) == 0 && memcmp(f->remote, remote, n) == 0)
            return f;
    }
    return NULL;
}

wn_flow *wn_flow_find_in(wn_flow_table *t, bool v6, uint8_t protocol, const uint8_t *ext, uint16_t ext_port,
                         const uint8_t *remote, uint16_t remote_port)
{
    int n = v6 ? 16 : 4;
    if (t->count == 0)
        return NULL;
    uint32_t h = hash_key(t->seed, v6, protocol, ext, ext_port, remote, remote_port);
    for (int16_t s = t->buckets_in[h & (t->buckets - 1)]; s >= 0; s = t->flows[s].next_in) {
        wn_flow *f = &t->flows[s];
        if (f->hash_in == h && f->v6 == v6 && f->protocol == protocol && f->ext_port == ext_port && f->remote_port == remote_port
            && memcmp(f->ext, ext, n) == 0 && memcmp(f->remote, remote, n) == 0)
            return f;
    }
    return NULL;
}

int wn_flow_add(wn_flow_table *t, const uint8_t *e, size_t length, int64_t now)
{
    if (t->flows == NULL || e == NULL || length != WN_FLOW_ENCODED || e[0] != WN_FLOW_VERSION || (e[1] != 4 && e[1] != 6))
        return -1;
    bool v6 = e[1] == 6;
    uint8_t protocol = e[2];
    if (protocol != 6 && protocol != 17 && protocol != (v6 ? 58 : 1))
        return -1;
    uint16_t lan_port = wn_rd16(e + 4), ext_port = wn_rd16(e + 6), remote_port = wn_rd16(e + 8), mtu = wn_rd16(e + 10);
    if (mtu < 68)
        return -1;
    /* A flow for the same packets replaces the old one (the managed core re-exports after a change). */
    wn_flow *old = wn_flow_find_out(t, v6, protocol, e + 24, lan_port, e + 56, remote_port);
    if (old != NULL)
        wn_flow_remove(t, (int)(old - t->flows));
    old = wn_flow_find_in(t, v6, protocol, e + 40, ext_port, e + 56, remote_port);
    if (old != NULL)
        wn_flow_remove(t, (int)(old - t->flows));
    int slot = -1;
    for (uint32_t i = 0; i < t->capacity; i++)
        if (!t->flows[i].used) {
            slot = (int)i;
            break;
        }
    if (slot < 0)
        return -1;
    wn_flow *f = &t->flows[slot];
    memset(f, 0, sizeof *f);
    f->used = true;
    f->v6 = v6;
    f->protocol = protocol;
    f->lan_port = lan_port;
    f->ext_port = ext_port;
    f->remote_port = remote_port;
    f->mtu = mtu;
    memcpy(f->lan_mac, e + 12, 6);
    memcpy(f->router_mac, e + 18, 6);
    memcpy(f->lan, e + 24, 16);
    memcpy(f->ext, e + 40, 16);
    memcpy(f->remote, e + 56, 16);
    if (!v6) {
        memset(f->lan + 4, 0, 12);
        memset(f->ext + 4, 0, 12);
        memset(f->remote + 4, 0, 12);
    }
    f->last_out = f->last_in = now;
    uint32_t bound = wn_rd32(e + 72);
    f->bound_until = bound == WN_BOUND_FOREVER ? INT64_MAX : now + (int64_t)bound;
    f->renew_ms = wn_rd32(e + 76);
    f->hash_out = hash_key(t->seed, v6, protocol, f->lan, lan_port, f->remote, remote_port);
    f->hash_in = hash_key(t->seed, v6, protocol, f->ext, ext_port, f->remote, remote_port);
    int16_t *bo = &t->buckets_out[f->hash_out & (t->buckets - 1)];
    f->next_out = *bo;
    *bo = (int16_t)slot;
    int16_t *bi = &t->buckets_in[f->hash_in & (t->buckets - 1)];
    f->next_in = *bi;
    *bi = (int16_t)slot;
    t->count++;
    return slot;
}

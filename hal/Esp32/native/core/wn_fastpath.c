/* The fast path (wn_fastpath.h). */
#include "wn_fastpath.h"
#include "wn_checksum.h"
#include "wn_nat.h"

#include <string.h>

size_t wn_fastpath_storage_bytes(uint32_t flow_capacity)
{
    return wn_flow_storage_bytes(flow_capacity);
}

bool wn_fastpath_init(wn_fastpath *fp, void *flow_storage, size_t storage_bytes, uint32_t flow_capacity, uint32_t seed)
{
    memset(fp->counters, 0, sizeof fp->counters);
    wn_keypair_clear(&fp->keypair);
    return wn_flow_init(&fp->flows, flow_storage, storage_bytes, flow_capacity, seed);
}

void wn_fastpath_flush(wn_fastpath *fp)
{
    wn_flow_flush(&fp->flows);
    wn_keypair_clear(&fp->keypair);
}

static wn_result result(wn_action action, size_t length, int slot)
{
    wn_result r = { action, WN_DROP_NONE, length, slot };
    return r;
}

wn_result wn_fastpath_from_lan(wn_fastpath *fp, const uint8_t *frame, size_t length, uint8_t *out, size_t out_capacity, int64_t now)
{
    if (length <= WN_ETHERNET || !fp->keypair.valid)
        goto punt;
    uint16_t type = wn_rd16(frame + 12);
    if (type != 0x0800 && type != 0x86DD)
        goto punt;
    size_t available = length - WN_ETHERNET;
    if (out_capacity < WN_DATA_HEADER + available)
        goto punt;
    /* The packet goes straight to where the data message carries it; the frame stays as it was. */
    uint8_t *ip = out + WN_DATA_HEADER;
    memcpy(ip, frame + WN_ETHERNET, available);
    if ((ip[0] >> 4) != (type == 0x0800 ? 4 : 6))
        goto punt;
    size_t ip_length;
    wn_flow *f = wn_nat_outbound(&fp->flows, ip, available, &ip_length, now);
    if (f == NULL)
        goto punt;
    /* Source bound to the flow's MAC (a hostile LAN), addressed to the router. */
    if (memcmp(frame + 6, f->lan_mac, 6) != 0 || memcmp(frame, f->router_mac, 6) != 0)
        goto punt;
    size_t n = wn_tunnel_seal(&fp->keypair, out, ip_length, out_capacity, now);
    if (n == 0)
        goto punt;
    f->last_out = now;
    f->packets_out++;
    if (f->renew_ms != 0 && now + (int64_t)f->renew_ms > f->bound_until)
        f->bound_until = now + (int64_t)f->renew_ms; /* the device's traffic refreshes its IPv6 binding, as the managed check does */
    fp->counters[WN_C_PACKETS_OUT]++;
    fp->counters[WN_C_BYTES_OUT] += n;
    return result(WN_TO_NETWORK, n, (int)(f - fp->flows.flows));
punt:
    fp->counters[WN_C_PUNTED_FROM_LAN]++;
    return result(WN_PUNT, 0, -1);
}

wn_result wn_fastpath_from_uplink(wn_fastpath *fp, uint8_t *datagram, size_t length, uint8_t *out, size_t out_capacity, int64_t now)
{
    size_t inner = 0;
    if (out_capacity < WN_ETHERNET) {
        fp->counters[WN_C_PUNTED_FROM_UPLINK]++;
        return result(WN_PUNT, 0, -1);
    }
    wn_open_result o = wn_tunnel_open(&fp->keypair, datagram, length, out + WN_ETHERNET, out_capacity - WN_ETHERNET, &inner, now);
    wn_result r = result(WN_DROPPED, 0, -1);
    switch (o) {
    case WN_OPEN_NOT_OURS:
        fp->counters[WN_C_PUNTED_FROM_UPLINK]++;
        return result(WN_PUNT, 0, -1);
    case WN_OPEN_REPLAYED:
        fp->counters[WN_C_DROP_REPLAYED]++;
        r.reason = WN_DROP_REPLAYED;
        return r;
    case WN_OPEN_BAD_TAG:
        fp->counters[WN_C_DROP_UNDECRYPTABLE]++;
        r.reason = WN_DROP_UNDECRYPTABLE;
        return r;
    case WN_OPEN_BAD_INNER:
        fp->counters[WN_C_DROP_BAD_INNER_PACKET]++;
        r.reason = WN_DROP_BAD_INNER_PACKET;
        return r;
    case WN_OPEN_KEEPALIVE:
        fp->counters[WN_C_KEEPALIVES_IN]++;
        return result(WN_CONSUMED, 0, -1);
    case WN_OPEN_PACKET:
        break;
    }
    uint8_t *ip = out + WN_ETHERNET;
    wn_flow *f = wn_nat_inbound(&fp->flows, ip, inner, now);
    if (f == NULL) {
        fp->counters[WN_C_DECRYPTED_TO_CORE]++;
        return result(WN_DECRYPTED, inner, -1);
    }
    f->last_in = now;
    f->packets_in++;
    memcpy(out, f->lan_mac, 6);
    memcpy(out + 6, f->router_mac, 6);
    wn_wr16(out + 12, f->v6 ? 0x86DD : 0x0800);
    fp->counters[WN_C_PACKETS_IN]++;
    fp->counters[WN_C_BYTES_IN] += length;
    return result(WN_TO_LAN, WN_ETHERNET + inner, (int)(f - fp->flows.flows));
}

/*
 * libFuzzer on the fast path's decapsulate-and-translate entry point (wn_fastpath_from_uplink), and on
 * the LAN entry point with the same bytes. The input's first byte steers:
 *   bit 0: install a flow matching the packet (so the NAT rewrite runs, not only the lookup);
 *   bit 1: hand the rest in as a raw datagram (header parsing, replay check, bad tags);
 *          otherwise the rest is an IP packet, sealed here with the keypair's key and a counter
 *          from byte 1 (so it authenticates and reaches the inner-packet checks and the NAT);
 *   bit 2: also run it through wn_fastpath_from_lan as a frame's IP packet.
 *   bit 7: the flow's binding lapses bits 3-5 ms after it is installed (else it never lapses).
 * Seeds: the IP packets of the pcaps in tests/Warp.Protocol.Tests/Fixtures (tests/fuzz_seeds.py).
 * Every output is checked against its buffer, so ASan sees any overrun.
 */
#include "wn_checksum.h"
#include "wn_crypto.h"
#include "wn_fastpath.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static wn_fastpath fp;
static uint8_t keypair[WN_KEYPAIR_FIXED + 4 * 8];
static const uint8_t router_mac[6] = { 2, 0x57, 0x41, 0x52, 0x50, 1 };
static const uint8_t lan_mac[6] = { 2, 0xAA, 0, 0, 0, 1 };

static void setup_keypair(void)
{
    memset(keypair, 0, sizeof keypair);
    keypair[0] = WN_KEYPAIR_VERSION;
    keypair[2] = 4;
    wn_wr32le(keypair + 4, 0x01020304);
    wn_wr32le(keypair + 8, 0x0A0B0C0D);
    wn_wr32le(keypair + 12, 0x123456);
    wn_wr64le(keypair + 24, 1ULL << 60);
    wn_wr64le(keypair + 32, 180000);
    wn_wr32le(keypair + 40, 1500);
    memset(keypair + 48, 0x11, 32);
    memset(keypair + 80, 0x22, 32);
}

/* A flow that the packet (tunnel side: remote -> external) belongs to. */
static void install_flow(const uint8_t *ip, size_t n, uint32_t bound)
{
    uint8_t e[WN_FLOW_ENCODED] = { 0 };
    bool v6;
    size_t hl;
    if (n >= 20 && (ip[0] >> 4) == 4) {
        v6 = false;
        hl = (size_t)(ip[0] & 15) * 4;
        e[2] = ip[9];
        memcpy(e + 56, ip + 12, 4); /* remote = source */
        memcpy(e + 40, ip + 16, 4); /* external = destination */
    } else if (n >= 40 && (ip[0] >> 4) == 6) {
        v6 = true;
        hl = 40;
        e[2] = ip[6];
        memcpy(e + 56, ip + 8, 16);
        memcpy(e + 40, ip + 24, 16);
    } else {
        return;
    }
    if (hl + 4 > n)
        return;
    e[0] = WN_FLOW_VERSION;
    e[1] = v6 ? 6 : 4;
    bool icmp = e[2] == 1 || e[2] == 58;
    wn_wr16(e + 4, 4242);                                          /* LAN port */
    wn_wr16(e + 6, icmp ? (n >= hl + 6 ? wn_rd16(ip + hl + 4) : 0) : wn_rd16(ip + hl + 2)); /* external port */
    wn_wr16(e + 8, icmp ? 0 : wn_rd16(ip + hl));                 /* remote port */
    wn_wr16(e + 10, 1500);
    memcpy(e + 12, lan_mac, 6);
    memcpy(e + 18, router_mac, 6);
    e[24] = v6 ? 0xfd : 192;
    e[25] = v6 ? 0 : 168;
    e[v6 ? 39 : 27] = 10;
    wn_wr32(e + 72, bound);
    wn_flow_add(&fp.flows, e, sizeof e, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t datagram[4096], out[4096 + 64];
    if (size < 2 || size > 3000)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *body = data + 2;
    size_t n = size - 2;

    static uint64_t flow_storage[256];
    if (!wn_fastpath_init(&fp, flow_storage, sizeof flow_storage, 8, 99))
        abort();
    setup_keypair();
    if (!wn_keypair_load(&fp.keypair, keypair, sizeof keypair, 0))
        abort();
    if (mode & 1)
        install_flow(body, n, (mode & 0x80) ? (uint32_t)(mode >> 3 & 7) : WN_BOUND_FOREVER); /* bound for ever, or lapsing 0-7 ms from now */

    size_t length;
    if (mode & 2) {
        memcpy(datagram, body, n);
        length = n;
    } else {
        uint64_t counter = data[1];
        size_t padded = (n + 15) & ~(size_t)15;
        memset(datagram, 0, 16 + padded + 16);
        wn_wr32le(datagram, 4);
        wn_wr32le(datagram + 4, 0x01020304);
        wn_wr64le(datagram + 8, counter);
        memcpy(datagram + 16, body, n);
        wn_aead_seal(keypair + 80, counter, NULL, 0, datagram + 16, padded, datagram + 16);
        length = 16 + padded + 16;
    }
    /* An exact-size output buffer on the heap, so ASan catches a write past what the call may use. */
    size_t capacity = WN_ETHERNET + (length > WN_DATA_MIN ? length - WN_DATA_MIN : 0);
    uint8_t *exact = malloc(capacity + 1);
    wn_result r = wn_fastpath_from_uplink(&fp, datagram, length, exact, capacity, 1);
    if ((r.action == WN_TO_LAN && r.length > capacity) || (r.action == WN_DECRYPTED && r.length + WN_ETHERNET > capacity))
        abort();
    /* The same packet replayed is never accepted twice. */
    if (r.action == WN_TO_LAN || r.action == WN_DECRYPTED || r.action == WN_CONSUMED) {
        wn_result again = wn_fastpath_from_uplink(&fp, datagram, length, exact, capacity, 1);
        if (again.action != WN_DROPPED || again.reason != WN_DROP_REPLAYED)
            abort();
    }
    free(exact);

    if (mode & 4) {
        uint8_t frame[3100];
        memcpy(frame, router_mac, 6);
        memcpy(frame + 6, lan_mac, 6);
        wn_wr16(frame + 12, n > 0 && (body[0] >> 4) == 6 ? 0x86DD : 0x0800);
        memcpy(frame + 14, body, n);
        wn_result o = wn_fastpath_from_lan(&fp, frame, 14 + n, out, sizeof out, 1);
        if (o.action == WN_TO_NETWORK && (o.length > sizeof out || o.length < WN_DATA_MIN || (o.length - WN_DATA_MIN) % 16 != 0))
            abort();
    }
    wn_fastpath_flush(&fp);
    return 0;
}

/*
 * The keypair and its replay window: the RFC 6479 window table-driven (accept, replay, too old,
 * reorder inside the window, the reject limit), seal/open round trips with padding and the client id,
 * keys wiped by flush, and the state round trip (save gives back counter and window, never keys).
 */
#include "wn_fastpath.h"
#include "wn_checksum.h"
#include "wn_crypto.h"

#include <stdio.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; printf("FAIL line %d: %s\n", __LINE__, #c); } } while (0)

static void blob(uint8_t *b, uint32_t words, uint64_t send_counter)
{
    memset(b, 0, WN_KEYPAIR_FIXED + words * 8);
    b[0] = WN_KEYPAIR_VERSION;
    b[2] = (uint8_t)words;
    wn_wr32le(b + 4, 0x11111111);
    wn_wr32le(b + 8, 0x22222222);
    wn_wr32le(b + 12, 0xABCDEF);
    wn_wr64le(b + 16, send_counter);
    wn_wr64le(b + 24, 1ULL << 60);
    wn_wr64le(b + 32, 180000);
    wn_wr32le(b + 40, 1420);
    memset(b + 48, 0x55, 32); /* send key */
    memset(b + 80, 0x55, 32); /* receive key = send key: the path can open its own messages */
}

int main(void)
{
    /* Window table: 4 words = 192 counters behind the greatest. */
    static wn_replay r;
    memset(&r, 0, sizeof r);
    r.words = 4;
    struct { uint64_t counter; bool accepted; } steps[] = {
        { 0, true }, { 0, false }, { 1, true }, { 5, true }, { 3, true }, { 3, false }, { 2, true },
        { 200, true }, { 8, true }, { 7, false }, { 200, false }, { 199, true }, { 400, true },
        { 208, true }, { 207, false }, { 4000, true }, { 3808, true }, { 3807, false }, { 4001, true },
        { WN_REJECT_AFTER_MESSAGES, false }, { WN_REJECT_AFTER_MESSAGES - 1, true }, { WN_REJECT_AFTER_MESSAGES - 1, false },
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        bool may = wn_replay_may_accept(&r, steps[i].counter);
        bool got = wn_replay_accept(&r, steps[i].counter);
        if (got != steps[i].accepted || may != got)
            printf("  step %zu counter %llu: accept %d may %d\n", i, (unsigned long long)steps[i].counter, got, may);
        CHECK(got == steps[i].accepted && may == got);
    }

    /* Seal, then open our own message (receive key = send key). */
    static wn_fastpath fp;
    static uint64_t flow_storage[256];
    uint8_t b[WN_KEYPAIR_MAX], out[2048], back[2048];
    CHECK(wn_fastpath_storage_bytes(4) <= sizeof flow_storage);
    CHECK(wn_fastpath_init(&fp, flow_storage, sizeof flow_storage, 4, 1));
    blob(b, 4, 7);
    CHECK(!wn_keypair_load(&fp.keypair, b, WN_KEYPAIR_FIXED + 4 * 8 - 1, 0));
    b[2] = 3;
    CHECK(!wn_keypair_load(&fp.keypair, b, WN_KEYPAIR_FIXED + 3 * 8, 0));
    b[2] = 4;
    CHECK(wn_keypair_load(&fp.keypair, b, WN_KEYPAIR_FIXED + 4 * 8, 1000));
    fp.keypair.local_index = 0x22222222; /* open what we sent */
    memset(out + 16, 0, 28);
    out[16] = 0x45;
    out[18] = 0;
    out[19] = 28; /* a 28-byte IPv4 packet */
    size_t n = wn_tunnel_seal(&fp.keypair, out, 28, sizeof out, 1000);
    CHECK(n == 16 + 32 + 16);
    CHECK(out[0] == 4 && out[1] == 0xAB && out[2] == 0xCD && out[3] == 0xEF);
    CHECK(wn_rd32le(out + 4) == 0x22222222 && wn_rd64le(out + 8) == 7);
    CHECK(fp.keypair.send_counter == 8);
    size_t inner;
    uint8_t copy[2048];
    memcpy(copy, out, n);
    CHECK(wn_tunnel_open(&fp.keypair, copy, n, back, sizeof back, &inner, 1000) == WN_OPEN_PACKET && inner == 28);
    CHECK(copy[1] == 0 && copy[2] == 0 && copy[3] == 0); /* reserved bytes cleared */
    memcpy(copy, out, n);
    CHECK(wn_tunnel_open(&fp.keypair, copy, n, back, sizeof back, &inner, 1000) == WN_OPEN_REPLAYED);
    /* Padding bytes were zero and are authenticated: a flipped ciphertext bit fails. */
    CHECK(wn_tunnel_seal(&fp.keypair, out, 28, sizeof out, 1000) == n);
    out[40] ^= 1;
    CHECK(wn_tunnel_open(&fp.keypair, out, n, back, sizeof back, &inner, 1000) == WN_OPEN_BAD_TAG);
    /* Expired keypair: neither direction is the fast path's any more. */
    CHECK(wn_tunnel_seal(&fp.keypair, out, 28, sizeof out, 1000 + 180000) == 0);
    /* The send limit stops the fast path before the managed core's rekey limit. */
    fp.keypair.send_limit = fp.keypair.send_counter;
    CHECK(wn_tunnel_seal(&fp.keypair, out, 28, sizeof out, 1000) == 0);
    /* A packet over the max packet size is not ours either. */
    fp.keypair.send_limit = 1ULL << 60;
    CHECK(wn_tunnel_seal(&fp.keypair, out, 1421, sizeof out, 1000) == 0);

    /* Save: counters and window come back, keys do not. */
    uint8_t saved[WN_KEYPAIR_MAX];
    size_t s = wn_keypair_save(&fp.keypair, saved, sizeof saved, 1500);
    CHECK(s == WN_KEYPAIR_FIXED + 4 * 8);
    CHECK(wn_rd64le(saved + 16) == fp.keypair.send_counter && wn_rd64le(saved + 112) == fp.keypair.replay.greatest && saved[120] == 1);
    CHECK((int64_t)wn_rd64le(saved + 32) == 180000 - 500);
    bool keys_zero = true;
    for (int i = 48; i < 112; i++)
        keys_zero &= saved[i] == 0;
    CHECK(keys_zero);

    /* Flush wipes the key material. */
    wn_fastpath_flush(&fp);
    bool wiped = !fp.keypair.valid;
    for (int i = 0; i < 32; i++)
        wiped &= fp.keypair.send_key[i] == 0 && fp.keypair.receive_key[i] == 0;
    CHECK(wiped);
    CHECK(wn_tunnel_seal(&fp.keypair, out, 28, sizeof out, 1000) == 0);

    printf(failures == 0 ? "tunnel: passed\n" : "tunnel: %d FAILED\n", failures);
    return failures != 0;
}

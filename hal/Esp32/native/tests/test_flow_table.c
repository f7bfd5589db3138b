/*
 * The flow table, at each capacity a board profile configures (boards/ fastPathFlows: 16 and
 * 128) and at the limit (256), in storage of exactly wn_flow_storage_bytes (ASan catches a byte past
 * it): filled to capacity (the next add refused, every flow found by both keys), churned (random
 * removals and adds against a reference model, many rounds, lookups agree with the model), replaced
 * (a re-export of the same flow takes over its keys), and flushed (nothing found afterwards). Bad
 * encodings and storage that is too small are refused. The binding fields: a lapse time from now,
 * or never.
 */
#include "wn_flow.h"
#include "wn_checksum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; printf("FAIL line %d: %s\n", __LINE__, #c); } } while (0)

static uint32_t rng = 12345;
static uint32_t next(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }

/* Flow i's encoding: IPv4 for even ids, IPv6 for odd; protocol by id. */
static void encode(uint32_t id, uint8_t e[WN_FLOW_ENCODED])
{
    bool v6 = id & 1;
    static const uint8_t protos[3] = { 6, 17, 1 };
    memset(e, 0, WN_FLOW_ENCODED);
    e[0] = WN_FLOW_VERSION;
    e[1] = v6 ? 6 : 4;
    e[2] = protos[id % 3] == 1 && v6 ? 58 : protos[id % 3];
    wn_wr16(e + 4, (uint16_t)(1000 + id));
    wn_wr16(e + 6, (uint16_t)(40000 + id));
    wn_wr16(e + 8, (e[2] == 1 || e[2] == 58) ? 0 : 443);
    wn_wr16(e + 10, 1280);
    memset(e + 12, 0x02, 6);
    memset(e + 18, 0x04, 6);
    wn_wr32(e + 24, 0x0A000000 | (id % 250)); /* LAN host */
    wn_wr32(e + 40, 0xAC100002);              /* tunnel address */
    wn_wr32(e + 56, 0x08080000 | (id & 0xFFFF)); /* remote */
    wn_wr32(e + 72, WN_BOUND_FOREVER);
    if (v6) {
        e[24] = 0xfd; e[40] = 0x26; e[56] = 0x20;
    }
}

static wn_flow *find_out(wn_flow_table *t, const uint8_t *e)
{
    return wn_flow_find_out(t, e[1] == 6, e[2], e + 24, wn_rd16(e + 4), e + 56, wn_rd16(e + 8));
}

static wn_flow *find_in(wn_flow_table *t, const uint8_t *e)
{
    return wn_flow_find_in(t, e[1] == 6, e[2], e + 40, wn_rd16(e + 6), e + 56, wn_rd16(e + 8));
}

static void run(uint32_t CAPACITY)
{
    static wn_flow_table t;
    uint8_t e[WN_FLOW_ENCODED];
    static int slot_of[4096];
    size_t bytes = wn_flow_storage_bytes(CAPACITY);
    void *storage = malloc(bytes);
    printf("capacity %u: %zu bytes (%zu per flow with its index share)\n", CAPACITY, bytes, bytes / CAPACITY);
    CHECK(storage != NULL && bytes > CAPACITY * sizeof(wn_flow));
    CHECK(wn_flow_storage_bytes(0) == 0 && wn_flow_storage_bytes(WN_MAX_FLOWS + 1) == 0);
    CHECK(!wn_flow_init(&t, storage, bytes, 0, 1));
    CHECK(!wn_flow_init(&t, storage, bytes, WN_MAX_FLOWS + 1, 1));
    CHECK(!wn_flow_init(&t, storage, bytes - 1, CAPACITY, 1));
    CHECK(!wn_flow_init(&t, NULL, bytes, CAPACITY, 1));
    CHECK(wn_flow_add(&t, (encode(1, e), e), sizeof e, 0) == -1); /* a table refused its storage holds nothing */
    CHECK(wn_flow_init(&t, storage, bytes, CAPACITY, 0xC0FFEE ^ CAPACITY));

    /* Full. */
    for (uint32_t i = 0; i < CAPACITY; i++) {
        encode(i, e);
        slot_of[i] = wn_flow_add(&t, e, sizeof e, 0);
        CHECK(slot_of[i] >= 0);
    }
    CHECK(t.count == CAPACITY);
    encode(CAPACITY, e);
    CHECK(wn_flow_add(&t, e, sizeof e, 0) == -1);
    for (uint32_t i = 0; i < CAPACITY; i++) {
        encode(i, e);
        CHECK(find_out(&t, e) == &t.flows[slot_of[i]]);
        CHECK(find_in(&t, e) == &t.flows[slot_of[i]]);
    }
    /* A packet of another flow (other remote port) is not found. */
    encode(7, e);
    wn_wr16(e + 8, 444);
    CHECK(find_out(&t, e) == NULL && find_in(&t, e) == NULL);

    /* Replace: the same flow exported again takes the old one's place; count unchanged. */
    encode(3, e);
    int again = wn_flow_add(&t, e, sizeof e, 5);
    CHECK(again >= 0 && t.count == CAPACITY && find_out(&t, e) == &t.flows[again]);
    slot_of[3] = again;

    /* Churn against a model: present[i] says whether flow i is in the table. */
    static bool present[4096];
    memset(present, 0, sizeof present);
    for (uint32_t i = 0; i < CAPACITY; i++)
        present[i] = true;
    for (int round = 0; round < 200000; round++) {
        uint32_t id = next() % 4096;
        encode(id, e);
        if (present[id] && (next() & 1)) {
            wn_flow_remove(&t, slot_of[id]);
            present[id] = false;
        } else if (!present[id]) {
            int s = wn_flow_add(&t, e, sizeof e, round);
            if (t.count < CAPACITY || s >= 0) {
                CHECK(s >= 0);
                if (s >= 0) {
                    present[id] = true;
                    slot_of[id] = s;
                }
            }
        }
        uint32_t probe = next() % 4096;
        encode(probe, e);
        wn_flow *fo = find_out(&t, e), *fi = find_in(&t, e);
        CHECK((fo != NULL) == present[probe] && fo == fi);
        if (present[probe])
            CHECK(fo == &t.flows[slot_of[probe]]);
    }
    uint32_t model = 0;
    for (int i = 0; i < 4096; i++)
        model += present[i];
    CHECK(model == t.count);

    /* Removing an empty or out-of-range slot changes nothing. */
    wn_flow_remove(&t, -1);
    wn_flow_remove(&t, CAPACITY + 5);
    CHECK(model == t.count);

    /* Flushed: nothing is found, and the table fills again. */
    wn_flow_flush(&t);
    CHECK(t.count == 0);
    for (uint32_t i = 0; i < 4096; i++) {
        encode(i, e);
        CHECK(find_out(&t, e) == NULL);
    }
    for (uint32_t i = 0; i < CAPACITY; i++) {
        encode(i + 1000, e);
        CHECK(wn_flow_add(&t, e, sizeof e, 0) >= 0);
    }

    /* Bad encodings. */
    wn_flow_flush(&t);
    encode(1, e);
    CHECK(wn_flow_add(&t, e, sizeof e - 1, 0) == -1);
    e[0] = 1; /* the old 72-byte encoding's version */
    CHECK(wn_flow_add(&t, e, sizeof e, 0) == -1);
    encode(2, e);
    e[2] = 58; /* ICMPv6 on an IPv4 flow */
    CHECK(wn_flow_add(&t, e, sizeof e, 0) == -1);
    encode(2, e);
    e[1] = 5;
    CHECK(wn_flow_add(&t, e, sizeof e, 0) == -1);
    CHECK(t.count == 0);

    /* The binding: a lapse time counted from the add, or never (a static lease); the renewal as given. */
    encode(4, e);
    wn_wr32(e + 72, 30000);
    wn_wr32(e + 76, 1800000);
    int s = wn_flow_add(&t, e, sizeof e, 5000);
    CHECK(s >= 0 && t.flows[s].bound_until == 35000 && t.flows[s].renew_ms == 1800000);
    encode(6, e);
    s = wn_flow_add(&t, e, sizeof e, 5000);
    CHECK(s >= 0 && t.flows[s].bound_until == INT64_MAX && t.flows[s].renew_ms == 0);
    wn_flow_flush(&t);
    free(storage);
}

int main(void)
{
    static const uint32_t capacities[] = { 16, 128, WN_MAX_FLOWS, 200 };
    for (size_t i = 0; i < sizeof capacities / sizeof capacities[0]; i++)
        run(capacities[i]);
    printf(failures == 0 ? "flow table: passed\n" : "flow table: %d FAILED\n", failures);
    return failures != 0;
}

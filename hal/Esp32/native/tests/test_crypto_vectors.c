/*
 * RFC 8439 (AEAD_CHACHA20_POLY1305) and RFC 7748 (X25519) vectors through the mbedTLS backend, read
 * from the same vector files the managed tests use (tests/Warp.Protocol.Tests/Vectors). Also checks
 * that the WireGuard-nonce entry points agree with the generic one, and that tampering fails.
 *   test_crypto_vectors aead|x25519 FILE
 */
#include "warp_native.h"
#include "wn_crypto.h"

#ifdef WN_TEST_PORTABLE
/* The same vectors through the portable ChaCha20-Poly1305 (core/wn_chachapoly.c) instead of mbedTLS's. */
#include "wn_chachapoly.h"
static bool portable_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                          const uint8_t *input, size_t length, uint8_t *output)
{
    wn_chachapoly_seal(key, nonce, aad, aad_length, input, length, output);
    return true;
}
static bool portable_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                          const uint8_t *input, size_t length, uint8_t *output)
{
    return length >= 16 && wn_chachapoly_open(key, nonce, aad, aad_length, input, length - 16, output);
}
#define wn_aead_seal_nonce portable_seal
#define wn_aead_open_nonce portable_open
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXV 1024
typedef struct { char name[128]; char keys[16][32]; char values[16][2 * MAXV + 1]; int count; } section;

static int failures, checks;

static void check(int ok, const char *what, const char *name)
{
    checks++;
    if (!ok) {
        failures++;
        printf("FAIL %s: %s\n", name, what);
    }
}

static const char *get(const section *s, const char *key)
{
    for (int i = 0; i < s->count; i++)
        if (strcmp(s->keys[i], key) == 0)
            return s->values[i];
    return NULL;
}

static size_t hex(const char *text, uint8_t *out, size_t capacity)
{
    size_t n = 0;
    if (text == NULL)
        return 0;
    for (; text[0] && text[1] && n < capacity; text += 2) {
        unsigned v;
        if (sscanf(text, "%2x", &v) != 1)
            break;
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void run_aead(const section *s)
{
    uint8_t key[32], nonce[12], aad[MAXV], plain[MAXV], cipher[MAXV], tag[16], out[MAXV + 16], back[MAXV];
    const char *kind = get(s, "kind");
    if (kind == NULL || (strcmp(kind, "seal") != 0 && strcmp(kind, "open") != 0))
        return; /* keygen vectors test ChaCha20 block 0, which mbedTLS does not expose apart */
    hex(get(s, "key"), key, 32);
    hex(get(s, "nonce"), nonce, 12);
    size_t aad_n = hex(get(s, "aad"), aad, sizeof aad);
    size_t n = hex(get(s, "plaintext"), plain, sizeof plain);
    check(hex(get(s, "ciphertext"), cipher, sizeof cipher) == n, "ciphertext length", s->name);
    hex(get(s, "tag"), tag, 16);

    check(wn_aead_seal_nonce(key, nonce, aad, aad_n, plain, n, out), "seal", s->name);
    check(memcmp(out, cipher, n) == 0, "ciphertext", s->name);
    check(memcmp(out + n, tag, 16) == 0, "tag", s->name);
    check(wn_aead_open_nonce(key, nonce, aad, aad_n, out, n + 16, back) && memcmp(back, plain, n) == 0, "open", s->name);
    /* In place, as the fast path uses it. */
    memcpy(out, plain, n);
    check(wn_aead_seal_nonce(key, nonce, aad, aad_n, out, n, out) && memcmp(out, cipher, n) == 0, "seal in place", s->name);
    check(wn_aead_open_nonce(key, nonce, aad, aad_n, out, n + 16, out) && memcmp(out, plain, n) == 0, "open in place", s->name);
    /* Any flipped bit of ciphertext, tag or AAD fails. */
    memcpy(out, cipher, n);
    memcpy(out + n, tag, 16);
    out[n / 2] ^= 1;
    check(!wn_aead_open_nonce(key, nonce, aad, aad_n, out, n + 16, back), "tampered ciphertext refused", s->name);
    out[n / 2] ^= 1;
    out[n + 15] ^= 0x80;
    check(!wn_aead_open_nonce(key, nonce, aad, aad_n, out, n + 16, back), "tampered tag refused", s->name);
    out[n + 15] ^= 0x80;
    if (aad_n > 0) {
        aad[0] ^= 1;
        check(!wn_aead_open_nonce(key, nonce, aad, aad_n, out, n + 16, back), "tampered AAD refused", s->name);
        aad[0] ^= 1;
    }
    /* A nonce whose first 32 bits are zero is WireGuard's: counter = the last 8 bytes, little-endian. */
    if (nonce[0] == 0 && nonce[1] == 0 && nonce[2] == 0 && nonce[3] == 0) {
        uint64_t counter = 0;
        for (int i = 7; i >= 0; i--)
            counter = (counter << 8) | nonce[4 + i];
        uint8_t wg[MAXV + 16];
        warp_aead_seal(key, counter, aad, (int32_t)aad_n, plain, (int32_t)n, wg);
        check(memcmp(wg, cipher, n) == 0 && memcmp(wg + n, tag, 16) == 0, "WireGuard-nonce seal (warp_aead_seal)", s->name);
        check(warp_aead_open(key, counter, aad, (int32_t)aad_n, wg, (int32_t)n + 16, back) && memcmp(back, plain, n) == 0,
              "WireGuard-nonce open (warp_aead_open)", s->name);
    }
}

static void run_x25519(const section *s)
{
    uint8_t k[32], u[32], expected[32], out[32];
    const char *kind = get(s, "kind");
    if (kind == NULL)
        return;
    if (strcmp(kind, "scalar-mult") == 0) {
        hex(get(s, "scalar"), k, 32);
        hex(get(s, "u"), u, 32);
        hex(get(s, "output"), expected, 32);
        check(wn_x25519(out, k, u) && memcmp(out, expected, 32) == 0, "scalar-mult", s->name);
    } else if (strcmp(kind, "iterate") == 0) {
        long iterations = atol(get(s, "iterations"));
        if (iterations > 1000)
            return; /* 1,000,000 takes minutes */
        uint8_t kk[32] = { 9 }, uu[32] = { 9 };
        for (long i = 0; i < iterations; i++) {
            check(wn_x25519(out, kk, uu), "iterate step", s->name);
            memcpy(uu, kk, 32);
            memcpy(kk, out, 32);
        }
        hex(get(s, "output"), expected, 32);
        check(memcmp(kk, expected, 32) == 0, "iterate result", s->name);
    } else if (strcmp(kind, "dh") == 0) {
        uint8_t a[32], apub[32], b[32], bpub[32], shared[32], s1[32], s2[32];
        hex(get(s, "alice-private"), a, 32);
        hex(get(s, "alice-public"), apub, 32);
        hex(get(s, "bob-private"), b, 32);
        hex(get(s, "bob-public"), bpub, 32);
        hex(get(s, "shared"), shared, 32);
        warp_x25519_base(out, a);
        check(memcmp(out, apub, 32) == 0, "alice public", s->name);
        check(wn_x25519_base(out, b) && memcmp(out, bpub, 32) == 0, "bob public", s->name);
        check(warp_x25519(s1, a, bpub) && memcmp(s1, shared, 32) == 0, "alice shared", s->name);
        check(wn_x25519(s2, b, apub) && memcmp(s2, shared, 32) == 0, "bob shared", s->name);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s aead|x25519 FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[2], "r");
    if (f == NULL) {
        perror(argv[2]);
        return 2;
    }
    static section s;
    static char line[4 * MAXV];
    int sections = 0;
    memset(&s, 0, sizeof s);
    for (;;) {
        char *got = fgets(line, sizeof line, f);
        if (got == NULL || line[0] == '[') {
            if (s.name[0]) {
                sections++;
                if (strcmp(argv[1], "aead") == 0)
                    run_aead(&s);
                else
                    run_x25519(&s);
            }
            if (got == NULL)
                break;
            memset(&s, 0, sizeof s);
            snprintf(s.name, sizeof s.name, "%.127s", line + 1);
            s.name[strcspn(s.name, "]\n")] = 0;
            continue;
        }
        char *eq = strstr(line, " = ");
        if (line[0] == '#' || eq == NULL || s.count == 16)
            continue;
        *eq = 0;
        snprintf(s.keys[s.count], sizeof s.keys[0], "%.31s", line);
        snprintf(s.values[s.count], sizeof s.values[0], "%.2048s", eq + 3);
        s.values[s.count][strcspn(s.values[s.count], "\r\n")] = 0;
        s.count++;
    }
    fclose(f);
    /* RFC 7748 / WireGuard: a low-order point gives no shared secret. */
    if (strcmp(argv[1], "x25519") == 0) {
        uint8_t k[32] = { 1 }, zero[32] = { 0 }, out[32];
        check(!wn_x25519(out, k, zero), "the all-zero point is refused", "low order");
    }
    printf("%s (mbedTLS %s): %d sections, %d checks, %d failed\n", argv[1], wn_crypto_version(), sections, checks, failures);
    return failures == 0 && checks > 10 ? 0 : 1;
}

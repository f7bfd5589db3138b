/*
 * The portable ChaCha20-Poly1305 (core/wn_chachapoly.c) against mbedTLS's (core/wn_crypto_mbedtls.c):
 * N random cases (key, nonce, AAD of 0-80 bytes, message of 0-1,500 bytes, including every length
 * around the 16- and 64-byte block edges): both seal to the same bytes, in place too; each opens
 * the other's output; a flipped bit anywhere in the ciphertext, the tag or the AAD is refused by
 * both, and the portable open zeroes its output then. (The RFC 8439 vectors:
 * test_crypto_vectors_portable.)   test_chachapoly N
 */
#include "wn_chachapoly.h"
#include "wn_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; if (failures < 20) printf("FAIL case %ld line %d: %s\n", i, __LINE__, #c); } } while (0)

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint32_t next(void)
{
    state ^= state << 13; state ^= state >> 7; state ^= state << 17;
    return (uint32_t)(state >> 16);
}

static void fill(uint8_t *b, size_t n)
{
    for (size_t k = 0; k < n; k++)
        b[k] = (uint8_t)next();
}

int main(int argc, char **argv)
{
    long cases = argc > 1 ? atol(argv[1]) : 20000;
    static uint8_t key[32], nonce[12], aad[80], plain[1500], a[1516], b[1516], c[1516], back[1516];
    for (long i = 0; i < cases; i++) {
        size_t n = i < 200 ? (size_t)i : (i % 3 == 0 ? 1400 + next() % 100 : next() % 1501);
        size_t an = i % 7 == 0 ? 0 : next() % 81;
        fill(key, 32); fill(nonce, 12); fill(aad, an); fill(plain, n);
        CHECK(wn_aead_seal_nonce(key, nonce, aad, an, plain, n, a));
        wn_chachapoly_seal(key, nonce, aad, an, plain, n, b);
        CHECK(memcmp(a, b, n + 16) == 0);
        memcpy(c, plain, n);
        wn_chachapoly_seal(key, nonce, aad, an, c, n, c); /* in place */
        CHECK(memcmp(a, c, n + 16) == 0);
        CHECK(wn_chachapoly_open(key, nonce, aad, an, a, n, back) && memcmp(back, plain, n) == 0);
        CHECK(wn_aead_open_nonce(key, nonce, aad, an, b, n + 16, back) && memcmp(back, plain, n) == 0);
        CHECK(wn_chachapoly_open(key, nonce, aad, an, c, n, c) && memcmp(c, plain, n) == 0); /* in place */
        /* One flipped bit: in the ciphertext, the tag, or the AAD. */
        size_t where = next() % (n + 16 + an);
        uint8_t bit = (uint8_t)(1u << (next() % 8));
        memcpy(c, a, n + 16);
        if (where < n + 16)
            c[where] ^= bit;
        else
            aad[where - n - 16] ^= bit;
        memset(back, 0xAA, n);
        CHECK(!wn_chachapoly_open(key, nonce, aad, an, c, n, back));
        bool zeroed = true;
        for (size_t k = 0; k < n; k++)
            zeroed &= back[k] == 0;
        CHECK(zeroed);
        CHECK(!wn_aead_open_nonce(key, nonce, aad, an, c, n + 16, back));
    }
    printf(failures == 0 ? "portable ChaCha20-Poly1305 against mbedTLS (%s): %ld cases, passed\n"
                         : "portable ChaCha20-Poly1305 against mbedTLS (%s): %ld cases, %d FAILED\n", wn_crypto_version(), cases, failures);
    return failures != 0;
}

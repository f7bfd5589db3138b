/*
 * ChaCha20-Poly1305 and X25519 over mbedTLS. Only calls that mbedTLS 2.28 and 3.x both have, and no
 * struct field access (3.x made the fields private): mbedtls_chachapoly_* (MBEDTLS_CHACHAPOLY_C),
 * mbedtls_ecp_group_load / point_read_binary / mul / point_write_binary on MBEDTLS_ECP_DP_CURVE25519,
 * mbedtls_mpi_read_binary_le. mbedtls_ecp_mul needs a random source in 3.x (coordinate blinding), so
 * one is always passed. Every context is freed (mbedTLS zeroizes it) and every local copy of a key wiped.
 */
#include "wn_chachapoly.h"
#include "wn_crypto.h"
#include "wn_platform.h"

#include <string.h>

#include <mbedtls/chachapoly.h>
#include <mbedtls/ecp.h>
#include <mbedtls/version.h>

/* ESP-IDF's sdkconfig must enable these (CONFIG_MBEDTLS_CHACHA20_C, CONFIG_MBEDTLS_POLY1305_C,
 * CONFIG_MBEDTLS_CHACHAPOLY_C, CONFIG_MBEDTLS_ECP_DP_CURVE25519_ENABLED); Debian's build has them. */
#if !defined(MBEDTLS_CHACHAPOLY_C) || !defined(MBEDTLS_ECP_DP_CURVE25519_ENABLED)
#error "Warp.Native needs mbedTLS with ChaCha20-Poly1305 (MBEDTLS_CHACHAPOLY_C) and Curve25519 (MBEDTLS_ECP_DP_CURVE25519_ENABLED)"
#endif

static void wireguard_nonce(uint8_t nonce[12], uint64_t counter)
{
    memset(nonce, 0, 4);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = (uint8_t)(counter >> (8 * i));
}

/* -DWN_PORTABLE_AEAD (CMake: WARP_NATIVE_PORTABLE_AEAD=ON) puts the portable ChaCha20-Poly1305 of
 * wn_chachapoly.c behind the AEAD entry points instead of mbedTLS's; X25519 stays mbedTLS's. */
bool wn_aead_seal_nonce(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output)
{
#ifdef WN_PORTABLE_AEAD
    wn_chachapoly_seal(key, nonce, aad, aad_length, input, length, output);
    return true;
#endif
    mbedtls_chachapoly_context ctx;
    mbedtls_chachapoly_init(&ctx);
    int rc = mbedtls_chachapoly_setkey(&ctx, key);
    if (rc == 0)
        rc = mbedtls_chachapoly_encrypt_and_tag(&ctx, length, nonce, aad, aad_length, input, output, output + length);
    mbedtls_chachapoly_free(&ctx); /* zeroizes the key schedule */
    return rc == 0;
}

bool wn_aead_open_nonce(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output)
{
    if (length < WN_AEAD_TAG)
        return false;
#ifdef WN_PORTABLE_AEAD
    return wn_chachapoly_open(key, nonce, aad, aad_length, input, length - WN_AEAD_TAG, output);
#endif
    uint8_t tag[WN_AEAD_TAG];
    mbedtls_chachapoly_context ctx;
    size_t plain = length - WN_AEAD_TAG;
    memcpy(tag, input + plain, WN_AEAD_TAG); /* output may overlap the tag */
    mbedtls_chachapoly_init(&ctx);
    int rc = mbedtls_chachapoly_setkey(&ctx, key);
    if (rc == 0)
        rc = mbedtls_chachapoly_auth_decrypt(&ctx, plain, nonce, aad, aad_length, tag, input, output);
    mbedtls_chachapoly_free(&ctx);
    return rc == 0;
}

bool wn_aead_seal(const uint8_t key[32], uint64_t counter, const uint8_t *aad, size_t aad_length,
                  const uint8_t *input, size_t length, uint8_t *output)
{
    uint8_t nonce[12];
    wireguard_nonce(nonce, counter);
    return wn_aead_seal_nonce(key, nonce, aad, aad_length, input, length, output);
}

bool wn_aead_open(const uint8_t key[32], uint64_t counter, const uint8_t *aad, size_t aad_length,
                  const uint8_t *input, size_t length, uint8_t *output)
{
    uint8_t nonce[12];
    wireguard_nonce(nonce, counter);
    return wn_aead_open_nonce(key, nonce, aad, aad_length, input, length, output);
}

static int platform_rng(void *context, unsigned char *buf, size_t n)
{
    (void)context;
    wn_platform_random(buf, n);
    return 0;
}

bool wn_x25519(uint8_t shared[32], const uint8_t scalar[32], const uint8_t point[32])
{
    uint8_t k[32], u[32];
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, r;
    mbedtls_mpi m;
    size_t written = 0;
    bool ok = false;

    memcpy(k, scalar, 32);
    k[0] &= 248; /* RFC 7748 section 5: decodeScalar25519 */
    k[31] &= 127;
    k[31] |= 64;
    memcpy(u, point, 32);
    u[31] &= 127; /* decodeUCoordinate masks the top bit */

    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&r);
    mbedtls_mpi_init(&m);
    if (mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_CURVE25519) == 0
        && mbedtls_mpi_read_binary_le(&m, k, 32) == 0
        && mbedtls_ecp_point_read_binary(&grp, &p, u, 32) == 0
        && mbedtls_ecp_mul(&grp, &r, &m, &p, platform_rng, NULL) == 0
        && mbedtls_ecp_point_write_binary(&grp, &r, MBEDTLS_ECP_PF_UNCOMPRESSED, &written, shared, 32) == 0
        && written == 32) {
        uint8_t any = 0;
        for (int i = 0; i < 32; i++)
            any |= shared[i];
        ok = any != 0;
    }
    if (!ok)
        memset(shared, 0, 32);
    mbedtls_mpi_free(&m);
    mbedtls_ecp_point_free(&r);
    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_group_free(&grp);
    wn_platform_wipe(k, sizeof k);
    return ok;
}

bool wn_x25519_base(uint8_t public_key[32], const uint8_t scalar[32])
{
    static const uint8_t nine[32] = { 9 };
    return wn_x25519(public_key, scalar, nine);
}

const char *wn_crypto_version(void)
{
    return MBEDTLS_VERSION_STRING;
}

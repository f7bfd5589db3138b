/*
 * The crypto the fast path and the interop use: ChaCha20-Poly1305 with WireGuard's nonce (RFC 8439;
 * whitepaper 5.4.6: 32 zero bits then the 64-bit counter, little-endian) and X25519 (RFC 7748).
 * One backend, wn_crypto_mbedtls.c, written to the API that mbedTLS 2.28 (Debian 12) and 3.x
 * (ESP-IDF 5.x) share.
 */
#ifndef WN_CRYPTO_H
#define WN_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WN_AEAD_TAG 16

/* Encrypts length bytes of input to output and appends the 16-byte tag; input and output may be the same. */
bool wn_aead_seal(const uint8_t key[32], uint64_t counter, const uint8_t *aad, size_t aad_length,
                  const uint8_t *input, size_t length, uint8_t *output);

/* Checks the tag on input (length includes it) and decrypts length - 16 bytes to output; false on a bad tag. */
bool wn_aead_open(const uint8_t key[32], uint64_t counter, const uint8_t *aad, size_t aad_length,
                  const uint8_t *input, size_t length, uint8_t *output);

/* The same with any 96-bit nonce (RFC 8439 section 2.8), for the published vectors. */
bool wn_aead_seal_nonce(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output);
bool wn_aead_open_nonce(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output);

/* X25519(scalar, point); false when mbedTLS refuses the point (low order) or the result is all zero. */
bool wn_x25519(uint8_t shared[32], const uint8_t scalar[32], const uint8_t point[32]);

/* X25519(scalar, 9). */
bool wn_x25519_base(uint8_t public_key[32], const uint8_t scalar[32]);

/* The mbedTLS version the backend was built against ("2.28.3"). */
const char *wn_crypto_version(void);

#endif

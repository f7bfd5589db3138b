/*
 * A portable ChaCha20-Poly1305 (RFC 8439) written for this project, for 32-bit cores without SIMD
 * (the ESP32's Xtensa LX6): ChaCha20 on 32-bit words with one pass that encrypts a 64-byte block
 * and feeds it to Poly1305 at once, and Poly1305 in radix 2^26 (five 26-bit limbs, 25 32x32->64
 * multiplies a block, no 64x64 product), the shape whose speed on an ESP32 is published (README.md,
 * "Speed"). It is the alternative to mbedTLS's (wn_crypto_mbedtls.c) that the build selects with
 * -DWARP_NATIVE_PORTABLE_AEAD=ON; both are held to the RFC 8439 vectors and to each other
 * (tests/test_chachapoly.c), and the managed core's to them (tests/Native CryptoParityTests).
 * In place is allowed (input == output). Nothing allocates; the key stream and the Poly1305 key
 * are wiped before return.
 */
#ifndef WN_CHACHAPOLY_H
#define WN_CHACHAPOLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Encrypts length bytes and writes the 16-byte tag after them. */
void wn_chachapoly_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output);

/* Checks the tag (the 16 bytes after length bytes of ciphertext) while decrypting; false, and the output zeroed, on a bad tag. */
bool wn_chachapoly_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output);

#endif

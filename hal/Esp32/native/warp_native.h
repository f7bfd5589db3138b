/*
 * Warp.Native: the C side of hal/Esp32/Interop/Interop.cs (one function per extern method; the
 * MetadataProcessor's stubs unpack the CLR stack frame and call these). Skeleton only: the
 * implementations are the next issue's. Every call is allocation-free and returns a status, never
 * blocks on I/O; buffers are the caller's.
 */
#ifndef WARP_NATIVE_H
#define WARP_NATIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

/* LAN: raw SoftAP frames (esp_wifi_internal_reg_rxcb fills a ring; esp_wifi_internal_tx sends). */
bool warp_lan_start(int ring_frames);
int warp_lan_receive(uint8_t *buffer, int count);
bool warp_lan_send(const uint8_t *frame, int count);
void warp_lan_mac_address(uint8_t mac[6]);

/* Crypto over mbedTLS: ChaCha20-Poly1305 with WireGuard's nonce, X25519 (keep the mbedTLS calls in this one file: 2.x and 3.x differ). */
void warp_aead_seal(const uint8_t key[32], uint64_t counter, const uint8_t *aad, int aad_length,
                    const uint8_t *input, int length, uint8_t *output);
bool warp_aead_open(const uint8_t key[32], uint64_t counter, const uint8_t *aad, int aad_length,
                    const uint8_t *input, int length, uint8_t *output);
bool warp_x25519(uint8_t shared[32], const uint8_t scalar[32], const uint8_t point[32]);
void warp_x25519_base(uint8_t public_key[32], const uint8_t scalar[32]);

/* System: esp_random, the task watchdog. */
uint32_t warp_random_u32(void);
void warp_random_fill(uint8_t *buffer, int count);
bool warp_watchdog_start(int timeout_ms);
void warp_watchdog_feed(void);

/* Fast path: established flows and the current keypair, installed and flushed by the managed core. */
int warp_fastpath_add_flow(const uint8_t *entry, int length);
void warp_fastpath_remove_flow(int slot);
int64_t warp_fastpath_idle_ms(int slot);
bool warp_fastpath_set_keypair(const uint8_t send_key[32], const uint8_t receive_key[32], uint32_t local_index,
                               uint32_t remote_index, uint64_t send_counter, uint64_t receive_counter);
uint64_t warp_fastpath_send_counter(void);
void warp_fastpath_flush(void);
int warp_fastpath_counters(int64_t *counters, int count);

#endif

/*
 * Warp.Native: the C side of hal/Esp32/Interop/Interop.cs, one function per extern method (the
 * MetadataProcessor's stubs unpack the CLR stack frame and call these). Each declaration is tagged
 * with its managed method; tests/Native/InteropDeclarationTests checks that every extern method has
 * exactly one function here and that the parameters agree (an array and its offset become one
 * pointer, the managed integer types their C widths). Every call is allocation-free, returns a
 * status and never blocks; buffers are the caller's.
 *
 * Portable (built on Linux too): warp_native_crypto.c, warp_native_fastpath.c over core/.
 * ESP-IDF only: warp_native_lan.c (the SoftAP hook and ring), warp_native_system.c (RNG, watchdog).
 */
#ifndef WARP_NATIVE_H
#define WARP_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define WARP_EXPORT __declspec(dllexport)
#else
#define WARP_EXPORT __attribute__((visibility("default")))
#endif

/* LAN: raw SoftAP frames (esp_wifi_internal_reg_rxcb fills a ring; esp_wifi_internal_tx sends). */
/* Interop.LanStart */ WARP_EXPORT bool warp_lan_start(int32_t ring_frames);
/* Interop.LanReceive */ WARP_EXPORT int32_t warp_lan_receive(uint8_t *buffer, int32_t count);
/* Interop.LanSend */ WARP_EXPORT bool warp_lan_send(const uint8_t *frame, int32_t count);
/* Interop.LanMacAddress */ WARP_EXPORT void warp_lan_mac_address(uint8_t *mac);

/* Crypto over mbedTLS: ChaCha20-Poly1305 with WireGuard's nonce, X25519 (core/wn_crypto_mbedtls.c). */
/* Interop.AeadSeal */ WARP_EXPORT void warp_aead_seal(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                                                    const uint8_t *input, int32_t length, uint8_t *output);
/* Interop.AeadOpen */ WARP_EXPORT bool warp_aead_open(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                                                    const uint8_t *input, int32_t length, uint8_t *output);
/* Interop.X25519 */ WARP_EXPORT bool warp_x25519(uint8_t *shared, const uint8_t *scalar, const uint8_t *point);
/* Interop.X25519Base */ WARP_EXPORT void warp_x25519_base(uint8_t *public_key, const uint8_t *scalar);

/* System: esp_random, the task watchdog. */
/* Interop.RandomUInt32 */ WARP_EXPORT uint32_t warp_random_u32(void);
/* Interop.RandomFill */ WARP_EXPORT void warp_random_fill(uint8_t *buffer, int32_t count);
/* Interop.WatchdogStart */ WARP_EXPORT bool warp_watchdog_start(int32_t timeout_ms);
/* Interop.WatchdogFeed */ WARP_EXPORT void warp_watchdog_feed(void);

/* Fast path: established flows and the current keypair, installed and flushed by the managed core. */
/* Interop.FastPathStart */ WARP_EXPORT bool warp_fastpath_start(int32_t flow_capacity);
/* Interop.FastPathAddFlow */ WARP_EXPORT int32_t warp_fastpath_add_flow(const uint8_t *entry, int32_t length);
/* Interop.FastPathRemoveFlow */ WARP_EXPORT void warp_fastpath_remove_flow(int32_t slot);
/* Interop.FastPathFlowActivity */ WARP_EXPORT bool warp_fastpath_flow_activity(int32_t slot, int64_t *activity);
/* Interop.FastPathSetKeypair */ WARP_EXPORT bool warp_fastpath_set_keypair(const uint8_t *state, int32_t length);
/* Interop.FastPathGetKeypair */ WARP_EXPORT int32_t warp_fastpath_get_keypair(uint8_t *state, int32_t length);
/* Interop.FastPathTakeSendCounter */ WARP_EXPORT uint64_t warp_fastpath_take_send_counter(void);
/* Interop.FastPathFromUplink */ WARP_EXPORT int32_t warp_fastpath_from_uplink(uint8_t *datagram, int32_t length, uint8_t *output, int32_t count);
/* Interop.FastPathFromLan */ WARP_EXPORT int32_t warp_fastpath_from_lan(const uint8_t *frame, int32_t length, uint8_t *output, int32_t count);
/* Interop.FastPathFlush */ WARP_EXPORT void warp_fastpath_flush(void);
/* Interop.FastPathCounters */ WARP_EXPORT int32_t warp_fastpath_counters(int64_t *counters, int32_t count);

/* The monotonic milliseconds the fast path stamps activity with (esp_timer on the device, CLOCK_MONOTONIC on Linux). */
int64_t warp_native_now_ms(void);

#endif

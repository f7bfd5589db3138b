/* The host library's test surface (platform/wn_host_api.c); tests/Native/NativeLibrary.cs declares the same. */
#ifndef WN_HOST_API_H
#define WN_HOST_API_H

#include "../core/wn_fastpath.h"
#include "../warp_native.h"

WARP_EXPORT wn_fastpath *wn_host_create(int32_t flow_capacity, uint32_t seed);
WARP_EXPORT void wn_host_destroy(wn_fastpath *fp);
WARP_EXPORT int32_t wn_host_native_bytes(int32_t flow_capacity);
WARP_EXPORT int32_t wn_host_ring_state_bytes(void);
WARP_EXPORT void wn_host_portable_seal(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                                       const uint8_t *input, int32_t length, uint8_t *output);
WARP_EXPORT bool wn_host_portable_open(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                                       const uint8_t *input, int32_t length, uint8_t *output);
WARP_EXPORT int32_t wn_host_add_flow(wn_fastpath *fp, const uint8_t *entry, int32_t length, int64_t now);
WARP_EXPORT void wn_host_remove_flow(wn_fastpath *fp, int32_t slot);
WARP_EXPORT void wn_host_flush(wn_fastpath *fp);
WARP_EXPORT int32_t wn_host_flow_count(wn_fastpath *fp);
WARP_EXPORT bool wn_host_set_keypair(wn_fastpath *fp, const uint8_t *state, int32_t length, int64_t now);
WARP_EXPORT int32_t wn_host_get_keypair(wn_fastpath *fp, uint8_t *state, int32_t length, int64_t now);
WARP_EXPORT int32_t wn_host_from_lan(wn_fastpath *fp, const uint8_t *frame, int32_t length, uint8_t *out, int32_t capacity, int64_t now, int32_t *action, int32_t *slot);
WARP_EXPORT int32_t wn_host_from_uplink(wn_fastpath *fp, uint8_t *datagram, int32_t length, uint8_t *out, int32_t capacity, int64_t now, int32_t *action, int32_t *reason, int32_t *slot);
WARP_EXPORT int32_t wn_host_counters(wn_fastpath *fp, int64_t *counters, int32_t count);
WARP_EXPORT const char *wn_host_crypto_version(void);
WARP_EXPORT uint64_t wn_host_take_send_counter(wn_fastpath *fp);
WARP_EXPORT bool wn_host_flow_activity(wn_fastpath *fp, int32_t slot, int64_t now, int64_t *activity);

#endif

/*
 * Warp.Native: raw SoftAP frames on ESP-IDF (Interop.LanStart, LanReceive, LanSend, LanMacAddress).
 * ESP-IDF only: not built on Linux (the ring itself, core/wn_ring.c, is, and is tested there).
 *
 * esp_wifi_internal_reg_rxcb(WIFI_IF_AP, ...) (esp_private/wifi.h, as ESP-IDF's eth2ap example uses
 * it) takes the SoftAP's received frames away from lwIP: the Wi-Fi task calls ap_rx with each one,
 * which copies it into the preallocated ring and frees the driver's buffer at once; it never blocks
 * and never waits for the managed loop (a full ring drops the frame and counts it). The first frame
 * into an empty ring posts one managed event (Interop.EventLanFrame) so the loop wakes; the loop
 * drains the ring with LanReceive and rearms the event when it finds the ring empty. Frames go out
 * with esp_wifi_internal_tx(WIFI_IF_AP, ...), which copies them.
 */
#include "warp_native.h"
#include "core/wn_ring.h"

#include <stdatomic.h>
#include <string.h>

#include <esp_heap_caps.h>
#include <esp_private/wifi.h>
#include <esp_wifi.h>

#define WARP_LAN_SLOT 1536      /* an Ethernet frame without FCS (1514) and room */
#define WARP_LAN_MAX_FRAMES 64  /* a power of two; the board profile asks for fewer */

/* The glue (interop/Warp_Native_Interop.cpp) posts the managed event (PostManagedEvent is C++). */
void warp_native_post_lan_event(void);

static wn_ring ring;
static uint8_t *ring_storage;
static uint32_t ring_slots; /* what ring_storage holds: a start after a failed one reuses it */
static uint16_t ring_lengths[WARP_LAN_MAX_FRAMES];
static atomic_bool event_armed;
static bool started;

static esp_err_t ap_rx(void *buffer, uint16_t len, void *eb)
{
    bool stored = buffer != NULL && wn_ring_push(&ring, buffer, len);
    if (eb != NULL)
        esp_wifi_internal_free_rx_buffer(eb);
    if (stored && atomic_exchange(&event_armed, false))
        warp_native_post_lan_event();
    return ESP_OK;
}

bool warp_lan_start(int32_t ring_frames)
{
    if (started)
        return true;
    uint32_t slots = 2;
    while (slots < (uint32_t)ring_frames && slots < WARP_LAN_MAX_FRAMES)
        slots <<= 1;
    /* Allocated once, here, from internal RAM; never freed (the ring lives as long as the image). */
    if (ring_storage == NULL) {
        ring_storage = heap_caps_malloc((size_t)slots * WARP_LAN_SLOT, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
        ring_slots = slots;
    }
    if (ring_storage == NULL || !wn_ring_init(&ring, ring_storage, ring_lengths, ring_slots, WARP_LAN_SLOT))
        return false;
    atomic_store(&event_armed, true);
    if (esp_wifi_internal_reg_rxcb(WIFI_IF_AP, ap_rx) != ESP_OK)
        return false;
    started = true;
    return true;
}

int32_t warp_lan_receive(uint8_t *buffer, int32_t count)
{
    if (!started || count < 0)
        return 0;
    size_t n = wn_ring_pop(&ring, buffer, (size_t)count);
    if (n == 0) {
        atomic_store(&event_armed, true);
        n = wn_ring_pop(&ring, buffer, (size_t)count); /* a frame that came between the pop and the rearm */
    }
    return (int32_t)n;
}

bool warp_lan_send(const uint8_t *frame, int32_t count)
{
    if (!started || count <= 0 || count > 0xFFFF)
        return false;
    return esp_wifi_internal_tx(WIFI_IF_AP, (void *)frame, (uint16_t)count) == ESP_OK;
}

void warp_lan_mac_address(uint8_t *mac)
{
    if (esp_wifi_get_mac(WIFI_IF_AP, mac) != ESP_OK)
        memset(mac, 0, 6);
}

/*
 * The ESP-IDF glue (warp_native_lan.c: the SoftAP receive hook and ring; warp_native_system.c: RNG,
 * clock, watchdog, the one-time allocation; warp_native_fastpath.c's start over it), compiled by the
 * host compiler against the compile-time contract in tests/idf_contract/ (the ESP-IDF v5.4.2
 * declarations it calls, nothing else) and run against the fake driver below, which records every
 * call. What it checks is the glue's own behaviour on the device's calls:
 *   - LanStart registers one receive callback on WIFI_IF_AP and allocates its ring once, from
 *     internal 8-bit RAM (a second start allocates nothing);
 *   - the callback copies a frame, frees the driver's buffer (eb) exactly once whatever happens
 *     (stored, ring full, oversized, no buffer), never blocks, and posts the managed event only for
 *     the first frame after the loop found the ring empty; LanReceive gives the frames back in order
 *     and rearms the event when it finds the ring empty;
 *   - LanSend goes to esp_wifi_internal_tx on WIFI_IF_AP; a bad length never reaches the driver;
 *   - the MAC comes from esp_wifi_get_mac(WIFI_IF_AP), zeros when that fails;
 *   - the watchdog is reconfigured (or initialised when not yet) with the timeout and panic on, and
 *     the calling task subscribed; feeding resets it;
 *   - randomness comes from esp_fill_random / esp_random, the clock from esp_timer (us -> ms);
 *   - FastPathStart allocates the flow table once (heap_caps_calloc, internal 8-bit RAM, exactly
 *     wn_fastpath_storage_bytes), refuses a larger table later and a bad capacity always.
 */
#include "esp_heap_caps.h"
#include "esp_private/wifi.h"
#include "esp_random.h"
#include "esp_task_wdt.h"
#include "esp_timer.h"

#include "warp_native.h"
#include "core/wn_fastpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; printf("FAIL line %d: %s\n", __LINE__, #c); } } while (0)

/* ---------------------------------------------------------------- the fake driver */

static wifi_rxcb_t rx_callback;
static int rx_interface = -1, rx_registrations;
static int frees, events, tx_calls, tx_interface = -1;
static uint8_t tx_frame[2048];
static uint16_t tx_length;
static int alloc_calls;
static uint32_t alloc_caps;
static size_t alloc_bytes;
static int64_t timer_us;
static int fill_calls;
static size_t fill_length;
static uint32_t random_value = 0x12345678;
static esp_err_t mac_result = ESP_OK;
static esp_err_t reconfigure_result = ESP_OK;
static esp_task_wdt_config_t wdt_config;
static int wdt_reconfigures, wdt_inits, wdt_adds, wdt_resets;
static TaskHandle_t wdt_task = (TaskHandle_t)1;

esp_err_t esp_wifi_internal_reg_rxcb(wifi_interface_t ifx, wifi_rxcb_t fn)
{
    rx_interface = (int)ifx;
    rx_callback = fn;
    rx_registrations++;
    return ESP_OK;
}

void esp_wifi_internal_free_rx_buffer(void *buffer)
{
    if (buffer != NULL)
        frees++;
}

int esp_wifi_internal_tx(wifi_interface_t wifi_if, void *buffer, uint16_t len)
{
    tx_calls++;
    tx_interface = (int)wifi_if;
    tx_length = len;
    memcpy(tx_frame, buffer, len < sizeof tx_frame ? len : sizeof tx_frame);
    return ESP_OK;
}

esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6])
{
    if (mac_result != ESP_OK)
        return mac_result;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)(0xA0 + i + (ifx == WIFI_IF_AP ? 0x10 : 0));
    return ESP_OK;
}

void *heap_caps_malloc(size_t size, uint32_t caps)
{
    alloc_calls++;
    alloc_caps = caps;
    alloc_bytes = size;
    return malloc(size);
}

void *heap_caps_calloc(size_t n, size_t size, uint32_t caps)
{
    alloc_calls++;
    alloc_caps = caps;
    alloc_bytes = n * size;
    return calloc(n, size);
}

uint32_t esp_random(void) { return random_value; }

void esp_fill_random(void *buf, size_t len)
{
    fill_calls++;
    fill_length = len;
    memset(buf, 0x5A, len);
}

int64_t esp_timer_get_time(void) { return timer_us; }

esp_err_t esp_task_wdt_init(const esp_task_wdt_config_t *config)
{
    wdt_inits++;
    wdt_config = *config;
    return ESP_OK;
}

esp_err_t esp_task_wdt_reconfigure(const esp_task_wdt_config_t *config)
{
    wdt_reconfigures++;
    if (reconfigure_result == ESP_OK)
        wdt_config = *config;
    return reconfigure_result;
}

esp_err_t esp_task_wdt_add(TaskHandle_t task_handle)
{
    wdt_adds++;
    wdt_task = task_handle;
    return ESP_OK;
}

esp_err_t esp_task_wdt_reset(void)
{
    wdt_resets++;
    return ESP_OK;
}

/* The interop glue's (interop/Warp_Native_Warp_Native_Interop.cpp: PostManagedEvent). */
void warp_native_post_lan_event(void);
void warp_native_post_lan_event(void) { events++; }

/* ---------------------------------------------------------------- the tests */

static esp_err_t deliver(uint8_t fill, uint16_t length, int eb_id)
{
    static uint8_t frame[4096];
    memset(frame, fill, length);
    return rx_callback(frame, length, (void *)(intptr_t)(0x1000 + eb_id));
}

static void lan(void)
{
    uint8_t buf[2048];
    CHECK(warp_lan_receive(buf, sizeof buf) == 0); /* not started */
    CHECK(!warp_lan_send(buf, 60));
    CHECK(warp_lan_start(5)); /* 5 frames: 8 slots */
    CHECK(rx_registrations == 1 && rx_interface == WIFI_IF_AP && rx_callback != NULL);
    CHECK(alloc_calls == 1 && alloc_bytes == 8 * 1536 && alloc_caps == (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT));
    CHECK(warp_lan_start(5) && alloc_calls == 1 && rx_registrations == 1); /* started already */

    /* Three frames: one event (the first into the empty ring), three frees, back in order. */
    CHECK(deliver(1, 60, 1) == ESP_OK && deliver(2, 1514, 2) == ESP_OK && deliver(3, 42, 3) == ESP_OK);
    CHECK(frees == 3 && events == 1);
    CHECK(warp_lan_receive(buf, sizeof buf) == 60 && buf[0] == 1 && buf[59] == 1);
    CHECK(deliver(4, 100, 4) == ESP_OK && events == 1); /* not empty yet: no new event */
    CHECK(warp_lan_receive(buf, sizeof buf) == 1514 && buf[1513] == 2);
    CHECK(warp_lan_receive(buf, sizeof buf) == 42 && buf[0] == 3);
    CHECK(warp_lan_receive(buf, sizeof buf) == 100 && buf[0] == 4);
    CHECK(warp_lan_receive(buf, sizeof buf) == 0); /* empty: the event is armed again */
    CHECK(deliver(5, 64, 5) == ESP_OK && events == 2);
    CHECK(warp_lan_receive(buf, sizeof buf) == 64 && warp_lan_receive(buf, sizeof buf) == 0);

    /* Full: 20 frames into 8 slots; every buffer freed, 8 kept in order, the rest dropped. */
    int before = frees;
    for (int i = 0; i < 20; i++)
        CHECK(deliver((uint8_t)(10 + i), 200, 100 + i) == ESP_OK);
    CHECK(frees == before + 20 && events == 3);
    for (int i = 0; i < 8; i++)
        CHECK(warp_lan_receive(buf, sizeof buf) == 200 && buf[0] == 10 + i);
    CHECK(warp_lan_receive(buf, sizeof buf) == 0);

    /* Oversized (a slot is 1,536 bytes) and a callback without a buffer: freed, nothing stored, no event. */
    before = frees;
    int ev = events;
    CHECK(deliver(7, 1537, 200) == ESP_OK);
    CHECK(rx_callback(NULL, 0, (void *)(intptr_t)0x2001) == ESP_OK);
    CHECK(frees == before + 2 && events == ev && warp_lan_receive(buf, sizeof buf) == 0);

    /* Send: to the SoftAP, the bytes as given; bad lengths never reach the driver. */
    memset(buf, 0xEE, 60);
    CHECK(warp_lan_send(buf, 60) && tx_calls == 1 && tx_interface == WIFI_IF_AP && tx_length == 60 && tx_frame[59] == 0xEE);
    CHECK(!warp_lan_send(buf, 0) && !warp_lan_send(buf, 70000) && tx_calls == 1);

    uint8_t mac[6];
    warp_lan_mac_address(mac);
    CHECK(mac[0] == 0xB0 && mac[5] == 0xB5);
    mac_result = ESP_ERR_INVALID_STATE;
    warp_lan_mac_address(mac);
    CHECK(mac[0] == 0 && mac[5] == 0);
}

static void system_services(void)
{
    uint8_t b[16] = { 0 };
    warp_random_fill(b, 16);
    CHECK(fill_calls == 1 && fill_length == 16 && b[15] == 0x5A);
    warp_random_fill(b, -1);
    CHECK(fill_calls == 1);
    CHECK(warp_random_u32() == 0x12345678);
    timer_us = 123456789;
    CHECK(warp_native_now_ms() == 123456);

    CHECK(!warp_watchdog_start(0) && wdt_reconfigures == 0);
    CHECK(warp_watchdog_start(5000));
    CHECK(wdt_reconfigures == 1 && wdt_inits == 0 && wdt_config.timeout_ms == 5000 && wdt_config.trigger_panic && wdt_config.idle_core_mask == 0);
    CHECK(wdt_adds == 1 && wdt_task == NULL); /* the calling task */
    reconfigure_result = ESP_ERR_INVALID_STATE; /* not initialised yet: init instead */
    CHECK(warp_watchdog_start(7000) && wdt_inits == 1 && wdt_config.timeout_ms == 7000);
    warp_watchdog_feed();
    CHECK(wdt_resets == 1);
}

static void fastpath_start(void)
{
    int calls = alloc_calls;
    CHECK(!warp_fastpath_start(0) && !warp_fastpath_start(WN_MAX_FLOWS + 1) && alloc_calls == calls);
    CHECK(warp_fastpath_start(16));
    CHECK(alloc_calls == calls + 1 && alloc_bytes == wn_fastpath_storage_bytes(16) && alloc_caps == (MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT));
    CHECK(fill_calls == 2 && fill_length == 4); /* the hash seed from the hardware RNG */
    CHECK(warp_fastpath_start(16) && warp_fastpath_start(8) && alloc_calls == calls + 1); /* kept, never grown */
    CHECK(!warp_fastpath_start(17) && alloc_calls == calls + 1);
    CHECK(warp_fastpath_start(16));
    int64_t counters[16];
    CHECK(warp_fastpath_counters(counters, 16) == WN_C_COUNT);
}

int main(void)
{
    lan();
    system_services();
    fastpath_start();
    printf(failures == 0 ? "idf glue: passed\n" : "idf glue: %d FAILED\n", failures);
    return failures != 0;
}

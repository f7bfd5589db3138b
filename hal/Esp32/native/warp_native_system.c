/*
 * Warp.Native: the system services on ESP-IDF (Interop.RandomUInt32, RandomFill, WatchdogStart,
 * WatchdogFeed) and the platform header for the portable core (core/wn_platform.h): the hardware RNG
 * (esp_fill_random: true random while the radio is on), the monotonic clock (esp_timer), the task
 * watchdog (esp_task_wdt, ESP-IDF 5.x configuration struct). ESP-IDF only.
 */
#include "warp_native.h"
#include "core/wn_platform.h"

#include <esp_heap_caps.h>
#include <esp_random.h>
#include <esp_task_wdt.h>
#include <esp_timer.h>

void wn_platform_random(uint8_t *buf, size_t n)
{
    esp_fill_random(buf, n);
}

void wn_platform_wipe(void *p, size_t n)
{
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--)
        *v++ = 0;
}

void *wn_platform_alloc_once(size_t n)
{
    return heap_caps_calloc(1, n, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
}

int64_t warp_native_now_ms(void)
{
    return esp_timer_get_time() / 1000;
}

uint32_t warp_random_u32(void)
{
    return esp_random();
}

void warp_random_fill(uint8_t *buffer, int32_t count)
{
    if (count > 0)
        esp_fill_random(buffer, (size_t)count);
}

bool warp_watchdog_start(int32_t timeout_ms)
{
    if (timeout_ms <= 0)
        return false;
    const esp_task_wdt_config_t config = { .timeout_ms = (uint32_t)timeout_ms, .idle_core_mask = 0, .trigger_panic = true };
    esp_err_t rc = esp_task_wdt_reconfigure(&config);
    if (rc == ESP_ERR_INVALID_STATE)
        rc = esp_task_wdt_init(&config);
    if (rc != ESP_OK)
        return false;
    rc = esp_task_wdt_add(NULL);
    return rc == ESP_OK || rc == ESP_ERR_INVALID_ARG; /* already subscribed */
}

void warp_watchdog_feed(void)
{
    esp_task_wdt_reset();
}

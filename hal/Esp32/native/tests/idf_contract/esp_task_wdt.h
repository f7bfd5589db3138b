/*
 * COMPILE-TIME CONTRACT, NOT ESP-IDF. Written for this project: it declares only what
 * hal/Esp32/native/warp_native_lan.c and warp_native_system.c call, with the exact signatures,
 * types and constants of ESP-IDF v5.4.2 (the ESP32_IDF_TAG nanoFramework's nf-interpreter
 * builds with; unchanged in v5.5), checked against github.com/espressif/esp-idf at tag v5.4.2,
 * components/esp_system/include/esp_task_wdt.h (lines 21-25, 47, 63, 90, 118). It lets the host compiler compile that glue (tests/test_idf_glue.c,
 * CTest idf_glue_contract); it is never part of the ESP-IDF component (FindINTEROP-Warp.Native.cmake
 * lists no file or include directory here; CTest idf_contract_not_shipped checks).
 */
#ifndef WN_IDF_CONTRACT_ESP_TASK_WDT_H
#define WN_IDF_CONTRACT_ESP_TASK_WDT_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"
#include "freertos/task.h"

typedef struct {
    uint32_t timeout_ms;
    uint32_t idle_core_mask;
    bool trigger_panic;
} esp_task_wdt_config_t;

esp_err_t esp_task_wdt_init(const esp_task_wdt_config_t *config);
esp_err_t esp_task_wdt_reconfigure(const esp_task_wdt_config_t *config);
esp_err_t esp_task_wdt_add(TaskHandle_t task_handle);
esp_err_t esp_task_wdt_reset(void);

#endif

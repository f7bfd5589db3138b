/*
 * COMPILE-TIME CONTRACT, NOT ESP-IDF. Written for this project: it declares only what
 * hal/Esp32/native/warp_native_lan.c and warp_native_system.c call, with the exact signatures,
 * types and constants of ESP-IDF v5.4.2 (the ESP32_IDF_TAG nanoFramework's nf-interpreter
 * builds with; unchanged in v5.5), checked against github.com/espressif/esp-idf at tag v5.4.2,
 * components/esp_wifi/include/esp_private/wifi.h (lines 118, 142, 221, 235). It lets the host compiler compile that glue (tests/test_idf_glue.c,
 * CTest idf_glue_contract); it is never part of the ESP-IDF component (FindINTEROP-Warp.Native.cmake
 * lists no file or include directory here; CTest idf_contract_not_shipped checks).
 */
#ifndef WN_IDF_CONTRACT_ESP_PRIVATE_WIFI_H
#define WN_IDF_CONTRACT_ESP_PRIVATE_WIFI_H

#include <stdint.h>

#include "../esp_err.h"
#include "../esp_wifi.h"

void esp_wifi_internal_free_rx_buffer(void *buffer);

int esp_wifi_internal_tx(wifi_interface_t wifi_if, void *buffer, uint16_t len);

typedef esp_err_t (*wifi_rxcb_t)(void *buffer, uint16_t len, void *eb);

esp_err_t esp_wifi_internal_reg_rxcb(wifi_interface_t ifx, wifi_rxcb_t fn);

#endif

/*
 * COMPILE-TIME CONTRACT, NOT ESP-IDF. Written for this project: it declares only what
 * hal/Esp32/native/warp_native_lan.c and warp_native_system.c call, with the exact signatures,
 * types and constants of ESP-IDF v5.4.2 (the ESP32_IDF_TAG nanoFramework's nf-interpreter
 * builds with; unchanged in v5.5), checked against github.com/espressif/esp-idf at tag v5.4.2,
 * components/esp_wifi/include/esp_wifi.h (line 874, esp_wifi_get_mac), esp_wifi_types_generic.h (wifi_interface_t) and components/esp_hw_support/include/esp_interface.h (ESP_IF_WIFI_STA = 0, ESP_IF_WIFI_AP, ESP_IF_WIFI_NAN). It lets the host compiler compile that glue (tests/test_idf_glue.c,
 * CTest idf_glue_contract); it is never part of the ESP-IDF component (FindINTEROP-Warp.Native.cmake
 * lists no file or include directory here; CTest idf_contract_not_shipped checks).
 */
#ifndef WN_IDF_CONTRACT_ESP_WIFI_H
#define WN_IDF_CONTRACT_ESP_WIFI_H

#include <stdint.h>

#include "esp_err.h"

typedef enum {
    ESP_IF_WIFI_STA = 0,
    ESP_IF_WIFI_AP,
    ESP_IF_WIFI_NAN,
    ESP_IF_ETH,
    ESP_IF_MAX
} esp_interface_t;

typedef enum {
    WIFI_IF_STA = ESP_IF_WIFI_STA,
    WIFI_IF_AP = ESP_IF_WIFI_AP,
    WIFI_IF_NAN = ESP_IF_WIFI_NAN,
    WIFI_IF_MAX
} wifi_interface_t;

esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6]);

#endif

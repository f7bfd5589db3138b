/*
 * COMPILE-TIME CONTRACT, NOT ESP-IDF. Written for this project: it declares only what
 * hal/Esp32/native/warp_native_lan.c and warp_native_system.c call, with the exact signatures,
 * types and constants of ESP-IDF v5.4.2 (the ESP32_IDF_TAG nanoFramework's nf-interpreter
 * builds with; unchanged in v5.5), checked against github.com/espressif/esp-idf at tag v5.4.2,
 * components/esp_hw_support/include/esp_random.h (lines 32, 43). It lets the host compiler compile that glue (tests/test_idf_glue.c,
 * CTest idf_glue_contract); it is never part of the ESP-IDF component (FindINTEROP-Warp.Native.cmake
 * lists no file or include directory here; CTest idf_contract_not_shipped checks).
 */
#ifndef WN_IDF_CONTRACT_ESP_RANDOM_H
#define WN_IDF_CONTRACT_ESP_RANDOM_H

#include <stddef.h>
#include <stdint.h>

uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);

#endif

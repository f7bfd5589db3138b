/*
 * The thin platform header: everything the portable core (core/) needs from the machine it runs on.
 * ESP-IDF implements it over esp_fill_random (warp_native_system.c); Linux over getrandom
 * (platform/wn_platform_linux.c). The core itself reads no clock (time is a parameter of every call),
 * opens no socket and allocates nothing: the glue allocates the flow table once, at start, through
 * wn_platform_alloc_once.
 */
#ifndef WN_PLATFORM_H
#define WN_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf with n bytes from the platform's cryptographic random source (the ESP32's hardware RNG). */
void wn_platform_random(uint8_t *buf, size_t n);

/* Overwrites n bytes at p with zeros in a way the compiler may not remove (key material). */
void wn_platform_wipe(void *p, size_t n);

/* n bytes of internal RAM, zeroed, allocated once when the fast path starts and never freed; NULL when there is not enough. */
void *wn_platform_alloc_once(size_t n);

#endif

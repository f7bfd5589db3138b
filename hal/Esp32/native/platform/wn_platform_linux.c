/* The platform header (core/wn_platform.h) on Linux, for the host build and its tests. */
#include "../core/wn_platform.h"
#include "../warp_native.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

void wn_platform_random(uint8_t *buf, size_t n)
{
    while (n > 0) {
        ssize_t got = getrandom(buf, n, 0);
        if (got <= 0)
            continue;
        buf += got;
        n -= (size_t)got;
    }
}

void wn_platform_wipe(void *p, size_t n)
{
    volatile uint8_t *v = (volatile uint8_t *)p;
    while (n--)
        *v++ = 0;
}

int64_t warp_native_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void *wn_platform_alloc_once(size_t n)
{
    return calloc(1, n);
}

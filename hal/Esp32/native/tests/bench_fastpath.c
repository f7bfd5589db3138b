/*
 * The fast path's speed on this machine (README.md, "The native fast path"): 1,420-byte IPv4/UDP
 * packets of one offloaded flow, LAN -> tunnel (copy, TTL, NAT, pad, seal) and tunnel -> LAN (open,
 * replay, NAT, Ethernet), and ChaCha20-Poly1305 alone on the same size, one core, -O2.
 * Prints packets/s, Mbit/s of IP packets, ns and TSC cycles per packet.
 *   bench_fastpath [packets]
 */
#include "wn_checksum.h"
#include "wn_crypto.h"
#include "wn_chachapoly.h"
#include "wn_fastpath.h"

#include <mbedtls/sha256.h>
#include <mbedtls/version.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static uint64_t cycles(void) { return __rdtsc(); }
#else
static uint64_t cycles(void) { return 0; }
#endif

#define PACKET 1420

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void ipv4_udp(uint8_t *ip, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
    memset(ip, 0, PACKET);
    ip[0] = 0x45;
    wn_wr16(ip + 2, PACKET);
    ip[8] = 255; /* TTL: each copy is decremented in the output only */
    ip[9] = 17;
    wn_wr32(ip + 12, src);
    wn_wr32(ip + 16, dst);
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += wn_rd16(ip + i);
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    wn_wr16(ip + 10, (uint16_t)~sum);
    wn_wr16(ip + 20, sport);
    wn_wr16(ip + 22, dport);
    wn_wr16(ip + 24, PACKET - 20);
    wn_wr16(ip + 26, 0x1234); /* some checksum: the NAT only adjusts it */
    for (int i = 28; i < PACKET; i++)
        ip[i] = (uint8_t)i;
}

static void report(const char *what, long n, double secs, uint64_t cyc)
{
    printf("%-34s %9.0f packets/s  %7.1f Mbit/s  %7.0f ns/packet  %7.0f cycles/packet\n", what, n / secs,
           n / secs * PACKET * 8 / 1e6, secs / n * 1e9, (double)cyc / n);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000;
    static wn_fastpath fp;
    uint8_t flow[WN_FLOW_ENCODED] = { 0 }, kp[WN_KEYPAIR_FIXED + 128 * 8] = { 0 };
    static uint64_t flow_storage[2048];
    if (wn_fastpath_storage_bytes(64) > sizeof flow_storage || !wn_fastpath_init(&fp, flow_storage, sizeof flow_storage, 64, 7))
        return 1;
    flow[0] = WN_FLOW_VERSION; flow[1] = 4; flow[2] = 17;
    wn_wr16(flow + 4, 5000); wn_wr16(flow + 6, 40000); wn_wr16(flow + 8, 443); wn_wr16(flow + 10, 1500);
    memset(flow + 12, 0x02, 6); memset(flow + 18, 0x04, 6);
    wn_wr32(flow + 24, 0x0A000002); wn_wr32(flow + 40, 0xAC100002); wn_wr32(flow + 56, 0x01010101);
    wn_wr32(flow + 72, WN_BOUND_FOREVER);
    if (wn_flow_add(&fp.flows, flow, sizeof flow, 0) < 0)
        return 1;
    kp[0] = WN_KEYPAIR_VERSION; kp[2] = 128;
    wn_wr32le(kp + 4, 1); wn_wr32le(kp + 8, 2); wn_wr64le(kp + 24, 1ULL << 60); wn_wr64le(kp + 32, 1LL << 40);
    wn_wr32le(kp + 40, 1500);
    memset(kp + 48, 0x42, 64);
    if (!wn_keypair_load(&fp.keypair, kp, sizeof kp, 0))
        return 1;

    uint8_t frame[14 + PACKET], out[2048];
    memset(frame, 0x04, 6);
    memset(frame + 6, 0x02, 6);
    wn_wr16(frame + 12, 0x0800);
    ipv4_udp(frame + 14, 0x0A000002, 0x01010101, 5000, 443);

    /* LAN -> tunnel. */
    double t0 = seconds();
    uint64_t c0 = cycles();
    for (long i = 0; i < n; i++) {
        wn_result r = wn_fastpath_from_lan(&fp, frame, sizeof frame, out, sizeof out, i);
        if (r.action != WN_TO_NETWORK)
            return 2;
    }
    report("LAN -> tunnel (NAT + seal)", n, seconds() - t0, cycles() - c0);

    /* Tunnel -> LAN: datagrams sealed beforehand with the receive key and counters 0..n-1. */
    size_t dlen = 16 + 1424 + 16;
    uint8_t *datagrams = malloc((size_t)n * dlen);
    uint8_t ip[PACKET + 4] = { 0 };
    ipv4_udp(ip, 0x01010101, 0xAC100002, 443, 40000);
    for (long i = 0; i < n; i++) {
        uint8_t *d = datagrams + (size_t)i * dlen;
        wn_wr32le(d, 4); wn_wr32le(d + 4, 1); wn_wr64le(d + 8, (uint64_t)i);
        memcpy(d + 16, ip, PACKET);
        memset(d + 16 + PACKET, 0, 4);
        wn_aead_seal(kp + 80, (uint64_t)i, NULL, 0, d + 16, 1424, d + 16);
    }
    t0 = seconds();
    c0 = cycles();
    for (long i = 0; i < n; i++) {
        wn_result r = wn_fastpath_from_uplink(&fp, datagrams + (size_t)i * dlen, dlen, out, sizeof out, i);
        if (r.action != WN_TO_LAN)
            return 3;
    }
    report("tunnel -> LAN (open + NAT)", n, seconds() - t0, cycles() - c0);
    free(datagrams);

    /* ChaCha20-Poly1305 alone, 1,424 bytes (the padded packet). */
    t0 = seconds();
    c0 = cycles();
    for (long i = 0; i < n; i++)
        wn_aead_seal(kp + 48, (uint64_t)i, NULL, 0, out + 16, 1424, out + 16);
    report("ChaCha20-Poly1305 seal, 1,424 B", n, seconds() - t0, cycles() - c0);
    /* The portable one (core/wn_chachapoly.c), the same size. */
    uint8_t nonce[12] = { 0 };
    t0 = seconds();
    c0 = cycles();
    for (long i = 0; i < n; i++) {
        nonce[4] = (uint8_t)i;
        wn_chachapoly_seal(kp + 48, nonce, NULL, 0, out + 16, 1424, out + 16);
    }
    report("portable ChaCha20-Poly1305, 1,424 B", n, seconds() - t0, cycles() - c0);
    /* SHA-256 (portable C) on the same size: the published ESP32 figures include a software
     * SHA-256, so its cycles per byte here give the x86-to-Xtensa ratio the README's estimate uses. */
    uint8_t digest[32];
    t0 = seconds();
    c0 = cycles();
    for (long i = 0; i < n; i++) {
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
        mbedtls_sha256(out, 1424, digest, 0);
#else
        mbedtls_sha256_ret(out, 1424, digest, 0);
#endif
        out[0] ^= digest[0];
    }
    report("SHA-256, 1,424 B", n, seconds() - t0, cycles() - c0);
    printf("mbedTLS %s, %ld packets each\n", wn_crypto_version(), n);
    return 0;
}

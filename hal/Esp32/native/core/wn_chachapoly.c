/* Portable ChaCha20-Poly1305 (wn_chachapoly.h). */
#include "wn_chachapoly.h"
#include "wn_platform.h"

#include <string.h>

static inline uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

static inline void st32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    memcpy(p, &v, 4);
}

static inline uint32_t rotl(uint32_t v, int n) { return (v << n) | (v >> (32 - n)); }

#define QR(a, b, c, d)              \
    a += b; d = rotl(d ^ a, 16);    \
    c += d; b = rotl(b ^ c, 12);    \
    a += b; d = rotl(d ^ a, 8);     \
    c += d; b = rotl(b ^ c, 7)

/* One ChaCha20 block (RFC 8439 2.3) of the state s (16 words; s[12] the block counter) as 16 words. */
static void chacha_block(const uint32_t s[16], uint32_t out[16])
{
    uint32_t x0 = s[0], x1 = s[1], x2 = s[2], x3 = s[3], x4 = s[4], x5 = s[5], x6 = s[6], x7 = s[7];
    uint32_t x8 = s[8], x9 = s[9], x10 = s[10], x11 = s[11], x12 = s[12], x13 = s[13], x14 = s[14], x15 = s[15];
    for (int i = 0; i < 10; i++) {
        QR(x0, x4, x8, x12);
        QR(x1, x5, x9, x13);
        QR(x2, x6, x10, x14);
        QR(x3, x7, x11, x15);
        QR(x0, x5, x10, x15);
        QR(x1, x6, x11, x12);
        QR(x2, x7, x8, x13);
        QR(x3, x4, x9, x14);
    }
    out[0] = x0 + s[0]; out[1] = x1 + s[1]; out[2] = x2 + s[2]; out[3] = x3 + s[3];
    out[4] = x4 + s[4]; out[5] = x5 + s[5]; out[6] = x6 + s[6]; out[7] = x7 + s[7];
    out[8] = x8 + s[8]; out[9] = x9 + s[9]; out[10] = x10 + s[10]; out[11] = x11 + s[11];
    out[12] = x12 + s[12]; out[13] = x13 + s[13]; out[14] = x14 + s[14]; out[15] = x15 + s[15];
}

static void chacha_init(uint32_t s[16], const uint8_t key[32], const uint8_t nonce[12])
{
    s[0] = 0x61707865; s[1] = 0x3320646e; s[2] = 0x79622d32; s[3] = 0x6b206574; /* "expand 32-byte k" */
    for (int i = 0; i < 8; i++)
        s[4 + i] = ld32(key + 4 * i);
    s[12] = 0;
    s[13] = ld32(nonce);
    s[14] = ld32(nonce + 4);
    s[15] = ld32(nonce + 8);
}

/* Poly1305 (RFC 8439 2.5) in radix 2^26: h and r as five 26-bit limbs, s_i = 5 r_i for the wrap-around. */
typedef struct {
    uint32_t r[5], s[5], h[5], pad[4];
} poly;

#define M26 0x3ffffffu

static void poly_init(poly *p, const uint8_t key[32])
{
    uint32_t t0 = ld32(key) & 0x0fffffff, t1 = ld32(key + 4) & 0x0ffffffc, t2 = ld32(key + 8) & 0x0ffffffc,
             t3 = ld32(key + 12) & 0x0ffffffc; /* the clamp */
    p->r[0] = t0 & M26;
    p->r[1] = ((t0 >> 26) | (t1 << 6)) & M26;
    p->r[2] = ((t1 >> 20) | (t2 << 12)) & M26;
    p->r[3] = ((t2 >> 14) | (t3 << 18)) & M26;
    p->r[4] = t3 >> 8;
    for (int i = 0; i < 5; i++) {
        p->s[i] = p->r[i] * 5;
        p->h[i] = 0;
    }
    for (int i = 0; i < 4; i++)
        p->pad[i] = ld32(key + 16 + 4 * i);
}

/* h = (h + m + 2^128) * r mod 2^130 - 5 for each full 16-byte block of m. */
static void poly_blocks(poly *p, const uint8_t *m, size_t blocks)
{
    const uint32_t r0 = p->r[0], r1 = p->r[1], r2 = p->r[2], r3 = p->r[3], r4 = p->r[4];
    const uint32_t s1 = p->s[1], s2 = p->s[2], s3 = p->s[3], s4 = p->s[4];
    uint32_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], h3 = p->h[3], h4 = p->h[4];
    while (blocks--) {
        uint32_t t0 = ld32(m), t1 = ld32(m + 4), t2 = ld32(m + 8), t3 = ld32(m + 12);
        h0 += t0 & M26;
        h1 += ((t0 >> 26) | (t1 << 6)) & M26;
        h2 += ((t1 >> 20) | (t2 << 12)) & M26;
        h3 += ((t2 >> 14) | (t3 << 18)) & M26;
        h4 += (t3 >> 8) | (1u << 24);
        uint64_t d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 + (uint64_t)h3 * s2 + (uint64_t)h4 * s1;
        uint64_t d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 + (uint64_t)h3 * s3 + (uint64_t)h4 * s2;
        uint64_t d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 + (uint64_t)h3 * s4 + (uint64_t)h4 * s3;
        uint64_t d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 + (uint64_t)h3 * r0 + (uint64_t)h4 * s4;
        uint64_t d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 + (uint64_t)h3 * r1 + (uint64_t)h4 * r0;
        uint32_t c;
        c = (uint32_t)(d0 >> 26); h0 = (uint32_t)d0 & M26; d1 += c;
        c = (uint32_t)(d1 >> 26); h1 = (uint32_t)d1 & M26; d2 += c;
        c = (uint32_t)(d2 >> 26); h2 = (uint32_t)d2 & M26; d3 += c;
        c = (uint32_t)(d3 >> 26); h3 = (uint32_t)d3 & M26; d4 += c;
        c = (uint32_t)(d4 >> 26); h4 = (uint32_t)d4 & M26;
        h0 += c * 5;
        c = h0 >> 26; h0 &= M26; h1 += c;
        m += 16;
    }
    p->h[0] = h0; p->h[1] = h1; p->h[2] = h2; p->h[3] = h3; p->h[4] = h4;
}

/* A last partial run of data, zero-padded to a full block (the AEAD's padding). */
static void poly_padded(poly *p, const uint8_t *m, size_t length)
{
    poly_blocks(p, m, length / 16);
    size_t rest = length % 16;
    if (rest != 0) {
        uint8_t block[16] = { 0 };
        memcpy(block, m + length - rest, rest);
        poly_blocks(p, block, 1);
    }
}

static void poly_finish(poly *p, uint8_t tag[16])
{
    uint32_t h0 = p->h[0], h1 = p->h[1], h2 = p->h[2], h3 = p->h[3], h4 = p->h[4], c;
    c = h1 >> 26; h1 &= M26; h2 += c;
    c = h2 >> 26; h2 &= M26; h3 += c;
    c = h3 >> 26; h3 &= M26; h4 += c;
    c = h4 >> 26; h4 &= M26; h0 += c * 5;
    c = h0 >> 26; h0 &= M26; h1 += c;
    /* g = h + 5 - 2^130: when it does not go negative, h >= p and g is the reduced value. */
    uint32_t g0 = h0 + 5; c = g0 >> 26; g0 &= M26;
    uint32_t g1 = h1 + c; c = g1 >> 26; g1 &= M26;
    uint32_t g2 = h2 + c; c = g2 >> 26; g2 &= M26;
    uint32_t g3 = h3 + c; c = g3 >> 26; g3 &= M26;
    uint32_t g4 = h4 + c - (1u << 26);
    uint32_t use_g = (g4 >> 31) - 1; /* all ones when g4 did not borrow */
    h0 = (h0 & ~use_g) | (g0 & use_g);
    h1 = (h1 & ~use_g) | (g1 & use_g);
    h2 = (h2 & ~use_g) | (g2 & use_g);
    h3 = (h3 & ~use_g) | (g3 & use_g);
    h4 = (h4 & ~use_g) | (g4 & use_g);
    /* Back to four 32-bit words (mod 2^128), plus the pad. */
    uint32_t w0 = h0 | (h1 << 26), w1 = (h1 >> 6) | (h2 << 20), w2 = (h2 >> 12) | (h3 << 14), w3 = (h3 >> 18) | (h4 << 8);
    uint64_t f = (uint64_t)w0 + p->pad[0];
    st32(tag, (uint32_t)f);
    f = (uint64_t)w1 + p->pad[1] + (f >> 32);
    st32(tag + 4, (uint32_t)f);
    f = (uint64_t)w2 + p->pad[2] + (f >> 32);
    st32(tag + 8, (uint32_t)f);
    f = (uint64_t)w3 + p->pad[3] + (f >> 32);
    st32(tag + 12, (uint32_t)f);
}

/* The AEAD's one pass: ChaCha20 from block counter 1 over input into output, and Poly1305 over the
 * ciphertext (the output when sealing, the input when opening) as it goes. */
static void crypt(uint32_t s[16], poly *p, const uint8_t *input, uint8_t *output, size_t length, bool sealing)
{
    uint32_t ks[16];
    uint8_t buf[64];
    while (length > 0) {
        size_t n = length < 64 ? length : 64;
        s[12]++;
        chacha_block(s, ks);
        if (!sealing)
            poly_padded(p, input, n); /* a short block only at the end: padded as the AEAD pads */
        if (n == 64) {
            for (int i = 0; i < 16; i++)
                st32(output + 4 * i, ld32(input + 4 * i) ^ ks[i]);
        } else {
            for (int i = 0; i < 16; i++)
                st32(buf + 4 * i, ks[i]);
            for (size_t i = 0; i < n; i++)
                output[i] = input[i] ^ buf[i];
        }
        if (sealing)
            poly_padded(p, output, n);
        input += n;
        output += n;
        length -= n;
    }
    wn_platform_wipe(ks, sizeof ks);
    wn_platform_wipe(buf, sizeof buf);
}

static void start(uint32_t s[16], poly *p, const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length)
{
    uint32_t block[16];
    uint8_t otk[32];
    chacha_init(s, key, nonce);
    chacha_block(s, block); /* counter 0: the one-time Poly1305 key */
    for (int i = 0; i < 8; i++)
        st32(otk + 4 * i, block[i]);
    poly_init(p, otk);
    wn_platform_wipe(block, sizeof block);
    wn_platform_wipe(otk, sizeof otk);
    poly_padded(p, aad, aad_length);
}

static void lengths(poly *p, size_t aad_length, size_t length, uint8_t tag[16])
{
    uint8_t block[16];
    st32(block, (uint32_t)aad_length);
    st32(block + 4, (uint32_t)((uint64_t)aad_length >> 32));
    st32(block + 8, (uint32_t)length);
    st32(block + 12, (uint32_t)((uint64_t)length >> 32));
    poly_blocks(p, block, 1);
    poly_finish(p, tag);
}

void wn_chachapoly_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output)
{
    uint32_t s[16];
    poly p;
    start(s, &p, key, nonce, aad, aad_length);
    crypt(s, &p, input, output, length, true);
    lengths(&p, aad_length, length, output + length);
    wn_platform_wipe(s, sizeof s);
    wn_platform_wipe(&p, sizeof p);
}

bool wn_chachapoly_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *aad, size_t aad_length,
                        const uint8_t *input, size_t length, uint8_t *output)
{
    uint32_t s[16];
    poly p;
    uint8_t expected[16], tag[16];
    memcpy(tag, input + length, 16); /* the output may overwrite it */
    start(s, &p, key, nonce, aad, aad_length);
    crypt(s, &p, input, output, length, false);
    lengths(&p, aad_length, length, expected);
    uint8_t diff = 0;
    for (int i = 0; i < 16; i++)
        diff |= (uint8_t)(expected[i] ^ tag[i]);
    wn_platform_wipe(s, sizeof s);
    wn_platform_wipe(&p, sizeof p);
    wn_platform_wipe(expected, sizeof expected);
    if (diff != 0) {
        wn_platform_wipe(output, length);
        return false;
    }
    return true;
}

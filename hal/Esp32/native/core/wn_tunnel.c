/* WireGuard transport data for one keypair (wn_tunnel.h). */
#include "wn_tunnel.h"
#include "wn_checksum.h"
#include "wn_crypto.h"
#include "wn_platform.h"

#include <string.h>

/* ------------------------------------------------------------------ replay window (RFC 6479) */

bool wn_replay_may_accept(const wn_replay *r, uint64_t counter)
{
    if (counter >= WN_REJECT_AFTER_MESSAGES)
        return false;
    if (!r->any || counter > r->greatest)
        return true;
    if (r->greatest - counter > (uint64_t)(r->words - 1) * 64)
        return false;
    uint32_t word = (uint32_t)(counter >> 6) & (r->words - 1);
    return (r->bitmap[word] & (1ULL << (counter & 63))) == 0;
}

bool wn_replay_accept(wn_replay *r, uint64_t counter)
{
    uint64_t mask = r->words - 1;
    if (counter >= WN_REJECT_AFTER_MESSAGES)
        return false;
    if (!r->any || counter > r->greatest) {
        uint64_t new_word = counter >> 6;
        if (r->any) {
            uint64_t old_word = r->greatest >> 6;
            uint64_t advance = new_word - old_word;
            if (advance > r->words)
                advance = r->words;
            for (uint64_t i = 1; i <= advance; i++)
                r->bitmap[(old_word + i) & mask] = 0;
        } else {
            memset(r->bitmap, 0, sizeof r->bitmap);
        }
        r->greatest = counter;
        r->any = true;
    } else if (r->greatest - counter > (uint64_t)(r->words - 1) * 64) {
        return false;
    }
    uint64_t bit = 1ULL << (counter & 63);
    uint64_t *w = &r->bitmap[(counter >> 6) & mask];
    if (*w & bit)
        return false;
    *w |= bit;
    return true;
}

/* ------------------------------------------------------------------ keypair state */

void wn_keypair_clear(wn_keypair *kp)
{
    wn_platform_wipe(kp, sizeof *kp);
}

bool wn_keypair_load(wn_keypair *kp, const uint8_t *blob, size_t length, int64_t now)
{
    wn_keypair_clear(kp);
    if (blob == NULL || length < WN_KEYPAIR_FIXED || blob[0] != WN_KEYPAIR_VERSION)
        return false;
    uint32_t words = (uint32_t)blob[2] | ((uint32_t)blob[3] << 8);
    if (words < 2 || words > WN_REPLAY_MAX_WORDS || (words & (words - 1)) != 0 || length != WN_KEYPAIR_FIXED + (size_t)words * 8)
        return false;
    int64_t lifetime = (int64_t)wn_rd64le(blob + 32);
    if (lifetime <= 0)
        return false;
    kp->local_index = wn_rd32le(blob + 4);
    kp->remote_index = wn_rd32le(blob + 8);
    kp->client_id = wn_rd32le(blob + 12) & 0xFFFFFF;
    kp->send_counter = wn_rd64le(blob + 16);
    kp->send_limit = wn_rd64le(blob + 24);
    if (kp->send_limit > WN_REJECT_AFTER_MESSAGES)
        kp->send_limit = WN_REJECT_AFTER_MESSAGES;
    kp->expires = now + lifetime;
    kp->max_packet = wn_rd32le(blob + 40);
    memcpy(kp->send_key, blob + 48, 32);
    memcpy(kp->receive_key, blob + 80, 32);
    kp->replay.words = words;
    kp->replay.greatest = wn_rd64le(blob + 112);
    kp->replay.any = blob[120] != 0;
    for (uint32_t i = 0; i < words; i++)
        kp->replay.bitmap[i] = wn_rd64le(blob + WN_KEYPAIR_FIXED + 8 * i);
    kp->valid = true;
    return true;
}

size_t wn_keypair_save(const wn_keypair *kp, uint8_t *blob, size_t capacity, int64_t now)
{
    uint32_t words = kp->valid ? kp->replay.words : 2;
    size_t length = WN_KEYPAIR_FIXED + (size_t)words * 8;
    if (blob == NULL || capacity < length)
        return 0;
    memset(blob, 0, length);
    blob[0] = WN_KEYPAIR_VERSION;
    blob[2] = (uint8_t)words;
    blob[3] = (uint8_t)(words >> 8);
    if (!kp->valid)
        return length;
    wn_wr32le(blob + 4, kp->local_index);
    wn_wr32le(blob + 8, kp->remote_index);
    wn_wr32le(blob + 12, kp->client_id);
    wn_wr64le(blob + 16, kp->send_counter);
    wn_wr64le(blob + 24, kp->send_limit);
    wn_wr64le(blob + 32, (uint64_t)(kp->expires - now));
    wn_wr32le(blob + 40, kp->max_packet);
    wn_wr64le(blob + 112, kp->replay.greatest);
    blob[120] = kp->replay.any ? 1 : 0;
    for (uint32_t i = 0; i < words; i++)
        wn_wr64le(blob + WN_KEYPAIR_FIXED + 8 * i, kp->replay.bitmap[i]);
    return length;
}

/* ------------------------------------------------------------------ data messages */

size_t wn_tunnel_seal(wn_keypair *kp, uint8_t *out, size_t length, size_t out_capacity, int64_t now)
{
    if (!kp->valid || now >= kp->expires || kp->send_counter >= kp->send_limit || length > kp->max_packet)
        return 0;
    size_t padded = (length + 15) & ~(size_t)15;
    size_t total = WN_DATA_HEADER + padded + WN_AEAD_TAG;
    if (total > out_capacity)
        return 0;
    memset(out + WN_DATA_HEADER + length, 0, padded - length);
    uint64_t counter = kp->send_counter++;
    wn_wr32le(out, 4);
    wn_wr32le(out + 4, kp->remote_index);
    wn_wr64le(out + 8, counter);
    if (!wn_aead_seal(kp->send_key, counter, NULL, 0, out + WN_DATA_HEADER, padded, out + WN_DATA_HEADER))
        return 0;
    out[1] = (uint8_t)(kp->client_id >> 16);
    out[2] = (uint8_t)(kp->client_id >> 8);
    out[3] = (uint8_t)kp->client_id;
    return total;
}

/* The IP packet's own length inside the padded plaintext, or -1 (Tunnel.InnerPacketLength). */
static long inner_length(const uint8_t *b, size_t plain)
{
    int version = b[0] >> 4;
    long len;
    if (version == 4 && plain >= 20)
        len = wn_rd16(b + 2);
    else if (version == 6 && plain >= 40)
        len = 40 + (long)wn_rd16(b + 4);
    else
        return -1;
    return len <= (long)plain && len >= (version == 4 ? 20 : 40) ? len : -1;
}

wn_open_result wn_tunnel_open(wn_keypair *kp, uint8_t *datagram, size_t length, uint8_t *out, size_t out_capacity,
                              size_t *inner, int64_t now)
{
    *inner = 0;
    if (length < 4)
        return WN_OPEN_NOT_OURS;
    datagram[1] = datagram[2] = datagram[3] = 0; /* Message.ClearReservedAndReadType */
    if (datagram[0] != 4 || length < WN_DATA_MIN || !kp->valid || now >= kp->expires || wn_rd32le(datagram + 4) != kp->local_index)
        return WN_OPEN_NOT_OURS;
    size_t plain = length - WN_DATA_MIN;
    if (plain > out_capacity)
        return WN_OPEN_NOT_OURS;
    uint64_t counter = wn_rd64le(datagram + 8);
    if (!wn_replay_may_accept(&kp->replay, counter))
        return WN_OPEN_REPLAYED;
    if (!wn_aead_open(kp->receive_key, counter, NULL, 0, datagram + WN_DATA_HEADER, plain + WN_AEAD_TAG, out))
        return WN_OPEN_BAD_TAG;
    if (!wn_replay_accept(&kp->replay, counter))
        return WN_OPEN_REPLAYED;
    if (plain == 0)
        return WN_OPEN_KEEPALIVE;
    long len = inner_length(out, plain);
    if (len < 0)
        return WN_OPEN_BAD_INNER;
    *inner = (size_t)len;
    return WN_OPEN_PACKET;
}

/* Warp.Native: crypto (Interop.AeadSeal, AeadOpen, X25519, X25519Base) over core/wn_crypto.h. */
#include "warp_native.h"
#include "core/wn_crypto.h"

void warp_aead_seal(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                    const uint8_t *input, int32_t length, uint8_t *output)
{
    if (length < 0 || aad_length < 0)
        return;
    wn_aead_seal(key, counter, aad, (size_t)aad_length, input, (size_t)length, output);
}

bool warp_aead_open(const uint8_t *key, uint64_t counter, const uint8_t *aad, int32_t aad_length,
                    const uint8_t *input, int32_t length, uint8_t *output)
{
    if (length < WN_AEAD_TAG || aad_length < 0)
        return false;
    return wn_aead_open(key, counter, aad, (size_t)aad_length, input, (size_t)length, output);
}

bool warp_x25519(uint8_t *shared, const uint8_t *scalar, const uint8_t *point)
{
    return wn_x25519(shared, scalar, point);
}

void warp_x25519_base(uint8_t *public_key, const uint8_t *scalar)
{
    wn_x25519_base(public_key, scalar);
}

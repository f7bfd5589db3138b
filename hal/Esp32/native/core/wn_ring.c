/* The frame ring (wn_ring.h). */
#include "wn_ring.h"

#include <string.h>

bool wn_ring_init(wn_ring *ring, uint8_t *storage, uint16_t *lengths, uint32_t slots, uint32_t slot_size)
{
    if (ring == NULL || storage == NULL || lengths == NULL || slots < 2 || (slots & (slots - 1)) != 0 || slot_size == 0 || slot_size > 0xFFFF)
        return false;
    ring->storage = storage;
    ring->lengths = lengths;
    ring->slots = slots;
    ring->slot_size = slot_size;
    atomic_store_explicit(&ring->head, 0, memory_order_relaxed);
    atomic_store_explicit(&ring->tail, 0, memory_order_relaxed);
    atomic_store_explicit(&ring->overflows, 0, memory_order_relaxed);
    atomic_store_explicit(&ring->oversized, 0, memory_order_relaxed);
    return true;
}

bool wn_ring_push(wn_ring *ring, const uint8_t *frame, size_t length)
{
    if (length > ring->slot_size) {
        atomic_fetch_add_explicit(&ring->oversized, 1, memory_order_relaxed);
        return false;
    }
    uint32_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
    uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);
    if (head - tail >= ring->slots) {
        atomic_fetch_add_explicit(&ring->overflows, 1, memory_order_relaxed);
        return false;
    }
    uint32_t slot = head & (ring->slots - 1);
    memcpy(ring->storage + (size_t)slot * ring->slot_size, frame, length);
    ring->lengths[slot] = (uint16_t)length;
    atomic_store_explicit(&ring->head, head + 1, memory_order_release);
    return true;
}

size_t wn_ring_pop(wn_ring *ring, uint8_t *buf, size_t capacity)
{
    uint32_t tail = atomic_load_explicit(&ring->tail, memory_order_relaxed);
    uint32_t head = atomic_load_explicit(&ring->head, memory_order_acquire);
    if (head == tail)
        return 0;
    uint32_t slot = tail & (ring->slots - 1);
    size_t length = ring->lengths[slot];
    memcpy(buf, ring->storage + (size_t)slot * ring->slot_size, length < capacity ? length : capacity);
    atomic_store_explicit(&ring->tail, tail + 1, memory_order_release);
    return length;
}

uint32_t wn_ring_count(wn_ring *ring)
{
    return atomic_load_explicit(&ring->head, memory_order_acquire) - atomic_load_explicit(&ring->tail, memory_order_relaxed);
}

//
// Warp.Native interop glue: the stubs. Each unpacks its arguments from the CLR stack frame the way
// the MetadataProcessor's generated marshalling does (Interop_Marshal_*, SetResult_*), checks every
// (array, offset, count) against the array's length (a bad range is a programming error:
// IndexOutOfRangeException), and calls the C function of ../warp_native.h. Nothing here allocates
// or blocks. ESP-IDF build only; it cannot be compiled on the CI machine (no nanoCLR headers).
//

#include "Warp_Native.h"

extern "C"
{
#include "../warp_native.h"
    void warp_native_post_lan_event(void);
}

// Interop.EventDriver / EventLanFrame: the managed side listens for custom events with data1 = 1.
extern "C" void warp_native_post_lan_event(void)
{
    PostManagedEvent(EVENT_CUSTOM, 0, 1 /* Interop.EventLanFrame */, 0);
}

namespace
{
// An array argument (null allowed when need is 0) and its offset: a pointer to that element, with
// at least need elements after it.
HRESULT ByteRange(CLR_RT_StackFrame &stack, int arg, int32_t offset, int32_t need, uint8_t *&p)
{
    p = nullptr;
    if (stack.ArgN(arg).DereferenceArray() == nullptr)
        return need == 0 ? S_OK : CLR_E_NULL_REFERENCE;
    CLR_RT_TypedArray_UINT8 a;
    HRESULT hr = Interop_Marshal_UINT8_ARRAY(stack, arg, a);
    if (FAILED(hr))
        return hr;
    if (offset < 0 || need < 0 || (uint32_t)offset + (uint32_t)need > a.GetSize())
        return CLR_E_INDEX_OUT_OF_RANGE;
    p = a.GetBuffer() + offset;
    return S_OK;
}

HRESULT LongRange(CLR_RT_StackFrame &stack, int arg, int32_t offset, int32_t need, int64_t *&p)
{
    CLR_RT_TypedArray_INT64 a;
    HRESULT hr = Interop_Marshal_INT64_ARRAY(stack, arg, a);
    if (FAILED(hr))
        return hr;
    if (offset < 0 || need < 0 || (uint32_t)offset + (uint32_t)need > a.GetSize())
        return CLR_E_INDEX_OUT_OF_RANGE;
    p = (int64_t *)a.GetBuffer() + offset;
    return S_OK;
}

int32_t I4(CLR_RT_StackFrame &stack, int arg)
{
    return stack.ArgN(arg).NumericByRef().s4;
}
} // namespace

typedef Library_Warp_Native_Warp_Native_Interop Stubs;

// ---------------------------------------------------------------- LAN

HRESULT Stubs::LanStart___STATIC__BOOLEAN__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    stack.SetResult_Boolean(warp_lan_start(I4(stack, 0)));
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Stubs::LanReceive___STATIC__I4__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *p;
    int32_t count = I4(stack, 2);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), count, p));
    SetResult_INT32(stack, warp_lan_receive(p, count));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::LanSend___STATIC__BOOLEAN__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *p;
    int32_t count = I4(stack, 2);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), count, p));
    stack.SetResult_Boolean(warp_lan_send(p, count));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::LanMacAddress___STATIC__VOID__SZARRAY_U1__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *p;
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), 6, p));
    warp_lan_mac_address(p);
    NANOCLR_NOCLEANUP();
}

// ---------------------------------------------------------------- crypto

HRESULT Stubs::AeadSeal___STATIC__VOID__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *key, *aad, *input, *output;
    uint64_t counter = stack.ArgN(2).NumericByRef().u8;
    int32_t aadLength = I4(stack, 5), length = I4(stack, 8);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), 32, key));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 3, I4(stack, 4), aadLength, aad));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 6, I4(stack, 7), length, input));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 9, I4(stack, 10), length + 16, output));
    warp_aead_seal(key, counter, aad, aadLength, input, length, output);
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::AeadOpen___STATIC__BOOLEAN__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *key, *aad, *input, *output;
    uint64_t counter = stack.ArgN(2).NumericByRef().u8;
    int32_t aadLength = I4(stack, 5), length = I4(stack, 8);
    if (length < 16)
        NANOCLR_SET_AND_LEAVE(CLR_E_INVALID_PARAMETER);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), 32, key));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 3, I4(stack, 4), aadLength, aad));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 6, I4(stack, 7), length, input));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 9, I4(stack, 10), length - 16, output));
    stack.SetResult_Boolean(warp_aead_open(key, counter, aad, aadLength, input, length, output));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::X25519___STATIC__BOOLEAN__SZARRAY_U1__I4__SZARRAY_U1__I4__SZARRAY_U1__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *shared, *scalar, *point;
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), 32, shared));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 2, I4(stack, 3), 32, scalar));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 4, I4(stack, 5), 32, point));
    stack.SetResult_Boolean(warp_x25519(shared, scalar, point));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::X25519Base___STATIC__VOID__SZARRAY_U1__I4__SZARRAY_U1__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *publicKey, *scalar;
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), 32, publicKey));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 2, I4(stack, 3), 32, scalar));
    warp_x25519_base(publicKey, scalar);
    NANOCLR_NOCLEANUP();
}

// ---------------------------------------------------------------- system

HRESULT Stubs::RandomUInt32___STATIC__U4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    SetResult_UINT32(stack, warp_random_u32());
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Stubs::RandomFill___STATIC__VOID__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *p;
    int32_t count = I4(stack, 2);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), count, p));
    warp_random_fill(p, count);
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::WatchdogStart___STATIC__BOOLEAN__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    stack.SetResult_Boolean(warp_watchdog_start(I4(stack, 0)));
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Stubs::WatchdogFeed___STATIC__VOID(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    (void)stack;
    warp_watchdog_feed();
    NANOCLR_NOCLEANUP_NOLABEL();
}

// ---------------------------------------------------------------- fast path

HRESULT Stubs::FastPathStart___STATIC__BOOLEAN__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    stack.SetResult_Boolean(warp_fastpath_start(I4(stack, 0)));
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Stubs::FastPathAddFlow___STATIC__I4__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *p;
    int32_t length = I4(stack, 2);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), length, p));
    SetResult_INT32(stack, warp_fastpath_add_flow(p, length));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::FastPathRemoveFlow___STATIC__VOID__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    warp_fastpath_remove_flow(I4(stack, 0));
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Stubs::FastPathFlowActivity___STATIC__BOOLEAN__I4__SZARRAY_I8__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int64_t *activity;
    NANOCLR_CHECK_HRESULT(LongRange(stack, 1, I4(stack, 2), 4, activity));
    stack.SetResult_Boolean(warp_fastpath_flow_activity(I4(stack, 0), activity));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::FastPathSetKeypair___STATIC__BOOLEAN__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *p;
    int32_t length = I4(stack, 2);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), length, p));
    stack.SetResult_Boolean(warp_fastpath_set_keypair(p, length));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::FastPathGetKeypair___STATIC__I4__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *p;
    int32_t length = I4(stack, 2);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), length, p));
    SetResult_INT32(stack, warp_fastpath_get_keypair(p, length));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::FastPathTakeSendCounter___STATIC__U8(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    SetResult_UINT64(stack, warp_fastpath_take_send_counter());
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Stubs::FastPathFromUplink___STATIC__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *datagram, *output;
    int32_t length = I4(stack, 2), count = I4(stack, 5);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), length, datagram));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 3, I4(stack, 4), count, output));
    SetResult_INT32(stack, warp_fastpath_from_uplink(datagram, length, output, count));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::FastPathFromLan___STATIC__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    uint8_t *frame, *output;
    int32_t length = I4(stack, 2), count = I4(stack, 5);
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 0, I4(stack, 1), length, frame));
    NANOCLR_CHECK_HRESULT(ByteRange(stack, 3, I4(stack, 4), count, output));
    SetResult_INT32(stack, warp_fastpath_from_lan(frame, length, output, count));
    NANOCLR_NOCLEANUP();
}

HRESULT Stubs::FastPathFlush___STATIC__VOID(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    (void)stack;
    warp_fastpath_flush();
    NANOCLR_NOCLEANUP_NOLABEL();
}

HRESULT Stubs::FastPathCounters___STATIC__I4__SZARRAY_I8__I4__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    int64_t *counters;
    int32_t count = I4(stack, 2);
    NANOCLR_CHECK_HRESULT(LongRange(stack, 0, I4(stack, 1), count, counters));
    SetResult_INT32(stack, warp_fastpath_counters(counters, count));
    NANOCLR_NOCLEANUP();
}

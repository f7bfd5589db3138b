//
// The interop stubs (interop/Warp_Native_Warp_Native_Interop.cpp) and the assembly record
// (interop/Warp_Native.cpp), compiled by the host C++ compiler against the compile-time contract in
// tests/nanoclr_contract/ (nanoCLR's declarations of exactly what they use) and called here on a fake
// stack frame, over the real portable C (crypto, fast path) and a fake of the ESP-IDF-only functions.
// What it checks is the stubs' marshalling: each argument read from its slot, an array and its offset
// become the pointer to that element, every (array, offset, count) checked against the array
// (CLR_E_INDEX_OUT_OF_RANGE, CLR_E_NULL_REFERENCE; nothing called then), the 64-bit counter read from
// its two words, results set with their type; the lookup table has one stub per Interop method in
// interop.json's order, and the assembly record carries its name, checksum and version.
//
#include "../interop/Warp_Native.h"

extern "C"
{
#include "../core/wn_crypto.h"
#include "../warp_native.h"
}

#include <cstdio>
#include <cstring>

static int failures;
#define CHECK(c) do { if (!(c)) { failures++; std::printf("FAIL line %d: %s\n", __LINE__, #c); } } while (0)

// ---------------------------------------------------------------- the fake runtime

struct FakeArray
{
    bool present;
    void *data;
    unsigned int count;
};

static CLR_RT_HeapBlock args[12];
static FakeArray arrays[12];
static enum { NONE, BOOLEAN, I32, U32, U64 } result_type;
static long long result;

CLR_RT_HeapBlock &CLR_RT_StackFrame::ArgN(CLR_INT32 n) const { return args[n]; }
void CLR_RT_StackFrame::SetResult_Boolean(bool val) { result_type = BOOLEAN; result = val; }
CLR_RT_HeapBlock::CLR_RT_HeapBlock_AtomicData::Numeric &CLR_RT_HeapBlock::NumericByRef() { return m_data.numeric; }
CLR_RT_HeapBlock_Array *CLR_RT_HeapBlock::DereferenceArray() const
{
    const FakeArray &a = arrays[this - args];
    return a.present ? (CLR_RT_HeapBlock_Array *)&a : nullptr;
}
HRESULT Interop_Marshal_UINT8_ARRAY(const CLR_RT_StackFrame &, unsigned int paramIndex, CLR_RT_TypedArray_UINT8 &typedArray)
{
    if (!arrays[paramIndex].present)
        return CLR_E_NULL_REFERENCE;
    typedArray.m_pData = (unsigned char *)arrays[paramIndex].data;
    typedArray.m_ElemCount = arrays[paramIndex].count;
    return S_OK;
}
HRESULT Interop_Marshal_INT64_ARRAY(const CLR_RT_StackFrame &, unsigned int paramIndex, CLR_RT_TypedArray_INT64 &typedArray)
{
    if (!arrays[paramIndex].present)
        return CLR_E_NULL_REFERENCE;
    typedArray.m_pData = (signed long long *)arrays[paramIndex].data;
    typedArray.m_ElemCount = arrays[paramIndex].count;
    return S_OK;
}
void SetResult_INT32(CLR_RT_StackFrame &, signed int value) { result_type = I32; result = value; }
void SetResult_UINT32(CLR_RT_StackFrame &, unsigned int value) { result_type = U32; result = value; }
void SetResult_UINT64(CLR_RT_StackFrame &, unsigned long long value) { result_type = U64; result = (long long)value; }
static int events;
extern "C" void PostManagedEvent(uint8_t category, uint8_t, uint16_t data1, uint32_t)
{
    if (category == EVENT_CUSTOM && data1 == 1)
        events++;
}

// ---------------------------------------------------------------- fakes of the ESP-IDF-only C (warp_native_lan.c, _system.c)

static const uint8_t *lan_pointer;
static int32_t lan_count, lan_calls;
extern "C" bool warp_lan_start(int32_t ring_frames) { return ring_frames == 8; }
extern "C" int32_t warp_lan_receive(uint8_t *buffer, int32_t count) { lan_pointer = buffer; lan_count = count; lan_calls++; return 7; }
extern "C" bool warp_lan_send(const uint8_t *frame, int32_t count) { lan_pointer = frame; lan_count = count; lan_calls++; return true; }
extern "C" void warp_lan_mac_address(uint8_t *mac) { std::memset(mac, 0xAB, 6); }
extern "C" uint32_t warp_random_u32(void) { return 0xC0FFEE01u; }
extern "C" void warp_random_fill(uint8_t *buffer, int32_t count) { std::memset(buffer, 0x77, (size_t)count); }
extern "C" bool warp_watchdog_start(int32_t timeout_ms) { return timeout_ms > 0; }
extern "C" void warp_watchdog_feed(void) {}

// ---------------------------------------------------------------- helpers

static void reset()
{
    std::memset(args, 0, sizeof args);
    std::memset(arrays, 0, sizeof arrays);
    result_type = NONE;
    result = 0;
    lan_calls = 0;
}
static void i4(int slot, int32_t v) { args[slot].NumericByRef().s4 = v; }
static void u8(int slot, uint64_t v)
{
    args[slot].NumericByRef().u8.LL = (CLR_UINT32)v;
    args[slot].NumericByRef().u8.HH = (CLR_UINT32)(v >> 32);
}
static void bytes(int slot, void *data, unsigned int count) { arrays[slot] = FakeArray{ true, data, count }; }

typedef Library_Warp_Native_Warp_Native_Interop Stubs;

int main()
{
    CLR_RT_StackFrame stack;

    // The assembly record and the lookup table (interop.json: Warp.Native, 0x29A55123, 1.1.0.0, 23 methods).
    CHECK(std::strcmp(g_CLR_AssemblyNative_Warp_Native.m_szAssemblyName, "Warp.Native") == 0);
    CHECK(g_CLR_AssemblyNative_Warp_Native.m_checkSum == 0x29A55123u);
    CHECK(g_CLR_AssemblyNative_Warp_Native.m_Version.iMajorVersion == 1 && g_CLR_AssemblyNative_Warp_Native.m_Version.iMinorVersion == 1);
    const CLR_RT_MethodHandler *table = (const CLR_RT_MethodHandler *)g_CLR_AssemblyNative_Warp_Native.m_pNativeMethods;
    CHECK(table[0] == &Stubs::LanStart___STATIC__BOOLEAN__I4);
    CHECK(table[22] == &Stubs::FastPathCounters___STATIC__I4__SZARRAY_I8__I4__I4);

    // LanReceive(buffer, offset, count): the pointer at the offset, the range checked.
    uint8_t buf[100];
    reset();
    bytes(0, buf, sizeof buf); i4(1, 10); i4(2, 90);
    CHECK(Stubs::LanReceive___STATIC__I4__SZARRAY_U1__I4__I4(stack) == S_OK);
    CHECK(lan_calls == 1 && lan_pointer == buf + 10 && lan_count == 90 && result_type == I32 && result == 7);
    reset();
    bytes(0, buf, sizeof buf); i4(1, 10); i4(2, 91);
    CHECK(Stubs::LanReceive___STATIC__I4__SZARRAY_U1__I4__I4(stack) == CLR_E_INDEX_OUT_OF_RANGE && lan_calls == 0);
    reset();
    bytes(0, buf, sizeof buf); i4(1, -1); i4(2, 1);
    CHECK(Stubs::LanReceive___STATIC__I4__SZARRAY_U1__I4__I4(stack) == CLR_E_INDEX_OUT_OF_RANGE && lan_calls == 0);
    reset();
    i4(1, 0); i4(2, 4); // no array
    CHECK(Stubs::LanSend___STATIC__BOOLEAN__SZARRAY_U1__I4__I4(stack) == CLR_E_NULL_REFERENCE && lan_calls == 0);
    reset();
    bytes(0, buf, sizeof buf); i4(1, 0); i4(2, 60);
    CHECK(Stubs::LanSend___STATIC__BOOLEAN__SZARRAY_U1__I4__I4(stack) == S_OK && lan_pointer == buf && result_type == BOOLEAN && result == 1);
    reset();
    i4(0, 8);
    CHECK(Stubs::LanStart___STATIC__BOOLEAN__I4(stack) == S_OK && result == 1);
    reset();
    bytes(0, buf, sizeof buf); i4(1, 95); // 95 + 6 > 100
    CHECK(Stubs::LanMacAddress___STATIC__VOID__SZARRAY_U1__I4(stack) == CLR_E_INDEX_OUT_OF_RANGE);
    reset();
    bytes(0, buf, sizeof buf); i4(1, 93);
    std::memset(buf, 0, sizeof buf);
    CHECK(Stubs::LanMacAddress___STATIC__VOID__SZARRAY_U1__I4(stack) == S_OK && buf[93] == 0xAB && buf[98] == 0xAB && buf[99] == 0);

    // AeadSeal(key, o, counter, aad, o, n, input, o, n, output, o): the same bytes as the C call; the counter from its two words.
    uint8_t key[40], aad[20], in[200], out[266], direct[266];
    for (int i = 0; i < 40; i++) key[i] = (uint8_t)(i * 7);
    for (int i = 0; i < 20; i++) aad[i] = (uint8_t)i;
    for (int i = 0; i < 200; i++) in[i] = (uint8_t)(i ^ 0x5A);
    const uint64_t counter = 0x0123456789ABCDEFull;
    reset();
    bytes(0, key, sizeof key); i4(1, 8); u8(2, counter); bytes(3, aad, sizeof aad); i4(4, 4); i4(5, 16);
    bytes(6, in, sizeof in); i4(7, 50); i4(8, 150); bytes(9, out, sizeof out); i4(10, 100);
    CHECK(Stubs::AeadSeal___STATIC__VOID__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4(stack) == S_OK);
    CHECK(wn_aead_seal(key + 8, counter, aad + 4, 16, in + 50, 150, direct));
    CHECK(std::memcmp(out + 100, direct, 166) == 0);
    i4(10, 101); // 101 + 150 + 16 > 266
    CHECK(Stubs::AeadSeal___STATIC__VOID__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4(stack) == CLR_E_INDEX_OUT_OF_RANGE);
    // AeadOpen of it, then with a flipped bit; a length under the tag is refused before anything is read.
    uint8_t opened[200];
    reset();
    bytes(0, key, sizeof key); i4(1, 8); u8(2, counter); bytes(3, aad, sizeof aad); i4(4, 4); i4(5, 16);
    bytes(6, direct, sizeof direct); i4(7, 0); i4(8, 166); bytes(9, opened, sizeof opened); i4(10, 0);
    CHECK(Stubs::AeadOpen___STATIC__BOOLEAN__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4(stack) == S_OK);
    CHECK(result_type == BOOLEAN && result == 1 && std::memcmp(opened, in + 50, 150) == 0);
    direct[3] ^= 1;
    CHECK(Stubs::AeadOpen___STATIC__BOOLEAN__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4(stack) == S_OK && result == 0);
    i4(8, 15);
    CHECK(Stubs::AeadOpen___STATIC__BOOLEAN__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4(stack) == CLR_E_INVALID_PARAMETER);

    // The system and fast-path stubs: results typed; the fast path started through its stub carries its counters out.
    reset();
    CHECK(Stubs::RandomUInt32___STATIC__U4(stack) == S_OK && result_type == U32 && (uint32_t)result == 0xC0FFEE01u);
    reset();
    i4(0, 16);
    CHECK(Stubs::FastPathStart___STATIC__BOOLEAN__I4(stack) == S_OK && result == 1);
    reset();
    CHECK(Stubs::FastPathTakeSendCounter___STATIC__U8(stack) == S_OK && result_type == U64 && (uint64_t)result == UINT64_MAX);
    long long counters[20];
    reset();
    bytes(0, counters, 20); i4(1, 2); i4(2, 18);
    CHECK(Stubs::FastPathCounters___STATIC__I4__SZARRAY_I8__I4__I4(stack) == S_OK && result_type == I32 && result == 12);
    i4(2, 19);
    CHECK(Stubs::FastPathCounters___STATIC__I4__SZARRAY_I8__I4__I4(stack) == CLR_E_INDEX_OUT_OF_RANGE);
    long long activity[4];
    reset();
    i4(0, 0); bytes(1, activity, 4); i4(2, 1);
    CHECK(Stubs::FastPathFlowActivity___STATIC__BOOLEAN__I4__SZARRAY_I8__I4(stack) == CLR_E_INDEX_OUT_OF_RANGE);
    i4(2, 0);
    CHECK(Stubs::FastPathFlowActivity___STATIC__BOOLEAN__I4__SZARRAY_I8__I4(stack) == S_OK && result == 0); // no flow in slot 0

    // The LAN event the glue posts for warp_native_lan.c.
    extern void warp_native_post_lan_event_for_test();
    warp_native_post_lan_event_for_test();
    CHECK(events == 1);

    std::printf(failures == 0 ? "interop glue: passed\n" : "interop glue: %d FAILED\n", failures);
    return failures != 0;
}

extern "C" void warp_native_post_lan_event(void);
void warp_native_post_lan_event_for_test() { warp_native_post_lan_event(); }

//
// COMPILE-TIME CONTRACT, NOT nanoFramework. Written for this project: it declares only what
// hal/Esp32/native/interop/ (the MetadataProcessor-shaped stubs) uses from nanoCLR, with the exact
// signatures, types and constants of nf-interpreter at a3e8139 (the stored snapshot; ESP32_IDF_TAG
// 5.5.4), checked against src/CLR/Include/nanoCLR_Interop.h (lines 47-148: the NANOCLR_* macros, NANOCLR_NATIVE_DECLARE, CLR_RT_MethodHandler; 150-162: CLR_RT_NativeAssemblyData; 226-339: CLR_RT_TypedArray and its typedefs; 353, 385: Interop_Marshal_UINT8_ARRAY, Interop_Marshal_INT64_ARRAY; 413-418: SetResult_*), src/CLR/Include/nf_errors_exceptions.h (HRESULT, FAILED, S_OK, MAKE_HRESULT, the CLR_E_ codes) and src/CLR/Include/nanoCLR_Types.h (CLR_* integer types, __int64, CLR_RECORD_VERSION). Inline members of the runtime are declared here without their bodies
// (the test fake defines them). It lets the host C++ compiler compile the stubs (tests/test_interop_glue.cpp,
// CTest interop_glue_contract); it is never part of the component (CTest idf_contract_not_shipped).
//
#ifndef WN_NANOCLR_CONTRACT_INTEROP_H
#define WN_NANOCLR_CONTRACT_INTEROP_H

#include <stddef.h>
#include <stdint.h>

// nanoCLR_Types.h
#define __int64 long long
typedef unsigned char CLR_UINT8;
typedef unsigned short CLR_UINT16;
typedef unsigned int CLR_UINT32;
typedef unsigned __int64 CLR_UINT64;
typedef signed char CLR_INT8;
typedef signed short CLR_INT16;
typedef signed int CLR_INT32;
typedef signed __int64 CLR_INT64;

struct CLR_RECORD_VERSION
{
    CLR_UINT16 iMajorVersion;
    CLR_UINT16 iMinorVersion;
    CLR_UINT16 iBuildNumber;
    CLR_UINT16 iRevisionNumber;
};

// nf_errors_exceptions.h
typedef int HRESULT;
#define SEVERITY_ERROR 1
#define MAKE_HRESULT(sev, fac, code) ((HRESULT)(((unsigned long)(sev) << 31) | ((unsigned long)(fac) << 16) | ((unsigned long)(code))))
#define FAILED(Status) ((HRESULT)(Status) < 0)
#define SUCCEEDED(Status) ((HRESULT)(Status) >= 0)
#define S_OK ((HRESULT)0x00000000L)
#define CLR_E_NULL_REFERENCE MAKE_HRESULT(SEVERITY_ERROR, 0x2100, 0x0000)
#define CLR_E_INDEX_OUT_OF_RANGE MAKE_HRESULT(SEVERITY_ERROR, 0x2900, 0x0000)
#define CLR_E_INVALID_PARAMETER MAKE_HRESULT(SEVERITY_ERROR, 0x7D00, 0x0000)

// nanoCLR_Interop.h
#define NANOCLR_LEAVE() goto nanoCLR_Cleanup
#define NANOCLR_RETURN() return hr
#define NANOCLR_HEADER() HRESULT hr
#define NANOCLR_CHECK_HRESULT(expr)                                                                                    \
    {                                                                                                                  \
        if (FAILED(hr = (expr)))                                                                                       \
            NANOCLR_LEAVE();                                                                                           \
    }
#define NANOCLR_SET_AND_LEAVE(expr)                                                                                    \
    {                                                                                                                  \
        hr = (expr);                                                                                                   \
        NANOCLR_LEAVE();                                                                                               \
    }
#define NANOCLR_CLEANUP()                                                                                              \
    hr = S_OK;                                                                                                         \
    nanoCLR_Cleanup:
#define NANOCLR_CLEANUP_END() NANOCLR_RETURN()
#define NANOCLR_NOCLEANUP()                                                                                            \
    NANOCLR_CLEANUP();                                                                                                 \
    NANOCLR_CLEANUP_END()
#define NANOCLR_NOCLEANUP_NOLABEL()                                                                                    \
    hr = S_OK;                                                                                                         \
    NANOCLR_RETURN()

struct CLR_RT_StackFrame;
struct CLR_RT_HeapBlock;

#define NANOCLR_NATIVE_DECLARE(mtd) static HRESULT mtd(CLR_RT_StackFrame &stack)

typedef HRESULT (*CLR_RT_MethodHandler)(CLR_RT_StackFrame &stack);

struct CLR_RT_NativeAssemblyData
{
    const char *m_szAssemblyName;
    unsigned int m_checkSum;
    const void *m_pNativeMethods;
    CLR_RECORD_VERSION m_Version;
};

template <class T> class CLR_RT_TypedArray
{
    T *m_pData;
    unsigned int m_ElemCount;
    friend HRESULT Interop_Marshal_UINT8_ARRAY(
        const CLR_RT_StackFrame &stackFrame,
        unsigned int paramIndex,
        CLR_RT_TypedArray<unsigned char> &typedArray);
    friend HRESULT Interop_Marshal_INT64_ARRAY(
        const CLR_RT_StackFrame &stackFrame,
        unsigned int paramIndex,
        CLR_RT_TypedArray<signed __int64> &typedArray);

  public:
    CLR_RT_TypedArray()
    {
        m_pData = NULL;
        m_ElemCount = 0;
    }
    unsigned int GetSize()
    {
        return m_ElemCount;
    }
    T *GetBuffer()
    {
        return m_pData;
    }
};
typedef CLR_RT_TypedArray<unsigned char> CLR_RT_TypedArray_UINT8;
typedef CLR_RT_TypedArray<signed __int64> CLR_RT_TypedArray_INT64;

HRESULT Interop_Marshal_UINT8_ARRAY(const CLR_RT_StackFrame &stackFrame, unsigned int paramIndex, CLR_RT_TypedArray_UINT8 &typedArray);
HRESULT Interop_Marshal_INT64_ARRAY(const CLR_RT_StackFrame &stackFrame, unsigned int paramIndex, CLR_RT_TypedArray_INT64 &typedArray);

void SetResult_INT32(CLR_RT_StackFrame &stackFrame, signed int value);
void SetResult_UINT32(CLR_RT_StackFrame &stackFrame, unsigned int value);
void SetResult_UINT64(CLR_RT_StackFrame &stackFrame, unsigned __int64 value);

#endif

//
// COMPILE-TIME CONTRACT, NOT nanoFramework. Written for this project: it declares only what
// hal/Esp32/native/interop/ (the MetadataProcessor-shaped stubs) uses from nanoCLR, with the exact
// signatures, types and constants of nf-interpreter at a3e8139 (the stored snapshot; ESP32_IDF_TAG
// 5.5.4), checked against src/CLR/Include/nanoCLR_Runtime.h (CLR_RT_StackFrame: ArgN line 2371, SetResult_Boolean line 2313), src/CLR/Include/nanoCLR_Runtime__HeapBlock.h (CLR_RT_HeapBlock_AtomicData::Numeric with u8 a struct of two words converting to CLR_UINT64, s4, lines 160-310; NumericByRef line 1113; DereferenceArray line 1223), src/PAL/Include/nanoPAL_Events.h (PostManagedEvent, line 48) and src/HAL/Include/nanoHAL_v2.h (EVENT_CUSTOM, line 104). Inline members of the runtime are declared here without their bodies
// (the test fake defines them). It lets the host C++ compiler compile the stubs (tests/test_interop_glue.cpp,
// CTest interop_glue_contract); it is never part of the component (CTest idf_contract_not_shipped).
//
#ifndef WN_NANOCLR_CONTRACT_RUNTIME_H
#define WN_NANOCLR_CONTRACT_RUNTIME_H

#include "nanoCLR_Interop.h"

struct CLR_RT_HeapBlock_Array;

struct CLR_RT_HeapBlock
{
    union CLR_RT_HeapBlock_AtomicData {
        union Numeric {
            CLR_UINT8 u1;
            CLR_UINT16 u2;
            CLR_UINT32 u4;
            struct U8
            {
                CLR_UINT32 LL;
                CLR_UINT32 HH;
                operator CLR_UINT64() const
                {
                    return ((CLR_UINT64)HH << 32 | (CLR_UINT64)LL);
                }
            } u8;
            CLR_INT8 s1;
            CLR_INT16 s2;
            CLR_INT32 s4;
            struct S8
            {
                CLR_UINT32 LL;
                CLR_UINT32 HH;
                operator CLR_INT64() const
                {
                    return (((CLR_UINT64)HH) << 32 | (CLR_UINT64)LL);
                }
            } s8;
        } numeric;
    };

    CLR_RT_HeapBlock_AtomicData m_data;

    CLR_RT_HeapBlock_AtomicData::Numeric &NumericByRef();
    CLR_RT_HeapBlock_Array *DereferenceArray() const;
};

struct CLR_RT_StackFrame
{
    CLR_RT_HeapBlock &ArgN(CLR_INT32 n) const;
    void SetResult_Boolean(bool val);
};

#define EVENT_CUSTOM 10

extern "C"
{
    void PostManagedEvent(uint8_t category, uint8_t subCategory, uint16_t data1, uint32_t data2);
}

#endif

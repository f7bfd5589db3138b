//
// COMPILE-TIME CONTRACT, NOT nanoFramework. Written for this project: it declares only what
// hal/Esp32/native/interop/ (the MetadataProcessor-shaped stubs) uses from nanoCLR, with the exact
// signatures, types and constants of nf-interpreter at a3e8139 (the stored snapshot; ESP32_IDF_TAG
// 5.5.4), checked against src/CLR/Include/nanoPackStruct.h (packing macros; the stubs use none). Inline members of the runtime are declared here without their bodies
// (the test fake defines them). It lets the host C++ compiler compile the stubs (tests/test_interop_glue.cpp,
// CTest interop_glue_contract); it is never part of the component (CTest idf_contract_not_shipped).
//
#ifndef WN_NANOCLR_CONTRACT_PACKSTRUCT_H
#define WN_NANOCLR_CONTRACT_PACKSTRUCT_H
#endif

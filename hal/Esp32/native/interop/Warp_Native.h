//
// Warp.Native interop glue, in the shape nanoFramework's MetadataProcessor generates for an interop
// assembly: the class of stubs (one per extern method of Warp.Native.Interop, named by the stub rule
// Name___STATIC__RETURN__ARGS) and the native assembly record. Generated from ../interop.json by
// gen_glue.py; tests/Native/InteropGlueTests keeps it in step with interop.json. ESP-IDF build only.
//

#ifndef WARP_NATIVE_INTEROP_H
#define WARP_NATIVE_INTEROP_H

#include <nanoCLR_Interop.h>
#include <nanoCLR_Runtime.h>
#include <nanoPackStruct.h>

struct Library_Warp_Native_Warp_Native_Interop
{
    NANOCLR_NATIVE_DECLARE(LanStart___STATIC__BOOLEAN__I4);
    NANOCLR_NATIVE_DECLARE(LanReceive___STATIC__I4__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(LanSend___STATIC__BOOLEAN__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(LanMacAddress___STATIC__VOID__SZARRAY_U1__I4);
    NANOCLR_NATIVE_DECLARE(AeadSeal___STATIC__VOID__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4);
    NANOCLR_NATIVE_DECLARE(AeadOpen___STATIC__BOOLEAN__SZARRAY_U1__I4__U8__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4);
    NANOCLR_NATIVE_DECLARE(X25519___STATIC__BOOLEAN__SZARRAY_U1__I4__SZARRAY_U1__I4__SZARRAY_U1__I4);
    NANOCLR_NATIVE_DECLARE(X25519Base___STATIC__VOID__SZARRAY_U1__I4__SZARRAY_U1__I4);
    NANOCLR_NATIVE_DECLARE(RandomUInt32___STATIC__U4);
    NANOCLR_NATIVE_DECLARE(RandomFill___STATIC__VOID__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(WatchdogStart___STATIC__BOOLEAN__I4);
    NANOCLR_NATIVE_DECLARE(WatchdogFeed___STATIC__VOID);
    NANOCLR_NATIVE_DECLARE(FastPathStart___STATIC__BOOLEAN__I4);
    NANOCLR_NATIVE_DECLARE(FastPathAddFlow___STATIC__I4__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(FastPathRemoveFlow___STATIC__VOID__I4);
    NANOCLR_NATIVE_DECLARE(FastPathFlowActivity___STATIC__BOOLEAN__I4__SZARRAY_I8__I4);
    NANOCLR_NATIVE_DECLARE(FastPathSetKeypair___STATIC__BOOLEAN__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(FastPathGetKeypair___STATIC__I4__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(FastPathTakeSendCounter___STATIC__U8);
    NANOCLR_NATIVE_DECLARE(FastPathFromUplink___STATIC__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(FastPathFromLan___STATIC__I4__SZARRAY_U1__I4__I4__SZARRAY_U1__I4__I4);
    NANOCLR_NATIVE_DECLARE(FastPathFlush___STATIC__VOID);
    NANOCLR_NATIVE_DECLARE(FastPathCounters___STATIC__I4__SZARRAY_I8__I4__I4);
};

extern const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_Warp_Native;

#endif

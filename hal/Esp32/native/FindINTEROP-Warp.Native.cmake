#
# The Warp.Native interop component, for nanoFramework's own firmware build (nf-interpreter).
# That build is not part of this project and nothing here runs it: a firmware maintainer copies
# this folder next to the generated stubs, puts this module on CMAKE_MODULE_PATH and sets
#   "NF_INTEROP_ASSEMBLIES": "Warp.Native"
# in the target's CMake preset (CMake/Modules/FindNF_NativeAssemblies.cmake then calls
# find_package(INTEROP-Warp.Native)). The image must then carry the identity in interop.json:
# assembly Warp.Native, native version 1.1.0.0, and the declaration checksum there.
#
# ESP-IDF components the sources use: mbedtls (ChaCha20-Poly1305, X25519), esp_wifi
# (esp_wifi_internal_reg_rxcb / esp_wifi_internal_tx on WIFI_IF_AP), esp_system (esp_random,
# esp_task_wdt). nanoFramework's ESP32 build links all three already; they are named here so the
# dependency is explicit. The target's sdkconfig must enable CONFIG_MBEDTLS_CHACHA20_C,
# CONFIG_MBEDTLS_POLY1305_C, CONFIG_MBEDTLS_CHACHAPOLY_C and CONFIG_MBEDTLS_ECP_DP_CURVE25519_ENABLED
# (core/wn_crypto_mbedtls.c stops the build with #error otherwise). The mbedTLS calls are the ones
# 2.28 (Debian 12, the host build) and 3.6 (ESP-IDF 5.4/5.5) share. Defining WN_PORTABLE_AEAD for the
# component puts the portable ChaCha20-Poly1305 (core/wn_chachapoly.c) behind the AEAD instead of
# mbedTLS's (README.md, "Speed": which is faster on the chip is not measured here).

set(Warp.Native_IDF_COMPONENTS mbedtls esp_wifi esp_system)

list(APPEND Warp.Native_INCLUDE_DIRS "${CMAKE_CURRENT_LIST_DIR}" "${CMAKE_CURRENT_LIST_DIR}/core" "${CMAKE_CURRENT_LIST_DIR}/interop")

# The interop glue (interop/: the method lookup table and assembly record, generated from interop.json
# by interop/gen_glue.py, and the stubs) is shipped here, in the shape the MetadataProcessor generates.
set(Warp.Native_SRCS
    warp_native_lan.c
    warp_native_crypto.c
    warp_native_system.c
    warp_native_fastpath.c
    core/wn_ring.c
    core/wn_crypto_mbedtls.c
    core/wn_chachapoly.c
    core/wn_tunnel.c
    core/wn_flow.c
    core/wn_nat.c
    core/wn_fastpath.c
    interop/Warp_Native.cpp
    interop/Warp_Native_Warp_Native_Interop.cpp
)

foreach(SRC_FILE ${Warp.Native_SRCS})
    set(Warp.Native_SRC_FILE SRC_FILE-NOTFOUND)
    find_file(Warp.Native_SRC_FILE ${SRC_FILE} PATHS "${CMAKE_CURRENT_LIST_DIR}" CMAKE_FIND_ROOT_PATH_BOTH)
    list(APPEND Warp.Native_SOURCES ${Warp.Native_SRC_FILE})
endforeach()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(INTEROP-Warp.Native DEFAULT_MSG Warp.Native_INCLUDE_DIRS Warp.Native_SOURCES)

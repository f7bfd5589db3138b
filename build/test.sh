#!/usr/bin/env bash
# The test command (README.md): installs what the tests need on a fresh machine, then builds
# everything and runs every test.
#   1. desktop build of the solution (warnings are errors);
#   2. device build: each device project compiled against nanoFramework's mscorlib alone,
#      then the IL check (tools/DeviceCheck) over the device assemblies;
#   3. the on-device unit tests (tests/Device) on .NET through tests/DeviceRunner; every xunit project;
#   4. the native fast path (build/native.sh): CMake build, CTest, libFuzzer 30 s;
#   5. each fuzz target (build/fuzz.sh) for 20 s, one test each;
#   6. the Pester tests of flash.ps1 (build/pester.sh installs PowerShell 7.6.9 and Pester 6.2.0);
#   the closing line reads "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/.ci-out"
rm -rf "$out"; mkdir -p "$out"
config=Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*"; echo "0 passed, 1 failed"; exit 1; }

step "prerequisites"
if ! command -v dotnet >/dev/null 2>&1; then
  fail "the .NET SDK (dotnet) is not on PATH; install .NET 10 SDK first"
fi
dotnet --version
# Debian packages the lab tests (tests/Lab) and fixture captures use (chromium: the setup page's browser test,
# driven by Microsoft.Playwright with ExecutablePath /usr/bin/chromium; Playwright downloads no browser). CI runs as root.
need=()
for pair in scapy:python3-scapy wireguard-go:wireguard-go wg:wireguard-tools ip:iproute2 tcpdump:tcpdump ping:iputils-ping python3:python3 dhclient:isc-dhcp-client sysctl:procps dig:dnsutils curl:curl dnsmasq:dnsmasq-base ethtool:ethtool iptables:iptables iperf3:iperf3 afl-fuzz:afl++ conntrack:conntrack busybox:busybox dhcpcd:dhcpcd-base socat:socat chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
# The native fast path (build/native.sh): CMake, gcc, clang with its sanitizer and libFuzzer runtimes, mbedTLS.
for pair in cmake:cmake gcc:gcc clang:clang; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
[ -f /usr/include/mbedtls/chachapoly.h ] || need+=(libmbedtls-dev)
dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null || fail "apt-get install ${need[*]}"
  else
    echo "not root: the lab tests that need ${need[*]} will be skipped"
  fi
fi

step "restore"
dotnet restore Warp.Firmware.sln --verbosity quiet || fail "restore"
for p in build/device/*/*.Device.csproj; do
  dotnet restore "$p" --verbosity quiet || fail "restore $p"
done

step "desktop build"
dotnet build Warp.Firmware.sln -c $config --no-restore --nologo -clp:ErrorsOnly || fail "desktop build"

step "device build (nanoFramework mscorlib only)"
device_dlls=()
for p in build/device/*/*.Device.csproj; do
  dotnet build "$p" -c $config --no-restore --nologo -clp:ErrorsOnly || fail "device build $p"
  name=$(sed -n 's:.*<AssemblyName>\(.*\)</AssemblyName>.*:\1:p' "$p")
  device_dlls+=("build/device/bin/$config/$name.dll")
done

step "IL check of the device assemblies"
# The nanoFramework packages' compile-time contracts (build/device/Contracts) may be referenced, never shipped.
contract_args=()
for c in build/device/bin/contracts/$config/*.dll; do
  [ -f "$c" ] && contract_args+=(--contract "$c")
done
dotnet tools/DeviceCheck/bin/$config/net10.0/DeviceCheck.dll "${contract_args[@]}" "${device_dlls[@]}" || fail "IL check"

# The on-device unit tests (tests/Device, NFUnitTest) run on .NET by reflection as nanoFramework's
# UnitTestLauncher runs them on a board; the self-check first proves a failing Assert fails the run
# and that the runner's TestFramework matches the contract. Their .trx joins the closing line.
step "on-device unit tests on .NET (tests/DeviceRunner)"
runner=tests/DeviceRunner/bin/$config/net10.0/Warp.DeviceRunner.dll
dotnet "$runner" --self-check build/device/bin/contracts/$config/nanoFramework.TestFramework.dll || fail "device test runner self-check"
device_rc=0
dotnet "$runner" --trx "$out/DeviceTests.trx" || device_rc=1

step "tests"
test_rc=0
for proj in $(dotnet sln Warp.Firmware.sln list | grep -E '^tests/.*\.csproj$'); do
  name=$(basename "$proj" .csproj)
  grep -q '<IsTestProject>true</IsTestProject>' "$proj" || continue
  dotnet test "$proj" -c $config --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$out" || test_rc=1
done

# The native fast path (hal/Esp32/native): CMake build with -Werror and sanitizers, CTest, and
# libFuzzer on the decapsulate-and-translate entry point for 30 s (build/native.sh). Its CTest tests
# and the fuzz run count in the closing line. (tests/Native, above, built the shared library itself.)
step "native fast path (CMake, CTest, libFuzzer 30 s)"
bash build/native.sh -s 30 -o "$out" | tee "$out/native.log"
native_summary=$(grep '^native: ' "$out/native.log" | tail -1)
native_passed=$(echo "$native_summary" | sed -n 's/^native: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1/p')
native_failed=$(echo "$native_summary" | sed -n 's/^native: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\2/p')
native_skipped=$(echo "$native_summary" | sed -n 's/^native: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\3/p')
[ -n "$native_passed" ] || { echo "build/native.sh ended without its summary"; native_passed=0; native_failed=1; native_skipped=0; }

# Coverage-guided fuzzing (build/fuzz.sh): every target for a short fixed time; a crash fails the
# run (its input and exception are printed). Each target counts as one test in the closing line.
step "coverage-guided fuzzing (SharpFuzz + afl-fuzz, 20 s per target)"
fuzz_clean=0; fuzz_crashed=0
if command -v afl-fuzz >/dev/null 2>&1; then
  bash build/fuzz.sh -s 20 -o "$out/fuzz" all | tee "$out/fuzz.log"
  summary=$(grep '^fuzz: ' "$out/fuzz.log" | tail -1)
  fuzz_clean=$(echo "$summary" | sed -n 's/^fuzz: \([0-9]*\) clean, \([0-9]*\) crashed.*/\1/p')
  fuzz_crashed=$(echo "$summary" | sed -n 's/^fuzz: \([0-9]*\) clean, \([0-9]*\) crashed.*/\2/p')
  [ -n "$fuzz_clean" ] || { echo "build/fuzz.sh ended without its summary"; fuzz_clean=0; fuzz_crashed=1; }
else
  echo "afl-fuzz is not installed (not root): fuzzing skipped"
fi

# flash.ps1's Pester tests: PowerShell as a dotnet tool and Pester from NuGet, installed by the script.
step "Pester (flash.ps1)"
bash build/pester.sh "$out" | tee "$out/pester.log"
pester_summary=$(grep '^pester: ' "$out/pester.log" | tail -1)
pester_passed=$(echo "$pester_summary" | sed -n 's/^pester: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1/p')
pester_failed=$(echo "$pester_summary" | sed -n 's/^pester: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\2/p')
pester_skipped=$(echo "$pester_summary" | sed -n 's/^pester: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\3/p')
[ -n "$pester_passed" ] || { echo "build/pester.sh ended without its summary"; pester_passed=0; pester_failed=1; pester_skipped=0; }

passed=0; failed=0; skipped=0
for trx in "$out"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(echo "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(echo "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  total=$(echo "$counters" | sed -n 's/.* total="\([0-9]*\)".*/\1/p')
  e=$(echo "$counters" | sed -n 's/.* executed="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${total:-0} - ${e:-0}))
done
passed=$((passed + fuzz_clean)); failed=$((failed + fuzz_crashed))
passed=$((passed + native_passed)); failed=$((failed + native_failed)); skipped=$((skipped + native_skipped))
passed=$((passed + pester_passed)); failed=$((failed + pester_failed)); skipped=$((skipped + pester_skipped))
if [ $test_rc -ne 0 ] || [ $device_rc -ne 0 ]; then [ $failed -eq 0 ] && failed=1; fi
if [ $passed -eq 0 ]; then echo "no test ran"; failed=$((failed + 1)); fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]

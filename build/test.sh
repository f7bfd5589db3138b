#!/usr/bin/env bash
# The test command (README.md): installs what the tests need on a fresh machine, then builds
# everything and runs every test.
#   1. desktop build of the solution (warnings are errors);
#   2. device build: each device project compiled against nanoFramework's mscorlib alone,
#      then the IL check (tools/DeviceCheck) over the device assemblies;
#   3. every xunit project;
#   4. each fuzz target (build/fuzz.sh) for 20 s, one test each; the closing line reads "N passed, N failed".
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
# Debian packages the lab tests (tests/Lab) and fixture captures use. CI runs as root.
need=()
for pair in scapy:python3-scapy wireguard-go:wireguard-go wg:wireguard-tools ip:iproute2 tcpdump:tcpdump ping:iputils-ping python3:python3 dhclient:isc-dhcp-client sysctl:procps dig:dnsutils curl:curl dnsmasq:dnsmasq-base ethtool:ethtool iptables:iptables iperf3:iperf3 afl-fuzz:afl++ conntrack:conntrack chromium:chromium; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
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

step "tests"
test_rc=0
for proj in $(dotnet sln Warp.Firmware.sln list | grep -E '^tests/.*\.csproj$'); do
  name=$(basename "$proj" .csproj)
  grep -q '<IsTestProject>true</IsTestProject>' "$proj" || continue
  dotnet test "$proj" -c $config --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$out" || test_rc=1
done

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
if [ $test_rc -ne 0 ] && [ $failed -eq 0 ]; then failed=1; fi
if [ $passed -eq 0 ]; then echo "no test ran"; failed=$((failed + 1)); fi
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]

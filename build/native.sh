#!/usr/bin/env bash
# The native fast path's host build and tests (README.md, "The native fast path"):
#   1. hal/Esp32/native with CMake and gcc, -Wall -Wextra -Werror, ASan + UBSan on the static library
#      and the C tests; the shared library tests/Native loads; CTest (RFC vectors through mbedTLS,
#      the ring under ThreadSanitizer, the flow table at the boards' sizes, the tunnel, the ESP-IDF
#      glue compiled against the compile-time contract tests/idf_contract and run on a fake driver,
#      the C++ interop stubs against tests/nanoclr_contract on a fake stack frame, the portable
#      ChaCha20-Poly1305 against RFC 8439 and mbedTLS, and the check that neither contract is in the
#      component's sources), JUnit in OUT/native-ctest.xml;
#   2. libFuzzer (clang, ASan + UBSan) on fuzz_decap for SECONDS, seeded from the pcaps; a crash fails
#      (its input is kept in OUT/fuzz-native/).
# The last line reads "native: N passed, N failed, N skipped" (the fuzz run counts as one test).
#   build/native.sh [-s SECONDS] [-o OUT]
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=30
out="$root/.ci-out"
while getopts "s:o:" opt; do
  case $opt in
    s) seconds=$OPTARG ;;
    o) out=$OPTARG ;;
    *) echo "usage: $0 [-s SECONDS] [-o OUT]"; exit 2 ;;
  esac
done
src="$root/hal/Esp32/native"
mkdir -p "$out"
passed=0; failed=0; skipped=0

echo "== native: CMake build (gcc, -Werror, ASan + UBSan) and CTest"
build="$src/build/ci"
if cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DWARP_NATIVE_SANITIZE=ON >"$out/native-cmake.log" 2>&1 \
   && cmake --build "$build" -j 1 >>"$out/native-cmake.log" 2>&1; then
  (cd "$build" && ctest --output-on-failure --output-junit "$out/native-ctest.xml") | tee "$out/native-ctest.log"
  suite=$(tr '\n\t' '  ' <"$out/native-ctest.xml" 2>/dev/null | grep -o '<testsuite [^>]*>' | head -1)
  t=$(echo "$suite" | sed -n 's/.* tests="\([0-9]*\)".*/\1/p')
  f=$(echo "$suite" | sed -n 's/.* failures="\([0-9]*\)".*/\1/p')
  s=$(echo "$suite" | sed -n 's/.* skipped="\([0-9]*\)".*/\1/p')
  d=$(echo "$suite" | sed -n 's/.* disabled="\([0-9]*\)".*/\1/p')
  if [ -z "$t" ]; then
    echo "CTest wrote no JUnit summary"; failed=$((failed + 1))
  else
    failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0} + ${d:-0}))
    passed=$((passed + t - ${f:-0} - ${s:-0} - ${d:-0}))
  fi
else
  tail -30 "$out/native-cmake.log"
  echo "the native build failed"; failed=$((failed + 1))
fi

echo "== native: libFuzzer on fuzz_decap for ${seconds} s (clang, ASan + UBSan)"
if command -v clang >/dev/null 2>&1; then
  fbuild="$src/build/fuzz"
  if CC=clang cmake -S "$src" -B "$fbuild" -DCMAKE_BUILD_TYPE=Debug -DWARP_NATIVE_FUZZER=ON >"$out/native-fuzz-build.log" 2>&1 \
     && cmake --build "$fbuild" --target fuzz_decap -j 1 >>"$out/native-fuzz-build.log" 2>&1; then
    corpus="$out/fuzz-native/corpus"; artifacts="$out/fuzz-native/"
    rm -rf "$out/fuzz-native"; mkdir -p "$corpus"
    python3 "$src/tests/fuzz_seeds.py" "$corpus" "$root"/tests/Warp.Protocol.Tests/Fixtures/*.pcap
    if "$fbuild/fuzz_decap" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$out/native-fuzz.log" 2>&1; then
      grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added)' "$out/native-fuzz.log"
      echo "fuzz_decap: clean"; passed=$((passed + 1))
    else
      tail -40 "$out/native-fuzz.log"
      echo "fuzz_decap: CRASHED (input in $artifacts)"; failed=$((failed + 1))
    fi
  else
    tail -30 "$out/native-fuzz-build.log"
    echo "the fuzz target did not build"; failed=$((failed + 1))
  fi
else
  echo "clang is not installed: libFuzzer run skipped"; skipped=$((skipped + 1))
fi
echo "native: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]

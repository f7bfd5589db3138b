#!/usr/bin/env bash
# Coverage-guided fuzzing (README.md, "Coverage-guided fuzzing"): SharpFuzz instruments the Warp
# assemblies, afl-fuzz (AFL++, Debian's afl++ package) runs a harness of tests/Fuzz on them.
#
#   bash build/fuzz.sh [-s SECONDS] [-o DIR] [-k] TARGET... | all
#
#   TARGET   tunnel | router | nat | config | dhcp (all: each in turn)
#   -s       how long each target runs (default 60)
#   -o       where the build, corpora and findings go (default .fuzz; DIR/TARGET/out is afl-fuzz's)
#   -k       keep DIR/TARGET/out and resume from its queue instead of starting from the seeds
#   -n       use DIR/bin as it is (already published and instrumented by an earlier run)
#
# Each target starts from seeds the harness writes (the pcap captures of the tests, the config
# samples, built exchanges). After the run it prints one line:
#   fuzz TARGET: SECONDS s, EXECS execs (N/s), corpus N, edges N (COVERAGE% of the map), crashes N, hangs N
# and for each crash the input (hex) and what it throws; last "fuzz: N clean, N crashed". The exit
# status is 1 when any target crashed (a hang, an input running over 5 s, is reported, not failed).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=60
out="$root/.fuzz"
keep=0
prepared=0
while getopts "s:o:kn" opt; do
  case $opt in
    s) seconds=$OPTARG ;;
    o) out=$OPTARG ;;
    k) keep=1 ;;
    n) prepared=1 ;;
    *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
all_targets=(tunnel router nat config dhcp)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && { sed -n '2,20p' "$0"; exit 2; }
[ "${targets[0]}" = all ] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  case " ${all_targets[*]} " in *" $t "*) ;; *) echo "unknown target $t (targets: ${all_targets[*]})"; exit 2 ;; esac
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v afl-fuzz >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing afl++ (Debian)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq afl++ >/dev/null || { echo "apt-get install afl++ failed"; exit 1; }
  else
    echo "afl-fuzz is not installed (apt-get install afl++)"; exit 1
  fi
fi

bin="$out/bin"
harness="$bin/Warp.Fuzz.dll"
if [ $prepared -eq 0 ]; then
  # The SharpFuzz command-line tool is pinned in .config/dotnet-tools.json.
  dotnet tool restore >/dev/null || { echo "dotnet tool restore failed"; exit 1; }
  rm -rf "$bin"
  mkdir -p "$out"
  dotnet publish tests/Fuzz/Warp.Fuzz.csproj -c Release -o "$bin" --nologo -v q -clp:ErrorsOnly >/dev/null \
    || { echo "publish of tests/Fuzz failed"; exit 1; }
  # Only the code under test is instrumented: the protocol library and the router core. The
  # harness, the test doubles and the framework are not (their edges would be noise).
  for dll in Warp.Protocol.dll Warp.Firmware.dll; do
    dotnet sharpfuzz "$bin/$dll" >/dev/null || { echo "sharpfuzz $dll failed"; exit 1; }
  done
fi
[ -f "$harness" ] || { echo "$harness missing (run without -n)"; exit 1; }

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_NO_CRASH_README=1 AFL_FORKSRV_INIT_TMOUT=60000

stat() { sed -n "s/^$1 *: *//p" "$2" | head -1; }

crashed=0
clean=0
failed_targets=()
for t in "${targets[@]}"; do
  dir="$out/$t"
  mkdir -p "$dir"
  if [ $keep -eq 1 ] && [ -d "$dir/out/default/queue" ]; then
    input=-   # resume
  else
    rm -rf "$dir/out" "$dir/seeds"
    dotnet "$harness" "$t" --seeds "$dir/seeds" >/dev/null || { echo "fuzz $t: the seeds fail (a finding already):"; \
      dotnet "$harness" "$t" --replay "$dir"/seeds/*; crashed=1; failed_targets+=("$t"); continue; }
    input="$dir/seeds"
  fi
  dict=()
  [ -f "tests/Fuzz/$t.dict" ] && dict=(-x "tests/Fuzz/$t.dict")
  # -t: a .NET run is slow only while the JIT warms up; a hang is reported apart from crashes.
  afl-fuzz -i "$input" -o "$dir/out" -V "$seconds" -t 5000 -m none "${dict[@]}" -- dotnet "$harness" "$t" >"$dir/afl.log" 2>&1
  rc=$?
  stats="$dir/out/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "fuzz $t: afl-fuzz did not start (exit $rc); the end of $dir/afl.log:"
    tail -30 "$dir/afl.log"
    crashed=1
    failed_targets+=("$t")
    continue
  fi
  execs=$(stat execs_done "$stats"); rate=$(stat execs_per_sec "$stats"); corpus=$(stat corpus_count "$stats")
  edges=$(stat edges_found "$stats"); cvg=$(stat bitmap_cvg "$stats"); crashes=$(stat saved_crashes "$stats")
  hangs=$(stat saved_hangs "$stats"); ran=$(stat run_time "$stats")
  echo "fuzz $t: ${ran:-?} s, $execs execs (${rate%.*}/s), corpus $corpus, edges $edges ($cvg of the map), crashes $crashes, hangs $hangs"
  if [ "${crashes:-0}" != 0 ]; then
    crashed=1
    failed_targets+=("$t")
    files=("$dir"/out/default/crashes/id:*)
    echo "fuzz $t: crashing inputs in $dir/out/default/crashes:"
    dotnet "$harness" "$t" --replay "${files[@]}"
  else
    clean=$((clean + 1))
  fi
done
echo "fuzz: $clean clean, ${#failed_targets[@]} crashed${failed_targets[*]:+ (${failed_targets[*]})}"
exit $crashed

#!/usr/bin/env bash
# Builds the libFuzzer targets with Debian's clang (tests/fuzz/CMakeLists.txt)
# and runs each one for SECONDS (default 20), on its committed seed corpus
# plus whatever earlier runs here found (build-fuzz/corpus, never committed).
# Prints each target's executions and a total; exits non-zero if any target
# crashed, leaked or tripped a sanitizer, naming the input that did it.
#
#   tests/fuzz/run.sh [SECONDS]          every target
#   FUZZ_TARGETS="jws inbound" tests/fuzz/run.sh 60
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-20}
targets=${FUZZ_TARGETS:-inbound jws webhook_event notification timesync}
build=build-fuzz

if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (Debian: apt-get install clang)" >&2
  exit 1
fi
cmake -S tests/fuzz -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None >/dev/null || exit 1
cmake --build "$build" -j2 >/dev/null || { echo "fuzz: build failed (cmake --build $build)" >&2; exit 1; }

total=0 failed=()
for name in $targets; do
  corpus="$build/corpus/$name" artifacts="$build/crashes/$name/"
  mkdir -p "$corpus" "$artifacts"
  log="$build/$name.log"
  # -rss_limit_mb and -timeout: a pathological input is a finding too.
  "$build/${name}_fuzz" "$corpus" "tests/fuzz/corpus/$name" -dict=tests/fuzz/json.dict \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1
  status=$?
  runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' || echo 0)
  total=$((total + runs))
  if [ $status -eq 0 ]; then
    echo "fuzz: $name: $runs executions in ${seconds} s, no crash"
  else
    failed+=("$name")
    echo "fuzz: $name: FAILED after $runs executions (exit $status); input in $artifacts" >&2
    grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -5 >&2
  fi
done
echo "fuzz: $total executions in total"
# In the words scripts/run-tests.sh counts: one test per target.
count=$(wc -w <<<"$targets")
if [ ${#failed[@]} -eq 0 ]; then
  echo "All $count tests passed"
else
  echo "${#failed[@]} of $count tests failed: ${failed[*]}"
  exit 1
fi

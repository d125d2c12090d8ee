#!/usr/bin/env bash
# Runs every test suite against a throwaway PostgreSQL 15 cluster:
#   unit        GoogleTest, the pure C++ core      (ctest)
#   regress     pg_regress, sql/ + expected/        (make installcheck)
#   isolation   isolation tester, tests/isolation/  (make installcheck)
#   portable    tests/portable/run.sh: the same regress files and isolation
#               specs against portable/session_clock.sql installed by a
#               non-superuser owner, its own tests, and the two editions'
#               catalogs compared property by property
#   integration-portable  the worker's integration tests that use the
#               database (grace with kill -9 and two workers, rooms across
#               two workers, ...), with the portable edition
#   pooler      tests/pooler/run.sh: the worker through PgBouncer, in
#               transaction mode (the self-test must stop it) and session mode
#   browser     node --test, tests/browser/: the client's estimator and
#               connection logic, and the demo page and the React bindings
#               (React 18, bundled by esbuild) in headless Chromium against
#               the real worker and its own throwaway cluster
#   types       node --test, tests/types/: tsc --noEmit over an app's use of
#               the client's .d.ts files, and those files against its modules
#   livekit     node --test, tests/livekit/: LiveKit's own server SDK
#               against the RoomService stand-in the C++ tests use
#   python      pytest, tests/python/: the Python client (clients/python)
#               against the real worker and its own throwaway cluster, and
#               its estimator against the JS one's test vectors
#   python-portable  the same worker tests with the portable edition
#   packaging   tests/packaging/run.sh: one version everywhere, META.json,
#               npm pack of the client, systemd-analyze verify of the unit,
#               promtool check metrics on a live worker
#   demo        tests/packaging/demo_test.sh: make demo's script starts,
#               serves, and Ctrl-C or a closed terminal deletes its cluster
#   fuzz        tests/fuzz/run.sh 20: every libFuzzer target for 20 s
#               (make fuzz runs them longer)
#   deb         tests/packaging/deb_test.sh: make deb, install both packages,
#               CREATE EXTENSION and start the packaged worker; purged after
#               (and make install again)
# (unit also holds the integration tests, the nginx one among them.)
# Every suite runs even if an earlier one failed; the exit status is non-zero
# if any failed, and the last line counts tests across suites.
set -uo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

build_started=$SECONDS
make -j2 all worker >/dev/null || { echo "run-tests: build failed (run make to see why)" >&2; exit 1; }
$sudo make install >/dev/null || { echo "run-tests: make install failed" >&2; exit 1; }

workdir=$(mktemp -d /tmp/session_clock_test.XXXXXX)
[ "$(id -u)" = 0 ] && chown postgres: "$workdir"
trap 'scripts/pg-cluster stop "$workdir/pg"; rm -rf "$workdir"' EXIT
scripts/pg-cluster start "$workdir/pg" >/dev/null || exit 1
# Seconds per step, printed at the end: make test must stay near 40 minutes,
# and this says which suite to look at when it grows.
timings=("build+install $((SECONDS - build_started))")
export PGHOST="$workdir/pg" PGPORT="$(cat "$workdir/pg/port")" PGUSER=postgres

passed=0 failed=0 failed_suites=()
# count SUITE LOG: adds the suite's test counts from its runner's summary.
count() {
  local suite=$1 log=$2 p=0 f=0 line
  if line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -1); [ -n "$line" ]; then
    f=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
    p=$(( $(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line") - f ))
  elif line=$(grep -E 'All [0-9]+ tests passed' "$log" | tail -1); [ -n "$line" ]; then
    p=$(grep -Eo '[0-9]+' <<<"$line" | head -1)
  elif line=$(grep -E '[0-9]+ of [0-9]+ tests failed' "$log" | tail -1); [ -n "$line" ]; then
    f=$(grep -Eo '[0-9]+' <<<"$line" | sed -n 1p)
    p=$(( $(grep -Eo '[0-9]+' <<<"$line" | sed -n 2p) - f ))
  elif line=$(grep -E '^=* ?[0-9]+ (passed|failed|errors?)(, [0-9]+ [a-z]+)* in [0-9.]+s' "$log" | tail -1); [ -n "$line" ]; then
    # pytest's summary: "N failed, N passed, N errors in S s" (each only when not 0).
    p=$(grep -Eo '[0-9]+ passed' <<<"$line" | grep -Eo '[0-9]+' || echo 0)
    f=$(( $(grep -Eo '[0-9]+ failed' <<<"$line" | grep -Eo '[0-9]+' || echo 0) + \
          $(grep -Eo '[0-9]+ errors?' <<<"$line" | grep -Eo '[0-9]+' || echo 0) ))
  elif line=$(grep -E '^# pass [0-9]+$' "$log" | tail -1); [ -n "$line" ]; then
    # node --test's TAP summary: "# pass N" and "# fail N".
    p=$(grep -Eo '[0-9]+' <<<"$line")
    f=$(grep -E '^# fail [0-9]+$' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  fi
  passed=$((passed + p)) failed=$((failed + f))
}

run_suite() {
  local suite=$1; shift
  local log="$workdir/$suite.log"
  local started=$SECONDS
  echo "== $suite"
  if "$@" 2>&1 | tee "$log"; then status=0; else status=1; fi
  timings+=("$suite $((SECONDS - started))")
  count "$suite" "$log"
  if [ $status -ne 0 ]; then
    failed_suites+=("$suite")
    # A suite that failed without counting a failure (crash, setup) still counts one.
    grep -qE 'tests failed|failed out of|^# fail [1-9]|^=* ?([0-9]+ [a-z]+, )*[1-9][0-9]* (failed|errors?)[, ]' "$log" \
      || failed=$((failed + 1))
    for diffs in regression.diffs output_iso/regression.diffs; do
      [ -s "$diffs" ] && { echo "--- $diffs"; head -200 "$diffs"; }
    done
  fi
}

run_suite unit ctest --test-dir build --output-on-failure
run_suite regress make installcheck ISOLATION=
run_suite isolation make installcheck REGRESS=
run_suite portable tests/portable/run.sh
# The worker's integration tests that use the database, again with the
# portable edition (tests/integration/harness.cpp reads SESSION_CLOCK_EDITION),
# summed up in the words count() reads.
integration_portable_suite() {
  local log="$workdir/integration-portable.gtest" passed_n failed_n
  SESSION_CLOCK_EDITION=portable build/integration_tests \
    --gtest_filter='ClockCommandsTest.*:GraceTest.*:BillingPresenceTest.*:LiveKitTest.*:RoomsTest.*:Seed003SingleDevice.*:Seed004Guests.*:WorkerTest.*' \
    >"$log" 2>&1
  local rc=$?
  grep -E '^\[  (FAILED|PASSED) ' "$log"
  passed_n=$(sed -nE 's/^\[  PASSED  \] ([0-9]+) tests?\.$/\1/p' "$log")
  failed_n=$(sed -nE 's/^\[  FAILED  \] ([0-9]+) tests?, listed below:$/\1/p' "$log")
  if [ $rc -eq 0 ]; then echo "All ${passed_n:-0} tests passed"; else
    echo "${failed_n:-1} of $(( ${passed_n:-0} + ${failed_n:-1} )) tests failed"; fi
  return $rc
}
run_suite integration-portable integration_portable_suite
# The worker through Debian's PgBouncer: its self-test refuses a
# transaction-mode pooler (LISTEN broken) and passes a session-mode one.
run_suite pooler tests/pooler/run.sh

# npm ci installs exactly the lockfile's playwright-core (no browser download:
# the tests drive Debian's /usr/bin/chromium), react, react-dom and esbuild; run.sh picks node --test's
# flags for the Node at hand (18 or 20+).
browser_suite() (
  cd tests/browser &&
    npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
    ./run.sh
)
run_suite browser browser_suite

# npm ci installs exactly the lockfile's TypeScript; run.sh prints TAP, one
# test for tsc and one per typed module.
types_suite() (
  cd tests/types &&
    npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
    ./run.sh
)
run_suite types types_suite

# npm ci installs exactly the lockfile's livekit-server-sdk; the tests spawn
# the stand-in that make built.
livekit_suite() (
  cd tests/livekit &&
    npm ci --no-audit --no-fund --loglevel=error >/dev/null &&
    ROOM_SERVICE_STANDIN=$PWD/../../build/room_service_standin ./run.sh
)
run_suite livekit livekit_suite

# Debian's own interpreter (3.11, with python3-websockets 10.4 and
# python3-pytest), not whichever python3 comes first on PATH; the tests
# start build/session-clock-worker, which make built.
python_suite() {
  PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest tests/python
}
run_suite python python_suite
python_portable_suite() {
  SESSION_CLOCK_EDITION=portable PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 -m pytest tests/python/test_worker.py
}
run_suite python-portable python_portable_suite
run_suite packaging tests/packaging/run.sh
run_suite demo tests/packaging/demo_test.sh
run_suite fuzz tests/fuzz/run.sh 20
# Last: it replaces the installed extension with the packaged one for a
# while (and puts the source-built one back).
run_suite deb tests/packaging/deb_test.sh

echo "run-tests: seconds per step:"
printf '  %-22s %5s\n' $(printf '%s\n' "${timings[@]}")
if [ ${#failed_suites[@]} -gt 0 ]; then
  echo "run-tests: failed suites: ${failed_suites[*]}"
fi
echo "tests: $passed passed, $failed failed"
[ ${#failed_suites[@]} -eq 0 ]

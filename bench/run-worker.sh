#!/usr/bin/env bash
# The worker benchmark: the real session-clock-worker against a throwaway
# cluster, side by side with a minimal Boost.Beast echo server (inside
# build/worker_bench), everything on 127.0.0.1.
#
#   bench/run-worker.sh            (or: make bench-worker; make bench runs it too)
#
#   1  TIME_PING round trip p50/p99/max, worker vs echo     goal: worker p50 / echo p50 <= 1.5
#   2  pongs/s with 1,000 connections, worker vs echo      (information)
#   3  NOTIFY -> CLOCK_STATE latency, 1,000 subscribers    goal: p99 <= 10 ms
#      (beside it: a minimal fan-out server, same clients)
#   4  worker VmRSS per idle connection at 10,000          goal: <= 20 KiB
#
# The reference servers live in build/worker_bench (bench/worker_bench.cpp).
# Everything shares this host's CPUs: each phase prints how busy the worker,
# the bench and everything else were, and the run says if the host was not
# idle when it started (other work on the host makes every figure worse).
#
# Tunables (environment): WBENCH_PINGS (20000), WBENCH_WARMUP (2000),
# WBENCH_CONNS (1000), WBENCH_SECONDS (5), WBENCH_SUBSCRIBERS (1000),
# WBENCH_SESSIONS (1: every subscriber follows the same clock),
# WBENCH_EVENTS (200), WBENCH_IDLE (10000; 0 skips the memory test),
# WBENCH_CLIENT_THREADS (2), WBENCH_WORKER_THREADS (2), BENCH_STRICT (1 =
# exit 1 when a goal is missed; default 0, a missed goal is a result).
#
# Output: the table on stdout and in bench/results/worker-latest.txt (also
# kept as bench/results/worker-<timestamp>.txt); progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The PostgreSQL that pg_config on PATH (or $PG_CONFIG) names, unless PG_BIN says.
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
PINGS=${WBENCH_PINGS:-20000}
WARMUP=${WBENCH_WARMUP:-2000}
CONNS=${WBENCH_CONNS:-1000}
SECONDS_PER_SIDE=${WBENCH_SECONDS:-5}
SUBSCRIBERS=${WBENCH_SUBSCRIBERS:-1000}
SESSIONS=${WBENCH_SESSIONS:-1}
EVENTS=${WBENCH_EVENTS:-200}
IDLE=${WBENCH_IDLE:-10000}
CLIENT_THREADS=${WBENCH_CLIENT_THREADS:-2}
WORKER_THREADS=${WBENCH_WORKER_THREADS:-2}
STRICT=${BENCH_STRICT:-0}
JWT_SECRET="worker-bench-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

die() { echo "bench-worker: $*" >&2; exit 1; }
log() { echo "bench-worker: $*" >&2; }

for v in PINGS WARMUP CONNS SECONDS_PER_SIDE SUBSCRIBERS SESSIONS EVENTS IDLE CLIENT_THREADS WORKER_THREADS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
[ -x "$PG_BIN/psql" ] || die "$PG_BIN/psql not found"

# Descriptors: every connection is one in the worker and one in the bench
# (the worker inherits this limit). Take 65536 or as much as the hard limit allows.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
need=$(( (IDLE > CONNS ? IDLE : CONNS) + 1000 ))
if [ "$nofile" != unlimited ] && [ "$nofile" -lt "$need" ]; then
  log "open-file limit is $nofile (hard $(ulimit -Hn)); need $need for $IDLE idle connections"
  IDLE=$(( nofile - 1000 > 0 ? nofile - 1000 : 0 ))
  log "measuring memory with $IDLE connections instead"
fi

work=$(mktemp -d /tmp/session_clock_wbench.XXXXXX)
source bench/bench_env.sh  # host_busy_ticks, check_idle_before, build_and_install, start_cluster_with_extension, commit_of, stop_workers, trap_cleanup, drop_cluster_and_exit
[ "$(id -u)" = 0 ] && chmod 755 "$work"
cluster="$work/pg"
worker_pid=""
stop_worker() {
  [ -n "$worker_pid" ] || return 0
  if kill -0 "$worker_pid" 2>/dev/null; then
    kill -TERM "$worker_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$worker_pid" 2>/dev/null; then
      log "the worker did not stop within 5 s of SIGTERM; killing it"
      kill -KILL "$worker_pid" 2>/dev/null || true
    fi
  fi
  local status=0
  wait "$worker_pid" 2>/dev/null || status=$?
  worker_pid=""
  return "$status"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_worker || true
  if [ "$rc" -ne 0 ]; then
    [ -f "$work/worker.log" ] && { echo "bench-worker: failed (exit $rc); last worker log lines:" >&2; tail -15 "$work/worker.log" >&2; }
    [ -f "$cluster/server.log" ] && { echo "bench-worker: last server log lines:" >&2; tail -10 "$cluster/server.log" >&2; }
  fi
  drop_cluster_and_exit "$rc"
}
trap_cleanup

# --- build and install ----------------------------------------------------------
log "building (extension, worker, worker_bench) and installing the extension"
build_and_install worker_bench
commit=$(commit_of worker extension bench/worker_bench.cpp)

# --- the cluster --------------------------------------------------------------------
start_cluster_with_extension

# --- the worker ------------------------------------------------------------------------
# Port 0: the kernel picks a free one; the worker logs which.
log "starting the worker ($WORKER_THREADS threads)"
build/session-clock-worker --database-url "$url" --listen 127.0.0.1:0 --jwt-secret "$JWT_SECRET" \
  --threads "$WORKER_THREADS" --rate 1000000 --rate-burst 1000000 --idle-timeout 600 --log-level info \
  >"$work/worker.log" 2>&1 &
worker_pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/worker.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$worker_pid" 2>/dev/null || die "the worker exited at start"
  sleep 0.05
done
[ -n "$port" ] || die "the worker did not report its port"

# --- the benchmark ----------------------------------------------------------------------
results="$repo/bench/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/worker-$stamp.txt"
{
  echo "session_clock worker benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
  echo "host: $(nproc) CPUs, $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}')"
  echo "worker: --threads $WORKER_THREADS --rate 1000000 --rate-burst 1000000 --idle-timeout 600"
  echo "references (in worker_bench): Beast echo server (1, 2) and fan-out server (3); async, a strand per session, 2 threads"
  echo "clients: async Beast, $CLIENT_THREADS io threads (same host: clients, worker, echo and PostgreSQL share the CPUs)"
  echo "open-file limit: $(ulimit -n); phase 4 runs first, on the fresh worker"
  echo
} >"$out"
cat "$out"
rc=0
timeout 300 build/worker_bench --worker-port "$port" --worker-pid "$worker_pid" --database-url "$url" \
  --jwt-secret "$JWT_SECRET" --out "$out" --pings "$PINGS" --warmup "$WARMUP" --conns "$CONNS" \
  --seconds "$SECONDS_PER_SIDE" --subscribers "$SUBSCRIBERS" --sessions "$SESSIONS" --events "$EVENTS" \
  --idle "$IDLE" --client-threads "$CLIENT_THREADS" $([ "$STRICT" = 1 ] && echo --strict) || rc=$?

# --- shutdown: SIGTERM, the worker must exit 0 ----------------------------------------------
worker_status=0
stop_worker || worker_status=$?
if [ "$worker_status" -ne 0 ]; then
  echo "worker exit status after SIGTERM: $worker_status (expected 0)" | tee -a "$out"
  [ "$rc" -ne 0 ] || rc=1
fi
warnings=$(grep -cE 'level=(warning|error|critical)' "$work/worker.log" || true)
if [ "$warnings" -gt 0 ]; then
  echo "worker log: $warnings warning/error lines, e.g.:" | tee -a "$out"
  grep -E 'level=(warning|error|critical)' "$work/worker.log" | head -3 | tee -a "$out"
fi
cp "$out" "$results/worker-latest.txt"
log "results in bench/results/worker-latest.txt"
exit "$rc"

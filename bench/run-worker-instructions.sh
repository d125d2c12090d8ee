#!/usr/bin/env bash
# Instructions per TIME_PING round trip (callgrind): the worker against the
# bare Beast echo of bench/run-worker.sh, the quiet twin of that script's
# pong figures.
#
#   bench/run-worker-instructions.sh     (or: make bench-worker-instructions)
#
# On this shared host run-worker.sh's pongs/s ratio moves by more than 0.1
# from one run to the next, with the same binaries (docs/benchmarks.md);
# the instructions a server executes per round trip do not. The worker
# (--threads 2) and the echo (build/worker_bench --serve-echo, 2 threads)
# each run as a process of their own under callgrind, on a throwaway
# cluster, and worker_bench's phase 1 drives both (sequential TIME_PINGs on
# one connection per side, interleaved): WARM pings, then, with both
# started afresh, WARM + COUNT. The difference divided by COUNT is what one
# more round trip costs each in user space: reading the frame, answering
# it, writing the answer. Not counted: the kernel (loopback TCP), which
# both pay alike, so this ratio is wider than the CPU-time one. The
# worker's timers (its database clock probe) also run during the extra
# pings: a few hundred instructions per ping at most.
#
# Tunables (environment): BENCH_COUNT (2000), BENCH_WARM (200),
# BENCH_NO_INSTALL (as bench/run-worker.sh).
#
# Output: the table on stdout and in bench/results/worker-instructions-latest.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

COUNT=${BENCH_COUNT:-2000}
WARM=${BENCH_WARM:-200}

die() { echo "bench-worker-instructions: $*" >&2; exit 1; }
log() { echo "bench-worker-instructions: $*" >&2; }

for v in COUNT WARM; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || die "$v must be a whole number >= 1 (got '${!v}')"
done
command -v valgrind >/dev/null || die "valgrind not found (scripts/install-deps.sh installs it)"

work=$(mktemp -d /tmp/session_clock_wibench.XXXXXX)
source bench/bench_env.sh  # build_and_install, start_cluster_with_extension, commit_of, trap_cleanup, drop_cluster_and_exit
[ "$(id -u)" = 0 ] && chmod 755 "$work"
cluster="$work/pg"
pids=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  drop_cluster_and_exit "$rc"
}
trap_cleanup

log "building (extension, worker, worker_bench) and installing the extension"
build_and_install worker_bench
commit=$(commit_of worker extension bench/worker_bench.cpp)

start_cluster_with_extension
secret="worker-instructions-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

# port_in FILE PATTERN: the port a process wrote to FILE (sed pattern, one
# group), waited for up to a minute (valgrind starts slowly).
port_in() {
  local port=""
  for _ in $(seq 1 600); do
    port=$(sed -nE "s|$2|\1|p" "$1" 2>/dev/null | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.1
  done
  die "no port in $1 after a minute: $(tail -3 "$1")"
}

# total FILE: the instructions callgrind counted in all of a process's threads.
# (awk reads to the end: stopping early would break the pipe.)
total() { callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }'; }

# pings N: both servers under callgrind, N round trips each; sets
# ir_worker[N] and ir_echo[N].
declare -A ir_worker ir_echo
pings() {
  local n=$1 worker_pid echo_pid worker_port echo_port
  log "$n pings per side, both servers under callgrind"
  valgrind --tool=callgrind --callgrind-out-file="$work/worker.$n.cg" \
    build/session-clock-worker --database-url "$url" --listen 127.0.0.1:0 --jwt-secret "$secret" \
    --threads 2 --rate 1000000 --rate-burst 1000000 --idle-timeout 600 --log-level info >"$work/worker.$n.log" 2>&1 &
  worker_pid=$!
  valgrind --tool=callgrind --callgrind-out-file="$work/echo.$n.cg" \
    build/worker_bench --serve-echo >"$work/echo.$n.log" 2>&1 &
  echo_pid=$!
  pids=("$worker_pid" "$echo_pid")
  worker_port=$(port_in "$work/worker.$n.log" '.*listening on http://127\.0\.0\.1:([0-9]+).*')
  echo_port=$(port_in "$work/echo.$n.log" '^echo listening on 127\.0\.0\.1:([0-9]+)$')
  timeout 900 build/worker_bench --worker-port "$worker_port" --worker-pid "$worker_pid" --database-url "$url" \
    --jwt-secret "$secret" --echo-port "$echo_port" --only rtt --pings "$n" --warmup 0 --idle 0 \
    --time-limit 800 --out "$work/rtt.$n.txt" >/dev/null 2>"$work/rtt.$n.err" \
    || { tail -5 "$work/rtt.$n.err" >&2; die "worker_bench failed at $n pings"; }
  grep -q 'unexpected replies' "$work/rtt.$n.err" && die "unexpected replies at $n pings: $(cat "$work/rtt.$n.err")"
  kill -TERM "$worker_pid" "$echo_pid"
  wait "$worker_pid" || die "the worker did not exit 0 on SIGTERM"
  wait "$echo_pid" || die "the echo did not exit 0 on SIGTERM"
  pids=()
  ir_worker[$n]=$(total "$work/worker.$n.cg")
  ir_echo[$n]=$(total "$work/echo.$n.cg")
}

pings "$WARM"
pings $((WARM + COUNT))
per() { awk -v w="$1" -v a="$2" -v n="$COUNT" 'BEGIN { printf "%.0f", (a - w) / n }'; }
worker=$(per "${ir_worker[$WARM]}" "${ir_worker[$((WARM + COUNT))]}")
echo_=$(per "${ir_echo[$WARM]}" "${ir_echo[$((WARM + COUNT))]}")

results="$repo/bench/results"
mkdir -p "$results"
report=$(
  echo "session_clock worker instructions, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
  echo "callgrind, user space; $WARM then $((WARM + COUNT)) sequential TIME_PINGs per side; per round trip:"
  printf '%-34s %12s\n' "worker (TIME_PING -> TIME_PONG)" "$worker"
  printf '%-34s %12s\n' "bare Beast echo" "$echo_"
  printf '%-34s %12s\n' "echo / worker" "$(awk -v w="$worker" -v e="$echo_" 'BEGIN { printf "%.3f", e / w }')"
)
echo "$report"
echo "$report" >"$results/worker-instructions-latest.txt"
log "results in bench/results/worker-instructions-latest.txt"

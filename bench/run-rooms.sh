#!/usr/bin/env bash
# The rooms benchmark (issue 5): N members in one playback room over two real
# session-clock-worker processes on a throwaway cluster, beside a minimal
# Boost.Beast fan-out reference (build/rooms_bench --serve-reference), the
# same clients against both, everything on 127.0.0.1.
#
#   bench/run-rooms.sh
#   RBENCH_MEMBERS=500 RBENCH_ROUNDS=5 bench/run-rooms.sh     (quick: under a minute)
#
#   setup   member 0 (the host) creates the room on worker A; members 1..N-1
#           join, alternately on A and B (AUTH with an HS256 token, sub m<i>,
#           then JOIN_ROOM), at most RBENCH_JOIN_WINDOW at a time
#   rounds  the host sends HOST_PLAY (a new requestId each); every member
#           stamps (CLOCK_REALTIME) its PREPARE_PLAY and PLAY_AT
#     HOST_PLAY sent -> last PREPARE_PLAY arrival, p50/p99/max over rounds
#     PREPARE_PLAY after its startAtServerMs                 goal: none
#     PLAY_AT spread (max - min arrival over members)        goal: p99 <= 50 ms
#     PLAY_AT arrival - startAtServerMs over members x rounds
#     CPU per broadcast: both workers, and the whole PostgreSQL cluster
#   baseline: the same clients, members and rounds against the reference (two
#   fan-out servers in one process, the frames of the same size, the other
#   server told by a post instead of NOTIFY); the report gives ours / it.
#
# Everything shares this host's CPUs (the clients, both workers, the cluster):
# the run says how busy the host was before it started and, per side, what
# was busy during the rounds; other work on the host makes every figure worse.
#
# Tunables (environment): RBENCH_MEMBERS (10000, the host included),
# RBENCH_ROUNDS (20), RBENCH_GAP_MS (500: pause before each HOST_PLAY),
# RBENCH_WORKER_THREADS (1: each worker's --threads; the reference uses as
# many per server), RBENCH_CLIENT_THREADS (2), RBENCH_JOIN_WINDOW (100),
# RBENCH_RTT_MS (unset: members report no round trip and the lead is the
# room's 1200 ms; set: every member reports it in TIME_PING rttMs, and the
# lead becomes 2 x it + 500 ms within 250..3000), RBENCH_ONLY (workers or
# reference: one side only), BENCH_STRICT (1 = exit 1 when a goal is missed;
# default 0, a missed goal is a result).
#
# Output: the table on stdout and in bench/results/rooms-latest.txt (also
# kept as bench/results/rooms-<timestamp>.txt); progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The PostgreSQL that pg_config on PATH (or $PG_CONFIG) names, unless PG_BIN says.
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
MEMBERS=${RBENCH_MEMBERS:-10000}
ROUNDS=${RBENCH_ROUNDS:-20}
GAP_MS=${RBENCH_GAP_MS:-500}
WORKER_THREADS=${RBENCH_WORKER_THREADS:-1}
CLIENT_THREADS=${RBENCH_CLIENT_THREADS:-2}
JOIN_WINDOW=${RBENCH_JOIN_WINDOW:-100}
RTT_MS=${RBENCH_RTT_MS:-}
ONLY=${RBENCH_ONLY:-}
STRICT=${BENCH_STRICT:-0}
JWT_SECRET="rooms-bench-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

die() { echo "bench-rooms: $*" >&2; exit 1; }
log() { echo "bench-rooms: $*" >&2; }

for v in MEMBERS ROUNDS GAP_MS WORKER_THREADS CLIENT_THREADS JOIN_WINDOW; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
[ "$MEMBERS" -ge 2 ] && [ "$ROUNDS" -ge 1 ] && [ "$WORKER_THREADS" -ge 1 ] && [ "$CLIENT_THREADS" -ge 1 ] \
  && [ "$JOIN_WINDOW" -ge 1 ] || die "need MEMBERS >= 2 and ROUNDS, WORKER_THREADS, CLIENT_THREADS, JOIN_WINDOW >= 1"
[ -z "$RTT_MS" ] || [[ $RTT_MS =~ ^[0-9]+$ ]] || die "RBENCH_RTT_MS must be a whole number of ms (got '$RTT_MS')"
case "$ONLY" in ""|workers|reference) ;; *) die "RBENCH_ONLY must be workers or reference (got '$ONLY')" ;; esac
[ -x "$PG_BIN/psql" ] || die "$PG_BIN/psql not found"
command -v curl >/dev/null || die "curl not found (checks the workers are ready)"

# Descriptors: this script's children inherit the limit. The clients hold N
# sockets, each worker N/2, the reference N; take 65536 or the hard limit.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
need=$(( MEMBERS + 500 ))
if [ "$nofile" != unlimited ] && [ "$nofile" -lt "$need" ]; then
  die "open-file limit is $nofile (hard $(ulimit -Hn)); $MEMBERS members need $need: lower RBENCH_MEMBERS"
fi
# Every client connection takes an ephemeral port (per destination port).
read -r port_lo port_hi </proc/sys/net/ipv4/ip_local_port_range
[ $(( port_hi - port_lo )) -gt $(( MEMBERS / 2 + 1000 )) ] \
  || log "ephemeral port range $port_lo-$port_hi is small for $MEMBERS connections"

# Lead the worker will pick (server/room_hub.cpp), for the reference.
if [ -z "$RTT_MS" ]; then lead_ms=1200; else
  lead_ms=$(( 2 * RTT_MS + 500 )); [ "$lead_ms" -lt 250 ] && lead_ms=250; [ "$lead_ms" -gt 3000 ] && lead_ms=3000
fi

work=$(mktemp -d /tmp/session_clock_rbench.XXXXXX)
source bench/bench_env.sh  # host_busy_ticks, check_idle_before, build_and_install, start_cluster_with_extension, commit_of, stop_workers, trap_cleanup, drop_cluster_and_exit
chmod 755 "$work"
cluster="$work/pg"
worker_pids=() worker_ports=() stop_status=()
ref_pid=""

stop_reference() {
  [ -n "$ref_pid" ] || return 0
  kill -TERM "$ref_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$ref_pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$ref_pid" 2>/dev/null || true
  wait "$ref_pid" 2>/dev/null || true
  ref_pid=""
}
cleanup() {
  local rc=$? f
  trap - EXIT INT TERM
  stop_reference
  stop_workers
  if [ "$rc" -ne 0 ]; then
    for f in "$work"/worker-*.log "$work/reference.log"; do
      [ -f "$f" ] && { echo "bench-rooms: failed (exit $rc); last lines of $(basename "$f"):" >&2; tail -8 "$f" >&2; }
    done
    [ -f "$cluster/server.log" ] && { echo "bench-rooms: last server log lines:" >&2; tail -10 "$cluster/server.log" >&2; }
  fi
  drop_cluster_and_exit "$rc"
}
trap_cleanup

# --- is the host idle? -------------------------------------------------------------
check_idle_before  # before anything of ours runs

# --- build and install ----------------------------------------------------------
# The install comes right before the run (others install into the same dirs).
log "building (extension, worker, rooms_bench) and installing the extension"
build_and_install rooms_bench
commit=$(commit_of worker extension bench/rooms_bench.cpp)

# --- the cluster ------------------------------------------------------------------
start_cluster_with_extension
# Which room RPCs each join and each broadcast cost (pg_stat_user_functions).
scripts/pg-cluster psql "$cluster" -q -v ON_ERROR_STOP=1 >/dev/null \
  -c "ALTER SYSTEM SET track_functions = 'all'" -c 'SELECT pg_reload_conf()'
pg_version=$(scripts/pg-cluster psql "$cluster" -X -At -c 'SHOW server_version')
postmaster=$(head -1 "$cluster/data/postmaster.pid")

# --- two workers, then the reference -----------------------------------------------
# Their defaults otherwise (rate 20/s, burst 64, 256 queued frames, idle
# timeout 60 s with keep-alive pings): no member comes near them.
metrics() { curl -fsS --max-time 2 "http://127.0.0.1:$1/metrics" 2>/dev/null || true; }
metric() { awk -v m="$2" '$1 == m { v = $2 } END { if (v != "") printf "%d", v }' <<<"$1"; }
start_worker() {  # start_worker NAME
  local log_file="$work/worker-$1.log" pid port="" m
  : >"$log_file"  # exists before the background start opens it: the port is read from it at once
  build/session-clock-worker --database-url "$url" --listen 127.0.0.1:0 --jwt-secret "$JWT_SECRET" \
    --threads "$WORKER_THREADS" --log-level info >"$log_file" 2>&1 &
  pid=$!
  worker_pids+=("$pid")
  for _ in $(seq 1 200); do
    port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$log_file" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || die "worker $1 exited at start"
    sleep 0.05
  done
  [ -n "$port" ] || die "worker $1 did not report its port"
  worker_ports+=("$port")
  for _ in $(seq 1 200); do
    m=$(metrics "$port")
    [ "$(metric "$m" session_clock_listener_up)" = 1 ] && [ "$(metric "$m" session_clock_database_up)" = 1 ] && return 0
    kill -0 "$pid" 2>/dev/null || die "worker $1 exited at start"
    sleep 0.05
  done
  die "worker $1 did not get its database connections up within 10 s"
}
log "starting two workers (--threads $WORKER_THREADS each)"
start_worker a
start_worker b

: >"$work/reference.log"
build/rooms_bench --serve-reference --threads "$WORKER_THREADS" --lead-ms "$lead_ms" >"$work/reference.log" 2>&1 &
ref_pid=$!
ref_ports=""
for _ in $(seq 1 200); do
  ref_ports=$(sed -nE 's|^reference listening on 127\.0\.0\.1 ports ([0-9]+) ([0-9]+).*|\1,\2|p' "$work/reference.log")
  [ -n "$ref_ports" ] && break
  kill -0 "$ref_pid" 2>/dev/null || die "the reference exited at start"
  sleep 0.05
done
[ -n "$ref_ports" ] || die "the reference did not report its ports"

# --- the benchmark ----------------------------------------------------------------------
results="$repo/bench/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/rooms-$stamp.txt"
{
  echo "session_clock rooms benchmark (issue 5), $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
  echo "host: $(nproc) CPUs, $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); PostgreSQL $pg_version"
  echo "room: $MEMBERS members (the host + $((MEMBERS - 1)) guests) over two workers, $ROUNDS rounds, HOST_PLAY $GAP_MS ms after the last PLAY_AT"
  echo "lead: $([ -z "$RTT_MS" ] && echo "no member reports a round trip: the room's $lead_ms ms" || echo "every member reports rttMs $RTT_MS: $lead_ms ms")"
  echo "workers: --threads $WORKER_THREADS each, default limits; reference (rooms_bench --serve-reference): two Beast"
  echo "  fan-out servers in one process, $WORKER_THREADS threads each, the same frames, the other server told by a post"
  echo "clients: one process, async Beast, $CLIENT_THREADS io threads; joins at most $JOIN_WINDOW at a time; the workers' side runs first"
  echo "same host: clients, workers, reference and PostgreSQL share the CPUs; open-file limit $(ulimit -n)"
  echo "busy before the build (CPUs): $idle_before$(awk -v o="$idle_before" 'BEGIN { if (o > 0.2) print " (NOT idle)" }')"
  echo
} >"$out"
cat "$out"
rc=0
limit=$(( 180 + 2 * (MEMBERS / 25 + ROUNDS * (GAP_MS / 1000 + 9)) ))
timeout $(( limit + 60 )) build/rooms_bench --worker-ports "$(IFS=,; echo "${worker_ports[*]}")" \
  --worker-pids "$(IFS=,; echo "${worker_pids[*]}")" --reference-ports "$ref_ports" --reference-pid "$ref_pid" \
  --postmaster-pid "$postmaster" --database-url "$url" --jwt-secret "$JWT_SECRET" --out "$out" --members "$MEMBERS" --rounds "$ROUNDS" \
  --gap-ms "$GAP_MS" --join-window "$JOIN_WINDOW" --client-threads "$CLIENT_THREADS" --worker-threads "$WORKER_THREADS" \
  --time-limit "$limit" ${RTT_MS:+--rtt-ms "$RTT_MS"} ${ONLY:+--only "$ONLY"} $([ "$STRICT" = 1 ] && echo --strict) || rc=$?

# --- shutdown: SIGTERM, every worker must exit 0 ------------------------------------------
stop_reference
stop_workers
for s in "${stop_status[@]}"; do
  if [ "$s" -ne 0 ]; then
    echo "worker exit statuses after SIGTERM: ${stop_status[*]} (expected 0)" | tee -a "$out"
    [ "$rc" -ne 0 ] || rc=1
    break
  fi
done
warnings=$(cat "$work"/worker-*.log | grep -cE 'level=(warning|error|critical)' || true)
if [ "$warnings" -gt 0 ]; then
  echo "worker logs: $warnings warning/error lines, e.g.:" | tee -a "$out"
  cat "$work"/worker-*.log | grep -E 'level=(warning|error|critical)' | head -3 | tee -a "$out"
fi
cp "$out" "$results/rooms-latest.txt"
log "results in bench/results/rooms-latest.txt"
exit "$rc"

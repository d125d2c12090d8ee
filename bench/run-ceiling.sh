#!/usr/bin/env bash
# The scale ceiling: how many clock changes per second one PostgreSQL commits
# when every one of them NOTIFYs, and whether a worker LISTENing to all of
# them keeps up.
#
#   bench/run-ceiling.sh      (or: make bench-ceiling)
#
# pgbench runs pause + resume through the extension (bench/pgbench/
# write_ext.sql: two notifying commits per transaction) on SESSIONS clocks
# with 1, 4, 16 and 64 clients, while one real worker LISTENs; then the
# 1.0-era plpgsql baseline with and without pg_notify at the highest client
# count, beside each other, to price the database-wide lock a notifying
# commit takes (commands/async.c: PreCommit_Notify). Per step it prints the
# changes committed per second, the NOTIFYs the worker received (its
# /metrics) against the changes committed, and the worker's CPU per NOTIFY.
# synchronous_commit = off: the figures are CPU and locks, not the disk.
# Tunables: CBENCH_SECONDS (8), CBENCH_SESSIONS (10000), CBENCH_CLIENTS
# ("1 4 16 64"), BENCH_NO_INSTALL.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
SECONDS_PER_STEP=${CBENCH_SECONDS:-8}
SESSIONS=${CBENCH_SESSIONS:-10000}
CLIENT_COUNTS=${CBENCH_CLIENTS:-1 4 16 64}
log() { echo "bench-ceiling: $*" >&2; }
die() { log "$*"; exit 1; }
[[ $SECONDS_PER_STEP =~ ^[1-9][0-9]*$ && $SESSIONS =~ ^[1-9][0-9]*$ ]] || die "need CBENCH_SECONDS, CBENCH_SESSIONS >= 1"
[[ $CLIENT_COUNTS =~ ^[1-9][0-9]*( [1-9][0-9]*)*$ ]] || die "CBENCH_CLIENTS: counts separated by spaces"
command -v curl >/dev/null || die "curl not found (reads the worker's /metrics)"

work=$(mktemp -d /tmp/session_clock_cbench.XXXXXX)
source bench/bench_env.sh  # host_busy_ticks, check_idle_before, build_and_install, commit_of, stop_workers, trap_cleanup, drop_cluster_and_exit
[ "$(id -u)" = 0 ] && chmod 755 "$work"
cluster="$work/pg"
worker_pids=() worker_ports=() worker_logs=() stop_status=()
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_workers
  [ "$rc" -ne 0 ] && [ -f "$work/worker.log" ] && tail -8 "$work/worker.log" >&2
  drop_cluster_and_exit "$rc"
}
trap_cleanup

check_idle_before
log "building and installing"
build_and_install
commit=$(commit_of worker extension)

url=$(scripts/pg-cluster start "$cluster")
export PGHOST="$cluster" PGPORT="$(cat "$cluster/port")" PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGOPTIONS PGPASSWORD
sql() { timeout 600 "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -v sessions="$SESSIONS" "$@"; }
sql -c "ALTER SYSTEM SET synchronous_commit = off" -c "ALTER SYSTEM SET max_connections = 200" >/dev/null
scripts/pg-cluster restart "$cluster"
log "seeding $SESSIONS clocks and the plpgsql baseline"
sql -c "CREATE EXTENSION session_clock" -f bench/baseline.sql >/dev/null
sql -f bench/seed.sql >/dev/null

build/session-clock-worker --database-url "$url" --listen 127.0.0.1:0 --threads 2 --log-level info \
  >"$work/worker.log" 2>&1 &
worker_pids+=($!)
port=""
for _ in $(seq 1 200); do
  port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/worker.log" | head -1)
  [ -n "$port" ] && curl -fsS --max-time 1 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  kill -0 "${worker_pids[0]}" 2>/dev/null || die "the worker exited at start"
  sleep 0.05
done
[ -n "$port" ] || die "the worker did not start listening"
notifications() { curl -fsS --max-time 2 "http://127.0.0.1:$port/metrics" \
  | awk '$1 == "session_clock_notifications_total" { printf "%d", $2 }'; }
worker_ticks() { awk '{ print $14 + $15 }' "/proc/${worker_pids[0]}/stat"; }
hz=$(getconf CLK_TCK)

# step SCRIPT CLIENTS: prints "changes/s notifies-received worker-us/notify"
step() {
  local script=$1 clients=$2 out="$work/$1.$2.log" n0 n1 t0 t1 tps
  n0=$(notifications) t0=$(worker_ticks)
  timeout $((SECONDS_PER_STEP + 120)) "$PG_BIN/pgbench" -n -M prepared -c "$clients" -j 2 -T "$SECONDS_PER_STEP" \
    -D sessions="$SESSIONS" -f "bench/pgbench/$script.sql" >"$out" 2>&1 || { tail -5 "$out" >&2; die "pgbench failed"; }
  sleep 1  # the last NOTIFYs reach the worker
  n1=$(notifications) t1=$(worker_ticks)
  tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$out")
  awk -v tps="$tps" -v n="$((n1 - n0))" -v s="$SECONDS_PER_STEP" -v t="$((t1 - t0))" -v hz="$hz" 'BEGIN {
    changes = 2 * tps
    printf "%10.0f %10.0f %9.2f %10s\n", changes, n / s, (n > 0 ? n / (changes * s) : 0), (n > 0 ? sprintf("%.1f", t / hz * 1e6 / n) : "-")
  }'
}

log "measuring: ${SECONDS_PER_STEP}s per step"
report=$(
  echo "session_clock scale ceiling, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit"
  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), $(nproc) CPUs, $SESSIONS clocks, synchronous_commit=off;"
  echo "one worker LISTENing (2 threads); one change = one notifying commit (pause or resume)"
  echo
  printf '%-32s %7s %10s %10s %9s %10s\n' "writer" clients "changes/s" "NOTIFY/s" "received" "worker us"
  for c in $CLIENT_COUNTS; do
    printf '%-32s %7s %s\n' "extension pause+resume" "$c" "$(step write_ext "$c")"
  done
  top=${CLIENT_COUNTS##* }
  printf '%-32s %7s %s\n' "plpgsql with pg_notify" "$top" "$(step write_plpgsql "$top")"
  printf '%-32s %7s %s\n' "plpgsql without pg_notify" "$top" "$(step write_plpgsql_no_notify "$top")"
  echo
  echo "changes/s: commits per second; NOTIFY/s: those the worker received per second (its /metrics);"
  echo "received: their share of the changes (the baseline's pg_notify goes to another channel: 0);"
  echo "worker us: the worker's CPU per NOTIFY received (it re-reads only clocks someone follows)."
)
mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
printf '%s\n' "$report" | tee "bench/results/ceiling-$stamp.txt" >bench/results/ceiling-latest.txt
echo "$report"

#!/usr/bin/env bash
# The worker through Debian's PgBouncer, on loopback: in transaction mode
# (what Supabase's transaction pooler, port 6543, is) LISTEN is accepted
# and nothing ever arrives, so the worker's start-up self-test must say so
# and stop (status 3); in session mode (Supabase's session pooler) the
# same worker passes it. The database has the portable edition, installed
# by its non-superuser owner as on Supabase.
#
#   tests/pooler/run.sh [PORT]   as root, PostgreSQL and PgBouncer run as postgres
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
worker=${SESSION_CLOCK_WORKER:-$root/build/session-clock-worker}
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
command -v pgbouncer >/dev/null || { echo "pooler: pgbouncer is missing (scripts/install-deps.sh)"; exit 1; }
[ -x "$worker" ] || { echo "pooler: $worker is missing (make worker)"; exit 1; }

work=$(mktemp -d /tmp/session_clock_pooler.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$work"
# PgBouncer's own pid, from its pidfile (as root, $! would be runuser's).
stop_bouncer() {
  local pid
  pid=$(cat "$work/pgbouncer.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$work/pgbouncer.pid"
}
cleanup() {
  stop_bouncer
  scripts/pg-cluster stop "$work/pg" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
scripts/pg-cluster start "$work/pg" ${1:-} >/dev/null
pg_port=$(cat "$work/pg/port")
# Supabase's roles, its postgres role (the owner, a member of them, no
# superuser) and the portable edition, installed by that owner.
as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$work/pg" -p "$pg_port" -U postgres -d postgres \
  -f scripts/supabase_roles.sql -c "CREATE ROLE pooler_owner LOGIN" \
  -c "GRANT anon, authenticated, service_role TO pooler_owner" -c "CREATE DATABASE pooler OWNER pooler_owner" >/dev/null
as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$work/pg" -p "$pg_port" -U pooler_owner -d pooler \
  -f portable/session_clock.sql >/dev/null

# PgBouncer's loopback port, above pg-cluster's range.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
bouncer_port=54440

# start_bouncer MODE: PgBouncer in MODE on the first port from
# $bouncer_port on that it can bind. No listener there is not enough: the
# port lies in the kernel's ephemeral range, where it may be the local end
# of someone's connection, and then PgBouncer's bind fails.
start_bouncer() {
  local mode=$1
  for _ in $(seq 20); do
    while port_in_use $bouncer_port; do bouncer_port=$((bouncer_port + 1)); done
    write_bouncer_ini "$mode"
    : >"$work/pgbouncer.log"
    rm -f "$work/pgbouncer.pid"
    [ "$(id -u)" = 0 ] && chown postgres: "$work/pgbouncer.log"
    as_pg pgbouncer -d "$work/pgbouncer.ini" >/dev/null 2>&1
    for _ in $(seq 50); do
      port_in_use $bouncer_port && [ -s "$work/pgbouncer.pid" ] && return 0
      grep -q 'Address already in use' "$work/pgbouncer.log" && break
      sleep 0.1
    done
    grep -q 'Address already in use' "$work/pgbouncer.log" || break
    bouncer_port=$((bouncer_port + 1))
  done
  echo "pooler: PgBouncer did not start:"
  cat "$work/pgbouncer.log"
  exit 1
}

write_bouncer_ini() {
  local mode=$1
  cat >"$work/pgbouncer.ini" <<INI
[databases]
pooler = host=127.0.0.1 port=$pg_port dbname=pooler
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = trust
auth_file = $work/userlist.txt
pool_mode = $mode
max_client_conn = 100
default_pool_size = 20
logfile = $work/pgbouncer.log
pidfile = $work/pgbouncer.pid
INI
  echo '"pooler_owner" ""' >"$work/userlist.txt"
  [ "$(id -u)" = 0 ] && chown postgres: "$work/pgbouncer.ini" "$work/userlist.txt"
}

# run_worker MODE: PgBouncer in MODE, the worker through it; the worker's
# log and exit status in $work.
run_worker() {
  local mode=$1
  start_bouncer "$mode"
  # The worker until its self-test has spoken (or 20 s): "running" if it
  # is still up then (stopped here), else its exit status.
  "$worker" --database-url "postgresql://pooler_owner@127.0.0.1:$bouncer_port/pooler" \
    --listen 127.0.0.1:0 --jwt-secret pooler-test-secret-pooler-test-secret >"$work/worker-$mode.log" 2>&1 &
  local pid=$! status=running
  for _ in $(seq 200); do
    kill -0 $pid 2>/dev/null || break
    grep -q 'self-test passed' "$work/worker-$mode.log" && break
    sleep 0.1
  done
  if kill -0 $pid 2>/dev/null; then kill $pid; wait $pid 2>/dev/null || true; else wait $pid || status=$?; fi
  echo $status >"$work/worker-$mode.status"
  stop_bouncer
}

failed=0
run_worker transaction
if [ "$(cat "$work/worker-transaction.status")" = 3 ] && grep -q 'transaction-mode pooler' "$work/worker-transaction.log" \
   && grep -q 'never the transaction pooler on port 6543' "$work/worker-transaction.log"; then
  echo "ok - transaction mode: the self-test says so and the worker stops (status 3)"
  grep -o 'self-test failed.*' "$work/worker-transaction.log" | head -1 | cut -c1-160
else
  echo "not ok - transaction mode: status $(cat "$work/worker-transaction.status"), log:"
  tail -20 "$work/worker-transaction.log"
  failed=1
fi
run_worker session
if grep -q 'self-test passed' "$work/worker-session.log" && [ "$(cat "$work/worker-session.status")" = running ]; then
  echo "ok - session mode: the self-test passes and the worker keeps running"
else
  echo "not ok - session mode: status $(cat "$work/worker-session.status"), log:"
  tail -20 "$work/worker-session.log"
  failed=1
fi
if [ $failed = 0 ]; then echo "pooler: All 2 tests passed."; else echo "pooler: 1 of 2 tests failed."; fi
exit $failed

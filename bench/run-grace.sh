#!/usr/bin/env bash
# The grace-deadline benchmark: many sessions whose grace deadlines fall due
# within a minute, paused by the real session-clock-worker(s) against a
# throwaway cluster, beside a naive "cron every second" applier.
#
#   bench/run-grace.sh
#   GBENCH_SESSIONS=2000 GBENCH_SPREAD=10 bench/run-grace.sh   (quick: under a minute)
#
#   round "1 worker"   N sessions, deadlines uniform over SPREAD s, one worker
#   round "2 workers"  fresh N sessions, two workers on the same database
#   round "naive"      no worker: psql calls apply_due_deadlines(100000) at
#                      every whole second, on its own N/10 sessions
#
#   lateness of each pause = commit time of the transaction that wrote the
#   pause event (pg_xact_commit_timestamp, track_commit_timestamp = on)
#   minus the event's `at`, which is the deadline;
#   p50 / p90 / p99 / max over all pauses         goal: p99 <= 100 ms
#   every session paused, exactly once            goal: duplicates = 0
#   ours / naive lateness (p50, p99)              baseline in the same run
#   worker VmRSS: fresh with no sessions, then idle with N deadlines pending
#   (ratio), and the peak while applying them (VmHWM, reset just before the
#   first deadline); CPU of each worker and of its PostgreSQL backends; how
#   many pauses each worker applied (its /metrics); how often and how long
#   apply_due_deadlines ran (pg_stat_user_functions, track_functions = all).
#
# Each round: DROP/CREATE EXTENSION (fresh tables), start the worker(s) and
# read their memory, then create the sessions through the real RPCs
# (session_clock_start, then session_clock_configure(id, 1, grace) in
# batches, with no presence reported: each gets a deadline). Every grace is
# computed from one target window fixed before the batches run, so the
# deadlines fall in [T0, T0 + SPREAD] however long the batches take. T0 is
# planned LEAD s after the setup's expected end (configuring is taken to
# cost 4 times what the starts took; it measures about 3) and must fall at
# least 1 s after its real end, else the run stops (raise GBENCH_LEAD);
# the report shows the real lead. The workers run during the setup, as they
# would in production (each new deadline NOTIFYs them). The round ends when
# every session is paused, or SPREAD + DRAIN s after T0.
#
# Everything shares this host's CPUs: the run measures how busy the host was
# before the build, and, apart from the cluster and the workers, in each
# round (the fresh workers' first second; the deadline window); the report
# says when it was not idle (other work makes every figure worse). The cluster keeps its
# defaults (autovacuum on) besides track_commit_timestamp and track_functions.
#
# Tunables (environment): GBENCH_SESSIONS (100000), GBENCH_SPREAD (60 s),
# GBENCH_LEAD (s from the end of the setup to the first deadline: 1 per
# 10,000 sessions, 2..10), GBENCH_DRAIN (60 s), GBENCH_BATCH (5000 sessions
# per transaction), GBENCH_NAIVE_SESSIONS (SESSIONS/10; 0 skips the naive
# round), GBENCH_WORKER_COUNTS ("1 2": one round per count),
# GBENCH_WORKER_THREADS (2), BENCH_STRICT (1 = exit 1 when a goal is missed;
# default 0, a missed goal is a result).
#
# Output: the table on stdout and in bench/results/grace-latest.txt (also
# kept as bench/results/grace-<timestamp>.txt); progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The PostgreSQL that pg_config on PATH (or $PG_CONFIG) names, unless PG_BIN says.
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
SESSIONS=${GBENCH_SESSIONS:-100000}
SPREAD=${GBENCH_SPREAD:-60}
default_lead=$(( SESSIONS / 10000 < 2 ? 2 : (SESSIONS / 10000 > 10 ? 10 : SESSIONS / 10000) ))
LEAD=${GBENCH_LEAD:-$default_lead}
DRAIN=${GBENCH_DRAIN:-60}
BATCH=${GBENCH_BATCH:-5000}
NAIVE_SESSIONS=${GBENCH_NAIVE_SESSIONS:-$(( SESSIONS / 10 ))}
WORKER_COUNTS=${GBENCH_WORKER_COUNTS:-1 2}
WORKER_THREADS=${GBENCH_WORKER_THREADS:-2}
STRICT=${BENCH_STRICT:-0}
GOAL_P99_MS=100
NAIVE_LIMIT=100000  # what the naive applier passes to apply_due_deadlines
JWT_SECRET="grace-bench-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

die() { echo "bench-grace: $*" >&2; exit 1; }
log() { echo "bench-grace: $*" >&2; }

for v in SESSIONS SPREAD LEAD DRAIN BATCH NAIVE_SESSIONS WORKER_THREADS; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
[[ $WORKER_COUNTS =~ ^[1-9]( [1-9])*$ ]] || die "GBENCH_WORKER_COUNTS must be counts 1-9 separated by spaces (got '$WORKER_COUNTS')"
[ "$SESSIONS" -ge 1 ] && [ "$SPREAD" -ge 1 ] && [ "$LEAD" -ge 1 ] && [ "$BATCH" -ge 1 ] && [ "$WORKER_THREADS" -ge 1 ] \
  || die "need SESSIONS, SPREAD, LEAD, BATCH, WORKER_THREADS >= 1"
[ "$NAIVE_SESSIONS" -le "$NAIVE_LIMIT" ] || die "GBENCH_NAIVE_SESSIONS must be <= $NAIVE_LIMIT"
for tool in psql postgres; do [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool not found"; done
command -v curl >/dev/null || die "curl not found (reads the workers' /metrics)"

work=$(mktemp -d /tmp/session_clock_gbench.XXXXXX)
source bench/bench_env.sh  # host_busy_ticks, check_idle_before, build_and_install, commit_of, stop_workers, trap_cleanup, drop_cluster_and_exit
[ "$(id -u)" = 0 ] && chmod 755 "$work"
cluster="$work/pg"
worker_pids=() worker_ports=() worker_logs=() all_worker_logs=() stop_status=()
naive_pid=""

stop_naive() {
  [ -n "$naive_pid" ] || return 0
  kill -TERM "$naive_pid" 2>/dev/null || true
  wait "$naive_pid" 2>/dev/null || true
  naive_pid=""
}
cleanup() {
  local rc=$? f
  trap - EXIT INT TERM
  stop_naive
  stop_workers
  if [ "$rc" -ne 0 ]; then
    for f in "${all_worker_logs[@]}"; do
      [ -f "$f" ] && { echo "bench-grace: failed (exit $rc); last lines of $(basename "$f"):" >&2; tail -8 "$f" >&2; }
    done
    [ -f "$cluster/server.log" ] && { echo "bench-grace: last server log lines:" >&2; tail -10 "$cluster/server.log" >&2; }
  fi
  drop_cluster_and_exit "$rc"
}
trap_cleanup

# --- is the host idle? -------------------------------------------------------------
check_idle_before  # before anything of ours runs

# --- build and install ----------------------------------------------------------
log "building (extension, worker) and installing the extension"
build_and_install
commit=$(commit_of worker extension)

# --- the cluster ------------------------------------------------------------------
# track_commit_timestamp (when each pause was committed) needs a restart.
log "starting a throwaway cluster in $cluster"
url=$(scripts/pg-cluster start "$cluster")
pg_port=$(cat "$cluster/port")
pg_port_hex=$(printf '%04X' "$pg_port")
export PGHOST="$cluster" PGPORT="$pg_port" PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGOPTIONS PGPASSWORD
sql() { timeout 900 "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
sql -c "ALTER SYSTEM SET track_commit_timestamp = on" -c "ALTER SYSTEM SET track_functions = 'all'" >/dev/null
scripts/pg-cluster restart "$cluster"
[ "$(sql -c 'SHOW track_commit_timestamp')" = on ] || die "track_commit_timestamp did not become on"
sql >/dev/null <<'SQL'
\i scripts/supabase_roles.sql
SQL
pg_version=$(sql -c 'SHOW server_version')

# --- measuring helpers ----------------------------------------------------------------
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
now_s() { date +%s.%N; }
sleep_until() {  # sleep_until EPOCH_SECONDS
  sleep "$(awk -v t="$1" -v n="$(now_s)" 'BEGIN { d = t - n; printf "%.3f", (d > 0 ? d : 0) }')"
}
# utime + stime of one process, in ticks (the fields after "(comm) ").
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
proc_kib() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || true; }
# The cluster's CPU ticks: the postmaster, its reaped children and its live
# children (as bench/run.sh counts them).
cluster_ticks() {
  local pm pid t c
  pm=$(head -1 "$cluster/data/postmaster.pid" 2>/dev/null) || { echo 0; return 0; }
  t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pm/stat" 2>/dev/null) || t=0
  for pid in $(ps -o pid= --ppid "$pm" 2>/dev/null); do
    c=$(proc_ticks "$pid")
    t=$((t + c))
  done
  echo "$t"
}
children_ticks() {  # finished children of this script (psql, curl); `times` must run in this shell
  times >"$work/times"
  awk -v hz="$clk_tck" 'NR == 2 {
    n = split($0, f, " "); t = 0
    for (i = 1; i <= n; i++) { split(f[i], ms, "m"); sub("s", "", ms[2]); t += ms[1] * 60 + ms[2] }
    printf "%d", t * hz }' "$work/times"
}
ticks_s() { awk -v t="$1" -v hz="$clk_tck" 'BEGIN { printf "%.2f", t / hz }'; }
mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "-"; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (x != "" && x != "-" && y != "" && y != "-" && y > 0) printf "%.3f", x / y; else print "-" }'; }

# "Other" CPU: the host's busy ticks minus the cluster's, the workers' and
# this script's children's, as CPUs (1.00 = one core busy the whole time).
# window_begin sets the marks; window_end WORKER_TICKS_DELTA sets w_other
# and w_cluster (cluster CPU seconds). Both must run in this shell (`times`).
window_begin() {
  w_host0=$(host_busy_ticks) w_cluster0=$(cluster_ticks) w_t0=$(now_s)
  children_ticks >"$work/children0"
}
window_end() {
  local host1 cluster1 t1 c0 c1
  host1=$(host_busy_ticks) cluster1=$(cluster_ticks) t1=$(now_s)
  children_ticks >"$work/children1"
  c0=$(cat "$work/children0") c1=$(cat "$work/children1")
  w_other=$(awk -v o=$(( (host1 - w_host0) - (cluster1 - w_cluster0) - ${1:-0} - (c1 - c0) )) -v hz="$clk_tck" \
    -v w="$(awk -v a="$t1" -v b="$w_t0" 'BEGIN { print a - b }')" \
    'BEGIN { o = o < 0 ? 0 : o; printf "%.2f", (w > 0 ? o / hz / w : 0) }')
  w_cluster=$(ticks_s $(( cluster1 - w_cluster0 )))
}

metrics() { curl -fsS --max-time 2 "http://127.0.0.1:$1/metrics" 2>/dev/null || true; }
metric() { awk -v m="$2" '$1 == m { v = $2 } END { if (v != "") printf "%d", v }' <<<"$1"; }
applied_of() { metric "$(metrics "$1")" session_clock_deadlines_applied_total; }

start_worker() {  # start_worker LOG
  local log_file=$1 pid port="" m
  build/session-clock-worker --database-url "$url" --listen 127.0.0.1:0 --jwt-secret "$JWT_SECRET" \
    --threads "$WORKER_THREADS" --log-level info >"$log_file" 2>&1 &
  pid=$!
  worker_pids+=("$pid") worker_logs+=("$log_file") all_worker_logs+=("$log_file")
  for _ in $(seq 1 200); do
    port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$log_file" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || die "a worker exited at start"
    sleep 0.05
  done
  [ -n "$port" ] || die "a worker did not report its port"
  worker_ports+=("$port")
  # Ready: its LISTEN connection is up and a query (the lease) succeeded.
  for _ in $(seq 1 200); do
    m=$(metrics "$port")
    [ "$(metric "$m" session_clock_listener_up)" = 1 ] && [ "$(metric "$m" session_clock_database_up)" = 1 ] && return 0
    kill -0 "$pid" 2>/dev/null || die "a worker exited at start"
    sleep 0.05
  done
  die "a worker did not get its database connections up within 10 s"
}

# The PostgreSQL backends serving one worker: its TCP sockets to the
# cluster's port, matched to pg_stat_activity.client_port.
worker_backends() {
  local wpid=$1 inodes hex ports=""
  inodes=$(find "/proc/$wpid/fd" -maxdepth 1 -type l -printf '%l\n' 2>/dev/null \
    | sed -nE 's/^socket:\[([0-9]+)\]$/\1/p' | paste -sd' ')
  [ -n "$inodes" ] || return 0
  for hex in $(awk -v want="$inodes" -v pg="$pg_port_hex" '
      BEGIN { n = split(want, a, " "); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
      NR > 1 && ($10 in ok) { split($3, r, ":"); if (r[2] == pg) { split($2, l, ":"); print l[2] } }' \
      "/proc/$wpid/net/tcp" 2>/dev/null); do
    ports+="${ports:+,}$((16#$hex))"
  done
  [ -n "$ports" ] || return 0
  sql -c "SELECT pid FROM pg_stat_activity WHERE client_port IN ($ports)"
}

# --- one round ----------------------------------------------------------------------------
declare -A R            # R[round.field]: the figures
declare -A B0           # backend pid -> ticks at the start of the deadline window
rounds=()              # round keys (w1, w2, naive), in order
declare -A LABEL
join() { local IFS=/; echo "$*"; }

# Fresh tables for a round (no worker is connected between rounds).
fresh_extension() {
  sql -c "DROP EXTENSION IF EXISTS session_clock CASCADE" -c "CREATE EXTENSION session_clock" >/dev/null 2>"$work/ext.err" \
    || { cat "$work/ext.err" >&2; die "cannot recreate the extension"; }
}

# create_sessions ROUND N: start N clocks, then give each a deadline in
# [T0, T0 + SPREAD]. Sets R[ROUND.start_s], .configure_s, .lead_s, t0, t_last.
create_sessions() {
  local name=$1 n=$2 a b t_a t_b t_c allowance target pending lead
  t_a=$(now_s)
  for ((a = 1; a <= n; a += BATCH)); do
    b=$(( a + BATCH - 1 < n ? a + BATCH - 1 : n ))
    echo "SELECT count(*) FROM generate_series($a, $b) AS i, LATERAL session_clock_start(md5('g' || i)::uuid) AS c WHERE c.changed;"
  done | sql >"$work/start.out"
  [ "$(awk '{ s += $1 } END { print s + 0 }' "$work/start.out")" = "$n" ] || die "$name: not every session started"
  t_b=$(now_s)
  # Configuring costs about 3 starts (measured 2.7 to 2.9, workers running):
  # plan the window from 4, so a busier host still ends the setup in time.
  allowance=$(awk -v a="$t_a" -v b="$t_b" -v lead="$LEAD" 'BEGIN { printf "%.3f", 4 * (b - a) + 1 + lead }')
  target=$(sql -c "SELECT clock_timestamp() + interval '$allowance seconds'")
  log "  $name: $n clocks started in $(awk -v a="$t_a" -v b="$t_b" 'BEGIN { printf "%.1f", b - a }') s;" \
      "configuring deadlines in [$target + ${SPREAD} s]"
  # grace per row from the fixed target, right before its configure call.
  for ((a = 1; a <= n; a += BATCH)); do
    b=$(( a + BATCH - 1 < n ? a + BATCH - 1 : n ))
    echo "SELECT count(*) FROM generate_series($a, $b) AS i,
            LATERAL (SELECT md5('g' || i)::uuid AS id,
                            '$target'::timestamptz + random() * interval '$SPREAD seconds' AS deadline) AS t,
            LATERAL session_clock_configure(t.id, 1,
                    round(extract(epoch FROM t.deadline - clock_timestamp()) * 1000)::integer) AS c
          WHERE c.changed;"
  done | sql -v ON_ERROR_STOP=1 >"$work/configure.out" 2>"$work/configure.err" \
    || { cat "$work/configure.err" >&2; die "$name: configuring failed (a grace below 0 means the setup overran: raise GBENCH_LEAD)"; }
  t_c=$(now_s)
  IFS='|' read -r pending lead t0 t_last < <(sql -c "
    SELECT count(*), round(extract(epoch FROM min(grace_deadline_at) - clock_timestamp())::numeric, 3),
           extract(epoch FROM min(grace_deadline_at)), extract(epoch FROM max(grace_deadline_at))
    FROM session_clock.sessions WHERE grace_deadline_at IS NOT NULL")
  [ "$pending" = "$n" ] || die "$name: $pending of $n sessions have a deadline"
  awk -v l="$lead" 'BEGIN { exit !(l >= 1) }' \
    || die "$name: the setup ended ${lead} s before the first deadline (need >= 1 s): raise GBENCH_LEAD"
  R[$name.start_s]=$(awk -v a="$t_a" -v b="$t_b" 'BEGIN { printf "%.1f", b - a }')
  R[$name.configure_s]=$(awk -v a="$t_b" -v b="$t_c" 'BEGIN { printf "%.1f", b - a }')
  R[$name.lead_s]=$(awk -v l="$lead" 'BEGIN { printf "%.1f", l }')
  R[$name.span_s]=$(awk -v a="$t0" -v b="$t_last" 'BEGIN { printf "%.1f", b - a }')
  log "  $name: $n deadlines set in ${R[$name.configure_s]} s; the first is due in ${R[$name.lead_s]} s"
}

# The pauses as the event log has them, and the function's call counts.
collect_results() {
  local name=$1 n=$2 row
  row=$(sql -F'|' -c "
    WITH p AS (
      SELECT e.session_id, e.at, extract(epoch FROM pg_xact_commit_timestamp(e.xmin) - e.at) * 1000 AS ms
      FROM session_clock.session_events e WHERE e.event = 'pause'),
    g AS (SELECT session_id, deadline_at FROM session_clock.session_events WHERE event = 'grace_start')
    SELECT count(*), count(DISTINCT session_id),
           (SELECT count(*) FROM (SELECT FROM p GROUP BY session_id HAVING count(*) > 1) AS d),
           (SELECT count(*) FROM p JOIN g USING (session_id) WHERE p.at = g.deadline_at),
           count(ms),
           coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1)::text, '-'),
           coalesce(round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms)::numeric, 1)::text, '-'),
           coalesce(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1)::text, '-'),
           coalesce(round(max(ms)::numeric, 1)::text, '-'),
           coalesce(round(min(ms)::numeric, 1)::text, '-'),
           (SELECT count(*) FROM session_clock.sessions WHERE grace_deadline_at IS NOT NULL)
    FROM p")
  IFS='|' read -r R[$name.pauses] R[$name.paused_sessions] R[$name.dups] R[$name.at_deadline] R[$name.timed] \
    R[$name.p50] R[$name.p90] R[$name.p99] R[$name.max] R[$name.min] R[$name.pending] <<<"$row"
  # Over the window the pending deadlines fall from N to 0: lateness per
  # sixth of the pauses (by deadline) shows whether it depends on them.
  row=$(sql -F'|' -c "
    WITH p AS (
      SELECT ntile(6) OVER (ORDER BY e.at) AS part,
             extract(epoch FROM pg_xact_commit_timestamp(e.xmin) - e.at) * 1000 AS ms
      FROM session_clock.session_events e WHERE e.event = 'pause'),
    q AS (
      SELECT part, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric)::text AS p50,
             round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric)::text AS p99
      FROM p GROUP BY part)
    SELECT string_agg(p50, '/' ORDER BY part), string_agg(p99, '/' ORDER BY part) FROM q")
  IFS='|' read -r R[$name.p50_parts] R[$name.p99_parts] <<<"$row"
  row=$(sql -F'|' -c "
    SELECT coalesce(sum(calls), 0), coalesce(round((sum(total_time) / nullif(sum(calls), 0))::numeric, 2)::text, '-'),
           round((coalesce(sum(total_time), 0) / 1000)::numeric, 1)
    FROM pg_stat_user_functions WHERE schemaname = 'session_clock' AND funcname = 'apply_due_deadlines'")
  IFS='|' read -r R[$name.calls] R[$name.call_ms] R[$name.call_total_s] <<<"$row"
  R[$name.expected]=$n
}

# run_workers_round WORKERS N
run_workers_round() {
  local count=$1 n=$2 name="w$1" i pid k v end_by polls done_at="" sum a
  local -a rss_fresh=() rss_idle=() hwm_idle=() peak=() rss_end=() cpu_setup0=() cpu_win0=() cpu_win=() cpu_setup=() \
    backends_cpu=() applied=() hwm_reset=()
  rounds+=("$name")
  LABEL[$name]="$count worker$([ "$count" = 1 ] || echo s)"
  log "round ${LABEL[$name]}: $n sessions"
  fresh_extension
  for ((i = 0; i < count; i++)); do start_worker "$work/worker-$name-$i.log"; done
  # Fresh, no sessions: let the start-up settle, and see whether the host is idle.
  window_begin
  for ((i = 0; i < count; i++)); do cpu_setup0[i]=$(proc_ticks "${worker_pids[i]}"); done
  sleep 1
  k=0
  for ((i = 0; i < count; i++)); do
    rss_fresh[i]=$(proc_kib "${worker_pids[i]}" VmRSS)
    k=$(( k + $(proc_ticks "${worker_pids[i]}") - cpu_setup0[i] ))
  done
  window_end "$k"
  R[$name.other_fresh]=$w_other

  create_sessions "$name" "$n"

  # Idle with N pending, just before the first deadline.
  sleep_until "$(awk -v t="$t0" 'BEGIN { printf "%.3f", t - 1 }')"
  for ((i = 0; i < count; i++)); do
    pid=${worker_pids[i]}
    rss_idle[i]=$(proc_kib "$pid" VmRSS) hwm_idle[i]=$(proc_kib "$pid" VmHWM)
    # Writing 5 resets VmHWM to the current RSS (Linux >= 4.0): then VmHWM
    # at the end is the peak of the deadline window.
    if echo 5 >"/proc/$pid/clear_refs" 2>/dev/null; then hwm_reset[i]=1; else hwm_reset[i]=0; fi
    peak[i]=${rss_idle[i]}
    cpu_win0[i]=$(proc_ticks "$pid")
    cpu_setup[i]=$(( cpu_win0[i] - cpu_setup0[i] ))
  done
  B0=()
  for ((i = 0; i < count; i++)); do
    for pid in $(worker_backends "${worker_pids[i]}"); do B0[$pid]=$(proc_ticks "$pid"); done
  done
  sql -c "SELECT pg_stat_reset()" >/dev/null
  window_begin

  # Until every session is paused, or SPREAD + DRAIN s after the first deadline.
  end_by=$(awk -v t="$t0" -v s="$SPREAD" -v d="$DRAIN" 'BEGIN { printf "%.3f", t + s + d }')
  polls=$(awk -v e="$end_by" -v n="$(now_s)" 'BEGIN { printf "%d", (e - n) / 0.2 + 10 }')
  log "  $name: applying (up to $((SPREAD + DRAIN)) s after the first deadline)"
  for ((k = 1; k <= polls; k++)); do
    for ((i = 0; i < count; i++)); do
      v=$(proc_kib "${worker_pids[i]}" VmRSS)
      if [ -n "$v" ] && [ "$v" -gt "${peak[i]}" ]; then peak[i]=$v; fi
    done
    if (( k % 3 == 0 )) || awk -v t="$t_last" -v n="$(now_s)" 'BEGIN { exit !(n > t) }'; then
      sum=0
      for ((i = 0; i < count; i++)); do a=$(applied_of "${worker_ports[i]}"); sum=$(( sum + ${a:-0} )); done
      if [ "$sum" -ge "$n" ]; then done_at=$(now_s); break; fi
    fi
    if awk -v e="$end_by" -v n="$(now_s)" 'BEGIN { exit !(n > e) }'; then break; fi
    sleep 0.2
  done
  [ -n "$done_at" ] || log "  $name: not every session was paused within $((SPREAD + DRAIN)) s of the first deadline"

  # Before stopping: CPU, memory, counters (the backends' CPU while they live).
  k=0
  for ((i = 0; i < count; i++)); do
    pid=${worker_pids[i]}
    cpu_win[i]=$(( $(proc_ticks "$pid") - cpu_win0[i] ))
    k=$(( k + cpu_win[i] ))
    v=$(proc_kib "$pid" VmHWM)
    if [ "${hwm_reset[i]}" = 1 ] && [ -n "$v" ] && [ "$v" -gt "${peak[i]}" ]; then peak[i]=$v; fi
    rss_end[i]=$(proc_kib "$pid" VmRSS)
    applied[i]=$(applied_of "${worker_ports[i]}")
    v=0
    for a in $(worker_backends "$pid"); do v=$(( v + $(proc_ticks "$a") - ${B0[$a]:-0} )); done
    backends_cpu[i]=$v
  done
  window_end "$k"
  R[$name.other]=$w_other R[$name.cluster_cpu]=$w_cluster
  R[$name.wall]=$(awk -v a="$w_t0" -v b="${done_at:-$(now_s)}" 'BEGIN { printf "%.1f", b - a }')

  log "  $name: stopping the worker(s)"
  stop_workers
  R[$name.exit]=$(join "${stop_status[@]}")
  R[$name.exit_ok]=1
  for v in "${stop_status[@]}"; do [ "$v" = 0 ] || R[$name.exit_ok]=0; done
  # Backends flush their function statistics when they exit.
  for _ in $(seq 1 50); do
    [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'session-clock-worker%'")" = 0 ] && break
    sleep 0.1
  done
  collect_results "$name" "$n"

  local -a f_fresh=() f_idle=() f_ratio=() f_hwm=() f_peak=() f_end=() f_cpu_setup=() f_cpu=() f_be=()
  for ((i = 0; i < count; i++)); do
    f_fresh+=("$(mib "${rss_fresh[i]}")") f_idle+=("$(mib "${rss_idle[i]}")")
    f_ratio+=("$(ratio "${rss_idle[i]}" "${rss_fresh[i]}")") f_hwm+=("$(mib "${hwm_idle[i]}")")
    f_peak+=("$(mib "${peak[i]}")$([ "${hwm_reset[i]}" = 1 ] || echo '*')") f_end+=("$(mib "${rss_end[i]}")")
    f_cpu_setup+=("$(ticks_s "${cpu_setup[i]}")") f_cpu+=("$(ticks_s "${cpu_win[i]}")")
    f_be+=("$(ticks_s "${backends_cpu[i]}")")
  done
  R[$name.applied_by]=$(join "${applied[@]}")
  R[$name.rss_fresh]=$(join "${f_fresh[@]}") R[$name.rss_idle]=$(join "${f_idle[@]}")
  R[$name.rss_ratio]=$(join "${f_ratio[@]}") R[$name.hwm_idle]=$(join "${f_hwm[@]}")
  R[$name.peak]=$(join "${f_peak[@]}") R[$name.rss_end]=$(join "${f_end[@]}")
  R[$name.cpu_setup]=$(join "${f_cpu_setup[@]}") R[$name.cpu]=$(join "${f_cpu[@]}") R[$name.backends_cpu]=$(join "${f_be[@]}")
  log "  $name: ${R[$name.pauses]}/$n pauses, lateness p50 ${R[$name.p50]} p99 ${R[$name.p99]} max ${R[$name.max]} ms;" \
      "applied by worker: ${R[$name.applied_by]}; other host CPU ${R[$name.other]}"
}

# The "cron every second" applier: one psql session that calls
# apply_due_deadlines($NAIVE_LIMIT) at every whole second of the clock.
run_naive_round() {
  local name=naive n=$1 iterations end_by polls k pending done_at=""
  rounds+=("$name")
  LABEL[$name]="naive (cron 1 s)"
  log "round naive: psql calling apply_due_deadlines($NAIVE_LIMIT) every second, $n sessions"
  fresh_extension
  create_sessions "$name" "$n"
  end_by=$(awk -v t="$t0" -v s="$SPREAD" -v d="$DRAIN" 'BEGIN { printf "%.3f", t + s + d }')
  iterations=$(awk -v e="$end_by" -v n="$(now_s)" 'BEGIN { printf "%d", e - n + 2 }')
  for ((k = 0; k < iterations; k++)); do
    echo "SELECT applied FROM session_clock.apply_due_deadlines($NAIVE_LIMIT);"
    echo "SELECT FROM pg_sleep(1 - (extract(epoch FROM clock_timestamp()) % 1)::float8);"
  done >"$work/naive.sql"
  sleep_until "$(awk -v t="$t0" 'BEGIN { printf "%.3f", t - 1 }')"
  sql -c "SELECT pg_stat_reset()" >/dev/null
  window_begin
  timeout 900 "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -f "$work/naive.sql" >"$work/naive.out" 2>&1 &
  naive_pid=$!
  polls=$(awk -v e="$end_by" -v n="$(now_s)" 'BEGIN { printf "%d", (e - n) / 0.5 + 10 }')
  for ((k = 1; k <= polls; k++)); do
    sleep 0.5
    if awk -v t="$t_last" -v n="$(now_s)" 'BEGIN { exit !(n > t) }'; then
      pending=$(sql -c "SELECT count(*) FROM session_clock.sessions WHERE grace_deadline_at IS NOT NULL")
      if [ "$pending" = 0 ]; then done_at=$(now_s); break; fi
    fi
    if ! kill -0 "$naive_pid" 2>/dev/null; then break; fi
    if awk -v e="$end_by" -v n="$(now_s)" 'BEGIN { exit !(n > e) }'; then break; fi
  done
  [ -n "$done_at" ] || log "  naive: not every session was paused within $((SPREAD + DRAIN)) s of the first deadline"
  window_end 0
  R[$name.other]=$w_other R[$name.cluster_cpu]=$w_cluster
  R[$name.wall]=$(awk -v a="$w_t0" -v b="${done_at:-$(now_s)}" 'BEGIN { printf "%.1f", b - a }')
  stop_naive
  for _ in $(seq 1 50); do
    [ "$(sql -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")" = 0 ] && break
    sleep 0.1
  done
  collect_results "$name" "$n"
  log "  naive: ${R[$name.pauses]}/$n pauses, lateness p50 ${R[$name.p50]} p99 ${R[$name.p99]} max ${R[$name.max]} ms"
}

# --- the rounds ------------------------------------------------------------------------------
started=$(date +%s)
for count in $WORKER_COUNTS; do run_workers_round "$count" "$SESSIONS"; done
if [ "$NAIVE_SESSIONS" -gt 0 ]; then run_naive_round "$NAIVE_SESSIONS"; fi
elapsed=$(( $(date +%s) - started ))

# --- report ----------------------------------------------------------------------------------
results="$repo/bench/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/grace-$stamp.txt"
missed=0
get() { local v=${R[$1]:-}; echo "${v:--}"; }
row() {  # row LABEL FIELD: one column per round
  local label=$1 field=$2 r line
  line=$(printf '%-44s' "$label")
  for r in "${rounds[@]}"; do line+=$(printf ' %-25s' "$(get "$r.$field")"); done
  echo "$line"
}
for r in "${rounds[@]}"; do
  R[$r.applied_of]="$(get "$r.pauses")/$(get "$r.expected")"
  R[$r.timing]="$(get "$r.start_s") + $(get "$r.configure_s") s"
  R[$r.worst_other]=$(awk -v a="$(get "$r.other_fresh")" -v b="$(get "$r.other")" 'BEGIN { printf "%s / %s", a, b }')
  R[$r.cpu_per_pause]=$(awk -v c="$(get "$r.cluster_cpu")" -v n="$(get "$r.pauses")" \
    'BEGIN { if (c != "-" && n > 0) printf "%.3f", c * 1000 / n; else print "-" }')
  R[$r.calls_per_pause]="$(get "$r.calls") ($(ratio "$(get "$r.pauses")" "$(get "$r.calls")" | awk '{ printf "%.1f", $1 }') pauses each)"
done
naive_p50=$(get naive.p50) naive_p99=$(get naive.p99)
{
  echo "session_clock grace-deadline benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
  echo "host: $(nproc) CPUs, $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); PostgreSQL $pg_version (track_commit_timestamp = on)"
  echo "workers: --threads $WORKER_THREADS, default --max-deadline-wait-ms; apply_due_deadlines(1000) per sweep"
  echo "deadlines: uniform over $SPREAD s from T0 (T0 planned $LEAD s after the setup); sessions: $SESSIONS per worker round,"
  echo "  $NAIVE_SESSIONS for the naive applier (psql: apply_due_deadlines($NAIVE_LIMIT) at every whole second, no worker)"
  echo "lateness = commit time of the pause's transaction - its deadline (the pause event's at)"
  echo
  line=$(printf '%-44s' "")
  for r in "${rounds[@]}"; do line+=$(printf ' %-25s' "${LABEL[$r]}"); done
  echo "$line"
  row "pauses applied / expected" applied_of
  row "sessions paused more than once (goal 0)" dups
  row "pauses dated exactly at their deadline" at_deadline
  row "deadlines still pending at the end" pending
  row "lateness p50 (ms)" p50
  row "lateness p90 (ms)" p90
  row "lateness p99 (ms, goal <= $GOAL_P99_MS)" p99
  row "lateness max (ms)" max
  row "lateness min (ms)" min
  row "p50 per sixth of the window (ms)" p50_parts
  row "p99 per sixth of the window (ms)" p99_parts
  row "pauses applied, per worker (/metrics)" applied_by
  row "apply_due_deadlines calls, deadline window" calls_per_pause
  row "  mean ms per call" call_ms
  row "  total s inside the function" call_total_s
  row "worker VmRSS fresh, no sessions (MiB)" rss_fresh
  row "worker VmRSS idle, N pending (MiB)" rss_idle
  row "  ratio pending / fresh" rss_ratio
  row "worker VmHWM before T0, setup incl. (MiB)" hwm_idle
  row "worker peak RSS, deadline window (MiB)" peak
  row "worker VmRSS at the end (MiB)" rss_end
  row "worker CPU s during the setup" cpu_setup
  row "worker CPU s, deadline window" cpu
  row "its PostgreSQL backends' CPU s, same" backends_cpu
  row "whole cluster CPU s, same window" cluster_cpu
  row "  cluster CPU ms per pause" cpu_per_pause
  row "deadline window (T0 - 1 s to done), s" wall
  row "setup: start + configure" timing
  row "first deadline after the setup (s)" lead_s
  row "deadline span (s)" span_s
  row "worker exit status after SIGTERM" exit
  row "other CPUs busy: fresh / deadline window" worst_other
  echo
  echo "baseline ratios (ours / naive; below 1: ours is sooner):"
  for r in "${rounds[@]}"; do
    [ "$r" = naive ] && continue
    echo "  ${LABEL[$r]}: lateness p50 $(ratio "$(get "$r.p50")" "$naive_p50"), p99 $(ratio "$(get "$r.p99")" "$naive_p99")"
  done
  echo
  echo "goals:"
  for r in "${rounds[@]}"; do
    [ "$r" = naive ] && continue
    met=yes
    awk -v p="$(get "$r.p99")" -v g="$GOAL_P99_MS" 'BEGIN { exit !(p != "-" && p <= g) }' || { met=NO; missed=$((missed + 1)); }
    echo "  ${LABEL[$r]}: p99 <= $GOAL_P99_MS ms: $met"
    met=yes
    [ "$(get "$r.dups")" = 0 ] && [ "$(get "$r.pauses")" = "$(get "$r.expected")" ] \
      && [ "$(get "$r.at_deadline")" = "$(get "$r.expected")" ] || { met=NO; missed=$((missed + 1)); }
    echo "  ${LABEL[$r]}: every session paused once, at its deadline: $met"
    met=yes
    [ "$(get "$r.exit_ok")" = 1 ] || { met=NO; missed=$((missed + 1)); }
    echo "  ${LABEL[$r]}: every worker exited 0 after SIGTERM: $met"
  done
  echo
  echo "MiB per worker, separated by /; * = peak sampled every 0.2 s (VmHWM could not be reset)."
  echo "CPU: utime + stime from /proc; 'other' = CPUs busy with neither the cluster nor the workers"
  echo "(1.00 = one core all the time); busy before the first round: $idle_before$(awk -v o="$idle_before" \
    'BEGIN { if (o > 0.2) print " (NOT idle: every figure is pessimistic)" }')"
  echo "measured in ${elapsed}s"
  for r in "${rounds[@]}"; do
    if awk -v o="$(get "$r.other")" 'BEGIN { exit !(o != "-" && o > 0.2) }'; then
      echo "WARNING: other processes kept $(get "$r.other") CPUs busy during round '${LABEL[$r]}': its figures are pessimistic"
    fi
  done
  warnings=0
  for f in "${all_worker_logs[@]}"; do
    c=$(grep -cE 'level=(warning|error|critical)' "$f" || true)
    warnings=$((warnings + c))
  done
  if [ "$warnings" -gt 0 ]; then
    echo "worker logs: $warnings warning/error lines, e.g.:"
    cat "${all_worker_logs[@]}" | grep -E 'level=(warning|error|critical)' | head -3 || true
  fi
} >"$out"
cat "$out"
cp "$out" "$results/grace-latest.txt"
log "results in bench/results/grace-latest.txt"
if [ "$missed" -gt 0 ]; then
  log "$missed goal(s) missed"
  [ "$STRICT" = 1 ] && exit 1
fi
exit 0

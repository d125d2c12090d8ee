#!/usr/bin/env bash
# session_clock benchmarks: pgbench, side by side, against a throwaway cluster.
#
#   bench/run.sh            (or: make bench)
#
#   read     SELECT * FROM session_clock_get(id)   vs  the raw SELECT of the row   goal >= 0.95
#   read-hot the same, every client reading one row  vs  the raw SELECT of it       goal >= 0.9
#            (the fixed cost of a call, which random rows hide behind the index)
#   read-p   the same, portable edition              vs  the raw SELECT of the row   (information)
#   write    session_clock_pause + _resume         vs  the same in plpgsql          goal >= 1.3
#            (bench/baseline.sql: the 1.0-era tables and semantics, by hand; it
#            does less than 1.3 does and stays unchanged as a fixed reference)
#   write-p  the extension's pause + resume        vs  the portable edition's       goal >= 1.3
#   base-p   the portable edition's pause + resume vs  the plpgsql baseline's       goal >= 0.8
#   notify   the plpgsql baseline with pg_notify   vs  without it                   (information)
#
# The portable edition (portable/session_clock.sql: the same semantics as
# the extension, in PL/pgSQL) lives in its own database of the same
# cluster, bench_portable, seeded with the same clocks.
#
# Each side runs the same pgbench command: -M prepared, CLIENTS clients on
# THREADS threads, SECONDS seconds, ids drawn at random among SESSIONS seeded
# clocks (md5(i)::uuid on both sides, so mapping an integer to a uuid costs
# the same). Every pair runs ROUNDS times, alternating which side goes first;
# the table shows each side's mean TPS and the ratio of the means. The write
# tests run with synchronous_commit = off so they measure CPU, not fsync.
# Besides TPS it reports the cluster's CPU time per pgbench transaction (from
# /proc: steadier than TPS when the host is shared) and, per run, how much of
# the host's CPU other processes took; above 10% the report carries a warning.
# Tunables (environment): BENCH_SECONDS (10), BENCH_ROUNDS (2),
# BENCH_CLIENTS (4), BENCH_THREADS (2), BENCH_SESSIONS (10000),
# BENCH_WARMUP (3 seconds per script, 0 = none), BENCH_STRICT (1 = exit 1
# when a goal is missed; default 0, since a missed goal is a result).
#
# Output: the table on stdout and in bench/results/latest.txt (also kept as
# bench/results/<timestamp>.txt), pgbench logs in bench/results/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The PostgreSQL that pg_config on PATH (or $PG_CONFIG) names, unless PG_BIN says.
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
ROUNDS=${BENCH_ROUNDS:-2}
CLIENTS=${BENCH_CLIENTS:-4}
THREADS=${BENCH_THREADS:-2}
SESSIONS=${BENCH_SESSIONS:-10000}
WARMUP=${BENCH_WARMUP:-3}
STRICT=${BENCH_STRICT:-0}

die() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

for v in SECONDS_PER_RUN ROUNDS CLIENTS THREADS SESSIONS WARMUP; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
[ "$SECONDS_PER_RUN" -ge 1 ] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 20 ] && [ "$CLIENTS" -ge 1 ] \
  && [ "$THREADS" -ge 1 ] && [ "$THREADS" -le "$CLIENTS" ] && [ "$SESSIONS" -ge 1 ] \
  || die "need SECONDS >= 1, 1 <= ROUNDS <= 20, 1 <= THREADS <= CLIENTS, SESSIONS >= 1"
for tool in psql pgbench; do [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool not found"; done

work=$(mktemp -d /tmp/session_clock_bench.XXXXXX)
source bench/bench_env.sh  # host_busy_ticks, check_idle_before, build_and_install, install_write_sides, commit_of, stop_workers, trap_cleanup, drop_cluster_and_exit
[ "$(id -u)" = 0 ] && chown postgres: "$work"
cluster="$work/pg"
pgbench_pid=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$pgbench_pid" ]; then
    kill "$pgbench_pid" 2>/dev/null || true  # timeout passes it on to pgbench
    wait "$pgbench_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$cluster/server.log" ]; then
    echo "bench: failed (exit $rc); last server log lines:" >&2
    tail -15 "$cluster/server.log" >&2 || true
  fi
  drop_cluster_and_exit "$rc"
}
trap_cleanup

# --- build and install the extension under test ------------------------------
log "building and installing the extension"
build_and_install

# What was built: HEAD, plus a hash of any uncommitted extension/ changes.
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- extension 2>/dev/null)" ]; then
  # Name the uncommitted state, so that runs can be matched to it.
  commit+=" + uncommitted extension/ changes (diff $( { git diff HEAD -- extension; \
    git ls-files --others --exclude-standard -z -- extension | xargs -0r cat; } | sha1sum | cut -c1-10))"
fi

# --- the cluster ---------------------------------------------------------------
log "starting a throwaway cluster in $cluster"
scripts/pg-cluster start "$cluster" >/dev/null
export PGHOST="$cluster" PGPORT="$(cat "$cluster/port")" PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGOPTIONS PGPASSWORD

sql() { timeout 300 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v sessions="$SESSIONS" "$@"; }

# CPU, not the disk: no commit flush, no checkpoint or autovacuum in a run
# (each run starts after VACUUM ANALYZE + CHECKPOINT instead).
sql <<'SQL' >/dev/null
ALTER SYSTEM SET synchronous_commit = off;
ALTER SYSTEM SET autovacuum = off;
ALTER SYSTEM SET max_wal_size = '16GB';
ALTER SYSTEM SET checkpoint_timeout = '1h';
SELECT pg_reload_conf();
SQL
for _ in $(seq 1 50); do
  [ "$(sql -At -c 'SHOW synchronous_commit')" = off ] && break
  sleep 0.1
done
[ "$(sql -At -c 'SHOW synchronous_commit')" = off ] || die "synchronous_commit did not become off"

install_write_sides
pg_version=$(sql -At -c 'SHOW server_version')

# --- pgbench ---------------------------------------------------------------------
results="$repo/bench/results"
mkdir -p "$results/logs"
rm -f "$results"/logs/*.log

settle() { sql -c 'VACUUM ANALYZE' -c 'CHECKPOINT' >/dev/null; }

# CPU ticks used so far by the cluster: the postmaster, its reaped children
# (the backends of finished pgbench runs) and its live children (background
# processes). Empty if /proc can't tell. Unlike TPS, CPU per transaction
# hardly moves when something else on the host competes for the CPUs.
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
cluster_ticks() {
  local pm pid t c
  pm=$(head -1 "$cluster/data/postmaster.pid" 2>/dev/null) || return 0
  t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat" 2>/dev/null) || return 0
  for pid in $(ps -o pid= --ppid "$pm" 2>/dev/null); do
    c=$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null) || c=0
    t=$((t + c))
  done
  echo "$t"
}

# Busy CPU ticks of this script's finished children (pgbench); with the whole
# host's (host_busy_ticks, bench_env.sh) what is left is CPU that something
# else on the host used.
children_ticks() {  # `times` must run in this shell, not in a $(...) subshell
  times >"$work/times"
  awk -v hz="$clk_tck" 'NR == 2 {
    n = split($0, f, " "); t = 0
    for (i = 1; i <= n; i++) { split(f[i], ms, "m"); sub("s", "", ms[2]); t += ms[1] * 60 + ms[2] }
    printf "%d", t * hz }' "$work/times"
}
uptime_ticks() { awk -v hz="$clk_tck" '{ printf "%d", $1 * hz }' /proc/uptime 2>/dev/null || true; }

# pgbench_run SIDE SECONDS LOG: one pgbench run of SIDE, a script of
# bench/pgbench/ optionally followed by @DATABASE (default: postgres); sets
# RUN_TPS, RUN_CPU (server CPU microseconds per pgbench transaction) and
# RUN_OTHER (% of the host's CPU used by neither the cluster nor pgbench);
# "" when unknown.
pgbench_run() {
  local script=${1%@*} database=postgres seconds=$2 out=$3 t0 t1 n h0 h1 c0 c1 u0 u1
  [[ $1 == *@* ]] && database=${1#*@}
  children_ticks >"$work/c0"
  h0=$(host_busy_ticks) u0=$(uptime_ticks)
  t0=$(cluster_ticks)
  # In the background so that a signal to this script is handled at once
  # (cleanup stops it) rather than after the run.
  timeout $((seconds + 120)) "$PG_BIN/pgbench" -n -M prepared -c "$CLIENTS" -j "$THREADS" -T "$seconds" \
    -D sessions="${PICK_AMONG:-$SESSIONS}" -f "bench/pgbench/$script.sql" "$database" >"$out" 2>&1 &
  pgbench_pid=$!
  if ! wait "$pgbench_pid"; then
    pgbench_pid=""
    tail -20 "$out" >&2
    die "pgbench $script failed"
  fi
  pgbench_pid=""
  # Let the pgbench backends exit and be reaped, so their CPU is counted.
  local pm i
  pm=$(head -1 "$cluster/data/postmaster.pid")
  for i in $(seq 1 30); do
    ps -o args= --ppid "$pm" 2>/dev/null | grep -q '\[local\]' || break
    sleep 0.1
  done
  sleep 0.1
  t1=$(cluster_ticks)
  h1=$(host_busy_ticks) u1=$(uptime_ticks)
  children_ticks >"$work/c1"
  c0=$(cat "$work/c0") c1=$(cat "$work/c1")
  RUN_TPS=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$out" | tail -1)
  n=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' "$out" | tail -1)
  [ -n "$RUN_TPS" ] && [ -n "$n" ] && [ "$n" -gt 0 ] || { tail -20 "$out" >&2; die "no result in pgbench output for $script"; }
  if grep -qE '^number of failed transactions: [1-9]' "$out"; then
    tail -20 "$out" >&2
    die "pgbench $script had failed transactions"
  fi
  RUN_CPU="" RUN_OTHER=""
  if [ -n "$t0" ] && [ -n "$t1" ]; then
    RUN_CPU=$(awk -v d=$((t1 - t0)) -v hz="$clk_tck" -v n="$n" 'BEGIN { printf "%.1f", d / hz * 1e6 / n }')
    if [ -n "$h0" ] && [ -n "$h1" ] && [ -n "$u0" ] && [ -n "$u1" ] && [ "$u1" -gt "$u0" ]; then
      RUN_OTHER=$(awk -v o=$(( (h1 - h0) - (t1 - t0) - (c1 - c0) )) -v w=$((u1 - u0)) -v cpus="$(nproc)" \
        'BEGIN { o = o < 0 ? 0 : o; printf "%.0f%%", 100 * o / (w * cpus) }')
    fi
  fi
}

mean() { awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n; else print "" }'; }
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (x != "" && y != "" && y > 0) printf "%.3f", x / y; else print "-" }'; }

# run_pair NAME SCRIPT_A SCRIPT_B: ROUNDS alternating rounds. Sets TPS_A,
# TPS_B, CPU_A, CPU_B (means over the rounds) and ROUNDS_TEXT.
run_pair() {
  local name=$1 a=$2 b=$3 round first second script
  local -a tps_a=() tps_b=() cpu_a=() cpu_b=() other_a=() other_b=()
  ROUNDS_TEXT=""
  if [ "$WARMUP" -gt 0 ]; then
    for script in "$a" "$b"; do
      settle
      pgbench_run "$script" "$WARMUP" "$results/logs/$name.warmup.${script/@/.}.log"
    done
  fi
  for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) = 1 ]; then first=$a second=$b; else first=$b second=$a; fi
    for script in "$first" "$second"; do
      settle
      pgbench_run "$script" "$SECONDS_PER_RUN" "$results/logs/$name.r$round.${script/@/.}.log"
      log "  $name round $round: $script $RUN_TPS tps, ${RUN_CPU:-?} us server CPU/tx, other host CPU ${RUN_OTHER:-?}"
      if [ -n "$RUN_OTHER" ] && [ "${RUN_OTHER%\%}" -gt "$max_other" ]; then max_other=${RUN_OTHER%\%}; fi
      if [ "$script" = "$a" ]; then
        tps_a+=("$RUN_TPS") cpu_a+=("$RUN_CPU") other_a+=("${RUN_OTHER:--}")
      else
        tps_b+=("$RUN_TPS") cpu_b+=("$RUN_CPU") other_b+=("${RUN_OTHER:--}")
      fi
    done
    ROUNDS_TEXT+=$(printf '  %-7s %d, %-30s %9.1f vs %9.1f tps (%s)  %6s vs %6s us/tx  %4s / %-4s' \
      "$name" "$round" "$first first:" "${tps_a[-1]}" "${tps_b[-1]}" "$(ratio "${tps_a[-1]}" "${tps_b[-1]}")" \
      "${cpu_a[-1]:--}" "${cpu_b[-1]:--}" "${other_a[-1]}" "${other_b[-1]}")$'\n'
  done
  TPS_A=$(printf '%s\n' "${tps_a[@]}" | mean)
  TPS_B=$(printf '%s\n' "${tps_b[@]}" | mean)
  CPU_A=$(printf '%s\n' "${cpu_a[@]}" | grep . | mean || true)
  CPU_B=$(printf '%s\n' "${cpu_b[@]}" | grep . | mean || true)
}

rows=() cpu_rows=() details="" missed=0 max_other=0
# add_row TEST LABEL_A LABEL_B GOAL ("" = information only)
add_row() {
  local test=$1 label_a=$2 label_b=$3 goal=$4 r met
  r=$(ratio "$TPS_A" "$TPS_B")
  if [ -z "$goal" ]; then
    met="(info)" goal="-"
  elif awk -v r="$r" -v g="$goal" 'BEGIN { exit !(r >= g) }'; then
    met="yes" goal=">= $goal"
  else
    met="NO" goal=">= $goal" missed=$((missed + 1))
  fi
  rows+=("$(printf '%-7s %-26s %9s  %-26s %9s  %7s  %-7s %s' \
    "$test" "$label_a" "$TPS_A" "$label_b" "$TPS_B" "$r" "$goal" "$met")")
  cpu_rows+=("$(printf '%-7s %-26s %9s  %-26s %9s  %7s' \
    "$test" "$label_a" "${CPU_A:--}" "$label_b" "${CPU_B:--}" "$(ratio "$CPU_B" "$CPU_A")")")
  details+=$ROUNDS_TEXT
}

started=$(date +%s)
log "read: session_clock_get vs raw SELECT"
run_pair read read_get read_raw
add_row read "session_clock_get" "raw SELECT of the row" 0.95

log "read-hot: the same, all clients reading one row"
PICK_AMONG=1 run_pair read-hot read_get read_raw
add_row read-hot "session_clock_get, 1 row" "raw SELECT of 1 row" 0.9

log "read-p: the portable edition's session_clock_get vs raw SELECT"
run_pair read-p read_get@bench_portable read_raw@bench_portable
add_row read-p "portable session_clock_get" "raw SELECT of the row" ""

log "write: extension pause+resume vs plpgsql pause+resume"
run_pair write write_ext write_plpgsql
add_row write "ext pause+resume" "plpgsql pause+resume" 1.3

log "write-p: extension pause+resume vs the portable edition's"
run_pair write-p write_ext write_ext@bench_portable
add_row write-p "ext pause+resume" "portable pause+resume" 1.3

log "base-p: the portable edition's pause+resume vs plpgsql pause+resume"
run_pair base-p write_ext@bench_portable write_plpgsql
add_row base-p "portable pause+resume" "plpgsql pause+resume" 0.8

log "notify: plpgsql with vs without pg_notify"
run_pair notify write_plpgsql write_plpgsql_no_notify
add_row notify "plpgsql with pg_notify" "plpgsql without pg_notify" ""
elapsed=$(( $(date +%s) - started ))

sql -f bench/check_consistency.sql >"$work/consistency.log" \
  && sql -d bench_portable -f bench/check_consistency.sql >>"$work/consistency.log" \
  || { cat "$work/consistency.log" >&2; die "clock rows and event logs disagree after the runs"; }

# --- report ------------------------------------------------------------------------
report=$(
  echo "session_clock benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit"
  echo "PostgreSQL $pg_version, $(nproc) CPUs; $SESSIONS sessions; pgbench -M prepared -c $CLIENTS -j $THREADS -T $SECONDS_PER_RUN;"
  echo "$ROUNDS round(s) per pair, sides alternating, means shown; synchronous_commit=off;"
  echo "one pgbench transaction = 1 read, or 1 pause + 1 resume (two autocommit statements)"
  echo
  printf '%-7s %-26s %9s  %-26s %9s  %7s  %-7s %s\n' test "side A" "TPS A" "side B" "TPS B" "A/B" goal met
  printf '%s\n' "${rows[@]}"
  echo
  echo "server CPU per pgbench transaction, microseconds (all cluster processes; B/A > 1: A is cheaper)"
  printf '%-7s %-26s %9s  %-26s %9s  %7s\n' test "side A" "CPU A" "side B" "CPU B" "B/A"
  printf '%s\n' "${cpu_rows[@]}"
  echo
  echo "per round: TPS A vs B (A/B); server CPU us/tx A vs B; host CPU used by other processes"
  echo "during the A / B run (anything above a few % means the figures are noisy)"
  printf '%s' "$details"
  echo
  echo "measured in ${elapsed}s; pgbench logs in bench/results/logs/"
  if [ "$max_other" -ge 10 ]; then
    echo
    echo "WARNING: other processes used up to ${max_other}% of the host's CPU during a run: the TPS"
    echo "figures are unreliable; the server CPU per transaction is less affected. Run again when idle."
  fi
)
echo "$report"
echo "$report" >"$results/latest.txt"
cp "$results/latest.txt" "$results/$(date -u +%Y%m%dT%H%M%SZ).txt"

if [ "$missed" -gt 0 ]; then
  log "$missed goal(s) missed"
  [ "$STRICT" = 1 ] && exit 1
fi
exit 0

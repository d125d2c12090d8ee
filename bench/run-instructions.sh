#!/usr/bin/env bash
# Instructions per pause + resume (callgrind), side by side: the quiet twin
# of bench/run.sh's write rows.
#
#   bench/run-instructions.sh     (or: make bench-instructions)
#
#   write     extension pause + resume  vs  the plpgsql baseline's     goal >= 1.3
#   write-p   extension pause + resume  vs  the portable edition's     goal >= 1.3
#   base-p    portable pause + resume   vs  the plpgsql baseline's     goal >= 0.8
#   base-p-unchecked  the same on copies of both databases whose two tables
#             have no CHECK constraints (information: what the CHECKs cost)
#
# TPS on a shared 2-vCPU host moves by more than base-p's distance to its
# goal from one run to the next (docs/benchmarks.md); the instructions a
# backend executes for the same statements on the same data do not. Each
# side runs PAIRS pause + resume pairs (the ids bench/run.sh draws from, in
# a fixed scattered order) in a single-user backend (postgres --single)
# under callgrind, once after WARM pairs and once without them: the
# difference divided by PAIRS is what one more pair costs once the
# backend's caches are warm. Only execution and commit are counted
# (PortalRun, CommitTransactionCommand): what a prepared statement pays,
# without parsing the statement's text. Not counted: the kernel (WAL
# writes, NOTIFY's signal), the client and the network. A ratio is B's
# instructions over A's: above 1, A does less work.
#
# Tunables (environment): BENCH_PAIRS (1000), BENCH_WARM (200),
# BENCH_SESSIONS (10000), BENCH_NO_INSTALL (as bench/run.sh),
# BENCH_STRICT (1 = exit 1 when a goal is missed).
#
# Output: the table on stdout and in bench/results/instructions-latest.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
PAIRS=${BENCH_PAIRS:-1000}
WARM=${BENCH_WARM:-200}
SESSIONS=${BENCH_SESSIONS:-10000}
STRICT=${BENCH_STRICT:-0}

die() { echo "bench-instructions: $*" >&2; exit 1; }
log() { echo "bench-instructions: $*" >&2; }

for v in PAIRS WARM SESSIONS; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || die "$v must be a whole number >= 1 (got '${!v}')"
done
command -v valgrind >/dev/null || die "valgrind not found (scripts/install-deps.sh installs it)"
for tool in psql postgres pg_ctl; do [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool not found"; done

work=$(mktemp -d /tmp/session_clock_bench.XXXXXX)
source bench/bench_env.sh  # build_and_install, commit_of, trap_cleanup, drop_cluster_and_exit
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$work"
cluster="$work/pg"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  drop_cluster_and_exit "$rc"
}
trap_cleanup

log "building and installing the extension"
build_and_install
commit=$(commit_of extension portable bench/baseline.sql)

log "starting a throwaway cluster in $cluster"
scripts/pg-cluster start "$cluster" >/dev/null
export PGHOST="$cluster" PGPORT="$(cat "$cluster/port")" PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGOPTIONS PGPASSWORD
sql() { timeout 300 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v sessions="$SESSIONS" "$@"; }

log "creating the extension, the plpgsql baseline and the portable edition; seeding $SESSIONS sessions"
sql -c 'CREATE EXTENSION session_clock' >/dev/null
sql -f bench/baseline.sql >/dev/null
sql -f bench/seed.sql >"$work/seed.log" || { cat "$work/seed.log" >&2; die "seeding failed"; }
sql -c 'CREATE DATABASE bench_portable' >/dev/null
sql -d bench_portable -f portable/session_clock.sql >/dev/null
sql -d bench_portable -c "SELECT count(*) FROM generate_series(1, $SESSIONS) AS i,
                            LATERAL session_clock_start(md5(i::text)::uuid) AS c WHERE c.changed" >/dev/null
pg_version=$(sql -At -c 'SHOW server_version')

# The unchecked copies: every CHECK of the tables a pause and a resume write.
drop_checks() {  # DATABASE TABLE...
  local database=$1
  shift
  for table in "$@"; do
    sql -d "$database" -At -c "SELECT format('ALTER TABLE %s DROP CONSTRAINT %I;', conrelid::regclass, conname)
                                 FROM pg_catalog.pg_constraint
                                WHERE contype = 'c' AND conrelid = '$table'::regclass" | sql -d "$database"
  done
}
sql -c 'CREATE DATABASE bench_baseline_unchecked TEMPLATE postgres' \
    -c 'CREATE DATABASE bench_portable_unchecked TEMPLATE bench_portable' >/dev/null
drop_checks bench_baseline_unchecked bench_baseline.sessions bench_baseline.session_events
drop_checks bench_portable_unchecked session_clock.sessions session_clock.session_events

# One statement file per side and length: COUNT pairs from pair number
# FIRST on, each naming the column it keeps (single-user mode prints
# every row it returns; one boolean costs every side the same).
statements() {  # PAUSE RESUME FIRST COUNT
  sql -At -c "SELECT format('SELECT (%s(%L, ''bench'')).changed;' || chr(10) || 'SELECT (%s(%L, ''bench'')).changed;',
                            '$1', id, '$2', id)
                FROM generate_series($3, $3 + $4 - 1) AS n,
                     LATERAL (SELECT md5((n * 7919 % $SESSIONS + 1)::text)::uuid AS id) AS pick
               ORDER BY n"
}
statements session_clock_pause session_clock_resume 1 "$WARM" >"$work/ext.warm.sql"
statements session_clock_pause session_clock_resume $((WARM + 1)) "$PAIRS" >"$work/ext.measured.sql"
statements bench_baseline.pause bench_baseline.resume 1 "$WARM" >"$work/baseline.warm.sql"
statements bench_baseline.pause bench_baseline.resume $((WARM + 1)) "$PAIRS" >"$work/baseline.measured.sql"
[ "$(id -u)" = 0 ] && chown postgres: "$work"/*.sql

log "stopping the server: each side runs in a backend of its own"
as_owner "$PG_BIN/pg_ctl" -D "$cluster/data" stop -m fast >/dev/null

# instructions DATABASE KIND FILE...: the instructions callgrind counted in
# PortalRun and CommitTransactionCommand while one backend ran the FILEs.
instructions() {
  local database=$1 kind=$2 out
  shift 2
  out="$work/callgrind.$database.$kind"
  cat "$@" | as_owner valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect=PortalRun --toggle-collect=CommitTransactionCommand \
    "$PG_BIN/postgres" --single -D "$cluster/data" -c synchronous_commit=off "$database" \
    >"$work/$database.$kind.log" 2>&1 || { tail -20 "$work/$database.$kind.log" >&2; die "the $database backend failed"; }
  if grep -q ERROR "$work/$database.$kind.log"; then
    grep -m 3 ERROR "$work/$database.$kind.log" >&2
    die "a statement failed in $database"
  fi
  sed -nE 's/^summary: ([0-9]+)$/\1/p' "$out"
}

# per_pair DATABASE SIDE: instructions of one more pause + resume.
# The warm-only run comes first, so the measured run starts from the data
# the warm pairs left, as its own first pairs did.
per_pair() {
  local database=$1 side=$2 warm all
  warm=$(instructions "$database" warm "$work/$side.warm.sql")
  all=$(instructions "$database" all "$work/$side.warm.sql" "$work/$side.measured.sql")
  awk -v w="$warm" -v a="$all" -v n="$PAIRS" 'BEGIN { printf "%.0f", (a - w) / n }'
}

started=$(date +%s)
declare -A ir
for side in postgres:ext postgres:baseline bench_portable:ext \
            bench_baseline_unchecked:baseline bench_portable_unchecked:ext; do
  log "counting $PAIRS pairs in ${side%%:*} (${side#*:} functions)"
  ir[$side]=$(per_pair "${side%%:*}" "${side#*:}")
done
elapsed=$(( $(date +%s) - started ))

rows=() missed=0
add_row() {  # TEST LABEL_A SIDE_A LABEL_B SIDE_B GOAL ("" = information only)
  local r goal=$6 met
  r=$(awk -v a="${ir[$3]}" -v b="${ir[$5]}" 'BEGIN { printf "%.3f", b / a }')
  if [ -z "$goal" ]; then
    met="(info)" goal="-"
  elif awk -v r="$r" -v g="$goal" 'BEGIN { exit !(r >= g) }'; then
    met="yes" goal=">= $goal"
  else
    met="NO" goal=">= $goal" missed=$((missed + 1))
  fi
  rows+=("$(printf '%-16s %-24s %9s  %-24s %9s  %6s  %-7s %s' "$1" "$2" "${ir[$3]}" "$4" "${ir[$5]}" "$r" "$goal" "$met")")
}
add_row write "ext pause+resume" postgres:ext "plpgsql pause+resume" postgres:baseline 1.3
add_row write-p "ext pause+resume" postgres:ext "portable pause+resume" bench_portable:ext 1.3
add_row base-p "portable pause+resume" bench_portable:ext "plpgsql pause+resume" postgres:baseline 0.8
add_row base-p-unchecked "portable, no CHECKs" bench_portable_unchecked:ext \
  "plpgsql, no CHECKs" bench_baseline_unchecked:baseline ""

results="$repo/bench/results"
mkdir -p "$results"
report=$(
  echo "session_clock instruction counts, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit"
  echo "PostgreSQL $pg_version; $SESSIONS sessions; callgrind, single-user backend, synchronous_commit=off;"
  echo "instructions per pause + resume: (those of $WARM + $PAIRS pairs minus those of $WARM) / $PAIRS;"
  echo "counted in PortalRun and commit only (no parsing, kernel, client or network)"
  echo
  printf '%-16s %-24s %9s  %-24s %9s  %6s  %-7s %s\n' test "side A" "Ir A" "side B" "Ir B" "B/A" goal met
  printf '%s\n' "${rows[@]}"
  echo
  echo "measured in ${elapsed}s"
)
echo "$report"
echo "$report" >"$results/instructions-latest.txt"
log "results in bench/results/instructions-latest.txt"

if [ "$missed" -gt 0 ]; then
  log "$missed goal(s) missed"
  [ "$STRICT" = 1 ] && exit 1
fi
exit 0

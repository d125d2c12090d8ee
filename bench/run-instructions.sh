#!/usr/bin/env bash
# Instructions per operation (callgrind), side by side: the quiet twin of
# bench/run.sh, on its tests and statements.
#
#   bench/run-instructions.sh     (or: make bench-instructions)
#
#   read      session_clock_get            vs  the raw SELECT of the row
#   read-hot  the same, one row every time vs  the raw SELECT of it
#   write     extension pause + resume     vs  the plpgsql baseline's
#   write-p   extension pause + resume     vs  the portable edition's
#   base-p    portable pause + resume      vs  the plpgsql baseline's
#   base-p-unchecked  the same on copies of both databases whose two written
#             tables have no CHECK constraints (what those constraints cost)
#
# TPS on a shared 2-vCPU host moves by more than some goals' margins from
# one run to the next (docs/benchmarks.md); the instructions a backend
# executes for the same statements on the same data do not. Each side
# prepares bench/pgbench/'s statements and EXECUTEs them (on the ids
# bench/run.sh draws from, in a fixed scattered order) in a single-user
# backend (postgres --single) under callgrind, WARM times and then
# WARM + COUNT times: the difference divided by COUNT is what one more
# costs once the backend's caches are warm. Counted: the EXECUTE (the
# cached plan and its locks, the run) and the commit, which is what a
# pgbench Bind + Execute + Sync costs the backend, less the protocol and
# the text form of the rows. Not counted either: the kernel (WAL writes,
# NOTIFY's signal), the client and the network, which both sides pay
# alike. So these ratios are wider than bench/run.sh's TPS ratios, whose
# goals (issue 18) bench/run.sh judges; these say how the backend's own
# work compares. A ratio is B's instructions over A's: above 1, A does
# less.
#
# Tunables (environment): BENCH_COUNT (1000), BENCH_WARM (200),
# BENCH_SESSIONS (10000), BENCH_NO_INSTALL (as bench/run.sh).
#
# Output: the table on stdout and in bench/results/instructions-latest.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
COUNT=${BENCH_COUNT:-1000}
WARM=${BENCH_WARM:-200}
SESSIONS=${BENCH_SESSIONS:-10000}

die() { echo "bench-instructions: $*" >&2; exit 1; }
log() { echo "bench-instructions: $*" >&2; }

for v in COUNT WARM SESSIONS; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -ge 1 ] || die "$v must be a whole number >= 1 (got '${!v}')"
done
command -v valgrind >/dev/null || die "valgrind not found (scripts/install-deps.sh installs it)"
for tool in psql postgres pg_ctl; do [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool not found"; done

work=$(mktemp -d /tmp/session_clock_bench.XXXXXX)
source bench/bench_env.sh  # build_and_install, install_write_sides, commit_of, trap_cleanup, drop_cluster_and_exit
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
commit=$(commit_of extension portable bench)

log "starting a throwaway cluster in $cluster"
scripts/pg-cluster start "$cluster" >/dev/null
export PGHOST="$cluster" PGPORT="$(cat "$cluster/port")" PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGOPTIONS PGPASSWORD
sql() { timeout 300 "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -v sessions="$SESSIONS" "$@"; }

install_write_sides
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

# statements NAME SPREAD PREPARE TEMPLATE: $work/NAME.warm.sql (the
# PREPARE statements, then WARM operations) and $work/NAME.measured.sql
# (COUNT more), one operation per TEMPLATE, its %1$L the id md5(k)::uuid of
# a k scattered over SPREAD sessions (1: every operation on one hot row).
# The prepared statements are bench/pgbench/'s; single-user mode takes one
# statement per line.
statements() {
  local name=$1 spread=$2 prepare=$3 template=$4
  for part in "warm 1 $WARM" "measured $((WARM + 1)) $((WARM + COUNT))"; do
    set -- $part
    { [ "$1" = warm ] && echo "$prepare"
      sql -At -v template="$template" -v first="$2" -v last="$3" -v spread="$spread" <<'SQL'
SELECT format(:'template', md5((n * 7919 % :spread + 1)::text)::uuid) FROM generate_series(:first, :last) AS n ORDER BY n;
SQL
    } >"$work/$name.$1.sql"
  done
}
get='PREPARE get(uuid) AS SELECT * FROM session_clock_get($1);'
raw='PREPARE raw(uuid) AS SELECT id, started_at, is_paused, total_paused_ms, last_state_change_at, ended_at, version'
raw+=' FROM session_clock.sessions WHERE id = $1;'
write=$'PREPARE pause(uuid) AS SELECT * FROM session_clock_pause($1, \'bench\');\n'
write+=$'PREPARE resume(uuid) AS SELECT * FROM session_clock_resume($1, \'bench\');'
baseline=$'PREPARE pause(uuid) AS SELECT * FROM bench_baseline.pause($1, \'bench\');\n'
baseline+=$'PREPARE resume(uuid) AS SELECT * FROM bench_baseline.resume($1, \'bench\');'
pair=$'EXECUTE pause(%1$L);\nEXECUTE resume(%1$L);'
statements get "$SESSIONS" "$get" 'EXECUTE get(%1$L);'
statements raw "$SESSIONS" "$raw" 'EXECUTE raw(%1$L);'
statements get-hot 1 "$get" 'EXECUTE get(%1$L);'
statements raw-hot 1 "$raw" 'EXECUTE raw(%1$L);'
statements write "$SESSIONS" "$write" "$pair"
statements write-baseline "$SESSIONS" "$baseline" "$pair"
[ "$(id -u)" = 0 ] && chown postgres: "$work"/*.sql

log "stopping the server: each side runs in a backend of its own"
as_owner "$PG_BIN/pg_ctl" -D "$cluster/data" stop -m fast >/dev/null

# instructions DATABASE KIND FILE...: the instructions callgrind counted in
# ExecuteQuery (EXECUTE: the cached plan, its locks, the run; the rows go
# to a tuplestore that single-user mode prints afterwards, uncounted) and
# CommitTransactionCommand while one backend ran the FILEs.
instructions() {
  local database=$1 kind=$2 out
  shift 2
  out="$work/callgrind.$database.$kind"
  cat "$@" | as_owner valgrind --tool=callgrind --callgrind-out-file="$out" \
    --toggle-collect=ExecuteQuery --toggle-collect=CommitTransactionCommand \
    "$PG_BIN/postgres" --single -D "$cluster/data" -c synchronous_commit=off "$database" \
    >"$work/$database.$kind.log" 2>&1 || { tail -20 "$work/$database.$kind.log" >&2; die "the $database backend failed"; }
  if grep -q ERROR "$work/$database.$kind.log"; then
    grep -m 3 ERROR "$work/$database.$kind.log" >&2
    die "a statement failed in $database"
  fi
  sed -nE 's/^summary: ([0-9]+)$/\1/p' "$out"
}

# per_operation DATABASE NAME: the instructions of one more of NAME's
# operations. The warm-only run comes first, so the measured run starts
# from the data the warm operations left, as its own first ones did.
per_operation() {
  local database=$1 name=$2 warm all
  warm=$(instructions "$database" "$name.warm" "$work/$name.warm.sql")
  all=$(instructions "$database" "$name.all" "$work/$name.warm.sql" "$work/$name.measured.sql")
  awk -v w="$warm" -v a="$all" -v n="$COUNT" 'BEGIN { printf "%.0f", (a - w) / n }'
}

started=$(date +%s)
declare -A ir
for side in postgres:get postgres:raw postgres:get-hot postgres:raw-hot \
            postgres:write postgres:write-baseline bench_portable:write \
            bench_baseline_unchecked:write-baseline bench_portable_unchecked:write; do
  log "counting $COUNT operations: ${side#*:} in ${side%%:*}"
  ir[$side]=$(per_operation "${side%%:*}" "${side#*:}")
done
elapsed=$(( $(date +%s) - started ))

rows=()
add_row() {  # TEST LABEL_A SIDE_A LABEL_B SIDE_B
  rows+=("$(printf '%-16s %-26s %9s  %-26s %9s  %6s' "$1" "$2" "${ir[$3]}" "$4" "${ir[$5]}" \
    "$(awk -v a="${ir[$3]}" -v b="${ir[$5]}" 'BEGIN { printf "%.3f", b / a }')")")
}
add_row read "session_clock_get" postgres:get "raw SELECT of the row" postgres:raw
add_row read-hot "session_clock_get, 1 row" postgres:get-hot "raw SELECT of 1 row" postgres:raw-hot
add_row write "ext pause+resume" postgres:write "plpgsql pause+resume" postgres:write-baseline
add_row write-p "ext pause+resume" postgres:write "portable pause+resume" bench_portable:write
add_row base-p "portable pause+resume" bench_portable:write "plpgsql pause+resume" postgres:write-baseline
add_row base-p-unchecked "portable, no CHECKs" bench_portable_unchecked:write \
  "plpgsql, no CHECKs" bench_baseline_unchecked:write-baseline

results="$repo/bench/results"
mkdir -p "$results"
report=$(
  echo "session_clock instruction counts, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit"
  echo "PostgreSQL $pg_version; $SESSIONS sessions; callgrind, single-user backend, synchronous_commit=off;"
  echo "instructions per operation (a read, or a pause + resume):"
  echo "(those of $WARM + $COUNT operations minus those of $WARM) / $COUNT, counted in EXECUTE"
  echo "and commit (not: protocol, text output, kernel, client, network); B/A > 1: A does less"
  echo
  printf '%-16s %-26s %9s  %-26s %9s  %6s\n' test "side A" "Ir A" "side B" "Ir B" "B/A"
  printf '%s\n' "${rows[@]}"
  echo
  echo "measured in ${elapsed}s"
)
echo "$report"
echo "$report" >"$results/instructions-latest.txt"
log "results in bench/results/instructions-latest.txt"

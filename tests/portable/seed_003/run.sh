#!/usr/bin/env bash
# Seed 003's app (app.sql, fill.sql) meets session_clock: the portable script
# refuses it, naming its three RPCs, and creates nothing; then
# portable/migrate_from_seed_003.sql moves its timers over (twice: the second
# run changes nothing), and check.sql compares them.
#
#   tests/portable/seed_003/run.sh OWNER   with PGHOST/PGPORT set; as root,
#                                          psql runs as postgres
set -euo pipefail
cd "$(dirname "$0")/../../.."
owner=$1 db=regress_seed_003
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_owner() { as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -U "$owner" -d $db "$@"; }

as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER $owner"
psql_owner -f tests/portable/seed_003/app.sql -f tests/portable/seed_003/fill.sql >/dev/null

echo "-- the portable script refuses, naming the seed's functions, and leaves nothing"
if out=$(psql_owner -f portable/session_clock.sql 2>&1); then echo "installed beside seed 003's RPCs"; exit 1; fi
for f in 'session_clock_get(uuid) returning record' 'session_clock_pause(uuid,text) returning jsonb' \
         'session_clock_resume(uuid,text) returning jsonb'; do
  grep -qF "$f" <<<"$out" || { echo "the refusal does not name $f:"; echo "$out"; exit 1; }
done
left=$(psql_owner -At -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'session\_clock%'")
[ "$left" = 0 ] || { echo "a refused install left $left schemas"; exit 1; }
echo "refused: $(grep -o 'ERROR:.*' <<<"$out" | cut -c1-80)..."

echo "-- the migration, twice"
psql_owner -f portable/migrate_from_seed_003.sql
psql_owner -f portable/migrate_from_seed_003.sql
echo "-- the timers"
psql_owner -f tests/portable/seed_003/check.sql
as_pg "$PG_BIN/psql" -X -q -d postgres -c "DROP DATABASE $db"

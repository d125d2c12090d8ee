#!/usr/bin/env bash
# An upgrade in place: a database that ran an earlier portable script
# (session_clock-1.3-first.sql, committed as it was) and holds rows made
# through the API gets the current script; every row, sequence and default
# must be kept (keep.sql, check.sql), and the catalog must be a fresh
# install's (tests/portable/catalog.sql against FRESH_DB).
#
#   tests/portable/upgrade/run.sh OWNER FRESH_DB   with PGHOST/PGPORT set; as
#                                                  root, psql runs as postgres
set -euo pipefail
cd "$(dirname "$0")/../../.."
owner=$1 fresh=$2 db=regress_portable_upgrade
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_as() { local role=$1 d=$2; shift 2; as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -U "$role" -d "$d" "$@"; }

psql_as postgres postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
  -c "CREATE DATABASE $db OWNER $owner"
psql_as "$owner" $db -f tests/portable/upgrade/session_clock-1.3-first.sql
psql_as "$owner" $db -f tests/portable/move/fill.sql >/dev/null
psql_as "$owner" $db -c "UPDATE session_clock.settings SET grace_ms = 45000"
psql_as postgres $db -At -f tests/portable/upgrade/keep.sql
echo "-- the current script over it"
psql_as "$owner" $db -f portable/session_clock.sql
psql_as postgres $db -f tests/portable/upgrade/check.sql
if diff -u --label fresh --label upgraded <(psql_as postgres "$fresh" -At -f tests/portable/catalog.sql) \
     <(psql_as postgres $db -At -f tests/portable/catalog.sql); then
  echo "catalog: the same as a fresh install's"
else
  echo "catalog: the upgraded database differs from a fresh install (- fresh, + upgraded)"
  exit 1
fi
psql_as postgres postgres -c "DROP DATABASE $db"

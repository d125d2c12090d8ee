#!/usr/bin/env bash
# scripts/move-edition both ways on a database filled through the API: the
# portable edition (its owner not a superuser) to the extension and back,
# every row and sequence the same after each move (digest.sql), the
# sequences going on where they were, and the edition in place each time.
#
#   tests/portable/move/run.sh OWNER   with PGHOST/PGPORT set and the
#                                      extension installed; as root, psql
#                                      runs as postgres
set -euo pipefail
cd "$(dirname "$0")/../../.."
owner=$1 db=regress_move
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
export PATH=$PG_BIN:$PATH
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- env PATH="$PATH" "$@"; else "$@"; fi; }
psql_as() { local role=$1; shift; as_pg psql -X -q -v ON_ERROR_STOP=1 -U "$role" -d $db "$@"; }
digest() { psql_as postgres -At -f tests/portable/move/digest.sql; }
edition() {
  psql_as postgres -At -c "SELECT coalesce((SELECT 'the extension ' || extversion FROM pg_extension WHERE extname = 'session_clock'),
    (SELECT 'the portable edition, owned by ' || nspowner::regrole FROM pg_namespace WHERE nspname = 'session_clock_portable'))"
}

as_pg psql -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db OWNER $owner"
psql_as "$owner" -f portable/session_clock.sql
psql_as "$owner" -f tests/portable/move/fill.sql >/dev/null
before=$(digest)
echo "-- $(edition): $(grep -c . <<<"$before") tables and sequences"
grep -q '^session_events|[1-9]' <<<"$before" || { echo "no events to move"; exit 1; }

# An app's view of our table: the move refuses, naming it, and changes nothing.
psql_as "$owner" -c "CREATE VIEW public.app_clocks AS SELECT id FROM session_clock.sessions"
if out=$(as_pg scripts/move-edition to-extension -U postgres -d $db 2>&1); then echo "moved under a view"; exit 1; fi
grep -q 'view public.app_clocks' <<<"$out" || { echo "the refusal does not name the view: $out"; exit 1; }
[ "$(digest)" = "$before" ] && [ "$(edition)" = "the portable edition, owned by $owner" ] \
  || { echo "a refused move changed something"; exit 1; }
psql_as "$owner" -c "DROP VIEW public.app_clocks"
echo "refused while a view depends on it: $(grep -o 'ERROR:.*' <<<"$out")"

as_pg scripts/move-edition to-extension -U postgres -d $db
echo "-- $(edition)"
[ "$(digest)" = "$before" ] || { echo "the extension holds other rows:"; diff <(echo "$before") <(digest); exit 1; }
echo "same rows and sequences"

as_pg scripts/move-edition to-portable --owner "$owner" -U postgres -d $db
echo "-- $(edition)"
[ "$(digest)" = "$before" ] || { echo "the portable edition holds other rows:"; diff <(echo "$before") <(digest); exit 1; }
echo "same rows and sequences"

# The sequences go on: the next event's id follows the last one moved, and
# the owner is the admin again.
last=$(psql_as "$owner" -At -c "SELECT max(id) FROM session_clock.session_events")
psql_as "$owner" -At -c "SELECT changed FROM session_clock_pause('a0be0000-0000-4000-8000-000000000001', 'after the move')" >/dev/null
next=$(psql_as "$owner" -At -c "SELECT id FROM session_clock.session_events WHERE reason = 'after the move'")
[ "$next" = $((last + 1)) ] || { echo "the event after the moves has id $next, not $((last + 1))"; exit 1; }
echo "the next event: id $next, after $last"
as_pg psql -X -q -d postgres -c "DROP DATABASE $db"

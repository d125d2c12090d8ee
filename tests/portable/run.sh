#!/usr/bin/env bash
# The shared pg_regress files and isolation specs against the portable
# edition (portable/session_clock.sql), installed by the database's owner,
# who is not a superuser, in a throwaway cluster; then the portable
# edition's own tests (tests/portable/sql: re-runs, refusals), the catalogs
# compared, a database moved between the editions (tests/portable/move),
# an earlier script's database upgraded in place (tests/portable/upgrade),
# and seed 003's migration (tests/portable/seed_003).
#
# Expected outputs are the extension's (expected/, tests/isolation/expected)
# with, per file, at most one small patch in tests/portable/expected/*.diff
# naming what must differ and why (docs/portable.md lists them). The specs
# go through tests/portable/specs.sed: their database has the portable
# edition instead of CREATE EXTENSION, and its defaults are a table row.
# psql runs without CONTEXT lines (tests/portable/psql-launcher says why).
#
#   tests/portable/run.sh [PORT]     as root, the cluster runs as postgres
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
PGXS_DIR=$(dirname "$("${PG_CONFIG:-pg_config}" --pgxs)")/..
pg_regress=$PGXS_DIR/test/regress/pg_regress
pg_isolation_regress=$PGXS_DIR/test/isolation/pg_isolation_regress

# The shared files, in the extension's order, without the ones about
# CREATE EXTENSION itself (preplanted, install, upgrade, trusted) and the docs check
# (schema_doc, edition-independent): portable_install stands in for them.
shared=$(sed -n 's/^REGRESS *= *//p' Makefile)
regress="portable_install"
for t in $shared; do
  case $t in preplanted|install|schema_doc|upgrade|trusted) ;; *) regress="$regress $t" ;; esac
done
regress="$regress portable_rerun"
isolation=$(sed -n 's/^ISOLATION *= *//p' Makefile)

work=$(mktemp -d /tmp/session_clock_portable.XXXXXX)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres: "$work"
trap 'scripts/pg-cluster stop "$work/pg" >/dev/null 2>&1; rm -rf "$work"' EXIT
scripts/pg-cluster start "$work/pg" ${1:-} >/dev/null
export PGHOST=$work/pg PGPORT=$(cat "$work/pg/port") PGUSER=postgres

# Inputs: shared files, patched expectations, the portable tests.
mkdir -p "$work/in/sql" "$work/in/expected" "$work/iso/specs" "$work/iso/expected" "$work/out" "$work/iso_out"
cp sql/*.sql tests/portable/sql/*.sql "$work/in/sql/"
cp expected/*.out tests/portable/expected/*.out "$work/in/expected/"
cp tests/isolation/expected/*.out "$work/iso/expected/"
for spec in tests/isolation/specs/*.spec; do
  sed -f tests/portable/specs.sed "$spec" >"$work/iso/specs/$(basename "$spec")"
done
for diff in tests/portable/expected/*.diff; do
  [ -e "$diff" ] || continue
  name=$(basename "$diff" .diff)
  case $name in
    iso_*) patch -s "$work/iso/expected/${name#iso_}.out" "$diff" ;;
    *) patch -s "$work/in/expected/$name.out" "$diff" ;;
  esac
done
chmod -R a+rX "$work"
[ "$(id -u)" = 0 ] && chown -R postgres: "$work"

status=0
# The regression files \i sql/include/... and portable/ from the repository.
as_pg "$pg_regress" --inputdir="$work/in" --outputdir="$work/out" --bindir="$PG_BIN" \
  --launcher="$root/tests/portable/psql-launcher" --load-extension=plpgsql --dbname=portable_regression $regress \
  | tee "$work/regress.log" || status=1
# On a failure, the diffs and what the tests printed stay in the checkout.
rm -rf "$root/portable-results" "$root"/portable-*.diffs
if [ -s "$work/out/regression.diffs" ]; then
  cp "$work/out/regression.diffs" "$root/portable-regression.diffs"
  cp -r "$work/out/results" "$root/portable-results"
fi

# The isolation specs: a database the owner set up with the portable script.
as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER', 'regress_portable_owner')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regress_portable_owner') \gexec
CREATE DATABASE portable_isolation OWNER regress_portable_owner;
SQL
as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -U regress_portable_owner -d portable_isolation \
  -f portable/session_clock.sql >/dev/null
as_pg "$pg_isolation_regress" --inputdir="$work/iso" --outputdir="$work/iso_out" --bindir="$PG_BIN" \
  --use-existing --dbname=portable_isolation $isolation | tee "$work/isolation.log" || status=1
[ -s "$work/iso_out/regression.diffs" ] && cp "$work/iso_out/regression.diffs" "$root/portable-isolation.diffs"
# The catalogs side by side, where the extension is installed (make test
# installs it): every function's arguments, defaults, result, volatility,
# strictness, parallel safety, SECURITY DEFINER and search_path; every
# grant, comment, column, constraint, index and view, between a database
# made with CREATE EXTENSION and one made with the portable script.
if [ -f "$("${PG_CONFIG:-pg_config}" --sharedir)/extension/session_clock.control" ]; then
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE portable_parity'
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d portable_parity -f scripts/supabase_roles.sql \
    -c 'CREATE EXTENSION session_clock'
  as_pg "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d portable_parity -f tests/portable/catalog.sql >"$work/catalog.extension"
  as_pg "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -d portable_isolation -f tests/portable/catalog.sql >"$work/catalog.portable"
  if diff -u --label extension --label portable "$work/catalog.extension" "$work/catalog.portable" >"$work/catalog.diff"; then
    echo "catalog parity: $(wc -l <"$work/catalog.portable") properties the same"
    echo "test catalog_parity ... ok" >>"$work/isolation.log"
  else
    echo "catalog parity: the editions differ (- extension, + portable):"
    cat "$work/catalog.diff"
    cp "$work/catalog.diff" "$root/portable-catalog.diffs"
    echo "test catalog_parity ... FAILED" >>"$work/isolation.log"
    status=1
  fi
  # Moving a database from one edition to the other and back.
  if tests/portable/move/run.sh regress_portable_owner >"$work/move.log" 2>&1; then
    echo "test move_edition ... ok" | tee -a "$work/isolation.log"
  else
    cat "$work/move.log"
    echo "test move_edition ... FAILED" | tee -a "$work/isolation.log"
    status=1
  fi
else
  echo "catalog parity and move_edition: skipped, the extension is not installed"
fi
# An earlier script's database, with rows, upgraded by the current one:
# rows kept, catalog a fresh install's (portable_isolation's).
if tests/portable/upgrade/run.sh regress_portable_owner portable_isolation >"$work/upgrade.log" 2>&1; then
  echo "test upgrade_in_place ... ok" | tee -a "$work/isolation.log"
else
  cat "$work/upgrade.log"
  echo "test upgrade_in_place ... FAILED" | tee -a "$work/isolation.log"
  status=1
fi
# Seed 003's app, which wrote its own session_clock_get/pause/resume: the
# script refuses it, and portable/migrate_from_seed_003.sql moves its timers.
if tests/portable/seed_003/run.sh regress_portable_owner >"$work/seed_003.log" 2>&1; then
  echo "test seed_003_migration ... ok" | tee -a "$work/isolation.log"
else
  cat "$work/seed_003.log"
  echo "test seed_003_migration ... FAILED" | tee -a "$work/isolation.log"
  status=1
fi
# One summary for scripts/run-tests.sh to count, in pg_regress's words.
ok=$(cat "$work/regress.log" "$work/isolation.log" | awk '/\.\.\. ok/ { n++ } END { print n + 0 }')
bad=$(cat "$work/regress.log" "$work/isolation.log" | awk '/\.\.\. FAILED/ { n++ } END { print n + 0 }')
if [ "$status" = 0 ] && [ "$bad" = 0 ]; then
  echo "portable: All $ok tests passed."
else
  echo "portable: $bad of $((ok + bad)) tests failed."
  status=1
fi
exit $status

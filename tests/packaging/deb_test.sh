#!/usr/bin/env bash
# The Debian packages, built and installed on this machine as a new user
# would: make deb, dpkg -i both, CREATE EXTENSION from the packaged files in
# a throwaway cluster, and the packaged worker started the way its unit
# starts it (its user, its environment file) against that cluster. Then both
# are purged and the source-built extension is installed again (the packages
# and `make install` share PostgreSQL's extension directory, which the other
# suites use), so it can run twice. Root (or sudo). Prints TAP.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
pg_major=$("$PG_BIN/pg_config" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
ext_pkg=postgresql-$pg_major-session-clock
worker_pkg=session-clock-worker

n=0 passed=0 failed=0
work=$(mktemp -d /tmp/session_clock_deb.XXXXXX)
chmod 755 "$work"
check() {
  local description=$1; shift
  n=$((n + 1))
  if "$@" >"$work/check.out" 2>&1; then
    echo "ok $n - $description"; passed=$((passed + 1))
  else
    echo "not ok $n - $description"; failed=$((failed + 1))
    sed 's/^/#   /' "$work/check.out"
  fi
}

worker_pid=""
cleanup() {
  [ -n "$worker_pid" ] && { $sudo kill "$worker_pid" 2>/dev/null; wait "$worker_pid" 2>/dev/null; }
  scripts/pg-cluster stop "$work/pg" 2>/dev/null
  $sudo dpkg --purge "$worker_pkg" "$ext_pkg" >/dev/null 2>&1
  getent passwd session-clock >/dev/null && $sudo deluser --system --quiet session-clock >/dev/null 2>&1
  getent group session-clock >/dev/null && $sudo delgroup --system --quiet session-clock >/dev/null 2>&1
  # The source-built extension back where the other suites expect it.
  $sudo make -s install >/dev/null 2>&1 || echo "deb test: make install afterwards failed: run it by hand" >&2
  rm -rf "$work"
}
trap cleanup EXIT

# A leftover of an interrupted run would hide what this one installs.
$sudo dpkg --purge "$worker_pkg" "$ext_pkg" >/dev/null 2>&1

build() {
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s deb || return 1
  ls build/deb/"$ext_pkg"_*.deb build/deb/"$worker_pkg"_*.deb
}
check "make deb builds $ext_pkg and $worker_pkg" build

install_packages() { $sudo dpkg -i build/deb/"$ext_pkg"_*.deb build/deb/"$worker_pkg"_*.deb; }
check "dpkg -i installs both" install_packages

ext_dir=$("$PG_BIN/pg_config" --sharedir)/extension
lib_dir=$("$PG_BIN/pg_config" --pkglibdir)
owned_by() {  # owned_by PACKAGE PATH...
  local package=$1; shift
  for path in "$@"; do
    [ -e "$path" ] || { echo "$path missing"; return 1; }
    dpkg -S "$path" | grep -q "^$package: " || { echo "$path not from $package: $(dpkg -S "$path" 2>&1)"; return 1; }
  done
}
check "the extension's library, control file and scripts come from $ext_pkg" \
  owned_by "$ext_pkg" "$lib_dir/session_clock.so" "$ext_dir/session_clock.control" "$ext_dir/session_clock--1.0.sql" \
  "$ext_dir/session_clock--1.2--1.3.sql"
check "the worker, its unit and its environment file come from $worker_pkg" \
  owned_by "$worker_pkg" /usr/bin/session-clock-worker /lib/systemd/system/session-clock-worker.service \
  /etc/session-clock/worker.env
env_file_private() {
  [ "$(stat -c '%a %U %G' /etc/session-clock/worker.env)" = "640 root session-clock" ] ||
    { stat -c '%a %U %G' /etc/session-clock/worker.env; return 1; }
  getent passwd session-clock | grep -q ':/usr/sbin/nologin$' || { getent passwd session-clock; return 1; }
}
check "a system user session-clock, which alone (with root) reads worker.env" env_file_private
check "the installed worker prints its version" bash -c "/usr/bin/session-clock-worker --version | grep -q \"^session-clock-worker $(cat VERSION) (commit \""
check "systemd-analyze verify: the installed unit" bash -c \
  'out=$(systemd-analyze verify --man=no /lib/systemd/system/session-clock-worker.service 2>&1); s=$?; echo "$out"; [ $s -eq 0 ] && ! grep -qi session-clock-worker <<<"$out"'

create_extension() {
  url=$(scripts/pg-cluster start "$work/pg") || return 1
  scripts/pg-cluster psql "$work/pg" -q -v ON_ERROR_STOP=1 -f scripts/supabase_roles.sql \
    -c "CREATE EXTENSION session_clock" || return 1
  local v
  v=$(scripts/pg-cluster psql "$work/pg" -At -c "SELECT extversion FROM pg_extension WHERE extname = 'session_clock'")
  [ "$v" = "$(sed -nE "s/^default_version *= *'([^']*)'.*/\1/p" "$ext_dir/session_clock.control")" ] || { echo "extversion $v"; return 1; }
}
check "CREATE EXTENSION session_clock from the packaged files" create_extension

# As the unit does: its user, its environment file (as an operator fills it in).
start_worker() {
  $sudo tee -a /etc/session-clock/worker.env >/dev/null <<EOF_ENV
DATABASE_URL=$(scripts/pg-cluster url "$work/pg")
SESSION_CLOCK_LISTEN=127.0.0.1:0
SESSION_CLOCK_JWT_SECRET=deb-test-secret-0123456789abcdef
EOF_ENV
  $sudo runuser -u session-clock -- env -i PATH=/usr/bin:/bin bash -c \
    'set -a; . /etc/session-clock/worker.env; exec /usr/bin/session-clock-worker' >"$work/worker.log" 2>&1 &
  worker_pid=$!
  # The schema check and the self-test run side by side: wait for both.
  for _ in $(seq 1 150); do
    grep -q "self-test passed" "$work/worker.log" && grep -q "database: the session_clock extension" "$work/worker.log" \
      && break
    kill -0 "$worker_pid" 2>/dev/null || break
    sleep 0.1
  done
  cat "$work/worker.log"
  grep -q "database: the session_clock extension" "$work/worker.log" && grep -q "self-test passed" "$work/worker.log"
}
check "the packaged worker starts as session-clock with worker.env, and finds the extension" start_worker
serves() {
  local port
  port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/worker.log" | head -1)
  curl -fsS "http://127.0.0.1:$port/healthz" | grep -q '"status":"ok"' &&
    curl -fsS -X POST -d '{"jsonrpc":"2.0","id":1,"method":"timesync"}' "http://127.0.0.1:$port/timesync" | grep -q '"result"' &&
    curl -fsS "http://127.0.0.1:$port/session-clock.js" | grep -q 'export class SessionClock'
}
check "it serves /healthz, POST /timesync and the client" serves

echo "1..$n"
echo "# pass $passed"
echo "# fail $failed"
[ "$failed" -eq 0 ]

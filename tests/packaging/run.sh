#!/usr/bin/env bash
# What a team adopting session_clock installs and operates, checked without
# building packages (tests/packaging/deb_test.sh does that):
#   - one version: VERSION, the control file, META.json, client/package.json,
#     debian/changelog, the worker's --version and the SQL API it accepts;
#   - META.json against the PGXN Meta Spec 1.0.0's required keys;
#   - npm pack of client/: the modules and their .d.ts, nothing else
#     (no dependencies; react an optional peer, for react.js);
#   - systemd-analyze verify of the worker's unit;
#   - promtool check metrics on a live worker's /metrics.
# Needs the build (make all worker), and a server: PGHOST/PGPORT of a running
# cluster with the extension installable (scripts/run-tests.sh exports them),
# or a throwaway cluster of its own. Prints TAP; exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

n=0 passed=0 failed=0
# check DESCRIPTION COMMAND...: one TAP line, and the command's output on
# failure. The command runs in this shell (what it starts or sets stays).
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

work=$(mktemp -d /tmp/session_clock_packaging.XXXXXX)
chmod 755 "$work"
worker_pid=""
own_cluster=""
cleanup() {
  [ -n "$worker_pid" ] && { kill "$worker_pid" 2>/dev/null; wait "$worker_pid" 2>/dev/null; }
  if [ -n "${PGHOST:-}" ] && [ -z "$own_cluster" ]; then
    "$PG_BIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS packaging_check" >/dev/null 2>&1
  fi
  [ -n "$own_cluster" ] && scripts/pg-cluster stop "$own_cluster"
  rm -rf "$work"
}
trap cleanup EXIT
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}

version=$(cat VERSION)
json_get() { node -e 'const o=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); let v=o; for (const k of process.argv[2].split(".")) v=v?.[k]; console.log(v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : v)' "$@"; }
equal() {  # equal WHAT EXPECTED ACTUAL
  [ "$2" = "$3" ] || { echo "$1: expected '$2', found '$3'"; return 1; }
}

# --- one version
default_version=$(sed -nE "s/^default_version *= *'([^']*)'.*/\1/p" session_clock.control)
check "VERSION is MAJOR.MINOR.PATCH" grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$' VERSION
check "the control file's default_version is VERSION's major.minor" equal default_version "${version%.*}" "$default_version"
check "an install or update script reaches default_version" \
  bash -c "ls extension/session_clock--$default_version.sql extension/session_clock--*--$default_version.sql 2>/dev/null | grep -q ."
check "META.json's version is VERSION" equal META.json "$version" "$(json_get META.json version)"
check "META.json provides session_clock at VERSION" equal META.json "$version" "$(json_get META.json provides.session_clock.version)"
check "client/package.json's version is VERSION" equal package.json "$version" "$(json_get client/package.json version)"
check "debian/changelog's version is VERSION" equal debian/changelog "$version" "$(dpkg-parsechangelog -l debian/changelog -S Version)"
check "session-clock-worker --version prints VERSION and a commit" \
  bash -c "build/session-clock-worker --version | grep -qE '^session-clock-worker $version \(commit [0-9a-f]{7,}(-dirty)?\)\$'"
check "the worker accepts the control file's default_version" \
  grep -qE "kSupportedVersions\{\{.*\"$default_version\"" worker/app/schema_check.hpp

# --- META.json: PGXN Meta Spec 1.0.0
meta_spec() {
  node - META.json session_clock.control <<'JS'
const fs = require('fs');
const meta = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const problems = [];
for (const key of ['name', 'abstract', 'maintainer', 'version', 'license', 'provides', 'meta-spec'])
  if (meta[key] === undefined) problems.push(`missing ${key}`);
if (meta['meta-spec']?.version !== '1.0.0') problems.push('meta-spec.version must be 1.0.0');
const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
if (!semver.test(meta.version ?? '')) problems.push(`version ${meta.version} is not a semantic version`);
if (!/^[A-Za-z][A-Za-z0-9_-]+$/.test(meta.name ?? '')) problems.push('bad name');
const licenses = ['agpl_3', 'apache_1_1', 'apache_2_0', 'artistic_1', 'artistic_2', 'bsd', 'freebsd', 'gfdl_1_2',
  'gfdl_1_3', 'gpl_1', 'gpl_2', 'gpl_3', 'lgpl_2_1', 'lgpl_3_0', 'mit', 'mozilla_1_0', 'mozilla_1_1', 'openssl',
  'perl_5', 'postgresql', 'qpl_1_0', 'ssleay', 'sun', 'zlib', 'open_source', 'restricted', 'unrestricted', 'unknown'];
if (typeof meta.license === 'string' ? !licenses.includes(meta.license) : typeof meta.license !== 'object')
  problems.push(`license ${JSON.stringify(meta.license)} is not one of the spec's`);
if (meta.license !== 'postgresql') problems.push('license must be postgresql (LICENSE)');
for (const [name, p] of Object.entries(meta.provides ?? {})) {
  if (!p.file || !fs.existsSync(p.file)) problems.push(`provides.${name}.file ${p.file} does not exist`);
  if (!semver.test(p.version ?? '')) problems.push(`provides.${name}.version is not a semantic version`);
  if (p.docfile && !fs.existsSync(p.docfile)) problems.push(`provides.${name}.docfile ${p.docfile} does not exist`);
}
if (!meta.provides?.session_clock) problems.push('provides has no session_clock (the control file\'s extension)');
if (problems.length) { console.log(problems.join('\n')); process.exit(1); }
JS
}
check "META.json has the PGXN Meta Spec 1.0.0's required keys and values" meta_spec

# --- npm pack: the client's modules and declarations, nothing else
npm_pack() {
  local dir="$work/npm" listed expected
  mkdir -p "$dir"
  (cd "$dir" && npm pack "$repo/client" --silent >/dev/null) || { echo "npm pack failed"; return 1; }
  listed=$(tar -tzf "$dir"/session-clock-client-*.tgz | sed 's|^package/||' | sort)
  expected=$( (echo package.json; cd client && ls ./*.js ./*.d.ts | sed 's|^\./||') | sort)
  [ "$listed" = "$expected" ] || { diff <(echo "$expected") <(echo "$listed"); return 1; }
  node - "$repo/client/package.json" <<'JS'
const fs = require('fs'), path = require('path');
const file = process.argv[2], pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
const problems = [];
for (const key of ['name', 'version', 'license', 'exports', 'files', 'types']) if (!pkg[key]) problems.push(`no ${key}`);
if (pkg.private) problems.push('private: true (not publishable)');
if (pkg.sideEffects !== false) problems.push('sideEffects must be false');
if (pkg.license !== 'PostgreSQL') problems.push('license must be PostgreSQL (LICENSE)');
for (const deps of ['dependencies', 'optionalDependencies'])
  if (pkg[deps] && Object.keys(pkg[deps]).length) problems.push(`${deps} must be empty`);
// react.js's peer, optional: npm must not install React for the core's users.
for (const peer of Object.keys(pkg.peerDependencies ?? {}))
  if (peer !== 'react' || !pkg.peerDependenciesMeta?.[peer]?.optional) problems.push(`peer ${peer}: only react, optional`);
for (const [entry, target] of Object.entries(pkg.exports ?? {})) {
  const targets = typeof target === 'string' ? [target] : Object.values(target);
  if (typeof target === 'object' && Object.keys(target)[0] !== 'types') problems.push(`${entry}: types must come first`);
  for (const t of targets) if (!fs.existsSync(path.join(path.dirname(file), t))) problems.push(`${entry}: ${t} missing`);
}
if (problems.length) { console.log(problems.join('\n')); process.exit(1); }
JS
}
check "npm pack client/: exactly the modules, their .d.ts and package.json; exports resolve" npm_pack

# --- the systemd unit
unit_verify() {
  [ -f build/generated/session-clock-worker.service ] || { echo "no build/generated/session-clock-worker.service (make worker)"; return 1; }
  # The unit as installed names /usr/bin (or the prefix's) binary; verify
  # needs one that exists, so point it at the build's.
  mkdir -p "$work/unit"
  sed "s|^ExecStart=[^ ]*session-clock-worker|ExecStart=$repo/build/session-clock-worker|" \
    build/generated/session-clock-worker.service >"$work/unit/session-clock-worker.service"
  local out
  out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no "$work/unit/session-clock-worker.service" 2>&1)
  local status=$?
  # Only lines about this unit count (verify also reads the host's units).
  out=$(grep -v "^$" <<<"$out" | grep -i "session-clock-worker" || true)
  [ $status -eq 0 ] && [ -z "$out" ] || { echo "$out"; return 1; }
}
check "systemd-analyze verify: the worker's unit" unit_verify
unit_hardening() {
  local unit=deploy/systemd/session-clock-worker.service.in missing=()
  for setting in NoNewPrivileges=yes ProtectSystem=strict PrivateTmp=yes RestrictAddressFamilies= LimitNOFILE= \
                 EnvironmentFile=/etc/session-clock/worker.env User=session-clock; do
    grep -q "^$setting" "$unit" || missing+=("$setting")
  done
  # Secrets never on the command line, where ps shows them.
  grep -E '^ExecStart=.*(--jwt-secret|--livekit-api-secret|--database-url)' "$unit" && missing+=("no secrets in ExecStart")
  [ ${#missing[@]} -eq 0 ] || { echo "missing: ${missing[*]}"; return 1; }
}
check "the unit is hardened and takes its settings from the environment file" unit_hardening
# LimitNOFILE and --max-connections agree: the worker under the unit's
# limit derives the caps worker.env documents, an explicit cap the limit
# cannot hold stops it (exit status 2), and worker.env sets none larger.
unit_descriptors() {
  local limit caps expected env_cap
  limit=$(sed -nE 's/^LimitNOFILE=([0-9]+)$/\1/p' deploy/systemd/session-clock-worker.service.in)
  [ -n "$limit" ] || { echo "no numeric LimitNOFILE in the unit"; return 1; }
  grep -q "^#SESSION_CLOCK_MAX_CONNECTIONS=$((limit - 100))$" deploy/worker.env &&
    grep -q "^#SESSION_CLOCK_MAX_CONNECTIONS_PER_IP=$(((limit - 100) / 2))$" deploy/worker.env ||
    { echo "deploy/worker.env's example caps are not LimitNOFILE=$limit's"; return 1; }
  env_cap=$(sed -nE 's/^SESSION_CLOCK_MAX_CONNECTIONS=([0-9]+)$/\1/p' deploy/worker.env)
  [ -z "$env_cap" ] || [ "$env_cap" -le $((limit - 100)) ] || { echo "worker.env: $env_cap > LimitNOFILE - 100"; return 1; }
  # The same rule at a limit this host lets us set, if not the unit's own.
  local at=$limit
  prlimit --nofile="$at" -- true 2>/dev/null || at=$(ulimit -Hn)
  expected="at most $((at - 100)) at once, $(((at - 100) / 2)) from one client address"
  prlimit --nofile="$at" -- build/session-clock-worker --database-url postgresql://nobody@127.0.0.1:1/none \
    --listen 127.0.0.1:0 >"$work/caps.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 50); do grep -q "connections: at most" "$work/caps.log" && break; sleep 0.1; done
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  caps=$(grep -o "connections: at most [^\"]*" "$work/caps.log")
  equal "the worker's caps under RLIMIT_NOFILE=$at" "connections: $expected" "$caps" || { cat "$work/caps.log"; return 1; }
  prlimit --nofile="$at" -- build/session-clock-worker --database-url postgresql://nobody@127.0.0.1:1/none \
    --listen 127.0.0.1:0 --max-connections $((at - 99)) >"$work/over.log" 2>&1
  equal "exit status of --max-connections $((at - 99)) under RLIMIT_NOFILE=$at" 2 $?
}
check "the unit's LimitNOFILE and --max-connections agree" unit_descriptors

# --- promtool on a live worker's metrics
start_worker() {
  if [ -z "${PGHOST:-}" ]; then
    own_cluster="$work/pg"
    scripts/pg-cluster start "$own_cluster" >/dev/null || return 1
    export PGHOST="$own_cluster" PGPORT=$(cat "$own_cluster/port") PGUSER=postgres
  fi
  "$PG_BIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS packaging_check" -c "CREATE DATABASE packaging_check" >/dev/null || return 1
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d packaging_check -f scripts/supabase_roles.sql -c "CREATE EXTENSION session_clock" >/dev/null || return 1
  build/session-clock-worker --database-url "postgresql://${PGUSER:-postgres}@127.0.0.1:$PGPORT/packaging_check" \
    --listen 127.0.0.1:0 --jwt-secret packaging-check-secret-0123456789 >"$work/worker.log" 2>&1 &
  worker_pid=$!
  local port=""
  for _ in $(seq 1 150); do
    port=$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$work/worker.log" | head -1)
    [ -n "$port" ] && grep -q "self-test passed" "$work/worker.log" && break
    kill -0 "$worker_pid" 2>/dev/null || { cat "$work/worker.log"; return 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$work/worker.log"; return 1; }
  echo "$port" >"$work/port"
}
promtool_check() {
  local port
  port=$(cat "$work/port" 2>/dev/null) || { echo "no worker"; return 1; }
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null &&
    curl -fsS -X POST -d '{"jsonrpc":"2.0","id":1,"method":"timesync"}' "http://127.0.0.1:$port/timesync" >/dev/null &&
    curl -fsS "http://127.0.0.1:$port/metrics" >"$work/metrics.txt" || return 1
  promtool check metrics <"$work/metrics.txt" || { cat "$work/metrics.txt"; return 1; }
  grep -q '^session_clock_build_info{version="'"$version"'",commit="' "$work/metrics.txt" || { echo "no build_info for $version"; return 1; }
}
check "a live worker starts against a database with the extension" start_worker
check "promtool check metrics: the worker's /metrics" promtool_check

echo "1..$n"
echo "# pass $passed"
echo "# fail $failed"
[ "$failed" -eq 0 ]

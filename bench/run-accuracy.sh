#!/usr/bin/env bash
# The time-sync accuracy harness: the offset error of our client
# (client/session-clock.js) beside the `timesync` npm library (1.x, on our
# POST /timesync) and the seeds' EWMA over RTT/2 (TIME_PING every second),
# all three in one process per run, and the Python client (clients/python,
# bench/accuracy/runner.py under Debian's /usr/bin/python3) beside them,
# talking to the real session-clock-worker
# through a user-space TCP proxy that delays, jitters and skews each
# direction (bench/accuracy/proxy.js; the kernel here has no netem).
#
#   bench/run-accuracy.sh                  (full: 60 s per scenario, about 5 min)
#   ABENCH_QUICK=1 bench/run-accuracy.sh   (smoke: 10 s per scenario, under a minute once built)
#
#   scenarios (each a fresh proxy; two runs in parallel through it, one with the
#   true local clock and one whose every client sees local time + SHIFT ms, so
#   the right estimate is −SHIFT and sharing the host's clock proves nothing):
#     clean        proxy with no delay (loopback)
#     jitter-unif  BASE ms each way + uniform [0, JITTER] ms extra per chunk
#     jitter-exp   BASE ms each way + exponential extra (mean JITTER/4, capped at JITTER)
#     asym         UP ms client → server, DOWN ms back, no jitter
#     db-shifted   a second worker whose own clocks are wrong (libfaketime:
#                  FAKETIME, default "+2.5 x1.0002": 2.5 s ahead and 200 ppm
#                  fast, wall and monotonic clocks alike), behind a clean
#                  proxy: it serves the database's time, which is the truth
#                  here (one host), so the error includes its offset's own
#                  (run it alone or added: ABENCH_SCENARIOS=db-shifted)
#     nginx        BASE ms each way + uniform [0, JITTER] ms, through real nginx
#                  (deploy/nginx/session-clock.conf, TLS with a throwaway
#                  self-signed certificate) in front of the worker: https://
#                  and wss:// as deployed (run it alone: ABENCH_SCENARIOS=nginx)
#   error = estimator's server time − the true time (same host: the
#   database's clock, which the worker serves, is ours), sampled every SAMPLE ms; bench/accuracy/report.js turns
#   the samples into p50/p95/max |error| after SETTLE s, the error 1 s after
#   connecting, and the time to converge, and judges issue 6's goals.
#
# Everything shares this host's CPUs: the run measures how busy the host was
# before it, and during each scenario apart from the worker, the proxy and
# the runners; the report says when it was not idle.
#
# Tunables (environment): ABENCH_QUICK (0), ABENCH_DURATION_S (60; quick 10),
# ABENCH_SETTLE_S (5), ABENCH_SAMPLE_MS (100), ABENCH_SHIFT_MS (1234.5),
# ABENCH_BASE_MS (20), ABENCH_JITTER_MS (40), ABENCH_UP_MS (5),
# ABENCH_DOWN_MS (30), ABENCH_SCENARIOS ("clean jitter-unif jitter-exp asym"),
# ABENCH_FAKETIME ("+2.5 x1.0002", the db-shifted worker's libfaketime FAKETIME),
# ABENCH_WORKER_THREADS (1), ABENCH_SEED (1), ABENCH_PYTHON (1; 0 leaves the
# Python client out), ABENCH_OURS_OPTIONS (JSON
# SessionClock options for our client, e.g. '{"pollIntervalMs":1000}' to poll
# as often as the seeds do; default {} = its defaults), BENCH_STRICT (1 = exit 1 when a
# goal is missed; default 0, a missed goal is a result).
#
# Output: the table on stdout and in bench/results/accuracy-latest.txt (also
# kept as bench/results/accuracy-<timestamp>.txt); progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The PostgreSQL that pg_config on PATH (or $PG_CONFIG) names, unless PG_BIN says.
PG_BIN=${PG_BIN:-$("${PG_CONFIG:-pg_config}" --bindir)}
QUICK=${ABENCH_QUICK:-0}
DURATION=${ABENCH_DURATION_S:-$([ "$QUICK" = 1 ] && echo 10 || echo 60)}
SETTLE=${ABENCH_SETTLE_S:-5}
SAMPLE_MS=${ABENCH_SAMPLE_MS:-100}
SHIFT_MS=${ABENCH_SHIFT_MS:-1234.5}
BASE_MS=${ABENCH_BASE_MS:-20}
JITTER_MS=${ABENCH_JITTER_MS:-40}
UP_MS=${ABENCH_UP_MS:-5}
DOWN_MS=${ABENCH_DOWN_MS:-30}
SCENARIOS=${ABENCH_SCENARIOS:-clean jitter-unif jitter-exp asym}
FAKETIME_SPEC=${ABENCH_FAKETIME:-+2.5 x1.0002}
LIBFAKETIME=/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1
WORKER_THREADS=${ABENCH_WORKER_THREADS:-1}
SEED=${ABENCH_SEED:-1}
OURS_OPTIONS=${ABENCH_OURS_OPTIONS:-"{}"}
PYTHON=${ABENCH_PYTHON:-1}
STRICT=${BENCH_STRICT:-0}
JWT_SECRET="accuracy-bench-secret-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"

die() { echo "bench-accuracy: $*" >&2; exit 1; }
log() { echo "bench-accuracy: $*" >&2; }

for v in DURATION SETTLE SAMPLE_MS BASE_MS JITTER_MS UP_MS DOWN_MS WORKER_THREADS SEED; do
  [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"
done
[[ $SHIFT_MS =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || die "ABENCH_SHIFT_MS must be a number (got '$SHIFT_MS')"
[ "$DURATION" -gt "$SETTLE" ] || die "ABENCH_DURATION_S must exceed ABENCH_SETTLE_S"
[ "$DURATION" -le 600 ] || die "ABENCH_DURATION_S is at most 600"
[ "$SAMPLE_MS" -ge 10 ] || die "ABENCH_SAMPLE_MS must be >= 10"
[ "$WORKER_THREADS" -ge 1 ] || die "ABENCH_WORKER_THREADS must be >= 1"
for s in $SCENARIOS; do
  case $s in clean|jitter-unif|jitter-exp|asym|nginx|db-shifted) ;; *) die "unknown scenario '$s'" ;; esac
done
case " $SCENARIOS " in *" db-shifted "*) [ -f "$LIBFAKETIME" ] || die "the db-shifted scenario needs libfaketime (scripts/install-deps.sh: faketime)" ;; esac
case " $SCENARIOS " in *" nginx "*) [ -x /usr/sbin/nginx ] || die "the nginx scenario needs nginx (scripts/install-deps.sh)" ;; esac
for tool in psql postgres; do [ -x "$PG_BIN/$tool" ] || die "$PG_BIN/$tool not found"; done
command -v node >/dev/null || die "node not found"
command -v npm >/dev/null || die "npm not found"
if [ "$PYTHON" = 1 ]; then
  /usr/bin/python3 -c 'import websockets' 2>/dev/null \
    || die "the Python client needs /usr/bin/python3 with python3-websockets (scripts/install-deps.sh), or ABENCH_PYTHON=0"
fi
# The runner loads the browser client, which dispatches CustomEvent: global
# from Node 19, behind a flag in Debian bookworm's Node 18.
runner_node_flags=()
node -e CustomEvent >/dev/null 2>&1 || runner_node_flags+=(--experimental-global-customevent)
node -e 'const o = JSON.parse(process.argv[1]); if (!o || typeof o !== "object" || Array.isArray(o)) process.exit(1)' "$OURS_OPTIONS" 2>/dev/null \
  || die "ABENCH_OURS_OPTIONS must be a JSON object (got '$OURS_OPTIONS')"

work=$(mktemp -d /tmp/session_clock_abench.XXXXXX)
source bench/bench_env.sh  # host_busy_ticks, check_idle_before, build_and_install, commit_of, stop_workers, trap_cleanup, drop_cluster_and_exit
[ "$(id -u)" = 0 ] && chmod 755 "$work"
cluster="$work/pg"
worker_pid="" proxy_pid="" nginx_pid="" shifted_pid="" runner_pids=()

stop_pid() {  # stop_pid PID: SIGTERM, SIGKILL after 5 s, reap
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  for pid in "${runner_pids[@]}"; do stop_pid "$pid"; done
  stop_pid "$proxy_pid"
  stop_pid "$nginx_pid"
  stop_pid "$shifted_pid"
  stop_pid "$worker_pid"
  if [ "$rc" -ne 0 ]; then
    [ -f "$work/worker.log" ] && { echo "bench-accuracy: failed (exit $rc); last worker log lines:" >&2; tail -8 "$work/worker.log" >&2; }
    for f in "$work"/proxy-*.log "$work"/runner-*.log; do
      [ -s "$f" ] && { echo "bench-accuracy: $(basename "$f"):" >&2; tail -8 "$f" >&2; }
    done
  fi
  drop_cluster_and_exit "$rc"
}
trap_cleanup

# --- is the host idle? -------------------------------------------------------------
clk_tck=$(getconf CLK_TCK 2>/dev/null || echo 100)
proc_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
now_s() { date +%s.%N; }
check_idle_before

# --- build, install, npm ----------------------------------------------------------
log "building (extension, worker) and installing the extension"
build_and_install
commit=$(commit_of worker client clients/python bench/accuracy)

# npm ci only when node_modules is missing or older than the lock file.
acc=bench/accuracy
if [ ! -f "$acc/node_modules/.package-lock.json" ] || [ "$acc/package-lock.json" -nt "$acc/node_modules/.package-lock.json" ]; then
  log "npm ci in $acc"
  (cd "$acc" && npm ci --no-audit --no-fund >"$work/npm.log" 2>&1) || { tail -20 "$work/npm.log" >&2; die "npm ci failed"; }
fi
ts_version=$(node -p "require('./$acc/node_modules/timesync/package.json').version")
ws_version=$(node -p "require('./$acc/node_modules/ws/package.json').version")

# --- cluster and worker --------------------------------------------------------------
# Time sync needs no database, but the worker wants one: give it a real one.
log "starting a throwaway cluster in $cluster"
url=$(scripts/pg-cluster start "$cluster")
export PGHOST="$cluster" PGPORT="$(cat "$cluster/port")" PGUSER=postgres PGDATABASE=postgres
unset PGSERVICE PGOPTIONS PGPASSWORD
timeout 60 "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
\i scripts/supabase_roles.sql
CREATE EXTENSION session_clock;
SQL

# The logs are created here, not by the background job's redirection, which
# may come later than the first read of them on a busy host.
: >"$work/worker.log"
build/session-clock-worker --database-url "$url" --listen 127.0.0.1:0 --jwt-secret "$JWT_SECRET" \
  --threads "$WORKER_THREADS" --log-level info >"$work/worker.log" 2>&1 &
worker_pid=$!
worker_port=""
for _ in $(seq 1 200); do
  worker_port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/worker.log" | head -1)
  [ -n "$worker_port" ] && break
  kill -0 "$worker_pid" 2>/dev/null || die "the worker exited at start"
  sleep 0.05
done
[ -n "$worker_port" ] || die "the worker did not report its port"
log "worker on 127.0.0.1:$worker_port"

# --- one scenario ------------------------------------------------------------------------
# run_scenario NAME PROXY-ARGS...: a fresh proxy, two runners (true clock,
# shifted clock) in parallel, their JSON in $work/NAME-{0,shift}.json; with
# ABENCH_PYTHON=1 two Python runners too, in $work/NAME-{0,shift}-python.json.
declare -A OTHER
report_args=()
# The nginx scenario sets target_port to nginx's and scheme to https.
target_port="" scheme=http
run_scenario() {
  local name=$1 proxy_port="" pid rc h0 w0 p0 h1 w1 p1 runners_ms t0 t1
  shift
  log "scenario $name: proxy $*; $DURATION s"
  : >"$work/proxy-$name.log"
  node "$acc/proxy.js" --target "127.0.0.1:${target_port:-$worker_port}" --seed "$SEED" "$@" >"$work/proxy-$name.log" 2>&1 &
  proxy_pid=$!
  for _ in $(seq 1 100); do
    proxy_port=$(sed -nE 's|^listening on 127\.0\.0\.1:([0-9]+)$|\1|p' "$work/proxy-$name.log")
    [ -n "$proxy_port" ] && break
    kill -0 "$proxy_pid" 2>/dev/null || die "the proxy exited at start"
    sleep 0.05
  done
  [ -n "$proxy_port" ] || die "the proxy did not report its port"
  h0=$(host_busy_ticks) w0=$(proc_ticks "$worker_pid") p0=$(proc_ticks "$proxy_pid") t0=$(now_s)
  runner_pids=()
  for shift_ms in 0 "$SHIFT_MS"; do
    env $([ "$scheme" = https ] && echo NODE_EXTRA_CA_CERTS="$work/nginx/cert.pem") \
    timeout $((DURATION + 30)) node "${runner_node_flags[@]}" "$acc/runner.js" --url "$scheme://127.0.0.1:$proxy_port" --shift-ms="$shift_ms" \
      --duration-s "$DURATION" --sample-ms "$SAMPLE_MS" --ours-options "$OURS_OPTIONS" --out "$work/$name-$shift_ms.json" \
      >"$work/runner-$name-$shift_ms.log" 2>&1 &
    runner_pids+=($!)
    if [ "$PYTHON" = 1 ]; then
      # Python's default SSL context trusts SSL_CERT_FILE, as node NODE_EXTRA_CA_CERTS.
      env $([ "$scheme" = https ] && echo SSL_CERT_FILE="$work/nginx/cert.pem") \
      timeout $((DURATION + 30)) /usr/bin/python3 -B "$acc/runner.py" --url "$scheme://127.0.0.1:$proxy_port" --shift-ms="$shift_ms" \
        --duration-s "$DURATION" --sample-ms "$SAMPLE_MS" --out "$work/$name-$shift_ms-python.json" \
        >"$work/runner-$name-$shift_ms-python.log" 2>&1 &
      runner_pids+=($!)
    fi
  done
  rc=0
  for pid in "${runner_pids[@]}"; do wait "$pid" || rc=$?; done
  runner_pids=()
  [ "$rc" = 0 ] || die "a runner of scenario $name failed (exit $rc)"
  h1=$(host_busy_ticks) w1=$(proc_ticks "$worker_pid") p1=$(proc_ticks "$proxy_pid") t1=$(now_s)
  stop_pid "$proxy_pid"
  proxy_pid=""
  runners_ms=$(node -e 'let s = 0; for (const f of process.argv.slice(1)) s += JSON.parse(require("fs").readFileSync(f)).cpuMs; console.log(Math.round(s))' \
    "$work/$name-0.json" "$work/$name-$SHIFT_MS.json" \
    $([ "$PYTHON" = 1 ] && echo "$work/$name-0-python.json $work/$name-$SHIFT_MS-python.json"))
  # Other CPUs busy: the host minus the worker, the proxy and the runners.
  OTHER[$name]=$(awk -v h=$((h1 - h0)) -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v r="$runners_ms" -v hz="$clk_tck" \
    -v a="$t0" -v b="$t1" 'BEGIN { o = (h - w - p) / hz - r / 1000; if (o < 0) o = 0; printf "%.2f", o / (b - a) }')
  OURS_CPU[$name]=$(awk -v w=$((w1 - w0)) -v p=$((p1 - p0)) -v r="$runners_ms" -v hz="$clk_tck" \
    'BEGIN { printf "worker %.2f s, proxy %.2f s, runners %.2f s", w / hz, p / hz, r / 1000 }')
  local label bias=""
  case $name in
    clean) label="clean (0 ms)" ;;
    jitter-unif) label="jitter ${BASE_MS}+U(0,${JITTER_MS})" ;;
    jitter-exp) label="jitter ${BASE_MS}+exp(${JITTER_MS}/4)" ;;
    nginx) label="nginx+TLS ${BASE_MS}+U(0,${JITTER_MS})" ;;
    db-shifted) label="worker clock ${FAKETIME_SPEC// /,} (0 ms)" ;;
    asym) label="asym ${UP_MS}up/${DOWN_MS}down"
          bias=$(awk -v u="$UP_MS" -v d="$DOWN_MS" 'BEGIN { print (u - d) / 2 }') ;;
  esac
  local py=""
  for shift_ms in 0 "$SHIFT_MS"; do
    [ "$PYTHON" = 1 ] && py="+$work/$name-$shift_ms-python.json"
    report_args+=("$label=$work/$name-$shift_ms.json$py${bias:+@$bias}")
  done
}
declare -A OURS_CPU

# start_nginx: the documented configuration in front of the worker, TLS
# with a throwaway certificate for 127.0.0.1; sets target_port and scheme.
start_nginx() {
  local d="$work/nginx" port
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$d/key.pem" -out "$d/cert.pem" >/dev/null 2>&1 || die "openssl failed"
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  sed -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$worker_port;|" -e "s|listen 443 ssl;|listen 127.0.0.1:$port ssl;|" \
      -e '/listen \[::\]:443 ssl;/d' -e "s|ssl_certificate .*;|ssl_certificate $d/cert.pem;|" \
      -e "s|ssl_certificate_key .*;|ssl_certificate_key $d/key.pem;|" deploy/nginx/session-clock.conf >"$d/site.conf"
  cat >"$d/nginx.conf" <<EOF_NGINX
daemon off;
master_process off;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $d/body; proxy_temp_path $d/proxy; fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi; scgi_temp_path $d/scgi;
  include $d/site.conf;
}
EOF_NGINX
  /usr/sbin/nginx -p "$d" -c "$d/nginx.conf" &
  nginx_pid=$!
  for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  kill -0 "$nginx_pid" 2>/dev/null || die "nginx did not start: $(cat "$d/error.log")"
  target_port=$port scheme=https
}

# start_shifted_worker: a second worker on the same database whose wall and
# monotonic clocks are FAKETIME_SPEC off (libfaketime); sets target_port.
# It serves the database's time, measured over its own connections, so the
# runners' truth (this host's clock, the database's) still holds.
start_shifted_worker() {
  local port=""
  : >"$work/shifted.log"
  env LD_PRELOAD="$LIBFAKETIME" FAKETIME="$FAKETIME_SPEC" FAKETIME_NO_CACHE=1 \
    build/session-clock-worker --database-url "$url" --listen 127.0.0.1:0 --jwt-secret "$JWT_SECRET" \
    --threads "$WORKER_THREADS" --log-level info >"$work/shifted.log" 2>&1 &
  shifted_pid=$!
  for _ in $(seq 1 200); do
    port=$(sed -nE 's|.*listening on http://127\.0\.0\.1:([0-9]+).*|\1|p' "$work/shifted.log" | head -1)
    [ -n "$port" ] && grep -q "serving the database's clock" "$work/shifted.log" && break
    kill -0 "$shifted_pid" 2>/dev/null || die "the shifted worker exited at start: $(tail -3 "$work/shifted.log")"
    sleep 0.05
  done
  grep -q "serving the database's clock" "$work/shifted.log" || die "the shifted worker never read the database's clock"
  log "shifted worker (FAKETIME '$FAKETIME_SPEC') on 127.0.0.1:$port: $(grep -m1 "serving the database's clock" "$work/shifted.log")"
  target_port=$port
}

started=$(date +%s)
for s in $SCENARIOS; do
  case $s in
    clean) run_scenario clean ;;
    jitter-unif) run_scenario jitter-unif --up-ms "$BASE_MS" --down-ms "$BASE_MS" --jitter-ms "$JITTER_MS" --dist uniform ;;
    jitter-exp) run_scenario jitter-exp --up-ms "$BASE_MS" --down-ms "$BASE_MS" --jitter-ms "$JITTER_MS" --dist exp ;;
    asym) run_scenario asym --up-ms "$UP_MS" --down-ms "$DOWN_MS" ;;
    db-shifted) start_shifted_worker
                run_scenario db-shifted
                stop_pid "$shifted_pid"; shifted_pid="" target_port="" ;;
    nginx) start_nginx
           run_scenario nginx --up-ms "$BASE_MS" --down-ms "$BASE_MS" --jitter-ms "$JITTER_MS" --dist uniform
           stop_pid "$nginx_pid"; nginx_pid="" target_port="" scheme=http ;;
  esac
done
elapsed=$(( $(date +%s) - started ))

# --- report ----------------------------------------------------------------------------------
results="$repo/bench/results"
mkdir -p "$results"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$results/accuracy-$stamp.txt"
rc=0
node "$acc/report.js" --settle-s "$SETTLE" "${report_args[@]}" >"$work/table.txt" || rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || die "report.js failed (exit $rc)"
{
  echo "session_clock time-sync accuracy, $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit$([ "$QUICK" = 1 ] && echo ', QUICK mode')"
  echo "host: $(nproc) CPUs, $(uname -sr); node $(node --version), timesync $ts_version, ws $ws_version; worker --threads $WORKER_THREADS"
  echo "each scenario: $DURATION s, |error| sampled every $SAMPLE_MS ms, figures after $SETTLE s; two runs in parallel through one proxy,"
  echo "  the clients' local clock shifted by 0 and by $SHIFT_MS ms (right estimate: minus the shift)"
  if [ "$OURS_OPTIONS" = '{}' ]; then echo "estimators: ours = SessionClock defaults (burst of 32, intersection of 64 s of samples, poll 0.1-10 s by residual jitter);"
  else echo "estimators: ours = SessionClock with options $OURS_OPTIONS (defaults: burst of 32, intersection of 64 s of samples, poll 0.1-10 s by residual jitter);"; fi
  echo "  timesync = create({interval: 10000}),"
  echo "  5 POSTs 1 s apart per sync, mean of the non-outliers; seeds = TIME_PING every 1 s, EWMA alpha 0.1 over serverNowMs + rtt/2 - t4;"
  echo "  all on the same shifted high-resolution clock"
  if [ "$PYTHON" = 1 ]; then
    echo "  python = clients/python's SessionClock, defaults (the same estimator and schedule as ours), its own process per run,"
    echo "  $(/usr/bin/python3 --version 2>&1), websockets $(/usr/bin/python3 -c 'import websockets; print(websockets.__version__)')"
  fi
  echo
  cat "$work/table.txt"
  echo
  echo "CPU: busy before the run $idle_before$(awk -v o="$idle_before" 'BEGIN { if (o > 0.2) print " (NOT idle: figures are pessimistic)" }');"
  for s in $SCENARIOS; do
    echo "  $s: ${OURS_CPU[$s]}; other CPUs busy ${OTHER[$s]}$(awk -v o="${OTHER[$s]}" 'BEGIN { if (o > 0.2) print " (NOT idle: figures are pessimistic)" }')"
  done
  echo "measured in ${elapsed}s"
  warnings=$(grep -cE 'level=(warning|error|critical)' "$work/worker.log" || true)
  [ "$warnings" = 0 ] || { echo "worker log: $warnings warning/error lines, e.g.:"; grep -E 'level=(warning|error|critical)' "$work/worker.log" | head -3; }
} >"$out"
cat "$out"
cp "$out" "$results/accuracy-latest.txt"
log "results in bench/results/accuracy-latest.txt"
if [ "$rc" = 3 ]; then
  log "goal(s) missed"
  [ "$STRICT" = 1 ] && exit 1
fi
exit 0

#!/usr/bin/env bash
# The demo: build, install the extension, start a private throwaway cluster,
# create the extension and a running session clock, start the worker, print
# how to connect, and keep it all up until Ctrl-C (then the cluster is deleted).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
make -j2 all worker >/dev/null
$sudo make install >/dev/null

dir=${SESSION_CLOCK_DEMO_DIR:-/tmp/session_clock_demo}
scripts/pg-cluster stop "$dir"  # a leftover from an interrupted demo
worker_pid="" sleep_pid=""
# Cleanup runs to the end even if Ctrl-C is pressed again meanwhile, and
# whatever each step answers: a signal to the whole process group (a closed
# terminal, timeout) has already ended the worker or the sleep, and under
# set -e their failed kill would leave the cluster running.
cleanup() {
  trap '' INT TERM HUP
  set +e
  echo; echo "demo: stopping"
  [ -n "$sleep_pid" ] && kill "$sleep_pid" 2>/dev/null
  [ -n "$worker_pid" ] && { kill "$worker_pid" 2>/dev/null; wait "$worker_pid" 2>/dev/null; }
  scripts/pg-cluster stop "$dir"
}
trap cleanup EXIT
trap 'exit 0' INT TERM HUP
url=$(scripts/pg-cluster start "$dir")
# The Supabase roles first (the worker checks a browser's access as
# `authenticated`), then the extension, a running session, and its host: the
# demo page's user.
demo_user=demo-host
session=$(scripts/pg-cluster psql "$dir" -qAt -v ON_ERROR_STOP=1 -v user="$demo_user" <<'SQL'
\i scripts/supabase_roles.sql
CREATE EXTENSION session_clock;
SELECT session_id FROM session_clock_start(gen_random_uuid()) \gset
SELECT session_id FROM session_clock_add_member(:'session_id', :'user', 'host');
SQL
)

# The worker, beside the database (its log in the demo directory).
port=${SESSION_CLOCK_DEMO_PORT:-8080}
secret=${SESSION_CLOCK_JWT_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
build/session-clock-worker --database-url "$url" --listen "127.0.0.1:$port" --jwt-secret "$secret" \
  >"$dir/worker.log" 2>&1 &
worker_pid=$!
# A host token for the demo page (HS256 over the secret, valid for a day).
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
jwt_header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
jwt_claims=$(printf '{"sub":"%s","role":"authenticated","exp":%d}' "$demo_user" $(( $(date +%s) + 86400 )) | b64url)
jwt_signature=$(printf '%s.%s' "$jwt_header" "$jwt_claims" | openssl dgst -sha256 -hmac "$secret" -binary | b64url)
token="$jwt_header.$jwt_claims.$jwt_signature"
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $worker_pid 2>/dev/null || { cat "$dir/worker.log" >&2; exit 1; }
  sleep 0.1
done

cat <<EOF_INFO

session_clock demo is running.

  page       http://127.0.0.1:$port/#token=$token&session=$session
             (the server clock, and the session timer as user $demo_user, its host)
  worker     http://127.0.0.1:$port   (WebSocket: ws://127.0.0.1:$port/ws, health: /healthz, metrics: /metrics)
  JWT secret $secret   (HS256; sign tokens with it to subscribe to clocks)
  worker log $dir/worker.log

  database   $url
  socket     $dir (port $(cat "$dir/port"))
  psql       $("${PG_CONFIG:-pg_config}" --bindir)/psql "$url"
  a session  $session (started just now)

Try:
  SELECT * FROM session_clock_get('$session');
  SELECT * FROM session_clock_pause('$session', 'coffee');
  SELECT * FROM session_clock_resume('$session', 'back');
  SELECT * FROM session_clock.session_events WHERE session_id = '$session';
  SELECT session_clock.server_time_status();
  LISTEN session_clock;   -- every change is announced here

Grace-period auto-pause (docs/grace.md): two participants, 10 s grace; one leaves
and the worker pauses the clock 10 s later, dated at the deadline:
  SELECT * FROM session_clock_configure('$session', 2, 10000);
  SELECT * FROM session_clock_presence('$session', 'alice', true);
  SELECT * FROM session_clock_presence('$session', 'bob', true);
  SELECT * FROM session_clock_presence('$session', 'bob', false);

Time sync over WebSocket (e.g. with websocat):
  {"t":"TIME_PING","clientNowMs":$(date +%s%3N),"pingId":1}

Ctrl-C stops the demo and deletes the cluster.
EOF_INFO
sleep infinity &
sleep_pid=$!
wait "$sleep_pid"

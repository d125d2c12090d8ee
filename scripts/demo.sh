#!/usr/bin/env bash
# The demo: build, install the extension, start a private throwaway cluster,
# create the extension and a running session clock, print how to connect,
# and keep it all up until Ctrl-C (then the cluster is deleted).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
make -j2 >/dev/null
$sudo make install >/dev/null

dir=${SESSION_CLOCK_DEMO_DIR:-/tmp/session_clock_demo}
scripts/pg-cluster stop "$dir"  # a leftover from an interrupted demo
trap 'echo; echo "demo: stopping"; scripts/pg-cluster stop "$dir"' EXIT
trap 'exit 0' INT TERM
url=$(scripts/pg-cluster start "$dir")
session=$(scripts/pg-cluster psql "$dir" -qAt <<'SQL'
CREATE EXTENSION session_clock;
SELECT session_id FROM session_clock_start(gen_random_uuid());
SQL
)

cat <<EOF_INFO

session_clock demo is running.

  database   $url
  socket     $dir (port $(cat "$dir/port"))
  psql       /usr/lib/postgresql/15/bin/psql "$url"
  a session  $session (started just now)

Try:
  SELECT * FROM session_clock_get('$session');
  SELECT * FROM session_clock_pause('$session', 'coffee');
  SELECT * FROM session_clock_resume('$session', 'back');
  SELECT * FROM session_clock.session_events WHERE session_id = '$session';
  SELECT session_clock.server_time_status();
  LISTEN session_clock;   -- every change is announced here

Ctrl-C stops the demo and deletes the cluster.
EOF_INFO
sleep infinity &
wait

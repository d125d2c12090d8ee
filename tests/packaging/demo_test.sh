#!/usr/bin/env bash
# The README's first promise: `make demo` starts a throwaway cluster and the
# worker, and Ctrl-C stops both and deletes the cluster. Runs scripts/demo.sh
# in its own process group (as a terminal runs a foreground job), checks what
# it prints and serves, then sends SIGINT to the whole group, as Ctrl-C does.
# Needs the build (make all worker); prints TAP; exits non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."

work=$(mktemp -d /tmp/session_clock_demo_test.XXXXXX)
chmod 755 "$work"
dir="$work/demo"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
demo_pid=""
cleanup() {
  [ -n "$demo_pid" ] && kill -TERM -- "-$demo_pid" 2>/dev/null
  scripts/pg-cluster stop "$dir" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

n=0 failed=0
tap() {  # tap DESCRIPTION STATUS [DETAIL]
  n=$((n + 1))
  if [ "$2" = 0 ]; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=$((failed + 1)); [ -n "${3:-}" ] && sed 's/^/#   /' <<<"$3"; fi
}

# demo SIGNAL: one demo, in its own process group (job control: SIGINT is
# not ignored in it as in a script's background job), checked while it
# runs, then SIGNAL sent to the whole group: Ctrl-C (INT) or a closed
# terminal (HUP).
demo() {
  local signal=$1 url sessions status
  set -m
  SESSION_CLOCK_DEMO_DIR="$dir" SESSION_CLOCK_DEMO_PORT="$port" scripts/demo.sh >"$work/demo.log" 2>&1 &
  demo_pid=$!
  set +m
  for _ in $(seq 1 600); do
    grep -q '^Ctrl-C stops the demo' "$work/demo.log" && break
    kill -0 "$demo_pid" 2>/dev/null || break
    sleep 0.2
  done
  grep -q '^Ctrl-C stops the demo' "$work/demo.log"
  tap "the demo starts and says how to connect" $? "$(tail -20 "$work/demo.log")"
  curl -fsS "http://127.0.0.1:$port/healthz" >"$work/health" 2>&1
  tap "its worker answers /healthz" $? "$(cat "$work/health")"
  url=$(sed -nE 's/^  database +(postgres[^ ]+).*/\1/p' "$work/demo.log")
  sessions=$(psql -X -At "$url" -c 'SELECT count(*) FROM session_clock.sessions' 2>&1)
  [ "$sessions" = 1 ]
  tap "its database has the extension and one running session" $? "$sessions"

  kill "-$signal" -- "-$demo_pid"
  for _ in $(seq 1 150); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.2; done
  if kill -0 "$demo_pid" 2>/dev/null; then status=1; else wait "$demo_pid"; status=$?; fi
  tap "SIG$signal to the demo's process group ends it" "$status" "$(tail -5 "$work/demo.log")"
  [ ! -e "$dir" ] && ! pgrep -f -- "-D $dir/data" >/dev/null
  tap "SIG$signal stops the worker and the cluster and deletes the cluster" $? \
    "$(ls -la "$dir" 2>&1; pgrep -af -- "-D $dir/data"; tail -5 "$work/demo.log")"
  demo_pid=""
}
demo INT
demo HUP

echo "1..$n"
echo "# pass $((n - failed))"
echo "# fail $failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Runs the LiveKit wire tests (all ./*.test.mjs, or the files given, relative
# to tests/livekit) with node --test, TAP on stdout. `npm test` and
# scripts/run-tests.sh both come here, so the flags live in one place.
#
# The tests spawn the RoomService stand-in: $ROOM_SERVICE_STANDIN, else
# ../../build/room_service_standin (cmake --build build first).
#
# As in tests/browser/run.sh, --test-timeout is detected rather than guessed
# from the version: Node 18 lacks it, so there the whole run gets a deadline.
set -uo pipefail
cd "$(dirname "$0")"

[ $# -gt 0 ] || set -- ./*.test.mjs
flags=(--test --test-reporter=tap --test-concurrency=1)
if node --test-timeout=1 -e 0 >/dev/null 2>&1; then
  exec node "${flags[@]}" --test-timeout=60000 "$@"
fi
# A normal run takes a few seconds; 5 minutes means something hangs.
timeout --kill-after=30 300 node "${flags[@]}" "$@"
status=$?
[ $status -eq 124 ] && echo "livekit tests: no --test-timeout in node $(node --version), and the run passed its 5-minute deadline" >&2
exit $status

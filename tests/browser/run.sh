#!/usr/bin/env bash
# Runs the browser suite (all ./*.test.mjs, or the files given, relative to
# tests/browser) with node --test, one file at a time, TAP on stdout.
# `npm test` and scripts/run-tests.sh both come here, so the flags live in
# one place.
#
# Verified on Debian bookworm's Node 18.20.4 and NodeSource's 20.20.2.
# Node 18 lacks two things 20 has, each detected rather than guessed from
# the version:
#   - the global CustomEvent (Node 19+), which the client dispatches:
#     Node 18 has it behind --experimental-global-customevent;
#   - --test-timeout (not in Node 18), the 120 s bound on each test: without
#     it a hung test would hang the run, so the whole run gets a deadline.
# And playwright-core stays at 1.61.1 (package.json): 1.62 and later refuse
# to load on Node 18 ("Playwright requires Node.js 20 or higher").
set -uo pipefail
cd "$(dirname "$0")"

[ $# -gt 0 ] || set -- ./*.test.mjs
flags=(--test --test-reporter=tap --test-concurrency=1)
node -e 'CustomEvent' >/dev/null 2>&1 || flags+=(--experimental-global-customevent)
if node --test-timeout=1 -e 0 >/dev/null 2>&1; then
  exec node "${flags[@]}" --test-timeout=120000 "$@"
fi
# A normal run takes well under a minute; 20 minutes means something hangs.
timeout --kill-after=30 1200 node "${flags[@]}" "$@"
status=$?
[ $status -eq 124 ] && echo "browser tests: no --test-timeout in node $(node --version), and the run passed its 20-minute deadline" >&2
exit $status

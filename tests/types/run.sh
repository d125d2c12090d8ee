#!/usr/bin/env bash
# Runs the type checks (node --test, TAP on stdout): tsc --noEmit over
# usage.ts, then the declarations against the modules they describe.
# `npm test` and scripts/run-tests.sh both come here. Node 18 has the global
# CustomEvent the client dispatches only behind a flag (tests/browser/run.sh).
set -uo pipefail
cd "$(dirname "$0")"
flags=(--test --test-reporter=tap)
node -e 'CustomEvent' >/dev/null 2>&1 || flags+=(--experimental-global-customevent)
exec node "${flags[@]}" ./*.test.mjs

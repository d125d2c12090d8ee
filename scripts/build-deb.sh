#!/usr/bin/env bash
# make deb: the Debian packages postgresql-15-session-clock and
# session-clock-worker, built with dpkg-buildpackage -b -us -uc from a copy
# of the source in build/deb/ (dpkg-buildpackage writes its results beside
# the source tree, and we keep them inside ours). The packages land in
# build/deb/*.deb; the build log in build/deb/build.log.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(cat VERSION)
out=build/deb
src=$out/session-clock-$version
rm -rf "$out"
mkdir -p "$src"

# What git tracks (and new files it would track), or the whole tree less
# build output when this is not a git checkout (a release tarball).
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ "$(git rev-parse --show-toplevel)" = "$(pwd -P)" ]; then
  git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion | tar -xf - -C "$src"
  git rev-parse --short=12 HEAD >"$src/COMMIT"
  git diff --quiet HEAD -- || sed -i 's/$/-dirty/' "$src/COMMIT"
else
  tar -cf - --exclude=./build --exclude=node_modules --exclude='*.o' --exclude='*.so' . | tar -xf - -C "$src"
fi

# One binary package per PostgreSQL version postgresql-common supports here.
(cd "$src" && pg_buildext updatecontrol >/dev/null)
echo "deb: building in $src (log: $out/build.log)"
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
  tail -40 "$out/build.log" >&2
  echo "deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
  exit 1
fi
ls "$out"/*.deb

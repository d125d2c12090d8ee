#!/usr/bin/env bash
# Installs the Debian packages session_clock needs to build, test and demo:
# only the missing ones, so it is quick when everything is there. Root or sudo.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config
  postgresql-15 postgresql-server-dev-15
  libpqxx-dev libboost1.81-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libjwt-dev libssl-dev libhowardhinnant-date-dev tzdata
  libgtest-dev googletest
  # The browser client's tests and the demo's token: Node (Debian's 18.20
  # or a newer one already installed, e.g. NodeSource's 20: both run the
  # browser suite and the accuracy harness; tests/browser/run.sh says what
  # 18 needs), Debian's Chromium driven headless, a font for its
  # screenshots, and openssl for signing.
  nodejs chromium fonts-dejavu-core openssl
  # Packaging and deployment (make deb and its install test, the nginx
  # integration test, promtool on /metrics, systemd-analyze on the unit):
  # pg_buildext comes with postgresql-server-dev-all.
  debhelper dpkg-dev fakeroot postgresql-server-dev-all
  nginx prometheus systemd curl
  # The Python client (clients/python) and its tests, on Debian's own
  # python3 (3.11): websockets 10.4 (its legacy asyncio API) and pytest.
  python3 python3-websockets python3-pytest
  # tests/portable/run.sh applies its expected-output patches.
  patch
  # tests/pooler/run.sh: the worker's self-test through PgBouncer in
  # transaction mode (it must refuse) and session mode.
  pgbouncer
  # The one-clock integration tests run the worker with its wall clock
  # shifted and running fast (libfaketime, LD_PRELOAD), the database's not.
  faketime
  # The fuzz targets (tests/fuzz): Debian's clang with libFuzzer and the
  # sanitizers' runtimes.
  clang libclang-rt-14-dev
  # bench/run-instructions.sh counts instructions with callgrind.
  valgrind
)

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# NodeSource's nodejs carries npm; Debian's does not: its separate npm
# package (9.2) does, and runs our lockfiles' npm ci.
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

# Sourced by the bench/run*.sh scripts, after each has defined log and die
# and made its $work directory: the steps every benchmark takes before it
# measures. Each script stays readable top to bottom; these are its common
# first lines.

# The last steps of every script's cleanup: its throwaway cluster stopped,
# $work removed, the exit status kept.
drop_cluster_and_exit() {
  scripts/pg-cluster stop "$cluster" >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$1"
}

# The script's own cleanup runs on exit; INT and TERM exit with the shell's
# codes, so that it runs then too.
trap_cleanup() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# Ticks the host's CPUs have been busy (user, nice, system, irq, softirq, steal).
host_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# Sets idle_before: CPUs busy over one second before anything of ours runs
# (1.00 = one core), and says so when the figures will suffer.
check_idle_before() {
  local b0
  b0=$(host_busy_ticks)
  sleep 1
  idle_before=$(awk -v b0="$b0" -v b1="$(host_busy_ticks)" -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" \
    'BEGIN { printf "%.2f", (b1 - b0) / hz }')
  if awk -v o="$idle_before" 'BEGIN { exit !(o > 0.2) }'; then
    log "the host is busy before the run ($idle_before CPUs in use): figures will suffer"
  fi
}

# build_and_install [CMAKE_TARGET...]: the extension and the worker (make),
# any extra CMake targets (a benchmark's own binary), then make install (with
# sudo unless root); output in $work/build.log, its tail on failure. Run from
# `make bench` we are a sub-make: the parent's jobserver flags are dropped.
#
# BENCH_NO_INSTALL=1 builds only the worker (and the extra targets) and uses
# the extension already installed, for a machine whose installed extension
# someone else maintains: the worker's start-up check refuses a version it
# does not speak, so a mismatch cannot go unnoticed.
build_and_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if [ "${BENCH_NO_INSTALL:-0}" = 1 ]; then
    cmake --build build -j2 --target session-clock-worker "$@" >"$work/build.log" 2>&1 \
      || { tail -30 "$work/build.log" >&2; die "building the worker failed"; }
    return 0
  fi
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -j2 all worker >"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; die "make failed"; }
  if [ $# -gt 0 ]; then
    cmake --build build -j2 --target "$@" >>"$work/build.log" 2>&1 \
      || { tail -30 "$work/build.log" >&2; die "building $* failed"; }
  fi
  env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $sudo make install >>"$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; die "make install failed"; }
  [ -x build/session-clock-worker ] || die "build/session-clock-worker was not built"
}

# start_cluster_with_extension: the throwaway cluster $cluster started, with
# Supabase's roles and the extension in it; sets url (its connection URL).
start_cluster_with_extension() {
  log "starting a throwaway cluster in $cluster"
  url=$(scripts/pg-cluster start "$cluster")
  scripts/pg-cluster psql "$cluster" -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
\i scripts/supabase_roles.sql
CREATE EXTENSION session_clock;
SQL
}

# install_write_sides: what the write tests compare, in the cluster $PGHOST
# names: the extension and the plpgsql baseline (bench/baseline.sql) in the
# current database, SESSIONS clocks seeded into both and the baseline
# checked to behave like the extension, and the portable edition in
# database bench_portable with the same clocks. Uses the script's sql().
install_write_sides() {
  log "creating the extension and the plpgsql baseline; seeding $SESSIONS sessions"
  sql -c 'CREATE EXTENSION session_clock' >/dev/null
  sql -f bench/baseline.sql >/dev/null
  sql -f bench/seed.sql >"$work/seed.log" || { cat "$work/seed.log" >&2; die "seeding failed"; }
  sql -f bench/check_equivalence.sql >/dev/null || die "the baseline does not behave like the extension"
  log "installing the portable edition in database bench_portable; seeding it alike"
  sql -c 'CREATE DATABASE bench_portable' >/dev/null
  sql -d bench_portable -f portable/session_clock.sql >/dev/null
  sql -d bench_portable -c "SELECT count(*) FROM generate_series(1, $SESSIONS) AS i,
                              LATERAL session_clock_start(md5(i::text)::uuid) AS c WHERE c.changed" >/dev/null
}

# commit_of PATH...: HEAD's short hash, "+ uncommitted changes" when any of
# the PATHs (what the run measures) differs from it.
commit_of() {
  local commit
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  [ -z "$(git status --porcelain -- "$@" 2>/dev/null)" ] || commit+=" + uncommitted changes"
  echo "$commit"
}

# SIGTERM every worker in worker_pids at once (each takes its shutdown grace),
# then collect them, SIGKILL after 5 s; their exit statuses go to stop_status,
# and worker_pids, worker_ports and worker_logs are emptied.
stop_workers() {
  local pid status
  stop_status=()
  for pid in "${worker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${worker_pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$pid" 2>/dev/null; then
      log "worker $pid did not stop within 5 s of SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    status=0
    wait "$pid" 2>/dev/null || status=$?
    stop_status+=("$status")
  done
  worker_pids=() worker_ports=() worker_logs=()
}

# session_clock: the PostgreSQL extension (PGXS) plus umbrella targets.
#
#   make          build the extension and the worker (build/session-clock-worker)
#   make demo     install what is missing, build, start a throwaway cluster
#   make test     install what is missing, build, run every test suite
#   make bench    run the benchmarks in bench/ (extension: bench/run.sh; worker: bench/run-worker.sh;
#                 grace deadlines: bench/run-grace.sh; rooms: bench/run-rooms.sh; time-sync accuracy:
#                 bench/run-accuracy.sh)
#   make bench-worker   only the worker's (bench/run-worker.sh)
#   make bench-grace    only the grace deadlines' (bench/run-grace.sh)
#   make bench-rooms    only the rooms' (bench/run-rooms.sh)
#   make bench-accuracy only the time-sync accuracy harness (bench/run-accuracy.sh)
#
# The PGXS part is what `make install` / `make installcheck` use; the umbrella
# targets drive it through scripts/ so one command works on a fresh machine.

EXTENSION   = session_clock
MODULE_big  = session_clock
DATA        = extension/session_clock--1.0.sql extension/session_clock--1.0--1.1.sql extension/session_clock--1.1--1.2.sql \
              extension/session_clock--1.2--1.3.sql
CORE_SRCS   = $(wildcard extension/core/*.cpp)
GLUE_SRCS   = $(wildcard extension/pg/*.cpp)
OBJS        = $(CORE_SRCS:.cpp=.o) $(GLUE_SRCS:.cpp=.o)

REGRESS      = preplanted install schema_doc upgrade clock_basics clock_errors membership roles security server_time event_log grace presence livekit early_presence member_removal single_device livekit_reconcile rooms stranded_sessions
REGRESS_OPTS = --inputdir=. --load-extension=plpgsql
ISOLATION      = pause_pause resume_resume resume_behind_pause start_race stop_vs_pause deadline_vs_resume deadline_two_workers presence_race room_commands early_presence_race
ISOLATION_OPTS = --inputdir=tests/isolation

PG_CONFIG ?= $(firstword $(wildcard /usr/lib/postgresql/15/bin/pg_config) pg_config)
PGXS      := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

# Server headers as system headers: their warnings are not ours.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)
PG_CXXFLAGS = -std=c++17 -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = -lstdc++
# Debian's PGXS would also build LLVM bitcode with clang, without our C++
# flags; the functions are tiny and gain nothing from JIT inlining.
override with_llvm = no
# Rebuild objects when a header they include changes (sources need distinct
# basenames: PGXS keeps one .deps/NAME.Po per file).
override autodepend = yes

EXTRA_CLEAN = build .deps results output_iso regression.diffs regression.out tests/isolation/results

ifneq ($(PGXS),)
include $(PGXS)
endif

.PHONY: deps worker demo test bench bench-worker bench-grace bench-rooms bench-accuracy

all: worker

deps:
	@scripts/install-deps.sh

worker:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	+cmake --build build

demo: deps
	@scripts/demo.sh

test: deps
	@scripts/run-tests.sh

# Every benchmark runs even if an earlier one fails; non-zero if any failed.
bench: deps
	@rc=0; bench/run.sh || rc=$$?; bench/run-worker.sh || rc=$$?; bench/run-grace.sh || rc=$$?; \
	  bench/run-rooms.sh || rc=$$?; bench/run-accuracy.sh || rc=$$?; exit $$rc

bench-worker: deps
	@bench/run-worker.sh

bench-grace: deps
	@bench/run-grace.sh

bench-rooms: deps
	@bench/run-rooms.sh

bench-accuracy: deps
	@bench/run-accuracy.sh

# session_clock: the PostgreSQL extension, built like any PGXS extension.
#
#   make && sudo make install   build and install the extension (needs PostgreSQL's
#                               server headers, nlohmann/json and a C++17 compiler)
#   make installcheck           pg_regress and isolation tests against a running server
#
# PG_CONFIG picks the PostgreSQL to build for (default: the pg_config on PATH),
# e.g. make PG_CONFIG=/usr/lib/postgresql/16/bin/pg_config.
#
# Everything else has its own target and needs more (scripts/install-deps.sh):
#   make worker      the worker, its tests and benchmarks (CMake, into build/)
#   make deb         the Debian packages (dpkg-buildpackage, into build/deb/)
#   make demo        install what is missing, build, start a throwaway cluster
#   make test        install what is missing, build, run every test suite
#   make fuzz        every libFuzzer target (tests/fuzz), FUZZ_SECONDS each
#   make bench       every benchmark in bench/ (bench-worker, bench-grace,
#                    bench-rooms, bench-accuracy, bench-ceiling,
#                    bench-instructions, bench-worker-instructions: one each)

EXTENSION    = session_clock
MODULE_big   = session_clock
DATA         = extension/session_clock--1.0.sql extension/session_clock--1.0--1.1.sql \
               extension/session_clock--1.1--1.2.sql extension/session_clock--1.2--1.3.sql
# pg_buildext builds out of tree (make -f SRC/Makefile VPATH=SRC): look for
# sources in the source directory, and name objects relative to it.
source_dir  := $(patsubst %/,%,$(dir $(firstword $(MAKEFILE_LIST))))
sources_in   = $(patsubst $(source_dir)/%,%,$(wildcard $(source_dir)/$(1)))
OBJS         = $(patsubst %.cpp,%.o,$(call sources_in,extension/core/*.cpp) $(call sources_in,extension/pg/*.cpp))
PROJECT_VERSION := $(shell cat $(source_dir)/VERSION)

REGRESS        = preplanted install schema_doc upgrade clock_basics clock_errors membership roles security server_time event_log grace presence livekit early_presence member_removal single_device livekit_reconcile rooms room_guests stranded_sessions clock_vectors settings trusted constraints_hold
REGRESS_OPTS   = --inputdir=$(source_dir) --load-extension=plpgsql
ISOLATION      = pause_pause resume_resume resume_behind_pause start_race stop_vs_pause deadline_vs_resume deadline_two_workers presence_race room_commands early_presence_race settings_cache
ISOLATION_OPTS = --inputdir=$(source_dir)/tests/isolation

PG_CONFIG ?= pg_config
PGXS      := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
ifeq ($(PGXS),)
$(error $(PG_CONFIG) not found: install PostgreSQL's server headers (Debian: postgresql-server-dev-15) or set PG_CONFIG)
endif

# Server headers as system headers: their warnings are not ours.
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server) -DSESSION_CLOCK_VERSION='"$(PROJECT_VERSION)"'
PG_CXXFLAGS = -std=c++17 -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
SHLIB_LINK  = -lstdc++
# Debian's PGXS would also build LLVM bitcode with clang, without our C++
# flags; the functions are tiny and gain nothing from JIT inlining.
override with_llvm = no
# Rebuild objects when a header they include changes (sources need distinct
# basenames: PGXS keeps one .deps/NAME.Po per file).
override autodepend = yes

EXTRA_CLEAN = .deps results output_iso regression.diffs regression.out tests/isolation/results

include $(PGXS)

# Out of tree, the object directories do not exist yet (and a rule for them
# would not run: VPATH finds them in the source directory).
ifdef VPATH
$(shell mkdir -p $(sort $(dir $(OBJS))))
endif

.PHONY: deps worker deb demo test fuzz bench bench-worker bench-grace bench-rooms bench-accuracy bench-ceiling bench-instructions bench-worker-instructions

deps:
	@$(source_dir)/scripts/install-deps.sh

# CMAKE_ARGS: e.g. -DSESSION_CLOCK_TESTS=OFF -DSESSION_CLOCK_BENCHMARKS=OFF.
worker:
	cmake -S $(source_dir) -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS) >/dev/null
	+cmake --build build

deb:
	@$(source_dir)/scripts/build-deb.sh

demo: deps
	@scripts/demo.sh

test: deps
	@scripts/run-tests.sh

# Every benchmark runs even if an earlier one fails; non-zero if any failed.
FUZZ_SECONDS ?= 180
fuzz: deps
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps
	@rc=0; bench/run.sh || rc=$$?; bench/run-worker.sh || rc=$$?; bench/run-grace.sh || rc=$$?; \
	  bench/run-rooms.sh || rc=$$?; bench/run-accuracy.sh || rc=$$?; bench/run-ceiling.sh || rc=$$?; \
	  bench/run-instructions.sh || rc=$$?; bench/run-worker-instructions.sh || rc=$$?; exit $$rc

bench-worker: deps
	@bench/run-worker.sh

bench-grace: deps
	@bench/run-grace.sh

bench-rooms: deps
	@bench/run-rooms.sh

bench-accuracy: deps
	@bench/run-accuracy.sh

bench-ceiling: deps
	@bench/run-ceiling.sh

bench-instructions: deps
	@bench/run-instructions.sh

bench-worker-instructions: deps
	@bench/run-worker-instructions.sh

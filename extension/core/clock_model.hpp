// The session clock as a pure state machine: no I/O, no PostgreSQL.
//
// A clock is a piecewise-linear function of server time. Running, it advances
// at rate 1; paused, it is frozen at last_change_us. Times are microseconds on
// any single epoch chosen by the caller (PostgreSQL's 2000-01-01 in the
// extension, Unix in the worker): the arithmetic never needs to know which.
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <cstdint>
#include <optional>
#include <vector>

namespace session_clock::core {

using Micros = std::int64_t;

struct ClockState {
  Micros started_at_us = 0;
  bool is_paused = false;
  std::int64_t total_paused_ms = 0;
  Micros last_change_us = 0;
  std::optional<Micros> ended_at_us;
  std::int64_t version = 0;

  bool ended() const { return ended_at_us.has_value(); }
  bool operator==(const ClockState& o) const {
    return started_at_us == o.started_at_us && is_paused == o.is_paused &&
           total_paused_ms == o.total_paused_ms && last_change_us == o.last_change_us &&
           ended_at_us == o.ended_at_us && version == o.version;
  }
};

// Clock events move the clock; the others (presence and grace, see
// grace_policy.hpp) are logged and versioned like them but leave it as it is.
enum class EventKind { start, pause, resume, stop, join, leave, grace_start, grace_cancel, configure, hold };

const char* event_name(EventKind kind);
std::optional<EventKind> parse_event_name(const char* name);
bool moves_clock(EventKind kind);

// One state change, as written to the event log. `at_us` is the effective
// time: never earlier than the previous change, even if the host clock
// stepped backwards (then clock_stepped_back is set and the step counts as 0).
struct Event {
  EventKind kind = EventKind::start;
  Micros at_us = 0;
  std::int64_t paused_ms = 0;  // pause interval closed by this event
  double elapsed_ms = 0;       // clock position at at_us, after the change
  bool clock_stepped_back = false;
};

struct Transition {
  bool changed = false;
  ClockState state;  // the state after the call (unchanged if !changed)
  Event event;       // meaningful only if changed
};

// A fresh clock started at now_us (version 1).
Transition start(Micros now_us);
// Pausing a paused clock, resuming a running one or stopping a stopped one
// changes nothing. Pause/resume of a stopped clock throws SqlError 55000.
Transition pause(const ClockState& s, Micros now_us);
Transition resume(const ClockState& s, Micros now_us);
Transition stop(const ClockState& s, Micros now_us);

// Clock position in milliseconds at `at_us`. A time before the last change is
// read as the last change (the row keeps no history; a backwards clock step
// must not make a clock run backwards). Throws SqlError 22003 on values no
// real clock reaches (a row edited by hand).
double elapsed_ms(const ClockState& s, Micros at_us);

// A logged change that leaves the clock as it is (a join, a grace deadline):
// the next version, at the effective time of now_us.
Transition note(const ClockState& s, EventKind kind, Micros now_us);

// Folds an event log (oldest first) into the state it describes, using only
// each event's kind and effective time (other events only count versions).
// Throws SqlError on an impossible log.
ClockState replay(const std::vector<Event>& events);

}  // namespace session_clock::core

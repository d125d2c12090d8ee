#include "clock_model.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "sql_error.hpp"

namespace session_clock::core {
namespace {

constexpr Micros kMicrosPerMs = 1000;

// The effective time of a change: a backwards step of the host clock is
// clamped to the previous change, so intervals never go negative.
struct EffectiveTime {
  Micros at_us;
  bool stepped_back;
};

EffectiveTime effective_time(const ClockState& s, Micros now_us) {
  if (now_us < s.last_change_us) return {s.last_change_us, true};
  return {now_us, false};
}

// Whole milliseconds of the pause that ends at at_us. Flooring keeps
// total_paused_ms an integer and the clock never jumps backwards on resume.
std::int64_t closed_pause_ms(const ClockState& s, Micros at_us) {
  return (at_us - s.last_change_us) / kMicrosPerMs;
}

void require_not_ended(const ClockState& s, const char* action) {
  if (s.ended())
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState,
                   std::string("cannot ") + action + " a stopped session clock");
}

Transition changed_to(ClockState next, EventKind kind, EffectiveTime t, std::int64_t paused_ms) {
  next.last_change_us = t.at_us;
  next.version += 1;
  Event e{kind, t.at_us, paused_ms, elapsed_ms(next, t.at_us), t.stepped_back};
  return {true, next, e};
}

}  // namespace

const char* event_name(EventKind kind) {
  switch (kind) {
    case EventKind::start: return "start";
    case EventKind::pause: return "pause";
    case EventKind::resume: return "resume";
    case EventKind::stop: return "stop";
    case EventKind::join: return "join";
    case EventKind::leave: return "leave";
    case EventKind::grace_start: return "grace_start";
    case EventKind::grace_cancel: return "grace_cancel";
    case EventKind::configure: return "configure";
    case EventKind::hold: return "hold";
  }
  return "unknown";
}

constexpr EventKind kAllKinds[] = {EventKind::start,  EventKind::pause,       EventKind::resume,
                                   EventKind::stop,   EventKind::join,        EventKind::leave,
                                   EventKind::grace_start, EventKind::grace_cancel, EventKind::configure,
                                   EventKind::hold};

std::optional<EventKind> parse_event_name(const char* name) {
  for (auto kind : kAllKinds)
    if (std::strcmp(name, event_name(kind)) == 0) return kind;
  return std::nullopt;
}

bool moves_clock(EventKind kind) {
  return kind == EventKind::start || kind == EventKind::pause || kind == EventKind::resume ||
         kind == EventKind::stop;
}

Transition start(Micros now_us) {
  ClockState s;
  s.started_at_us = now_us;
  s.last_change_us = now_us;
  s.version = 1;
  return {true, s, Event{EventKind::start, now_us, 0, 0.0, false}};
}

Transition pause(const ClockState& s, Micros now_us) {
  require_not_ended(s, "pause");
  if (s.is_paused) return {false, s, {}};
  ClockState next = s;
  next.is_paused = true;
  return changed_to(next, EventKind::pause, effective_time(s, now_us), 0);
}

Transition resume(const ClockState& s, Micros now_us) {
  require_not_ended(s, "resume");
  if (!s.is_paused) return {false, s, {}};
  auto t = effective_time(s, now_us);
  auto paused_ms = closed_pause_ms(s, t.at_us);
  ClockState next = s;
  next.is_paused = false;
  next.total_paused_ms += paused_ms;
  return changed_to(next, EventKind::resume, t, paused_ms);
}

// Stopping a paused clock closes the pause too, so a stopped clock's position
// is always ended_at - started_at - total_paused_ms. is_paused stays as it was.
Transition stop(const ClockState& s, Micros now_us) {
  if (s.ended()) return {false, s, {}};
  auto t = effective_time(s, now_us);
  auto paused_ms = s.is_paused ? closed_pause_ms(s, t.at_us) : 0;
  ClockState next = s;
  next.total_paused_ms += paused_ms;
  next.ended_at_us = t.at_us;
  return changed_to(next, EventKind::stop, t, paused_ms);
}

Transition note(const ClockState& s, EventKind kind, Micros now_us) {
  auto t = effective_time(s, now_us);
  ClockState next = s;
  next.version += 1;
  return {true, next, Event{kind, t.at_us, 0, elapsed_ms(next, t.at_us), t.stepped_back}};
}

double elapsed_ms(const ClockState& s, Micros at_us) {
  Micros end_us;
  if (s.ended())
    end_us = *s.ended_at_us;
  else if (s.is_paused)
    end_us = s.last_change_us;
  else
    end_us = std::max(at_us, s.last_change_us);
  // Integer microseconds first, one rounding at the end; a row edited by
  // hand into absurd values is an error, not a wrapped-around answer.
  Micros paused_us, running_us, us;
  if (__builtin_mul_overflow(s.total_paused_ms, kMicrosPerMs, &paused_us) ||
      __builtin_sub_overflow(end_us, s.started_at_us, &running_us) ||
      __builtin_sub_overflow(running_us, paused_us, &us))
    throw SqlError(sqlstate::kNumericValueOutOfRange, "session clock values are out of range");
  return us > 0 ? static_cast<double>(us) / kMicrosPerMs : 0.0;
}

ClockState replay(const std::vector<Event>& events) {
  if (events.empty() || events.front().kind != EventKind::start)
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "event log does not begin with a start event");
  ClockState s = start(events.front().at_us).state;
  for (std::size_t i = 1; i < events.size(); ++i) {
    const Event& e = events[i];
    if (e.at_us < s.last_change_us)
      throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "event log goes back in time");
    Transition t;
    switch (e.kind) {
      case EventKind::start:
        throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "event log has a second start event");
      case EventKind::pause: t = pause(s, e.at_us); break;
      case EventKind::resume: t = resume(s, e.at_us); break;
      case EventKind::stop: t = stop(s, e.at_us); break;
      default: t = note(s, e.kind, e.at_us); break;
    }
    if (!t.changed)
      throw SqlError(sqlstate::kObjectNotInPrerequisiteState,
                     std::string("event log has a ") + event_name(e.kind) + " that changes nothing");
    s = t.state;
  }
  return s;
}

}  // namespace session_clock::core

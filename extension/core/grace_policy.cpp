#include "grace_policy.hpp"

#include <string>

#include "sql_error.hpp"

namespace session_clock::core {
namespace {

constexpr Micros kMicrosPerMs = 1000;

bool running(const ClockState& c) { return !c.ended() && !c.is_paused; }

SessionChange logged(const Transition& t, const GraceState& grace, const char* reason) {
  return {Session{t.state, grace}, t.event, reason};
}

}  // namespace

void validate_grace_config(std::optional<std::int32_t> min_participants, std::optional<std::int32_t> grace_ms) {
  if (min_participants && (*min_participants < 0 || *min_participants > kMaxMinParticipants))
    throw SqlError(sqlstate::kInvalidParameterValue,
                   "p_min_participants must be between 0 and " + std::to_string(kMaxMinParticipants));
  if (grace_ms && (*grace_ms < 0 || *grace_ms > kMaxGraceMs))
    throw SqlError(sqlstate::kInvalidParameterValue, "p_grace_ms must be between 0 and " + std::to_string(kMaxGraceMs));
}

std::optional<SessionChange> settle_deadline(const Session& s, Micros now_us) {
  if (!s.grace.deadline_us || *s.grace.deadline_us > now_us || !running(s.clock)) return std::nullopt;
  GraceState grace = s.grace;
  grace.deadline_us.reset();
  grace.auto_paused = true;
  return logged(pause(s.clock, *s.grace.deadline_us), grace, kReasonParticipantDisconnected);
}

SessionChange presence_changed(const Session& s, EventKind join_or_leave, std::int32_t participants, Micros now_us) {
  GraceState grace = s.grace;
  grace.tracked = true;
  grace.participants = participants;
  return logged(note(s.clock, join_or_leave, now_us), grace, nullptr);
}

std::optional<SessionChange> react(const Session& s, const GraceConfig& config, Micros now_us) {
  const GraceState& g = s.grace;
  bool below = g.tracked && g.participants < config.min_participants;
  GraceState grace = g;
  if (running(s.clock) && below && !g.deadline_us) {
    if (config.grace_ms == 0) {
      grace.auto_paused = true;
      return logged(pause(s.clock, now_us), grace, kReasonParticipantDisconnected);
    }
    Transition t = note(s.clock, EventKind::grace_start, now_us);
    grace.deadline_us = t.event.at_us + config.grace_ms * kMicrosPerMs;
    return logged(t, grace, kReasonBelowMinimum);
  }
  if (g.deadline_us && (!below || !running(s.clock))) {
    grace.deadline_us.reset();
    return logged(note(s.clock, EventKind::grace_cancel, now_us), grace, nullptr);
  }
  if (!s.clock.ended() && s.clock.is_paused && g.auto_paused && !below) {
    grace.auto_paused = false;
    return logged(resume(s.clock, now_us), grace, kReasonParticipantsReconnected);
  }
  return std::nullopt;
}

SessionChange manual_change(const Session& s, const Transition& t, const char* reason) {
  GraceState grace = s.grace;
  if (t.changed) {
    grace.deadline_us.reset();
    grace.auto_paused = false;
  }
  return {Session{t.state, grace}, t.event, reason};
}

std::optional<SessionChange> hold(const Session& s, Micros now_us, const char* reason) {
  if (!s.grace.auto_paused || !s.clock.is_paused || s.clock.ended()) return std::nullopt;
  GraceState grace = s.grace;
  grace.auto_paused = false;
  return logged(note(s.clock, EventKind::hold, now_us), grace, reason);
}

SessionChange configured(const Session& s, Micros now_us, bool track) {
  GraceState grace = s.grace;
  grace.tracked = grace.tracked || track;
  return logged(note(s.clock, EventKind::configure, now_us), grace, nullptr);
}

Session as_of(const Session& s, Micros now_us) {
  auto settled = settle_deadline(s, now_us);
  return settled ? settled->next : s;
}

}  // namespace session_clock::core

// Grace-period auto-pause as a pure function of a session's state: no I/O, no
// PostgreSQL. The extension applies these decisions under the session's row
// lock wherever a change is committed (a presence report, a manual pause, a
// worker applying a due deadline), so every path behaves the same.
//
// The rule: a session whose presence is tracked and whose clock runs with
// fewer than min_participants present gets a deadline grace_ms ahead. Still
// below at the deadline, the clock pauses *as of the deadline*. Back at the
// minimum before it, the deadline is cancelled. Back after an automatic
// pause, the clock resumes at once. A clock paused by hand is never resumed
// automatically.
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <cstdint>
#include <optional>
#include <vector>

#include "clock_model.hpp"

namespace session_clock::core {

struct GraceConfig {
  std::int32_t min_participants = 2;  // 0 switches auto-pause off
  std::int32_t grace_ms = 30000;
};

inline constexpr std::int32_t kMaxMinParticipants = 10000;
inline constexpr std::int32_t kMaxGraceMs = 24 * 60 * 60 * 1000;

// Throws SqlError 22023 for values outside 0..kMaxMinParticipants / 0..kMaxGraceMs.
void validate_grace_config(std::optional<std::int32_t> min_participants, std::optional<std::int32_t> grace_ms);

struct GraceState {
  bool tracked = false;            // presence was reported or grace configured: the rule applies
  std::int32_t participants = 0;   // distinct participants present now
  std::optional<Micros> deadline_us;
  bool auto_paused = false;        // paused by the rule, so it may resume by it
  bool operator==(const GraceState& o) const {
    return tracked == o.tracked && participants == o.participants && deadline_us == o.deadline_us &&
           auto_paused == o.auto_paused;
  }
};

struct Session {
  ClockState clock;
  GraceState grace;
};

inline constexpr const char* kReasonBelowMinimum = "below_minimum";
inline constexpr const char* kReasonParticipantDisconnected = "participant_disconnected";
inline constexpr const char* kReasonParticipantsReconnected = "participants_reconnected";

// One logged change of a session, in the order it must be written.
struct SessionChange {
  Session next;
  Event event;
  const char* reason = nullptr;  // static text, or nullptr
};

// A deadline that is due (deadline <= now) on a running clock becomes a pause
// at the deadline. Nothing otherwise.
std::optional<SessionChange> settle_deadline(const Session& s, Micros now_us);

// The participant count changed (a join or leave of one participant): the
// join/leave event. The session becomes tracked.
SessionChange presence_changed(const Session& s, EventKind join_or_leave, std::int32_t participants, Micros now_us);

// What the rule does now, after a presence, configuration or manual change:
// at most one change (start or cancel a deadline, pause at once when the
// grace is 0, or resume an automatic pause). Call settle_deadline first.
std::optional<SessionChange> react(const Session& s, const GraceConfig& config, Micros now_us);

// A person's pause, resume or stop of the clock (`t` from clock_model), with
// what it means for the rule: any of them cancels a pending deadline (a
// resume may start a new one through react) and makes the pause manual.
SessionChange manual_change(const Session& s, const Transition& t, const char* reason);

// A person pauses a clock the rule paused: it becomes theirs (event hold) and
// will not resume by itself. Nothing if the clock is not auto-paused.
std::optional<SessionChange> hold(const Session& s, Micros now_us, const char* reason);

// Configuration changed: the configure event; with `track` the session
// becomes tracked (a call that only sets single_device leaves that as it is).
SessionChange configured(const Session& s, Micros now_us, bool track = true);

// The session as anyone reading it now must see it: an overdue deadline is
// already a pause, whether or not a worker has written it yet.
Session as_of(const Session& s, Micros now_us);

}  // namespace session_clock::core

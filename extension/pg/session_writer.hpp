// Writes a locked session's changes one after another, each on top of the
// last: the grace rule's steps, a person's pause, a participant's join. Every
// path that changes a session goes through here, so an overdue deadline is
// always applied (as of the deadline) before anything else happens to it.
#pragma once

#include <optional>
#include <string>

#include "../core/grace_policy.hpp"
#include "caller.hpp"
#include "clock_store.hpp"

namespace session_clock::pg {

class SessionWriter {
 public:
  // `stored` must have been loaded with Lock::for_update.
  SessionWriter(const pg_uuid_t& id, StoredSession stored, const Caller& caller)
      : id_(id), stored_(std::move(stored)), caller_(caller) {}

  const StoredSession& stored() const { return stored_; }
  const core::Session& session() const { return stored_.session; }
  bool wrote() const { return wrote_; }

  void write(const core::SessionChange& change, const std::string* participant_id = nullptr);
  void write(const std::optional<core::SessionChange>& change) {
    if (change) write(*change);
  }

  // An overdue deadline becomes the pause it stands for.
  void settle(core::Micros now_us) { write(core::settle_deadline(session(), now_us)); }
  // Whatever the grace rule does about the session as it is now.
  void react(core::Micros now_us);
  // Puts the session under the grace rule without an event of its own (its
  // joins, or the rule's grace_start, are what the log shows).
  void track();
  // New per-session settings and the configure event. The grace rule is
  // turned on unless the call only sets single_device.
  void configure(const SessionSettings& settings, core::Micros now_us);

 private:
  pg_uuid_t id_;
  StoredSession stored_;
  const Caller& caller_;
  bool wrote_ = false;
};

}  // namespace session_clock::pg

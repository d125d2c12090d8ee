// Presence reported before its session exists (schema 1.3): a LiveKit join
// before the app starts the clock, or an admin's session_clock_presence. The
// reports wait in session_clock.early_presence, bounded in count and age, and
// count from the moment session_clock_start creates the session. Writers and
// the start serialise on session_clock.lock_unborn_session, so a report is
// either seen by the start or sees the session (docs/grace.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../core/clock_model.hpp"
#include "caller.hpp"
#include "clock_store.hpp"

namespace session_clock::pg {

// Whether the schema keeps early presence (1.3 and later).
bool early_presence_installed();

// Takes the lock that orders early reports against the session's creation.
void lock_unborn_session(const pg_uuid_t& id);

// An admin's report for a session that (under the lock) does not exist.
struct EarlyReport {
  bool changed = false;
  std::int32_t participants = 0;  // kept for the session now
};
EarlyReport put_early_presence(const pg_uuid_t& id, const std::string& participant_id, bool present);

// Called by session_clock_start right after inserting the session: makes the
// kept reports present as of now_us (join events, then the grace rule). The
// session as written when anything was adopted; nullopt when nothing was.
std::optional<StoredSession> adopt_early_presence(const pg_uuid_t& id, const Caller& caller, core::Micros now_us);

}  // namespace session_clock::pg

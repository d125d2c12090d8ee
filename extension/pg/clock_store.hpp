// Reading and writing session clocks: the rows in session_clock.sessions (the
// clock and its grace state), the audit rows in session_clock.session_events,
// and the NOTIFY that announces each change in the same transaction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../core/clock_model.hpp"
#include "../core/grace_policy.hpp"
#include "caller.hpp"

namespace session_clock::pg {

enum class Lock { none, for_update };

// Lock::none reads through the primary key with the calling statement's
// snapshot; Lock::for_update takes the row lock first (concurrent changes
// serialise on it) and sees the latest committed version.
struct StoredSession {
  core::Session session;
  std::optional<std::int32_t> min_participants;  // NULL: the database-wide setting
  std::optional<std::int32_t> grace_ms;
  bool has_grace_columns = true;  // false on a 1.0 schema not yet updated to 1.1
  ItemPointerData row{};          // the version read (writes follow its update chain)
};
std::optional<StoredSession> load_session(const pg_uuid_t& id, Lock lock);
std::optional<core::ClockState> load_clock(const pg_uuid_t& id, Lock lock);

// Inserts a started clock unless the id exists; false if it did.
bool insert_clock(const pg_uuid_t& id, const core::ClockState& state);

// Adds a member or changes its role; the row is left in SPI_tuptable.
void add_member(const pg_uuid_t& id, const std::string& participant_id, const char* role);

// Logs a start (the row was just inserted) and sends its NOTIFY.
void log_start(const pg_uuid_t& id, const core::Transition& change, const Caller& caller);

// Writes one change of an existing, locked session: its state, its event row
// (with the participant for join/leave), and its NOTIFY.
void save_change(const pg_uuid_t& id, const StoredSession& stored, const core::SessionChange& change,
                 const Caller& caller, const std::string* participant_id = nullptr);

// Marks the session's presence as tracked (the grace rule applies).
void save_tracked(const pg_uuid_t& id);

// NOTIFY member_removed: workers stop the member's follows of the session.
void notify_member_removed(const pg_uuid_t& id, const std::string& participant_id);

// NOTIFY on the session_clock channel (sent when the transaction commits).
void send_notification(const std::string& payload);

// What session_clock_configure was asked to change; nullopt keeps a value.
struct SessionSettings {
  std::optional<std::int32_t> min_participants;
  std::optional<std::int32_t> grace_ms;
  std::optional<bool> single_device;  // 1.3
};

// Sets the per-session settings given.
void save_settings(const pg_uuid_t& id, const SessionSettings& settings);

std::string uuid_text(const pg_uuid_t& id);

}  // namespace session_clock::pg

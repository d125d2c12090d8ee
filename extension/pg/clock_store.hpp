// Reading and writing session clocks: the rows in session_clock.sessions, the
// audit rows in session_clock.session_events, and the NOTIFY that announces
// each change in the same transaction.
#pragma once

#include <optional>
#include <string>

#include "../core/clock_model.hpp"
#include "caller.hpp"

namespace session_clock::pg {

enum class Lock { none, for_update };

// Lock::none reads through the primary key with the calling statement's
// snapshot; Lock::for_update takes the row lock first (concurrent changes
// serialise on it) and sees the latest committed version.
std::optional<core::ClockState> load_clock(const pg_uuid_t& id, Lock lock);

// Inserts a started clock unless the id exists; false if it did.
bool insert_clock(const pg_uuid_t& id, const core::ClockState& state);

// Adds a member or changes its role; the row is left in SPI_tuptable.
void add_member(const pg_uuid_t& id, const std::string& participant_id, const char* role);

// Logs a start (the row was just inserted) and sends its NOTIFY.
void log_start(const pg_uuid_t& id, const core::Transition& change, const Caller& caller);

// Writes a changed state of an existing, locked clock, its event row, and
// its NOTIFY.
void save_change(const pg_uuid_t& id, const core::Transition& change, const char* reason, const Caller& caller);

std::string uuid_text(const pg_uuid_t& id);

}  // namespace session_clock::pg

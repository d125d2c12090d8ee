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

std::optional<core::ClockState> load_clock(const pg_uuid_t& id, Lock lock);

// Inserts a started clock unless the id exists; false if it did.
bool insert_clock(const pg_uuid_t& id, const core::ClockState& state);

// Adds a member or changes its role; the row is left in SPI_tuptable.
void add_member(const pg_uuid_t& id, const std::string& participant_id, const char* role);

// Writes a changed state of an existing clock.
void save_state(const pg_uuid_t& id, const core::ClockState& state);

// Writes the change's event row and sends its NOTIFY.
void log_change(const pg_uuid_t& id, const core::Transition& change, const char* reason, const Caller& caller);

std::string uuid_text(const pg_uuid_t& id);

}  // namespace session_clock::pg

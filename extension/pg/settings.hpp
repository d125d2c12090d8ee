// The extension's settings, changed like any other (ALTER DATABASE ... SET
// session_clock.grace_ms = 45000, ALTER SYSTEM, postgresql.conf): the
// database-wide defaults of the grace rule (a session's own configuration
// wins) and the label server_time_status() reports.
#pragma once

#include <string>

#include "../core/grace_policy.hpp"
#include "clock_store.hpp"

namespace session_clock::pg {

// Registers session_clock.min_participants, session_clock.grace_ms and
// session_clock.server_label (from _PG_init).
void define_settings();

// session_clock.server_label: what server_time_status() names its server.
std::string server_label();

// The configuration in force for a session.
core::GraceConfig grace_config(const StoredSession& stored);

}  // namespace session_clock::pg

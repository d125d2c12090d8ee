// The database-wide defaults of the grace rule (a session's own
// configuration wins) and the label server_time_status() reports. Each is
// read, in order, from the row of session_clock.settings (schema 1.3, shared
// with the portable edition, which the owner and service_role change), the
// superuser-only setting of the same name (ALTER DATABASE ... SET
// session_clock.grace_ms = 45000, ALTER SYSTEM, postgresql.conf: what 1.2
// read, honoured where the row leaves a value NULL), and the built-in value.
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

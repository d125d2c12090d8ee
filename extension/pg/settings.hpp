// The database-wide defaults of the grace rule, as settings an operator
// changes like any other (ALTER DATABASE ... SET session_clock.grace_ms =
// 45000, ALTER SYSTEM, postgresql.conf); a session's own configuration wins.
#pragma once

#include "../core/grace_policy.hpp"
#include "clock_store.hpp"

namespace session_clock::pg {

// Registers session_clock.min_participants and session_clock.grace_ms (from _PG_init).
void define_settings();

// The configuration in force for a session.
core::GraceConfig grace_config(const StoredSession& stored);

}  // namespace session_clock::pg

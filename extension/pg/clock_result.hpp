// The row every clock RPC returns: the stored state plus server_now and the
// clock's position at that moment, for changes whether anything changed, and
// (schema 1.1) the grace state with the configuration in force.
#pragma once

#include <optional>

#include "../core/clock_model.hpp"
#include "clock_store.hpp"
#include "guard.hpp"

namespace session_clock::pg {

Datum clock_result(FunctionCallInfo fcinfo, const pg_uuid_t& id, const StoredSession& stored,
                   core::Micros server_now_us, std::optional<bool> changed);

// session_clock_presence's answer for a session that does not exist yet
// (the report is kept for its start): session_id, server_now, changed and
// participants (reports kept); every clock column NULL.
Datum early_result(FunctionCallInfo fcinfo, const pg_uuid_t& id, core::Micros server_now_us, bool changed,
                   std::int32_t participants);

// clock_timestamp(): the time of the answer, not of the transaction's start.
core::Micros server_now_us();

}  // namespace session_clock::pg

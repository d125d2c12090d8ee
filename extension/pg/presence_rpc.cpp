// Presence: session_clock_presence (apps, source 'sql') and
// session_clock.record_presence (workers and the LiveKit webhook path).
//
// Both lock the session, apply an overdue deadline, change the one presence
// row, log a join or leave when the participant's presence across all
// sources changed, and let the grace rule react to the new count: the
// deadline is computed here, where the presence change commits.
#include <optional>
#include <string>

#include "../core/arguments.hpp"
#include "../core/grace_policy.hpp"
#include "../core/sql_error.hpp"
#include "sql_args.hpp"
#include "caller.hpp"
#include "clock_result.hpp"
#include "clock_store.hpp"
#include "presence_store.hpp"
#include "session_writer.hpp"
#include "spi.hpp"

namespace session_clock::pg {
namespace {

using core::SqlError;
namespace sqlstate = core::sqlstate;

bool bool_arg(FunctionCallInfo fcinfo, int n, const char* name) {
  if (PG_ARGISNULL(n)) throw SqlError(sqlstate::kNullValueNotAllowed, std::string(name) + " must not be null");
  return PG_GETARG_BOOL(n);
}

StoredSession lock_session_for_presence(const pg_uuid_t& id) {
  auto stored = load_session(id, Lock::for_update);
  if (!stored) throw SqlError(sqlstate::kNoDataFound, "session " + uuid_text(id) + " does not exist");
  if (!stored->has_grace_columns)
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "presence needs session_clock 1.1",
                   "run ALTER EXTENSION session_clock UPDATE to install the 1.1 schema");
  return *stored;
}

// The shared body; the session is locked and the caller authorised.
Datum record(FunctionCallInfo fcinfo, const PresenceKey& key, bool present, const std::string& reason,
             StoredSession stored, const Caller& caller) {
  if (key.worker_id && present && !worker_lease_alive(*key.worker_id))
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "worker lease expired",
                   "call session_clock.worker_heartbeat to register again, then report presence");
  core::Micros now = server_now_us();
  SessionWriter writer(key.session_id, std::move(stored), caller);
  writer.settle(now);
  bool before = participant_present(key.session_id, key.participant_id);
  put_presence(key, present);
  bool after = present || participant_present(key.session_id, key.participant_id);
  if (before != after) {
    auto change = core::presence_changed(writer.session(), after ? core::EventKind::join : core::EventKind::leave,
                                         count_participants(key.session_id), now);
    change.reason = reason.c_str();
    writer.write(change, &key.participant_id);
  }
  writer.react(now);
  spi_finish();
  return clock_result(fcinfo, key.session_id, writer.stored(), now, before != after);
}

// An app reports presence. An end user may report only itself, in a
// session it is a member of; an admin (the app's backend) anyone.
Datum app_presence(FunctionCallInfo fcinfo) {
  PresenceKey key{uuid_arg(fcinfo, 0, "p_session_id"), text_arg(fcinfo, 1, "p_participant_id"), Source::sql, {}};
  bool present = bool_arg(fcinfo, 2, "p_present");
  core::validate_participant_id(key.participant_id);
  spi_connect();
  Caller caller = identify_caller();
  if (!caller.admin && key.participant_id != *caller.sub)
    throw SqlError(sqlstate::kInsufficientPrivilege, "an end user may report only its own presence",
                   "p_participant_id must equal the JWT sub claim");
  StoredSession stored = lock_session_for_presence(key.session_id);
  require_access(caller, key.session_id, Access::participant);
  return record(fcinfo, key, present, source_name(Source::sql), std::move(stored), caller);
}

// A worker (or the LiveKit path) reports presence for one source.
Datum worker_presence(FunctionCallInfo fcinfo) {
  PresenceKey key{uuid_arg(fcinfo, 0, "p_session_id"), text_arg(fcinfo, 1, "p_participant_id"), Source::sql, {}};
  std::string source_text = text_arg(fcinfo, 2, "p_source");
  if (!PG_ARGISNULL(3)) key.worker_id = uuid_arg(fcinfo, 3, "p_worker_id");
  bool present = bool_arg(fcinfo, 4, "p_present");
  auto reason = optional_text_arg(fcinfo, 5);
  core::validate_participant_id(key.participant_id);
  auto source = parse_source(source_text);
  if (!source) throw SqlError(sqlstate::kInvalidParameterValue, "p_source must be sql, websocket or livekit");
  key.source = *source;
  if ((key.source == Source::websocket) != key.worker_id.has_value())
    throw SqlError(sqlstate::kInvalidParameterValue, "p_worker_id is required for source websocket and only for it");
  if (reason) core::validate_reason(*reason);
  spi_connect();
  Caller caller = identify_caller();
  if (!caller.admin) throw SqlError(sqlstate::kInsufficientPrivilege, "only workers and admins record presence");
  StoredSession stored = lock_session_for_presence(key.session_id);
  return record(fcinfo, key, present, reason.value_or(source_text), std::move(stored), caller);
}

}  // namespace
}  // namespace session_clock::pg

using namespace session_clock;
using session_clock::pg::guard;

SESSION_CLOCK_FUNCTION(session_clock_presence) {
  return guard([&] { return pg::app_presence(fcinfo); });
}

SESSION_CLOCK_FUNCTION(session_clock_record_presence) {
  return guard([&] { return pg::worker_presence(fcinfo); });
}

// The gate of the plpgsql worker functions (heartbeat, goodbye, LiveKit):
// the same rule as record_presence, for the role that is really calling.
SESSION_CLOCK_FUNCTION(session_clock_require_admin) {
  return guard([&] {
    pg::spi_connect();
    bool admin = pg::identify_caller().admin;
    pg::spi_finish();
    if (!admin) throw core::SqlError(core::sqlstate::kInsufficientPrivilege, "only workers and admins may call this");
    return Datum(0);
  });
}

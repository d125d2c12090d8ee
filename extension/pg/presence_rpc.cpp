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
#include "early_presence.hpp"
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

SqlError unknown_session(const pg_uuid_t& id) {
  return SqlError(sqlstate::kNoDataFound, "session " + uuid_text(id) + " does not exist");
}

StoredSession with_grace_columns(StoredSession stored) {
  if (!stored.has_grace_columns)
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "presence needs session_clock 1.1",
                   "run ALTER EXTENSION session_clock UPDATE to install the 1.1 schema");
  return stored;
}

StoredSession lock_session_for_presence(const pg_uuid_t& id) {
  auto stored = load_session(id, Lock::for_update);
  if (!stored) throw unknown_session(id);
  return with_grace_columns(std::move(*stored));
}

// The shared body; the session is locked and the caller authorised.
Datum record(FunctionCallInfo fcinfo, const PresenceKey& key, bool present, const std::string& reason,
             StoredSession stored, const Caller& caller) {
  if (key.worker_id && present && !worker_lease_alive(*key.worker_id))
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "worker lease expired",
                   "call session_clock.worker_heartbeat to register again, then report presence");
  // A worker's client joined after its access check; membership may have
  // ended since (or a worker reports again after its lease lapsed): under
  // the row lock this is ordered against session_clock_remove_member.
  if (key.worker_id && present && !is_member(key.session_id, key.participant_id))
    throw SqlError(sqlstate::kInsufficientPrivilege, "not a member of this session",
                   "user \"" + key.participant_id + "\" is not in session_clock.session_members for it");
  core::Micros now = server_now_us();
  SessionWriter writer(key.session_id, std::move(stored), caller);
  writer.settle(now);
  bool changed = change_presence(writer, key, present, reason.c_str(), now);
  writer.react(now);
  spi_finish();
  return clock_result(fcinfo, key.session_id, writer.stored(), now, changed);
}

// An admin's report for a session that, under lock_unborn_session, still
// does not exist: kept for its start (schema 1.3).
Datum keep_early(FunctionCallInfo fcinfo, const PresenceKey& key, bool present) {
  EarlyReport report = put_early_presence(key.session_id, key.participant_id, present);
  spi_finish();
  return early_result(fcinfo, key.session_id, server_now_us(), report.changed, report.participants);
}

// An app reports presence. An end user may report only itself, in a
// session it is a member of; an admin (the app's backend) anyone, also
// before the session exists.
Datum app_presence(FunctionCallInfo fcinfo) {
  PresenceKey key{uuid_arg(fcinfo, 0, "p_session_id"), text_arg(fcinfo, 1, "p_participant_id"), Source::sql, {}};
  bool present = bool_arg(fcinfo, 2, "p_present");
  core::validate_participant_id(key.participant_id);
  spi_connect();
  Caller caller = identify_caller();
  if (!caller.admin && key.participant_id != *caller.sub)
    throw SqlError(sqlstate::kInsufficientPrivilege, "an end user may report only its own presence",
                   "p_participant_id must equal the JWT sub claim");
  auto stored = load_session(key.session_id, Lock::for_update);
  if (!stored && caller.admin && early_presence_installed()) {
    lock_unborn_session(key.session_id);
    stored = load_session(key.session_id, Lock::for_update);  // started while we waited?
    if (!stored) return keep_early(fcinfo, key, present);
  }
  if (!stored) throw unknown_session(key.session_id);
  require_access(caller, key.session_id, Access::participant);
  return record(fcinfo, key, present, source_name(Source::sql), with_grace_columns(std::move(*stored)), caller);
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

SESSION_CLOCK_FUNCTION(session_clock_check_participant_id) {
  return guard([&] {
    core::validate_participant_id(pg::text_arg(fcinfo, 0, "p_participant_id"));
    return Datum(0);
  });
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

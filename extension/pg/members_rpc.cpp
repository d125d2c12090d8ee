// Membership RPCs: session_clock_add_member, session_clock_remove_member.
// Only the session's host or an admin manages members; a host may hand the
// role over by adding another member as host.
#include <string>

#include "../core/arguments.hpp"
#include "../core/clock_model.hpp"
#include "../core/grace_policy.hpp"  // before any PostgreSQL header (via clock_store.hpp)
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

constexpr const char* kReasonMemberRemoved = "member_removed";

void require_session(const pg_uuid_t& id) {
  if (!load_clock(id, Lock::none))
    throw core::SqlError(core::sqlstate::kNoDataFound, "session " + uuid_text(id) + " does not exist");
}

Datum add(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  std::string participant = text_arg(fcinfo, 1, "p_participant_id");
  std::string role = text_arg(fcinfo, 2, "p_role");
  core::validate_participant_id(participant);
  core::validate_member_role(role);
  spi_connect();
  Caller caller = identify_caller();
  require_session(id);
  require_access(caller, id, Access::host);
  add_member(id, participant, role.c_str());
  Datum row = pg_call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "session_clock: function must return a composite type");
    return PointerGetDatum(SPI_returntuple(SPI_tuptable->vals[0], BlessTupleDesc(desc)));  // copied out of SPI's memory
  });
  spi_finish();
  return row;
}

// Removal ends the member's access and, in the same transaction, its
// presence (so a call with min_participants 1 can still auto-pause), and
// tells every worker to stop its follows of the session (NOTIFY).
Datum remove(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  std::string participant = text_arg(fcinfo, 1, "p_participant_id");
  spi_connect();
  Caller caller = identify_caller();
  auto stored = load_session(id, Lock::for_update);
  if (!stored) throw core::SqlError(core::sqlstate::kNoDataFound, "session " + uuid_text(id) + " does not exist");
  require_access(caller, id, Access::host);
  static Statement del(
      "DELETE FROM session_clock.session_members WHERE session_id = $1 AND participant_id = $2",
      {UUIDOID, TEXTOID});
  Datum args[2];
  args[0] = UUIDPGetDatum(&id);
  args[1] = pg_call([&] { return CStringGetTextDatum(participant.c_str()); });
  bool removed = del.run(args, nullptr, false) == 1;
  if (removed && stored->has_grace_columns) {
    core::Micros now = server_now_us();
    SessionWriter writer(id, std::move(*stored), caller);
    writer.settle(now);
    end_presence(writer, id, participant, kReasonMemberRemoved, now);
    writer.react(now);
  }
  if (removed) notify_member_removed(id, participant);
  spi_finish();
  return BoolGetDatum(removed);
}

}  // namespace
}  // namespace session_clock::pg

using session_clock::pg::guard;

SESSION_CLOCK_FUNCTION(session_clock_add_member) {
  return guard([&] { return session_clock::pg::add(fcinfo); });
}

SESSION_CLOCK_FUNCTION(session_clock_remove_member) {
  return guard([&] { return session_clock::pg::remove(fcinfo); });
}

// The grace rule's own entry points:
//   session_clock_configure(p_session_id, p_min_participants, p_grace_ms, p_single_device)
//   session_clock.apply_due_deadlines(p_limit)  workers call it when a deadline is due
#include <optional>

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

std::optional<std::int32_t> optional_int_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  return PG_GETARG_INT32(n);
}

// Same authorisation as pause: any member. The session becomes tracked, so
// the rule applies from now on even before anyone reports presence.
// p_single_device (1.3) exists only when the schema's function has it.
Datum configure(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  SessionSettings settings{optional_int_arg(fcinfo, 1), optional_int_arg(fcinfo, 2), std::nullopt};
  if (PG_NARGS() > 3 && !PG_ARGISNULL(3)) settings.single_device = PG_GETARG_BOOL(3);
  core::validate_grace_config(settings.min_participants, settings.grace_ms);
  spi_connect();
  Caller caller = identify_caller();
  auto stored = load_session(id, Lock::for_update);
  if (!stored) throw SqlError(sqlstate::kNoDataFound, "session " + uuid_text(id) + " does not exist");
  require_access(caller, id, Access::participant);
  if (!stored->has_grace_columns)
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "grace settings need session_clock 1.1",
                   "run ALTER EXTENSION session_clock UPDATE to install the 1.1 schema");
  core::Micros now = server_now_us();
  SessionWriter writer(id, *stored, caller);
  writer.settle(now);
  writer.configure(settings, now);
  writer.react(now);
  spi_finish();
  return clock_result(fcinfo, id, writer.stored(), now, true);
}

// Each due session is paused as of its deadline under its row lock; a
// session another transaction holds is skipped (that transaction settles it
// itself, or the next call does), so concurrent workers never double-apply.
Datum apply_due(FunctionCallInfo fcinfo) {
  std::int32_t limit = PG_ARGISNULL(0) ? 1000 : PG_GETARG_INT32(0);
  if (limit < 1 || limit > 100000) throw SqlError(sqlstate::kInvalidParameterValue, "p_limit must be between 1 and 100000");
  spi_connect();
  Caller caller = identify_caller();
  if (!caller.admin) throw SqlError(sqlstate::kInsufficientPrivilege, "only workers and admins apply deadlines");
  std::int32_t applied = 0;
  for (const pg_uuid_t& id : lock_due_sessions(limit, server_now_us())) {
    auto stored = load_session(id, Lock::for_update);
    if (!stored) continue;
    SessionWriter writer(id, *stored, caller);
    writer.settle(server_now_us());
    if (writer.wrote()) ++applied;
  }
  auto next = next_deadline_in_ms();
  spi_finish();
  return pg_call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "session_clock: function must return a composite type");
    Datum values[2] = {Int32GetDatum(applied), Float8GetDatum(next.value_or(0))};
    bool nulls[2] = {false, !next.has_value()};
    return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
  });
}

}  // namespace
}  // namespace session_clock::pg

using namespace session_clock;
using session_clock::pg::guard;

SESSION_CLOCK_FUNCTION(session_clock_configure) {
  return guard([&] { return pg::configure(fcinfo); });
}

SESSION_CLOCK_FUNCTION(session_clock_apply_due_deadlines) {
  return guard([&] { return pg::apply_due(fcinfo); });
}

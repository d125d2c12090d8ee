// Reading clocks without an RPC per row, and auditing them:
//   session_clock.elapsed_ms(session, at)  the core's arithmetic on a row
//   session_clock.replay(p_session_id)      the event log folded into a state
//   session_clock.caller_access(p_session_id)  what the caller may do
#include <vector>

#include "../core/clock_model.hpp"
#include "../core/grace_policy.hpp"
#include "../core/sql_error.hpp"
#include "sql_args.hpp"
#include "caller.hpp"
#include "clock_store.hpp"
#include "spi.hpp"

namespace session_clock::pg {
namespace {

Datum row_field(HeapTupleHeader row, const char* name, bool* is_null) {
  return pg_call([&] { return GetAttributeByName(row, name, is_null); });
}

core::ClockState clock_from_row(HeapTupleHeader row) {
  bool null_started, null_paused, null_total, null_change, null_ended, null_version;
  core::ClockState s;
  s.started_at_us = DatumGetTimestampTz(row_field(row, "started_at", &null_started));
  s.is_paused = DatumGetBool(row_field(row, "is_paused", &null_paused));
  s.total_paused_ms = DatumGetInt64(row_field(row, "total_paused_ms", &null_total));
  s.last_change_us = DatumGetTimestampTz(row_field(row, "last_state_change_at", &null_change));
  Datum ended = row_field(row, "ended_at", &null_ended);
  if (!null_ended) s.ended_at_us = DatumGetTimestampTz(ended);
  s.version = DatumGetInt64(row_field(row, "version", &null_version));
  if (null_started || null_paused || null_total || null_change)
    throw core::SqlError(core::sqlstate::kNullValueNotAllowed, "session row has NULL clock columns");
  return s;
}

Datum elapsed_of_row(FunctionCallInfo fcinfo) {
  if (PG_ARGISNULL(0)) throw core::SqlError(core::sqlstate::kNullValueNotAllowed, "session must not be null");
  HeapTupleHeader row = pg_call([&] { return PG_GETARG_HEAPTUPLEHEADER(0); });
  TimestampTz at = timestamptz_arg(fcinfo, 1, "at");
  return Float8GetDatum(core::elapsed_ms(clock_from_row(row), at));
}

std::vector<core::Event> read_event_log(const pg_uuid_t& id) {
  static Statement select_events(
      "SELECT event, at FROM session_clock.session_events WHERE session_id = $1 ORDER BY version",
      {UUIDOID});
  Datum args[1] = {UUIDPGetDatum(const_cast<pg_uuid_t*>(&id))};
  std::uint64_t n = select_events.run(args, nullptr, true);
  std::vector<core::Event> events;
  events.reserve(n);
  for (std::uint64_t row = 0; row < n; ++row) {
    Datum name = required_column(row, 1);
    const char* kind_name = pg_call([&] { return TextDatumGetCString(name); });
    auto kind = core::parse_event_name(kind_name);
    if (!kind) throw core::SqlError(core::sqlstate::kInternalError, "unknown event in the log");
    core::Event e;
    e.kind = *kind;
    e.at_us = DatumGetTimestampTz(required_column(row, 2));
    events.push_back(e);
  }
  return events;
}

Datum replay_log(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  spi_connect();
  Caller caller = identify_caller();
  if (!load_clock(id, Lock::none))
    throw core::SqlError(core::sqlstate::kNoDataFound, "session " + uuid_text(id) + " does not exist");
  require_access(caller, id, Access::participant);
  core::ClockState s = core::replay(read_event_log(id));
  spi_finish();
  return pg_call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "session_clock: function must return a composite type");
    desc = BlessTupleDesc(desc);
    Datum values[5] = {BoolGetDatum(s.is_paused), Int64GetDatum(s.total_paused_ms),
                       TimestampTzGetDatum(s.last_change_us), TimestampTzGetDatum(s.ended_at_us.value_or(0)),
                       Int64GetDatum(s.version)};
    bool nulls[5] = {false, false, false, !s.ended_at_us.has_value(), false};
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
  });
}

// NULL when the caller may not act on the session (or it does not exist).
Datum caller_access(FunctionCallInfo fcinfo) {
  pg_uuid_t id = uuid_arg(fcinfo, 0, "p_session_id");
  spi_connect();
  Caller caller = identify_caller();
  bool exists = load_clock(id, Lock::none).has_value();
  const char* name = exists ? access_name(access_to(caller, id)) : nullptr;
  spi_finish();
  if (!name) {
    fcinfo->isnull = true;
    return Datum(0);
  }
  return pg_call([&] { return CStringGetTextDatum(name); });
}

}  // namespace
}  // namespace session_clock::pg

using session_clock::pg::guard;

SESSION_CLOCK_FUNCTION(session_clock_elapsed_ms) {
  return guard([&] { return session_clock::pg::elapsed_of_row(fcinfo); });
}

SESSION_CLOCK_FUNCTION(session_clock_replay) {
  return guard([&] { return session_clock::pg::replay_log(fcinfo); });
}

SESSION_CLOCK_FUNCTION(session_clock_caller_access) {
  return guard([&] { return session_clock::pg::caller_access(fcinfo); });
}

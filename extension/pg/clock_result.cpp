#include "clock_result.hpp"

namespace session_clock::pg {

core::Micros server_now_us() {
  return pg_call([] { return GetCurrentTimestamp(); });
}

Datum clock_result(FunctionCallInfo fcinfo, const pg_uuid_t& id, const core::ClockState& s,
                   core::Micros now_us, std::optional<bool> changed) {
  double elapsed = core::elapsed_ms(s, now_us);
  return pg_call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "session_clock: function must return a composite type");
    desc = BlessTupleDesc(desc);
    pg_uuid_t* id_copy = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
    *id_copy = id;
    Datum values[10] = {UUIDPGetDatum(id_copy),
                        TimestampTzGetDatum(s.started_at_us),
                        BoolGetDatum(s.is_paused),
                        Int64GetDatum(s.total_paused_ms),
                        TimestampTzGetDatum(s.last_change_us),
                        TimestampTzGetDatum(s.ended_at_us.value_or(0)),
                        Int64GetDatum(s.version),
                        TimestampTzGetDatum(now_us),
                        Float8GetDatum(elapsed),
                        BoolGetDatum(changed.value_or(false))};
    bool nulls[10] = {false, false, false, false, false, !s.ended_at_us.has_value(), false, false, false, false};
    if (desc->natts != (changed ? 10 : 9)) elog(ERROR, "session_clock: unexpected result shape");
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
  });
}

}  // namespace session_clock::pg

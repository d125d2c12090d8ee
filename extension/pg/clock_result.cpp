#include "clock_result.hpp"

#include "settings.hpp"

namespace session_clock::pg {
namespace {

constexpr int kClockAttributes = 9;  // clock_reading in 1.0; clock_change adds `changed`
constexpr int kGraceAttributes = 5;  // appended in 1.1

// The result type, checked against the shapes this library knows.
TupleDesc result_desc(FunctionCallInfo fcinfo, int base) {
  TupleDesc desc;
  if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
    elog(ERROR, "session_clock: function must return a composite type");
  if (desc->natts != base && desc->natts != base + kGraceAttributes)
    elog(ERROR, "session_clock: unexpected result shape");
  return BlessTupleDesc(desc);
}

Datum uuid_copy(const pg_uuid_t& id) {
  pg_uuid_t* copy = static_cast<pg_uuid_t*>(palloc(sizeof(pg_uuid_t)));
  *copy = id;
  return UUIDPGetDatum(copy);
}

}  // namespace

core::Micros server_now_us() {
  return pg_call([] { return GetCurrentTimestamp(); });
}

Datum clock_result(FunctionCallInfo fcinfo, const pg_uuid_t& id, const StoredSession& stored,
                   core::Micros now_us, std::optional<bool> changed) {
  const core::ClockState& s = stored.session.clock;
  const core::GraceState& g = stored.session.grace;
  core::GraceConfig config = grace_config(stored);
  double elapsed = core::elapsed_ms(s, now_us);
  int base = kClockAttributes + (changed ? 1 : 0);
  return pg_call([&] {
    TupleDesc desc = result_desc(fcinfo, base);
    Datum values[kClockAttributes + 1 + kGraceAttributes] = {
        uuid_copy(id),
        TimestampTzGetDatum(s.started_at_us),
        BoolGetDatum(s.is_paused),
        Int64GetDatum(s.total_paused_ms),
        TimestampTzGetDatum(s.last_change_us),
        TimestampTzGetDatum(s.ended_at_us.value_or(0)),
        Int64GetDatum(s.version),
        TimestampTzGetDatum(now_us),
        Float8GetDatum(elapsed),
        BoolGetDatum(changed.value_or(false))};
    bool nulls[kClockAttributes + 1 + kGraceAttributes] = {};
    nulls[5] = !s.ended_at_us.has_value();
    Datum* grace = values + base;
    bool* grace_nulls = nulls + base;
    grace[0] = Int32GetDatum(g.participants);
    grace[1] = Int32GetDatum(config.min_participants);
    grace[2] = Int32GetDatum(config.grace_ms);
    grace[3] = TimestampTzGetDatum(g.deadline_us.value_or(0));
    grace_nulls[3] = !g.deadline_us.has_value();
    grace[4] = BoolGetDatum(g.auto_paused);
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
  });
}

Datum early_result(FunctionCallInfo fcinfo, const pg_uuid_t& id, core::Micros now_us, bool changed,
                   std::int32_t participants) {
  constexpr int kServerNow = 7, kChanged = kClockAttributes, kParticipants = kClockAttributes + 1;
  return pg_call([&] {
    TupleDesc desc = result_desc(fcinfo, kClockAttributes + 1);
    Datum values[kClockAttributes + 1 + kGraceAttributes] = {};
    bool nulls[kClockAttributes + 1 + kGraceAttributes];
    for (bool& n : nulls) n = true;
    values[0] = uuid_copy(id);
    values[kServerNow] = TimestampTzGetDatum(now_us);
    values[kChanged] = BoolGetDatum(changed);
    values[kParticipants] = Int32GetDatum(participants);
    nulls[0] = nulls[kServerNow] = nulls[kChanged] = nulls[kParticipants] = false;
    return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
  });
}

}  // namespace session_clock::pg

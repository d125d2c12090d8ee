#include "../core/notification.hpp"

#include "clock_store.hpp"
#include "spi.hpp"

namespace session_clock::pg {
namespace {

Datum uuid_datum(const pg_uuid_t& id) { return UUIDPGetDatum(const_cast<pg_uuid_t*>(&id)); }

Datum text_datum(const char* text) {
  return pg_call([&] { return CStringGetTextDatum(text); });
}

core::ClockState read_clock_row() {
  core::ClockState s;
  s.started_at_us = DatumGetTimestampTz(required_column(0, 1));
  s.is_paused = DatumGetBool(required_column(0, 2));
  s.total_paused_ms = DatumGetInt64(required_column(0, 3));
  s.last_change_us = DatumGetTimestampTz(required_column(0, 4));
  if (auto ended = column(0, 5)) s.ended_at_us = DatumGetTimestampTz(*ended);
  s.version = DatumGetInt64(required_column(0, 6));
  return s;
}

}  // namespace

void save_state(const pg_uuid_t& id, const core::ClockState& s) {
  static Statement update(
      "UPDATE session_clock.sessions SET is_paused = $2, total_paused_ms = $3, "
      "last_state_change_at = $4, ended_at = $5, version = $6 WHERE id = $1",
      {UUIDOID, BOOLOID, INT8OID, TIMESTAMPTZOID, TIMESTAMPTZOID, INT8OID});
  Datum args[6] = {uuid_datum(id),
                   BoolGetDatum(s.is_paused),
                   Int64GetDatum(s.total_paused_ms),
                   TimestampTzGetDatum(s.last_change_us),
                   TimestampTzGetDatum(s.ended_at_us.value_or(0)),
                   Int64GetDatum(s.version)};
  char nulls[] = {' ', ' ', ' ', ' ', s.ended_at_us ? ' ' : 'n', ' ', '\0'};
  update.run(args, nulls, false);
}

namespace {

void write_event(const pg_uuid_t& id, const core::Transition& change, const char* reason, const Caller& caller) {
  static Statement insert(
      "INSERT INTO session_clock.session_events (session_id, event, reason, at, actor, actor_role, "
      "elapsed_ms, paused_ms, clock_stepped_back, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      {UUIDOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, FLOAT8OID, INT8OID, BOOLOID, INT8OID});
  const core::Event& e = change.event;
  Datum args[10] = {uuid_datum(id),
                    text_datum(core::event_name(e.kind)),
                    reason ? text_datum(reason) : Datum(0),
                    TimestampTzGetDatum(e.at_us),
                    text_datum(caller.actor().c_str()),
                    text_datum(caller.role_name.c_str()),
                    Float8GetDatum(e.elapsed_ms),
                    Int64GetDatum(e.paused_ms),
                    BoolGetDatum(e.clock_stepped_back),
                    Int64GetDatum(change.state.version)};
  char nulls[] = {' ', ' ', reason ? ' ' : 'n', ' ', ' ', ' ', ' ', ' ', ' ', ' ', '\0'};
  insert.run(args, nulls, false);
}

void notify(const pg_uuid_t& id, const core::Transition& change) {
  std::string payload = core::change_payload(uuid_text(id), change.event.kind, change.state.version);
  pg_call([&] { Async_Notify(core::kNotifyChannel, payload.c_str()); });
}

}  // namespace

std::string uuid_text(const pg_uuid_t& id) { return core::uuid_text(id.data); }

std::optional<core::ClockState> load_clock(const pg_uuid_t& id, Lock lock) {
  static Statement select_plain(
      "SELECT started_at, is_paused, total_paused_ms, last_state_change_at, ended_at, version "
      "FROM session_clock.sessions WHERE id = $1",
      {UUIDOID});
  static Statement select_for_update(
      "SELECT started_at, is_paused, total_paused_ms, last_state_change_at, ended_at, version "
      "FROM session_clock.sessions WHERE id = $1 FOR UPDATE",
      {UUIDOID});
  Datum args[1] = {uuid_datum(id)};
  Statement& query = lock == Lock::for_update ? select_for_update : select_plain;
  if (query.run(args, nullptr, lock == Lock::none) == 0) return std::nullopt;
  return read_clock_row();
}

bool insert_clock(const pg_uuid_t& id, const core::ClockState& s) {
  static Statement insert(
      "INSERT INTO session_clock.sessions (id, started_at, is_paused, total_paused_ms, "
      "last_state_change_at, version) VALUES ($1, $2, false, 0, $2, $3) ON CONFLICT (id) DO NOTHING",
      {UUIDOID, TIMESTAMPTZOID, INT8OID});
  Datum args[3] = {uuid_datum(id), TimestampTzGetDatum(s.started_at_us), Int64GetDatum(s.version)};
  return insert.run(args, nullptr, false) == 1;
}

void add_member(const pg_uuid_t& id, const std::string& participant_id, const char* role) {
  static Statement insert(
      "INSERT INTO session_clock.session_members (session_id, participant_id, role) VALUES ($1, $2, $3) "
      "ON CONFLICT (session_id, participant_id) DO UPDATE SET role = EXCLUDED.role "
      "RETURNING session_id, participant_id, role, added_at",
      {UUIDOID, TEXTOID, TEXTOID});
  Datum args[3] = {uuid_datum(id), text_datum(participant_id.c_str()), text_datum(role)};
  insert.run(args, nullptr, false);
}

void log_change(const pg_uuid_t& id, const core::Transition& change, const char* reason, const Caller& caller) {
  write_event(id, change, reason, caller);
  notify(id, change);
}

}  // namespace session_clock::pg

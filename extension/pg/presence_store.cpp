#include "../core/grace_policy.hpp"  // before any PostgreSQL header

#include "presence_store.hpp"
#include "session_writer.hpp"
#include "spi.hpp"

namespace session_clock::pg {
namespace {

Datum uuid_datum(const pg_uuid_t& id) { return UUIDPGetDatum(const_cast<pg_uuid_t*>(&id)); }

Datum text_datum(const char* text) {
  return pg_call([&] { return CStringGetTextDatum(text); });
}

// Reads here run as non-read-only SPI: a fresh snapshot after a command
// counter increment, so they see this call's own writes and everything
// committed before the row lock was granted.
bool bool_result(Statement& statement, const Datum* args) {
  statement.run(args, nullptr, false);
  return DatumGetBool(required_column(0, 1));
}

}  // namespace

std::optional<Source> parse_source(const std::string& text) {
  for (Source s : {Source::sql, Source::websocket, Source::livekit})
    if (text == source_name(s)) return s;
  return std::nullopt;
}

const char* source_name(Source source) {
  switch (source) {
    case Source::sql: return "sql";
    case Source::websocket: return "websocket";
    case Source::livekit: return "livekit";
  }
  return "unknown";
}

bool put_presence(const PresenceKey& key, bool present) {
  static Statement insert(
      "INSERT INTO session_clock.presence (session_id, participant_id, source, worker_id) "
      "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
      {UUIDOID, TEXTOID, TEXTOID, UUIDOID});
  static Statement remove(
      "DELETE FROM session_clock.presence WHERE session_id = $1 AND participant_id = $2 AND source = $3 "
      "AND worker_id IS NOT DISTINCT FROM $4",
      {UUIDOID, TEXTOID, TEXTOID, UUIDOID});
  Datum args[4] = {uuid_datum(key.session_id), text_datum(key.participant_id.c_str()),
                   text_datum(source_name(key.source)), key.worker_id ? uuid_datum(*key.worker_id) : Datum(0)};
  char nulls[5] = {' ', ' ', ' ', key.worker_id ? ' ' : 'n', '\0'};
  return (present ? insert : remove).run(args, nulls, false) > 0;
}

namespace {

void log_presence_change(SessionWriter& writer, const pg_uuid_t& session_id, const std::string& participant_id,
                         bool present, const char* reason, core::Micros now_us) {
  auto change = core::presence_changed(writer.session(), present ? core::EventKind::join : core::EventKind::leave,
                                       count_participants(session_id), now_us);
  change.reason = reason;
  writer.write(change, &participant_id);
}

}  // namespace

bool change_presence(SessionWriter& writer, const PresenceKey& key, bool present, const char* reason,
                     core::Micros now_us) {
  bool before = participant_present(key.session_id, key.participant_id);
  put_presence(key, present);
  bool after = present || participant_present(key.session_id, key.participant_id);
  if (before != after) log_presence_change(writer, key.session_id, key.participant_id, after, reason, now_us);
  return before != after;
}

bool end_presence(SessionWriter& writer, const pg_uuid_t& session_id, const std::string& participant_id,
                  const char* reason, core::Micros now_us) {
  static Statement remove("DELETE FROM session_clock.presence WHERE session_id = $1 AND participant_id = $2",
                          {UUIDOID, TEXTOID});
  static Statement forget_livekit(
      "UPDATE session_clock.livekit_connections SET gone = true "
      "WHERE session_id = $1 AND identity = $2 AND participant_sid <> '' AND NOT gone",
      {UUIDOID, TEXTOID});
  Datum args[2] = {uuid_datum(session_id), text_datum(participant_id.c_str())};
  bool was_present = remove.run(args, nullptr, false) > 0;
  forget_livekit.run(args, nullptr, false);
  if (was_present) log_presence_change(writer, session_id, participant_id, false, reason, now_us);
  return was_present;
}

bool participant_present(const pg_uuid_t& session_id, const std::string& participant_id) {
  static Statement present(
      "SELECT EXISTS (SELECT FROM session_clock.presence WHERE session_id = $1 AND participant_id = $2)",
      {UUIDOID, TEXTOID});
  Datum args[2] = {uuid_datum(session_id), text_datum(participant_id.c_str())};
  return bool_result(present, args);
}

std::int32_t count_participants(const pg_uuid_t& session_id) {
  static Statement count(
      "SELECT count(DISTINCT participant_id)::int4 FROM session_clock.presence WHERE session_id = $1", {UUIDOID});
  Datum args[1] = {uuid_datum(session_id)};
  count.run(args, nullptr, false);
  return DatumGetInt32(required_column(0, 1));
}

bool worker_lease_alive(const pg_uuid_t& worker_id) {
  static Statement alive(
      "SELECT EXISTS (SELECT FROM session_clock.workers WHERE id = $1 "
      "AND lease_expires_at > pg_catalog.clock_timestamp())",
      {UUIDOID});
  Datum args[1] = {uuid_datum(worker_id)};
  return bool_result(alive, args);
}

// The time is a parameter, not clock_timestamp() in the query: a volatile
// function is no index bound, and the scan would read every pending deadline.
std::vector<pg_uuid_t> lock_due_sessions(std::int32_t limit, core::Micros now_us) {
  static Statement due(
      "SELECT id FROM session_clock.sessions WHERE grace_deadline_at <= $2 "
      "ORDER BY grace_deadline_at LIMIT $1 FOR UPDATE SKIP LOCKED",
      {INT4OID, TIMESTAMPTZOID});
  Datum args[2] = {Int32GetDatum(limit), TimestampTzGetDatum(now_us)};
  std::uint64_t n = due.run(args, nullptr, false);
  std::vector<pg_uuid_t> ids(n);
  for (std::uint64_t row = 0; row < n; ++row) ids[row] = *DatumGetUUIDP(required_column(row, 1));
  return ids;
}

std::optional<double> next_deadline_in_ms() {
  static Statement next(
      "SELECT (EXTRACT(epoch FROM min(grace_deadline_at) - pg_catalog.clock_timestamp()) * 1000)::float8 "
      "FROM session_clock.sessions WHERE grace_deadline_at IS NOT NULL",
      {});
  next.run(nullptr, nullptr, false);
  auto value = column(0, 1);
  if (!value) return std::nullopt;
  return DatumGetFloat8(*value);
}

}  // namespace session_clock::pg

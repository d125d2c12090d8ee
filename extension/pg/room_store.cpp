#include "../core/notification.hpp"
#include "../core/playback_model.hpp"

#include "room_store.hpp"
#include "spi.hpp"

#define SESSION_CLOCK_LISTED_MEMBERS "200"  // kListedMembers, spelled for the query text

namespace session_clock::pg {
namespace {

static_assert(kListedMembers == 200, "SESSION_CLOCK_LISTED_MEMBERS must match");

Datum text_datum(const std::string& text) {
  return pg_call([&] { return CStringGetTextDatum(text.c_str()); });
}

std::optional<std::string> optional_text(std::uint64_t row, int col) {
  auto value = column(row, col);
  if (!value) return std::nullopt;
  return pg_call([&] { return std::string(TextDatumGetCString(*value)); });
}

}  // namespace

std::optional<StoredRoom> load_room(const std::string& code, Lock lock) {
  static Statement select_room(
      "SELECT host, status, track_url, title, filename, start_at, start_position_ms, lead_ms, version, guests "
      "FROM session_clock.rooms WHERE code = $1",
      {TEXTOID});
  static Statement lock_room(
      "SELECT host, status, track_url, title, filename, start_at, start_position_ms, lead_ms, version, guests "
      "FROM session_clock.rooms WHERE code = $1 FOR UPDATE",
      {TEXTOID});
  Datum args[1] = {text_datum(code)};
  Statement& statement = lock == Lock::for_update ? lock_room : select_room;
  if (statement.run(args, nullptr, false) == 0) return std::nullopt;
  StoredRoom room;
  room.code = code;
  room.host = *optional_text(0, 1);
  auto status = core::parse_playback_status(*optional_text(0, 2));
  if (!status) throw core::SqlError(core::sqlstate::kInternalError, "session_clock: room has an unknown status");
  core::Playback& p = room.playback;
  p.status = *status;
  p.track = {optional_text(0, 3).value_or(""), optional_text(0, 4).value_or(""), optional_text(0, 5).value_or("")};
  if (auto at = column(0, 6)) p.start_at_us = DatumGetTimestampTz(*at);
  if (auto position = column(0, 7)) p.start_position_ms = DatumGetFloat8(*position);
  room.lead_ms = DatumGetInt32(required_column(0, 8));
  room.version = DatumGetInt64(required_column(0, 9));
  room.guests = DatumGetBool(required_column(0, 10));
  return room;
}

bool insert_room(const std::string& code, const std::string& host, const std::string& actor, core::Micros now_us,
                 bool guests) {
  static Statement insert(
      "WITH room AS (INSERT INTO session_clock.rooms (code, host, guests) VALUES ($1, $2, $5) "
      "ON CONFLICT (code) DO NOTHING "
      "RETURNING code), member AS (INSERT INTO session_clock.room_members (code, participant_id) "
      "SELECT code, $2 FROM room) "
      "INSERT INTO session_clock.room_events (code, version, event, actor, at) SELECT code, 1, 'create', $3, $4 "
      "FROM room",
      {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, BOOLOID});
  Datum args[5] = {text_datum(code), text_datum(host), text_datum(actor), TimestampTzGetDatum(now_us),
                   BoolGetDatum(guests)};
  if (insert.run(args, nullptr, false) == 0) return false;
  send_notification(core::room_payload(code, "create", 1));
  return true;
}

// The new state and its event in one statement.
void save_room(const StoredRoom& next, const RoomEvent& event) {
  static Statement update_and_log(
      "WITH changed AS (UPDATE session_clock.rooms SET host = $2, status = $3, track_url = $4, title = $5, "
      "filename = $6, start_at = $7, start_position_ms = $8, version = $9 WHERE code = $1 RETURNING code) "
      "INSERT INTO session_clock.room_events (code, version, event, actor, at, start_at, start_position_ms, "
      "track_url, request_id) SELECT code, $9, $10, $11, $12, $7, $8, $4, $13 FROM changed",
      {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, FLOAT8OID, INT8OID, TEXTOID, TEXTOID,
       TIMESTAMPTZOID, TEXTOID});
  const core::Playback& p = next.playback;
  bool idle = p.status == core::PlaybackStatus::idle;
  auto optional = [](const std::string& s) { return s.empty() ? Datum(0) : text_datum(s); };
  Datum args[13] = {text_datum(next.code),
                    text_datum(next.host),
                    text_datum(core::playback_status_name(p.status)),
                    optional(p.track.url),
                    optional(p.track.title),
                    optional(p.track.filename),
                    TimestampTzGetDatum(p.start_at_us),
                    Float8GetDatum(p.start_position_ms),
                    Int64GetDatum(next.version),
                    text_datum(event.event),
                    text_datum(event.actor),
                    TimestampTzGetDatum(event.at_us),
                    event.request_id ? text_datum(*event.request_id) : Datum(0)};
  char nulls[14] = {' ', ' ', ' ', p.track.url.empty() ? 'n' : ' ', p.track.title.empty() ? 'n' : ' ',
                    p.track.filename.empty() ? 'n' : ' ', idle ? 'n' : ' ', idle ? 'n' : ' ', ' ', ' ', ' ', ' ',
                    event.request_id ? ' ' : 'n', '\0'};
  if (update_and_log.run(args, nulls, false) != 1)
    throw core::SqlError(core::sqlstate::kInternalError, "session_clock: the locked room row was not updated");
  send_notification(core::room_payload(next.code, event.event, next.version));
}

void notify_room(const std::string& code, const char* change, std::int64_t version) {
  send_notification(core::room_payload(code, change, version));
}

bool request_seen(const std::string& code, const std::string& request_id) {
  static Statement seen(
      "SELECT EXISTS (SELECT FROM session_clock.room_events WHERE code = $1 AND request_id = $2)", {TEXTOID, TEXTOID});
  Datum args[2] = {text_datum(code), text_datum(request_id)};
  seen.run(args, nullptr, false);
  return DatumGetBool(required_column(0, 1));
}

bool is_room_member(const std::string& code, const std::string& participant_id) {
  static Statement member(
      "SELECT EXISTS (SELECT FROM session_clock.room_members WHERE code = $1 AND participant_id = $2)",
      {TEXTOID, TEXTOID});
  Datum args[2] = {text_datum(code), text_datum(participant_id)};
  member.run(args, nullptr, false);
  return DatumGetBool(required_column(0, 1));
}

bool put_room_member(const std::string& code, const std::string& participant_id, bool member) {
  static Statement insert(
      "INSERT INTO session_clock.room_members (code, participant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
      {TEXTOID, TEXTOID});
  static Statement remove("DELETE FROM session_clock.room_members WHERE code = $1 AND participant_id = $2",
                          {TEXTOID, TEXTOID});
  Datum args[2] = {text_datum(code), text_datum(participant_id)};
  return (member ? insert : remove).run(args, nullptr, false) > 0;
}

bool put_room_guest(const std::string& code, const std::string& guest_id, const std::string& name) {
  static Statement insert(
      "INSERT INTO session_clock.room_members (code, participant_id, name) VALUES ($1, $2, $3) "
      "ON CONFLICT DO NOTHING",
      {TEXTOID, TEXTOID, TEXTOID});
  Datum args[3] = {text_datum(code), text_datum(guest_id), name.empty() ? Datum(0) : text_datum(name)};
  char nulls[4] = {' ', ' ', name.empty() ? 'n' : ' ', '\0'};
  return insert.run(args, nulls, false) > 0;
}

// Reads the room's members (the primary key's leading column): a guest join
// costs one pass over its room's members.
std::int64_t count_room_guests(const std::string& code) {
  static Statement count(
      "SELECT count(*) FROM session_clock.room_members WHERE code = $1 AND starts_with(participant_id, 'guest:')",
      {TEXTOID});
  Datum args[1] = {text_datum(code)};
  count.run(args, nullptr, false);
  return DatumGetInt64(required_column(0, 1));
}

bool set_ready(const std::string& code, const std::string& participant_id, std::int64_t version) {
  static Statement ready(
      "UPDATE session_clock.room_members SET ready_version = $3 WHERE code = $1 AND participant_id = $2 "
      "AND ready_version IS DISTINCT FROM $3",
      {TEXTOID, TEXTOID, INT8OID});
  Datum args[3] = {text_datum(code), text_datum(participant_id), Int64GetDatum(version)};
  return ready.run(args, nullptr, false) > 0;
}

MemberList members_json(const std::string& code, std::int64_t version) {
  static Statement members(
      "SELECT COALESCE((SELECT jsonb_agg(jsonb_strip_nulls(jsonb_build_object('id', m.participant_id, 'ready', "
      "COALESCE(m.ready_version = $2, false), 'name', m.name)) ORDER BY m.joined_at, m.participant_id) FROM "
      "(SELECT participant_id, ready_version, joined_at, name FROM session_clock.room_members WHERE code = $1 "
      "ORDER BY joined_at, participant_id LIMIT " SESSION_CLOCK_LISTED_MEMBERS ") m), '[]'::jsonb), "
      "(SELECT count(*)::int4 FROM session_clock.room_members WHERE code = $1)",
      {TEXTOID, INT8OID});
  Datum args[2] = {text_datum(code), Int64GetDatum(version)};
  members.run(args, nullptr, false);
  Datum value = required_column(0, 1);
  std::int32_t count = DatumGetInt32(required_column(0, 2));
  return {pg_call([&] { return SPI_datumTransfer(value, false, -1); }), count};
}

}  // namespace session_clock::pg

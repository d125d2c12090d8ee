// Room RPCs: session_clock_room_create, _join, _leave, _state, _play, _pause,
// _seek, _stop, _set_host, _ready; and the worker's room_join_guest.
//
// Each one: validate arguments, decide who is acting (an end user as its JWT
// sub; an admin for p_as, or for itself), lock the room, check that the actor
// may do this (members read and join; the host commands), let the pure core
// decide, write state + event + NOTIFY. Commands take effect lead_ms after
// the commit by the database's clock; a repeated request id changes nothing.
#include <cmath>
#include <optional>
#include <random>
#include <string>

#include "../core/arguments.hpp"
#include "../core/grace_policy.hpp"
#include "../core/playback_model.hpp"
#include "../core/sql_error.hpp"
#include "sql_args.hpp"
#include "caller.hpp"
#include "clock_result.hpp"
#include "room_store.hpp"
#include "spi.hpp"

namespace session_clock::pg {
namespace {

using core::SqlError;
namespace sqlstate = core::sqlstate;

constexpr std::int32_t kMinLeadMs = 250;
constexpr std::int32_t kMaxLeadMs = 3000;
constexpr core::Micros kMicrosPerMs = 1000;

std::string code_arg(FunctionCallInfo fcinfo, int n) {
  std::string code = text_arg(fcinfo, n, "p_code");
  for (char& c : code)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');  // codes are read aloud: any case
  core::validate_room_code(code);
  return code;
}

std::optional<std::string> optional_text(FunctionCallInfo fcinfo, int n, const char* name, std::size_t max) {
  auto value = optional_text_arg(fcinfo, n);
  if (value) core::validate_track_text(*value, name, max);
  return value;
}

// Seconds on the wire, milliseconds inside.
std::optional<double> position_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  return core::validate_position_ms(PG_GETARG_FLOAT8(n) * 1000);
}

std::optional<std::int32_t> lead_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return std::nullopt;
  std::int32_t lead = PG_GETARG_INT32(n);
  if (lead < kMinLeadMs || lead > kMaxLeadMs)
    throw SqlError(sqlstate::kInvalidParameterValue, "p_lead_ms must be between 250 and 3000");
  return lead;
}

// Who acts: an end user only as itself; an admin for p_as, or as itself
// (then it passes every host check).
struct Actor {
  std::string id;
  bool admin_itself = false;
};

Actor actor_of(const Caller& caller, FunctionCallInfo fcinfo, int n) {
  auto as = optional_text_arg(fcinfo, n);
  if (as) core::validate_participant_param(*as, "p_as");
  if (!caller.admin) {
    if (as && *as != *caller.sub)
      throw SqlError(sqlstate::kInsufficientPrivilege, "an end user acts only as itself",
                     "p_as must be NULL or equal the JWT sub claim");
    return {*caller.sub, false};
  }
  if (as) return {*as, false};
  return {caller.role_name(), true};
}

StoredRoom lock_room(const std::string& code) {
  auto room = load_room(code, Lock::for_update);
  if (!room) throw SqlError(sqlstate::kNoDataFound, "room " + code + " does not exist");
  return *room;
}

void require_member(const StoredRoom& room, const Actor& actor) {
  if (actor.admin_itself || is_room_member(room.code, actor.id)) return;
  throw SqlError(sqlstate::kInsufficientPrivilege, "not a member of room " + room.code);
}

void require_host(const StoredRoom& room, const Actor& actor) {
  if (actor.admin_itself || actor.id == room.host) return;
  throw SqlError(sqlstate::kInsufficientPrivilege, "only the room's host may do this");
}

Datum room_result(FunctionCallInfo fcinfo, const StoredRoom& room, core::Micros now_us, bool changed) {
  MemberList members = members_json(room.code, room.version);
  spi_finish();
  const core::Playback& p = room.playback;
  bool idle = p.status == core::PlaybackStatus::idle;
  double position = core::position_ms(p, now_us);
  return pg_call([&] {
    TupleDesc desc;
    if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
      elog(ERROR, "session_clock: function must return a composite type");
    if (desc->natts != 15) elog(ERROR, "session_clock: unexpected result shape");
    Datum values[15] = {CStringGetTextDatum(room.code.c_str()),
                        CStringGetTextDatum(room.host.c_str()),
                        CStringGetTextDatum(core::status_at(p, now_us)),
                        CStringGetTextDatum(p.track.url.c_str()),
                        CStringGetTextDatum(p.track.title.c_str()),
                        CStringGetTextDatum(p.track.filename.c_str()),
                        TimestampTzGetDatum(p.start_at_us),
                        Float8GetDatum(p.start_position_ms),
                        Int32GetDatum(room.lead_ms),
                        Int64GetDatum(room.version),
                        TimestampTzGetDatum(now_us),
                        Float8GetDatum(position),
                        members.json,
                        Int32GetDatum(members.count),
                        BoolGetDatum(changed)};
    bool nulls[15] = {false, false, false, p.track.url.empty(), p.track.title.empty(), p.track.filename.empty(),
                      idle, idle, false, false, false, false, false, false, false};
    return HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls));
  });
}

// Unambiguous when read aloud or typed from a screen: no 0/O, 1/I. A guest
// room's code is its only key: 10 characters of 32 are 50 bits.
std::string random_code(bool guests) {
  static const char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device rd;
  std::string code(guests ? core::kMinGuestRoomCodeChars : 6, 'A');
  for (char& c : code) c = kAlphabet[rd() % (sizeof kAlphabet - 1)];
  return code;
}

// p_guests came with 1.3: a library whose SQL is still 1.2 passes two arguments.
bool guests_arg(FunctionCallInfo fcinfo, int n) { return PG_NARGS() > n && !PG_ARGISNULL(n) && PG_GETARG_BOOL(n); }

Datum create(FunctionCallInfo fcinfo) {
  std::optional<std::string> code;
  if (!PG_ARGISNULL(0)) code = code_arg(fcinfo, 0);
  bool guests = guests_arg(fcinfo, 2);
  if (code && guests) core::validate_guest_room_code(*code);
  spi_connect();
  Caller caller = identify_caller();
  Actor actor = actor_of(caller, fcinfo, 1);
  if (actor.admin_itself) throw SqlError(sqlstate::kInvalidParameterValue, "p_as names the room's host");
  core::validate_guest_id(actor.id, "p_as", false);
  core::Micros now = server_now_us();
  bool created = false;
  if (code) {
    created = insert_room(*code, actor.id, actor.id, now, guests);
    if (!created) throw SqlError(core::sqlstate::kUniqueViolation, "room code " + *code + " is taken");
  } else {
    for (int attempt = 0; attempt < 8 && !created; ++attempt)
      created = insert_room(*(code = random_code(guests)), actor.id, actor.id, now, guests);
    if (!created) throw SqlError(sqlstate::kInternalError, "could not find a free room code");
  }
  return room_result(fcinfo, *load_room(*code, Lock::none), now, true);
}

Datum join_or_leave(FunctionCallInfo fcinfo, bool join) {
  std::string code = code_arg(fcinfo, 0);
  spi_connect();
  Caller caller = identify_caller();
  Actor actor = actor_of(caller, fcinfo, 1);
  StoredRoom room = lock_room(code);
  if (actor.admin_itself) throw SqlError(sqlstate::kInvalidParameterValue, "p_as names who joins or leaves");
  if (!join && actor.id == room.host)
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "the host cannot leave its room",
                   "hand it over with session_clock_room_set_host first");
  if (!join && !is_room_member(code, actor.id)) throw SqlError(sqlstate::kInsufficientPrivilege, "not a member of room " + code);
  if (join) core::validate_guest_id(actor.id, "p_as", false);  // guests join through room_join_guest
  bool changed = put_room_member(code, actor.id, join);
  if (changed) notify_room(code, join ? "join" : "leave", room.version);
  return room_result(fcinfo, room, server_now_us(), changed);
}

Datum state(FunctionCallInfo fcinfo) {
  std::string code = code_arg(fcinfo, 0);
  spi_connect();
  Caller caller = identify_caller();
  Actor actor{caller.admin ? caller.role_name() : *caller.sub, caller.admin};
  auto room = load_room(code, Lock::none);
  if (!room) throw SqlError(sqlstate::kNoDataFound, "room " + code + " does not exist");
  require_member(*room, actor);
  return room_result(fcinfo, *room, server_now_us(), false);
}

// What a command does to the playback; nullopt: nothing (already so).
using Command = std::optional<core::Playback> (*)(const StoredRoom& room, FunctionCallInfo fcinfo,
                                                  core::Micros at_us);
// Its own arguments, checked before anything is looked up.
using Validate = void (*)(FunctionCallInfo fcinfo);

// The host's commands share everything but what they do to the playback.
Datum command(FunctionCallInfo fcinfo, const char* event, int lead_arg_n, int request_arg_n, int as_arg_n,
              Validate validate, Command apply) {
  std::string code = code_arg(fcinfo, 0);
  auto lead = lead_arg_n >= 0 ? lead_arg(fcinfo, lead_arg_n) : std::nullopt;
  auto request_id = optional_text(fcinfo, request_arg_n, "p_request_id", core::kMaxRequestIdChars);
  validate(fcinfo);
  spi_connect();
  Caller caller = identify_caller();
  Actor actor = actor_of(caller, fcinfo, as_arg_n);
  StoredRoom room = lock_room(code);
  require_host(room, actor);
  core::Micros now = server_now_us();  // after the lock: commands are ordered
  if (request_id && request_seen(code, *request_id)) return room_result(fcinfo, room, now, false);
  auto playback = apply(room, fcinfo, now + lead.value_or(room.lead_ms) * kMicrosPerMs);
  if (!playback) return room_result(fcinfo, room, now, false);
  StoredRoom next = room;
  next.playback = *playback;
  next.version += 1;
  save_room(next, {event, actor.id, now, request_id});
  return room_result(fcinfo, next, now, true);
}

core::Track track_args(FunctionCallInfo fcinfo) {
  core::Track track{text_arg(fcinfo, 1, "p_track_url"), optional_text_arg(fcinfo, 2).value_or(""),
                    optional_text_arg(fcinfo, 3).value_or("")};
  core::validate_track_text(track.url, "p_track_url", core::kMaxTrackUrlChars);
  if (!track.title.empty()) core::validate_track_text(track.title, "p_title", core::kMaxTrackTextChars);
  if (!track.filename.empty()) core::validate_track_text(track.filename, "p_filename", core::kMaxTrackTextChars);
  return track;
}

void validate_play(FunctionCallInfo fcinfo) {
  track_args(fcinfo);
  position_arg(fcinfo, 4);
}
void validate_position(FunctionCallInfo fcinfo) { position_arg(fcinfo, 1); }
void validate_seek(FunctionCallInfo fcinfo) {
  if (!position_arg(fcinfo, 1)) throw SqlError(sqlstate::kNullValueNotAllowed, "p_position_sec must not be null");
}
void validate_nothing(FunctionCallInfo) {}

std::optional<core::Playback> apply_play(const StoredRoom&, FunctionCallInfo fcinfo, core::Micros at) {
  return core::play(track_args(fcinfo), position_arg(fcinfo, 4).value_or(0), at);
}

std::optional<core::Playback> apply_pause(const StoredRoom& room, FunctionCallInfo fcinfo, core::Micros at) {
  return core::pause(room.playback, position_arg(fcinfo, 1), at);
}

std::optional<core::Playback> apply_seek(const StoredRoom& room, FunctionCallInfo fcinfo, core::Micros at) {
  return core::seek(room.playback, *position_arg(fcinfo, 1), at);
}

std::optional<core::Playback> apply_stop(const StoredRoom& room, FunctionCallInfo, core::Micros) {
  return core::stop(room.playback);
}

Datum set_host(FunctionCallInfo fcinfo) {
  std::string code = code_arg(fcinfo, 0);
  std::string new_host = text_arg(fcinfo, 1, "p_new_host");
  core::validate_participant_param(new_host, "p_new_host");
  spi_connect();
  Caller caller = identify_caller();
  Actor actor = actor_of(caller, fcinfo, 2);
  StoredRoom room = lock_room(code);
  require_host(room, actor);
  core::Micros now = server_now_us();
  if (new_host == room.host) return room_result(fcinfo, room, now, false);
  core::validate_guest_id(new_host, "p_new_host", false);  // a guest never hosts
  if (!is_room_member(code, new_host))
    throw SqlError(sqlstate::kObjectNotInPrerequisiteState, "the new host must be a member of the room");
  StoredRoom next = room;
  next.host = new_host;
  next.version += 1;
  save_room(next, {"host", actor.id, now, std::nullopt});
  return room_result(fcinfo, next, now, true);
}

// The worker's, for a tokenless guest it has named: rooms that do not admit
// guests refuse (42501), a full one too (54000); joining twice changes
// nothing.
Datum join_guest(FunctionCallInfo fcinfo) {
  std::string code = code_arg(fcinfo, 0);
  std::string guest = text_arg(fcinfo, 1, "p_guest_id");
  core::validate_participant_param(guest, "p_guest_id");
  core::validate_guest_id(guest, "p_guest_id", true);
  std::string name = optional_text_arg(fcinfo, 2).value_or("");
  if (!name.empty()) core::validate_track_text(name, "p_name", core::kMaxGuestNameChars);
  std::optional<std::int32_t> max_guests;
  if (!PG_ARGISNULL(3)) max_guests = PG_GETARG_INT32(3);
  spi_connect();
  if (!identify_caller().admin) throw SqlError(sqlstate::kInsufficientPrivilege, "only workers and admins add guests");
  StoredRoom room = lock_room(code);
  if (!room.guests) throw SqlError(sqlstate::kInsufficientPrivilege, "room " + code + " does not admit guests");
  if (is_room_member(code, guest)) return room_result(fcinfo, room, server_now_us(), false);
  if (max_guests && count_room_guests(code) >= *max_guests)
    throw SqlError(sqlstate::kProgramLimitExceeded, "room " + code + " is full",
                   "it holds " + std::to_string(*max_guests) + " guests");
  put_room_guest(code, guest, name);
  notify_room(code, "join", room.version);
  return room_result(fcinfo, room, server_now_us(), true);
}

// READY never changes the schedule; it is recorded for the host to see,
// and only for the room's current version (a member cannot be ready for a
// change it has not been told of).
Datum ready(FunctionCallInfo fcinfo) {
  std::string code = code_arg(fcinfo, 0);
  if (PG_ARGISNULL(1)) throw SqlError(sqlstate::kNullValueNotAllowed, "p_version must not be null");
  std::int64_t version = PG_GETARG_INT64(1);
  spi_connect();
  Caller caller = identify_caller();
  Actor actor = actor_of(caller, fcinfo, 2);
  StoredRoom room = lock_room(code);
  if (actor.admin_itself) throw SqlError(sqlstate::kInvalidParameterValue, "p_as names who is ready");
  if (!is_room_member(code, actor.id)) throw SqlError(sqlstate::kInsufficientPrivilege, "not a member of room " + code);
  if (version != room.version)
    throw SqlError(sqlstate::kInvalidParameterValue, "p_version is not the room's current version",
                   "the room is at version " + std::to_string(room.version));
  bool changed = set_ready(code, actor.id, version);
  if (changed) notify_room(code, "ready", room.version);
  return room_result(fcinfo, room, server_now_us(), changed);
}

}  // namespace
}  // namespace session_clock::pg

using namespace session_clock;
using session_clock::pg::guard;

SESSION_CLOCK_FUNCTION(session_clock_room_create) { return guard([&] { return pg::create(fcinfo); }); }
SESSION_CLOCK_FUNCTION(session_clock_room_join) { return guard([&] { return pg::join_or_leave(fcinfo, true); }); }
SESSION_CLOCK_FUNCTION(session_clock_room_leave) { return guard([&] { return pg::join_or_leave(fcinfo, false); }); }
SESSION_CLOCK_FUNCTION(session_clock_room_state) { return guard([&] { return pg::state(fcinfo); }); }
SESSION_CLOCK_FUNCTION(session_clock_room_play) {
  return guard([&] { return pg::command(fcinfo, "play", 5, 6, 7, pg::validate_play, pg::apply_play); });
}
SESSION_CLOCK_FUNCTION(session_clock_room_pause) {
  return guard([&] { return pg::command(fcinfo, "pause", 2, 3, 4, pg::validate_position, pg::apply_pause); });
}
SESSION_CLOCK_FUNCTION(session_clock_room_seek) {
  return guard([&] { return pg::command(fcinfo, "seek", 2, 3, 4, pg::validate_seek, pg::apply_seek); });
}
SESSION_CLOCK_FUNCTION(session_clock_room_stop) {
  return guard([&] { return pg::command(fcinfo, "stop", -1, 1, 2, pg::validate_nothing, pg::apply_stop); });
}
SESSION_CLOCK_FUNCTION(session_clock_room_set_host) { return guard([&] { return pg::set_host(fcinfo); }); }
SESSION_CLOCK_FUNCTION(session_clock_room_join_guest) { return guard([&] { return pg::join_guest(fcinfo); }); }
SESSION_CLOCK_FUNCTION(session_clock_room_ready) { return guard([&] { return pg::ready(fcinfo); }); }

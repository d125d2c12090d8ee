#include "protocol/room_frames.hpp"

#include "protocol/message_types.hpp"

namespace session_clock::worker::protocol {
namespace {

using nlohmann::ordered_json;

ordered_json ms_of(std::int64_t us) {
  if (us % 1000 == 0) return us / 1000;
  return static_cast<double>(us) / 1000.0;
}

ordered_json text_or_null(const std::string& s) { return s.empty() ? ordered_json() : ordered_json(s); }

ordered_json start_at(const RoomView& room) { return room.start_at_us ? ms_of(*room.start_at_us) : ordered_json(); }

std::string text(const ordered_json& frame) {
  return frame.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// PREPARE_PLAY and PLAY_AT carry the same fields: a member that missed the
// first can still start on the second.
std::string play_frame(const char* type, const RoomView& room) {
  return text(ordered_json{{"t", type},
                           {"code", room.code},
                           {"trackUrl", room.track_url},
                           {"title", room.title},
                           {"filename", room.filename},
                           {"startAtServerMs", start_at(room)},
                           {"startPositionSec", room.start_position_ms / 1000.0},
                           {"version", room.version}});
}

}  // namespace

RoomView room_view(const db::RoomRow& row) {
  RoomView v;
  v.code = row.code;
  v.host = row.host;
  v.status = row.status == "preparing" ? "playing" : row.status;
  v.track_url = row.track_url;
  v.title = row.title;
  v.filename = row.filename;
  v.start_at_us = row.start_at_us;
  v.start_position_ms = row.start_position_ms;
  v.lead_ms = row.lead_ms;
  v.version = row.version;
  v.members = row.members;
  v.member_count = row.member_count;
  v.changed = row.changed;
  return v;
}

std::string room_status(const RoomView& room, double now_ms) {
  if (room.status == "playing" && room.start_at_us && now_ms * 1000.0 < static_cast<double>(*room.start_at_us))
    return "preparing";
  return room.status;
}

std::string room_state(const RoomView& room, double now_ms) {
  bool idle = room.status == "idle";
  // "trackUrl" too: seed 004's tab-resume code hands currentTrack to its
  // PLAY_AT handler, which reads the PLAY_AT field names.
  ordered_json track = {{"url", text_or_null(room.track_url)},
                        {"trackUrl", text_or_null(room.track_url)},
                        {"title", text_or_null(room.title)},
                        {"filename", text_or_null(room.filename)},
                        {"startAtServerMs", start_at(room)},
                        {"startPositionSec", idle ? ordered_json() : ordered_json(room.start_position_ms / 1000.0)},
                        {"status", room_status(room, now_ms)}};
  return text(ordered_json{{"t", message_type::kRoomState},
                           {"code", room.code},
                           {"host", room.host},
                           {"members", room.members},
                           {"memberCount", room.member_count},
                           {"currentTrack", track},
                           {"serverNowMs", now_ms},
                           {"version", room.version},
                           {"leadMs", room.lead_ms}});
}

std::string prepare_play(const RoomView& room) { return play_frame(message_type::kPreparePlay, room); }

std::string play_at(const RoomView& room) { return play_frame(message_type::kPlayAt, room); }

std::string pause_at(const RoomView& room) {
  return text(ordered_json{{"t", message_type::kPauseAt},
                           {"code", room.code},
                           {"atServerMs", start_at(room)},
                           {"positionSec", room.start_position_ms / 1000.0},
                           {"version", room.version}});
}

std::string stopped(const RoomView& room) {
  return text(ordered_json{{"t", message_type::kStopped}, {"code", room.code}, {"version", room.version}});
}

std::string left_room(const std::string& code) {
  return text(ordered_json{{"t", message_type::kLeftRoom}, {"code", code}});
}

}  // namespace session_clock::worker::protocol

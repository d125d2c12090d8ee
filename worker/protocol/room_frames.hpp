// The frames a room's members receive (docs/protocol.md, Rooms). Pure: built
// once per change and shared by every member's queue.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "db/room_queries.hpp"

namespace session_clock::worker::protocol {

// A room as clients are told about it: times in Unix epoch microseconds,
// positions in milliseconds.
struct RoomView {
  std::string code;
  std::string host;
  std::string status = "idle";  // idle, playing or paused (preparing is derived from the time)
  std::string track_url, title, filename;
  std::optional<std::int64_t> start_at_us;
  double start_position_ms = 0;
  std::int32_t lead_ms = 1200;
  std::int64_t version = 0;
  nlohmann::json members = nlohmann::json::array();  // [{"id":…,"ready":bool}], the first 200
  std::int32_t member_count = 0;
  bool changed = false;
};

// The database's answer as clients see it: "preparing" is "playing" with a
// start ahead, derived again from the time whenever a frame is built.
RoomView room_view(const db::RoomRow& row);

// "preparing" while playing and the start is ahead of now_ms.
std::string room_status(const RoomView& room, double now_ms);

// {"t":"ROOM_STATE","code","host","members","memberCount","currentTrack":{url,
//  trackUrl,title,filename,startAtServerMs,startPositionSec,status},"serverNowMs","version","leadMs"}
std::string room_state(const RoomView& room, double now_ms);
// {"t":"PREPARE_PLAY"|"PLAY_AT","code","trackUrl","title","filename",
//  "startAtServerMs","startPositionSec","version"}
std::string prepare_play(const RoomView& room);
std::string play_at(const RoomView& room);
// {"t":"PAUSE_AT","code","atServerMs","positionSec","version"}
std::string pause_at(const RoomView& room);
// {"t":"STOPPED","code","version"}
std::string stopped(const RoomView& room);
// {"t":"LEFT_ROOM","code"}
std::string left_room(const std::string& code);

}  // namespace session_clock::worker::protocol

// Playback rooms as the database answers for them: one room RPC
// (session_clock_room_*), called as the worker's own role for a user (p_as).
// The answer is the room as stored; what clients see of it is
// protocol/room_frames.hpp's business.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace session_clock::worker::db {

class Pool;

// session_clock.room_state: times in Unix-epoch microseconds, positions in
// milliseconds, status as the database says it (idle, preparing, playing,
// paused).
struct RoomRow {
  std::string code;
  std::string host;
  std::string status;
  std::string track_url, title, filename;  // "" when NULL
  std::optional<std::int64_t> start_at_us;
  double start_position_ms = 0;
  std::int32_t lead_ms = 0;
  std::int64_t version = 0;
  nlohmann::json members = nlohmann::json::array();  // [{"id":…,"ready":bool}], the first 200
  std::int32_t member_count = 0;
  bool changed = false;
};

// params are the function's arguments in order; nullopt is NULL.
struct RoomCall {
  const char* function;  // e.g. "session_clock_room_play"
  std::vector<std::optional<std::string>> params;
};

struct RoomRead {
  std::optional<RoomRow> room;
  std::string error;
  std::string sqlstate;  // 42501 not allowed, P0002 no room, 22023 bad argument, ...
};

class RoomQueries {
 public:
  explicit RoomQueries(Pool& pool) : pool_(pool) {}
  void call(RoomCall call, std::function<void(RoomRead)> done);

 private:
  Pool& pool_;
};

}  // namespace session_clock::worker::db

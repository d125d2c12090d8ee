// What the RoomService stand-in answers, as a pure function of the request
// and its rooms, following livekit-server for the two methods the worker
// calls (pkg/service/roomservice.go and auth.go, the twirp-generated router
// in livekit/protocol's livekit_room.twirp.go), in this order:
//   1. an outage, when asked for: 503 Twirp unavailable;
//   2. the auth middleware (livekit_token_check.hpp): 401 in plain text;
//   3. Twirp's router: POST only, /twirp/livekit.RoomService/{ListRooms,
//      ListParticipants}, Content-Type application/json, else 404 bad_route;
//      a body that is not the request message: 400 malformed;
//   4. the method's grant (ListRooms: video.roomList; ListParticipants:
//      video.roomAdmin with video.room the room asked for), else
//      401 unauthenticated "permissions denied" (LiveKit wraps every missing
//      grant as unauthenticated, never permission_denied);
//   5. the answer. ListParticipants of a room that does not exist answers an
//      empty list, as livekit-server's stores do; missing_room_not_found makes
//      it Twirp not_found "requested room does not exist" instead, the answer
//      the worker must also expect from a LiveKit that checks.
// The binary (protobuf) encoding is not offered.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protojson_writer.hpp"

namespace session_clock::testing {

struct StandInParticipant {
  std::string sid, identity;
  std::string state = "ACTIVE";  // JOINING, JOINED, ACTIVE or DISCONNECTED
  std::int64_t joined_at_s = 0;
};

struct StandInRoom {
  std::string name, sid;
  std::int64_t creation_time_s = 0;
  std::vector<StandInParticipant> participants;
};

struct StandInState {
  std::map<std::string, StandInRoom> rooms;  // by name
  JsonStyle style = JsonStyle::livekit_server;
  bool missing_room_not_found = false;
  bool unavailable = false;
  std::string api_key, api_secret;
};

struct StandInRequest {
  std::string verb;    // "POST", ...
  std::string target;  // path and query
  std::optional<std::string> authorization;
  std::string content_type;
  std::string body;
};

struct StandInReply {
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::string refusal;  // why, when the request was refused
};

inline constexpr std::string_view kListRooms = "ListRooms";
inline constexpr std::string_view kListParticipants = "ListParticipants";

// The Twirp method a target names (its last path segment), for counting calls.
std::string twirp_method_of(const std::string& target);

StandInReply answer_room_service(const StandInRequest& request, const StandInState& state, std::int64_t now_s);

}  // namespace session_clock::testing

// The token a server API call carries (Authorization: Bearer), as LiveKit's
// AccessToken writes it (livekit/protocol auth): HS256 with the API secret,
// iss = the API key, nbf and exp in seconds, and a `video` grant whose claim
// names are VideoGrant's JSON names. Each call gets only the grant it needs:
// roomList for ListRooms, roomAdmin on one room for ListParticipants.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace session_clock::worker::livekit {

struct VideoGrant {
  bool room_list = false;   // "roomList"
  bool room_admin = false;  // "roomAdmin", for `room` only
  std::string room;         // "room"
};

// Calls are answered in well under a second; a minute covers clock skew
// between us and LiveKit without leaving a long-lived credential about.
inline constexpr std::int64_t kAccessTokenTtlS = 60;

// The claims, for tests and for signing: false grants and an empty room are
// left out, as Go's omitempty and the Node SDK leave them out.
nlohmann::json access_token_claims(const std::string& api_key, const VideoGrant& grant, std::int64_t now_s,
                                   std::int64_t ttl_s = kAccessTokenTtlS);

// The compact JWT, signed by libjwt. Throws std::runtime_error if libjwt fails.
std::string sign_access_token(const std::string& api_key, const std::string& api_secret, const VideoGrant& grant,
                              std::int64_t now_s, std::int64_t ttl_s = kAccessTokenTtlS);

}  // namespace session_clock::worker::livekit

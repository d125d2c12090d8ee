#include "livekit/access_token.hpp"

#include <jwt.h>

#include <cstdlib>
#include <memory>
#include <stdexcept>

namespace session_clock::worker::livekit {
namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("LiveKit access token: ") + what);
}

nlohmann::json video_claim(const VideoGrant& grant) {
  nlohmann::json video = nlohmann::json::object();
  if (grant.room_list) video["roomList"] = true;
  if (grant.room_admin) video["roomAdmin"] = true;
  if (!grant.room.empty()) video["room"] = grant.room;
  return video;
}

}  // namespace

nlohmann::json access_token_claims(const std::string& api_key, const VideoGrant& grant, std::int64_t now_s,
                                   std::int64_t ttl_s) {
  return {{"iss", api_key}, {"nbf", now_s}, {"exp", now_s + ttl_s}, {"video", video_claim(grant)}};
}

std::string sign_access_token(const std::string& api_key, const std::string& api_secret, const VideoGrant& grant,
                              std::int64_t now_s, std::int64_t ttl_s) {
  jwt_t* raw = nullptr;
  check(jwt_new(&raw) == 0, "jwt_new failed");
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, &jwt_free);
  std::string claims = access_token_claims(api_key, grant, now_s, ttl_s).dump();
  check(jwt_add_grants_json(jwt.get(), claims.c_str()) == 0, "cannot set claims");
  check(jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(api_secret.data()),
                    static_cast<int>(api_secret.size())) == 0,
        "cannot set HS256 key");
  std::unique_ptr<char, decltype(&std::free)> token(jwt_encode_str(jwt.get()), &std::free);
  check(token != nullptr, "jwt_encode_str failed");
  return token.get();
}

}  // namespace session_clock::worker::livekit

// How livekit-server's APIKeyAuthMiddleware (pkg/service/auth.go) treats the
// Authorization header of a server API call, for the RoomService stand-in:
//   - no header, or "Bearer " with nothing after it: the call goes on with no
//     grants (the method then refuses it as Twirp unauthenticated);
//   - a header not starting "Bearer ": 401, plain text;
//   - a token that does not parse, names an unknown API key in iss, or fails
//     go-jose's checks (HS256 signature with that key's secret; nbf and exp,
//     each when present, with go-jose's one-minute leeway): 401, plain text
//     that echoes the token.
// Written apart from the worker's verifiers on purpose: OpenSSL's HMAC, not
// libjwt, and none of the worker's JWS code.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace session_clock::testing {

struct TokenCheck {
  nlohmann::json video = nlohmann::json::object();  // the verified token's video grant; {} without one
  std::optional<std::string> refusal;               // the 401 body when refused
};

inline constexpr std::int64_t kLiveKitLeewayS = 60;  // go-jose's jwt.DefaultLeeway

TokenCheck check_livekit_token(const std::optional<std::string>& authorization, const std::string& api_key,
                               const std::string& api_secret, std::int64_t now_s);

}  // namespace session_clock::testing

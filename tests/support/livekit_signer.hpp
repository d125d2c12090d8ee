// Signs a LiveKit webhook the way livekit-server does, for tests: an HS256 JWT
// made by libjwt with iss = the API key, sha256 = standard base64 of the
// body's SHA-256, nbf = now_s and exp = now_s + ttl_s (LiveKit uses 5 minutes).
#pragma once

#include <cstdint>
#include <string>

namespace session_clock::testing {

// The value for the request's Authorization header (a bare token, as LiveKit
// sends it). Throws std::runtime_error if libjwt or OpenSSL fails.
std::string sign_livekit_webhook(const std::string& api_key, const std::string& api_secret, const std::string& body,
                                 std::int64_t now_s, std::int64_t ttl_s = 300);

}  // namespace session_clock::testing

// A failed Twirp call, read from the HTTP status and body (Twirp wire protocol
// v7, Errors): a Twirp server answers JSON {"code", "msg", "meta"?} with
// Content-Type application/json and the status its code maps to. Anything else
// came from in between (a proxy, or LiveKit's own auth middleware, which
// answers 401 in plain text) and gets the code Twirp's clients give it for its
// status.
#pragma once

#include <string>
#include <string_view>

namespace session_clock::worker::livekit {

inline constexpr std::string_view kTwirpNotFound = "not_found";

struct TwirpError {
  std::string code;  // "not_found", "unauthenticated", ...
  std::string msg;   // printable, at most kMaxTwirpMessageBytes; may be empty
};

inline constexpr std::size_t kMaxTwirpMessageBytes = 200;

// For a non-2xx response. The message of a non-Twirp body is never taken from
// the body (LiveKit's 401 text echoes the token); it says "http <status>".
TwirpError read_twirp_error(unsigned status, std::string_view content_type, std::string_view body);

// The code Twirp clients give an error that did not come from a Twirp server:
// 400 internal, 401 unauthenticated, 403 permission_denied, 404 bad_route,
// 429/502/503/504 unavailable, 3xx internal, anything else unknown.
std::string twirp_code_for_status(unsigned status);

}  // namespace session_clock::worker::livekit

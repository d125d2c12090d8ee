// Where LiveKit's server APIs live, from the URL as users configure it
// (LIVEKIT_URL): http:// or https://, or the ws:// and wss:// that clients use
// for the same server (the SDKs swap ws for http). A path after the host is
// kept as a prefix, for a LiveKit behind a reverse proxy at a sub-path.
#pragma once

#include <string>
#include <string_view>

namespace session_clock::worker::livekit {

struct ServiceUrl {
  bool tls = false;         // https (or wss)
  std::string host;         // name or address, IPv6 without brackets
  std::string port;         // always set: 80 or 443 unless the URL says
  std::string host_header;  // the Host header: as written, the port only if given
  std::string path_prefix;  // "" or "/a/b", never a trailing '/'
};

// Throws std::invalid_argument saying what is wrong: another scheme, no host,
// a port outside 1-65535, user info, a query or a fragment, or characters a
// URL may not hold.
ServiceUrl parse_service_url(std::string_view url);

// "<prefix>/twirp/livekit.RoomService/<method>": the Twirp route (protocol v7
// with LiveKit's default "/twirp" prefix and proto package "livekit").
std::string room_service_target(const ServiceUrl& url, std::string_view method);

}  // namespace session_clock::worker::livekit

#include "notification.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace session_clock::core {

// Formatted by hand: it runs inside every clock change, and neither a UUID's
// text nor an event name ever needs JSON escaping.
std::string change_payload(const std::string& session_id, EventKind kind, std::int64_t version) {
  char buf[160];
  int n = std::snprintf(buf, sizeof buf, R"({"event":"%s","session_id":"%s","version":%lld})", event_name(kind),
                        session_id.c_str(), static_cast<long long>(version));
  if (n > 0 && static_cast<std::size_t>(n) < sizeof buf) return std::string(buf, static_cast<std::size_t>(n));
  return nlohmann::json{{"session_id", session_id}, {"event", event_name(kind)}, {"version", version}}.dump();
}

std::string room_payload(const std::string& code, const char* change, std::int64_t version) {
  return nlohmann::json{{"event", std::string("room_") + change}, {"room", code}, {"version", version}}.dump();
}

std::string uuid_text(const unsigned char (&bytes)[16]) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace session_clock::core

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

std::string member_removed_payload(const std::string& session_id, const std::string& participant_id) {
  return nlohmann::json{{"event", kMemberRemovedEvent}, {"session_id", session_id}, {"participant_id", participant_id}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string device_claimed_payload(const std::string& session_id, const std::string& participant_id,
                                   const std::string& device, std::int64_t claim) {
  return nlohmann::json{{"event", kDeviceClaimedEvent},
                        {"session_id", session_id},
                        {"participant_id", participant_id},
                        {"device", device},
                        {"claim", claim}}
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Notification parse_notification(std::string_view payload) noexcept {
  Notification n;
  auto doc = nlohmann::json::parse(payload, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return n;
  auto text = [&](const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  n.event = text("event");
  if (auto v = doc.find("version"); v != doc.end() && v->is_number_integer()) n.version = v->get<std::int64_t>();
  if (n.event.empty()) return Notification{};
  if (n.event == kDeviceClaimedEvent) {
    n.session_id = text("session_id");
    n.participant_id = text("participant_id");
    n.device = text("device");
    auto claim = doc.find("claim");
    bool complete = !n.session_id.empty() && !n.participant_id.empty() && !n.device.empty() &&
                    claim != doc.end() && claim->is_number_integer();
    if (complete) n.claim = claim->get<std::int64_t>();
    n.kind = complete ? Notification::Kind::device_claimed : Notification::Kind::other;
  } else if (n.event == kMemberRemovedEvent) {
    n.session_id = text("session_id");
    n.participant_id = text("participant_id");
    n.kind = n.session_id.empty() || n.participant_id.empty() ? Notification::Kind::other
                                                               : Notification::Kind::member_removed;
  } else if (doc.contains("room")) {
    n.room = text("room");
    n.kind = n.room.empty() ? Notification::Kind::other : Notification::Kind::room;
  } else {
    n.session_id = text("session_id");
    n.kind = n.session_id.empty() ? Notification::Kind::other : Notification::Kind::clock;
  }
  if (n.kind == Notification::Kind::other) return Notification{};
  return n;
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

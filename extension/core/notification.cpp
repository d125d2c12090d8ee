#include "notification.hpp"

#include <cstdio>

#include "json_text.hpp"

namespace session_clock::core {

// Formatted by hand: it runs inside every clock change, and neither a UUID's
// text nor an event name ever needs JSON escaping.
std::string change_payload(const std::string& session_id, EventKind kind, std::int64_t version) {
  char buf[160];
  int n = std::snprintf(buf, sizeof buf, R"({"event":"%s","session_id":"%s","version":%lld})", event_name(kind),
                        session_id.c_str(), static_cast<long long>(version));
  if (n > 0 && static_cast<std::size_t>(n) < sizeof buf) return std::string(buf, static_cast<std::size_t>(n));
  return json_text::ObjectWriter().add("event", event_name(kind)).add("session_id", session_id).add("version", version).str();
}

std::string room_payload(const std::string& code, const char* change, std::int64_t version) {
  return json_text::ObjectWriter().add("event", std::string("room_") + change).add("room", code).add("version", version).str();
}

std::string member_removed_payload(const std::string& session_id, const std::string& participant_id) {
  return json_text::ObjectWriter()
      .add("event", kMemberRemovedEvent)
      .add("session_id", session_id)
      .add("participant_id", participant_id)
      .str();
}

Notification parse_notification(std::string_view payload) noexcept {
  Notification n;
  auto doc = json_text::read_object(payload);
  if (!doc) return n;
  using Type = json_text::Value::Type;
  auto text = [&](const char* key) {
    auto it = doc->find(key);
    return it != doc->end() && it->second.type == Type::string ? it->second.text : std::string();
  };
  n.event = text("event");
  if (auto v = doc->find("version"); v != doc->end() && v->second.type == Type::integer) n.version = v->second.integer;
  if (n.event.empty()) return Notification{};
  if (n.event == kMemberRemovedEvent) {
    n.session_id = text("session_id");
    n.participant_id = text("participant_id");
    n.kind = n.session_id.empty() || n.participant_id.empty() ? Notification::Kind::other
                                                               : Notification::Kind::member_removed;
  } else if (doc->count("room") > 0) {
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

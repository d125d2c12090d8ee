// Which session a LiveKit room belongs to: the room name follows a pattern
// with one {session} placeholder standing for the session's UUID, so
// "call-{session}" maps the room "call-6f1c...-..." to that session.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace session_clock::worker::livekit {

class RoomMapping {
 public:
  static constexpr std::string_view kPlaceholder = "{session}";

  // Throws std::invalid_argument unless the pattern holds exactly one
  // placeholder.
  explicit RoomMapping(std::string pattern = std::string(kPlaceholder));

  // The session id in canonical lower-case form, or nullopt when the name does
  // not follow the pattern or the placeholder's part is not a UUID
  // (8-4-4-4-12 hex digits, any case; no braces, no urn:uuid:).
  std::optional<std::string> session_id(std::string_view room_name) const;

  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::string prefix_, suffix_;  // what surrounds the placeholder
};

}  // namespace session_clock::worker::livekit

#include "livekit/room_mapping.hpp"

#include <stdexcept>
#include <utility>

namespace session_clock::worker::livekit {
namespace {

constexpr std::size_t kUuidChars = 36;

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::optional<std::string> canonical_uuid(std::string_view text) {
  if (text.size() != kUuidChars) return std::nullopt;
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    bool hyphen_slot = i == 8 || i == 13 || i == 18 || i == 23;
    if (hyphen_slot ? out[i] != '-' : !is_hex(out[i])) return std::nullopt;
    out[i] = ascii_lower(out[i]);
  }
  return out;
}

std::size_t placeholder_at(const std::string& pattern) {
  auto at = pattern.find(RoomMapping::kPlaceholder);
  if (at == std::string::npos || pattern.find(RoomMapping::kPlaceholder, at + 1) != std::string::npos)
    throw std::invalid_argument("LiveKit room pattern must contain {session} exactly once");
  return at;
}

}  // namespace

RoomMapping::RoomMapping(std::string pattern) : pattern_(std::move(pattern)) {
  auto at = placeholder_at(pattern_);
  prefix_ = pattern_.substr(0, at);
  suffix_ = pattern_.substr(at + kPlaceholder.size());
}

// A UUID has a fixed length, so the name's length alone places it: no
// ambiguity even when the prefix or suffix could look like part of one.
std::optional<std::string> RoomMapping::session_id(std::string_view room_name) const {
  if (room_name.size() != prefix_.size() + kUuidChars + suffix_.size()) return std::nullopt;
  if (room_name.substr(0, prefix_.size()) != prefix_) return std::nullopt;
  if (room_name.substr(prefix_.size() + kUuidChars) != suffix_) return std::nullopt;
  return canonical_uuid(room_name.substr(prefix_.size(), kUuidChars));
}

}  // namespace session_clock::worker::livekit

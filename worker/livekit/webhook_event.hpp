// A LiveKit WebhookEvent (livekit_webhook.proto) as livekit-server posts it,
// in protojson: lowerCamelCase names, int64 as a JSON string (a number is
// accepted too), fields at their default value left out, unknown fields
// ignored. Only what the session clock acts on is kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace session_clock::worker::livekit {

// The kinds the worker acts on; every other kind is acknowledged and ignored.
inline constexpr std::string_view kParticipantJoined = "participant_joined";
inline constexpr std::string_view kParticipantLeft = "participant_left";
inline constexpr std::string_view kParticipantConnectionAborted = "participant_connection_aborted";
inline constexpr std::string_view kRoomFinished = "room_finished";

inline constexpr std::size_t kMaxEventBytes = 256 * 1024;  // a room's metadata and a participant's tracks fit
inline constexpr std::size_t kMaxEventDepth = 32;
inline constexpr std::size_t kMaxIdBytes = 256;  // event id, kind, room name and sids

struct WebhookEvent {
  std::string id, event, room_name, room_sid, participant_sid, identity;
  std::int64_t created_at_s = 0;
};

struct ParsedWebhookEvent {
  std::optional<WebhookEvent> event;
  bool handled = false;  // one of the kinds above, with every field it needs
  std::string error;     // short lower-case reason when event is empty
};

bool is_handled_kind(std::string_view kind);

// For a handled kind, id, createdAt and room.name are required, and for the
// participant_* kinds participant.sid and participant.identity too (the
// identity by the rule for participant ids: at most 200 characters, no control
// characters, not blank). Any field that is present must have its protojson
// type. Never throws.
ParsedWebhookEvent parse_webhook_event(std::string_view body) noexcept;

}  // namespace session_clock::worker::livekit

// Who LiveKit says is in a room, read from RoomService's ListRooms and
// ListParticipants answers (livekit_room.proto; Room and ParticipantInfo in
// livekit_models.proto). Both are proto3 JSON: livekit-server's Twirp server
// writes proto field names with every default value present, Go's protojson
// writes lowerCamelCase and leaves defaults out; each is accepted. Every field
// read here has a one-word name, spelled the same either way. null reads as
// absent, unknown fields are ignored, and anything of the wrong type fails the
// whole answer: never a partial listing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace session_clock::worker::livekit {

struct RoomParticipant {
  std::string sid, identity;
};

struct RoomListing {
  bool exists = false;                        // ListRooms(names=[room]) returned the room
  std::string room_sid;                       // its sid when it exists
  std::vector<RoomParticipant> participants;  // every participant not DISCONNECTED
};

struct RoomListingResult {
  std::optional<RoomListing> listing;
  std::string error;  // short lower-case reason when listing is empty
};

// ListRooms for one name answers with one room; ListParticipants grows with
// the room (a participant with a few tracks is 1-3 KB in livekit-server's
// spelling, so this holds a few thousand).
inline constexpr std::size_t kMaxListRoomsBytes = 1024 * 1024;
inline constexpr std::size_t kMaxListParticipantsBytes = 8 * 1024 * 1024;
inline constexpr std::size_t kMaxListingDepth = 32;

struct ListedRoom {
  bool exists = false;
  std::string sid;    // set when exists
  std::string error;  // set when the answer is unusable
};

// The room named room_name in a ListRoomsResponse; other rooms are ignored. A
// listed room without a sid is an error. Never throws.
ListedRoom read_listed_room(std::string_view body, std::string_view room_name) noexcept;

struct ListedParticipants {
  std::optional<std::vector<RoomParticipant>> present;
  std::string error;  // set when present is empty
};

// The participants of a ListParticipantsResponse whose state is not
// DISCONNECTED. state is an enum: a name, or a number; absent is JOINING (0),
// and a name this code does not know counts as present. Each participant needs
// a sid and an identity; one whose identity is not a valid participant id
// (core::is_valid_participant_id) cannot be in a session and is left out.
// Never throws.
ListedParticipants read_listed_participants(std::string_view body) noexcept;

}  // namespace session_clock::worker::livekit

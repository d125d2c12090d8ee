// The NOTIFY that announces every clock change: channel and payload, defined
// once for the extension (sender) and the worker (listener). Listeners treat
// it as a doorbell and re-read the row, which is the truth.
#pragma once
#ifdef POSTGRES_H
#error "pure core headers must be included before postgres.h"
#endif

#include <cstdint>
#include <string>
#include <string_view>

#include "clock_model.hpp"

namespace session_clock::core {

inline constexpr const char* kNotifyChannel = "session_clock";

// {"event":"pause","session_id":"…","version":3}
std::string change_payload(const std::string& session_id, EventKind kind, std::int64_t version);

// {"event":"room_play","room":"K7Q2PX","version":5}: a room changed (play,
// pause, seek, stop, host, create; join, leave and ready keep the version).
// Listeners tell rooms from sessions by the "room" key.
std::string room_payload(const std::string& code, const char* change, std::int64_t version);

// {"event":"member_removed","session_id":"…","participant_id":"bob"}: the
// member lost access to the session; workers stop its follows at once.
inline constexpr const char* kMemberRemovedEvent = "member_removed";
std::string member_removed_payload(const std::string& session_id, const std::string& participant_id);

// {"event":"device_claimed","session_id":"…","participant_id":"bob",
//  "device":"…","claim":7}: in a single-device session the user joined from
// `device`; every other connection of theirs to it is superseded. Claims
// of one user in one session are numbered in commit order.
inline constexpr const char* kDeviceClaimedEvent = "device_claimed";
std::string device_claimed_payload(const std::string& session_id, const std::string& participant_id,
                                   const std::string& device, std::int64_t claim);

// What a payload on the channel announces. kind other: not ours (the
// worker's start-up self-test) or malformed; the other fields are then empty.
struct Notification {
  enum class Kind { clock, room, member_removed, device_claimed, other };
  Kind kind = Kind::other;
  std::string event;           // "pause", "room_play", "member_removed", ...
  std::string session_id;      // clock, member_removed, device_claimed
  std::string room;            // room
  std::string participant_id;  // member_removed, device_claimed
  std::string device;          // device_claimed
  std::int64_t version = 0;    // clock, room
  std::int64_t claim = 0;      // device_claimed
};
Notification parse_notification(std::string_view payload) noexcept;

// The canonical text of a 16-byte UUID.
std::string uuid_text(const unsigned char (&bytes)[16]);

}  // namespace session_clock::core

// Reading and writing rooms: session_clock.rooms (the playback), its members
// and its event log, and the NOTIFY that announces each change. Callers hold
// the room's row lock (Lock::for_update) before changing anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "../core/playback_model.hpp"
#include "clock_store.hpp"
#include "guard.hpp"

namespace session_clock::pg {

struct StoredRoom {
  std::string code;
  std::string host;
  core::Playback playback;
  std::int32_t lead_ms = 1200;
  std::int64_t version = 1;
  bool guests = false;  // admits tokenless guests (seed 004)
};

std::optional<StoredRoom> load_room(const std::string& code, Lock lock);
// Inserts a new idle room with its creator as host and member; false if the
// code is taken.
bool insert_room(const std::string& code, const std::string& host, const std::string& actor, core::Micros now_us,
                 bool guests);

// One logged change: the room as it is now (`next`, version already
// incremented), the event, who, when it was decided, the request id.
struct RoomEvent {
  const char* event;
  std::string actor;
  core::Micros at_us;
  std::optional<std::string> request_id;
};
void save_room(const StoredRoom& next, const RoomEvent& event);

// Membership and readiness change no version, but workers must still hear
// of them (the host sees who is ready): a NOTIFY with the current version.
void notify_room(const std::string& code, const char* change, std::int64_t version);

// Whether this request id was already applied to the room.
bool request_seen(const std::string& code, const std::string& request_id);

bool is_room_member(const std::string& code, const std::string& participant_id);
// Adds or removes a member; false if it already was so.
bool put_room_member(const std::string& code, const std::string& participant_id, bool member);
// Adds a guest with the name it gave (may be empty); false if it already was
// a member.
bool put_room_guest(const std::string& code, const std::string& guest_id, const std::string& name);
std::int64_t count_room_guests(const std::string& code);
// Records READY for a version; false if it already was (or not a member).
bool set_ready(const std::string& code, const std::string& participant_id, std::int64_t version);
// [{"id":…,"ready":bool,"name"?:…}], the first kListedMembers in join order (a big
// room's answer stays small), copied out of SPI's memory; and the count.
inline constexpr int kListedMembers = 200;
struct MemberList {
  Datum json;
  std::int32_t count;
};
MemberList members_json(const std::string& code, std::int64_t version);

}  // namespace session_clock::pg

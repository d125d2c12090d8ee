// LiveKit presence as the database keeps it: one verified webhook at a time,
// and the reconciliation of a room with what LiveKit's RoomService lists
// (extension 1.3), all as the worker's own role.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace session_clock::worker::db {

class Pool;

struct LiveKitEventRow {
  std::string event_id, event, session_id, room_sid, participant_sid, identity, room_name;  // "" is NULL
};

// session_clock.livekit_event(): applied, pending (kept until the session
// starts), duplicate, unknown_session, ignored.
struct WebhookOutcome {
  std::string result;
  std::string error;
};

// session_clock.livekit_rooms_to_reconcile(): rooms holding LiveKit
// presence in open sessions, with the database's time before LiveKit is
// asked (Unix-epoch microseconds, handed back exactly to livekit_reconcile).
struct ReconcileRoom {
  std::string session_id, room_name;
  std::int64_t as_of_us = 0;
};
struct RoomsToReconcile {
  std::vector<ReconcileRoom> rooms;
  std::string error;
};

// session_clock.livekit_reconcile(): how many identities changed.
struct ReconcileOutcome {
  int changed = 0;
  std::string error;
};

class LiveKitQueries {
 public:
  explicit LiveKitQueries(Pool& pool) : pool_(pool) {}

  void event(LiveKitEventRow row, std::function<void(WebhookOutcome)> done);
  void rooms_to_reconcile(int limit, std::function<void(RoomsToReconcile)> done);
  // room_sid nullopt: the room no longer exists. participants_json: a JSON
  // array of {"sid","identity"} as LiveKit listed them.
  void reconcile(ReconcileRoom room, std::optional<std::string> room_sid, std::string participants_json,
                 std::function<void(ReconcileOutcome)> done);

 private:
  Pool& pool_;
};

}  // namespace session_clock::worker::db

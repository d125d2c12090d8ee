#include "app/notification_router.hpp"

#include "core/notification.hpp"

namespace session_clock::worker {

void route_notification(const std::string& payload, const NotificationTargets& to) {
  to.metrics.notifications++;
  auto note = core::parse_notification(payload);
  using Kind = core::Notification::Kind;
  switch (note.kind) {
    case Kind::clock:
      to.clocks.on_change(note.session_id);
      to.deadlines.on_clock_event(note.event);
      return;
    case Kind::room:
      to.party_states.room_changed(note.room, note.version);
      return to.rooms.on_change(note.room, note.event, note.version);
    case Kind::member_removed:
      return to.connections.revoke(note.session_id, note.participant_id);
    case Kind::device_claimed:
      return to.connections.device_claimed(note.session_id, note.participant_id, note.device, note.claim);
    case Kind::other:
      return to.other(payload);
  }
}

}  // namespace session_clock::worker

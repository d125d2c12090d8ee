// Every NOTIFY on the extension's channel, parsed once (core::
// parse_notification, beside the builders) and handed to whoever acts on its
// kind: a session's change to the clock hub and the deadline scheduler, a
// room's to the room hub and /api/party-state's kept rows, a member's
// removal and a device claim to the connections, anything else (the
// start-up self-test's nonce) to `other`.
#pragma once

#include <functional>
#include <string>

#include "fanout/clock_hub.hpp"
#include "fanout/room_hub.hpp"
#include "http/party_state.hpp"
#include "metrics/metrics.hpp"
#include "presence/deadline_scheduler.hpp"
#include "ws/session_registry.hpp"

namespace session_clock::worker {

struct NotificationTargets {
  ClockHub& clocks;
  RoomHub& rooms;
  PartyState& party_states;
  DeadlineScheduler& deadlines;
  Metrics& metrics;
  SessionRegistry& connections;
  std::function<void(const std::string& payload)> other;
};

void route_notification(const std::string& payload, const NotificationTargets& to);

}  // namespace session_clock::worker

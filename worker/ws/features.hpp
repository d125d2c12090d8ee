// Everything a WebSocket connection does besides I/O: one object per
// feature, each built with exactly the services it needs. The connection
// (WsSession) owns them and hands each inbound message to its feature
// through the dispatch table (routes.hpp).
#pragma once

#include <cstddef>
#include <string>

#include "auth/token_admission.hpp"
#include "db/clock_queries.hpp"
#include "db/room_queries.hpp"
#include "fanout/clock_hub.hpp"
#include "fanout/room_hub.hpp"
#include "fanout/time_ticker.hpp"
#include "limits/guest_gate.hpp"
#include "metrics/metrics.hpp"
#include "presence/presence_tracker.hpp"
#include "time/server_clock.hpp"
#include "ws/features/clock_commands.hpp"
#include "ws/features/clock_follows.hpp"
#include "ws/features/identity.hpp"
#include "ws/features/room_membership.hpp"
#include "ws/features/session_presence.hpp"
#include "ws/features/time_sync.hpp"
#include "ws/features/time_ticks.hpp"
#include "ws/outbox.hpp"

namespace session_clock::worker {

// The long-lived services the features of every connection use.
struct FeatureServices {
  const auth::TokenAdmission& tokens;
  const ServerClock& clock;
  Metrics& metrics;
  TimeTicker& ticker;
  ClockHub& clock_hub;
  RoomHub& room_hub;
  PresenceTracker& presence;
  db::ClockQueries& clock_queries;
  db::RoomQueries& room_queries;
  limits::GuestGate& guests;
  std::string client_role;   // the role end users' clock commands run as
  std::size_t max_follows;   // clocks one connection may follow
};

struct Features {
  Features(Outbox& out, const FeatureServices& services);
  // The connection ended: every fan-out to it stops, every session it
  // joined is left (a closed or half-open connection is a leave).
  void end();

  Outbox& out;
  Identity identity;
  RoomMembership rooms;
  TimeSync time;
  TimeTicks ticks;
  ClockFollows follows;
  SessionPresence presence;
  ClockCommands commands;
};

}  // namespace session_clock::worker

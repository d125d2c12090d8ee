#include "ws/features.hpp"

namespace session_clock::worker {

Features::Features(Outbox& out, const FeatureServices& s)
    : out(out),
      identity(out, s.tokens, s.clock),
      rooms(out, identity, s.room_queries, s.room_hub, s.clock, s.guests),
      time(out, s.metrics, s.clock, [this](double rtt_ms) { rooms.update_rtt(rtt_ms); }),
      ticks(out, s.ticker, s.clock),
      follows(out, identity, s.clock_queries, s.clock_hub, s.clock, s.max_follows),
      presence(out, identity, follows, s.presence),
      commands(out, identity, s.clock_queries, s.client_role) {
  // Presence hears of a new user before the follows are checked again.
  identity.observe(presence);
  identity.observe(follows);
  identity.observe(rooms);
  follows.watch(presence);
}

void Features::end() {
  follows.end();
  presence.end();
  rooms.end();
  ticks.end();
  identity.end();
}

}  // namespace session_clock::worker

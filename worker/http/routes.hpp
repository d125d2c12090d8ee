// What the HTTP port serves, each endpoint handed in by the app: the upgrade
// to WebSocket, /healthz and /metrics, POST /timesync, /api/party-state,
// POST /webhooks/livekit, and the browser client (static_files.hpp).
#pragma once

#include <cstddef>

#include "http/party_state.hpp"
#include "http/status_pages.hpp"
#include "livekit/webhook_endpoint.hpp"
#include "metrics/metrics.hpp"
#include "time/server_clock.hpp"
#include "ws/upgrade.hpp"

namespace session_clock::worker {

struct HttpRoutes {
  const WsUpgrade& websocket;
  const StatusPages& status;
  PartyState& party_state;
  const livekit::WebhookEndpoint* livekit;  // null: no LiveKit key configured (404)
  Metrics& metrics;
  const ServerClock& clock;  // POST /timesync
  std::size_t max_body_bytes;
};

}  // namespace session_clock::worker

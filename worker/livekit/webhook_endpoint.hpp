// POST /webhooks/livekit: a LiveKit webhook, verified as LiveKit signs it,
// mapped from room name to session, and handed to the database, which
// deduplicates by event id and reconciles presence from every connection it
// has seen (so late, repeated or reordered events cannot miscount).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "db/livekit_queries.hpp"
#include "livekit/room_mapping.hpp"
#include "livekit/webhook_verifier.hpp"
#include "metrics/metrics.hpp"
#include "time/server_clock.hpp"

namespace session_clock::worker::livekit {

struct WebhookReply {
  unsigned status = 200;
  std::string body;  // JSON
};

// Webhook bodies carry participant and track details: larger than /timesync's.
inline constexpr std::size_t kMaxWebhookBodyBytes = 64 * 1024;

class WebhookEndpoint {
 public:
  WebhookEndpoint(WebhookVerifier verifier, RoomMapping mapping, db::LiveKitQueries& queries, Metrics& metrics,
                  const ServerClock& clock)
      : verifier_(std::move(verifier)), mapping_(std::move(mapping)), queries_(queries), metrics_(metrics),
        clock_(clock) {}

  // Calls done exactly once, possibly on a database thread.
  void handle(const std::string& authorization, const std::string& body, std::function<void(WebhookReply)> done) const;

 private:
  WebhookVerifier verifier_;
  RoomMapping mapping_;
  db::LiveKitQueries& queries_;
  Metrics& metrics_;
  const ServerClock& clock_;
};

}  // namespace session_clock::worker::livekit

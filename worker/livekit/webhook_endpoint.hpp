// POST /webhooks/livekit: a LiveKit webhook, verified as LiveKit signs it,
// mapped from room name to session, and handed to the database, which
// deduplicates by event id and reconciles presence from every connection it
// has seen (so late, repeated or reordered events cannot miscount).
#pragma once

#include <functional>
#include <string>

#include "app/server_context.hpp"

namespace session_clock::worker {

struct WebhookReply {
  unsigned status = 200;
  std::string body;  // JSON
};

// Calls done exactly once, possibly on a database thread.
void handle_livekit_webhook(ServerContext& ctx, const std::string& authorization, const std::string& body,
                            std::function<void(WebhookReply)> done);

// Webhook bodies carry participant and track details: larger than /timesync's.
inline constexpr std::size_t kMaxWebhookBodyBytes = 64 * 1024;

}  // namespace session_clock::worker

#include "livekit/webhook_endpoint.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "livekit/webhook_event.hpp"

namespace session_clock::worker::livekit {

namespace {

WebhookReply reply(unsigned status, nlohmann::json body) {
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace

void WebhookEndpoint::handle(const std::string& authorization, const std::string& body,
                             std::function<void(WebhookReply)> done) const {
  auto verified = verifier_.verify(authorization, body, clock_.now_s());
  if (!verified.webhook) {
    spdlog::warn("livekit: webhook refused: {}", verified.error);
    return done(reply(401, {{"error", verified.error}}));
  }
  auto parsed = parse_webhook_event(body);
  if (!parsed.event) return done(reply(400, {{"error", parsed.error}}));
  const WebhookEvent& e = *parsed.event;
  if (!parsed.handled) return done(reply(200, {{"result", "ignored"}}));
  auto session_id = mapping_.session_id(e.room_name);
  if (!session_id) return done(reply(200, {{"result", "ignored"}, {"reason", "room does not name a session"}}));
  metrics_.webhooks++;
  db::LiveKitEventRow row{e.id, e.event, *session_id, e.room_sid, e.participant_sid, e.identity, e.room_name};
  queries_.event(std::move(row), [done = std::move(done), id = e.id](db::WebhookOutcome outcome) {
    if (!outcome.error.empty()) {
      spdlog::warn("livekit: cannot record webhook {}: {}", id, outcome.error);
      return done(reply(503, {{"error", "the database is unavailable; retry"}}));  // LiveKit retries
    }
    done(reply(200, {{"result", outcome.result}}));
  });
}

}  // namespace session_clock::worker::livekit

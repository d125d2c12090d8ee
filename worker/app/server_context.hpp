// What every connection shares: configuration, the database, the hub, the
// ticker, the token verifier and the counters. Owned by App; outlives every
// session (App joins all threads before it is destroyed).
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "auth/jwt_verifier.hpp"
#include "config/options.hpp"
#include "db/clock_queries.hpp"
#include "db/livekit_queries.hpp"
#include "db/pool.hpp"
#include "db/presence_queries.hpp"
#include "db/room_queries.hpp"
#include "db/notification_listener.hpp"
#include "livekit/room_mapping.hpp"
#include "livekit/webhook_verifier.hpp"
#include "time/clock_health.hpp"
#include "time/server_clock.hpp"
#include "fanout/clock_hub.hpp"
#include "presence/deadline_scheduler.hpp"
#include "presence/lease_keeper.hpp"
#include "livekit/reconciler.hpp"
#include "metrics/metrics.hpp"
#include "presence/presence_tracker.hpp"
#include "fanout/room_hub.hpp"
#include "presence/stranded_watch.hpp"
#include "fanout/time_ticker.hpp"

namespace session_clock::worker {

class WsSession;

struct ServerContext {
  Options options;
  ServerClock clock;
  Metrics metrics;
  std::optional<auth::JwtVerifier> verifier;  // none configured: clocks are unavailable
  std::unique_ptr<db::Pool> pool;
  std::optional<db::ClockQueries> clock_queries;
  std::optional<db::PresenceQueries> presence_queries;
  std::optional<db::RoomQueries> room_queries;
  std::optional<db::LiveKitQueries> livekit_queries;
  std::shared_ptr<db::NotificationListener> listener;
  std::shared_ptr<ClockHub> hub;
  std::shared_ptr<TimeTicker> ticker;
  std::string worker_id;  // a fresh UUID per process: its lease and presence rows
  std::shared_ptr<PresenceTracker> presence;
  std::shared_ptr<LeaseKeeper> lease;
  std::shared_ptr<DeadlineScheduler> deadlines;
  std::shared_ptr<RoomHub> rooms;
  ClockHealth clock_health;
  std::optional<livekit::WebhookVerifier> livekit_verifier;  // none configured: /webhooks/livekit is 404
  std::optional<livekit::RoomMapping> room_mapping;
  std::shared_ptr<LiveKitReconciler> reconciler;  // none without --livekit-url
  std::shared_ptr<StrandedWatch> stranded;

  // Open WebSocket sessions, so shutdown can close each with 1001.
  std::mutex sessions_mutex;
  std::unordered_map<const WsSession*, std::weak_ptr<WsSession>> sessions;
  bool shutting_down = false;
};

// Verifies a client's token and admits only the roles the worker serves:
// service_role, and the role access checks run as (--client-role). A signed
// token for any other role (anon, say) is refused, as PostgREST would not
// switch to it for a member's clock.
auth::VerifyResult verify_token(const ServerContext& ctx, std::string_view token);

}  // namespace session_clock::worker

#include "app/app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <csignal>
#include <fstream>
#include <random>
#include <spdlog/spdlog.h>
#include <sstream>
#include <thread>

#include "app/notification_router.hpp"
#include "app/schema_check.hpp"
#include "app/self_test.hpp"
#include "auth/jwks_source.hpp"
#include "build_info.hpp"
#include "core/kernel_clock.hpp"
#include "core/notification.hpp"
#include "db/clock_queries.hpp"
#include "db/livekit_queries.hpp"
#include "db/notification_listener.hpp"
#include "db/pool.hpp"
#include "db/presence_queries.hpp"
#include "db/room_queries.hpp"
#include "db/time_queries.hpp"
#include "limits/connection_gate.hpp"
#include "limits/guest_gate.hpp"
#include "http/listener.hpp"
#include "livekit/reconciler.hpp"
#include "presence/lease_keeper.hpp"
#include "presence/stranded_watch.hpp"
#include "time/database_clock_probe.hpp"
#include "ws/routes.hpp"
#include "ws/session_registry.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
using namespace std::chrono;

namespace {

constexpr auto kShutdownGrace = milliseconds(1500);
constexpr unsigned kDatabaseThreads = 2;

// Throws std::invalid_argument on an unusable key.
std::optional<auth::JwtVerifier> make_verifier(const Options& o) {
  if (!o.jwks_url.empty() || !o.jwks_file.empty()) {
    // A file is the operator's own: unreadable, the worker does not start. A
    // URL may be down for a moment: it is read again when tokens need it.
    auto keys = o.jwks_url.empty()
                    ? std::make_shared<auth::JwksSource>(o.jwks_file, auth::jwks_file_loader(o.jwks_file), true)
                    : std::make_shared<auth::JwksSource>(o.jwks_url, auth::jwks_url_loader(o.jwks_url), false);
    return auth::JwtVerifier::with_key_set(std::move(keys), o.jwt_secret).require({o.jwt_audience, o.jwt_issuer});
  }
  if (o.jwt_secret.empty() && o.jwt_public_key_file.empty()) {
    spdlog::warn("no --jwt-secret, --jwt-public-key or --jwks-url: clock subscriptions are unavailable, time sync works");
    return std::nullopt;
  }
  std::stringstream pem;
  if (!o.jwt_public_key_file.empty()) pem << std::ifstream(o.jwt_public_key_file).rdbuf();
  return auth::JwtVerifier::from_config(o.jwt_secret, pem.str()).require({o.jwt_audience, o.jwt_issuer});
}

// Version 4 (random) UUID text: this process's lease and presence rows.
std::string random_uuid() {
  std::random_device rd;
  unsigned char b[16];
  for (int i = 0; i < 16; i += 4) {
    auto r = rd();
    for (int k = 0; k < 4; ++k) b[i + k] = static_cast<unsigned char>(r >> (8 * k));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  return core::uuid_text(b);
}

// What the io_context's handlers reach by reference: built before the
// io_context, so it outlives every handler the io_context still holds when
// it is destroyed (a connection's destructor counts itself out).
struct Core {
  Core(const Options& o, std::optional<auth::JwtVerifier> verifier)
      : clock(o.database_clock.max_error_ms,
              ServerClock::database_estimator_options(o.database_clock.interval, o.database_clock.drift_ppm)),
        tokens(std::move(verifier), o.client_role, clock),
        pool(o.database_url, kDatabaseThreads),
        clock_queries(pool, o.client_role),
        presence_queries(pool),
        room_queries(pool),
        livekit_queries(pool),
        time_queries(pool),
        guests(o.guests),
        connections({o.limits.max_connections, o.limits.max_connections_per_ip, limits::kSpareConnections}) {}

  Metrics metrics{route_names(), build_info::kVersion, build_info::kCommit};
  ServerClock clock;  // the database's, once measured (DatabaseClockProbe)
  auth::TokenAdmission tokens;
  db::Pool pool;
  db::ClockQueries clock_queries;
  db::PresenceQueries presence_queries;
  db::RoomQueries room_queries;
  db::LiveKitQueries livekit_queries;
  db::TimeQueries time_queries;
  limits::GuestGate guests;
  limits::ConnectionGate connections;  // every socket holds a place until it closes
  SessionRegistry registry;
  std::string worker_id = random_uuid();
};

// The long-running parts on the io_context, and the order they start and
// stop in.
struct Services {
  Services(net::io_context& io, Core& core, const Options& o)
      : database_clock(std::make_shared<DatabaseClockProbe>(io, core.time_queries, core.clock,
                                                            o.database_clock.interval)),
        clock_hub(std::make_shared<ClockHub>(io, core.clock_queries, core.metrics, core.clock)),
        room_hub(std::make_shared<RoomHub>(io, core.room_queries, core.metrics, core.clock)),
        ticker(std::make_shared<TimeTicker>(io, core.clock)),
        presence(std::make_shared<PresenceTracker>(io, core.presence_queries, core.worker_id)),
        lease(std::make_shared<LeaseKeeper>(io, core.presence_queries, core.worker_id, o.presence.lease,
                                            [p = presence] { p->report_all(); })),
        deadlines(std::make_shared<DeadlineScheduler>(io, core.presence_queries, core.metrics,
                                                      o.presence.max_deadline_wait)),
        stranded(std::make_shared<StrandedWatch>(io, core.presence_queries, core.metrics, o.presence.lease / 3)) {
    if (o.livekit.api_key.empty()) return;
    webhook.emplace(livekit::WebhookVerifier(std::map<std::string, std::string>{{o.livekit.api_key, o.livekit.api_secret}}),
                    livekit::RoomMapping(o.livekit.room_pattern), core.livekit_queries, core.metrics, core.clock);
    if (!o.livekit.url.empty())  // throws std::invalid_argument for an unusable URL
      reconciler = std::make_shared<livekit::Reconciler>(
          io, core.livekit_queries, core.metrics, core.clock,
          livekit::RoomServiceClient(o.livekit.url, o.livekit.api_key, o.livekit.api_secret),
          o.livekit.reconcile_interval);
  }

  // After the LISTEN connection (re)connects: re-read everything followed,
  // since notifications sent meanwhile are lost.
  void resync() {
    database_clock->burst();  // the database may have restarted, or the path to it changed
    clock_hub->resync();
    deadlines->poke();  // deadlines set while the listener was away
    room_hub->resync();
    if (reconciler) reconciler->poke();  // webhooks sent while the database was away
  }

  void start() {
    database_clock->start();
    ticker->start();
    lease->start();
    deadlines->start();
    stranded->start();
    if (reconciler) reconciler->start();
  }

  void stop() {
    database_clock->stop();
    ticker->stop();
    lease->stop();
    deadlines->stop();
    stranded->stop();
    if (reconciler) reconciler->stop();
  }

  std::shared_ptr<DatabaseClockProbe> database_clock;
  std::shared_ptr<ClockHub> clock_hub;
  std::shared_ptr<RoomHub> room_hub;
  std::shared_ptr<TimeTicker> ticker;
  std::shared_ptr<PresenceTracker> presence;
  std::shared_ptr<LeaseKeeper> lease;
  std::shared_ptr<DeadlineScheduler> deadlines;
  std::shared_ptr<StrandedWatch> stranded;
  std::optional<livekit::WebhookEndpoint> webhook;  // none: /webhooks/livekit is 404
  std::shared_ptr<livekit::Reconciler> reconciler;  // none without --livekit-url
};

}  // namespace

int run_app(Options options) {
  std::optional<Core> core;
  try {
    core.emplace(options, make_verifier(options));
  } catch (const std::exception& e) {
    spdlog::critical("unusable JWT key: {}", e.what());
    return 2;
  }
  net::io_context io(static_cast<int>(options.threads));
  std::atomic<int> exit_status{0};
  std::optional<Services> services;
  try {
    services.emplace(io, *core, options);
  } catch (const std::exception& e) {
    spdlog::critical("--livekit-url: {}", e.what());
    return 2;
  }

  auto self_test = std::make_shared<SelfTest>(io, core->pool, [&exit_status] {
    exit_status = 3;
    std::raise(SIGTERM);  // the same clean shutdown as an operator's
  });
  // Exit status 4: the database lacks session_clock at a supported version.
  auto schema_check = std::make_shared<SchemaCheck>(core->pool, [&exit_status] {
    exit_status = 4;
    std::raise(SIGTERM);
  });
  // Before the listener: notifications drop its kept rooms.
  PartyState party_state(core->room_queries, core->clock, core->metrics, core->guests, options);
  NotificationTargets targets{*services->clock_hub, *services->room_hub, party_state, *services->deadlines,
                              core->metrics,        core->registry,
                              [self_test](const std::string& payload) { self_test->on_payload(payload); }};
  auto notifications = std::make_shared<db::NotificationListener>(
      io, options.database_url, [targets](const std::string& payload) { route_notification(payload, targets); },
      [&services, &party_state, self_test, schema_check] {
        schema_check->start();
        if (!self_test->passed()) self_test->start();
        services->resync();
        party_state.rooms_may_have_changed();
      });

  FeatureServices features{core->tokens,         core->clock,         core->metrics,      *services->ticker,
                           *services->clock_hub, *services->room_hub, *services->presence, core->clock_queries,
                           core->room_queries,   core->guests,        options.client_role,
                           options.limits.max_subscriptions};
  WsUpgrade websocket(options, core->registry, features, core->connections);
  StatusPages status(core->pool, *notifications, core->metrics, *services->presence, core->worker_id, core->clock);
  HttpRoutes routes{websocket,     status,     party_state, services->webhook ? &*services->webhook : nullptr,
                    core->metrics, core->clock, options.limits.max_http_body_bytes};
  std::shared_ptr<Listener> listener;
  try {
    listener = std::make_shared<Listener>(
        io, net::ip::tcp::endpoint(net::ip::make_address(options.listen_host), options.listen_port), routes,
        core->connections, http_client::TrustedProxies(options.trusted_proxies));
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", options.listen_host, options.listen_port, e.what());
    return 2;
  }
  auto endpoint = listener->local_endpoint();
  spdlog::info("listening on http://{}:{} (WebSocket at /ws), {} threads", endpoint.address().to_string(),
               endpoint.port(), options.threads);
  spdlog::info("connections: at most {} at once, {} from one client address", options.limits.max_connections,
               options.limits.max_connections_per_ip);
  spdlog::info("host clock: {}", core::to_json(core::read_kernel_clock_status(), core::kDefaultServerLabel));

  notifications->start();
  services->start();
  listener->run();

  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer grace(io);
  signals.async_wait([&](boost::system::error_code, int signal) {
    spdlog::info("signal {}: shutting down", signal);
    listener->stop();
    notifications->stop();
    services->stop();
    core->registry.close_all();
    // Participants leave now rather than when the lease lapses, while the
    // close handshakes finish; the grace timer bounds both.
    services->lease->say_goodbye([] {});
    grace.expires_after(kShutdownGrace);
    grace.async_wait([&](boost::system::error_code) { io.stop(); });
    signals.async_wait([&](boost::system::error_code ec, int) {  // a second signal: stop now
      if (!ec) io.stop();
    });
  });

  std::vector<std::thread> threads;
  for (unsigned i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : threads) t.join();
  notifications->shutdown();  // no connector job may post into io after this
  if (services->reconciler) services->reconciler->join();  // its pass waits on database answers
  core->pool.stop();
  spdlog::info("stopped");
  return exit_status;
}

}  // namespace session_clock::worker

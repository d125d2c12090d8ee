#include "app/app.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <csignal>
#include <functional>
#include <fstream>
#include <random>
#include <spdlog/spdlog.h>
#include <sstream>
#include <thread>

#include "core/kernel_clock.hpp"
#include "core/notification.hpp"
#include "db/channel.hpp"
#include "app/notification_router.hpp"
#include "http/listener.hpp"
#include "app/server_context.hpp"
#include "ws/ws_session.hpp"

namespace session_clock::worker {

namespace net = boost::asio;
using namespace std::chrono;

namespace {

constexpr auto kSelfTestTimeout = seconds(5);
constexpr auto kShutdownGrace = milliseconds(1500);

std::optional<auth::JwtVerifier> make_verifier(const Options& o) {
  if (o.jwt_secret.empty() && o.jwt_public_key_file.empty()) {
    spdlog::warn("no --jwt-secret or --jwt-public-key: clock subscriptions are unavailable, time sync works");
    return std::nullopt;
  }
  std::stringstream pem;
  if (!o.jwt_public_key_file.empty()) pem << std::ifstream(o.jwt_public_key_file).rdbuf();
  return auth::JwtVerifier::from_config(o.jwt_secret, pem.str());
}

// Version 4 (random) UUID text.
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

std::string random_nonce() {
  std::random_device rd;
  std::ostringstream o;
  o << std::hex << rd() << rd();
  return o.str();
}

// Proves NOTIFY reaches our LISTEN connection; a transaction-mode pooler
// accepts LISTEN and then never delivers anything. The clock starts once the
// NOTIFY was sent; a failure shuts the worker down with status 3.
class SelfTest : public std::enable_shared_from_this<SelfTest> {
 public:
  SelfTest(net::io_context& io, ServerContext& ctx, std::function<void()> fail)
      : timer_(io), ctx_(ctx), fail_(std::move(fail)), nonce_("selftest-" + random_nonce()) {}
  void start() {
    db::notify(*ctx_.pool, nonce_, [self = shared_from_this()](std::string error) {
      if (!error.empty()) {
        spdlog::warn("self-test: cannot send NOTIFY ({}); will try again after the next reconnect", error);
        return;
      }
      self->timer_.expires_after(kSelfTestTimeout);
      self->timer_.async_wait([self](boost::system::error_code ec) {
        if (ec || self->passed_) return;
        spdlog::critical(
            "self-test failed: a NOTIFY did not reach the LISTEN connection within {} s. A transaction-mode "
            "pooler (e.g. PgBouncer pool_mode=transaction) silently breaks LISTEN: connect the worker to "
            "PostgreSQL directly or through a session-mode pool.",
            kSelfTestTimeout.count());
        self->fail_();
      });
    });
  }
  void on_payload(const std::string& payload) {
    if (payload == nonce_ && !passed_.exchange(true)) spdlog::info("self-test passed: NOTIFY reaches the listener");
  }
  bool passed() const { return passed_; }

 private:
  net::steady_timer timer_;
  ServerContext& ctx_;
  std::function<void()> fail_;
  std::string nonce_;
  std::atomic<bool> passed_{false};
};

void close_all_sessions(ServerContext& ctx) {
  std::vector<std::shared_ptr<WsSession>> sessions;
  {
    std::lock_guard lock(ctx.sessions_mutex);
    ctx.shutting_down = true;
    for (auto& [key, weak] : ctx.sessions)
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
  }
  for (auto& s : sessions) s->shutdown();
}

// NOTIFY member_removed: every connection of that user drops the session.
void revoke_member(ServerContext& ctx, const std::string& session_id, const std::string& user) {
  std::vector<std::shared_ptr<WsSession>> sessions;
  {
    std::lock_guard lock(ctx.sessions_mutex);
    for (auto& [key, weak] : ctx.sessions)
      if (auto s = weak.lock()) sessions.push_back(std::move(s));
  }
  for (auto& s : sessions) s->revoke(session_id, user);
}

}  // namespace

int run_app(Options options) {
  // ctx outlives io: handlers still queued when io is destroyed may touch it.
  ServerContext ctx;
  net::io_context io(static_cast<int>(options.threads));
  std::atomic<int> exit_status{0};
  ctx.options = options;
  try {
    ctx.verifier = make_verifier(options);  // throws on an unusable key
  } catch (const std::exception& e) {
    spdlog::critical("unusable JWT key: {}", e.what());
    return 2;
  }
  if (!options.livekit.api_key.empty()) {
    ctx.livekit_verifier.emplace(std::map<std::string, std::string>{{options.livekit.api_key, options.livekit.api_secret}});
    ctx.room_mapping.emplace(options.livekit.room_pattern);
  }
  ctx.pool = std::make_unique<db::Pool>(options.database_url, 2);
  ctx.clock_queries.emplace(*ctx.pool, options.client_role);
  ctx.presence_queries.emplace(*ctx.pool);
  ctx.room_queries.emplace(*ctx.pool);
  ctx.livekit_queries.emplace(*ctx.pool);
  ctx.hub = std::make_shared<ClockHub>(io, *ctx.clock_queries, ctx.metrics, ctx.clock);
  ctx.ticker = std::make_shared<TimeTicker>(io, ctx.clock);
  ctx.worker_id = random_uuid();
  ctx.presence = std::make_shared<PresenceTracker>(io, *ctx.presence_queries, ctx.worker_id);
  ctx.lease = std::make_shared<LeaseKeeper>(io, *ctx.presence_queries, ctx.worker_id, options.presence.lease,
                                            [&ctx] { ctx.presence->report_all(); });
  ctx.deadlines =
      std::make_shared<DeadlineScheduler>(io, *ctx.presence_queries, ctx.metrics, options.presence.max_deadline_wait);
  ctx.rooms = std::make_shared<RoomHub>(io, *ctx.room_queries, ctx.metrics, ctx.clock);
  ctx.stranded = std::make_shared<StrandedWatch>(io, *ctx.presence_queries, ctx.metrics, options.presence.lease / 3);
  if (!options.livekit.url.empty()) {
    try {
      ctx.reconciler = std::make_shared<LiveKitReconciler>(
          io, *ctx.livekit_queries, ctx.metrics, ctx.clock,
          livekit::RoomServiceClient(options.livekit.url, options.livekit.api_key, options.livekit.api_secret),
          options.livekit.reconcile_interval);
    } catch (const std::exception& e) {
      spdlog::critical("--livekit-url: {}", e.what());
      return 2;
    }
  }

  auto self_test = std::make_shared<SelfTest>(io, ctx, [&exit_status] {
    exit_status = 3;
    std::raise(SIGTERM);  // the same clean shutdown as an operator's
  });
  NotificationTargets targets{*ctx.hub, *ctx.rooms, *ctx.deadlines, ctx.metrics,
                              [&ctx](const std::string& session_id, const std::string& user) {
                                revoke_member(ctx, session_id, user);
                              },
                              [self_test](const std::string& payload) { self_test->on_payload(payload); }};
  ctx.listener = std::make_shared<db::NotificationListener>(
      io, options.database_url, [targets](const std::string& payload) { route_notification(payload, targets); },
      [&ctx, self_test] {
        if (!self_test->passed()) self_test->start();
        ctx.hub->resync();
        ctx.deadlines->poke();  // deadlines set while the listener was away
        ctx.rooms->resync();
        if (ctx.reconciler) ctx.reconciler->poke();  // webhooks sent while the database was away
      });

  std::shared_ptr<Listener> listener;
  try {
    listener = std::make_shared<Listener>(
        io, net::ip::tcp::endpoint(net::ip::make_address(options.listen_host), options.listen_port), ctx);
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", options.listen_host, options.listen_port, e.what());
    return 2;
  }
  auto endpoint = listener->local_endpoint();
  spdlog::info("listening on http://{}:{} (WebSocket at /ws), {} threads", endpoint.address().to_string(),
               endpoint.port(), options.threads);
  spdlog::info("host clock: {}", core::to_json(core::read_kernel_clock_status()));

  ctx.listener->start();
  ctx.ticker->start();
  ctx.lease->start();
  ctx.deadlines->start();
  ctx.stranded->start();
  if (ctx.reconciler) ctx.reconciler->start();
  listener->run();

  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer grace(io);
  signals.async_wait([&](boost::system::error_code, int signal) {
    spdlog::info("signal {}: shutting down", signal);
    listener->stop();
    ctx.ticker->stop();
    ctx.listener->stop();
    ctx.lease->stop();
    ctx.deadlines->stop();
    ctx.stranded->stop();
    if (ctx.reconciler) ctx.reconciler->stop();
    close_all_sessions(ctx);
    // Participants leave now rather than when the lease lapses, while the
    // close handshakes finish; the grace timer bounds both.
    ctx.lease->say_goodbye([] {});
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
  ctx.listener->shutdown();  // no connector job may post into io after this
  if (ctx.reconciler) ctx.reconciler->join();  // its pass waits on database answers
  ctx.pool->stop();
  spdlog::info("stopped");
  return exit_status;
}

}  // namespace session_clock::worker

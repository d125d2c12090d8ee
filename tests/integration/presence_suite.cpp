#include "presence_suite.hpp"

#include <thread>

#include "../support/livekit_signer.hpp"

namespace session_clock::testing {

using namespace std::chrono;

bool eventually(const std::function<bool()>& condition, milliseconds timeout) {
  for (auto deadline = steady_clock::now() + timeout; steady_clock::now() < deadline;) {
    if (condition()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return condition();
}

Participant::Participant(unsigned short port, const std::string& user, const std::string& session_id,
                         long token_ttl_s)
    : ws_(port) {
  ws_.send({{"t", "AUTH"}, {"token", make_token(user, "authenticated", token_ttl_s)}});
  EXPECT_TRUE(ws_.receive_type("AUTH_OK"));
  ws_.send({{"t", "JOIN_SESSION"}, {"sessionId", session_id}});
  EXPECT_TRUE(ws_.receive_type("JOINED")) << user << " did not join";
}

void PresenceSuite::SetUp() {
  cluster_->sql("SELECT count(session_clock_stop(id)) FROM session_clock.sessions WHERE ended_at IS NULL");
}

std::unique_ptr<WorkerProcess> PresenceSuite::start_worker(std::vector<std::string> args, std::vector<std::string> env) {
  args.insert(args.end(), {"--worker-lease-ms", "1500", "--livekit-api-key", kLiveKitKey, "--livekit-api-secret",
                           kLiveKitSecret});
  auto w = std::make_unique<WorkerProcess>(cluster_->url(), args, env);
  EXPECT_TRUE(w->wait_listening(milliseconds(8000))) << "listener never came up";
  return w;
}

std::string PresenceSuite::new_session(int grace_ms, int min_participants) {
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  cluster_->sql("SELECT session_clock_start('" + id + "')");
  cluster_->sql("SELECT session_clock_add_member('" + id + "', 'alice', 'host')");
  cluster_->sql("SELECT session_clock_add_member('" + id + "', 'bob', 'participant')");
  cluster_->sql("SELECT session_clock_configure('" + id + "', " + std::to_string(min_participants) + ", " +
                std::to_string(grace_ms) + ")");
  return id;
}

void PresenceSuite::require_two(const std::string& id) {
  cluster_->sql("SELECT session_clock_configure('" + id + "', 2)");
}

std::string PresenceSuite::column(const std::string& id, const std::string& expression) {
  return cluster_->sql("SELECT " + expression + " FROM session_clock.sessions WHERE id = '" + id + "'");
}

int PresenceSuite::count_events(const std::string& id, const std::string& event, const std::string& extra) {
  return std::stoi(cluster_->sql("SELECT count(*) FROM session_clock.session_events WHERE session_id = '" + id +
                                 "' AND event = '" + event + "' AND " + extra));
}

bool PresenceSuite::participants_are(const std::string& id, int n) {
  return eventually([&] { return column(id, "participants") == std::to_string(n); });
}

void PresenceSuite::expect_log_matches_row(const std::string& id) {
  EXPECT_EQ(cluster_->sql("SELECT (r.is_paused, r.total_paused_ms, r.last_state_change_at, r.version) = "
                          "(s.is_paused, s.total_paused_ms, s.last_state_change_at, s.version) "
                          "FROM session_clock.sessions s, session_clock.replay(s.id) r WHERE s.id = '" + id + "'"),
            "t");
}

json PresenceSuite::livekit_event(const std::string& id, const std::string& kind, const std::string& session,
                                  const std::string& participant_sid, const std::string& identity) {
  auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  json e = {{"event", kind}, {"id", id}, {"createdAt", std::to_string(now)}, {"room", {{"name", session}, {"sid", "RM_1"}}}};
  if (!participant_sid.empty()) e["participant"] = {{"sid", participant_sid}, {"identity", identity}};
  return e;
}

std::pair<int, std::string> PresenceSuite::post_webhook(const json& event, const std::string& secret) {
  std::string body = event.dump();
  auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  auto token = sign_livekit_webhook(kLiveKitKey, secret, body, now);
  return http_request(worker_->port(), "POST", "/webhooks/livekit", body, {{"Authorization", token}});
}

}  // namespace session_clock::testing

// What the presence, grace and LiveKit integration tests share: a user's
// WebSocket connection joined to a session, signed LiveKit webhooks, and
// reading a session's row and event log (the judge). Grace periods are short
// (hundreds of milliseconds) so the suites stay quick.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness.hpp"

namespace session_clock::testing {

inline constexpr int kGraceMs = 600;
inline const char* kLiveKitKey = "APItestkey";
inline const char* kLiveKitSecret = "livekit-test-secret-0123456789abcdef";

// Polls every 20 ms until the condition holds or the timeout passes.
bool eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(8000));

// A connection of one user, joined to a session (JOIN_SESSION answered).
class Participant {
 public:
  Participant(unsigned short port, const std::string& user, const std::string& session_id, long token_ttl_s = 600);
  WsClient& ws() { return ws_; }

 private:
  WsClient ws_;
};

class PresenceSuite : public ClusterSuite {
 protected:
  // Earlier tests' sessions are stopped: their workers were killed with
  // clients still joined, so their presence lapses (and may start a grace
  // period) during a later test, whose workers would then pause them too.
  void SetUp() override;
  void TearDown() override { print_logs_on_failure({worker_.get(), second_.get()}); }

  // A worker with a short lease and LiveKit webhooks on (env: see WorkerProcess).
  std::unique_ptr<WorkerProcess> start_worker(std::vector<std::string> args = {}, std::vector<std::string> env = {});

  // A running session with alice (host) and bob as members, presence
  // tracked, with a short grace. min_participants 0 (the rule idle) lets the
  // test gather its participants first; require_two() then arms it.
  static std::string new_session(int grace_ms = kGraceMs, int min_participants = 0);
  static void require_two(const std::string& id);
  static std::string column(const std::string& id, const std::string& expression);
  static int count_events(const std::string& id, const std::string& event, const std::string& extra = "true");
  static bool participants_are(const std::string& id, int n);
  // The replayed log must equal the row: nothing written outside the log.
  static void expect_log_matches_row(const std::string& id);

  // A LiveKit webhook as LiveKit sends it (protojson), for a room named by
  // the session id, and its POST signed as LiveKit signs it.
  static json livekit_event(const std::string& id, const std::string& kind, const std::string& session,
                            const std::string& participant_sid = {}, const std::string& identity = {});
  std::pair<int, std::string> post_webhook(const json& event, const std::string& secret = kLiveKitSecret);

  std::unique_ptr<WorkerProcess> worker_;
  std::unique_ptr<WorkerProcess> second_;
};

}  // namespace session_clock::testing

// The real worker binary against a real PostgreSQL, driven over real sockets.
#include <gtest/gtest.h>
#include <signal.h>

#include <cmath>
#include <thread>

#include "harness.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

double wall_ms() { return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0; }

class WorkerTest : public t::ClusterSuite {
 protected:
  void SetUp() override { worker_ = std::make_unique<t::WorkerProcess>(cluster_->url()); }
  void TearDown() override { print_logs_on_failure({worker_.get()}); }

  // Waits until the worker's LISTEN connection is up (it connects in the background).
  void wait_listening() {
    if (!worker_->wait_listening()) FAIL() << "listener never came up";
  }

  std::unique_ptr<t::WorkerProcess> worker_;
};

TEST_F(WorkerTest, TimePingIsAnsweredWithAllFourStamps) {
  wait_listening();  // and the database's clock read: before that, maxErrorMs is null (no bound)
  t::WsClient ws(worker_->port());
  double sent = wall_ms();
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", sent}, {"pingId", 7}});
  auto pong = ws.receive_type("TIME_PONG");
  double received = wall_ms();
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["pingId"], 7);
  EXPECT_DOUBLE_EQ((*pong)["clientNowMs"].get<double>(), sent);
  double server_receive = (*pong)["serverReceiveMs"], server_send = (*pong)["serverSendMs"];
  EXPECT_LE(server_receive, server_send);
  EXPECT_EQ((*pong)["serverNowMs"].get<double>(), server_send);
  // Same host, same clock: the server's stamps fall inside the round trip.
  EXPECT_GE(server_receive, sent - 1.0);
  EXPECT_LE(server_send, received + 1.0);
  EXPECT_EQ((*pong)["syncWarning"], false);
  EXPECT_TRUE((*pong)["maxErrorMs"].is_number());
  EXPECT_LT((*pong)["maxErrorMs"].get<double>(), 5.0);  // the worker's bound on the database's clock, loopback
}

// Before its first reading of the database's clock the worker serves its
// own host's and says it cannot back it; time sync works all the same.
TEST_F(WorkerTest, WithoutADatabaseClockReadingPongsClaimNoBound) {
  worker_ = std::make_unique<t::WorkerProcess>("postgresql://postgres@127.0.0.1:1/nowhere");
  t::WsClient ws(worker_->port());
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  auto pong = ws.receive_type("TIME_PONG");
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["syncWarning"], true);
  EXPECT_TRUE((*pong)["maxErrorMs"].is_null());
  auto health = json::parse(t::http_request(worker_->port(), "GET", "/healthz").second);
  EXPECT_EQ(health["databaseClock"]["measured"], false);
  EXPECT_TRUE(health["databaseClock"]["errorMs"].is_null());
  EXPECT_EQ(health["status"], "degraded");
}

TEST_F(WorkerTest, OlderDialectsAreAnswered) {
  t::WsClient ws(worker_->port());
  ws.send({{"event", "time_sync.request"}, {"sequence", 3}, {"client_send", wall_ms()}});
  auto legacy = ws.receive_type("time_sync.response");
  ASSERT_TRUE(legacy);
  EXPECT_EQ((*legacy)["sequence"], 3);
  EXPECT_LE((*legacy)["server_receive"].get<double>(), (*legacy)["server_send"].get<double>());
  EXPECT_GT((*legacy)["recommended_interval_ms"].get<double>(), 0);

  ws.send({{"jsonrpc", "2.0"}, {"id", "a1"}, {"method", "timesync"}});
  auto rpc = ws.receive();
  ASSERT_TRUE(rpc);
  EXPECT_EQ((*rpc)["id"], "a1");
  EXPECT_NEAR((*rpc)["result"].get<double>(), wall_ms(), 1000);

  auto [status, body] = t::http_request(worker_->port(), "POST", "/timesync",
                                        R"([{"jsonrpc":"2.0","id":1,"method":"timesync"},{"jsonrpc":"2.0","id":2,"method":"timesync"}])");
  EXPECT_EQ(status, 200);
  auto batch = json::parse(body);
  ASSERT_TRUE(batch.is_array());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[1]["id"], 2);
}

TEST_F(WorkerTest, BadInputGetsAnErrorAndTheConnectionKeepsWorking) {
  t::WsClient ws(worker_->port());
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "bad_json"},
      {"[1,2]", "bad_message"},
      {R"({"x":1})", "bad_message"},
      {R"({"t":"NO_SUCH"})", "unknown_type"},
      {R"({"t":"TIME_PING","clientNowMs":"soon","pingId":1})", "bad_field"},
      {R"({"t":"TIME_PING","clientNowMs":-5,"pingId":1})", "bad_field"},
      {R"({"t":"TIME_PING","clientNowMs":1e300,"pingId":1})", "bad_field"},
      {R"({"t":"SUBSCRIBE_CLOCK","sessionId":"not-a-uuid"})", "bad_field"},
      {std::string(40, '[') + std::string(40, ']'), "bad_json"},
  };
  for (const auto& [frame, code] : cases) {
    ws.send_raw(frame);
    auto error = ws.receive_type("ERROR");
    ASSERT_TRUE(error) << frame;
    EXPECT_EQ((*error)["code"], code) << frame;
    EXPECT_TRUE((*error)["message"].is_string());
  }
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 99}});
  auto pong = ws.receive_type("TIME_PONG");
  ASSERT_TRUE(pong);
  EXPECT_EQ((*pong)["pingId"], 99);
}

TEST_F(WorkerTest, OversizedFrameClosesWith1009AndOthersAreServed) {
  t::WsClient big(worker_->port());
  t::WsClient other(worker_->port());
  // Over the 16 KiB limit, small enough to be written before the server reacts.
  big.send_raw(R"({"t":"TIME_PING","pad":")" + std::string(20 * 1024, 'x') + R"("})");
  EXPECT_EQ(big.wait_closed(), 1009) << big.last_error_;
  other.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  EXPECT_TRUE(other.receive_type("TIME_PONG"));
}

TEST_F(WorkerTest, ConnectBurstPassesAndASustainedFloodIsClosed) {
  t::WsClient ws(worker_->port());
  for (int i = 0; i < 40; ++i) ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", i}});
  for (int i = 0; i < 40; ++i) {
    auto pong = ws.receive();
    ASSERT_TRUE(pong);
    ASSERT_EQ((*pong)["t"], "TIME_PONG") << pong->dump();
  }
  // Well past the burst and the strike limit, yet small enough to be written
  // before the server closes: every reply is then still read.
  int pongs = 0, limited = 0;
  for (int i = 0; i < 150; ++i) ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", i}});
  for (int i = 0; i < 300; ++i) {
    auto m = ws.receive(milliseconds(2000));
    if (!m) break;
    if ((*m)["t"] == "TIME_PONG") ++pongs;
    if ((*m)["t"] == "ERROR" && (*m)["code"] == "rate_limited") ++limited;
  }
  EXPECT_GT(limited, 0) << pongs << " pongs";
  EXPECT_LT(pongs, 150);
  EXPECT_EQ(ws.wait_closed(), 1008);
  t::WsClient other(worker_->port());
  other.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  EXPECT_TRUE(other.receive_type("TIME_PONG"));
}

TEST_F(WorkerTest, ClocksNeedAValidTokenAndMembership) {
  auto id = new_session("alice");
  t::WsClient ws(worker_->port());
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  auto e1 = ws.receive_type("ERROR");
  ASSERT_TRUE(e1);
  EXPECT_EQ((*e1)["code"], "unauthorized");

  ws.send({{"t", "AUTH"}, {"token", "not.a.token"}});
  auto e2 = ws.receive_type("ERROR");
  ASSERT_TRUE(e2);
  EXPECT_EQ((*e2)["code"], "unauthorized");

  ws.send({{"t", "AUTH"}, {"token", t::make_token("mallory", "authenticated", 300)}});
  ASSERT_TRUE(ws.receive_type("AUTH_OK"));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  auto e3 = ws.receive_type("ERROR");
  ASSERT_TRUE(e3);
  EXPECT_EQ((*e3)["code"], "forbidden");

  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", "00000000-0000-0000-0000-00000000abcd"}});
  auto e4 = ws.receive_type("ERROR");
  ASSERT_TRUE(e4);
  EXPECT_EQ((*e4)["code"], "not_found");

  ws.send({{"t", "AUTH"}, {"token", t::make_token("alice", "authenticated", 300)}});
  ASSERT_TRUE(ws.receive_type("AUTH_OK"));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  auto state = ws.receive_type("CLOCK_STATE");
  ASSERT_TRUE(state);
  EXPECT_EQ((*state)["sessionId"], id);
  EXPECT_EQ((*state)["isPaused"], false);
  EXPECT_EQ((*state)["version"], 1);

  t::WsClient service(worker_->port(), "/ws?access_token=" + t::make_token("", "service_role", 300));
  service.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  EXPECT_TRUE(service.receive_type("CLOCK_STATE"));
}

TEST_F(WorkerTest, ASqlPauseIsPushedWithinMilliseconds) {
  wait_listening();
  auto id = new_session("bob");
  t::WsClient ws(worker_->port(), "/ws?access_token=" + t::make_token("bob", "authenticated", 300));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  ASSERT_TRUE(ws.receive_type("CLOCK_STATE"));
  auto before = steady_clock::now();
  cluster_->sql("SELECT session_clock_pause('" + id + "', 'coffee')");
  auto pushed = ws.receive_type("CLOCK_STATE");
  auto latency = duration_cast<milliseconds>(steady_clock::now() - before);
  ASSERT_TRUE(pushed);
  EXPECT_EQ((*pushed)["isPaused"], true);
  EXPECT_EQ((*pushed)["version"], 2);
  EXPECT_LT(latency.count(), 500);
  // The pushed position agrees with the database's own arithmetic.
  double db_elapsed = std::stod(cluster_->sql("SELECT elapsed_ms FROM session_clock_get('" + id + "')"));
  EXPECT_NEAR((*pushed)["elapsedMs"].get<double>(), db_elapsed, 0.01);
}

TEST_F(WorkerTest, PushesSurviveTerminatedConnectionsAndARestart) {
  wait_listening();
  auto id = new_session("carol");
  t::WsClient ws(worker_->port(), "/ws?access_token=" + t::make_token("carol", "authenticated", 300));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  ASSERT_TRUE(ws.receive_type("CLOCK_STATE"));

  cluster_->sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name LIKE 'session-clock-worker%'");
  cluster_->sql("SELECT session_clock_pause('" + id + "')");  // may ring while the listener is down
  auto after_kill = ws.receive_type("CLOCK_STATE", milliseconds(8000));
  ASSERT_TRUE(after_kill);
  EXPECT_EQ((*after_kill)["isPaused"], true);

  cluster_->restart();
  cluster_->sql("SELECT session_clock_resume('" + id + "')");
  auto after_restart = ws.receive_type("CLOCK_STATE", milliseconds(15000));
  ASSERT_TRUE(after_restart);
  EXPECT_EQ((*after_restart)["isPaused"], false);
  EXPECT_EQ((*after_restart)["version"], 3);
  // Time sync never stopped.
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 5}});
  EXPECT_TRUE(ws.receive_type("TIME_PONG"));
}

// Issue 13's defect 3: after a PostgreSQL restart every pooled connection is
// dead. Before, the retry took the next idle one, just as dead, and the
// first command after the restart answered "unavailable".
TEST_F(WorkerTest, TheFirstCommandAfterADatabaseRestartSucceeds) {
  wait_listening();
  auto id = new_session("hana");
  // Two connections in use at once leave two idle in the pool.
  t::WsClient a(worker_->port(), "/ws?access_token=" + t::make_token("hana", "authenticated", 300));
  t::WsClient b(worker_->port(), "/ws?access_token=" + t::make_token("hana", "authenticated", 300));
  for (int round = 0; round < 3; ++round) {
    a.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
    b.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
    ASSERT_TRUE(a.receive_type("CLOCK_STATE"));
    ASSERT_TRUE(b.receive_type("CLOCK_STATE"));
  }
  cluster_->restart();
  a.send({{"t", "PAUSE_CLOCK"}, {"sessionId", id}, {"reason", "after restart"}});
  std::optional<json> answer;
  while ((answer = a.receive(milliseconds(8000))) && (*answer)["t"] != "CLOCK_CHANGED" && (*answer)["t"] != "ERROR") {
  }
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["t"], "CLOCK_CHANGED") << answer->dump();
  EXPECT_EQ(cluster_->sql("SELECT is_paused FROM session_clock.sessions WHERE id = '" + id + "'"), "t");
}

TEST_F(WorkerTest, HealthMetricsAndUnknownPaths) {
  wait_listening();
  auto [status, body] = t::http_request(worker_->port(), "GET", "/healthz");
  auto health = json::parse(body);
  EXPECT_EQ(health["listener"]["up"], true);
  EXPECT_TRUE(health["clock"].contains("is_synced"));
  auto [mstatus, metrics] = t::http_request(worker_->port(), "GET", "/metrics");
  EXPECT_EQ(mstatus, 200);
  EXPECT_NE(metrics.find("session_clock_open_connections "), std::string::npos);
  EXPECT_NE(metrics.find("session_clock_push_latency_seconds_bucket"), std::string::npos);
  EXPECT_EQ(t::http_request(worker_->port(), "GET", "/nope").first, 404);
  EXPECT_EQ(t::http_request(worker_->port(), "POST", "/timesync", std::string(64 * 1024, ' ')).first, 413);
}

TEST_F(WorkerTest, TimeTicksArriveOnTheSecondBoundary) {
  t::WsClient ws(worker_->port());
  ws.send({{"t", "SUBSCRIBE_TIME"}, {"timezone", "Europe/Berlin"}});
  ASSERT_TRUE(ws.receive_type("SUBSCRIBED"));
  ASSERT_TRUE(ws.receive_type("time_update", milliseconds(500)));  // the current time, at once
  auto tick = ws.receive_type("time_update", milliseconds(2500));
  ASSERT_TRUE(tick);
  EXPECT_EQ((*tick)["timezone"], "Europe/Berlin");
  // Announced second on the boundary, delivered just after it (same host clock).
  double lateness = wall_ms() - (*tick)["timestamp_ms"].get<double>();
  EXPECT_EQ(static_cast<long long>((*tick)["timestamp_ms"].get<double>()) % 1000, 0);
  EXPECT_GE(lateness, -1.0);
  EXPECT_LT(lateness, 250.0);
  auto next = ws.receive_type("time_update", milliseconds(2500));
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["timestamp_ms"].get<double>() - (*tick)["timestamp_ms"].get<double>(), 1000.0);
  ws.send({{"t", "SUBSCRIBE_TIME"}, {"timezone", "Mars/Olympus_Mons"}});
  auto error = ws.receive_type("ERROR");
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["code"], "invalid_timezone");
}

// Issue 13's defect 1: alice follows six sessions and the connection AUTHs
// as carol, a member of none, at once. Before, follows whose re-check was
// rate-limited or still in flight stayed: carol got their pushes and her
// JOIN_SESSION was accepted (presence in sessions she is not a member of).
TEST_F(WorkerTest, AnotherUserOnTheConnectionGetsNothingOfTheOldUsersSessions) {
  wait_listening();
  std::vector<std::string> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(new_session("alice"));
  t::WsClient ws(worker_->port());
  ws.send({{"t", "AUTH"}, {"token", t::make_token("alice", "authenticated", 600)}});
  ASSERT_TRUE(ws.receive_type("AUTH_OK"));
  for (const auto& id : ids) ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  ws.send({{"t", "AUTH"}, {"token", t::make_token("carol", "authenticated", 600)}});
  // Everything answered for alice, and carol's refusals, drain first.
  while (ws.receive(milliseconds(1500))) {
  }
  for (const auto& id : ids) cluster_->sql("SELECT session_clock_pause('" + id + "', 'test')");
  ws.send({{"t", "JOIN_SESSION"}, {"sessionId", ids[0]}});
  int pushes = 0;
  std::string join_answer;
  while (auto m = ws.receive(milliseconds(1500))) {
    if ((*m)["t"] == "CLOCK_STATE") ++pushes;
    if ((*m)["t"] == "JOINED") join_answer = "JOINED";
    // Refused by its access check, which names the clock it checked.
    if ((*m)["t"] == "ERROR" && (*m)["ref"]["sessionId"] == ids[0]) join_answer = (*m)["code"];
  }
  EXPECT_EQ(pushes, 0) << "carol was pushed alice's sessions";
  EXPECT_EQ(join_answer, "forbidden");
  EXPECT_EQ(cluster_->sql("SELECT count(*) FROM session_clock.presence WHERE participant_id = 'carol'"), "0");
}

// Pings are answered by the WebSocket layer itself: they must still spend
// the connection's budget (166,200 pings in 5 s were answered before).
TEST_F(WorkerTest, APingFloodIsClosedLikeAMessageFlood) {
  t::WsClient ws(worker_->port());
  int sent = 0;
  try {
    for (; sent < 5000; ++sent) ws.ping();
  } catch (const std::exception&) {
    // the server closed while we were still sending
  }
  EXPECT_EQ(ws.wait_closed(milliseconds(5000)), 1008) << sent << " pings sent";
  t::WsClient other(worker_->port());
  other.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  EXPECT_TRUE(other.receive_type("TIME_PONG"));
}

// exp may be as late as 9999: the expiry timer saturates instead of
// overflowing into the past (such a token was closed at once before).
TEST_F(WorkerTest, AFarFutureExpiryKeepsTheConnectionOpen) {
  t::WsClient ws(worker_->port());
  long until_9999 = 253402300799L - static_cast<long>(time(nullptr));
  ws.send({{"t", "AUTH"}, {"token", t::make_token("dave", "authenticated", until_9999)}});
  ASSERT_TRUE(ws.receive_type("AUTH_OK"));
  EXPECT_FALSE(ws.wait_closed(milliseconds(1000)));
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  EXPECT_TRUE(ws.receive_type("TIME_PONG"));
}

TEST_F(WorkerTest, AnExpiredTokenClosesTheSocket) {
  t::WsClient ws(worker_->port());
  ws.send({{"t", "AUTH"}, {"token", t::make_token("dave", "authenticated", 2)}});
  ASSERT_TRUE(ws.receive_type("AUTH_OK"));
  EXPECT_EQ(ws.wait_closed(milliseconds(5000)), 1008);
}

TEST_F(WorkerTest, OriginAllowListIsEnforced) {
  worker_ = std::make_unique<t::WorkerProcess>(cluster_->url(),
                                               std::vector<std::string>{"--allowed-origins", "https://app.example"});
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws", "https://app.example"), 101);
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws", "https://evil.example"), 403);
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws"), 101);  // no Origin: not a browser
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/elsewhere"), 404);
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws?access_token=forged.token.here"), 401);
}

TEST_F(WorkerTest, SigtermClosesClientsWith1001) {
  t::WsClient ws(worker_->port());
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  ASSERT_TRUE(ws.receive_type("TIME_PONG"));
  worker_->terminate();
  EXPECT_EQ(ws.wait_closed(), 1001);
  EXPECT_EQ(worker_->wait_exit(), 0);
}

TEST_F(WorkerTest, RepeatedSubscribeIsAnsweredAndUnsubscribeStopsPushes) {
  wait_listening();
  auto id = new_session("erin");
  t::WsClient ws(worker_->port(), "/ws?access_token=" + t::make_token("erin", "authenticated", 300));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  ASSERT_TRUE(ws.receive_type("CLOCK_STATE"));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  auto again = ws.receive_type("CLOCK_STATE");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)["version"], 1);
  ws.send({{"t", "UNSUBSCRIBE_CLOCK"}, {"sessionId", id}});
  auto unsubscribed = ws.receive_type("UNSUBSCRIBED");
  ASSERT_TRUE(unsubscribed);
  EXPECT_EQ((*unsubscribed)["sessionId"], id);
  cluster_->sql("SELECT session_clock_pause('" + id + "')");
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  auto next = ws.receive(milliseconds(1500));  // the pong, and no CLOCK_STATE before it
  ASSERT_TRUE(next);
  EXPECT_EQ((*next)["t"], "TIME_PONG");
  EXPECT_FALSE(ws.receive(milliseconds(500)));
}

TEST_F(WorkerTest, TokensForOtherRolesAreRefused) {
  auto id = new_session("frank");
  t::WsClient ws(worker_->port());
  ws.send({{"t", "AUTH"}, {"token", t::make_token("frank", "anon", 300)}});
  auto error = ws.receive_type("ERROR");
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["code"], "unauthorized");
  EXPECT_EQ((*error)["message"], "token role not allowed");
}

TEST_F(WorkerTest, WithoutADatabaseTimeSyncWorksAndClocksSayUnavailable) {
  worker_ = std::make_unique<t::WorkerProcess>("postgresql://postgres@127.0.0.1:1/nowhere");
  auto [status, body] = t::http_request(worker_->port(), "GET", "/healthz");
  EXPECT_EQ(status, 503);
  EXPECT_EQ(json::parse(body)["status"], "degraded");
  EXPECT_EQ(body.find("127.0.0.1:1"), std::string::npos);  // no connection details leak
  t::WsClient ws(worker_->port(), "/ws?access_token=" + t::make_token("gina", "authenticated", 300));
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 1}});
  EXPECT_TRUE(ws.receive_type("TIME_PONG"));
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", "00000000-0000-0000-0000-000000000001"}});
  auto error = ws.receive_type("ERROR", milliseconds(10000));
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["code"], "unavailable");
}

TEST_F(WorkerTest, ASlowReaderIsClosedAndOthersAreServed) {
  worker_ = std::make_unique<t::WorkerProcess>(
      cluster_->url(), std::vector<std::string>{"--rate", "1000000", "--rate-burst", "1000000", "--max-send-queue", "8"});
  t::WsClient slow(worker_->port());
  // Ask for far more than the socket buffers hold, and read none of it.
  std::string ping = json{{"t", "TIME_PING"}, {"clientNowMs", 1.0}, {"pingId", "x"}, {"pad", std::string(20, 'p')}}.dump();
  for (int i = 0; i < 60000; ++i) {
    try {
      slow.send_raw(ping);
    } catch (const std::exception&) {
      break;  // closed on us
    }
  }
  t::WsClient other(worker_->port());
  other.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"pingId", 2}});
  EXPECT_TRUE(other.receive_type("TIME_PONG"));
  auto metric_seen = [&](const std::string& line, milliseconds within) {
    for (auto deadline = steady_clock::now() + within; steady_clock::now() < deadline;) {
      auto [status, metrics] = t::http_request(worker_->port(), "GET", "/metrics");
      if (metrics.find(line) != std::string::npos) return true;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return false;
  };
  EXPECT_TRUE(metric_seen("session_clock_queue_drops_total 1\n", milliseconds(5000)));
  // Its socket is released even though it never reads: only `other` is left.
  EXPECT_TRUE(metric_seen("session_clock_open_connections 1\n", milliseconds(12000)));
}

}  // namespace

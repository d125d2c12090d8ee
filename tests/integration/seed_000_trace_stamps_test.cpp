// Seed 000 (a Django time-sync plan): its browsers send
// {"event":"time_sync.request","sequence":N,"client_send":null} when their own
// clock never synced (the request that crashed its server), its devices send
// device_time_sync.request, and its Option A reads trace.server_receive and
// trace.server_send from the replies to ordinary messages. Each, exactly as
// the seed writes it, against the real worker.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

double wall_ms() { return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0; }

class Seed000TraceStamps : public t::ClusterSuite {
 protected:
  void SetUp() override { worker_ = std::make_unique<t::WorkerProcess>(cluster_->url()); }
  void TearDown() override { print_logs_on_failure({worker_.get()}); }
  std::unique_ptr<t::WorkerProcess> worker_;
};

// Same host, same clock: the server's stamps fall inside the client's round
// trip, and the seed's offset formula gives ~0.
void expect_stamps_within(const json& trace, double sent, double received) {
  ASSERT_TRUE(trace["server_receive"].is_number()) << trace;
  ASSERT_TRUE(trace["server_send"].is_number()) << trace;
  double receive = trace["server_receive"], send = trace["server_send"];
  EXPECT_GE(receive, sent - 1.0);
  EXPECT_LE(receive, send);
  EXPECT_LE(send, received + 1.0);
  double offset = (receive + send) / 2 - (sent + received) / 2;
  EXPECT_LE(std::abs(offset), (received - sent) / 2 + 1.0);
}

TEST_F(Seed000TraceStamps, AnUnsyncedBrowsersRequestIsAnswered) {
  t::WsClient ws(worker_->port());
  double sent = wall_ms();
  ws.send_raw(R"({ "event": "time_sync.request", "sequence": 1, "client_send": null })");
  auto response = ws.receive_type("time_sync.response");
  double received = wall_ms();
  ASSERT_TRUE(response) << ws.last_error_;
  EXPECT_EQ((*response)["sequence"], 1);
  ASSERT_TRUE(response->contains("client_send"));
  EXPECT_TRUE((*response)["client_send"].is_null());
  expect_stamps_within(*response, sent, received);
  EXPECT_TRUE((*response)["sync_warning"].is_boolean());
  EXPECT_GT((*response)["recommended_interval_ms"].get<double>(), 0);
}

TEST_F(Seed000TraceStamps, DevicesMirrorTheExchange) {
  t::WsClient device(worker_->port());
  double sent = wall_ms();
  device.send({{"event", "device_time_sync.request"}, {"sequence", 9}, {"client_send", sent}});
  auto response = device.receive_type("device_time_sync.response");
  double received = wall_ms();
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["sequence"], 9);
  EXPECT_EQ((*response)["client_send"].get<double>(), sent);
  expect_stamps_within(*response, sent, received);
}

// Option A: a message with a trace gets it back on its reply, the client's
// fields intact, server_receive and server_send stamped.
TEST_F(Seed000TraceStamps, ATracedMessageGetsItsTraceBackStamped) {
  t::WsClient ws(worker_->port());
  double sent = wall_ms();
  ws.send({{"t", "TIME_PING"},
           {"clientNowMs", sent},
           {"pingId", 4},
           {"trace", {{"client_send", nullptr}, {"device_receive", 1790000000000.5}, {"hop", "dashboard"}}}});
  auto pong = ws.receive_type("TIME_PONG");
  double received = wall_ms();
  ASSERT_TRUE(pong);
  const json& trace = (*pong)["trace"];
  EXPECT_TRUE(trace["client_send"].is_null());
  EXPECT_EQ(trace["device_receive"], 1790000000000.5);
  EXPECT_EQ(trace["hop"], "dashboard");
  expect_stamps_within(trace, sent, received);
  // The pong's own stamps are the same instants.
  EXPECT_EQ(trace["server_receive"], (*pong)["serverReceiveMs"]);
  EXPECT_EQ(trace["server_send"], (*pong)["serverSendMs"]);

  // Untraced messages are answered as before.
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}});
  auto plain = ws.receive_type("TIME_PONG");
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->contains("trace"));
}

// Replies that wait for the database carry the trace too; pushes that are
// nobody's reply do not.
TEST_F(Seed000TraceStamps, RepliesFromTheDatabaseCarryItAndPushesDoNot) {
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  cluster_->sql("SELECT session_clock_start('" + id + "')");
  cluster_->sql("SELECT session_clock_add_member('" + id + "', 'alice', 'host')");
  ASSERT_TRUE(worker_->wait_listening());
  t::WsClient ws(worker_->port());
  ws.send({{"t", "AUTH"}, {"token", t::make_token("alice", "authenticated", 300)}, {"trace", {{"step", 1}}}});
  auto ok = ws.receive_type("AUTH_OK");
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)["trace"]["step"], 1);
  double sent = wall_ms();
  ws.send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}, {"trace", {{"step", 2}}}});
  auto clock = ws.receive_type("CLOCK_STATE");
  double received = wall_ms();
  ASSERT_TRUE(clock);
  EXPECT_EQ((*clock)["trace"]["step"], 2);
  expect_stamps_within((*clock)["trace"], sent, received);
  cluster_->sql("SELECT session_clock_pause('" + id + "')");
  auto pushed = ws.receive_type("CLOCK_STATE");
  ASSERT_TRUE(pushed);
  EXPECT_TRUE((*pushed)["isPaused"].get<bool>());
  EXPECT_FALSE(pushed->contains("trace"));
  // A refusal is a reply too.
  ws.send({{"t", "NO_SUCH_THING"}, {"trace", {{"step", 3}}}});
  auto error = ws.receive_type("ERROR");
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["trace"]["step"], 3);
}

TEST_F(Seed000TraceStamps, AnOversizedTraceIsRefusedAndTheConnectionKeepsWorking) {
  t::WsClient ws(worker_->port());
  ws.send({{"t", "TIME_PING"}, {"clientNowMs", wall_ms()}, {"trace", {{"blob", std::string(5000, 'x')}}}});
  auto error = ws.receive_type("ERROR");
  ASSERT_TRUE(error);
  EXPECT_EQ((*error)["code"], "bad_field");
  EXPECT_NE((*error)["message"].get<std::string>().find("trace"), std::string::npos);
  ws.send({{"event", "time_sync.request"}, {"sequence", 2}, {"client_send", nullptr}});
  EXPECT_TRUE(ws.receive_type("time_sync.response"));
}

}  // namespace

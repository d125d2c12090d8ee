// START/PAUSE/RESUME/STOP_CLOCK over the WebSocket: run as the token's user,
// so the extension's membership rule decides, and followers get the push.
#include <gtest/gtest.h>

#include <thread>

#include "harness.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

class ClockCommandsTest : public t::ClusterSuite {
 protected:
  void SetUp() override { worker_ = std::make_unique<t::WorkerProcess>(cluster_->url()); }
  void TearDown() override { print_logs_on_failure({worker_.get()}); }
  std::unique_ptr<t::WsClient> user(const std::string& sub, const std::string& role = "authenticated") {
    auto ws = std::make_unique<t::WsClient>(worker_->port());
    ws->send({{"t", "AUTH"}, {"token", t::make_token(sub, role, 600)}});
    EXPECT_TRUE(ws->receive_type("AUTH_OK"));
    return ws;
  }
  std::unique_ptr<t::WorkerProcess> worker_;
};

TEST_F(ClockCommandsTest, AMemberDrivesTheClockAndFollowersSeeIt) {
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  auto host = user("hana");
  host->send({{"t", "START_CLOCK"}, {"sessionId", id}});  // creates it: hana becomes host
  auto started = host->receive_type("CLOCK_CHANGED");
  ASSERT_TRUE(started);
  EXPECT_EQ((*started)["action"], "start");
  EXPECT_EQ((*started)["changed"], true);
  EXPECT_EQ(cluster_->sql("SELECT role FROM session_clock.session_members WHERE session_id = '" + id + "'"), "host");
  host->send({{"t", "SUBSCRIBE_CLOCK"}, {"sessionId", id}});
  ASSERT_TRUE(host->receive_type("CLOCK_STATE"));
  host->send({{"t", "PAUSE_CLOCK"}, {"sessionId", id}, {"reason", "coffee"}});
  // The answer and the push race each other (one is the command's reply,
  // the other comes from the NOTIFY): take them in either order.
  std::optional<t::json> paused, state;
  while (!paused || !state) {
    auto frame = host->receive();
    ASSERT_TRUE(frame) << "missing " << (paused ? "CLOCK_STATE" : "CLOCK_CHANGED");
    if ((*frame)["t"] == "CLOCK_CHANGED") paused = frame;
    if ((*frame)["t"] == "CLOCK_STATE") state = frame;
  }
  EXPECT_EQ((*paused)["changed"], true);
  EXPECT_EQ((*paused)["version"], 2);
  EXPECT_EQ((*state)["isPaused"], true);
  EXPECT_EQ(cluster_->sql("SELECT actor || '/' || reason FROM session_clock.session_events WHERE session_id = '" +
                          id + "' AND version = 2"),
            "hana/coffee");
  host->send({{"t", "PAUSE_CLOCK"}, {"sessionId", id}});  // idempotent
  auto again = host->receive_type("CLOCK_CHANGED");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)["changed"], false);
  host->send({{"t", "RESUME_CLOCK"}, {"sessionId", id}});
  ASSERT_TRUE(host->receive_type("CLOCK_CHANGED"));
  host->send({{"t", "STOP_CLOCK"}, {"sessionId", id}});
  auto stopped = host->receive_type("CLOCK_CHANGED");
  ASSERT_TRUE(stopped);
  EXPECT_EQ((*stopped)["version"], 4);
}

TEST_F(ClockCommandsTest, TheDatabaseRuleDecidesWhoMay) {
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  cluster_->sql("SELECT session_clock_start('" + id + "')");
  cluster_->sql("SELECT session_clock_add_member('" + id + "', 'ivo', 'participant')");
  auto stranger = user("mallory");
  stranger->send({{"t", "PAUSE_CLOCK"}, {"sessionId", id}});
  auto refused = stranger->receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden");
  auto member = user("ivo");
  member->send({{"t", "STOP_CLOCK"}, {"sessionId", id}});  // only the host may stop
  refused = member->receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden");
  member->send({{"t", "PAUSE_CLOCK"}, {"sessionId", id}, {"reason", std::string(201, 'r')}});
  refused = member->receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "bad_field");
  auto unknown = cluster_->sql("SELECT gen_random_uuid()");
  member->send({{"t", "PAUSE_CLOCK"}, {"sessionId", unknown}});
  refused = member->receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "not_found");
  EXPECT_EQ(cluster_->sql("SELECT version FROM session_clock.sessions WHERE id = '" + id + "'"), "1");
  auto service = user("", "service_role");  // the app's backend may do anything
  service->send({{"t", "STOP_CLOCK"}, {"sessionId", id}});
  auto stopped = service->receive_type("CLOCK_CHANGED");
  ASSERT_TRUE(stopped);
  EXPECT_EQ((*stopped)["changed"], true);
  t::WsClient anonymous(worker_->port());
  anonymous.send({{"t", "START_CLOCK"}, {"sessionId", id}});
  auto no_token = anonymous.receive_type("ERROR");
  ASSERT_TRUE(no_token);
  EXPECT_EQ((*no_token)["code"], "unauthorized");
}

}  // namespace

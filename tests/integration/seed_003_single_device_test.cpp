// Seed 003's scenario 5, "Dual-Device Attempt": the customer joins on device
// A, the timer starts, the customer joins on device B: device A is kicked
// (single-device enforcement), device B shows the right position at once,
// and the timer is never interrupted. Against two real workers and a real
// cluster; the session_clock_configure call is the seed's RPC style
// (supabase.rpc(name, {p_...})) with its named parameter.
#include <gtest/gtest.h>

#include <thread>

#include "presence_suite.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

using t::eventually;

class Seed003SingleDevice : public t::PresenceSuite {
 protected:
  // The customer (bob) and the mechanic (alice) in a two-person call that
  // keeps one device per user.
  static std::string single_device_session() {
    auto id = new_session();
    cluster_->sql("SELECT session_clock_configure(p_session_id => '" + id +
                  "', p_min_participants => 2, p_single_device => true)");
    return id;
  }
  static std::string superseded_code(t::WsClient& ws, milliseconds timeout = milliseconds(3000)) {
    auto error = ws.receive_type("ERROR", timeout);
    return error ? (*error)["code"].get<std::string>() + "/" + (*error)["ref"]["sessionId"].get<std::string>()
                 : "none";
  }
  static std::string claimed_device(const std::string& id, const std::string& user) {
    return cluster_->sql("SELECT device FROM session_clock.device_claims WHERE session_id = '" + id +
                         "' AND participant_id = '" + user + "'");
  }
  static int interruptions(const std::string& id, const std::string& after_version) {
    return count_events(id, "leave", "version > " + after_version) +
           count_events(id, "pause", "version > " + after_version) +
           count_events(id, "grace_start", "version > " + after_version);
  }
};

TEST_F(Seed003SingleDevice, TheSecondDeviceSupersedesTheFirstAndTheTimerRunsOn) {
  worker_ = start_worker();
  second_ = start_worker();
  auto id = single_device_session();
  t::Participant mechanic(worker_->port(), "alice", id);
  t::Participant device_a(worker_->port(), "bob", id);
  ASSERT_TRUE(eventually([&] { return participants_are(id, 2); }));
  auto version_before = column(id, "version");

  // Device B, on another worker, sees the right position at once: its JOIN
  // follows the clock first, and the state's position agrees with SQL's.
  t::WsClient device_b(second_->port());
  device_b.send({{"t", "AUTH"}, {"token", t::make_token("bob", "authenticated", 600)}});
  ASSERT_TRUE(device_b.receive_type("AUTH_OK"));
  device_b.send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
  auto state = device_b.receive_type("CLOCK_STATE");
  ASSERT_TRUE(state);
  double sql_elapsed = std::stod(cluster_->sql("SELECT elapsed_ms FROM session_clock_get('" + id + "')"));
  EXPECT_NEAR((*state)["elapsedMs"].get<double>(), sql_elapsed, 250);
  EXPECT_FALSE((*state)["isPaused"].get<bool>());
  ASSERT_TRUE(device_b.receive_type("JOINED"));
  // Device A is told why and leaves; its clock stays followed.
  EXPECT_EQ(superseded_code(device_a.ws()), "superseded/" + id);
  ASSERT_TRUE(eventually([&] {
    return cluster_->sql("SELECT string_agg(worker_id::text, ',') FROM session_clock.presence WHERE session_id = '" +
                         id + "' AND participant_id = 'bob'") ==
           cluster_->sql("SELECT worker_id::text FROM session_clock.presence WHERE session_id = '" + id +
                         "' AND participant_id = 'bob' AND worker_id <> (SELECT worker_id FROM session_clock.presence "
                         "WHERE session_id = '" + id + "' AND participant_id = 'alice')");
  })) << "bob's presence moved to the second worker";
  // Never interrupted: no leave, no grace period, no pause; still two.
  std::this_thread::sleep_for(milliseconds(t::kGraceMs + 300));
  EXPECT_EQ(interruptions(id, version_before), 0);
  EXPECT_EQ(column(id, "participants"), "2");
  EXPECT_EQ(column(id, "is_paused"), "f");
  // The mechanic was never touched.
  EXPECT_FALSE(mechanic.ws().receive_type("ERROR", milliseconds(100)));
  expect_log_matches_row(id);
}

TEST_F(Seed003SingleDevice, OnOneWorkerTheNewestConnectionWinsToo) {
  worker_ = start_worker();
  auto id = single_device_session();
  t::Participant mechanic(worker_->port(), "alice", id);
  t::Participant first(worker_->port(), "bob", id);
  ASSERT_TRUE(eventually([&] { return participants_are(id, 2); }));
  ASSERT_TRUE(eventually([&] { return !claimed_device(id, "bob").empty(); }));
  auto version_before = column(id, "version");
  t::Participant second(worker_->port(), "bob", id);
  EXPECT_EQ(superseded_code(first.ws()), "superseded/" + id);
  EXPECT_FALSE(second.ws().receive_type("ERROR", milliseconds(300)));
  std::this_thread::sleep_for(milliseconds(t::kGraceMs + 300));
  EXPECT_EQ(interruptions(id, version_before), 0);
  EXPECT_EQ(column(id, "participants"), "2");
  // Device A may take the session back: it joins again and B is superseded.
  first.ws().send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
  ASSERT_TRUE(first.ws().receive_type("JOINED"));
  EXPECT_EQ(superseded_code(second.ws()), "superseded/" + id);
  EXPECT_EQ(interruptions(id, version_before), 0);
}

// Two devices joining at the same moment through two workers: exactly one
// stays joined, the one whose claim the database numbered last, whichever
// notification or answer each worker heard first.
TEST_F(Seed003SingleDevice, SimultaneousJoinsLeaveExactlyOneDevice) {
  worker_ = start_worker();
  second_ = start_worker();
  for (int round = 0; round < 5; ++round) {
    auto id = single_device_session();
    t::WsClient a(worker_->port()), b(second_->port());
    for (auto* ws : {&a, &b}) {
      ws->send({{"t", "AUTH"}, {"token", t::make_token("bob", "authenticated", 600)}});
      ASSERT_TRUE(ws->receive_type("AUTH_OK"));
    }
    a.send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
    b.send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
    ASSERT_TRUE(a.receive_type("JOINED"));
    ASSERT_TRUE(b.receive_type("JOINED"));
    bool a_out = superseded_code(a, milliseconds(1500)) != "none";
    bool b_out = superseded_code(b, milliseconds(500)) != "none";
    EXPECT_NE(a_out, b_out) << "round " << round << ": exactly one device stays";
    ASSERT_TRUE(eventually([&] { return column(id, "participants") == "1"; }));
  }
}

// Without the option, a second device is simply a second connection.
TEST_F(Seed003SingleDevice, OtherSessionsKeepEveryDevice) {
  worker_ = start_worker();
  auto id = new_session();
  t::Participant a(worker_->port(), "bob", id);
  t::Participant b(worker_->port(), "bob", id);
  EXPECT_FALSE(a.ws().receive_type("ERROR", milliseconds(500)));
  EXPECT_EQ(claimed_device(id, "bob"), "");
}

}  // namespace

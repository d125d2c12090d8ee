// Presence that can neither strand nor inflate a bill (seed 003 bills video
// consultations by the minute from our clock), end to end: the real worker,
// a real cluster, LiveKit webhooks signed as LiveKit signs them, and a
// stand-in for LiveKit's RoomService. Each test failed before its fix:
// - LiveKit joins before the clock starts were answered unknown_session and
//   lost, so the clock auto-paused with both people in the call;
// - a removed member stayed present (and followed the clock);
// - a refreshed token was logged as a disconnect and a rejoin;
// - a missed webhook left presence stale until the next one, if any.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include "../support/room_service_standin.hpp"
#include "presence_suite.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

using t::eventually;
using t::kGraceMs;
using t::Participant;

class BillingPresenceTest : public t::PresenceSuite {
 protected:
  // A value of the worker's /metrics (-1 when it is not there).
  static double metric(const t::WorkerProcess& worker, const std::string& series) {
    auto [status, body] = t::http_request(worker.port(), "GET", "/metrics");
    auto at = body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(body.substr(at + series.size() + 2));
  }
  // The LiveKit identities present in the session, in order.
  static std::string livekit_present(const std::string& id) {
    return cluster_->sql("SELECT coalesce(string_agg(participant_id, ' ' ORDER BY participant_id), '') "
                         "FROM session_clock.presence WHERE source = 'livekit' AND session_id = '" + id + "'");
  }
};

// Seed 003's order: the doctor and the patient join the LiveKit room, then
// the app starts the timer. Both count from the start: no grace period, and
// the clock never pauses while they talk.
TEST_F(BillingPresenceTest, LiveKitJoinsBeforeTheStartCountFromTheStart) {
  worker_ = start_worker();
  auto id = cluster_->sql("SELECT gen_random_uuid()");
  auto [s1, b1] = post_webhook(livekit_event("BP_1", "participant_joined", id, "PA_d1", "doctor"));
  EXPECT_EQ(s1, 200) << b1;
  EXPECT_EQ(json::parse(b1)["result"], "pending");
  auto [s2, b2] = post_webhook(livekit_event("BP_2", "participant_joined", id, "PA_p1", "patient"));
  EXPECT_EQ(json::parse(b2)["result"], "pending");
  cluster_->sql("SELECT session_clock_start('" + id + "')");
  EXPECT_EQ(column(id, "participants"), "2");
  EXPECT_EQ(column(id, "grace_deadline_at IS NULL"), "t");
  cluster_->sql("SELECT session_clock_configure('" + id + "', 2, " + std::to_string(kGraceMs) + ")");
  std::this_thread::sleep_for(milliseconds(kGraceMs + 400));
  EXPECT_EQ(column(id, "is_paused"), "f");
  EXPECT_EQ(count_events(id, "pause"), 0);
  // The patient's connection drops and comes back: a short grace, never a pause.
  post_webhook(livekit_event("BP_3", "participant_left", id, "PA_p1", "patient"));
  post_webhook(livekit_event("BP_4", "participant_joined", id, "PA_p2", "patient"));
  EXPECT_EQ(column(id, "participants"), "2");
  EXPECT_EQ(column(id, "is_paused"), "f");
  EXPECT_EQ(count_events(id, "join", "at = (SELECT started_at FROM session_clock.sessions WHERE id = '" + id + "')"),
            2);
  expect_log_matches_row(id);
}

// Every other order of join / start / leave / rejoin / room_finished over
// the real endpoint ends where the same events would have left a session
// that existed all along (sql/early_presence.sql walks them in SQL too).
TEST_F(BillingPresenceTest, EveryOrderOfJoinsLeavesAndTheStartCountsTheSame) {
  worker_ = start_worker();
  struct Order {
    std::vector<std::string> steps;  // "join ID SID", "left ID SID", "finish", "start"
    std::string present;             // LiveKit identities present at the end
    int participants;
    bool deadline;                   // a grace period pending at the end (min 2)
  };
  const std::vector<Order> orders = {
      {{"join doctor PA_d", "start", "join patient PA_p"}, "doctor patient", 2, false},
      {{"start", "join doctor PA_d", "join patient PA_p"}, "doctor patient", 2, false},
      {{"join doctor PA_d", "join patient PA_p", "left patient PA_p", "start"}, "doctor", 1, true},
      {{"join doctor PA_d", "join patient PA_p", "left patient PA_p", "start", "join patient PA_p2"},
       "doctor patient", 2, false},
      {{"join doctor PA_d", "left doctor PA_d", "join doctor PA_d2", "join patient PA_p", "start"},
       "doctor patient", 2, false},
      {{"left doctor PA_d", "join patient PA_p", "start", "join doctor PA_d"}, "patient", 1, true},
      {{"join doctor PA_d", "join patient PA_p", "finish", "start"}, "", 0, true},
      {{"join doctor PA_d", "join patient PA_p", "start", "finish"}, "", 0, true},
  };
  int n = 0;
  for (const auto& order : orders) {
    auto id = cluster_->sql("SELECT gen_random_uuid()");
    std::string trace;
    for (const auto& step : order.steps) {
      trace += step + "; ";
      std::istringstream words(step);
      std::string kind, identity, sid;
      words >> kind >> identity >> sid;
      std::string event_id = "EO_" + std::to_string(++n);
      if (kind == "start") {
        cluster_->sql("SELECT session_clock_start('" + id + "')");
      } else {
        const char* name = kind == "join" ? "participant_joined" : kind == "left" ? "participant_left" : "room_finished";
        auto [status, body] = post_webhook(livekit_event(event_id, name, id, sid, identity));
        ASSERT_EQ(status, 200) << trace << body;
      }
    }
    EXPECT_EQ(livekit_present(id), order.present) << trace;
    EXPECT_EQ(column(id, "participants"), std::to_string(order.participants)) << trace;
    EXPECT_EQ(column(id, "grace_deadline_at IS NOT NULL"), order.deadline ? "t" : "f") << trace;
    expect_log_matches_row(id);
  }
}

// After session_clock_remove_member the user is gone at once: its presence
// ends (with min_participants 1 the clock can pause again), the worker
// drops its follow and tells the connection, and nothing more is pushed.
TEST_F(BillingPresenceTest, ARemovedMemberLeavesAtOnceAndStopsFollowing) {
  worker_ = start_worker();
  auto id = new_session(kGraceMs, 0);
  Participant alice(worker_->port(), "alice", id);
  Participant bob(worker_->port(), "bob", id);
  ASSERT_TRUE(participants_are(id, 2));
  cluster_->sql("SELECT session_clock_configure('" + id + "', 1)");  // one person keeps the clock running
  cluster_->sql("SELECT session_clock_remove_member('" + id + "', 'bob')");
  auto told = bob.ws().receive_type("ERROR");
  ASSERT_TRUE(told) << "bob was not told";
  EXPECT_EQ((*told)["code"], "forbidden");
  EXPECT_EQ((*told)["ref"]["sessionId"], id);
  ASSERT_TRUE(participants_are(id, 1));
  EXPECT_EQ(count_events(id, "leave", "participant_id = 'bob' AND reason = 'member_removed'"), 1);
  // A change reaches alice, not bob.
  cluster_->sql("SELECT session_clock_pause('" + id + "', 'coffee')");
  auto paused = alice.ws().receive_type("CLOCK_STATE");
  for (int i = 0; paused && (*paused)["isPaused"] != true && i < 10; ++i) paused = alice.ws().receive_type("CLOCK_STATE");
  ASSERT_TRUE(paused && (*paused)["isPaused"] == true);
  EXPECT_FALSE(bob.ws().receive_type("CLOCK_STATE", milliseconds(500))) << "a removed member still hears the clock";
  cluster_->sql("SELECT session_clock_resume('" + id + "')");
  // With bob really gone, alice leaving leaves nobody: the clock pauses.
  alice.ws().send({{"t", "LEAVE_SESSION"}, {"sessionId", id}});
  ASSERT_TRUE(alice.ws().receive_type("LEFT"));
  ASSERT_TRUE(eventually([&] { return column(id, "is_paused AND auto_paused") == "t"; }));
  // And bob cannot come back.
  bob.ws().send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
  auto refused = bob.ws().receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden");
  EXPECT_EQ(column(id, "participants"), "0");
  expect_log_matches_row(id);
}

// UNSUBSCRIBE_CLOCK stops the pushes but keeps the session joined: a
// removal still reaches that connection (its presence ends, it is told).
TEST_F(BillingPresenceTest, ARemovalReachesAJoinedConnectionThatStoppedFollowing) {
  worker_ = start_worker();
  auto id = new_session(kGraceMs, 0);
  Participant bob(worker_->port(), "bob", id);
  ASSERT_TRUE(participants_are(id, 1));
  bob.ws().send({{"t", "UNSUBSCRIBE_CLOCK"}, {"sessionId", id}});
  ASSERT_TRUE(bob.ws().receive_type("UNSUBSCRIBED"));
  cluster_->sql("SELECT session_clock_remove_member('" + id + "', 'bob')");
  auto told = bob.ws().receive_type("ERROR");
  ASSERT_TRUE(told) << "bob was not told";
  EXPECT_EQ((*told)["code"], "forbidden");
  EXPECT_EQ((*told)["ref"]["sessionId"], id);
  ASSERT_TRUE(participants_are(id, 0));
  ASSERT_TRUE(eventually([&] {
    auto body = json::parse(t::http_request(worker_->port(), "GET", "/healthz").second);
    return body["presence"]["reported"] == 0;
  })) << "the tracker still holds bob";
}

// setToken() sends AUTH with a later exp: the same sub and role is the same
// participant. Nothing is left or re-joined; only the expiry moves (the
// connection outlives the first token).
TEST_F(BillingPresenceTest, ARefreshedTokenIsTheSameParticipant) {
  worker_ = start_worker();
  auto id = new_session(0, 0);
  Participant alice(worker_->port(), "alice", id);
  Participant bob(worker_->port(), "bob", id, /*token_ttl_s=*/3);
  ASSERT_TRUE(participants_are(id, 2));
  require_two(id);  // grace 0: a leave would pause at once
  auto version = column(id, "version");
  bob.ws().send({{"t", "AUTH"}, {"token", t::make_token("bob", "authenticated", 600)}});
  ASSERT_TRUE(bob.ws().receive_type("AUTH_OK"));
  std::this_thread::sleep_for(milliseconds(3500));  // past the first token's expiry
  EXPECT_EQ(column(id, "version"), version);
  EXPECT_EQ(count_events(id, "leave"), 0);
  EXPECT_EQ(count_events(id, "pause"), 0);
  EXPECT_EQ(count_events(id, "join", "participant_id = 'bob'"), 1);
  EXPECT_FALSE(bob.ws().wait_closed(milliseconds(10))) << "closed at the old token's expiry";
  // Still following: a change reaches bob.
  cluster_->sql("SELECT session_clock_pause('" + id + "', 'coffee')");
  auto pushed = bob.ws().receive_type("CLOCK_STATE");
  for (int i = 0; pushed && (*pushed)["isPaused"] != true && i < 10; ++i) pushed = bob.ws().receive_type("CLOCK_STATE");
  ASSERT_TRUE(pushed && (*pushed)["isPaused"] == true);
  // A different user on the same connection is still checked again: carol
  // is no member, so bob's session is dropped and bob leaves it.
  bob.ws().send({{"t", "AUTH"}, {"token", t::make_token("carol", "authenticated", 600)}});
  ASSERT_TRUE(bob.ws().receive_type("AUTH_OK"));
  ASSERT_TRUE(participants_are(id, 1));
  expect_log_matches_row(id);
}

// LiveKit retries a failed webhook only for a while. With --livekit-url the
// worker asks RoomService who is in each room holding LiveKit presence and
// repairs what was missed: a lost leave, a lost rejoin, and whatever
// changed while LiveKit itself was unreachable or no worker was running.
TEST_F(BillingPresenceTest, ReconciliationRepairsMissedWebhooks) {
  t::RoomServiceStandIn livekit(t::kLiveKitKey, t::kLiveKitSecret);
  auto id = new_session(kGraceMs, 0);
  livekit.set_room(id, "RM_1", {{"PA_d1", "doctor"}, {"PA_p1", "patient"}});
  worker_ = start_worker({"--livekit-url", livekit.url(), "--livekit-reconcile-interval-ms", "300"});
  post_webhook(livekit_event("RC_1", "participant_joined", id, "PA_d1", "doctor"));
  post_webhook(livekit_event("RC_2", "participant_joined", id, "PA_p1", "patient"));
  ASSERT_TRUE(participants_are(id, 2));
  require_two(id);
  // The patient drops; the webhook is lost. The clock pauses at the deadline.
  livekit.set_room(id, "RM_1", {{"PA_d1", "doctor"}});
  ASSERT_TRUE(participants_are(id, 1));
  EXPECT_EQ(count_events(id, "leave", "participant_id = 'patient' AND reason = 'livekit_reconcile'"), 1);
  ASSERT_TRUE(eventually([&] { return column(id, "is_paused AND auto_paused") == "t"; }));
  // The patient is back; that webhook is lost too. The clock resumes.
  livekit.set_room(id, "RM_1", {{"PA_d1", "doctor"}, {"PA_p2", "patient"}});
  ASSERT_TRUE(participants_are(id, 2));
  ASSERT_TRUE(eventually([&] { return column(id, "is_paused") == "f"; }));
  // LiveKit unreachable: nothing is changed on a guess; failures show in
  // /metrics. Back, it repairs what happened meanwhile.
  livekit.set_unavailable(true);
  livekit.set_room(id, "RM_1", {{"PA_d1", "doctor"}});
  ASSERT_TRUE(eventually([&] { return metric(*worker_, "session_clock_livekit_reconcile_failures_total") >= 1; }));
  EXPECT_EQ(column(id, "participants"), "2");
  livekit.set_unavailable(false);
  ASSERT_TRUE(participants_are(id, 1));
  // No worker running while the patient came back: the next worker's start
  // reconciles at once (its interval is long).
  worker_->terminate();
  EXPECT_EQ(worker_->wait_exit(), 0);
  livekit.set_room(id, "RM_1", {{"PA_d1", "doctor"}, {"PA_p3", "patient"}});
  worker_ = start_worker({"--livekit-url", livekit.url(), "--livekit-reconcile-interval-ms", "600000"});
  ASSERT_TRUE(participants_are(id, 2));
  // Only real changes were logged: the doctor joined once, never left.
  EXPECT_EQ(count_events(id, "join", "participant_id = 'doctor'"), 1);
  EXPECT_EQ(count_events(id, "leave", "participant_id = 'doctor'"), 0);
  EXPECT_GE(metric(*worker_, "session_clock_livekit_rooms_reconciled_total"), 1);
  expect_log_matches_row(id);
}

// The two states a billing team must never see are counted in /metrics; each
// is made here on purpose (a row edited by hand) to see it counted, and
// both are back at zero once fixed.
TEST_F(BillingPresenceTest, StrandedSessionsAreCountedInMetrics) {
  worker_ = start_worker();
  const std::string running = "session_clock_stranded_sessions{problem=\"running_without_deadline\"}";
  const std::string paused = "session_clock_stranded_sessions{problem=\"auto_paused_while_present\"}";
  ASSERT_TRUE(eventually([&] { return metric(*worker_, running) == 0 && metric(*worker_, paused) == 0; }));
  auto a = new_session(kGraceMs, 1);
  cluster_->sql("SELECT session_clock_presence('" + a + "', 'alice', true)");
  cluster_->sql("UPDATE session_clock.sessions SET min_participants = 3 WHERE id = '" + a + "'");
  ASSERT_TRUE(eventually([&] { return metric(*worker_, running) == 1; }));
  auto b = new_session(0, 2);
  cluster_->sql("SELECT session_clock_presence('" + b + "', 'alice', true)");  // grace 0: paused at once
  ASSERT_EQ(column(b, "auto_paused"), "t");
  cluster_->sql("UPDATE session_clock.sessions SET min_participants = 1 WHERE id = '" + b + "'");
  ASSERT_TRUE(eventually([&] { return metric(*worker_, paused) == 1; }));
  cluster_->sql("SELECT session_clock_stop('" + a + "'), session_clock_stop('" + b + "')");
  ASSERT_TRUE(eventually([&] { return metric(*worker_, running) == 0 && metric(*worker_, paused) == 0; }));
}

}  // namespace

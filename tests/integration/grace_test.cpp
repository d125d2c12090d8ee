// Presence and grace-period auto-pause end to end: real workers (one, two,
// one killed with SIGKILL), real WebSocket clients, LiveKit webhooks signed as
// LiveKit signs them, and the event log as the judge. Grace periods are
// short (hundreds of milliseconds) so the suite stays quick.
#include <gtest/gtest.h>

#include <thread>

#include "../support/livekit_signer.hpp"
#include "presence_suite.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

using t::eventually;
using t::kGraceMs;
using t::Participant;

class GraceTest : public t::PresenceSuite {};

TEST_F(GraceTest, ComingBackWithinTheGraceCancelsTheDeadline) {
  worker_ = start_worker();
  auto id = new_session(1500);
  Participant alice(worker_->port(), "alice", id);
  {
    Participant bob(worker_->port(), "bob", id);
    ASSERT_TRUE(participants_are(id, 2));
    require_two(id);
  }  // bob's connection drops: a leave
  ASSERT_TRUE(eventually([&] { return column(id, "grace_deadline_at IS NOT NULL") == "t"; }));
  Participant bob_again(worker_->port(), "bob", id);
  ASSERT_TRUE(participants_are(id, 2));
  EXPECT_EQ(column(id, "grace_deadline_at IS NULL"), "t");
  std::this_thread::sleep_for(milliseconds(1800));  // past the cancelled deadline
  EXPECT_EQ(count_events(id, "pause"), 0);
  EXPECT_EQ(count_events(id, "grace_start"), 1);
  EXPECT_EQ(count_events(id, "grace_cancel"), 1);
  EXPECT_EQ(column(id, "is_paused"), "f");
  expect_log_matches_row(id);
}

TEST_F(GraceTest, StayingAwayPausesOnceAsOfTheDeadlineAndComingBackResumes) {
  worker_ = start_worker();
  auto id = new_session();
  Participant alice(worker_->port(), "alice", id);
  ASSERT_TRUE(alice.ws().receive_type("CLOCK_STATE"));
  {
    Participant bob(worker_->port(), "bob", id);
    ASSERT_TRUE(participants_are(id, 2));
    require_two(id);
    bob.ws().send({{"t", "LEAVE_SESSION"}, {"sessionId", id}});
    ASSERT_TRUE(bob.ws().receive_type("LEFT"));
  }
  ASSERT_TRUE(eventually([&] { return column(id, "is_paused") == "t"; }));
  EXPECT_EQ(count_events(id, "pause"), 1);
  EXPECT_EQ(count_events(id, "pause", "reason = 'participant_disconnected'"), 1);
  // Dated at the deadline the leave set, not when a worker got round to it.
  EXPECT_EQ(cluster_->sql("SELECT p.at = g.deadline_at FROM session_clock.session_events p, "
                          "(SELECT deadline_at FROM session_clock.session_events WHERE session_id = '" + id +
                          "' AND event = 'grace_start' ORDER BY version DESC LIMIT 1) g "
                          "WHERE p.session_id = '" + id + "' AND p.event = 'pause'"),
            "t");
  EXPECT_EQ(column(id, "auto_paused"), "t");
  // Alice is told.
  auto paused = alice.ws().receive_type("CLOCK_STATE");
  for (int i = 0; paused && (*paused)["isPaused"] != true && i < 10; ++i) paused = alice.ws().receive_type("CLOCK_STATE");
  ASSERT_TRUE(paused);
  EXPECT_EQ((*paused)["isPaused"], true);
  EXPECT_EQ((*paused)["autoPaused"], true);
  EXPECT_EQ((*paused)["participants"], 1);

  Participant bob_back(worker_->port(), "bob", id);
  ASSERT_TRUE(eventually([&] { return column(id, "is_paused") == "f"; }));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(count_events(id, "resume"), 1);
  EXPECT_EQ(count_events(id, "resume", "reason = 'participants_reconnected'"), 1);
  EXPECT_EQ(count_events(id, "pause"), 1);
  expect_log_matches_row(id);
}

TEST_F(GraceTest, AManualPauseIsNeverResumedAutomatically) {
  worker_ = start_worker();
  auto id = new_session();
  Participant alice(worker_->port(), "alice", id);
  {
    Participant bob(worker_->port(), "bob", id);
    ASSERT_TRUE(participants_are(id, 2));
    require_two(id);
    cluster_->sql("SELECT session_clock_pause('" + id + "', 'lunch')");
  }
  ASSERT_TRUE(participants_are(id, 1));
  Participant bob_back(worker_->port(), "bob", id);
  ASSERT_TRUE(participants_are(id, 2));
  std::this_thread::sleep_for(milliseconds(kGraceMs + 400));
  EXPECT_EQ(column(id, "is_paused"), "t");
  EXPECT_EQ(count_events(id, "pause"), 1);
  EXPECT_EQ(count_events(id, "resume"), 0);
  EXPECT_EQ(column(id, "grace_deadline_at IS NULL"), "t");
}

// The deadline lives in the database: a worker killed during the grace period
// loses nothing. Its replacement applies the pause as of the original
// deadline, and the dead worker's participants leave when its lease lapses.
TEST_F(GraceTest, KillDashNineDuringTheGraceThenARestartStillPausesAtTheDeadline) {
  worker_ = start_worker();
  auto id = new_session(1200);
  auto alice = std::make_unique<Participant>(worker_->port(), "alice", id);
  {
    Participant bob(worker_->port(), "bob", id);
    ASSERT_TRUE(participants_are(id, 2));
    require_two(id);
    bob.ws().send({{"t", "LEAVE_SESSION"}, {"sessionId", id}});
    ASSERT_TRUE(bob.ws().receive_type("LEFT"));
  }
  ASSERT_TRUE(eventually([&] { return column(id, "grace_deadline_at IS NOT NULL") == "t"; }));
  auto deadline = column(id, "grace_deadline_at");
  worker_->kill_hard();
  alice.reset();
  EXPECT_EQ(column(id, "is_paused"), "f");  // nobody applied it yet
  std::this_thread::sleep_for(milliseconds(1500));  // past the deadline with no worker at all
  // Reading the clock already shows the pause, dated at the deadline.
  EXPECT_EQ(cluster_->sql("SELECT is_paused AND last_state_change_at = '" + deadline +
                          "' FROM session_clock_get('" + id + "')"),
            "t");
  second_ = start_worker();
  ASSERT_TRUE(eventually([&] { return column(id, "is_paused") == "t"; }));
  EXPECT_EQ(count_events(id, "pause"), 1);
  EXPECT_EQ(count_events(id, "pause", "at = '" + deadline + "'"), 1);
  // Alice's presence (reported by the dead worker) ends with its lease.
  ASSERT_TRUE(participants_are(id, 0));
  EXPECT_EQ(count_events(id, "leave", "reason = 'lease_expired' AND participant_id = 'alice'"), 1);
  expect_log_matches_row(id);
}

TEST_F(GraceTest, TwoWorkersApplyEveryDeadlineExactlyOnce) {
  worker_ = start_worker();
  second_ = start_worker();
  std::vector<std::string> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(new_session(300 + 10 * i, 2));  // tracked, 0 present: deadlines pending
  for (const auto& id : ids) ASSERT_TRUE(eventually([&] { return column(id, "is_paused") == "t"; })) << id;
  for (const auto& id : ids) {
    EXPECT_EQ(count_events(id, "pause"), 1) << id;
    expect_log_matches_row(id);
  }
  auto applied = [](t::WorkerProcess& w) {
    auto [status, body] = t::http_request(w.port(), "GET", "/metrics");
    auto at = body.find("\nsession_clock_deadlines_applied_total ");
    return at == std::string::npos ? -1 : std::stoi(body.substr(at + 39));
  };
  int first = applied(*worker_), second = applied(*second_);
  EXPECT_GE(first, 0);
  EXPECT_GE(second, 0);
  EXPECT_EQ(first + second, 30);  // between them, each pause once
}

class LiveKitTest : public GraceTest {
 protected:
  std::pair<int, std::string> post(const json& event, const std::string& secret = t::kLiveKitSecret) {
    return post_webhook(event, secret);
  }
  static json event(const std::string& id, const std::string& kind, const std::string& session,
                    const std::string& participant_sid = {}, const std::string& identity = {}) {
    return livekit_event(id, kind, session, participant_sid, identity);
  }
};

TEST_F(LiveKitTest, SignedWebhooksAreDeduplicatedAndReconciledWhateverTheirOrder) {
  worker_ = start_worker();
  auto id = new_session();
  auto [s1, b1] = post(event("EV_1", "participant_joined", id, "PA_c1", "carol"));
  EXPECT_EQ(s1, 200) << b1;
  EXPECT_EQ(json::parse(b1)["result"], "applied");
  auto [s2, b2] = post(event("EV_2", "participant_joined", id, "PA_d1", "dave"));
  EXPECT_EQ(json::parse(b2)["result"], "applied");
  EXPECT_EQ(column(id, "participants"), "2");
  require_two(id);
  // LiveKit retries: the same event id again changes nothing.
  auto [s3, b3] = post(event("EV_2", "participant_joined", id, "PA_d1", "dave"));
  EXPECT_EQ(s3, 200);
  EXPECT_EQ(json::parse(b3)["result"], "duplicate");
  EXPECT_EQ(count_events(id, "join"), 2);
  // Carol reconnects: the new connection's join arrives, then the old one's
  // late leave. She stays present.
  post(event("EV_3", "participant_joined", id, "PA_c2", "carol"));
  post(event("EV_4", "participant_left", id, "PA_c1", "carol"));
  EXPECT_EQ(column(id, "participants"), "2");
  // Dave's leave of a connection arrives before its join: still gone after both.
  post(event("EV_5", "participant_left", id, "PA_d1", "dave"));
  post(event("EV_6", "participant_connection_aborted", id, "PA_d2", "dave"));
  post(event("EV_7", "participant_joined", id, "PA_d2", "dave"));
  EXPECT_EQ(column(id, "participants"), "1");
  EXPECT_EQ(column(id, "grace_deadline_at IS NOT NULL"), "t");
  // Forged, tampered, unsigned: refused, nothing recorded.
  auto [bad, bad_body] = post(event("EV_8", "participant_joined", id, "PA_d3", "dave"), "not-the-secret-0123456789");
  EXPECT_EQ(bad, 401) << bad_body;
  std::string body = event("EV_9", "participant_joined", id, "PA_d4", "dave").dump();
  auto now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  auto token = t::sign_livekit_webhook(t::kLiveKitKey, t::kLiveKitSecret, body, now);
  auto tampered = body;
  tampered.replace(tampered.find("PA_d4"), 5, "PA_d5");
  EXPECT_EQ(t::http_request(worker_->port(), "POST", "/webhooks/livekit", tampered, {{"Authorization", token}}).first,
            401);
  EXPECT_EQ(t::http_request(worker_->port(), "POST", "/webhooks/livekit", body).first, 401);
  EXPECT_EQ(column(id, "participants"), "1");
  EXPECT_EQ(cluster_->sql("SELECT count(*) FROM session_clock.livekit_webhook_events WHERE event_id IN "
                          "('EV_8', 'EV_9')"),
            "0");
  // The room ends: everyone in it leaves; the grace rule takes it from there.
  post(event("EV_10", "room_finished", id));
  EXPECT_EQ(column(id, "participants"), "0");
  ASSERT_TRUE(eventually([&] { return column(id, "is_paused") == "t"; }));
  EXPECT_EQ(count_events(id, "pause"), 1);
  // Kinds that say nothing about presence, and rooms that name no session.
  auto [s11, b11] = post(event("EV_11", "track_published", id));
  EXPECT_EQ(json::parse(b11)["result"], "ignored");
  auto [s12, b12] = post(event("EV_12", "participant_joined", "lobby", "PA_x", "erin"));
  EXPECT_EQ(s12, 200);
  EXPECT_EQ(json::parse(b12)["result"], "ignored");
  expect_log_matches_row(id);
}

// A connection that goes silent (no frames, no pongs: a phone in a tunnel)
// is closed at the idle timeout, and that is a leave.
TEST_F(GraceTest, AHalfOpenConnectionIsALeave) {
  worker_ = start_worker({"--idle-timeout", "2"});
  auto id = new_session();
  Participant alice(worker_->port(), "alice", id);
  auto silent = std::make_unique<Participant>(worker_->port(), "bob", id);
  ASSERT_TRUE(participants_are(id, 2));
  require_two(id);
  // alice keeps answering pings (each receive reads, and Beast pongs while
  // reading); bob's socket is never read again.
  auto until = steady_clock::now() + milliseconds(4000);
  while (steady_clock::now() < until && column(id, "participants") != "1") alice.ws().receive(milliseconds(100));
  EXPECT_EQ(column(id, "participants"), "1");
  EXPECT_EQ(count_events(id, "leave", "participant_id = 'bob'"), 1);
  EXPECT_EQ(count_events(id, "leave", "participant_id = 'alice'"), 0);
  EXPECT_EQ(column(id, "grace_deadline_at IS NOT NULL OR is_paused"), "t");
}

TEST_F(GraceTest, PresenceNeedsAUserTokenAndMembership) {
  worker_ = start_worker();
  auto id = new_session();
  t::WsClient ws(worker_->port());
  ws.send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
  auto refused = ws.receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "unauthorized");
  ws.send({{"t", "AUTH"}, {"token", t::make_token("mallory", "authenticated", 600)}});
  ASSERT_TRUE(ws.receive_type("AUTH_OK"));
  ws.send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
  refused = ws.receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden");
  ws.send({{"t", "AUTH"}, {"token", t::make_token("", "service_role", 600)}});
  ASSERT_TRUE(ws.receive_type("AUTH_OK"));
  ws.send({{"t", "JOIN_SESSION"}, {"sessionId", id}});
  refused = ws.receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden");
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(column(id, "participants"), "0");
  EXPECT_EQ(count_events(id, "join"), 0);
}

}  // namespace

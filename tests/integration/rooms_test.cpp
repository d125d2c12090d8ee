// Playback rooms end to end: two real worker processes on one database, real
// WebSocket members on both, the schedule judged by the members' own clocks
// (same host: the workers' server time is this machine's).
#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "harness.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

double wall_ms() { return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0; }

// A signed-in connection.
std::unique_ptr<t::WsClient> member(unsigned short port, const std::string& user) {
  auto ws = std::make_unique<t::WsClient>(port);
  ws->send({{"t", "AUTH"}, {"token", t::make_token(user, "authenticated", 600)}});
  EXPECT_TRUE(ws->receive_type("AUTH_OK"));
  return ws;
}

// The frame of `type` and when it arrived (wall ms), or nullopt.
std::optional<std::pair<json, double>> arrival(t::WsClient& ws, const std::string& type,
                                               milliseconds timeout = milliseconds(4000)) {
  auto frame = ws.receive_type(type, timeout);
  if (!frame) return std::nullopt;
  return std::make_pair(*frame, wall_ms());
}

class RoomsTest : public t::ClusterSuite {
 protected:
  void SetUp() override {
    a_ = start_worker();
    b_ = start_worker();
  }
  void TearDown() override { print_logs_on_failure({a_.get(), b_.get()}); }
  static std::unique_ptr<t::WorkerProcess> start_worker(std::vector<std::string> args = {}) {
    auto w = std::make_unique<t::WorkerProcess>(cluster_->url(), args);
    w->wait_listening();
    return w;
  }
  // The host creates a room on worker a; returns its code.
  std::string create_room(t::WsClient& host) {
    host.send({{"t", "CREATE_ROOM"}});
    auto state = host.receive_type("ROOM_STATE");
    EXPECT_TRUE(state);
    return state ? (*state)["code"].get<std::string>() : "";
  }
  static json join(t::WsClient& ws, const std::string& code) {
    ws.send({{"t", "JOIN_ROOM"}, {"code", code}});
    auto state = ws.receive_type("ROOM_STATE");
    EXPECT_TRUE(state) << "no ROOM_STATE on join";
    return state.value_or(json());
  }
  static json play(const std::string& request_id = "") {
    json m = {{"t", "HOST_PLAY"}, {"trackUrl", "https://media.test/song.mp3"}, {"title", "Song"},
              {"filename", "song.mp3"}, {"startPositionSec", 10}};
    if (!request_id.empty()) m["requestId"] = request_id;
    return m;
  }

  std::unique_ptr<t::WorkerProcess> a_, b_;
};

TEST_F(RoomsTest, EveryMemberOnEitherWorkerGetsPreparePlayThenPlayAtForTheSameInstant) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  auto guest_a = member(a_->port(), "ivo");
  auto guest_b = member(b_->port(), "jon");
  join(*guest_a, code);
  join(*guest_b, code);
  double sent = wall_ms();
  host->send(play());
  std::optional<double> start;
  for (auto* ws : {host.get(), guest_a.get(), guest_b.get()}) {
    auto prepare = arrival(*ws, "PREPARE_PLAY");
    ASSERT_TRUE(prepare);
    auto [frame, at] = *prepare;
    double start_at = frame["startAtServerMs"].get<double>();
    if (!start) start = start_at;
    EXPECT_EQ(start_at, *start);  // one instant for everyone, on both workers
    EXPECT_LT(at, start_at) << "PREPARE_PLAY arrived after the start";
    EXPECT_NEAR(start_at - sent, 1200, 150);  // the default lead: no member reported a round trip
    EXPECT_EQ(frame["trackUrl"], "https://media.test/song.mp3");
    EXPECT_EQ(frame["startPositionSec"], 10);
  }
  for (auto* ws : {host.get(), guest_a.get(), guest_b.get()}) {
    auto play_at = arrival(*ws, "PLAY_AT");
    ASSERT_TRUE(play_at);
    auto [frame, at] = *play_at;
    EXPECT_EQ(frame["startAtServerMs"].get<double>(), *start);
    EXPECT_GE(at, *start - 1);       // at the instant, not before
    EXPECT_LT(at, *start + 100);     // and promptly
    EXPECT_EQ(frame["title"], "Song");
  }
}

TEST_F(RoomsTest, ANonHostIsRefusedAndNothingIsBroadcast) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  auto guest = member(b_->port(), "ivo");
  join(*guest, code);
  guest->send(play());
  auto refused = guest->receive_type("ERROR");
  ASSERT_TRUE(refused);
  EXPECT_EQ((*refused)["code"], "forbidden");
  EXPECT_FALSE(host->receive_type("PREPARE_PLAY", milliseconds(400)));
  EXPECT_EQ(cluster_->sql("SELECT version FROM session_clock.rooms WHERE code = '" + code + "'"), "1");
  // A guest who has not joined is refused the commands too.
  auto stranger = member(a_->port(), "kim");
  stranger->send({{"t", "HOST_STOP"}});
  auto not_in = stranger->receive_type("ERROR");
  ASSERT_TRUE(not_in);
  EXPECT_EQ((*not_in)["code"], "invalid_state");
}

TEST_F(RoomsTest, ARepeatedRequestIdIsAppliedOnce) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  auto guest = member(b_->port(), "ivo");
  join(*guest, code);
  host->send(play("req-1"));
  host->send(play("req-1"));
  ASSERT_TRUE(guest->receive_type("PREPARE_PLAY"));
  EXPECT_FALSE(guest->receive_type("PREPARE_PLAY", milliseconds(500)));
  EXPECT_EQ(cluster_->sql("SELECT count(*) FROM session_clock.room_events WHERE code = '" + code +
                          "' AND event = 'play'"),
            "1");
}

TEST_F(RoomsTest, ALateJoinerOnEitherWorkerCanComputeThePositionNow) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  host->send(play());
  auto prepare = host->receive_type("PREPARE_PLAY");
  ASSERT_TRUE(prepare);
  double start_at = (*prepare)["startAtServerMs"].get<double>();
  std::this_thread::sleep_for(milliseconds(static_cast<long>(start_at - wall_ms()) + 700));
  for (auto port : {a_->port(), b_->port()}) {
    auto late = member(port, port == a_->port() ? "lea" : "max");
    auto state = join(*late, code);
    double now = wall_ms();
    auto track = state["currentTrack"];
    EXPECT_EQ(track["status"], "playing");
    EXPECT_EQ(track["url"], "https://media.test/song.mp3");
    EXPECT_EQ(track["startAtServerMs"].get<double>(), start_at);
    // The state's schedule gives SQL's own answer at SQL's own instant
    // (server_now): judged there, a new connection's start-up (~50 ms on a
    // busy host) costs nothing.
    auto at_sql = cluster_->sql("SELECT position_ms / 1000 || ' ' || extract(epoch FROM server_now) * 1000 "
                                "FROM session_clock_room_state('" + code + "')");
    double truth = std::stod(at_sql.substr(0, at_sql.find(' ')));
    double sql_now = std::stod(at_sql.substr(at_sql.find(' ') + 1));
    auto position_at = [&](double server_ms) {
      return track["startPositionSec"].get<double>() + (server_ms - track["startAtServerMs"].get<double>()) / 1000;
    };
    EXPECT_NEAR(position_at(sql_now), truth, 0.001);
    EXPECT_GT(position_at(now), 10.6);
  }
}

TEST_F(RoomsTest, AWorkerRestartBetweenPrepareAndPlayAtStillStartsOnTime) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  cluster_->sql("UPDATE session_clock.rooms SET lead_ms = 3000 WHERE code = '" + code + "'");
  auto guest = member(b_->port(), "ivo");
  join(*guest, code);
  host->send(play());
  auto prepare = guest->receive_type("PREPARE_PLAY");
  ASSERT_TRUE(prepare);
  double start_at = (*prepare)["startAtServerMs"].get<double>();
  b_->kill_hard();  // the guest's worker dies before the start
  guest.reset();
  b_ = start_worker();
  auto back = member(b_->port(), "ivo");
  auto state = join(*back, code);  // a member again: it reconnects and rejoins
  EXPECT_EQ(state["currentTrack"]["status"], "preparing");
  ASSERT_LT(wall_ms(), start_at) << "the restart took longer than the lead";
  auto again = back->receive_type("PREPARE_PLAY");
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)["startAtServerMs"].get<double>(), start_at);
  auto play_at = arrival(*back, "PLAY_AT");
  ASSERT_TRUE(play_at);
  EXPECT_EQ(play_at->first["startAtServerMs"].get<double>(), start_at);
  EXPECT_GE(play_at->second, start_at - 1);
  EXPECT_LT(play_at->second, start_at + 100);
}

TEST_F(RoomsTest, PauseAndStopAreScheduledAndReachEveryone) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  auto guest = member(b_->port(), "ivo");
  join(*guest, code);
  host->send(play());
  ASSERT_TRUE(guest->receive_type("PLAY_AT"));
  host->send({{"t", "HOST_PAUSE"}});
  auto pause = guest->receive_type("PAUSE_AT");
  ASSERT_TRUE(pause);
  EXPECT_GT((*pause)["atServerMs"].get<double>(), wall_ms());  // ahead, so everyone stops on the same frame
  EXPECT_GT((*pause)["positionSec"].get<double>(), 10);
  host->send({{"t", "HOST_STOP"}});
  auto stopped = guest->receive_type("STOPPED");
  ASSERT_TRUE(stopped);
  EXPECT_EQ(cluster_->sql("SELECT status FROM session_clock.rooms WHERE code = '" + code + "'"), "idle");
}

TEST_F(RoomsTest, TheHostSeesWhoIsReady) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  auto guest = member(b_->port(), "ivo");
  join(*guest, code);
  host->send(play());
  auto prepare = guest->receive_type("PREPARE_PLAY");
  ASSERT_TRUE(prepare);
  guest->send({{"t", "READY"}, {"version", (*prepare)["version"]}});
  bool seen = false;
  for (int i = 0; i < 10 && !seen; ++i) {
    auto state = host->receive_type("ROOM_STATE");
    if (!state) break;
    for (const auto& m : (*state)["members"])
      if (m["id"] == "ivo" && m["ready"] == true) seen = true;
  }
  EXPECT_TRUE(seen) << "the host never saw ivo ready";
}

TEST_F(RoomsTest, ASlowMemberIsDroppedWithoutDelayingTheOthers) {
  b_ = start_worker({"--rate", "1000000", "--rate-burst", "1000000", "--max-send-queue", "8"});
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  auto guest = member(b_->port(), "ivo");
  join(*guest, code);
  auto slow = member(b_->port(), "kim");
  join(*slow, code);
  // kim never reads again, and asks for far more than the socket buffers hold.
  std::string ping = json{{"t", "TIME_PING"}, {"clientNowMs", 1.0}, {"pad", std::string(20, 'p')}}.dump();
  for (int i = 0; i < 60000; ++i) {
    try {
      slow->send_raw(ping);
    } catch (const std::exception&) {
      break;
    }
  }
  double sent = wall_ms();
  host->send(play());
  auto prepare = arrival(*guest, "PREPARE_PLAY");
  ASSERT_TRUE(prepare);
  EXPECT_LT(prepare->second - sent, 300);  // not held up by kim
  EXPECT_LT(prepare->second, prepare->first["startAtServerMs"].get<double>());
  bool dropped = false;
  for (int i = 0; i < 100 && !dropped; ++i) {
    auto [status, metrics] = t::http_request(b_->port(), "GET", "/metrics");
    dropped = metrics.find("session_clock_queue_drops_total 1\n") != std::string::npos;
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(dropped);
}

TEST_F(RoomsTest, PartyStateOverHttp) {
  auto host = member(a_->port(), "hana");
  auto code = create_room(*host);
  host->send(play());
  ASSERT_TRUE(host->receive_type("PREPARE_PLAY"));
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto [status, body] = t::http_request(b_->port(), "GET", "/api/party-state?code=" + lower);
  EXPECT_EQ(status, 200) << body;
  auto state = json::parse(body);
  EXPECT_EQ(state["currentTrack"]["url"], "https://media.test/song.mp3");
  EXPECT_EQ(state["currentTrack"]["title"], "Song");
  EXPECT_EQ(state["currentTrack"]["startPositionSec"], 10);
  EXPECT_TRUE(state["currentTrack"]["startAtServerMs"].is_number());
  EXPECT_EQ(state["currentTrack"]["status"], "preparing");
  EXPECT_EQ(t::http_request(a_->port(), "GET", "/api/party-state?code=NOSUCH").first, 404);
  EXPECT_EQ(t::http_request(a_->port(), "GET", "/api/party-state?code=x").first, 400);
  EXPECT_EQ(t::http_request(a_->port(), "GET", "/api/party-state").first, 400);
}

}  // namespace

// Defect 6 of the hardening issue: GET /api/party-state answers anyone, so
// one address flooding it must get 429 with Retry-After while another
// address is still answered, a crowd asking about one room must cost the
// database about one read, and unknown codes must spend the address's guest
// failure budget (the same door as JOIN_ROOM's, so codes are not enumerable
// through either).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "harness.hpp"
#include "http_client.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

constexpr int kRate = 5, kBurst = 10, kCacheMs = 2000;

class PartyStateLimits : public t::ClusterSuite {
 protected:
  void SetUp() override {
    // The party-state settings through the environment, which a worker
    // without them ignores: the tests then fail on what it does.
    worker_ = std::make_unique<t::WorkerProcess>(
        cluster_->url(),
        std::vector<std::string>{"--guest-join-failure-burst", "3", "--guest-join-failures-per-minute", "6"},
        std::vector<std::string>{"SESSION_CLOCK_PARTY_STATE_RATE=" + std::to_string(kRate),
                                 "SESSION_CLOCK_PARTY_STATE_BURST=" + std::to_string(kBurst),
                                 "SESSION_CLOCK_PARTY_STATE_CACHE_MS=" + std::to_string(kCacheMs)});
    ASSERT_TRUE(worker_->wait_listening());
  }
  void TearDown() override { print_logs_on_failure({worker_.get()}); }

  // A room with a host connected (kept: the room lives with it); its code.
  std::string create_room() {
    host_ = std::make_unique<t::WsClient>(worker_->port());
    host_->send({{"t", "AUTH"}, {"token", t::make_token("hana", "authenticated", 600)}});
    EXPECT_TRUE(host_->receive_type("AUTH_OK"));
    host_->send({{"t", "CREATE_ROOM"}, {"guests", true}});
    auto state = host_->receive_type("ROOM_STATE");
    EXPECT_TRUE(state);
    return state ? (*state)["code"].get<std::string>() : "";
  }
  // A value of /metrics (-1 when it is not there).
  double metric(const std::string& series) const {
    auto [status, body] = t::http_request(worker_->port(), "GET", "/metrics");
    auto at = body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(body.substr(at + series.size() + 2));
  }
  double queries() const { return metric("session_clock_party_state_queries_total"); }

  std::unique_ptr<t::WorkerProcess> worker_;
  std::unique_ptr<t::WsClient> host_;
};

TEST_F(PartyStateLimits, AFloodFromOneAddressGets429WhileAnotherIsAnswered) {
  auto code = create_room();
  t::HttpClient flooder(worker_->port(), "127.0.0.2");
  int ok = 0, limited = 0;
  t::HttpReply refusal;
  auto start = steady_clock::now();
  for (int i = 0; i < 200 && steady_clock::now() - start < seconds(5); ++i) {
    auto reply = flooder.get("/api/party-state?code=" + code);
    if (reply.status == 200) ++ok;
    if (reply.status == 429) {
      ++limited;
      refusal = reply;
    }
  }
  double elapsed_s = duration<double>(steady_clock::now() - start).count();
  EXPECT_GT(limited, 0);
  EXPECT_LE(ok, kBurst + kRate * elapsed_s + 1) << "in " << elapsed_s << " s";
  ASSERT_EQ(refusal.status, 429);
  auto retry_after = std::string(refusal.headers["Retry-After"]);
  ASSERT_FALSE(retry_after.empty());
  EXPECT_GE(std::stoi(retry_after), 1);
  EXPECT_LE(std::stoi(retry_after), 2);  // one token at 5/s
  EXPECT_GE(metric("session_clock_party_state_limited_total"), limited);

  // Another address is answered meanwhile...
  t::HttpClient other(worker_->port(), "127.0.0.3");
  auto answered = other.get("/api/party-state?code=" + code);
  EXPECT_EQ(answered.status, 200) << answered.body;
  // ...and the flooder again once it waited as told.
  std::this_thread::sleep_for(seconds(std::stoi(retry_after)));
  EXPECT_EQ(flooder.get("/api/party-state?code=" + code).status, 200);
}

TEST_F(PartyStateLimits, ACrowdAskingAboutOneRoomCostsOneRead) {
  auto code = create_room();
  double before = queries();
  ASSERT_GE(before, 0) << "no session_clock_party_state_queries_total in /metrics";
  // 40 clients at once, each from its own address: about one read, and the
  // rest from the kept row (or waiting on the read in flight).
  std::vector<std::thread> crowd;
  std::atomic<int> ok{0};
  auto start = steady_clock::now();
  for (int i = 0; i < 40; ++i)
    crowd.emplace_back([&, i] {
      t::HttpClient client(worker_->port(), "127.0.1." + std::to_string(10 + i));
      if (client.get("/api/party-state?code=" + code).status == 200) ++ok;
    });
  for (auto& c : crowd) c.join();
  auto took = steady_clock::now() - start;
  EXPECT_EQ(ok, 40);
  if (took < milliseconds(kCacheMs)) {
    EXPECT_LE(queries() - before, 1);
  } else {
    ADD_FAILURE() << "the crowd took " << duration_cast<milliseconds>(took).count() << " ms: longer than the cache";
  }
}

// The kept row is the room's schedule, not a rendered answer: serverNowMs
// moves on, and a change (the room's NOTIFY) is seen at once, not after the
// cache's time.
TEST_F(PartyStateLimits, KeptRowsAnswerWithTheTimeNowAndDropOnAChange) {
  auto code = create_room();
  t::HttpClient client(worker_->port(), "127.0.0.4");
  auto first = json::parse(client.get("/api/party-state?code=" + code).body);
  double reads = queries();
  std::this_thread::sleep_for(milliseconds(150));
  auto second = json::parse(client.get("/api/party-state?code=" + code).body);
  EXPECT_EQ(queries(), reads);  // kept
  EXPECT_GE(second["serverNowMs"].get<double>() - first["serverNowMs"].get<double>(), 140);
  EXPECT_TRUE(second["currentTrack"]["url"].is_null()) << second.dump();  // idle

  host_->send({{"t", "HOST_PLAY"},
               {"trackUrl", "https://media.test/song.mp3"},
               {"title", "Song"},
               {"filename", "song.mp3"},
               {"startPositionSec", 10}});
  ASSERT_TRUE(host_->receive_type("PREPARE_PLAY"));
  auto changed_at = steady_clock::now();
  json seen;
  while (steady_clock::now() - changed_at < milliseconds(kCacheMs / 2)) {
    seen = json::parse(client.get("/api/party-state?code=" + code).body);
    if (seen["currentTrack"]["url"].is_string()) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(seen["currentTrack"]["url"].is_string()) << "still the kept row after " << kCacheMs / 2 << " ms";
  EXPECT_EQ(seen["currentTrack"]["url"], "https://media.test/song.mp3");
}

TEST_F(PartyStateLimits, UnknownCodesSpendTheGuestFailureBudget) {
  auto code = create_room();
  t::HttpClient prober(worker_->port(), "127.0.0.5");
  for (std::string guess : {"AAAA1", "AAAA2", "AAAA3"})
    EXPECT_EQ(prober.get("/api/party-state?code=" + guess).status, 404);
  // The burst (3) is spent: even the right code is refused, saying when to
  // come back (one failure at 6 a minute: 10 s)...
  auto refused = prober.get("/api/party-state?code=" + code);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(std::string(refused.headers["Retry-After"]), "10");
  // ...and so is a guest join from the same address: one budget for both doors.
  t::WsClient guest(worker_->port(), "/ws", {}, "127.0.0.5");
  guest.send({{"t", "JOIN_ROOM"}, {"code", code}});
  auto answer = guest.receive_type("ERROR");
  ASSERT_TRUE(answer);
  EXPECT_EQ((*answer)["code"], "rate_limited");
  // Another address is not held to it.
  EXPECT_EQ(t::HttpClient(worker_->port(), "127.0.0.6").get("/api/party-state?code=" + code).status, 200);
}

}  // namespace

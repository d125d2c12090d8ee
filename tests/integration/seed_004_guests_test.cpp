// Seed 004's listening party: guests join with a code and have no account.
// The host signs in and creates a room that admits guests; a guest opens
// /ws with no token and sends the seed's {"t":"JOIN_ROOM","code":…}, then
// hears PREPARE_PLAY and PLAY_AT in the seed's shapes, says READY, and can
// command nothing. Unknown codes and rooms without guests answer alike and
// are rate-limited per address; guest places are limited per address (each
// 127.0.0.x a client of its own, and behind a trusted proxy each forwarded
// address) and per room, and given back when the connection closes. Real
// worker, real cluster.
#include <gtest/gtest.h>

#include <thread>

#include "harness.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

constexpr const char* kProxy = "127.0.0.9";  // the only trusted proxy

class Seed004Guests : public t::ClusterSuite {
 protected:
  void SetUp() override {
    worker_ = std::make_unique<t::WorkerProcess>(
        cluster_->url(), std::vector<std::string>{"--max-guests-per-address", "2", "--max-guests-per-room", "4",
                                                  "--guest-join-failure-burst", "3",
                                                  "--guest-join-failures-per-minute", "1", "--trusted-proxies", kProxy});
    worker_->wait_listening();
  }
  void TearDown() override { print_logs_on_failure({worker_.get()}); }

  std::unique_ptr<t::WsClient> host(const std::string& user = "hana") {
    auto ws = std::make_unique<t::WsClient>(worker_->port());
    ws->send({{"t", "AUTH"}, {"token", t::make_token(user, "authenticated", 600)}});
    EXPECT_TRUE(ws->receive_type("AUTH_OK"));
    return ws;
  }
  std::string create_room(t::WsClient& host, bool guests) {
    host.send({{"t", "CREATE_ROOM"}, {"guests", guests}});
    auto state = host.receive_type("ROOM_STATE");
    EXPECT_TRUE(state);
    return state ? (*state)["code"].get<std::string>() : "";
  }
  // A tokenless connection from `source`, with the headers a proxy adds.
  std::unique_ptr<t::WsClient> visitor(const std::string& source = "127.0.0.1",
                                       std::vector<std::pair<std::string, std::string>> headers = {}) {
    return std::make_unique<t::WsClient>(worker_->port(), "/ws", std::move(headers), source);
  }
  // JOIN_ROOM's answer: "ROOM_STATE" or the ERROR's code.
  static std::string join(t::WsClient& ws, const std::string& code, const std::string& name = "") {
    json m = {{"t", "JOIN_ROOM"}, {"code", code}};
    if (!name.empty()) m["name"] = name;
    ws.send(m);
    while (auto frame = ws.receive()) {
      if ((*frame)["t"] == "ROOM_STATE") return "ROOM_STATE";
      if ((*frame)["t"] == "ERROR") return (*frame)["code"].get<std::string>();
    }
    return "nothing";
  }
  int guests_in(const std::string& code) const {
    return std::stoi(cluster_->sql("SELECT count(*) FROM session_clock.room_members WHERE code = '" + code +
                                   "' AND participant_id LIKE 'guest:%'"));
  }
  static bool eventually(const std::function<bool()>& check) {
    for (int i = 0; i < 100; ++i, std::this_thread::sleep_for(milliseconds(50)))
      if (check()) return true;
    return false;
  }

  std::unique_ptr<t::WorkerProcess> worker_;
};

TEST_F(Seed004Guests, AGuestJoinsWithTheCodeAndHearsEveryScheduleButCommandsNothing) {
  auto party_host = host();
  auto code = create_room(*party_host, true);
  EXPECT_EQ(code.size(), 10u) << "a guest room's code resists guessing";

  auto guest = visitor();
  guest->send({{"t", "JOIN_ROOM"}, {"code", code}, {"name", "Ann"}});
  auto state = guest->receive_type("ROOM_STATE");
  ASSERT_TRUE(state);
  std::string guest_id;
  for (const auto& m : (*state)["members"])
    if (m.contains("name") && m["name"] == "Ann") guest_id = m["id"];
  EXPECT_EQ(guest_id.rfind("guest:", 0), 0u) << state->dump();

  party_host->send({{"t", "HOST_PLAY"}, {"trackUrl", "https://media.test/song.mp3"}, {"title", "Song Title"},
                    {"filename", "song.mp3"}, {"startPositionSec", 0}});
  // The seed's PREPARE_PLAY and PLAY_AT, field for field.
  for (const char* type : {"PREPARE_PLAY", "PLAY_AT"}) {
    auto frame = guest->receive_type(type);
    ASSERT_TRUE(frame) << type;
    EXPECT_EQ((*frame)["trackUrl"], "https://media.test/song.mp3");
    EXPECT_EQ((*frame)["title"], "Song Title");
    EXPECT_EQ((*frame)["filename"], "song.mp3");
    EXPECT_TRUE((*frame)["startAtServerMs"].is_number());
    EXPECT_EQ((*frame)["startPositionSec"], 0);
    if (std::string(type) == "PLAY_AT") {
      // The seed's tab resume: GET /api/party-state and hand currentTrack
      // to the same PLAY_AT handler.
      auto [status, body] = t::http_request(worker_->port(), "GET", "/api/party-state?code=" + code);
      ASSERT_EQ(status, 200) << body;
      auto track = json::parse(body)["currentTrack"];
      EXPECT_EQ(track["status"], "playing");
      for (const char* key : {"trackUrl", "title", "startAtServerMs", "startPositionSec"})
        EXPECT_EQ(track[key], (*frame)[key]) << key;
    }
  }
  auto version = cluster_->sql("SELECT version FROM session_clock.rooms WHERE code = '" + code + "'");
  guest->send({{"t", "READY"}, {"version", std::stoi(version)}});
  ASSERT_TRUE(eventually([&] {
    return cluster_->sql("SELECT ready_version FROM session_clock.room_members WHERE code = '" + code +
                         "' AND participant_id = '" + guest_id + "'") == version;
  }));

  // Host commands are refused, and nothing changes.
  for (json command : {json{{"t", "HOST_PAUSE"}}, json{{"t", "HOST_STOP"}}, json{{"t", "HOST_SEEK"}, {"positionSec", 5}},
                       json{{"t", "HOST_PLAY"}, {"trackUrl", "https://evil.test/x.mp3"}}}) {
    guest->send(command);
    auto refused = guest->receive_type("ERROR");
    ASSERT_TRUE(refused) << command.dump();
    EXPECT_EQ((*refused)["code"], "forbidden") << command.dump();
  }
  guest->send({{"t", "CREATE_ROOM"}});
  auto no_create = guest->receive_type("ERROR");
  ASSERT_TRUE(no_create);
  EXPECT_EQ((*no_create)["code"], "invalid_state");
  EXPECT_EQ(cluster_->sql("SELECT version FROM session_clock.rooms WHERE code = '" + code + "'"), version);

  party_host->send({{"t", "HOST_PAUSE"}});
  EXPECT_TRUE(guest->receive_type("PAUSE_AT"));
  party_host->send({{"t", "HOST_STOP"}});
  EXPECT_TRUE(guest->receive_type("STOPPED"));

  // A guest does not outlive its connection.
  EXPECT_EQ(guests_in(code), 1);
  guest.reset();
  EXPECT_TRUE(eventually([&] { return guests_in(code) == 0; }));
}

TEST_F(Seed004Guests, NoRoomAndARoomWithoutGuestsAnswerAlikeAndFailuresAreLimitedPerAddress) {
  auto party_host = host();
  auto plain = create_room(*party_host, false);
  auto party = create_room(*host("ivo"), true);

  auto prober = visitor("127.0.0.2");
  EXPECT_EQ(join(*prober, plain), "unauthorized");
  EXPECT_EQ(join(*prober, "NOSUCHROOM"), "unauthorized");
  // A failure counts even when the client does not wait for the answer.
  {
    auto hit_and_run = visitor("127.0.0.2");
    hit_and_run->send({{"t", "JOIN_ROOM"}, {"code", "NOSUCHROOM2"}});
  }
  std::this_thread::sleep_for(milliseconds(300));
  // The burst (3) is spent: even the right code is refused from here...
  EXPECT_EQ(join(*prober, party), "rate_limited");
  // ...but not from another address, and nothing was added meanwhile.
  auto elsewhere = visitor("127.0.0.3");
  EXPECT_EQ(join(*elsewhere, party), "ROOM_STATE");
  EXPECT_EQ(guests_in(plain), 0);
}

TEST_F(Seed004Guests, GuestPlacesArePerAddressAndPerRoomAndComeBackOnClose) {
  auto party = create_room(*host(), true);
  auto first = visitor("127.0.0.4");
  auto second = visitor("127.0.0.4");
  auto third = visitor("127.0.0.4");
  EXPECT_EQ(join(*first, party), "ROOM_STATE");
  EXPECT_EQ(join(*second, party), "ROOM_STATE");
  EXPECT_EQ(join(*third, party), "limit_reached");
  first.reset();
  EXPECT_TRUE(eventually([&] { return guests_in(party) == 1; }));
  EXPECT_EQ(join(*third, party), "ROOM_STATE");

  // The room holds 4 guests, whoever they are (each kept connected: a
  // guest leaves with its connection).
  auto fourth = visitor("127.0.0.5"), fifth = visitor("127.0.0.6"), sixth = visitor("127.0.0.7");
  EXPECT_EQ(join(*fourth, party), "ROOM_STATE");
  EXPECT_EQ(join(*fifth, party), "ROOM_STATE");
  EXPECT_EQ(join(*sixth, party), "limit_reached");
}

TEST_F(Seed004Guests, BehindATrustedProxyEachForwardedClientHasItsOwnPlaces) {
  auto party = create_room(*host(), true);
  auto via_proxy = [&](const std::string& client) {
    return visitor(kProxy, {{"X-Forwarded-For", client}});
  };
  // Two clients behind the proxy: two places each, not two in all.
  auto a1 = via_proxy("198.51.100.1"), a2 = via_proxy("198.51.100.1"), a3 = via_proxy("198.51.100.1");
  auto b1 = via_proxy("198.51.100.2");
  EXPECT_EQ(join(*a1, party), "ROOM_STATE");
  EXPECT_EQ(join(*a2, party), "ROOM_STATE");
  EXPECT_EQ(join(*a3, party), "limit_reached");
  EXPECT_EQ(join(*b1, party), "ROOM_STATE");
  // From anyone else the header is ignored: it cannot buy more places.
  auto other_party = create_room(*host("ivo"), true);
  auto spoof1 = visitor("127.0.0.8", {{"X-Forwarded-For", "203.0.113.1"}});
  auto spoof2 = visitor("127.0.0.8", {{"X-Forwarded-For", "203.0.113.2"}});
  auto spoof3 = visitor("127.0.0.8", {{"X-Forwarded-For", "203.0.113.3"}});
  EXPECT_EQ(join(*spoof1, other_party), "ROOM_STATE");
  EXPECT_EQ(join(*spoof2, other_party), "ROOM_STATE");
  EXPECT_EQ(join(*spoof3, other_party), "limit_reached");
}

}  // namespace

// Seed 002 (a parking site's React ServerClock): its client opens
// ws://HOST/ws/time/, sends nothing, and reads a time_update at once and then
// every second, with the fields its Django consumer made. Here that client's
// exact behaviour against the real worker; the field formats themselves are
// compared with Python's own output in tests/unit/time_update_python_test.cpp.
#include <gtest/gtest.h>

#include <regex>

#include "harness.hpp"

namespace t = session_clock::testing;
using t::json;
using namespace std::chrono;

namespace {

double wall_ms() { return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0; }

class Seed002TimeFeed : public t::ClusterSuite {
 protected:
  void SetUp() override { worker_ = std::make_unique<t::WorkerProcess>(cluster_->url()); }
  void TearDown() override { print_logs_on_failure({worker_.get()}); }
  std::unique_ptr<t::WorkerProcess> worker_;
};

// The seed's data format, key by key, and its fields agreeing with each other.
void expect_seed_shape(const json& u, const std::string& zone, const std::string& offset) {
  EXPECT_EQ(u["type"], "time_update");
  EXPECT_EQ(u["timezone"], zone);
  for (const char* key : {"datetime", "formatted", "date", "time", "time_24h", "weekday"})
    ASSERT_TRUE(u[key].is_string()) << key;
  for (const char* key : {"timestamp", "year", "month", "day", "hour", "minute", "second"})
    ASSERT_TRUE(u[key].is_number_integer()) << key;
  std::smatch m;
  std::string datetime = u["datetime"];
  ASSERT_TRUE(std::regex_match(datetime, m, std::regex(R"((\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d{6})?([+-]\d\d:\d\d))")))
      << datetime;
  EXPECT_EQ(m[1], u["date"].get<std::string>());
  EXPECT_EQ(m[2], u["time_24h"].get<std::string>());
  EXPECT_EQ(m[4], offset);
  char ymd[16], hms[16];
  std::snprintf(ymd, sizeof ymd, "%04d-%02d-%02d", u["year"].get<int>(), u["month"].get<int>(), u["day"].get<int>());
  std::snprintf(hms, sizeof hms, "%02d:%02d:%02d", u["hour"].get<int>(), u["minute"].get<int>(), u["second"].get<int>());
  EXPECT_EQ(u["date"], ymd);
  EXPECT_EQ(u["time_24h"], hms);
  std::string time = u["time"];
  EXPECT_TRUE(std::regex_match(time, std::regex(R"((0[1-9]|1[0-2]):\d\d:\d\d (AM|PM))"))) << time;
  std::string formatted = u["formatted"];
  EXPECT_EQ(formatted, u["weekday"].get<std::string>() + formatted.substr(formatted.find(',')));
  EXPECT_TRUE(std::regex_match(formatted, std::regex(R"([A-Z][a-z]+day, [A-Z][a-z]+ \d\d \d{4}, \d\d:\d\d:\d\d (AM|PM))")))
      << formatted;
  EXPECT_EQ(formatted.substr(formatted.size() - 11), time);
}

TEST_F(Seed002TimeFeed, TheServerClockGetsAnUpdateAtOnceAndEverySecond) {
  double opened = wall_ms();
  t::WsClient ws(worker_->port(), "/ws/time/");  // sends nothing, as the seed's client
  auto first = ws.receive(milliseconds(500));
  ASSERT_TRUE(first) << "no time_update at once";
  expect_seed_shape(*first, "UTC", "+00:00");
  // The current time, not a second boundary: the clock has it before the tick.
  EXPECT_NEAR((*first)["timestamp"].get<double>(), opened / 1000, 1.5);
  auto previous = (*first)["timestamp"].get<long long>();
  for (int i = 0; i < 3; ++i) {
    auto tick = ws.receive(milliseconds(1500));
    ASSERT_TRUE(tick) << "tick " << i;
    expect_seed_shape(*tick, "UTC", "+00:00");
    EXPECT_EQ((*tick)["timestamp"].get<long long>(), previous + 1);  // every second, none skipped
    EXPECT_EQ((*tick)["timestamp_ms"].get<long long>() % 1000, 0);  // on the server's second
    previous = (*tick)["timestamp"];
  }
}

TEST_F(Seed002TimeFeed, WithoutTheSlashAndInTheVisitorsZone) {
  t::WsClient plain(worker_->port(), "/ws/time?tz=Asia/Kathmandu");
  auto u = plain.receive(milliseconds(500));
  ASSERT_TRUE(u);
  expect_seed_shape(*u, "Asia/Kathmandu", "+05:45");
  // As a browser's URLSearchParams encodes it.
  t::WsClient encoded(worker_->port(), "/ws/time/?tz=America%2FSt_Johns");
  auto v = encoded.receive(milliseconds(500));
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["timezone"], "America/St_Johns");
  EXPECT_TRUE((*v)["utc_offset"] == "-03:30" || (*v)["utc_offset"] == "-02:30") << *v;
}

TEST_F(Seed002TimeFeed, AnUnknownZoneIsRefusedBeforeTheHandshake) {
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws/time/?tz=Mars/Olympus_Mons"), 400);
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws/time/?tz=Europe%2"), 400);
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws/time/?tz=../../etc/passwd"), 400);
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws/times"), 404);
  EXPECT_EQ(t::upgrade_status(worker_->port(), "/ws/time/"), 101);
}

// SUBSCRIBE_TIME on /ws sends the same frames: the current time at once,
// then one per second.
TEST_F(Seed002TimeFeed, SubscribeTimeOnWsUsesTheSameFormats) {
  t::WsClient ws(worker_->port());
  ws.send({{"t", "SUBSCRIBE_TIME"}, {"timezone", "Europe/Berlin"}});
  ASSERT_TRUE(ws.receive_type("SUBSCRIBED"));
  auto now = ws.receive(milliseconds(500));
  ASSERT_TRUE(now);
  bool summer = (*now)["utc_offset"] == "+02:00";
  expect_seed_shape(*now, "Europe/Berlin", summer ? "+02:00" : "+01:00");
  auto tick = ws.receive_type("time_update", milliseconds(1500));
  ASSERT_TRUE(tick);
  EXPECT_EQ((*tick)["timestamp"].get<long long>(), (*now)["timestamp"].get<long long>() + 1);
}

}  // namespace

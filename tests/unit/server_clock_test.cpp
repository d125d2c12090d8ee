// ServerClock: the database's time through the measured offset from this
// host's monotonic clock; this host's wall clock only until the first
// exchange. Exchanges here are made up (a "database" 2,500 ms ahead of
// this host's wall clock), so the arithmetic is checked without a database;
// tests/integration/database_clock_test.cpp checks it against a real one.
#include "time/server_clock.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace session_clock::worker {
namespace {

using namespace std::chrono;

double wall_ms() { return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count() / 1000.0; }



// An exchange with a database 2,500 ms ahead of this host's wall clock,
// 0.1 ms each way, stamped as the probe stamps it.
void exchange(ServerClock& clock, double ahead_ms) {
  auto sent = steady_clock::now();
  double database_ms = wall_ms() + 0.1 + ahead_ms;
  clock.add_exchange(sent, database_ms, sent + microseconds(200));
}

TEST(ServerClock, UntilMeasuredItIsThisHostsClockWithNoBound) {
  ServerClock clock(5, ServerClock::database_estimator_options(milliseconds(1000), 500));
  EXPECT_NEAR(clock.now_ms(), wall_ms(), 5);
  auto s = clock.status();
  EXPECT_FALSE(s.measured);
  EXPECT_FALSE(s.within_bound);
  EXPECT_TRUE(std::isinf(s.error_ms));
}

TEST(ServerClock, AfterAnExchangeItIsTheDatabasesClock) {
  ServerClock clock(5, ServerClock::database_estimator_options(milliseconds(1000), 500));
  exchange(clock, 2500);
  EXPECT_NEAR(clock.now_ms() - wall_ms(), 2500, 1);
  EXPECT_NEAR(static_cast<double>(clock.now_us()) / 1000 - wall_ms(), 2500, 1);
  auto s = clock.status();
  EXPECT_TRUE(s.measured);
  EXPECT_TRUE(s.within_bound);
  EXPECT_NEAR(s.offset_ms, 2500, 1);
  EXPECT_LT(s.error_ms, 0.5);
  EXPECT_EQ(s.exchanges, 1u);
}

// A PLAY_AT's timer: the database's instant 300 ms from now is 300 ms from
// now on the monotonic clock, however far this host's wall clock is off.
TEST(ServerClock, ADatabaseInstantMapsToTheMonotonicClock) {
  ServerClock clock(5, ServerClock::database_estimator_options(milliseconds(1000), 500));
  exchange(clock, -2500);
  auto at = clock.steady_at(clock.now_ms() + 300);
  double ahead_ms = std::chrono::duration<double, std::milli>(at - steady_clock::now()).count();
  EXPECT_NEAR(ahead_ms, 300, 2);
}

// No exchange for a while: the bound grows at the drift rate and leaves the
// threshold; the served time does not jump.
TEST(ServerClock, WithoutExchangesTheBoundGrowsAtTheDriftRate) {
  ServerClock clock(0.2, ServerClock::database_estimator_options(milliseconds(1000), 5000));
  exchange(clock, 1000);
  auto fresh = clock.status();
  EXPECT_TRUE(fresh.within_bound);
  std::this_thread::sleep_for(milliseconds(100));
  auto later = clock.status();
  EXPECT_NEAR(later.error_ms - fresh.error_ms, later.age_ms * 5000e-6, 0.01);  // 5000 ppm of the age
  EXPECT_FALSE(later.within_bound);
  EXPECT_NEAR(clock.now_ms() - wall_ms(), 1000, 1);
}

}  // namespace
}  // namespace session_clock::worker

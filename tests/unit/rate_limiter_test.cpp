#include "limits/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace limits = session_clock::worker::limits;
using limits::RateLimiter;
using namespace std::chrono_literals;

namespace {

// An arbitrary steady-clock origin: the limiter must only look at differences.
const RateLimiter::Clock::time_point kT0 = RateLimiter::Clock::time_point{} + 12345s;

// Admits `count` messages at one instant; returns how many were allowed.
int burst(RateLimiter& limiter, int count, RateLimiter::Clock::time_point at) {
  int allowed = 0;
  for (int i = 0; i < count; ++i) allowed += limiter.admit(at).allowed;
  return allowed;
}

}  // namespace

TEST(RateLimiter, ConnectBurstPasses) {
  RateLimiter limiter(20, 64, 20);
  for (int i = 0; i < 64; ++i) {
    auto d = limiter.admit(kT0);
    EXPECT_TRUE(d.allowed) << i;
    EXPECT_FALSE(d.should_close) << i;
  }
  auto over = limiter.admit(kT0);
  EXPECT_FALSE(over.allowed);
  EXPECT_FALSE(over.should_close);
  EXPECT_EQ(limiter.strikes(), 1);
}

TEST(RateLimiter, RefillsAtTheConfiguredRate) {
  RateLimiter limiter(20, 64, 1000);
  EXPECT_EQ(burst(limiter, 64, kT0), 64);
  EXPECT_EQ(burst(limiter, 10, kT0 + 100ms), 2);  // 0.1 s × 20/s
  EXPECT_EQ(burst(limiter, 10, kT0 + 1100ms), 10);
  EXPECT_EQ(burst(limiter, 100, kT0 + 1h), 64);  // never more than the burst
}

TEST(RateLimiter, SustainedRateWithinTheLimitIsNeverRefused) {
  RateLimiter limiter(20, 4, 3);
  for (int i = 0; i < 2000; ++i) {  // 100 s at exactly 20/s
    auto d = limiter.admit(kT0 + i * 50ms);
    ASSERT_TRUE(d.allowed) << i;
  }
  EXPECT_EQ(limiter.strikes(), 0);
}

TEST(RateLimiter, SustainedFloodCloses) {
  RateLimiter limiter(20, 64, 20);
  EXPECT_EQ(burst(limiter, 64, kT0), 64);
  // 100 messages a second against 20 allowed: refusals every second, no calm.
  RateLimiter::Decision d;
  int sent = 0;
  for (; sent < 1000 && !d.should_close; ++sent) d = limiter.admit(kT0 + sent * 10ms);
  EXPECT_TRUE(d.should_close);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(limiter.strikes(), 20);
  // 20 refusals in the first 0.25 s at most (refill 20/s on 100/s sent).
  EXPECT_LE(sent, 26);
  // The verdict is final, however long the client then waits.
  auto later = limiter.admit(kT0 + 1h);
  EXPECT_FALSE(later.allowed);
  EXPECT_TRUE(later.should_close);
}

TEST(RateLimiter, SlowFloodJustOverTheRateStillCloses) {
  RateLimiter limiter(20, 4, 5);
  bool closed = false;
  int i = 0;
  for (; i < 5000 && !closed; ++i) closed = limiter.admit(kT0 + i * 45ms).should_close;  // ~22/s
  EXPECT_TRUE(closed);
}

TEST(RateLimiter, CalmClientRecovers) {
  RateLimiter limiter(20, 64, 20);
  EXPECT_EQ(burst(limiter, 64 + 19, kT0), 64);  // one strike short of closing
  EXPECT_EQ(limiter.strikes(), 19);
  // Half a second later: admitted, but not yet a full second of calm.
  EXPECT_TRUE(limiter.admit(kT0 + 500ms).allowed);
  EXPECT_EQ(limiter.strikes(), 19);
  // A full second after the last refusal: forgiven.
  EXPECT_TRUE(limiter.admit(kT0 + 1s).allowed);
  EXPECT_EQ(limiter.strikes(), 0);
  // So a later burst over the limit does not close at once.
  auto refill_to_full = kT0 + 10s;
  EXPECT_EQ(burst(limiter, 64 + 19, refill_to_full), 64);
  EXPECT_EQ(limiter.strikes(), 19);
  EXPECT_FALSE(limiter.admit(refill_to_full + 2s).should_close);
  EXPECT_EQ(limiter.strikes(), 0);
}

TEST(RateLimiter, RefusalsRestartTheCalmPeriod) {
  RateLimiter limiter(1, 1, 100);
  EXPECT_TRUE(limiter.admit(kT0).allowed);
  EXPECT_FALSE(limiter.admit(kT0).allowed);  // strike 1 at T0
  EXPECT_FALSE(limiter.admit(kT0 + 900ms).allowed);  // strike 2 at T0+0.9 s
  EXPECT_TRUE(limiter.admit(kT0 + 1500ms).allowed);  // only 0.6 s of calm
  EXPECT_EQ(limiter.strikes(), 2);
  EXPECT_TRUE(limiter.admit(kT0 + 2500ms).allowed);  // 1.6 s since the last refusal
  EXPECT_EQ(limiter.strikes(), 0);
}

TEST(RateLimiter, TimeGoingBackwardsRefillsNothing) {
  RateLimiter limiter(10, 2, 100);
  EXPECT_EQ(burst(limiter, 2, kT0 + 10s), 2);
  EXPECT_FALSE(limiter.admit(kT0).allowed);
  EXPECT_FALSE(limiter.admit(kT0 + 10s).allowed);  // the step back did not reset the reference
  EXPECT_TRUE(limiter.admit(kT0 + 10s + 100ms).allowed);
}

TEST(RateLimiter, FromLimits) {
  session_clock::worker::Limits l;
  l.rate_per_second = 5;
  l.rate_burst = 3;
  l.flood_strikes = 2;
  RateLimiter limiter(l);
  EXPECT_EQ(burst(limiter, 3, kT0), 3);
  EXPECT_FALSE(limiter.admit(kT0).should_close);
  EXPECT_TRUE(limiter.admit(kT0).should_close);
}

TEST(RateLimiter, NonsenseSettingsStillLimit) {
  RateLimiter limiter(0, -3, 0);  // becomes 1/s, burst 1, one strike
  EXPECT_TRUE(limiter.admit(kT0).allowed);
  EXPECT_TRUE(limiter.admit(kT0).should_close);
}

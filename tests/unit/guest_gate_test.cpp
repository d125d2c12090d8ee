// Guests per address: places held at once, and a bucket of failed joins
// that refills over time (time injected: steady_clock points).
#include "limits/guest_gate.hpp"

#include <gtest/gtest.h>

namespace limits = session_clock::worker::limits;
using Verdict = limits::GuestGate::Verdict;
using namespace std::chrono;

namespace {

limits::GuestGate gate(std::size_t per_address, double burst, double per_minute) {
  session_clock::worker::GuestLimits l;
  l.max_guests_per_address = per_address;
  l.join_failure_burst = burst;
  l.join_failures_per_minute = per_minute;
  return limits::GuestGate(l);
}

}  // namespace

TEST(GuestGate, AnAddressHoldsAtMostItsPlaces) {
  auto g = gate(2, 10, 6);
  auto t0 = steady_clock::time_point{} + hours(1);
  EXPECT_EQ(g.enter("a", t0), Verdict::admitted);
  EXPECT_EQ(g.enter("a", t0), Verdict::admitted);
  EXPECT_EQ(g.enter("a", t0), Verdict::too_many_guests);
  EXPECT_EQ(g.enter("b", t0), Verdict::admitted);  // another address is not affected
  g.leave("a");
  EXPECT_EQ(g.enter("a", t0), Verdict::admitted);
}

TEST(GuestGate, FailedJoinsSpendABucketThatRefills) {
  auto g = gate(100, 3, 6);  // 3 at once, then one every 10 s
  auto t0 = steady_clock::time_point{} + hours(1);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(g.enter("a", t0), Verdict::admitted);
    g.failed("a", t0);
    g.leave("a");
  }
  EXPECT_EQ(g.enter("a", t0 + seconds(9)), Verdict::too_many_failures);
  EXPECT_EQ(g.enter("b", t0 + seconds(9)), Verdict::admitted);
  EXPECT_EQ(g.enter("a", t0 + seconds(11)), Verdict::admitted);
}

TEST(GuestGate, AddressesHoldingNothingAreForgotten) {
  auto g = gate(5, 2, 6);
  auto t0 = steady_clock::time_point{} + hours(1);
  ASSERT_EQ(g.enter("a", t0), Verdict::admitted);
  EXPECT_EQ(g.tracked(), 1u);
  g.leave("a");
  EXPECT_EQ(g.tracked(), 0u);
  g.leave("a");  // a second leave is harmless
  EXPECT_EQ(g.enter("a", t0), Verdict::admitted);
}

// /api/party-state's unknown codes spend the same bucket, without a guest
// place being taken first, and say how long until the next try.
TEST(GuestGate, FailedLookupsSpendTheBucketAndSayWhenToRetry) {
  auto g = gate(2, 2, 6);
  auto t0 = steady_clock::time_point{} + hours(1);
  EXPECT_EQ(g.failure_wait("a", t0), steady_clock::duration::zero());
  g.failed("a", t0);
  EXPECT_EQ(g.failure_wait("a", t0), steady_clock::duration::zero());
  g.failed("a", t0);
  EXPECT_EQ(g.failure_wait("a", t0), seconds(10));  // one failure at 6 a minute
  EXPECT_EQ(g.enter("a", t0), Verdict::too_many_failures);  // the guest door is shut too
  EXPECT_EQ(ceil<seconds>(g.failure_wait("a", t0 + seconds(4))), seconds(6));
  EXPECT_EQ(g.failure_wait("a", t0 + seconds(10)), steady_clock::duration::zero());
  EXPECT_EQ(g.failure_wait("b", t0), steady_clock::duration::zero());
}

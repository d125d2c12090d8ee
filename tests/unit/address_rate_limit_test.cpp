// Requests per client address (limits/address_rate_limit.hpp): a token
// bucket each, refused requests told when to come back (time injected).
#include "limits/address_rate_limit.hpp"

#include <gtest/gtest.h>

namespace limits = session_clock::worker::limits;
using namespace std::chrono;

namespace {

const steady_clock::time_point kT0 = steady_clock::time_point{} + hours(1);

}  // namespace

TEST(AddressRateLimit, ABurstThenTheRateEachAddressOnItsOwn) {
  limits::AddressRateLimit limit({5, 10});
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(limit.admit("a", kT0).allowed) << i;
  auto refused = limit.admit("a", kT0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, milliseconds(200));  // one token at 5/s
  EXPECT_TRUE(limit.admit("b", kT0).allowed);
  EXPECT_FALSE(limit.admit("a", kT0 + milliseconds(100)).allowed);
  EXPECT_TRUE(limit.admit("a", kT0 + milliseconds(200)).allowed);
  EXPECT_FALSE(limit.admit("a", kT0 + milliseconds(200)).allowed);
}

TEST(AddressRateLimit, TimeRunningBackwardsRefillsNothing) {
  limits::AddressRateLimit limit({5, 1});
  EXPECT_TRUE(limit.admit("a", kT0).allowed);
  EXPECT_FALSE(limit.admit("a", kT0 - seconds(10)).allowed);
  EXPECT_FALSE(limit.admit("a", kT0 + milliseconds(100)).allowed);
}

TEST(AddressRateLimit, AddressesWhoseBucketRefilledAreForgottenWhenFull) {
  limits::AddressRateLimit limit({1000, 1});
  for (std::size_t i = 0; i < limits::AddressRateLimit::kMaxAddresses; ++i)
    ASSERT_TRUE(limit.admit(std::to_string(i), kT0).allowed);
  EXPECT_EQ(limit.tracked(), limits::AddressRateLimit::kMaxAddresses);
  EXPECT_FALSE(limit.admit("new", kT0).allowed);  // full of busy addresses
  EXPECT_TRUE(limit.admit("new", kT0 + seconds(1)).allowed);  // they refilled: forgotten
  EXPECT_EQ(limit.tracked(), 1u);
}

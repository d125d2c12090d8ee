#include "fanout/coalesced_reads.hpp"

#include <gtest/gtest.h>

#include <string>

using session_clock::worker::CoalescedReads;

TEST(CoalescedReads, ABurstOfRingsDuringAReadIsOneMoreRead) {
  CoalescedReads<std::string> reads;
  EXPECT_TRUE(reads.ring("s"));    // read now
  EXPECT_FALSE(reads.ring("s"));   // in flight: remembered
  EXPECT_FALSE(reads.ring("s"));   // ... once
  EXPECT_TRUE(reads.finished("s"));   // read once more
  EXPECT_TRUE(reads.in_flight("s"));
  EXPECT_FALSE(reads.finished("s"));  // nothing rang during the second
  EXPECT_FALSE(reads.in_flight("s"));
  EXPECT_TRUE(reads.ring("s"));  // idle again: a new ring reads at once
}

TEST(CoalescedReads, KeysAreIndependentAndDropForgets) {
  CoalescedReads<std::string> reads;
  EXPECT_TRUE(reads.ring("a"));
  EXPECT_TRUE(reads.ring("b"));
  EXPECT_FALSE(reads.ring("a"));
  reads.drop("a");
  EXPECT_FALSE(reads.in_flight("a"));
  EXPECT_FALSE(reads.finished("a"));  // a dropped key's late answer asks for nothing
  EXPECT_FALSE(reads.finished("b"));
  EXPECT_TRUE(reads.ring("a"));
}

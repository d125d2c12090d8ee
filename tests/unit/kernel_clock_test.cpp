#include "core/kernel_clock.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace core = session_clock::core;

TEST(KernelClock, ReadsTheHostDiscipline) {
  auto status = core::read_kernel_clock_status();
  ASSERT_TRUE(status.readable) << status.error;
  EXPECT_FALSE(status.clock_state.empty());
  EXPECT_GE(status.maxerror_ms, 0.0);
  EXPECT_GE(status.esterror_ms, 0.0);
  // The kernel's view and our summary agree.
  bool unsync = false;
  for (const auto& f : status.flags) unsync |= (f == "UNSYNC");
  if (unsync) {
    EXPECT_FALSE(status.is_synced);
  }
}

TEST(KernelClock, JsonCarriesTheContractFields) {
  auto j = nlohmann::json::parse(core::to_json(core::read_kernel_clock_status()));
  for (const char* key : {"source", "is_synced", "clock_state", "offset_ms", "maxerror_ms", "esterror_ms", "flags"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["source"], "kernel");
}

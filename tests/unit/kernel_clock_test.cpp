#include "core/kernel_clock.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
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
  auto j = nlohmann::json::parse(core::to_json(core::read_kernel_clock_status(), "clock.example"));
  for (const char* key : {"source", "server", "is_synced", "last_sync", "clock_state", "offset_ms", "maxerror_ms",
                          "esterror_ms", "flags"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["source"], "kernel");
  EXPECT_EQ(j["server"], "clock.example");
}

// Seed 001's last_sync: when timesyncd last touched its file, else null.
TEST(KernelClock, LastSyncIsTheSyncFilesTimeOrNull) {
  char path[] = "/tmp/synchronized.XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  struct timespec times[2] = {{1759639032, 768445000}, {1759639032, 768445000}};
  ASSERT_EQ(utimensat(AT_FDCWD, path, times, 0), 0);
  EXPECT_EQ(core::last_sync_unix_us(path), 1759639032768445);
  unlink(path);
  EXPECT_EQ(core::last_sync_unix_us(path), std::nullopt);

  core::KernelClockStatus unsynced;
  unsynced.readable = true;
  EXPECT_TRUE(nlohmann::json::parse(core::to_json(unsynced, "x"))["last_sync"].is_null());
  unsynced.last_sync_unix_us = 1759639032768445;
  EXPECT_EQ(nlohmann::json::parse(core::to_json(unsynced, "x"))["last_sync"], "2025-10-05T04:37:12.768445+00:00");
}

TEST(KernelClock, IsoUtcAsPythonWritesIt) {
  EXPECT_EQ(core::iso_utc(1759639032768445), "2025-10-05T04:37:12.768445+00:00");
  EXPECT_EQ(core::iso_utc(1759639032000000), "2025-10-05T04:37:12+00:00");
  EXPECT_EQ(core::iso_utc(0), "1970-01-01T00:00:00+00:00");
  EXPECT_EQ(core::iso_utc(-1), "1969-12-31T23:59:59.999999+00:00");
}

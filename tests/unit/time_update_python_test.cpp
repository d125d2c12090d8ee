// Seed 002's consumer is the contract for time_update's fields: the same
// instants in the same zones, formatted by the worker and by Python itself
// (the seed's own isoformat()/strftime()/int(timestamp()) calls, run by
// Debian's /usr/bin/python3 with zoneinfo), must agree field by field.
#include "protocol/time_update.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unistd.h>

namespace protocol = session_clock::worker::protocol;
using nlohmann::json;

namespace {

constexpr const char* kPython = R"PY(
import json, sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
for line in open(sys.argv[1]):
    us, zone = json.loads(line)
    t = (datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=us)).astimezone(ZoneInfo(zone))
    print(json.dumps({"datetime": t.isoformat(), "formatted": t.strftime("%A, %B %d %Y, %I:%M:%S %p"),
                      "date": t.strftime("%Y-%m-%d"), "time": t.strftime("%I:%M:%S %p"),
                      "time_24h": t.strftime("%H:%M:%S"), "timestamp": int(t.timestamp()),
                      "year": t.year, "month": t.month, "day": t.day, "hour": t.hour, "minute": t.minute,
                      "second": t.second, "weekday": t.strftime("%A")}))
)PY";

}  // namespace

TEST(TimeUpdateAgainstPython, EveryFieldAsTheSeedsConsumerFormatsIt) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/python3";
  const char* zones[] = {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "America/Los_Angeles",
                         "Australia/Lord_Howe", "Pacific/Chatham", "Africa/Casablanca", "Asia/Tokyo"};
  std::mt19937_64 rng(20251205);
  std::uniform_int_distribution<std::int64_t> instant(-3786825600000000, 4102444800000000);  // 1850..2100, in µs
  std::vector<std::pair<std::int64_t, std::string>> cases;
  for (int i = 0; i < 300; ++i) {
    std::int64_t us = instant(rng);
    if (i % 3 == 0) us -= us % 1000000;  // whole seconds, as the ticks are
    cases.emplace_back(us, zones[i % (sizeof zones / sizeof *zones)]);
  }
  char input[] = "/tmp/time_update_cases.XXXXXX";
  int fd = mkstemp(input);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    std::ofstream out(input);
    for (const auto& [us, zone] : cases) out << json::array({us, zone}).dump() << '\n';
  }
  std::string script = std::string("/usr/bin/python3 -c '") + kPython + "' " + input;
  FILE* pipe = popen(script.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char line[1024];
  std::size_t i = 0;
  for (; fgets(line, sizeof line, pipe) && i < cases.size(); ++i) {
    const auto& [us, zone] = cases[i];
    auto text = protocol::time_update(std::chrono::system_clock::time_point{std::chrono::microseconds(us)}, zone);
    ASSERT_TRUE(text) << zone;
    json ours = json::parse(*text), python = json::parse(line);
    for (const auto& [field, value] : python.items()) EXPECT_EQ(ours[field], value) << field << " at " << us << " in " << zone;
  }
  EXPECT_EQ(pclose(pipe), 0);
  std::remove(input);
  EXPECT_EQ(i, cases.size());
}

#include "protocol/time_update.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace protocol = session_clock::worker::protocol;
using nlohmann::json;
using std::chrono::system_clock;

namespace {

system_clock::time_point at_ms(std::int64_t unix_ms) {
  return system_clock::time_point{std::chrono::milliseconds(unix_ms)};
}

json update(std::int64_t unix_ms, const std::string& zone) {
  auto text = protocol::time_update(at_ms(unix_ms), zone);
  if (!text) {
    ADD_FAILURE() << "no update for " << zone;
    return json();
  }
  return json::parse(*text);
}

// The fields that change with the zone; the rest are checked once in full.
void expect_local(const json& j, const char* datetime, const char* formatted, const char* time12,
                  const char* weekday, const char* offset) {
  EXPECT_EQ(j["datetime"], datetime);
  EXPECT_EQ(j["formatted"], formatted);
  EXPECT_EQ(j["time"], time12);
  EXPECT_EQ(j["weekday"], weekday);
  EXPECT_EQ(j["utc_offset"], offset);
}

}  // namespace

TEST(TimeUpdate, BerlinWinterAsDocumented) {
  auto text = protocol::time_update(at_ms(1795453445000), "Europe/Berlin");
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(*text,
            R"({"type":"time_update","t":"time_update","datetime":"2026-11-23T18:04:05+01:00",)"
            R"("timestamp":1795453445,"timestamp_ms":1795453445000,"formatted":"Monday, November 23 2026, 06:04:05 PM",)"
            R"("date":"2026-11-23","time":"06:04:05 PM","time_24h":"18:04:05","year":2026,"month":11,"day":23,)"
            R"("hour":18,"minute":4,"second":5,"weekday":"Monday","timezone":"Europe/Berlin","utc_offset":"+01:00"})");
}

TEST(TimeUpdate, UtcWithMicrosecondsAsPythonWritesThem) {
  auto text = protocol::time_update(at_ms(1795453445123) + std::chrono::microseconds(999), "UTC");
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(json::parse(*text), json::parse(R"({"type":"time_update","t":"time_update",
      "datetime":"2026-11-23T17:04:05.123999+00:00","timestamp":1795453445,"timestamp_ms":1795453445123,
      "formatted":"Monday, November 23 2026, 05:04:05 PM","date":"2026-11-23","time":"05:04:05 PM",
      "time_24h":"17:04:05","year":2026,"month":11,"day":23,"hour":17,"minute":4,"second":5,
      "weekday":"Monday","timezone":"UTC","utc_offset":"+00:00"})"));
}

TEST(TimeUpdate, BerlinSummerTime) {
  auto j = update(1782901800000, "Europe/Berlin");
  expect_local(j, "2026-07-01T12:30:00+02:00", "Wednesday, July 01 2026, 12:30:00 PM", "12:30:00 PM", "Wednesday",
               "+02:00");
  EXPECT_EQ(j["hour"], 12);
  EXPECT_EQ(j["time_24h"], "12:30:00");
  EXPECT_EQ(j["timestamp"], 1782901800);
}

TEST(TimeUpdate, BerlinAcrossTheSpringForwardGap) {
  auto before = update(1774745999000, "Europe/Berlin");
  expect_local(before, "2026-03-29T01:59:59+01:00", "Sunday, March 29 2026, 01:59:59 AM", "01:59:59 AM", "Sunday",
               "+01:00");
  auto after = update(1774746000000, "Europe/Berlin");
  expect_local(after, "2026-03-29T03:00:00+02:00", "Sunday, March 29 2026, 03:00:00 AM", "03:00:00 AM", "Sunday",
               "+02:00");
  EXPECT_EQ(after["hour"], 3);
}

TEST(TimeUpdate, StJohnsHalfHourOffsets) {
  auto winter = update(1768478400000, "America/St_Johns");
  expect_local(winter, "2026-01-15T08:30:00-03:30", "Thursday, January 15 2026, 08:30:00 AM", "08:30:00 AM",
               "Thursday", "-03:30");
  EXPECT_EQ(winter["minute"], 30);
  auto summer = update(1781524800000, "America/St_Johns");
  expect_local(summer, "2026-06-15T09:30:00-02:30", "Monday, June 15 2026, 09:30:00 AM", "09:30:00 AM", "Monday",
               "-02:30");
  EXPECT_EQ(summer["timezone"], "America/St_Johns");
}

TEST(TimeUpdate, KathmanduQuarterHourOffset) {
  auto j = update(1768478400000, "Asia/Kathmandu");
  expect_local(j, "2026-01-15T17:45:00+05:45", "Thursday, January 15 2026, 05:45:00 PM", "05:45:00 PM", "Thursday",
               "+05:45");
  EXPECT_EQ(j["time_24h"], "17:45:00");
  EXPECT_EQ(j["timestamp_ms"], 1768478400000);
}

TEST(TimeUpdate, MidnightIsTwelveAmAndNoonTwelvePm) {
  auto midnight = update(1767225600000, "UTC");
  expect_local(midnight, "2026-01-01T00:00:00+00:00", "Thursday, January 01 2026, 12:00:00 AM", "12:00:00 AM",
               "Thursday", "+00:00");
  EXPECT_EQ(midnight["hour"], 0);
  EXPECT_EQ(midnight["time_24h"], "00:00:00");
  auto noon = update(1767268800000, "UTC");
  EXPECT_EQ(noon["time"], "12:00:00 PM");
  EXPECT_EQ(noon["hour"], 12);
  auto before_noon = update(1767268799000, "UTC");
  EXPECT_EQ(before_noon["time"], "11:59:59 AM");
}

TEST(TimeUpdate, LocalDateCanBeTheDayAndYearBefore) {
  auto j = update(1767225600000, "America/Los_Angeles");
  expect_local(j, "2025-12-31T16:00:00-08:00", "Wednesday, December 31 2025, 04:00:00 PM", "04:00:00 PM",
               "Wednesday", "-08:00");
  EXPECT_EQ(j["date"], "2025-12-31");
  EXPECT_EQ(j["year"], 2025);
  EXPECT_EQ(j["month"], 12);
  EXPECT_EQ(j["day"], 31);
}

// int(timestamp()) truncates toward zero; the millisecond field floors.
TEST(TimeUpdate, BeforeTheEpoch) {
  auto j = update(-500, "UTC");
  EXPECT_EQ(j["datetime"], "1969-12-31T23:59:59.500000+00:00");
  EXPECT_EQ(j["timestamp"], 0);
  EXPECT_EQ(j["timestamp_ms"], -500);
  EXPECT_EQ(j["weekday"], "Wednesday");
}

TEST(TimeUpdate, UnknownZone) {
  EXPECT_EQ(protocol::time_update(at_ms(0), "Mars/Olympus_Mons"), std::nullopt);
  EXPECT_EQ(protocol::time_update(at_ms(0), ""), std::nullopt);
  EXPECT_EQ(protocol::time_update(at_ms(0), "../../../etc/passwd"), std::nullopt);
  EXPECT_FALSE(protocol::is_known_timezone("Mars/Olympus_Mons"));
  EXPECT_FALSE(protocol::is_known_timezone(""));
}

TEST(TimeUpdate, KnownZones) {
  for (const char* zone : {"UTC", "Europe/Berlin", "America/St_Johns", "Asia/Kathmandu", "America/Port-au-Prince",
                           "Etc/GMT+5"})
    EXPECT_TRUE(protocol::is_known_timezone(zone)) << zone;
}

TEST(TimeUpdate, EtcZonesHaveInvertedSigns) {
  EXPECT_EQ(update(0, "Etc/GMT+5")["utc_offset"], "-05:00");
}

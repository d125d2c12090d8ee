#include "protocol/time_update.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>

#include <date/date.h>
#include <date/tz.h>
#include <nlohmann/json.hpp>

#include "protocol/message_types.hpp"
#include "time/zone_offset.hpp"

namespace session_clock::worker::protocol {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kWeekdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};

// Every field a frame needs, in the zone's local time.
struct LocalParts {
  int year, month, day, hour, minute, second, microsecond;
  unsigned weekday;  // 0 = Sunday
  long offset_s;
};

// date throws std::runtime_error for an unknown name; the lookup (and the
// one-time tzdb load behind it) are thread-safe.
const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

LocalParts local_parts(const date::time_zone* zone, date::sys_time<microseconds> t) {
  auto info = time::zone_info(*zone, date::floor<seconds>(t));
  auto local = date::local_time<microseconds>{t.time_since_epoch() + info.offset};
  auto day = date::floor<date::days>(local);
  date::year_month_day ymd{day};
  date::hh_mm_ss<microseconds> hms{local - day};
  return {int(ymd.year()),
          int(unsigned(ymd.month())),
          int(unsigned(ymd.day())),
          int(hms.hours().count()),
          int(hms.minutes().count()),
          int(hms.seconds().count()),
          int(hms.subseconds().count()),
          date::weekday{day}.c_encoding(),
          long(info.offset.count())};
}

// "+01:00", "-03:30"; a historic offset with seconds (LMT) as "+00:53:28".
std::string utc_offset(long offset_s) {
  char sign = offset_s < 0 ? '-' : '+';
  long a = std::labs(offset_s);
  char buf[64];
  if (a % 60 == 0)
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", sign, a / 3600, a / 60 % 60);
  else
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld:%02ld", sign, a / 3600, a / 60 % 60, a % 60);
  return buf;
}

int hour12(int hour) { return hour % 12 == 0 ? 12 : hour % 12; }
const char* am_pm(int hour) { return hour < 12 ? "AM" : "PM"; }

template <typename... Args>
std::string format(const char* pattern, Args... args) {
  char buf[96];
  std::snprintf(buf, sizeof buf, pattern, args...);
  return buf;
}

// Python's isoformat(): the fraction only when there is one, in microseconds.
std::string iso_time(const LocalParts& p) {
  std::string hms = format("T%02d:%02d:%02d", p.hour, p.minute, p.second);
  return p.microsecond ? hms + format(".%06d", p.microsecond) : hms;
}

std::string render(const LocalParts& p, date::sys_time<microseconds> t, const std::string& timezone) {
  auto ms = date::floor<milliseconds>(t).time_since_epoch().count();
  auto s = std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();  // int(): toward zero
  std::string offset = utc_offset(p.offset_s);
  std::string date = format("%04d-%02d-%02d", p.year, p.month, p.day);
  std::string clock12 = format("%02d:%02d:%02d %s", hour12(p.hour), p.minute, p.second, am_pm(p.hour));
  nlohmann::ordered_json frame = {
      {"type", message_type::kTimeUpdate},
      {"t", message_type::kTimeUpdate},
      {"datetime", date + iso_time(p) + offset},
      {"timestamp", s},
      {"timestamp_ms", ms},
      {"formatted", format("%s, %s %02d %04d, ", kWeekdays[p.weekday], kMonths[p.month - 1], p.day, p.year) + clock12},
      {"date", date},
      {"time", clock12},
      {"time_24h", format("%02d:%02d:%02d", p.hour, p.minute, p.second)},
      {"year", p.year},
      {"month", p.month},
      {"day", p.day},
      {"hour", p.hour},
      {"minute", p.minute},
      {"second", p.second},
      {"weekday", kWeekdays[p.weekday]},
      {"timezone", timezone},
      {"utc_offset", offset}};
  return frame.dump();
}

}  // namespace

std::optional<std::string> time_update(std::chrono::system_clock::time_point t, const std::string& timezone) {
  const date::time_zone* zone = find_zone(timezone);
  if (!zone) return std::nullopt;
  auto t_us = date::floor<microseconds>(t);
  try {
    return render(local_parts(zone, t_us), t_us, timezone);
  } catch (const std::exception&) {  // a zone file date cannot read
    return std::nullopt;
  }
}

bool is_known_timezone(const std::string& timezone) { return find_zone(timezone) != nullptr; }

}  // namespace session_clock::worker::protocol

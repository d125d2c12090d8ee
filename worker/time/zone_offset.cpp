#include "time/zone_offset.hpp"

#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>

#include <date/ptz.h>

namespace session_clock::worker::time {
namespace {

// Where Debian's date (built to use the OS tzdb) reads its zone files.
constexpr const char* kZoneDirectory = "/usr/share/zoneinfo/";

// A TZif v2+ file ends with "\n<POSIX TZ rule>\n"; v1 files and zones without
// a rule have an empty or missing footer.
std::optional<Posix::time_zone> read_footer(const std::string& zone_name) {
  std::ifstream in(kZoneDirectory + zone_name, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  std::string bytes = contents.str();
  if (bytes.size() < 2 || bytes.back() != '\n') return std::nullopt;
  auto start = bytes.rfind('\n', bytes.size() - 2);
  if (start == std::string::npos) return std::nullopt;
  std::string rule = bytes.substr(start + 1, bytes.size() - start - 2);
  if (rule.empty()) return std::nullopt;
  try {
    return Posix::time_zone{rule};
  } catch (const std::exception&) {  // a rule ptz cannot parse: keep date's answer
    return std::nullopt;
  }
}

const std::optional<Posix::time_zone>& footer(const date::time_zone& zone) {
  static std::mutex mutex;
  static std::map<const date::time_zone*, std::optional<Posix::time_zone>> footers;
  std::lock_guard lock(mutex);
  auto it = footers.find(&zone);
  if (it == footers.end()) it = footers.emplace(&zone, read_footer(zone.name())).first;
  return it->second;  // map nodes never move
}

}  // namespace

date::sys_info zone_info(const date::time_zone& zone, date::sys_seconds t) {
  date::sys_info listed = zone.get_info(t);
  // date's open-ended last period: the file lists no later transition.
  bool past_last_transition = listed.end >= date::sys_days{date::year::max() / 1 / 1};
  if (!past_last_transition) return listed;
  const auto& rule = footer(zone);
  return rule ? rule->get_info(t) : listed;
}

}  // namespace session_clock::worker::time

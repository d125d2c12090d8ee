// The once-a-second `time_update` payload for SUBSCRIBE_TIME: the server's
// time rendered in the subscriber's IANA zone (host tzdata, /usr/share/zoneinfo).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace session_clock::worker::protocol {

// nullopt if `timezone` names no zone. Formatting is locale-independent
// (English names, ASCII digits) whatever the process locale. Sub-millisecond
// parts of `t` are dropped (floored).
std::optional<std::string> time_update(std::chrono::system_clock::time_point t, const std::string& timezone);

bool is_known_timezone(const std::string& timezone);

}  // namespace session_clock::worker::protocol

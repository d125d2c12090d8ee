// The once-a-second `time_update` payload (/ws/time/ and SUBSCRIBE_TIME): the
// server's time rendered in the subscriber's IANA zone (host tzdata,
// /usr/share/zoneinfo), every field formatted exactly as seed 002's Python
// consumer formats it: datetime is isoformat() (microseconds only when not
// zero, the offset as +HH:MM), formatted "%A, %B %d %Y, %I:%M:%S %p", date
// "%Y-%m-%d", time "%I:%M:%S %p", time_24h "%H:%M:%S", timestamp int().
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace session_clock::worker::protocol {

// nullopt if `timezone` names no zone. Formatting is locale-independent
// (English names, ASCII digits) whatever the process locale. Sub-microsecond
// parts of `t` are dropped (floored).
std::optional<std::string> time_update(std::chrono::system_clock::time_point t, const std::string& timezone);

bool is_known_timezone(const std::string& timezone);

}  // namespace session_clock::worker::protocol

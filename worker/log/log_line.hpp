// One log line a machine can read: logfmt (ts=… level=… msg="…", every value
// escaped) or JSON ({"ts":…,"level":…,"msg":…}). Pure: the spdlog adapter
// (logging.hpp) hands it each message.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace session_clock::worker::log {

enum class Format { logfmt, json };

// The line without its newline. The message loses trailing whitespace
// (libpq's errors end in "\n"); what remains is escaped, never cut.
std::string format_line(Format format, std::chrono::system_clock::time_point at, std::string_view level,
                        std::string_view message);

// A logfmt value: bare when it is a non-empty run of printable ASCII without
// space, '=' or '"'; quoted and escaped (\" \\ \n \r \t \u00XX, invalid UTF-8
// as U+FFFD) otherwise.
std::string logfmt_value(std::string_view value);

// RFC 3339 in UTC with milliseconds: 2025-01-31T12:34:56.789Z.
std::string timestamp(std::chrono::system_clock::time_point at);

}  // namespace session_clock::worker::log

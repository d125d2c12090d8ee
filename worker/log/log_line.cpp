#include "log/log_line.hpp"

#include <cstdio>
#include <ctime>

#include "core/json_text.hpp"

namespace session_clock::worker::log {

std::string timestamp(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(at.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  if (ms % 1000 < 0) --seconds;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(((ms % 1000) + 1000) % 1000));
  return buf;
}

std::string logfmt_value(std::string_view value) {
  bool bare = !value.empty();
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '=' || c == '"' || c == '\\') {
      bare = false;
      break;
    }
  }
  if (bare) return std::string(value);
  // JSON's string escaping is also what logfmt readers (go-logfmt, Loki's
  // logfmt parser) undo: \" \\ \n \r \t \uXXXX.
  return core::json_text::quote(value);
}

std::string format_line(Format format, std::chrono::system_clock::time_point at, std::string_view level,
                        std::string_view message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == ' ' ||
                              message.back() == '\t'))
    message.remove_suffix(1);
  if (format == Format::json)
    return core::json_text::ObjectWriter().add("ts", timestamp(at)).add("level", level).add("msg", message).str();
  return "ts=" + timestamp(at) + " level=" + logfmt_value(level) + " msg=" + core::json_text::quote(message);
}

}  // namespace session_clock::worker::log

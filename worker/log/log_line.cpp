#include "log/log_line.hpp"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace session_clock::worker::log {
namespace {

// A JSON string: invalid UTF-8 (a libpq message in another encoding) becomes
// U+FFFD rather than an exception.
std::string quote(std::string_view value) {
  return nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

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
  return quote(value);
}

std::string format_line(Format format, std::chrono::system_clock::time_point at, std::string_view level,
                        std::string_view message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' || message.back() == ' ' ||
                              message.back() == '\t'))
    message.remove_suffix(1);
  if (format == Format::json)
    return nlohmann::ordered_json{{"ts", timestamp(at)}, {"level", std::string(level)}, {"msg", std::string(message)}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return "ts=" + timestamp(at) + " level=" + logfmt_value(level) + " msg=" + quote(message);
}

}  // namespace session_clock::worker::log

// Reading a request target: its path, and one query parameter (no
// percent-decoding: the values read here, JWTs and room codes, never need it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace session_clock::worker::http_target {

inline std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

inline std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) return std::string(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

}  // namespace session_clock::worker::http_target

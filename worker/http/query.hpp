// Reading a request target: its path, and one query parameter,
// percent-decoded (a browser's URLSearchParams sends "Europe/Berlin" as
// "Europe%2FBerlin"). '+' stays '+': "Etc/GMT+5" is a zone name, and none of
// the values read here (JWTs, room codes, zone names) holds a space.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace session_clock::worker::http_target {

inline std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// nullopt for a malformed escape ("%G1", a trailing "%").
inline std::optional<std::string> percent_decode(std::string_view raw) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;
    int high = hex(raw[i + 1]), low = hex(raw[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += char(high * 16 + low);
    i += 2;
  }
  return out;
}

// The first value of `name`, nullopt when absent. A malformed escape is kept
// as sent, so the value is refused as what it is (an unknown zone, a bad
// token) rather than read as absent.
inline std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      auto raw = pair.substr(eq + 1);
      return percent_decode(raw).value_or(std::string(raw));
    }
    if (amp == std::string_view::npos) break;
    query = query.substr(amp + 1);
  }
  return std::nullopt;
}

}  // namespace session_clock::worker::http_target

// How the server writes numbers: integral values as JSON integers (1200, not
// 1200.0) so strictly typed clients read integers and floats alike, NaN and
// infinity as null, and server times rounded to whole microseconds.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace session_clock::worker::protocol {

inline constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

inline bool is_exact_integer(double value) {
  return std::trunc(value) == value && std::fabs(value) <= kMaxExactInteger;
}

inline nlohmann::ordered_json number(double value) {
  if (!std::isfinite(value)) return nullptr;
  if (is_exact_integer(value)) return static_cast<std::int64_t>(value);
  return value;
}

// A server time in milliseconds, rounded to whole microseconds.
inline double server_us(double ms) { return std::round(ms * 1000.0); }
inline double to_server_ms(double ms) { return server_us(ms) / 1000.0; }
inline nlohmann::ordered_json server_ms(double ms) { return number(to_server_ms(ms)); }

// number(value) as text, appended without building a JSON value: for the
// frame sent most often (TIME_PONG). The shortest text that reads back as
// the same double, of the same kind, as nlohmann's text of it (outbound_test
// checks they agree; a tie between two shortest digit strings may resolve
// the other way).
inline void append_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char digits[32];  // the longest double is 24 characters
  if (is_exact_integer(value)) {
    out.append(digits, std::to_chars(digits, digits + sizeof digits, static_cast<std::int64_t>(value)).ptr);
    return;
  }
  std::string_view text(digits, std::to_chars(digits, digits + sizeof digits, value).ptr - digits);
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) out += ".0";  // a float reads back as one
}

// server_ms(ms) as text: whole microseconds written as integers, a quarter
// of the instructions of the shortest-digits search. The text reads back as
// the same double: both are the double nearest to microseconds / 1000.
inline void append_server_ms(std::string& out, double ms) {
  double us = server_us(ms);
  if (!(std::fabs(us) <= kMaxExactInteger)) return append_number(out, to_server_ms(ms));  // and NaN
  auto micros = static_cast<std::int64_t>(us);
  if (micros < 0) out += '-';
  std::uint64_t magnitude = micros < 0 ? -static_cast<std::uint64_t>(micros) : micros;
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, magnitude / 1000).ptr);
  unsigned fraction = magnitude % 1000;
  if (fraction == 0) return;
  char decimals[] = {'.', char('0' + fraction / 100), char('0' + fraction / 10 % 10), char('0' + fraction % 10)};
  std::size_t length = sizeof decimals;
  while (decimals[length - 1] == '0') --length;  // 4.5, not 4.500
  out.append(decimals, length);
}

}  // namespace session_clock::worker::protocol

// How the server writes numbers: integral values as JSON integers (1200, not
// 1200.0) so strictly typed clients read integers and floats alike, NaN and
// infinity as null, and server times rounded to whole microseconds.
#pragma once

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace session_clock::worker::protocol {

inline nlohmann::ordered_json number(double value) {
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  if (!std::isfinite(value)) return nullptr;
  if (std::trunc(value) == value && std::fabs(value) <= kMaxExactInteger) return static_cast<std::int64_t>(value);
  return value;
}

// A server time in milliseconds, rounded to whole microseconds.
inline nlohmann::ordered_json server_ms(double ms) { return number(std::round(ms * 1000.0) / 1000.0); }

}  // namespace session_clock::worker::protocol

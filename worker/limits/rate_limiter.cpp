#include "limits/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace session_clock::worker::limits {
namespace {

// Nonsense settings fall back to something that still limits: at least one
// message, some refill, at least one strike.
double positive_or(double value, double fallback) {
  return std::isfinite(value) && value > 0 ? value : fallback;
}

}  // namespace

RateLimiter::RateLimiter(double rate_per_second, double burst, int flood_strikes)
    : shape_{positive_or(rate_per_second, 1.0), std::max(1.0, positive_or(burst, 1.0))},
      flood_strikes_(std::max(1, flood_strikes)),
      bucket_(shape_.burst) {}

RateLimiter::RateLimiter(const Limits& limits)
    : RateLimiter(limits.rate_per_second, limits.rate_burst, limits.flood_strikes) {}

RateLimiter::Decision RateLimiter::admit(Clock::time_point now) {
  if (closing_) return {false, true};
  bucket_.refill(now, shape_);
  if (bucket_.take()) {
    if (last_refusal_ && now - *last_refusal_ >= kCalmPeriod) {
      strikes_ = 0;
      last_refusal_.reset();
    }
    return {true, false};
  }
  last_refusal_ = now;
  closing_ = ++strikes_ >= flood_strikes_;
  return {false, closing_};
}

}  // namespace session_clock::worker::limits

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
    : rate_per_second_(positive_or(rate_per_second, 1.0)),
      burst_(std::max(1.0, positive_or(burst, 1.0))),
      flood_strikes_(std::max(1, flood_strikes)),
      tokens_(burst_) {}

RateLimiter::RateLimiter(const Limits& limits)
    : RateLimiter(limits.rate_per_second, limits.rate_burst, limits.flood_strikes) {}

// Time that appears to run backwards (only possible with injected points)
// refills nothing and does not move the reference back.
void RateLimiter::refill(Clock::time_point now) {
  if (last_refill_ && now > *last_refill_) {
    double elapsed_s = std::chrono::duration<double>(now - *last_refill_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed_s * rate_per_second_);
  }
  if (!last_refill_ || now > *last_refill_) last_refill_ = now;
}

RateLimiter::Decision RateLimiter::admit(Clock::time_point now) {
  if (closing_) return {false, true};
  refill(now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
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
